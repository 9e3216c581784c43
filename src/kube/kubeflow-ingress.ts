import { dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';
import { stringMap } from '../inventory/resource.js';
import { apiGatewayWorkload, attachedRoutes, ingressApiGateways, isIstioApiGateway, routeBackends } from './gateway-api.js';
import { isPlaceholder } from './hosts.js';
import {
  destinationsThrough,
  ingressGatewayPods,
  ingressGatewayServices,
  kubeflowServingGateways,
  virtualServicesBoundTo,
  type GatewayWorkload,
} from './istio-gateways.js';
import { kubeflowUiOf, type KubeflowUi } from './kubeflow-uis.js';
import { rootNamespace } from './mesh-config.js';
import { podsBehindService, servicesForHost } from './services.js';

/** A gateway that carries Kubeflow's routes, and the pods that serve it. */
export interface KubeflowIngress {
  /** An Istio Gateway (`kubeflow/kubeflow-gateway`), or a Gateway API Gateway implemented by Istio. */
  gateway: Resource;
  workload: GatewayWorkload;
  /** False when the input holds neither the gateway pods nor a Service for them (the workload is then guessed from the selector). */
  podsKnown: boolean;
  /** Routes on this gateway to the Kubeflow UIs. */
  routes: Array<{ route: Resource; ui: KubeflowUi; path: FieldPath }>;
}

/**
 * Kubeflow's ingress as Istio serves it: for each Gateway carrying Kubeflow, the gateway workloads it
 * configures. Used to judge the authentication in front of the dashboard even when the gateway is
 * ClusterIP (reached with port-forward or from inside the cluster).
 */
export function kubeflowIngresses(inventory: Inventory): readonly KubeflowIngress[] {
  return inventory.memo('kubeflowIngresses', () => {
    const out: KubeflowIngress[] = [];
    for (const gateway of kubeflowServingGateways(inventory)) {
      const routes = kubeflowRoutes(inventory, gateway);
      for (const { workload, podsKnown } of workloadsOf(inventory, gateway)) out.push({ gateway, workload, podsKnown, routes });
    }
    for (const gateway of ingressApiGateways(inventory)) {
      if (!isIstioApiGateway(inventory, gateway)) continue;
      const routes = attachedRoutes(inventory, gateway).flatMap(({ route }) =>
        routeBackends(inventory, route).flatMap((backend) => {
          const ui = uiOf(inventory, { name: backend.serviceName, namespace: backend.namespace });
          return ui ? [{ route, ui, path: backend.path }] : [];
        }),
      );
      if (routes.length === 0) continue;
      const workload = apiGatewayWorkload(inventory, gateway);
      out.push({ gateway, workload, podsKnown: true, routes });
    }
    return out;
  });
}

function kubeflowRoutes(inventory: Inventory, gateway: Resource): KubeflowIngress['routes'] {
  return virtualServicesBoundTo(inventory, gateway, null).flatMap((vs) =>
    destinationsThrough(inventory, vs, gateway).flatMap((destination) => {
      const ui = destination.service ? uiOf(inventory, destination.service) : null;
      return ui ? [{ route: destination.holder, ui, path: destination.path }] : [];
    }),
  );
}

function uiOf(inventory: Inventory, host: { name: string; namespace: string | null }): KubeflowUi | null {
  const services = servicesForHost(inventory, host);
  for (const service of services) {
    const ui = kubeflowUiOf(service.ref.name, podsBehindService(inventory, service));
    if (ui) return ui;
  }
  return kubeflowUiOf(host.name, []);
}

function workloadsOf(inventory: Inventory, gateway: Resource): Array<{ workload: GatewayWorkload; podsKnown: boolean }> {
  const selector = stringMap(dig(gateway.obj, 'spec', 'selector'));
  const unresolved = Object.entries(selector).some(([key, value]) => isPlaceholder(key) || isPlaceholder(value));
  const services = ingressGatewayServices(inventory).filter((entry) => unresolved || entry.gateways.includes(gateway));
  const seen = new Set<string>();
  const out: Array<{ workload: GatewayWorkload; podsKnown: boolean }> = [];
  for (const entry of services) {
    const key = JSON.stringify(entry.workload.members);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ workload: entry.workload, podsKnown: true });
  }
  if (out.length > 0) return out;
  // Pods without a Service (a gateway reached by port-forward to the pod), or nothing at all.
  const pods = unresolved ? ingressGatewayPods(inventory) : inventory.podTemplatesMatching(null, selector).filter((p) => ingressGatewayPods(inventory).includes(p));
  if (pods.length > 0) {
    return [{ workload: { members: pods.map((p) => ({ namespace: p.namespace, labels: p.labels })), pods, service: null, gatewayApi: null }, podsKnown: true }];
  }
  const labels = unresolved || Object.keys(selector).length === 0 ? { istio: 'ingressgateway' } : selector;
  return [{ workload: { members: [{ namespace: rootNamespace(inventory), labels }], pods: [], service: null, gatewayApi: null }, podsKnown: false }];
}
