import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, PodTemplateSite, Resource } from '../core/types.js';
import { matchesMapSelector } from '../inventory/selectors.js';
import { stringMap } from '../inventory/resource.js';
import { isPlaceholder, resolveServiceHost, type ServiceHost } from './hosts.js';
import { podsBehindService, selectorLabels } from './services.js';

export const ISTIO_GATEWAY = 'networking.istio.io/Gateway';
export const VIRTUAL_SERVICE = 'networking.istio.io/VirtualService';

/** Well-known ingress gateway pod labels (Istio's defaults, kept by Kubeflow since v1.0). */
const INGRESS_GATEWAY_LABELS: ReadonlyArray<Readonly<Record<string, string>>> = [
  { istio: 'ingressgateway' },
  { app: 'istio-ingressgateway' },
];

/**
 * The pods of one ingress gateway as Istio sees them: what policies and Gateways select on. When the
 * input holds only the Service (one file of a larger install), its selector stands for the pods' labels.
 */
export interface GatewayWorkload {
  /** Label sets with their namespace: one per pod template, or the Service's selector. */
  members: ReadonlyArray<{ namespace: string; labels: Readonly<Record<string, string>> }>;
  pods: readonly PodTemplateSite[];
  service: Resource | null;
  /** The Gateway API Gateway whose generated deployment these pods are, when so. */
  gatewayApi: Resource | null;
}

export interface IngressGatewayService {
  service: Resource;
  /** Gateway pod templates behind the Service (empty when the input holds only the Service). */
  pods: readonly PodTemplateSite[];
  workload: GatewayWorkload;
  /** Istio Gateways whose selector picks these pods. */
  gateways: readonly Resource[];
  /** One of those Gateways carries Kubeflow's routes (kubeflow-gateway, or a VirtualService to its UIs). */
  kubeflowGateway: Resource | null;
}

/** A route target a VirtualService names for traffic that came through a gateway. */
export interface Destination {
  virtualService: Resource;
  host: string;
  service: ServiceHost | null;
  /** Field path of the destination host in the VirtualService (or its delegate). */
  path: FieldPath;
  /** The VirtualService that holds the destination: the bound one, or a delegate. */
  holder: Resource;
}

/**
 * Services in front of Istio ingress gateway pods, found by selectors rather than names: copies and
 * renamed gateways count, egress gateways do not.
 */
export function ingressGatewayServices(inventory: Inventory): readonly IngressGatewayService[] {
  return inventory.memo('ingressGatewayServices', () => {
    const gatewayPods = new Set(ingressGatewayPods(inventory));
    const services = new Map<Resource, Set<PodTemplateSite>>();
    for (const site of gatewayPods) {
      for (const service of inventory.servicesSelecting(site)) {
        if (!services.has(service)) services.set(service, new Set());
        services.get(service)!.add(site);
      }
    }
    // The input may hold the Service without its Deployment: judge the Service by what its selector asks for.
    const wanted = [...INGRESS_GATEWAY_LABELS, ...gatewaySelectors(inventory).map((g) => g.selector).filter(usableSelector)];
    for (const service of inventory.ofKind('Service')) {
      if (services.has(service)) continue;
      const selector = selectorLabels(service);
      if (Object.keys(selector).length === 0 || isEgressGateway(selector)) continue;
      if (podsBehindService(inventory, service).length > 0) continue;
      if (wanted.some((labels) => matchesMapSelector(labels, selector))) services.set(service, new Set());
    }

    const kubeflowGateways = new Set(kubeflowServingGateways(inventory));
    return [...services.entries()].map(([service, pods]) => {
      const workload = workloadOf(service, [...pods]);
      const gateways = istioGatewaysFor(inventory, workload);
      return {
        service,
        pods: workload.pods,
        workload,
        gateways,
        kubeflowGateway: gateways.find((gateway) => kubeflowGateways.has(gateway)) ?? null,
      };
    });
  });
}

/** The gateway workload behind a Service, or `null` when the Service does not front ingress gateway pods. */
export function gatewayWorkloadOfService(inventory: Inventory, service: Resource): GatewayWorkload | null {
  const entry = ingressGatewayServices(inventory).find((candidate) => candidate.service === service);
  return entry ? entry.workload : null;
}

function workloadOf(service: Resource, pods: PodTemplateSite[]): GatewayWorkload {
  const members =
    pods.length > 0
      ? pods.map((pod) => ({ namespace: pod.namespace, labels: pod.labels }))
      : [{ namespace: service.ref.namespace ?? 'default', labels: selectorLabels(service) }];
  return { members, pods, service, gatewayApi: null };
}

// Names Istio and managed meshes give ingress gateway Services (istio-ingressgateway, asm-ingressgateway, ...).
const GATEWAY_SERVICE_NAME = /(?:^|-)ingressgateway(?:-[a-z0-9]+)*$/;

/**
 * The gateway behind a Service that a route names but the input does not hold, when the name is an
 * ingress gateway's: a managed mesh (Anthos Service Mesh, Istio installed by its own tooling) creates
 * that Service outside the scanned manifests. Its pods are the ingress gateway pods of that namespace in
 * the input, else pods with Istio's default labels (`app: <name>`, `istio: ingressgateway`).
 */
