import { asArray, asObject, dig } from '../core/json.js';
import type { Inventory, Resource } from '../core/types.js';
import { describeResource } from '../core/object-ref.js';
import { isProfileNamespace } from './pipelines.js';

/** The three limits that bound a mining burst in a namespace. */
export type QuotaLimit = 'cpu' | 'gpu' | 'pods';

export const QUOTA_LIMITS: readonly QuotaLimit[] = ['cpu', 'gpu', 'pods'];

/** ResourceQuota `hard` keys that cap each limit. */
const KEYS: Record<QuotaLimit, RegExp> = {
  cpu: /^(?:requests\.|limits\.)?cpu$/,
  gpu: /^(?:requests\.|limits\.)?(?:nvidia\.com|amd\.com)\/gpu$|^(?:requests\.)?gpu\.intel\.com\/i915$/,
  pods: /^(?:count\/)?pods$/,
};

export interface QuotaSource {
  label: string;
  keys: string[];
}

/** Kubeflow profile namespaces: from Profile objects and from Namespace labels, sorted. */
export function profileNamespaces(inventory: Inventory): string[] {
  const names = new Set(inventory.ofKind('kubeflow.org/Profile').map((profile) => profile.ref.name));
  for (const namespace of inventory.ofKind('Namespace')) if (isProfileNamespace(namespace.ref.name, inventory)) names.add(namespace.ref.name);
  return [...names].sort();
}

/**
 * What caps a namespace: its Profile's `spec.resourceQuotaSpec` (turned into `kf-resource-quota` by the
 * profile controller) and its own ResourceQuotas. Scoped quotas (BestEffort, a PriorityClass) do not cap
 * every pod and are left out.
 */
export function quotaSources(namespace: string, profile: Resource | null, quotasReadable: boolean, inventory: Inventory): QuotaSource[] {
  const sources: QuotaSource[] = [];
  const spec = asObject(dig(profile?.obj, 'spec', 'resourceQuotaSpec'));
  if (spec && !scoped(spec)) sources.push({ label: 'Profile spec.resourceQuotaSpec', keys: Object.keys(asObject(spec['hard']) ?? {}) });
  if (quotasReadable) {
    for (const quota of inventory.inNamespace('ResourceQuota', namespace)) {
      const quotaSpec = asObject(quota.obj['spec']) ?? {};
      if (!scoped(quotaSpec)) sources.push({ label: describeResource(quota), keys: Object.keys(asObject(quotaSpec['hard']) ?? {}) });
    }
  }
  return sources;
}

/** The limits none of the sources caps. */
export function missingLimits(sources: readonly QuotaSource[]): QuotaLimit[] {
  return QUOTA_LIMITS.filter((limit) => !sources.some((source) => source.keys.some((key) => KEYS[limit].test(key))));
}

function scoped(spec: Record<string, unknown>): boolean {
  return asArray(spec['scopes']).length > 0 || asArray(dig(spec, 'scopeSelector', 'matchExpressions')).length > 0;
}
