import type { Check, Draft, RelatedLocation, Severity } from '../src/core/types.js';
import { ingressGatewayServices } from '../src/kube/istio-gateways.js';
import { classifyServiceExposure, type ServiceExposure } from '../src/kube/service-exposure.js';

const check: Check = {
  meta: {
    id: 'ingress-gateway-exposed',
    title: 'Istio ingress gateway reachable from the internet',
    category: 'exposure',
    severity: 'high',
    description:
      'A Service in front of Istio ingress gateway pods (found by selector, not by name) is reachable from outside the cluster: a LoadBalancer that is neither internal nor limited to private source ranges, a NodePort, or external IPs.',
    rationale:
      'In the 2021 campaign the ingress gateway had been switched to a LoadBalancer, which put the Kubeflow dashboard on the internet; the attackers used it to start mining pipelines.',
    remediation:
      'Set the Service to type ClusterIP and reach the dashboard with `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`, or make the load balancer internal / restrict loadBalancerSourceRanges, and put authentication in front.',
    tags: ['MS-TA9005'],
    needs: ['Service', 'Pod', 'apps/Deployment', 'apps/DaemonSet', 'apps/StatefulSet', 'networking.istio.io/Gateway', 'networking.istio.io/VirtualService', 'Node'],
  },
  *run(inventory) {
    for (const entry of ingressGatewayServices(inventory)) {
      const exposure = classifyServiceExposure(entry.service, inventory);
      if (exposure.reach === 'cluster') continue;
      const { namespace, name } = entry.service.ref;
      const serves = entry.kubeflowGateway ? ' and serves the Kubeflow gateway' : '';
      const related: RelatedLocation[] = [
        ...entry.pods.slice(0, 3).map((pod) => ({ resource: pod.resource, path: pod.path, note: 'ingress gateway pods' })),
        ...(entry.kubeflowGateway ? [{ resource: entry.kubeflowGateway, note: 'Istio Gateway carrying the Kubeflow routes' }] : []),
      ];
      const draft: Draft = {
        resource: entry.service,
        path: exposure.path,
        severity: severityFor(exposure, entry.kubeflowGateway !== null),
        message: `Service ${namespace}/${name} ${exposure.detail}${serves}`,
        related,
      };
      yield draft;
    }
  },
};

function severityFor(exposure: Exclude<ServiceExposure, { reach: 'cluster' }>, servesKubeflow: boolean): Severity {
  if (exposure.reach === 'private') return 'info';
  if (exposure.reach === 'limited') return 'medium';
  if (!servesKubeflow) return 'high';
  // A NodePort is only as public as the nodes; without their addresses it stays at high.
  return exposure.confirmed ? 'critical' : 'high';
}

export default check;
