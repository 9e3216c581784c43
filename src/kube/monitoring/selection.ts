import { asArray, asObject, asString, dig, scalarText } from '../../core/json.js';
import type { Inventory, Resource } from '../../core/types.js';
import { matchesLabelSelector } from '../../inventory/selectors.js';

/** Three-valued answers: offline input may lack the Namespace object a selector needs. */
export type Tri = 'yes' | 'unknown' | 'no';

const TRI_RANK: Record<Tri, number> = { no: 0, unknown: 1, yes: 2 };

export function anyTri(values: Iterable<Tri>): Tri {
  let best: Tri = 'no';
  for (const value of values) if (TRI_RANK[value] > TRI_RANK[best]) best = value;
  return best;
}

export function bothTri(a: Tri, b: Tri): Tri {
  return TRI_RANK[a] <= TRI_RANK[b] ? a : b;
}

/**
 * A label selector field as an operator reads it: absent/null means `whenNull` (prometheus-operator:
 * selects nothing for serviceMonitorSelector/ruleSelector; VictoriaMetrics: all when selectAllByDefault),
 * `{}` selects everything, anything else is matched.
 */
export function selectorMatches(selector: unknown, labels: Readonly<Record<string, string>>, whenNull: boolean): boolean {
  if (selector === undefined || selector === null) return whenNull;
  const object = asObject(selector);
  if (!object) return false;
  return matchesLabelSelector(object, labels);
}

/**
 * A namespace selector field of a Prometheus-like CR: absent/null means the CR's own namespace only
 * (prometheus-operator's documented default), `{}` means every namespace. Offline the Namespace object
 * may be missing: then only the `kubernetes.io/metadata.name` label is known, and a selector on other
 * labels gives `unknown`.
 */
export function namespaceSelected(selector: unknown, namespace: string, ownNamespace: string | null, inventory: Inventory): Tri {
  if (selector === undefined || selector === null) return namespace === ownNamespace ? 'yes' : 'no';
  const object = asObject(selector);
  if (!object) return 'no';
  const ns = inventory.get('Namespace', null, namespace);
  const labels = { ...(ns?.labels ?? {}), 'kubernetes.io/metadata.name': namespace };
  if (matchesLabelSelector(object, labels)) return 'yes';
  return ns || inventory.wholeCluster ? 'no' : 'unknown';
}

/** ServiceMonitor/PodMonitor `namespaceSelector`: `any: true`, `matchNames`, or (absent) the monitor's own namespace. */
export function monitorNamespaceSelected(monitor: Resource, namespace: string): boolean {
  const selector = asObject(dig(monitor.obj, 'spec', 'namespaceSelector'));
  if (selector?.['any'] === true) return true;
  const names = asArray(selector?.['matchNames']).map(asString).filter((n): n is string => n !== null);
  if (names.length > 0) return names.includes(namespace);
  return namespace === monitor.ref.namespace;
}

/** `app=x` or `app.kubernetes.io/name: kube-state-metrics` style, for messages. */
export function describeSelector(selector: unknown): string {
  if (selector === undefined || selector === null) return 'nothing (no selector)';
  const object = asObject(selector);
  if (!object) return 'nothing (invalid selector)';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(asObject(object['matchLabels']) ?? {})) parts.push(`${key}=${scalarText(value) ?? '?'}`);
  for (const entry of asArray(object['matchExpressions'])) {
    const requirement = asObject(entry);
    if (!requirement) continue;
    const values = asArray(requirement['values']).map(String).join(',');
    parts.push(`${scalarText(requirement['key']) ?? '?'} ${scalarText(requirement['operator']) ?? '?'}${values ? ` (${values})` : ''}`);
  }
  return parts.length === 0 ? 'everything' : parts.join(', ');
}
