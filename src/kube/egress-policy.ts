import { asArray, asObject, asString, dig, scalarText, type JsonObject } from '../core/json.js';
import type { Inventory, LabelSelector, LabelSelectorRequirement, Resource } from '../core/types.js';
import { matchesLabelSelector } from '../inventory/selectors.js';
import { classifyCidr } from './cidr.js';

/**
 * How far a pod can reach out: `restricted` (an egress policy selects it and allows no internet-wide
 * destination), `internet-on-ports` (the internet is allowed on some ports only), `open` (no egress policy
 * selects the pod, or a rule allows every destination on every port).
 */
export type EgressVerdict =
  | { state: 'restricted'; policies: Resource[] }
  | { state: 'internet-on-ports'; policy: Resource; ports: string[] }
  | { state: 'open'; policy: Resource | null };

export const EGRESS_POLICY_KINDS = [
  'networking.k8s.io/NetworkPolicy',
  'cilium.io/CiliumNetworkPolicy',
  'cilium.io/CiliumClusterwideNetworkPolicy',
  'crd.projectcalico.org/NetworkPolicy',
  'crd.projectcalico.org/GlobalNetworkPolicy',
  'projectcalico.org/NetworkPolicy',
  'projectcalico.org/GlobalNetworkPolicy',
];

type Reach = { kind: 'none' } | { kind: 'all' } | { kind: 'ports'; ports: string[] };

interface PolicyEffect {
  policy: Resource;
  /** What the policy lets through to internet-wide destinations. */
  reach: Reach;
  /** Cilium egressDeny / Calico Deny towards the world: wins over any allow. */
  deniesWorld: boolean;
}

const DNS_PORTS = new Set(['53', 'dns', 'dns-tcp', 'dns-udp']);

/** The egress verdict for a pod with these labels in this namespace, from every policy engine kfscan reads. */
export function egressVerdict(namespace: string, labels: Readonly<Record<string, string>>, inventory: Inventory): EgressVerdict {
  const effects = [
    ...inventory.inNamespace('networking.k8s.io/NetworkPolicy', namespace).flatMap((p) => kubernetesPolicy(p, labels)),
    ...[...inventory.inNamespace('cilium.io/CiliumNetworkPolicy', namespace), ...inventory.ofKind('cilium.io/CiliumClusterwideNetworkPolicy')].flatMap((p) =>
      ciliumPolicy(p, namespace, labels),
    ),
    ...[
      ...inventory.inNamespace('crd.projectcalico.org/NetworkPolicy', namespace),
      ...inventory.inNamespace('projectcalico.org/NetworkPolicy', namespace),
      ...inventory.ofKind('crd.projectcalico.org/GlobalNetworkPolicy'),
      ...inventory.ofKind('projectcalico.org/GlobalNetworkPolicy'),
    ].flatMap((p) => calicoPolicy(p, namespace, labels)),
  ];
  if (effects.length === 0) return { state: 'open', policy: null };
  if (effects.some((e) => e.deniesWorld)) return { state: 'restricted', policies: effects.map((e) => e.policy) };
  const all = effects.find((e) => e.reach.kind === 'all');
  if (all) return { state: 'open', policy: all.policy };
  const ported = effects.filter((e): e is PolicyEffect & { reach: { kind: 'ports'; ports: string[] } } => e.reach.kind === 'ports');
  if (ported.length > 0) return { state: 'internet-on-ports', policy: ported[0]!.policy, ports: [...new Set(ported.flatMap((e) => e.reach.ports))].sort() };
  return { state: 'restricted', policies: effects.map((e) => e.policy) };
}

/** NetworkPolicies in the namespace that restrict ingress only (Kubeflow ships such), for messages. */
export function ingressOnlyPolicies(namespace: string, inventory: Inventory): Resource[] {
  return inventory.inNamespace('networking.k8s.io/NetworkPolicy', namespace).filter((p) => !policyTypes(asObject(p.obj['spec']) ?? {}).includes('Egress'));
}

function kubernetesPolicy(policy: Resource, labels: Readonly<Record<string, string>>): PolicyEffect[] {
  const spec = asObject(policy.obj['spec']);
  if (!spec || !policyTypes(spec).includes('Egress')) return [];
  if (!matchesLabelSelector(asObject(spec['podSelector']) ?? {}, labels)) return [];
  let reach: Reach = { kind: 'none' };
  for (const entry of asArray(spec['egress'])) {
    const rule = asObject(entry) ?? {};
    const peers = asArray(rule['to']);
    const toWorld = peers.length === 0 || peers.some((peer) => wideCidr(asString(dig(peer, 'ipBlock', 'cidr'))));
    if (toWorld) reach = widen(reach, portsOf(asArray(rule['ports']).map((p) => asObject(p)?.['port'])));
  }
  return [{ policy, reach, deniesWorld: false }];
}

