import { scalarText } from '../core/json.js';
import type { LabelSelector } from '../core/types.js';

/**
 * Kubernetes label-selector semantics (apimachinery `LabelSelectorAsSelector`): every matchLabels entry
 * and every matchExpressions requirement must hold. An empty selector matches everything; an invalid
 * operator matches nothing, as the API server would refuse the object.
 */
export function matchesLabelSelector(selector: LabelSelector | null | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const matchLabels = isRecord(selector.matchLabels) ? selector.matchLabels : {};
  for (const [key, value] of Object.entries(matchLabels)) {
    const wanted = scalarText(value);
    if (wanted === null || labels[key] !== wanted) return false;
  }
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  for (const requirement of expressions) {
    if (!isRecord(requirement) || typeof requirement.key !== 'string') return false;
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const values = Array.isArray(requirement.values) ? requirement.values.map(scalarText).filter((v): v is string => v !== null) : [];
    switch (requirement.operator) {
      case 'In':
        if (!has || !values.includes(labels[requirement.key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[requirement.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * A Service-style selector (a plain map): every entry must match, an empty map selects nothing, and a
 * value that is not a scalar (which the API server would refuse) makes the selector select nothing.
 */
export function matchesMapSelector(selector: Readonly<Record<string, unknown>> | null | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return false;
  const entries = Object.entries(selector);
  if (entries.length === 0) return false;
  return entries.every(([key, value]) => {
    const wanted = scalarText(value);
    return wanted !== null && labels[key] === wanted;
  });
}

/** Normalises either selector form to a LabelSelector. A plain map is read as matchLabels. */
export function toLabelSelector(selector: LabelSelector | Record<string, string>): LabelSelector {
  if ('matchLabels' in selector || 'matchExpressions' in selector) return selector;
  return { matchLabels: selector as Record<string, string> };
}

/** The `key=value` pairs a selector requires, usable to narrow candidates through an index. */
export function requiredPairs(selector: LabelSelector): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (isRecord(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      const text = scalarText(value);
      if (text !== null) pairs.push([key, text]);
    }
  }
  for (const requirement of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (typeof requirement !== 'object' || requirement === null) continue;
    const only = requirement?.operator === 'In' && Array.isArray(requirement.values) && requirement.values.length === 1 ? scalarText(requirement.values[0]) : null;
    if (only !== null && typeof requirement.key === 'string') pairs.push([requirement.key, only]);
  }
  return pairs;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
