import type { Finding, Inventory } from '../../src/core/types.js';
import { isGpuCluster } from '../../src/kube/gpu-cluster.js';
import { missingLimits, quotaSources, QUOTA_LIMITS, type QuotaLimit } from '../../src/kube/quotas.js';
import { MANAGED_BY, namespaceOf, slug } from '../../src/remediate/common.js';
import { emptyOutput, type GeneratorOutput, type KitContext, type KitContribution, type RemediationOptions } from '../../src/remediate/types.js';

export const remediation: readonly KitContribution[] = [{ area: 'quota', order: 0, generate: (context) => quotaFixes(context) }];

const QUOTA_KEYS: Record<QuotaLimit, (options: RemediationOptions) => [string, string]> = {
  cpu: (o) => ['requests.cpu', o.quota.cpu],
  gpu: (o) => ['requests.nvidia.com/gpu', o.quota.gpu],
  pods: (o) => ['count/pods', o.quota.pods],
};

/**
 * Per Kubeflow profile namespace without quota: a ResourceQuota with the limits it lacks, and a
 * LimitRange that gives containers without a CPU request a small one (a quota on requests.cpu makes the
 * API server refuse pods that do not state a request, which most pipeline steps do not).
 */
function quotaFixes({ inventory, own, options }: KitContext): GeneratorOutput {
  const out = emptyOutput();
  const byNamespace = new Map<string, Finding[]>();
  for (const finding of own) {
    const namespace = namespaceOf(finding);
    if (namespace) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), finding]);
  }
  for (const [namespace, addressed] of byNamespace) {
    const limits = limitsToAdd(namespace, inventory);
    const hard = Object.fromEntries(limits.map((limit) => QUOTA_KEYS[limit](options)));
    const name = slug(namespace);
    const objects = [
      {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'kfscan-quota', namespace, labels: { ...MANAGED_BY } },
        spec: { hard },
      },
      ...(limits.includes('cpu')
        ? [
            {
              apiVersion: 'v1',
              kind: 'LimitRange',
              metadata: { name: 'kfscan-default-cpu-request', namespace, labels: { ...MANAGED_BY } },
              spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m' } }] },
            },
          ]
        : []),
    ];
    out.fixes.push({
      id: `quota-${name}`,
      area: 'quota',
      title: `Quota on ${limits.map((l) => ({ cpu: 'CPU', gpu: 'GPU', pods: 'pod count' })[l]).join(', ')} for profile namespace ${namespace}`,
      explanation: [
        `Adds ResourceQuota ${namespace}/kfscan-quota with ${Object.entries(hard).map(([k, v]) => `${k}: ${v}`).join(', ')} (from --quota-cpu, --quota-gpu and --quota-pods${isGpuCluster(inventory) ? '' : '; the cluster shows no GPUs, the GPU limit is there for when it gets some'}). Quotas the namespace already has stay; the strictest applies.`,
        ...(limits.includes('cpu')
          ? ['With a quota on requests.cpu the API server refuses pods that do not request CPU, so the file also adds LimitRange kfscan-default-cpu-request, which gives such containers a request of 100m (no limit). Leave it out if the namespace has a LimitRange with defaults already.']
          : []),
        'Size the values to what the team really runs (`kubectl describe resourcequota -n ' + namespace + '` shows the use). For Profiles, Kubeflow\'s own way is `spec.resourceQuotaSpec` on the Profile, which the profile controller turns into kf-resource-quota.',
      ],
      manifests: [{ path: `resources/resourcequota-${name}.yaml`, role: 'resource', objects }],
      candidates: addressed,
      addresses: [],
    });
  }
  return out;
}

function limitsToAdd(namespace: string, inventory: Inventory): QuotaLimit[] {
  const profile = inventory.get('kubeflow.org/Profile', null, namespace) ?? null;
  const readable = inventory.readability('ResourceQuota').state !== 'forbidden';
  const missing = missingLimits(quotaSources(namespace, profile, readable, inventory));
  return missing.length > 0 ? missing : [...QUOTA_LIMITS];
}
