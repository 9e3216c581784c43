import { asArray, asObject, asString, dig } from '../core/json.js';
import type { Resource } from '../core/types.js';
import { matchesMapSelector } from '../inventory/selectors.js';
import { stringMap } from '../inventory/resource.js';
import type { GatewayWorkload } from './istio-gateways.js';
import { linearMatcher } from './linear-regex.js';

/**
 * Whether an Istio policy (AuthorizationPolicy, RequestAuthentication, EnvoyFilter) applies to a
 * gateway's pods. Istio's rules: `targetRef`/`targetRefs` name a Gateway API Gateway and win over
 * selectors; otherwise the selector (`selector.matchLabels`, EnvoyFilter `workloadSelector.labels` or
 * the old `workloadLabels`) must match the pod labels, and an absent selector means every workload. A
 * policy applies to pods of its own namespace, except in the root namespace, where it applies to the
 * whole mesh.
 */
export function policyApplies(policy: Resource, workload: GatewayWorkload, rootNamespace: string): boolean {
  const spec = asObject(policy.obj['spec']) ?? {};
  const targets = [...asArray(spec['targetRefs']), ...(spec['targetRef'] !== undefined ? [spec['targetRef']] : [])];
  if (targets.length > 0) {
    const gateway = workload.gatewayApi;
    return (
      gateway !== null &&
      targets.some((entry) => {
        const target = asObject(entry);
        return target?.['kind'] === 'Gateway' && target['name'] === gateway.ref.name && (policy.ref.namespace ?? 'default') === gateway.ref.namespace;
      })
    );
  }
  const selector = selectorOf(policy);
  const policyNamespace = policy.ref.namespace ?? 'default';
  return workload.members.some((member) => {
    if (policyNamespace !== rootNamespace && member.namespace !== policyNamespace) return false;
    return selector === null || matchesMapSelector(selector, member.labels);
  });
}

function selectorOf(policy: Resource): Record<string, string> | null {
  const spec = asObject(policy.obj['spec']) ?? {};
  const raw =
    policy.ref.kind === 'EnvoyFilter'
      ? (dig(spec, 'workloadSelector', 'labels') ?? spec['workloadLabels'])
      : dig(spec, 'selector', 'matchLabels');
  const labels = stringMap(raw);
  return Object.keys(labels).length === 0 ? null : labels;
}

/** An Istio path pattern: exact, `prefix*`, `*suffix`, `*`, and the `{*}` / `{**}` templates. */
export function matchesIstioPath(pattern: string, path: string): boolean {
  if (pattern === '*') return true;
  if (pattern.includes('{*}') || pattern.includes('{**}')) {
    const regex = pattern
      .split(/(\{\*\*\}|\{\*\})/)
      .map((part) => (part === '{**}' ? '.*' : part === '{*}' ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('');
    return linearMatcher(`^${regex}$`)?.(path) ?? false;
  }
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  if (pattern.startsWith('*')) return path.endsWith(pattern.slice(1));
  return pattern === path;
}

/** The rules of an AuthorizationPolicy as plain objects. */
export function policyRules(policy: Resource): Array<Record<string, unknown>> {
  return asArray(dig(policy.obj, 'spec', 'rules'))
    .map(asObject)
    .filter((rule): rule is Record<string, unknown> => rule !== null);
}

/** Whether a rule's `to` operations take a request for `path` (a rule without `to` takes every path). */
export function ruleCoversPath(rule: Record<string, unknown>, path: string): boolean {
  const operations = asArray(rule['to']).map((entry) => asObject(asObject(entry)?.['operation']) ?? {});
  if (operations.length === 0) return true;
  return operations.some((operation) => {
    const paths = strings(operation['paths']);
    const notPaths = strings(operation['notPaths']);
    if (paths.length > 0 && !paths.some((p) => matchesIstioPath(p, path))) return false;
    return !notPaths.some((p) => matchesIstioPath(p, path));
  });
}

export function action(policy: Resource): string {
  return asString(dig(policy.obj, 'spec', 'action')) ?? 'ALLOW';
}

export function strings(value: unknown): string[] {
  return asArray(value).flatMap((v) => (typeof v === 'string' ? [v] : []));
}
