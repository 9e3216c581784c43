import { asArray, asObject, asString, dig } from '../core/json.js';
import type { Finding, KubeObject, Resource } from '../core/types.js';
import { serviceType } from '../kube/services.js';
import { patchHead, refText, resourceOf, slug } from './common.js';
import { emptyOutput, type GeneratorOutput, type KitContext, type KitContribution } from './types.js';

const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

// Fields the API server accepts only on LoadBalancer or NodePort Services (or that keep a Service
// reachable from outside whatever its type, like externalIPs). A strategic-merge `null` removes them;
// on a field that is not there it does nothing, so the patch also works on the live object, which
// carries defaults the manifests leave out.
const EXTERNAL_FIELDS = [
  'externalIPs',
  'loadBalancerSourceRanges',
  'loadBalancerClass',
  'loadBalancerIP',
  'externalTrafficPolicy',
  'healthCheckNodePort',
  'allocateLoadBalancerNodePorts',
];

/** Shared by the checks that report entry points: one patch per Service, whichever of them reported it. */
export const serviceExposureKit: KitContribution = { area: 'exposure', order: 0, generate: (context) => exposureFixes(context) };

/**
 * A patch per exposed Service (ingress gateway, Kubeflow dashboard or another UI made LoadBalancer,
 * NodePort or given external IPs) that makes it ClusterIP. Entry points that are not Services (Ingress,
 * Route, Gateway API) are left to the reader: removing them is a decision about who may reach what.
 */
function exposureFixes({ inventory, own }: KitContext): GeneratorOutput {
  const out = emptyOutput();
  const byService = new Map<Resource, Finding[]>();
  const elsewhere: Finding[] = [];
  for (const finding of own) {
    const resource = resourceOf(inventory, finding.resource);
    if (resource && resource.ref.kind === 'Service' && resource.group === '') {
      byService.set(resource, [...(byService.get(resource) ?? []), finding]);
    } else elsewhere.push(finding);
  }
  for (const [service, addressed] of byService) {
    const type = serviceType(service);
    const port = firstPort(service);
    const forward = `kubectl port-forward svc/${service.ref.name} -n ${service.ref.namespace ?? 'default'} 8080:${port ?? '<port>'}`;
    out.fixes.push({
      id: `clusterip-${slug(service.ref.namespace, service.ref.name)}`,
      area: 'exposure',
      title: `Make ${refText(service.ref)} ClusterIP (it is ${type}${hasExternalIPs(service) ? ' with externalIPs' : ''})`,
      explanation: [
        `Switches ${refText(service.ref)} to type ClusterIP and removes what only an externally reachable Service may carry (node ports, externalIPs, load-balancer source ranges and class, externalTrafficPolicy): the cloud load balancer or node ports go away, and so does anything that relied on them (DNS records pointing at the load balancer).`,
        `Reach it from your workstation with \`${forward}\` and open http://localhost:8080/ (for Kubeflow, the dashboard login).`,
        'If it must stay reachable from outside, do not apply this patch: put it behind an internal load balancer or source ranges limited to your networks, and put authentication in front (oauth2-proxy or Dex with an identity provider that enforces MFA, or your cloud\'s identity-aware proxy), then rescan.',
      ],
      manifests: [{ path: `patches/service-${slug(service.ref.namespace, service.ref.name)}-clusterip.yaml`, role: 'patch', objects: [clusterIpPatch(service)], target: service.ref }],
      candidates: addressed,
      addresses: [],
    });
  }
  if (elsewhere.length > 0) {
    out.manual.push({
      title: 'Entry points that are not Services',
      findings: elsewhere,
      text: [
        'These findings are about an Ingress, OpenShift Route, Gateway API Gateway or route, or a controller that publishes a UI by itself. kfscan does not delete or rewrite them: decide whether the entry point should exist; if it should, restrict it to internal networks (an internal load balancer class or annotation, source ranges) and require authentication on it (ALB with Cognito or OIDC, IAP, ingress-nginx auth-url with oauth2-proxy). Otherwise delete it and use `kubectl port-forward`.',
      ],
    });
  }
  return out;
}

function clusterIpPatch(service: Resource): KubeObject {
  const head = patchHead(service);
  const spec: Record<string, unknown> = { type: 'ClusterIP' };
  for (const field of EXTERNAL_FIELDS) spec[field] = null;
  const ports = asArray(dig(service.obj, 'spec', 'ports'))
    .map(asObject)
    .filter((port): port is Record<string, unknown> => port !== null && port['nodePort'] !== undefined && port['port'] !== undefined);
  if (ports.length > 0) {
    spec['ports'] = ports.map((port) => ({ port: port['port'], ...(port['protocol'] !== undefined ? { protocol: port['protocol'] } : {}), nodePort: null }));
  }
  // A null annotation deletes it: patches are not objects the API server would accept as they are.
  const metadata = SOURCE_RANGES_ANNOTATION in service.annotations ? { ...head.metadata, annotations: { [SOURCE_RANGES_ANNOTATION]: null } as unknown as Record<string, string> } : head.metadata;
  return { ...head, metadata, spec };
}

/** The port people browse: one named http/http2/https or numbered 80/443, else the first. */
function firstPort(service: Resource): string | null {
  const ports = asArray(dig(service.obj, 'spec', 'ports')).map(asObject).filter((p): p is Record<string, unknown> => p !== null);
  const port = ports.find((p) => /^https?2?$/.test(asString(p['name']) ?? '') || p['port'] === 80) ?? ports.find((p) => p['port'] === 443) ?? ports[0];
  const value = port?.['port'];
  return typeof value === 'number' || typeof value === 'string' ? String(value) : null;
}

function hasExternalIPs(service: Resource): boolean {
  return asArray(dig(service.obj, 'spec', 'externalIPs')).some((ip) => asString(ip) !== null);
}
