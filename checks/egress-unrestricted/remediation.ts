import type { Finding } from '../../src/core/types.js';
import { mlNamespaces } from '../../src/kube/ml-namespaces.js';
import { MANAGED_BY, namespaceOf, slug } from '../../src/remediate/common.js';
import { emptyOutput, type GeneratorOutput, type KitContext, type KitContribution } from '../../src/remediate/types.js';

export const remediation: readonly KitContribution[] = [{ area: 'egress', order: 0, generate: (context) => egressFixes(context) }];


/**
 * Per ML namespace without egress control: a default-deny egress NetworkPolicy that allows DNS, and a
 * second one that allows traffic to pods inside the cluster, so that pipelines keep reaching the
 * Kubeflow services (and Istio sidecars istiod) while nothing reaches the internet.
 */
function egressFixes({ inventory, own }: KitContext): GeneratorOutput {
  const out = emptyOutput();
  const known = new Set(mlNamespaces(inventory).map((ns) => ns.name));
  const byNamespace = new Map<string, Finding[]>();
  for (const finding of own) {
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
