import { asArray, asObject, asString, scalarText, type JsonObject } from '../core/json.js';
import { stringMap } from '../inventory/resource.js';

export interface Taint {
  key: string;
  value: string;
  effect: string;
}

export interface Toleration {
  key: string;
  operator: string;
  value: string;
  effect: string;
}

/** The node facts scheduling depends on. */
export interface SchedulingNode {
  name: string;
  labels: Readonly<Record<string, string>>;
  taints: readonly Taint[];
}

/** Why a pod template cannot land on a node, or `null` when it can. */
export type Exclusion =
  | { kind: 'taint'; taint: Taint }
  | { kind: 'node-selector'; key: string; wanted: string }
  | { kind: 'affinity' };

// Taints the DaemonSet controller tolerates on every DaemonSet pod (pkg/controller/daemon/util), so they
// never keep a DaemonSet off a node.
const DAEMONSET_AUTOMATIC: readonly Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', value: '', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', value: '', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', value: '', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', value: '', effect: 'NoSchedule' },
];
const NETWORK_UNAVAILABLE: Toleration = { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', value: '', effect: 'NoSchedule' };

// PreferNoSchedule is a preference: the scheduler may still place the pod there.
const BLOCKING_EFFECTS = new Set(['NoSchedule', 'NoExecute']);

/**
 * Kubernetes `Toleration.ToleratesTaint`: the effect must match unless the toleration leaves it empty,
 * the key must match unless it is empty (only valid with `Exists`, where it tolerates every taint), and
 * then `Exists` tolerates any value while `Equal` (or no operator) needs the same value.
 */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect !== '' && toleration.effect !== taint.effect) return false;
  if (toleration.key !== '' && toleration.key !== taint.key) return false;
  switch (toleration.operator) {
    case 'Exists':
      return true;
    case '':
    case 'Equal':
      // An empty key with Equal is refused by the API server; treat it as tolerating nothing.
      return toleration.key !== '' && toleration.value === taint.value;
    default:
      return false;
  }
}

export function toleratesAny(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => tolerates(toleration, taint));
}

export function parseTolerations(value: unknown): Toleration[] {
  return asArray(value).flatMap((entry) => {
    const t = asObject(entry);
    if (!t) return [];
    return [{ key: text(t['key']), operator: text(t['operator']), value: text(t['value']), effect: text(t['effect']) }];
  });
}

export function parseTaints(value: unknown): Taint[] {
  return asArray(value).flatMap((entry) => {
    const t = asObject(entry);
    const key = asString(t?.['key']);
    if (!t || !key) return [];
    return [{ key, value: text(t['value']), effect: text(t['effect']) }];
  });
}

/** The tolerations a DaemonSet's pods really carry: their own plus those the controller adds. */
export function daemonSetTolerations(podSpec: JsonObject): Toleration[] {
  const own = parseTolerations(podSpec['tolerations']);
  return [...own, ...DAEMONSET_AUTOMATIC, ...(podSpec['hostNetwork'] === true ? [NETWORK_UNAVAILABLE] : [])];
}

/**
 * Whether a DaemonSet with this pod spec gets a pod on the node, as the DaemonSet controller decides:
 * blocking taints, `nodeSelector`, and required node affinity. The first reason found is returned.
 */
export function daemonSetExclusion(podSpec: JsonObject, node: SchedulingNode): Exclusion | null {
  const tolerations = daemonSetTolerations(podSpec);
  for (const taint of node.taints) {
    if (BLOCKING_EFFECTS.has(taint.effect) && !toleratesAny(tolerations, taint)) return { kind: 'taint', taint };
  }
  for (const [key, wanted] of Object.entries(stringMap(podSpec['nodeSelector']))) {
    if (node.labels[key] !== wanted) return { kind: 'node-selector', key, wanted };
  }
  const required = asObject(asObject(asObject(podSpec['affinity'])?.['nodeAffinity'])?.['requiredDuringSchedulingIgnoredDuringExecution']);
  if (required && !matchesNodeSelectorTerms(required['nodeSelectorTerms'], node)) return { kind: 'affinity' };
  return null;
}

/**
 * `NodeSelector` semantics: the terms are ORed, the requirements inside a term ANDed; a term without
 * requirements, or an empty list of terms, matches no node.
 */
export function matchesNodeSelectorTerms(terms: unknown, node: SchedulingNode): boolean {
  return asArray(terms).some((term) => {
    const t = asObject(term);
    if (!t) return false;
    const expressions = asArray(t['matchExpressions']);
    const fields = asArray(t['matchFields']);
    if (expressions.length === 0 && fields.length === 0) return false;
    return (
      expressions.every((requirement) => matchesRequirement(requirement, node.labels)) &&
      fields.every((requirement) => matchesRequirement(requirement, { 'metadata.name': node.name }))
    );
  });
}

function matchesRequirement(requirement: unknown, labels: Readonly<Record<string, string>>): boolean {
  const r = asObject(requirement);
  const key = asString(r?.['key']);
  if (!r || !key) return false;
  const has = Object.prototype.hasOwnProperty.call(labels, key);
  const actual = labels[key];
  const values = asArray(r['values']).flatMap((v) => scalarText(v) ?? []);
  switch (r['operator']) {
    case 'In':
      return has && values.includes(actual!);
    case 'NotIn':
      return !has || !values.includes(actual!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      const bound = Number(values[0]);
      const number = Number(actual);
      if (!has || values.length !== 1 || !Number.isInteger(bound) || !Number.isInteger(number)) return false;
      return r['operator'] === 'Gt' ? number > bound : number < bound;
    }
    default:
      return false;
  }
}

export function describeTaint(taint: Taint): string {
  return `${taint.key}${taint.value !== '' ? `=${taint.value}` : ''}:${taint.effect}`;
}

export function describeExclusion(exclusion: Exclusion): string {
  switch (exclusion.kind) {
    case 'taint':
      return `taint ${describeTaint(exclusion.taint)} not tolerated`;
    case 'node-selector':
      return `nodeSelector ${exclusion.key}=${exclusion.wanted} does not match`;
    case 'affinity':
      return 'required node affinity does not match';
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
