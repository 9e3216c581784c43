import { asArray, asObject, dig } from '../src/core/json.js';
import type { Check, Draft, FieldPath, Inventory, Resource, Undecided } from '../src/core/types.js';
import { describeResource } from '../src/kube/describe.js';
import { isGpuCluster } from '../src/kube/gpu-cluster.js';
import { isProfileNamespace } from '../src/kube/pipelines.js';

type Limit = 'cpu' | 'gpu' | 'pods';

const LIMIT_NAMES: Record<Limit, string> = {
  cpu: 'CPU (requests.cpu or limits.cpu)',
  gpu: 'GPU (requests.nvidia.com/gpu)',
  pods: 'pod count (pods or count/pods)',
};

const KEYS: Record<Limit, RegExp> = {
  cpu: /^(?:requests\.|limits\.)?cpu$/,
  gpu: /^(?:requests\.|limits\.)?(?:nvidia\.com|amd\.com)\/gpu$|^(?:requests\.)?gpu\.intel\.com\/i915$/,
  pods: /^(?:count\/)?pods$/,
};

interface QuotaSource {
  label: string;
  keys: string[];
}

const check: Check = {
  meta: {
    id: 'namespace-quota-missing',
    title: 'Kubeflow profile namespace without CPU, GPU and pod quota',
    category: 'hardening',
    severity: 'low',
    description:
      'A Kubeflow profile namespace has no ResourceQuota capping CPU, GPU and pod count, neither through `Profile.spec.resourceQuotaSpec` (which the profile controller turns into ResourceQuota `kf-resource-quota`) nor through a ResourceQuota of its own. The finding says which of the three limits are missing; a missing GPU limit alone is `info` on clusters without GPUs. Scoped quotas (BestEffort, PriorityClass) do not count.',
    rationale:
      'The 2021 attackers started as many mining pods as the cluster would schedule. A quota on pods, CPU and GPU per profile namespace bounds what one compromised user or pipeline can burn, and turns the burst into quota errors that someone sees.',
    remediation:
      'Set `spec.resourceQuotaSpec.hard` on each Profile (for example `requests.cpu: "16"`, `requests.nvidia.com/gpu: "1"`, `count/pods: "50"`), or add a ResourceQuota with those keys to each profile namespace.',
    tags: ['MS-TA9039', 'MS-M9029'],
    needs: ['Namespace', 'kubeflow.org/Profile', 'ResourceQuota', 'Node'],
  },
  *run(inventory) {
    const quotasReadable = inventory.readability('ResourceQuota').state !== 'forbidden';
    // Offline, a Namespace without its Profile in a folder that holds no ResourceQuota at all says
    // nothing about the quotas applied next to it.
    const quotasInInput = inventory.wholeCluster || inventory.ofKind('ResourceQuota').length > 0;
    const unjudged: string[] = [];
    for (const namespace of profileNamespaces(inventory)) {
      const profile = inventory.get('kubeflow.org/Profile', null, namespace) ?? null;
      if (!profile && (!quotasReadable || !quotasInInput)) {
        unjudged.push(namespace);
        continue;
      }
      const sources = quotaSources(namespace, profile, quotasReadable, inventory);
      const missing = (Object.keys(KEYS) as Limit[]).filter((limit) => !sources.some((source) => source.keys.some((key) => KEYS[limit].test(key))));
      if (missing.length === 0) continue;
      yield draft(namespace, profile, sources, missing, inventory);
    }
    if (unjudged.length > 0) {
      const why = quotasReadable ? 'no ResourceQuota is in the input' : 'ResourceQuotas could not be read';
      const result: Undecided = { undecided: true, reason: `${why}, so the quotas of profile namespaces without their Profile are unknown: ${unjudged.join(', ')}` };
      yield result;
    }
  },
};

function profileNamespaces(inventory: Inventory): string[] {
  const names = new Set(inventory.ofKind('kubeflow.org/Profile').map((profile) => profile.ref.name));
  for (const namespace of inventory.ofKind('Namespace')) if (isProfileNamespace(namespace.ref.name, inventory)) names.add(namespace.ref.name);
  return [...names].sort();
}

function quotaSources(namespace: string, profile: Resource | null, quotasReadable: boolean, inventory: Inventory): QuotaSource[] {
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

// A quota limited to some scopes (BestEffort, a PriorityClass) does not cap every pod.
function scoped(spec: Record<string, unknown>): boolean {
  return asArray(spec['scopes']).length > 0 || asArray(dig(spec, 'scopeSelector', 'matchExpressions')).length > 0;
}

function draft(namespace: string, profile: Resource | null, sources: QuotaSource[], missing: Limit[], inventory: Inventory): Draft {
  const resource = profile ?? inventory.get('Namespace', null, namespace) ?? null;
  const hasQuotaSpec = profile !== null && asObject(dig(profile.obj, 'spec', 'resourceQuotaSpec')) !== null;
  const path: FieldPath = profile ? (hasQuotaSpec ? ['spec', 'resourceQuotaSpec'] : ['spec']) : ['metadata', 'name'];
  const onlyGpu = missing.length === 1 && missing[0] === 'gpu';
  const severity = onlyGpu && !isGpuCluster(inventory) ? 'info' : 'low';
  const withKeys = sources.filter((source) => source.keys.length > 0);
  if (withKeys.length === 0) {
    const why = profile ? 'no ResourceQuota and its Profile sets no spec.resourceQuotaSpec' : 'no ResourceQuota';
    return { resource, path, severity, message: `Kubeflow profile namespace ${namespace} has ${why}: nothing caps its CPU, GPU or pod count` };
  }
  const existing = withKeys.map((source) => `${source.label} sets ${source.keys.sort().join(', ')}`).join('; ');
  return {
    resource,
    path,
    severity,
    message: `Kubeflow profile namespace ${namespace} has no quota on ${joinWords(missing.map((limit) => LIMIT_NAMES[limit]))} (${existing})`,
  };
}

function joinWords(words: string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

export default check;