export function unheldGatewayWorkload(inventory: Inventory, host: ServiceHost): GatewayWorkload | null {
  if (host.namespace === null || !GATEWAY_SERVICE_NAME.test(host.name) || /egressgateway/.test(host.name)) return null;
  if (inventory.get('Service', host.namespace, host.name)) return null;
  const pods = ingressGatewayPods(inventory).filter((site) => site.namespace === host.namespace && (site.labels['app'] === host.name || site.labels['istio'] === 'ingressgateway'));
  const members = pods.length > 0 ? pods.map((pod) => ({ namespace: pod.namespace, labels: pod.labels })) : [{ namespace: host.namespace, labels: { app: host.name, istio: 'ingressgateway' } }];
  return { members, pods, service: null, gatewayApi: null };
}

/** Pod templates of Istio ingress gateways: the well-known labels, or picked by some Gateway's selector. */
export function ingressGatewayPods(inventory: Inventory): readonly PodTemplateSite[] {
  return inventory.memo('ingressGatewayPods', () => {
    const found = new Set<PodTemplateSite>();
    for (const labels of INGRESS_GATEWAY_LABELS) {
      for (const site of inventory.podTemplatesMatching(null, labels)) found.add(site);
    }
    for (const { selector } of gatewaySelectors(inventory)) {
      if (!usableSelector(selector)) continue;
      for (const site of inventory.podTemplatesMatching(null, selector)) found.add(site);
    }
    return [...found].filter((site) => !isEgressGateway(site.labels));
  });
}

function gatewaySelectors(inventory: Inventory): Array<{ gateway: Resource; selector: Record<string, string> }> {
  return inventory.memo('istioGatewaySelectors', () =>
    inventory.ofKind(ISTIO_GATEWAY).map((gateway) => ({ gateway, selector: stringMap(dig(gateway.obj, 'spec', 'selector')) })),
  );
}

// An unrendered placeholder (`istio: $(gatewaySelector)`) selects nothing we can know.
function usableSelector(selector: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([key, value]) => !isPlaceholder(key) && !isPlaceholder(value));
}

/**
 * Istio Gateways that configure these pods. Istio applies a Gateway to every proxy, in any namespace,
 * whose labels include its selector; a Gateway without a selector applies to every gateway proxy.
 */
export function istioGatewaysFor(inventory: Inventory, workload: GatewayWorkload): Resource[] {
  return gatewaySelectors(inventory)
    .filter(({ gateway, selector }) => {
      if (Object.keys(selector).length === 0) return Object.keys(asObject(dig(gateway.obj, 'spec', 'selector')) ?? {}).length === 0;
      if (!usableSelector(selector)) return false;
      return workload.members.some((member) => matchesMapSelector(selector, member.labels));
    })
    .map(({ gateway }) => gateway);
}

const KUBEFLOW_UI_SERVICES = ['centraldashboard', 'ml-pipeline-ui'];

/** Istio Gateways that carry Kubeflow: `kubeflow/kubeflow-gateway`, or any Gateway a VirtualService binds to the dashboard. */
export function kubeflowServingGateways(inventory: Inventory): readonly Resource[] {
  return inventory.memo('kubeflowServingGateways', () => {
    const found = new Set<Resource>();
    const named = inventory.get(ISTIO_GATEWAY, 'kubeflow', 'kubeflow-gateway');
    if (named) found.add(named);
    for (const gateway of inventory.ofKind(ISTIO_GATEWAY)) {
      const routes = virtualServicesBoundTo(inventory, gateway, null);
      if (routes.some((vs) => destinationsThrough(inventory, vs, gateway).some((d) => d.service && KUBEFLOW_UI_SERVICES.includes(d.service.name)))) {
        found.add(gateway);
      }
    }
    return [...found];
  });
}

/** Gateways a VirtualService binds to: `name` (its own namespace) or `namespace/name`; `mesh` is not a gateway. */
export function boundGateways(vs: Resource, inventory: Inventory): Resource[] {
  return gatewayNames(vs).flatMap(({ namespace, name }) => {
    const gateway = inventory.get(ISTIO_GATEWAY, namespace, name);
    return gateway ? [gateway] : [];
  });
}

function gatewayNames(vs: Resource, list: unknown = dig(vs.obj, 'spec', 'gateways')): Array<{ namespace: string; name: string }> {
  const namespace = vs.ref.namespace ?? 'default';
  return asArray(list).flatMap((entry) => {
    const text = asString(entry)?.trim();
    if (!text || text === 'mesh') return [];
    const slash = text.indexOf('/');
    return [slash === -1 ? { namespace, name: text } : { namespace: text.slice(0, slash), name: text.slice(slash + 1) }];
  });
}

/**
 * VirtualServices that a Gateway serves. Besides naming the Gateway, a VirtualService must be in a
 * namespace the Gateway's server hosts admit (`ns/host`), share a host with a server, and be exported
 * to the namespace of the gateway pods (`exportTo`). `podNamespaces` null skips the export check.
 */
