import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';
import type { GatewayWorkload } from './istio-gateways.js';
import { matchesLabelSelector } from '../inventory/selectors.js';
import { stringMap } from '../inventory/resource.js';
import { isPrivateAddress } from './cidr.js';
import { isPlaceholder } from './hosts.js';
import { fromServiceExposure, type Reachability } from './reachability.js';
import { classifyServiceExposure, classifyServiceShape, type ServiceShape } from './service-exposure.js';

const GROUP = 'gateway.networking.k8s.io';
export const API_GATEWAY = `${GROUP}/Gateway`;
const ROUTE_KINDS = ['HTTPRoute', 'GRPCRoute', 'TLSRoute', 'TCPRoute', 'UDPRoute'];
const ISTIO_CONTROLLER = 'istio.io/gateway-controller';
// Istio's in-mesh and multi-cluster classes: waypoints and east-west gateways are not ingress points.
const IN_MESH_CLASSES = new Set(['istio-waypoint', 'istio-remote', 'istio-east-west']);
const INTERNAL_CLASSES = new Set([
  'gke-l7-rilb',
  'gke-l7-regional-internal-managed',
  'gke-l7-regional-internal-managed-mc',
  'gke-l7-cross-regional-internal-managed-mc',
  'amazon-vpc-lattice',
]);

export interface RouteBackend {
  serviceName: string;
  namespace: string;
  path: FieldPath;
}

export function gatewayClassName(gateway: Resource): string | null {
  return asString(dig(gateway.obj, 'spec', 'gatewayClassName'));
}

/** The Gateway is implemented by Istio: its pods are Istio proxies, so Istio policies apply to them. */
export function isIstioApiGateway(inventory: Inventory, gateway: Resource): boolean {
  const className = gatewayClassName(gateway);
  if (className === 'istio') return true;
  const cls = inventory.ofKind(`${GROUP}/GatewayClass`).find((c) => c.ref.name === className);
  return asString(dig(cls?.obj, 'spec', 'controllerName')) === ISTIO_CONTROLLER;
}

/** Gateways that take traffic from outside: every Gateway except Istio's waypoint and east-west classes. */
export function ingressApiGateways(inventory: Inventory): Resource[] {
  return inventory.ofKind(API_GATEWAY).filter((gateway) => !IN_MESH_CLASSES.has(gatewayClassName(gateway) ?? ''));
}

/** Labels Istio puts on the pods it deploys for a Gateway API Gateway. */
export function apiGatewayPodLabels(gateway: Resource): Record<string, string> {
  return { 'gateway.networking.k8s.io/gateway-name': gateway.ref.name, 'istio.io/gateway-name': gateway.ref.name };
}

/** The Service Istio generates for a Gateway API Gateway (`<name>-istio`), when it is among the inputs. */
export function generatedService(inventory: Inventory, gateway: Resource): Resource | null {
  const namespace = gateway.ref.namespace ?? 'default';
  return (
    inventory.get('Service', namespace, `${gateway.ref.name}-istio`) ??
    inventory.inNamespace('Service', namespace).find((s) => s.labels['gateway.networking.k8s.io/gateway-name'] === gateway.ref.name) ??
    null
  );
}

/**
 * How far a Gateway API Gateway reaches: through its generated Service when the input holds it (live),
 * else through the Service its controller will create. Istio, Envoy Gateway and Cilium create a
 * LoadBalancer unless told otherwise (`networking.istio.io/service-type`), with the Gateway's annotations
 * and `spec.infrastructure.annotations` (internal load balancer annotations work there too); GKE and AWS
 * VPC Lattice classes say in their name whether they are internal.
 */
export function classifyApiGateway(inventory: Inventory, gateway: Resource): Reachability | null {
  const generated = generatedService(inventory, gateway);
  if (generated) return fromServiceExposure(classifyServiceExposure(generated, inventory));

  const className = gatewayClassName(gateway) ?? '';
  if (INTERNAL_CLASSES.has(className)) {
    return { reach: 'private', confirmed: true, detail: `is a Gateway of internal class ${className}`, path: ['spec', 'gatewayClassName'] };
  }
  const addresses = asArray(dig(gateway.obj, 'spec', 'addresses')).flatMap((a) => {
    const value = asString(asObject(a)?.['value']);
    return value && (asObject(a)?.['type'] ?? 'IPAddress') === 'IPAddress' ? [value] : [];
  });
  if (addresses.length > 0 && addresses.every(isPrivateAddress)) {
    return { reach: 'private', confirmed: true, detail: `is a Gateway with only private addresses (${addresses.join(', ')})`, path: ['spec', 'addresses'] };
  }
  const infrastructure = stringMap(dig(gateway.obj, 'spec', 'infrastructure', 'annotations'));
  const annotations = { ...gateway.annotations, ...infrastructure };
  const typeKey = 'networking.istio.io/service-type';
  const type = annotations[typeKey] ?? 'LoadBalancer';
  const annotationPath = (key: string): FieldPath =>
    key in infrastructure ? ['spec', 'infrastructure', 'annotations', key] : ['metadata', 'annotations', key];
  const shape: ServiceShape = {
    type: isPlaceholder(type) ? 'LoadBalancer' : type,
    spec: {},
    annotations,
    status: undefined,
    typePath: typeKey in annotations ? annotationPath(typeKey) : ['spec', 'gatewayClassName'],
    specPath: () => ['spec'],
    annotationPath,
  };
  const exposure = fromServiceExposure(classifyServiceShape(shape, inventory));
  if (!exposure) return null;
  return { ...exposure, detail: `gets a Service from its controller (class ${className || 'unset'}) that ${exposure.detail}` };
}

