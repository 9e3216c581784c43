import type { Finding, Inventory } from '../core/types.js';
import { isGpuCluster } from '../kube/gpu-cluster.js';
import { mlNamespaces } from '../kube/ml-namespaces.js';
import { missingLimits, quotaSources, QUOTA_LIMITS, type QuotaLimit } from '../kube/quotas.js';
import { findingsOf, MANAGED_BY, slug } from './common.js';
import { emptyOutput, type FixContext, type GeneratorOutput, type RemediationOptions } from './types.js';

/** The namespace an egress or quota finding is about: the Namespace or Profile itself, or a workload's namespace. */
function namespaceOf(finding: Finding): string | null {
  const resource = finding.resource;
  if (!resource) return null;
  if (resource.kind === 'Namespace' || resource.kind === 'Profile') return resource.name;
  return resource.namespace;
}

/**
 * Per ML namespace without egress control: a default-deny egress NetworkPolicy that allows DNS, and a
 * second one that allows traffic to pods inside the cluster, so that pipelines keep reaching the
 * Kubeflow services (and Istio sidecars istiod) while nothing reaches the internet.
 */
export function egressFixes({ inventory, findings }: FixContext): GeneratorOutput {
  const out = emptyOutput();
  const known = new Set(mlNamespaces(inventory).map((ns) => ns.name));
  const byNamespace = new Map<string, Finding[]>();
  for (const finding of findingsOf(findings, 'egress-unrestricted')) {
    const namespace = namespaceOf(finding);
    if (namespace && known.has(namespace)) byNamespace.set(namespace, [...(byNamespace.get(namespace) ?? []), finding]);
  }
  for (const [namespace, addressed] of byNamespace) {
    const name = slug(namespace);
    out.fixes.push({
      id: `egress-${name}`,
      area: 'egress',
      title: `Deny egress from namespace ${namespace} except DNS and in-cluster traffic`,
      explanation: [
        `Adds two NetworkPolicies to ${namespace}. kfscan-default-deny-egress selects every pod and allows only DNS (port 53, UDP and TCP, to any address, so that kube-dns, NodeLocal DNSCache and cloud DNS keep working). kfscan-allow-egress-in-cluster allows connections to pods in any namespace, which Kubeflow needs (pipeline pods reach ml-pipeline, MinIO and the metadata service; sidecars reach istiod). Everything else, mining pools and download sites included, is refused.`,
        'NetworkPolicies only take effect with a network plugin that enforces them (Calico, Cilium, Antrea, cloud CNIs with policy enabled). Pods that must reach the Kubernetes API server (Argo\'s executor, KFP v2 drivers, controllers in the kubeflow namespace) need one more rule for its addresses, which are not pods: `kubectl get endpoints kubernetes -n default` shows them; add them as an `ipBlock` egress rule on port 443 (or 6443) to kfscan-allow-egress-in-cluster. External endpoints pipelines need (object storage, package mirrors) get `ipBlock` rules the same way, or go through an egress proxy.',
        'Apply it to one namespace first and run a pipeline end to end before rolling it out.',
      ],
      manifests: [
        {
          path: `resources/networkpolicy-${name}-egress.yaml`,
          role: 'resource',
          objects: [
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              metadata: { name: 'kfscan-default-deny-egress', namespace, labels: { ...MANAGED_BY } },
              spec: {
                podSelector: {},
                policyTypes: ['Egress'],
                egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
              },
            },
            {
              apiVersion: 'networking.k8s.io/v1',
              kind: 'NetworkPolicy',
              metadata: { name: 'kfscan-allow-egress-in-cluster', namespace, labels: { ...MANAGED_BY } },
              spec: {
                podSelector: {},
                policyTypes: ['Egress'],
                egress: [{ to: [{ namespaceSelector: {} }] }],
              },
            },
          ],
        },
      ],
      candidates: addressed,
      addresses: [],
    });
  }
  return out;
}

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
export function quotaFixes({ inventory, findings, options }: FixContext): GeneratorOutput {
  const out = emptyOutput();
  const byNamespace = new Map<string, Finding[]>();
  for (const finding of findingsOf(findings, 'namespace-quota-missing')) {
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
