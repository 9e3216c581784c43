import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { remediation } from './remediation.js';
import { asObject, dig } from '../../src/core/json.js';
import type { Draft, FieldPath, Inventory, Resource, Undecided } from '../../src/core/types.js';
import { isGpuCluster } from '../../src/kube/gpu-cluster.js';
import { missingLimits, profileNamespaces, quotaSources, type QuotaLimit, type QuotaSource } from '../../src/kube/quotas.js';
import { unionOfKinds } from '../../src/core/kinds.js';
import { POD_TEMPLATE_KINDS } from '../../src/inventory/pod-template-kinds.js';

const LIMIT_NAMES: Record<QuotaLimit, string> = {
  cpu: 'CPU (requests.cpu or limits.cpu)',
  gpu: 'GPU (requests.nvidia.com/gpu)',
  pods: 'pod count (pods or count/pods)',
};

const check = defineBuiltinCheck({
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
    needs: unionOfKinds(['Namespace', 'kubeflow.org/Profile', 'ResourceQuota', 'Node'], POD_TEMPLATE_KINDS),
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
      const missing = missingLimits(sources);
      if (missing.length === 0) continue;
      yield draft(namespace, profile, sources, missing, inventory);
    }
    if (unjudged.length > 0) {
      const why = quotasReadable ? 'no ResourceQuota is in the input' : 'ResourceQuotas could not be read';
      const result: Undecided = { undecided: true, reason: `${why}, so the quotas of profile namespaces without their Profile are unknown: ${unjudged.join(', ')}` };
      yield result;
    }
  },
  attackPath: ['workloads'],
  remediation,
});

function draft(namespace: string, profile: Resource | null, sources: QuotaSource[], missing: QuotaLimit[], inventory: Inventory): Draft {
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