/**
 * Routes attached to a Gateway: their `parentRefs` name it (namespace defaulting to the route's, kind
 * to Gateway), and a listener admits the route's namespace (`allowedRoutes.namespaces.from`: `Same` by
 * default, `All`, or `Selector` on the Namespace's labels; an unknown Namespace is given the benefit).
 */
export function attachedRoutes(inventory: Inventory, gateway: Resource): Array<{ route: Resource; parentPath: FieldPath }> {
  const gatewayNs = gateway.ref.namespace ?? 'default';
  const out: Array<{ route: Resource; parentPath: FieldPath }> = [];
  for (const kind of ROUTE_KINDS) {
    for (const route of inventory.ofKind(`${GROUP}/${kind}`)) {
      const routeNs = route.ref.namespace ?? 'default';
      asArray(dig(route.obj, 'spec', 'parentRefs')).forEach((entry, index) => {
        const ref = asObject(entry);
        if (!ref || asString(ref['name']) !== gateway.ref.name) return;
        if ((asString(ref['kind']) ?? 'Gateway') !== 'Gateway' || (asString(ref['group']) ?? GROUP) !== GROUP) return;
        if ((asString(ref['namespace']) ?? routeNs) !== gatewayNs) return;
        if (!listenerAdmits(inventory, gateway, asString(ref['sectionName']), routeNs)) return;
        if (!out.some((o) => o.route === route)) out.push({ route, parentPath: ['spec', 'parentRefs', index] });
      });
    }
  }
  return out;
}

function listenerAdmits(inventory: Inventory, gateway: Resource, sectionName: string | null, routeNs: string): boolean {
  const listeners = asArray(dig(gateway.obj, 'spec', 'listeners'))
    .map(asObject)
    .filter((l): l is Record<string, unknown> => l !== null && (sectionName === null || l['name'] === sectionName));
  return listeners.some((listener) => {
    const namespaces = asObject(dig(listener, 'allowedRoutes', 'namespaces'));
    const from = asString(namespaces?.['from']) ?? 'Same';
    if (from === 'All') return true;
    if (from === 'Same') return routeNs === (gateway.ref.namespace ?? 'default');
    if (from === 'Selector') {
      const ns = inventory.get('Namespace', null, routeNs);
      if (!ns) return true;
      const selector = asObject(namespaces?.['selector']) ?? {};
      return matchesLabelSelector(selector, { 'kubernetes.io/metadata.name': routeNs, ...ns.labels });
    }
    return false;
  });
}

/**
 * Services a route sends traffic to. A backend in another namespace is used only when a ReferenceGrant
 * there allows it, as the Gateway API requires.
 */
export function routeBackends(inventory: Inventory, route: Resource): RouteBackend[] {
  const routeNs = route.ref.namespace ?? 'default';
  const out: RouteBackend[] = [];
  asArray(dig(route.obj, 'spec', 'rules')).forEach((rule, r) => {
    asArray(asObject(rule)?.['backendRefs']).forEach((entry, b) => {
      const ref = asObject(entry);
      const name = asString(ref?.['name']);
      if (!ref || !name || isPlaceholder(name)) return;
      if ((asString(ref['kind']) ?? 'Service') !== 'Service' || (asString(ref['group']) ?? '') !== '') return;
      const namespace = asString(ref['namespace']) ?? routeNs;
      if (namespace !== routeNs && !referenceGranted(inventory, route, namespace, name)) return;
      out.push({ serviceName: name, namespace, path: ['spec', 'rules', r, 'backendRefs', b, 'name'] });
    });
  });
  return out;
}

function referenceGranted(inventory: Inventory, route: Resource, namespace: string, serviceName: string): boolean {
  return inventory.inNamespace(`${GROUP}/ReferenceGrant`, namespace).some((grant) => {
    const fromOk = asArray(dig(grant.obj, 'spec', 'from')).some((f) => {
      const from = asObject(f);
      return from?.['group'] === GROUP && from['kind'] === route.ref.kind && from['namespace'] === route.ref.namespace;
    });
    const toOk = asArray(dig(grant.obj, 'spec', 'to')).some((t) => {
      const to = asObject(t);
      return (to?.['group'] ?? '') === '' && to?.['kind'] === 'Service' && (to['name'] === undefined || to['name'] === serviceName);
    });
    return fromOk && toOk;
  });
}

/** The pods Istio deploys for a Gateway API Gateway: found by label when the input holds them, else by the labels they will get. */
export function apiGatewayWorkload(inventory: Inventory, gateway: Resource): GatewayWorkload {
  const namespace = gateway.ref.namespace ?? 'default';
  const labels = apiGatewayPodLabels(gateway);
  const pods = inventory.podTemplatesMatching(namespace, { 'gateway.networking.k8s.io/gateway-name': gateway.ref.name });
  return {
    members: pods.length > 0 ? pods.map((pod) => ({ namespace: pod.namespace, labels: pod.labels })) : [{ namespace, labels }],
    pods,
    service: generatedService(inventory, gateway),
    gatewayApi: gateway,
  };
}
