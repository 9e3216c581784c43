// Where to send the probe's requests, taken from the cluster's own objects only: the addresses a load
// balancer, an Ingress controller, a Gateway or a router wrote into status, the nodes' ExternalIP
// addresses for NodePorts, a Service's externalIPs. Nothing a user types and no name looked up beyond
// what those objects give. Hostnames that routing objects name (VirtualService hosts, Ingress rules,
// HTTPRoute hostnames) only become the Host header on a connection to such an address, never a lookup.
import { isIP } from 'node:net';
import { asArray, asObject, asString, dig } from '../core/json.js';
import type { Inventory, Resource } from '../core/types.js';
import type { Reach } from '../kube/entry-graph.js';
import { isPlaceholder } from '../kube/hosts.js';
import { kubeflowUiOf } from '../kube/kubeflow-uis.js';
import { serviceType } from '../kube/services.js';
import type { Origin } from './http.js';

/** At most this many address-and-port pairs per entry point. */
export const ORIGINS_PER_ENTRY = 2;

export type Targets = { origins: Origin[]; noAddress: null } | { origins: []; noAddress: string };

interface PortChoice {
  scheme: 'http' | 'https';
  port: number;
  rank: number;
}

/** The origins of an entry point, HTTPS first; `noAddress` says why there are none. */
export function probeTargets(inventory: Inventory, entry: Resource, reaches: readonly Reach[]): Targets {
  const named = routingHost(reaches);
  const { kind } = entry.ref;
  if (entry.group === '' && kind === 'Service') return serviceTargets(inventory, entry, named);
  if (kind === 'Ingress') return ingressTargets(entry, reaches);
  if (entry.group === 'gateway.networking.k8s.io' && kind === 'Gateway') return apiGatewayTargets(entry, named);
  if (entry.group === 'route.openshift.io' && kind === 'Route') return openshiftRouteTargets(entry);
  if (entry.group === 'ray.io') {
    const head = inventory.get('Service', entry.ref.namespace ?? 'default', `${entry.ref.name}-head-svc`);
    return head ? serviceTargets(inventory, head, named) : none(`its head Service ${entry.ref.name}-head-svc is not in the cluster`);
  }
  return none('its address is not in the cluster\'s objects');
}

function serviceTargets(inventory: Inventory, service: Resource, named: string | null): Targets {
  const type = serviceType(service);
  const ports = asArray(dig(service.obj, 'spec', 'ports')).map(asObject).filter((p): p is Record<string, unknown> => p !== null);
  if (type === 'LoadBalancer') {
    const address = statusAddresses(dig(service.obj, 'status', 'loadBalancer', 'ingress'))[0];
    if (address) return make(address, choosePorts(ports, 'port'), named);
  }
  const externalIPs = asArray(dig(service.obj, 'spec', 'externalIPs')).filter((ip): ip is string => typeof ip === 'string' && isIP(ip.trim()) !== 0);
  if (externalIPs[0]) return make(externalIPs[0].trim(), choosePorts(ports, 'port'), named);
  if (type === 'NodePort') {
    const address = nodeExternalAddress(inventory);
    return address ? make(address, choosePorts(ports, 'nodePort'), named) : none('no node has an ExternalIP address');
  }
  if (type === 'LoadBalancer') return none('its load balancer has no address in status.loadBalancer.ingress (pending?)');
  return none('it has no external address');
}

function ingressTargets(ingress: Resource, reaches: readonly Reach[]): Targets {
  const address = statusAddresses(dig(ingress.obj, 'status', 'loadBalancer', 'ingress'))[0];
  if (!address) return none('it has no address in status.loadBalancer.ingress');
  const rules = asArray(dig(ingress.obj, 'spec', 'rules'));
  // The rule on the path to Kubeflow names the host the controller routes it by.
  const ruleIndexes = preferKubeflow(reaches).flatMap((reach) => (reach.entryPath[1] === 'rules' && typeof reach.entryPath[2] === 'number' ? [reach.entryPath[2]] : []));
  const hosts = [...ruleIndexes.map((i) => asString(dig(rules[i], 'host'))), ...rules.map((rule) => asString(dig(rule, 'host')))].filter(isConcreteHost);
  const host = hosts[0] ?? null;
  const tls = asArray(dig(ingress.obj, 'spec', 'tls')).some((entry) => {
    const tlsHosts = asArray(dig(entry, 'hosts')).filter((h): h is string => typeof h === 'string');
    return tlsHosts.length === 0 || (host !== null && tlsHosts.includes(host));
  });
  const ports: PortChoice[] = [...(tls ? [{ scheme: 'https' as const, port: 443, rank: 0 }] : []), { scheme: 'http', port: 80, rank: 1 }];
  return make(address, ports, host);
}