export function virtualServicesBoundTo(inventory: Inventory, gateway: Resource, podNamespaces: readonly string[] | null): Resource[] {
  const byGateway = inventory.memo('virtualServicesByGateway', () => {
    const index = new Map<Resource, Resource[]>();
    for (const vs of inventory.ofKind(VIRTUAL_SERVICE)) {
      for (const bound of boundGateways(vs, inventory)) {
        if (!admits(bound, vs)) continue;
        if (!index.has(bound)) index.set(bound, []);
        index.get(bound)!.push(vs);
      }
    }
    return index;
  });
  const bound = byGateway.get(gateway) ?? [];
  return podNamespaces === null ? bound : bound.filter((vs) => exportedTo(vs, podNamespaces));
}

function admits(gateway: Resource, vs: Resource): boolean {
  const vsNamespace = vs.ref.namespace ?? 'default';
  const vsHosts = asArray(dig(vs.obj, 'spec', 'hosts')).flatMap((h) => (typeof h === 'string' ? [h] : []));
  const servers = asArray(dig(gateway.obj, 'spec', 'servers'));
  if (servers.length === 0) return false;
  return servers.some((server) =>
    asArray(asObject(server)?.['hosts']).some((entry) => {
      const text = asString(entry);
      if (!text) return false;
      const slash = text.indexOf('/');
      const namespace = slash === -1 ? '*' : text.slice(0, slash);
      const host = slash === -1 ? text : text.slice(slash + 1);
      const allowedNamespace = namespace === '*' || (namespace === '.' ? gateway.ref.namespace === vsNamespace : namespace === vsNamespace);
      return allowedNamespace && (vsHosts.length === 0 || vsHosts.some((vsHost) => hostsIntersect(host, vsHost)));
    }),
  );
}

function hostsIntersect(a: string, b: string): boolean {
  if (a === '*' || b === '*' || isPlaceholder(a) || isPlaceholder(b)) return true;
  const matches = (pattern: string, host: string) => pattern.startsWith('*.') && host.endsWith(pattern.slice(1));
  return a === b || matches(a, b) || matches(b, a);
}

function exportedTo(vs: Resource, podNamespaces: readonly string[]): boolean {
  const exportTo = asArray(dig(vs.obj, 'spec', 'exportTo')).flatMap((e) => (typeof e === 'string' ? [e] : []));
  if (exportTo.length === 0 || exportTo.includes('*')) return true;
  const own = vs.ref.namespace ?? 'default';
  return podNamespaces.some((ns) => exportTo.includes(ns) || (exportTo.includes('.') && ns === own));
}

/**
 * Where a VirtualService sends traffic that arrives through `gateway`: HTTP, TLS and TCP route
 * destinations, skipping HTTP routes whose matches name other gateways, following `delegate`s.
 */
export function destinationsThrough(inventory: Inventory, vs: Resource, gateway: Resource, seen = new Set<Resource>()): Destination[] {
  if (seen.has(vs)) return [];
  seen.add(vs);
  const namespace = vs.ref.namespace ?? 'default';
  const out: Destination[] = [];
  const add = (holder: Resource, host: unknown, path: FieldPath) => {
    const text = asString(host);
    if (!text) return;
    out.push({ virtualService: vs, holder, host: text, service: resolveServiceHost(text, holder.ref.namespace ?? namespace), path });
  };
  const http = asArray(dig(vs.obj, 'spec', 'http'));
  http.forEach((route, index) => {
    const object = asObject(route);
    if (!object || !routeAppliesTo(vs, object, gateway)) return;
    asArray(object['route']).forEach((destination, d) => add(vs, dig(destination, 'destination', 'host'), ['spec', 'http', index, 'route', d, 'destination', 'host']));
    const delegate = asObject(object['delegate']);
    const delegateName = asString(delegate?.['name']);
    if (delegateName) {
      const target = inventory.get(VIRTUAL_SERVICE, asString(delegate?.['namespace']) ?? namespace, delegateName);
      if (target) {
        for (const inner of destinationsThrough(inventory, target, gateway, seen)) out.push({ ...inner, virtualService: vs });
      }
    }
  });
  for (const protocol of ['tls', 'tcp'] as const) {
    asArray(dig(vs.obj, 'spec', protocol)).forEach((route, index) => {
      asArray(asObject(route)?.['route']).forEach((destination, d) =>
        add(vs, dig(destination, 'destination', 'host'), ['spec', protocol, index, 'route', d, 'destination', 'host']),
      );
    });
  }
  return out;
}

function routeAppliesTo(vs: Resource, route: Record<string, unknown>, gateway: Resource): boolean {
  const matches = asArray(route['match']).map(asObject).filter((m): m is Record<string, unknown> => m !== null);
  if (matches.length === 0) return true;
  return matches.some((match) => {
    if (match['gateways'] === undefined) return true;
    return gatewayNames(vs, match['gateways']).some((ref) => ref.namespace === gateway.ref.namespace && ref.name === gateway.ref.name);
  });
}

function isEgressGateway(labels: Readonly<Record<string, string>>): boolean {
  return labels['istio'] === 'egressgateway' || labels['app'] === 'istio-egressgateway';
}
