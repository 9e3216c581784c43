import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Draft, RelatedLocation, Resource } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated } from '../../src/kube/entry-graph.js';
import { EXPOSURE_NEEDS } from '../../src/kube/exposure-needs.js';
import { classifyApiGateway, ingressApiGateways, isIstioApiGateway } from '../../src/kube/gateway-api.js';
import { ingressGatewayServices } from '../../src/kube/istio-gateways.js';
import { kubeflowIngresses } from '../../src/kube/kubeflow-ingress.js';
import { exposureSeverity, fromServiceExposure } from '../../src/kube/reachability.js';
import { classifyServiceExposure } from '../../src/kube/service-exposure.js';


// Entry points that forward to a Service rather than being one.
const FORWARDING_KINDS = new Set(['Ingress', 'Gateway', 'Route']);

const check = defineBuiltinCheck({
  meta: {
    id: 'ingress-gateway-exposed',
    title: 'Istio ingress gateway reachable from the internet',
    category: 'exposure',
    severity: 'high',
    description:
      'A Service in front of Istio ingress gateway pods (found by selector, not by name) is reachable from outside the cluster: a LoadBalancer that is neither internal nor limited to private source ranges, a NodePort, or external IPs; or an Ingress, Gateway API route or OpenShift Route sends outside traffic to it; or a Gateway API Gateway implemented by Istio gets a public Service.',
    rationale:
      'In the 2021 campaign the ingress gateway had been switched to a LoadBalancer, which put the Kubeflow dashboard on the internet; the attackers used it to start mining pipelines.',
    remediation:
      'Set the Service to type ClusterIP and reach the dashboard with `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`, or make the load balancer internal / restrict loadBalancerSourceRanges, and put authentication in front.',
    tags: ['MS-TA9005'],
    needs: EXPOSURE_NEEDS,
  },
  *run(inventory) {
    const gatewayServices = ingressGatewayServices(inventory);
    const byService = new Map(gatewayServices.map((entry) => [entry.service, entry]));

    for (const entry of gatewayServices) {
      const exposure = fromServiceExposure(classifyServiceExposure(entry.service, inventory));
      if (!exposure) continue;
      const related: RelatedLocation[] = [
        ...entry.pods.slice(0, 3).map((pod) => ({ resource: pod.resource, path: pod.path, note: 'ingress gateway pods' })),
        ...(entry.kubeflowGateway ? [{ resource: entry.kubeflowGateway, note: 'Istio Gateway carrying the Kubeflow routes' }] : []),
      ];
      const draft: Draft = {
        resource: entry.service,
        path: exposure.path,
        severity: exposureSeverity(exposure, entry.kubeflowGateway !== null),
        message: `${describe(entry.service)} ${exposure.detail}${entry.kubeflowGateway ? ' and serves the Kubeflow gateway' : ''}`,
        related,
      };
      yield draft;
    }

    const reported = new Set<string>();
    for (const reach of externalReaches(inventory)) {
      const entryResource = reach.entry.resource;
      if (!FORWARDING_KINDS.has(entryResource.ref.kind)) continue;
      const gateway = reach.target.service ? byService.get(reach.target.service) : undefined;
      if (!gateway) continue;
      const key = `${entryResource.ref.kind}/${entryResource.ref.namespace}/${entryResource.ref.name}->${gateway.service.ref.namespace}/${gateway.service.ref.name}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const exposure = reach.entry.exposure;
      const auth = reach.entryAuth ? `; the entry requires ${reach.entryAuth.mechanism}` : '';
      yield {
        resource: entryResource,
        path: reach.entryPath,
        severity: exposureSeverity(exposure, gateway.kubeflowGateway !== null && reach.entryAuth === null),
        message:
          `${describe(entryResource)} ${exposure.detail} and sends traffic to the ingress gateway ${describe(gateway.service)}` +
          `${gateway.kubeflowGateway ? ', which serves the Kubeflow gateway' : ''}${auth}`,
        related: hopsAsRelated(reach),
        key,
      };
    }

    const kubeflowApiGateways = new Set<Resource>(kubeflowIngresses(inventory).map((k) => k.gateway));
    for (const gateway of ingressApiGateways(inventory)) {
      if (!isIstioApiGateway(inventory, gateway)) continue;
      const exposure = classifyApiGateway(inventory, gateway);
      if (!exposure) continue;
      const servesKubeflow = kubeflowApiGateways.has(gateway);
      yield {
        resource: gateway,
        path: exposure.path,
        severity: exposureSeverity(exposure, servesKubeflow),
        message: `${describe(gateway)} (Gateway API, implemented by Istio) ${exposure.detail}${servesKubeflow ? ' and routes to Kubeflow' : ''}`,
      };
    }
  },
  attackPath: ['entry', 'gateway'],
  probe: 'exposure',
  remediation: [serviceExposureKit],
});

export default check;