function apiGatewayTargets(gateway: Resource, named: string | null): Targets {
  const address = asArray(dig(gateway.obj, 'status', 'addresses'))
    .map((entry) => asString(dig(entry, 'value')))
    .find((value): value is string => value !== null && isUsableAddress(value));
  if (!address) return none('it has no address in status.addresses');
  const listeners = asArray(dig(gateway.obj, 'spec', 'listeners')).map(asObject).filter((l): l is Record<string, unknown> => l !== null);
  const ports = listeners.flatMap((listener): PortChoice[] => {
    const port = listener['port'];
    const protocol = asString(listener['protocol'])?.toUpperCase();
    if (!isTcpPort(port)) return [];
    if (protocol === 'HTTPS' || protocol === 'TLS') return [{ scheme: 'https', port, rank: 0 }];
    if (protocol === 'HTTP') return [{ scheme: 'http', port, rank: 1 }];
    return [];
  });
  const listenerHost = listeners.map((l) => asString(l['hostname'])).find(isConcreteHost) ?? null;
  return make(address, ports, named ?? listenerHost);
}

function openshiftRouteTargets(route: Resource): Targets {
  // The router writes the host it admitted; that name is what the route is published as.
  const host = asArray(dig(route.obj, 'status', 'ingress'))
    .map((entry) => asString(dig(entry, 'host')))
    .find((value): value is string => value !== null && isUsableAddress(value));
  if (!host) return none('it has no admitted host in status.ingress');
  const tls = asObject(dig(route.obj, 'spec', 'tls'));
  const insecure = asString(tls?.['insecureEdgeTerminationPolicy'])?.toLowerCase();
  const ports: PortChoice[] = tls
    ? [{ scheme: 'https', port: 443, rank: 0 }, ...(insecure === 'allow' || insecure === 'redirect' ? [{ scheme: 'http' as const, port: 80, rank: 1 }] : [])]
    : [{ scheme: 'http', port: 80, rank: 1 }];
  return make(host, ports, host);
}

function make(address: string, ports: readonly PortChoice[], named: string | null): Targets {
  const chosen = [...ports].sort((a, b) => a.rank - b.rank).slice(0, ORIGINS_PER_ENTRY);
  if (chosen.length === 0) return none('none of its ports looks like HTTP');
  const host = named ?? address;
  return { origins: chosen.map((p) => ({ scheme: p.scheme, address, port: p.port, host })), noAddress: null };
}

function none(reason: string): Targets {
  return { origins: [], noAddress: reason };
}

const SKIPPED_PORT_NAMES = /^(grpc|tcp|tls|udp|mongo|mysql|postgres|redis|status-port|metrics|prometheus|dns)/;

/**
 * HTTPS-looking ports first, then HTTP-looking ones, then other TCP ports; never UDP, gRPC, plain TCP or
 * TLS passthrough (Istio's naming), status or metrics ports.
 */
function choosePorts(ports: ReadonlyArray<Record<string, unknown>>, field: 'port' | 'nodePort'): PortChoice[] {
  const out: PortChoice[] = [];
  for (const spec of ports) {
    const port = spec[field];
    if (!isTcpPort(port)) continue;
    const protocol = (asString(spec['protocol']) ?? 'TCP').toUpperCase();
    if (protocol !== 'TCP') continue;
    const name = (asString(spec['name']) ?? '').toLowerCase();
    const appProtocol = (asString(spec['appProtocol']) ?? '').toLowerCase();
    const servicePort = typeof spec['port'] === 'number' ? spec['port'] : port;
    if (name.startsWith('https') || appProtocol === 'https' || servicePort === 443 || servicePort === 8443) {
      out.push({ scheme: 'https', port, rank: 0 });
    } else if (name.startsWith('http') || /^(http|h2c|kubernetes\.io\/h2c|kubernetes\.io\/ws)$/.test(appProtocol) || servicePort === 80 || servicePort === 8080) {
      out.push({ scheme: 'http', port, rank: 1 });
    } else if (!SKIPPED_PORT_NAMES.test(name) && !/^(grpc|tcp|tls|udp)/.test(appProtocol)) {
      out.push({ scheme: 'http', port, rank: 2 });
    }
  }
  return out;
}

