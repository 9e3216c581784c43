import { describeResource as describe } from '../../src/core/object-ref.js';
import { defineBuiltinCheck } from '../../src/catalogue/check-unit.js';
import { serviceExposureKit } from '../../src/remediate/exposure.js';
import type { Draft, RelatedLocation, Resource } from '../../src/core/types.js';
import { externalReaches, hopsAsRelated } from '../../src/kube/entry-graph.js';
import { classifyApiGateway, ingressApiGateways, isIstioApiGateway } from '../../src/kube/gateway-api.js';
import { ingressGatewayServices, istioGatewaysFor, kubeflowServingGateways, unheldGatewayWorkload, type GatewayWorkload } from '../../src/kube/istio-gateways.js';
import { iapOnService } from '../../src/kube/ingress.js';
import { kubeflowIngresses } from '../../src/kube/kubeflow-ingress.js';
import { entryPathAuth, gatewayPathAuth, onlyDefaultCredentials, PATH_AUTH_NEEDS, pathAuthText, type PathAuth } from '../../src/kube/path-auth.js';
import { exposureSeverity, fromServiceExposure } from '../../src/kube/reachability.js';
import { AUTH_SECRETS } from '../../src/kube/secrets.js';
import { authSecretReferences } from '../../src/kube/secret-references.js';
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
      'A Service in front of Istio ingress gateway pods (found by selector, not by name) is reachable from outside the cluster: a LoadBalancer that is neither internal nor limited to private source ranges, a NodePort, or external IPs; or an Ingress, Gateway API route or OpenShift Route sends outside traffic to it, also by the gateway Service\'s name when that Service is created outside the input (a managed mesh); or a Gateway API Gateway implemented by Istio gets a public Service. Critical when the gateway serves Kubeflow and nothing on the path authenticates, or only with published default credentials; authentication on the path (a cloud load balancer login, IAP, ingress auth, or ext_authz or oauth2-proxy at the gateway) keeps it high, and the message names it.',
    rationale:
      'In the 2021 campaign the ingress gateway had been switched to a LoadBalancer, which put the Kubeflow dashboard on the internet; the attackers used it to start mining pipelines.',
    remediation:
      'Set the Service to type ClusterIP and reach the dashboard with `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80`, or make the load balancer internal / restrict loadBalancerSourceRanges, and put authentication in front.',
    tags: ['MS-TA9005'],
    needs: PATH_AUTH_NEEDS,
    namedSecrets: [...AUTH_SECRETS],
  },
  secretsToRead: authSecretReferences,
  *run(inventory) {
    const gatewayServices = ingressGatewayServices(inventory);
    const byService = new Map(gatewayServices.map((entry) => [entry.service, entry]));
    const kubeflowGateways = new Set(kubeflowServingGateways(inventory));

    for (const entry of gatewayServices) {
      const exposure = fromServiceExposure(classifyServiceExposure(entry.service, inventory));
      if (!exposure) continue;
      const related: RelatedLocation[] = [
        ...entry.pods.slice(0, 3).map((pod) => ({ resource: pod.resource, path: pod.path, note: 'ingress gateway pods' })),
        ...(entry.kubeflowGateway ? [{ resource: entry.kubeflowGateway, note: 'Istio Gateway carrying the Kubeflow routes' }] : []),
      ];
      const iap = iapOnService(inventory, entry.service);
      const auth = iap ? entryPathAuth(iap) : entry.kubeflowGateway ? gatewayPathAuth(inventory, entry.workload) : null;
      const draft: Draft = {
        resource: entry.service,
        path: exposure.path,
        severity: exposureSeverity(exposure, entry.kubeflowGateway !== null && onlyDefaultCredentials(auth)),
        message: `${describe(entry.service)} ${exposure.detail}${entry.kubeflowGateway ? ' and serves the Kubeflow gateway' : ''}${authText(auth)}`,
        related: [...related, ...authRelated(auth)],
      };
      yield draft;
    }

    const reported = new Set<string>();
    for (const reach of externalReaches(inventory)) {
      const entryResource = reach.entry.resource;
      if (!FORWARDING_KINDS.has(entryResource.ref.kind)) continue;
      const target = gatewayTarget(reach.target, byService, inventory);
      if (!target) continue;
      const key = `${entryResource.ref.kind}/${entryResource.ref.namespace}/${entryResource.ref.name}->${target.name}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const exposure = reach.entry.exposure;
      const servesKubeflow = istioGatewaysFor(inventory, target.workload).some((gateway) => kubeflowGateways.has(gateway));
      const auth: PathAuth | null = reach.entryAuth
        ? entryPathAuth(reach.entryAuth)
        : servesKubeflow
          ? gatewayPathAuth(inventory, target.workload)
          : null;
      yield {
        resource: entryResource,
        path: reach.entryPath,
        severity: exposureSeverity(exposure, servesKubeflow && onlyDefaultCredentials(auth)),
        message:
          `${describe(entryResource)} ${exposure.detail} and sends traffic to the ingress gateway ${target.name}${target.unheld}` +
          `${servesKubeflow ? ', which serves the Kubeflow gateway' : ''}${authText(auth)}`,
        related: [...hopsAsRelated(reach), ...authRelated(auth)],
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

/** The ingress gateway a forwarding entry ends at: a gateway Service in the input, or one a managed mesh creates. */
function gatewayTarget(
  target: { service: Resource | null; namespace: string | null; name: string },
  byService: ReadonlyMap<Resource, { service: Resource; workload: GatewayWorkload }>,
  inventory: Parameters<typeof unheldGatewayWorkload>[0],
): { name: string; workload: GatewayWorkload; unheld: string } | null {
  const held = target.service ? byService.get(target.service) : undefined;
  if (held) return { name: describe(held.service), workload: held.workload, unheld: '' };
  if (target.service) return null;
  const workload = unheldGatewayWorkload(inventory, { name: target.name, namespace: target.namespace });
  if (!workload) return null;
  return {
    name: `Service ${target.namespace}/${target.name}`,
    workload,
    unheld: ' (not in the input: the mesh installation creates it, as managed meshes such as Anthos Service Mesh do)',
  };
}

function authText(auth: PathAuth | null): string {
  return auth ? `; ${pathAuthText(auth)}` : '';
}

function authRelated(auth: PathAuth | null): RelatedLocation[] {
  if (!auth) return [];
  return [
    { resource: auth.resource, path: auth.path, note: `authentication: ${auth.mechanism}` },
    ...(auth.defaultLogin ? [{ resource: auth.defaultLogin.resource, path: auth.defaultLogin.path, note: 'published default login' }] : []),
  ];
}

export default check;
