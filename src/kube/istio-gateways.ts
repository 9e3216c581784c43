import { asArray, asObject, asString, dig } from '../core/json.js';
import type { Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { serviceSelector } from '../inventory/inventory.js';
import { matchesMapSelector } from '../inventory/selectors.js';
import { stringMap } from '../inventory/resource.js';

export const ISTIO_GATEWAY = 'networking.istio.io/Gateway';
export const VIRTUAL_SERVICE = 'networking.istio.io/VirtualService';

/** Well-known ingress gateway pod labels (Istio's defaults, kept by Kubeflow since v1.0). */
const INGRESS_GATEWAY_LABELS: ReadonlyArray<Readonly<Record<string, string>>> = [
  { istio: 'ingressgateway' },
  { app: 'istio-ingressgateway' },
];

export interface IngressGatewayService {
  service: Resource;
  /** Gateway pod templates behind the Service (empty when the input holds only the Service). */
  pods: readonly PodTemplateSite[];
  /** Istio Gateways whose selector picks these pods. */
  gateways: readonly Resource[];
  /** One of those Gateways carries Kubeflow's routes (kubeflow-gateway, or a VirtualService to its UIs). */
  kubeflowGateway: Resource | null;
}

/**
 * Services in front of Istio ingress gateway pods, found by selectors rather than names: copies and
 * renamed gateways count, egress gateways do not.
 */
export function ingressGatewayServices(inventory: Inventory): readonly IngressGatewayService[] {
  return inventory.memo('ingressGatewayServices', () => {
    const gateways = inventory.ofKind(ISTIO_GATEWAY);
    const gatewaySelectors = gateways.map((gateway) => ({ gateway, selector: stringMap(dig(gateway.obj, 'spec', 'selector')) }));

    const gatewayPods = new Set<PodTemplateSite>();
    for (const labels of INGRESS_GATEWAY_LABELS) {
      for (const site of inventory.podTemplatesMatching(null, labels)) gatewayPods.add(site);
    }
    for (const { selector } of gatewaySelectors) {
      if (Object.keys(selector).length === 0) continue;
      for (const site of inventory.podTemplatesMatching(null, selector)) gatewayPods.add(site);
    }
    for (const site of [...gatewayPods]) if (isEgressGateway(site.labels)) gatewayPods.delete(site);

    const services = new Map<Resource, Set<PodTemplateSite>>();
    for (const site of gatewayPods) {
      for (const service of inventory.servicesSelecting(site)) {
        if (!services.has(service)) services.set(service, new Set());
        services.get(service)!.add(site);
      }
    }
    // The input may hold the Service without its Deployment (one file of a larger install): judge the
    // Service by what its selector asks for.
    for (const service of inventory.ofKind('Service')) {
      if (services.has(service)) continue;
      const selector = stringMap(serviceSelector(service));
      if (Object.keys(selector).length === 0 || isEgressGateway(selector)) continue;
      const wanted = [...INGRESS_GATEWAY_LABELS, ...gatewaySelectors.map((g) => g.selector).filter((s) => Object.keys(s).length > 0)];
      if (wanted.some((labels) => matchesMapSelector(labels, selector))) services.set(service, new Set());
    }

    const kubeflowGateways = new Set(kubeflowServingGateways(inventory));
    return [...services.entries()].map(([service, pods]) => {
      const podList = [...pods];
      const selector = stringMap(serviceSelector(service));
      const selecting = gatewaySelectors
        .filter(({ selector: gatewaySelector }) => {
          if (Object.keys(gatewaySelector).length === 0) return false;
          if (podList.length > 0) return podList.some((pod) => matchesMapSelector(gatewaySelector, pod.labels));
          return matchesMapSelector(gatewaySelector, selector);
        })
        .map(({ gateway }) => gateway);
      return {
        service,
        pods: podList,
        gateways: selecting,
        kubeflowGateway: selecting.find((gateway) => kubeflowGateways.has(gateway)) ?? null,
      };
    });
  });
}

const KUBEFLOW_UI_SERVICES = ['centraldashboard', 'ml-pipeline-ui'];

/** Istio Gateways that carry Kubeflow: `kubeflow/kubeflow-gateway`, or any Gateway a VirtualService binds to the dashboard. */
export function kubeflowServingGateways(inventory: Inventory): readonly Resource[] {
  return inventory.memo('kubeflowServingGateways', () => {
    const found = new Set<Resource>();
    const named = inventory.get(ISTIO_GATEWAY, 'kubeflow', 'kubeflow-gateway');
    if (named) found.add(named);
    for (const vs of inventory.ofKind(VIRTUAL_SERVICE)) {
      if (!routesToKubeflowUi(vs)) continue;
      for (const gateway of boundGateways(vs, inventory)) found.add(gateway);
    }
    return [...found];
  });
}

/** Gateways a VirtualService binds to: `name` (its own namespace) or `namespace/name`. */
export function boundGateways(vs: Resource, inventory: Inventory): Resource[] {
  const namespace = vs.ref.namespace ?? 'default';
  return asArray(dig(vs.obj, 'spec', 'gateways')).flatMap((entry) => {
    const text = asString(entry);
    if (!text || text === 'mesh') return [];
    const [ns, name] = text.includes('/') ? (text.split('/', 2) as [string, string]) : [namespace, text];
    const gateway = inventory.get(ISTIO_GATEWAY, ns, name);
    return gateway ? [gateway] : [];
  });
}

function routesToKubeflowUi(vs: Resource): boolean {
  const routes = asArray(dig(vs.obj, 'spec', 'http'));
  return routes.some((route) =>
    asArray(asObject(route)?.['route']).some((destination) => {
      const host = asString(dig(destination, 'destination', 'host'));
      return host !== null && KUBEFLOW_UI_SERVICES.includes(host.split('.')[0]!);
    }),
  );
}

function isEgressGateway(labels: Readonly<Record<string, string>>): boolean {
  return labels['istio'] === 'egressgateway' || labels['app'] === 'istio-egressgateway';
}