/** `ip`, else `hostname`, of each status entry, as load balancers and Ingress controllers write them. */
function statusAddresses(ingress: unknown): string[] {
  return asArray(ingress).flatMap((entry) => {
    const value = asString(dig(entry, 'ip')) ?? asString(dig(entry, 'hostname'));
    return value !== null && isUsableAddress(value) ? [value.trim()] : [];
  });
}

/** The first ExternalIP of the nodes, in name order: where a NodePort answers from outside. */
function nodeExternalAddress(inventory: Inventory): string | null {
  const nodes = [...inventory.ofKind('Node')].sort((a, b) => (a.ref.name < b.ref.name ? -1 : a.ref.name > b.ref.name ? 1 : 0));
  for (const node of nodes) {
    for (const entry of asArray(dig(node.obj, 'status', 'addresses'))) {
      const address = asObject(entry);
      const value = asString(address?.['address']);
      if (address?.['type'] === 'ExternalIP' && value !== null && isIP(value.trim()) !== 0) return value.trim();
    }
  }
  return null;
}

/**
 * The hostname the routing on the way to Kubeflow (else anywhere) is bound to, for the Host header: an
 * Istio Gateway or VirtualService bound to `kubeflow.example.com` answers 404 to any other name.
 */
function routingHost(reaches: readonly Reach[]): string | null {
  for (const reach of preferKubeflow(reaches)) {
    for (const hop of reach.hops) {
      const resource = hop.resource;
      if (!resource) continue;
      const host = hostsNamedBy(resource).find(isConcreteHost);
      if (host) return host;
    }
  }
  return null;
}

function hostsNamedBy(resource: Resource): string[] {
  const strings = (value: unknown): string[] => asArray(value).filter((v): v is string => typeof v === 'string');
  const { group, kind } = { group: resource.group, kind: resource.ref.kind };
  if (group === 'networking.istio.io' && kind === 'VirtualService') return strings(dig(resource.obj, 'spec', 'hosts'));
  if (group === 'networking.istio.io' && kind === 'Gateway') {
    // `namespace/host`: the host part.
    return asArray(dig(resource.obj, 'spec', 'servers')).flatMap((server) => strings(dig(server, 'hosts')).map((h) => h.slice(h.indexOf('/') + 1)));
  }
  if (group === 'gateway.networking.k8s.io' && kind.endsWith('Route')) return strings(dig(resource.obj, 'spec', 'hostnames'));
  if (group === 'gateway.networking.k8s.io' && kind === 'Gateway') {
    return asArray(dig(resource.obj, 'spec', 'listeners')).flatMap((l) => strings([dig(l, 'hostname')]));
  }
  return [];
}

function preferKubeflow(reaches: readonly Reach[]): Reach[] {
  const kubeflow = (reach: Reach): number => (kubeflowUiOf(reach.target.name, reach.target.pods) ? 0 : 1);
  return [...reaches].sort((a, b) => kubeflow(a) - kubeflow(b));
}

/** A DNS name a client can send: no wildcard, no placeholder, not a cluster-internal Service name. */
function isConcreteHost(host: string | null | undefined): host is string {
  if (!host) return false;
  const text = host.trim().toLowerCase();
  if (text.includes('*') || isPlaceholder(text) || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\.?$/.test(text)) return false;
  return !/\.(svc|svc\.cluster\.local|cluster\.local|local)\.?$/.test(text);
}

/** An IP address or a DNS name, as status fields hold them; anything else is not connected to. */
function isUsableAddress(value: string): boolean {
  const text = value.trim();
  return isIP(text) !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i.test(text);
}

/** A port a connection can be made to; the API server would reject any other, a hostile manifest need not. */
function isTcpPort(port: unknown): port is number {
  return typeof port === 'number' && Number.isInteger(port) && port >= 1 && port <= 65535;
}