// Kubernetes defaults policyTypes to Ingress, plus Egress when the policy has egress rules.
function policyTypes(spec: JsonObject): string[] {
  const declared = asArray(spec['policyTypes']).map(String);
  if (declared.length > 0) return declared;
  return asArray(spec['egress']).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

function ciliumPolicy(policy: Resource, namespace: string, labels: Readonly<Record<string, string>>): PolicyEffect[] {
  const specs = [asObject(policy.obj['spec']), ...asArray(policy.obj['specs']).map(asObject)].filter((s): s is JsonObject => s !== null);
  const clusterwide = policy.ref.namespace === null;
  const endpointLabels = { ...labels, 'io.kubernetes.pod.namespace': namespace };
  return specs.flatMap((spec) => {
    const selector = asObject(spec['endpointSelector']);
    if (!selector || !matchesLabelSelector(stripCiliumPrefixes(selector), clusterwide ? endpointLabels : labels)) return [];
    const hasEgress = Array.isArray(spec['egress']) || Array.isArray(spec['egressDeny']);
    if (!hasEgress || dig(spec, 'enableDefaultDeny', 'egress') === false) return [];
    const deniesWorld = asArray(spec['egressDeny']).some((rule) => ciliumToWorld(asObject(rule) ?? {}) && asArray(asObject(rule)?.['toPorts']).length === 0);
    let reach: Reach = { kind: 'none' };
    for (const entry of asArray(spec['egress'])) {
      const rule = asObject(entry) ?? {};
      if (!ciliumToWorld(rule)) continue;
      const ports = asArray(rule['toPorts']).flatMap((p) => asArray(asObject(p)?.['ports']).map((port) => asObject(port)?.['port']));
      reach = widen(reach, portsOf(ports));
    }
    return [{ policy, reach, deniesWorld }];
  });
}

function ciliumToWorld(rule: JsonObject): boolean {
  const entities = asArray(rule['toEntities']).map(String);
  if (entities.includes('world') || entities.includes('all')) return true;
  if (asArray(rule['toCIDR']).some((cidr) => wideCidr(asString(cidr)))) return true;
  return asArray(rule['toCIDRSet']).some((set) => wideCidr(asString(asObject(set)?.['cidr'])));
}

// Cilium selectors may prefix keys with their source (`k8s:app`, `any:app`).
function stripCiliumPrefixes(selector: JsonObject): LabelSelector {
  const strip = (key: string) => key.replace(/^(?:k8s|any):/, '');
  const matchLabels = Object.fromEntries(Object.entries(asObject(selector['matchLabels']) ?? {}).map(([k, v]) => [strip(k), scalarText(v) ?? '']));
  const matchExpressions = asArray(selector['matchExpressions']).map((e) => {
    const expression = asObject(e) ?? {};
    return { ...expression, key: strip(scalarText(expression['key']) ?? '') } as LabelSelectorRequirement;
  });
  return { matchLabels, matchExpressions };
}

function calicoPolicy(policy: Resource, namespace: string, labels: Readonly<Record<string, string>>): PolicyEffect[] {
  const spec = asObject(policy.obj['spec']);
  if (!spec) return [];
  const types = asArray(spec['types']).map(String);
  if (!(types.length > 0 ? types.includes('Egress') : asArray(spec['egress']).length > 0)) return [];
  if (calicoSelects(asString(spec['selector']), labels) !== true) return [];
  if (policy.ref.namespace === null && calicoSelects(asString(spec['namespaceSelector']), { 'projectcalico.org/name': namespace, 'kubernetes.io/metadata.name': namespace }) !== true) return [];
  let reach: Reach = { kind: 'none' };
  // Calico evaluates rules in order: the first matching one decides.
  for (const entry of asArray(spec['egress'])) {
    const rule = asObject(entry) ?? {};
    const destination = asObject(rule['destination']) ?? {};
    const open = !destination['selector'] && !destination['namespaceSelector'] && asArray(destination['domains']).length === 0 && asArray(destination['serviceAccounts']).length === 0
      && (asArray(destination['nets']).length === 0 || asArray(destination['nets']).some((net) => wideCidr(asString(net))));
    if (!open) continue;
    const ports = asArray(destination['ports']);
    const action = asString(rule['action']);
    if (action === 'Deny' && ports.length === 0) return [{ policy, reach, deniesWorld: reach.kind === 'none' }];
    if (action === 'Allow') reach = widen(reach, portsOf(ports));
  }
  return [{ policy, reach, deniesWorld: false }];
}

/** Calico selector expressions kfscan can judge: `all()`, empty, and `key == 'value'` joined by `&&`; else `null`. */
function calicoSelects(expression: string | null, labels: Readonly<Record<string, string>>): boolean | null {
  const text = (expression ?? '').trim();
  if (text === '' || text === 'all()') return true;
  const terms = text.split('&&').map((t) => t.trim());
  let result = true;
  for (const term of terms) {
    const match = /^([\w./-]+)\s*==\s*['"]([^'"]*)['"]$/.exec(term);
    if (!match) return null;
    if (labels[match[1]!] !== match[2]) result = false;
  }
  return result;
}

function portsOf(ports: readonly unknown[]): Reach {
  if (ports.length === 0) return { kind: 'all' };
  const names = ports.map((port) => (port === null || port === undefined ? 'any' : (scalarText(port) ?? '')).toLowerCase());
  if (names.includes('any') || names.includes('0')) return { kind: 'all' };
  const nonDns = names.filter((port) => !DNS_PORTS.has(port));
  return nonDns.length === 0 ? { kind: 'none' } : { kind: 'ports', ports: nonDns };
}

function widen(current: Reach, next: Reach): Reach {
  if (current.kind === 'all' || next.kind === 'all') return { kind: 'all' };
  if (next.kind === 'none') return current;
  if (current.kind === 'none') return next;
  return { kind: 'ports', ports: [...current.ports, ...next.ports] };
}

function wideCidr(cidr: string | null): boolean {
  return cidr !== null && classifyCidr(cidr) === 'wide';
}
