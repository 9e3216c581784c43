import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, PodTemplateSite, Resource } from '../core/types.js';
import type { EntryAuth } from './entry-auth.js';
import {
  API_GATEWAY,
  apiGatewayWorkload,
  attachedRoutes,
  classifyApiGateway,
  ingressApiGateways,
  isIstioApiGateway,
  routeBackends,
} from './gateway-api.js';
import type { ServiceHost } from './hosts.js';
import { classifyIngress, iapOnService, ingressAuth, ingressBackends, INGRESS } from './ingress.js';
import {
  destinationsThrough,
  gatewayWorkloadOfService,
  istioGatewaysFor,
  virtualServicesBoundTo,
  unheldGatewayWorkload,
  type GatewayWorkload,
} from './istio-gateways.js';
import { fromServiceExposure, type Reachability } from './reachability.js';
import { classifyServiceExposure, classifyServiceShape } from './service-exposure.js';
import { podsBehindService, servicesForHost, serviceType } from './services.js';
import { describeResource as describe } from '../core/object-ref.js';
import { containersRunning } from './container-index.js';

/** Something that takes traffic from outside the cluster. */
export interface EntryPoint {
  resource: Resource;
  /** How the path text names it: `Service istio-system/istio-ingressgateway (LoadBalancer)`. */
  label: string;
  exposure: Reachability;
}

/** One step on a path; `resource` is null for a Service that a route names but the input does not hold. */
export interface Hop {
  resource: Resource | null;
  label: string;
  path?: FieldPath;
}

/** Where a path ends: a Service (or, for generated Services, the pods it will select). */
export interface Target {
  service: Resource | null;
  namespace: string | null;
  name: string;
  pods: readonly PodTemplateSite[];
}

/** An Istio-programmed gateway the traffic passes, with the gateway and route objects that sent it on. */
export interface GatewayPassage {
  workload: GatewayWorkload;
  /** An Istio Gateway, or a Gateway API Gateway implemented by Istio. */
  gateway: Resource;
  /** The VirtualService or HTTPRoute. */
  route: Resource;
}

/** A path from an entry point to a Service, through ingress gateways, Gateways and routes. */
export interface Reach {
  entry: EntryPoint;
  /** Field on the entry that sends traffic this way: an Ingress backend, a route's backendRef, or the exposure field. */
  entryPath: FieldPath;
  /** Authentication the entry enforces on this path (ALB, IAP, ingress-nginx), or null. */
  entryAuth: EntryAuth | null;
  hops: readonly Hop[];
  target: Target;
  passages: readonly GatewayPassage[];
}

/** `Service a/b (LoadBalancer) -> Gateway c/d -> VirtualService c/e -> Service f/g`. */
export function pathText(reach: Reach): string {
  return reach.hops.map((hop) => hop.label).join(' -> ');
}

/** Related locations for a finding: every hop after the entry. */
export function hopsAsRelated(reach: Reach): Array<{ resource: Resource; path?: FieldPath; note: string }> {
  return reach.hops.slice(1).flatMap((hop, index) =>
    hop.resource ? [{ resource: hop.resource, ...(hop.path ? { path: hop.path } : {}), note: `hop ${index + 2}: ${hop.label}` }] : [],
  );
}

const MAX_GATEWAY_DEPTH = 3;

/**
 * Every path from an external entry point to a Service: LoadBalancer, NodePort and externalIPs Services;
 * Ingresses of any class; Gateway API Gateways with their routes; OpenShift Routes; RayCluster heads
 * exposed by KubeRay; the Kubeflow Pipelines inverse proxy. Through Istio ingress gateways the path
 * follows Istio Gateways and VirtualServices on to their destinations. Computed once per inventory.
 */
export function externalReaches(inventory: Inventory): readonly Reach[] {
  return inventory.memo('externalReaches', () => {
    const reaches: Reach[] = [];
    const walker = new Walker(inventory, reaches);
    for (const entry of serviceEntries(inventory)) {
      walker.fromService(entry.resource, { entry, entryPath: entry.exposure.path, entryAuth: iapOnService(inventory, entry.resource), hops: [], passages: [] });
    }
    for (const ingress of inventory.ofKind(INGRESS)) {
      const exposure = classifyIngress(inventory, ingress);
      const entry: EntryPoint = { resource: ingress, label: describe(ingress), exposure };
      for (const backend of ingressBackends(ingress)) {
        const service = inventory.get('Service', backend.namespace, backend.serviceName) ?? null;
        walker.fromHost(
          { name: backend.serviceName, namespace: backend.namespace },
          { entry, entryPath: backend.path, entryAuth: ingressAuth(inventory, ingress, service, { namespace: backend.namespace, name: backend.serviceName }), hops: [{ resource: ingress, label: entry.label, path: backend.path }], passages: [] },
        );
      }
    }
    for (const gateway of ingressApiGateways(inventory)) {
      const exposure = classifyApiGateway(inventory, gateway);
      if (!exposure) continue;
      const entry: EntryPoint = { resource: gateway, label: `${describe(gateway)} (Gateway API)`, exposure };
      const istio = isIstioApiGateway(inventory, gateway);
      for (const { route } of attachedRoutes(inventory, gateway)) {
        for (const backend of routeBackends(inventory, route)) {
          const passages: GatewayPassage[] = istio ? [{ workload: apiGatewayWorkload(inventory, gateway), gateway, route }] : [];
          walker.fromHost(
            { name: backend.serviceName, namespace: backend.namespace },
            {
              entry,
              entryPath: exposure.path,
              entryAuth: null,
              hops: [{ resource: gateway, label: entry.label, path: exposure.path }, { resource: route, label: describe(route), path: backend.path }],
              passages,
            },
          );
        }
      }
    }
    for (const route of inventory.ofKind('route.openshift.io/Route')) {
      const host = asString(dig(route.obj, 'spec', 'host'));
      const exposure: Reachability = {
        reach: 'public',
        confirmed: true,
        detail: `is an OpenShift Route published by the cluster's router${host ? ` as ${host}` : ''}`,
        path: ['spec', 'to', 'name'],
      };
      const entry: EntryPoint = { resource: route, label: describe(route), exposure };
      for (const backend of openshiftRouteBackends(route)) {
        walker.fromHost(
          { name: backend.name, namespace: route.ref.namespace ?? 'default' },
          { entry, entryPath: backend.path, entryAuth: null, hops: [{ resource: route, label: entry.label, path: backend.path }], passages: [] },
        );
      }
    }
    for (const reach of rayHeadReaches(inventory)) reaches.push(reach);
    followInverseProxies(inventory, walker);
    return reaches;
  });
}

/** The entry points themselves, for checks that report an exposed object whatever lies behind it. */
export function serviceEntries(inventory: Inventory): readonly EntryPoint[] {
  return inventory.memo('serviceEntries', () =>
    inventory.ofKind('Service').flatMap((service) => {
      if (generatedByApiGateway(inventory, service)) return [];
      const exposure = fromServiceExposure(classifyServiceExposure(service, inventory));
      if (!exposure) return [];
      return [{ resource: service, label: `${describe(service)} (${entryKindText(service)})`, exposure }];
    }),
  );
}

function entryKindText(service: Resource): string {
  const externalIPs = asArray(dig(service.obj, 'spec', 'externalIPs'));
  const type = serviceType(service);
  return externalIPs.length > 0 && type !== 'LoadBalancer' && type !== 'NodePort' ? 'externalIPs' : type;
}

// A Gateway API Gateway's generated Service is reported through the Gateway and its routes.
function generatedByApiGateway(inventory: Inventory, service: Resource): boolean {
  const name = service.labels['gateway.networking.k8s.io/gateway-name'];
  return name !== undefined && inventory.get(API_GATEWAY, service.ref.namespace, name) !== undefined;
}

function openshiftRouteBackends(route: Resource): Array<{ name: string; path: FieldPath }> {
  const out: Array<{ name: string; path: FieldPath }> = [];
  const add = (target: unknown, path: FieldPath) => {
    const object = asObject(target);
    const name = asString(object?.['name']);
    if (name && (asString(object?.['kind']) ?? 'Service') === 'Service') out.push({ name, path });
  };
  add(dig(route.obj, 'spec', 'to'), ['spec', 'to', 'name']);
  asArray(dig(route.obj, 'spec', 'alternateBackends')).forEach((b, i) => add(b, ['spec', 'alternateBackends', i, 'name']));
  return out;
}

interface Trail {
  entry: EntryPoint;
  entryPath: FieldPath;
  entryAuth: EntryAuth | null;
  hops: Hop[];
  passages: GatewayPassage[];
}

class Walker {
  constructor(
    private readonly inventory: Inventory,
    private readonly out: Reach[],
  ) {}

  fromHost(host: ServiceHost, trail: Trail, depth = 0): void {
    const services = servicesForHost(this.inventory, host);
    if (services.length === 0) {
      const unheld = unheldGatewayWorkload(this.inventory, host);
      const label = host.namespace
        ? `Service ${host.namespace}/${host.name}${unheld ? ' (not in the input: created by the mesh installation)' : ''}`
        : `Service ${host.name} (namespace not rendered)`;
      const hops = [...trail.hops, { resource: null, label }];
      const pods = unheld?.pods ?? rayHeadPods(this.inventory, host);
      this.out.push({ ...trail, hops, target: { service: null, namespace: host.namespace, name: host.name, pods } });
      if (unheld) this.throughGateway(unheld, hops, trail, depth);
      return;
    }
    for (const service of services) this.fromService(service, trail, depth);
  }

  /** Records the Service as a target, and when it fronts an ingress gateway, follows the gateway's routes. */
  fromService(service: Resource, trail: Trail, depth = 0): void {
    const isEntry = trail.hops.length === 0;
    const hop: Hop = isEntry ? { resource: service, label: trail.entry.label, path: trail.entryPath } : { resource: service, label: describe(service) };
    if (trail.hops.some((h) => h.resource === service)) return;
    const hops = [...trail.hops, hop];
    const pods = podsBehindService(this.inventory, service);
    this.out.push({ ...trail, hops, target: { service, namespace: service.ref.namespace, name: service.ref.name, pods } });

    const workload = gatewayWorkloadOfService(this.inventory, service);
    if (workload) this.throughGateway(workload, hops, trail, depth);
  }

  /** Follows the Istio Gateways that configure these gateway pods, and their VirtualServices, to their destinations. */
  private throughGateway(workload: GatewayWorkload, hops: Hop[], trail: Trail, depth: number): void {
    if (depth >= MAX_GATEWAY_DEPTH) return;
    const podNamespaces = [...new Set(workload.members.map((m) => m.namespace))];
    for (const gateway of istioGatewaysFor(this.inventory, workload)) {
      for (const vs of virtualServicesBoundTo(this.inventory, gateway, podNamespaces)) {
        const seen = new Set<string>();
        for (const destination of destinationsThrough(this.inventory, vs, gateway)) {
          if (!destination.service) continue;
          const key = `${destination.service.namespace}/${destination.service.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          this.fromHost(
            destination.service,
            {
              ...trail,
              hops: [...hops, { resource: gateway, label: describe(gateway) }, { resource: vs, label: describe(vs), path: destination.path }],
              passages: [...trail.passages, { workload, gateway, route: vs }],
            },
            depth + 1,
          );
        }
      }
    }
  }
}

const RAY_SERVICE_TYPE_PATHS: ReadonlyArray<[string, FieldPath]> = [
  ['RayCluster', ['spec', 'headGroupSpec', 'serviceType']],
  ['RayService', ['spec', 'rayClusterConfig', 'headGroupSpec', 'serviceType']],
  ['RayJob', ['spec', 'rayClusterSpec', 'headGroupSpec', 'serviceType']],
];

/** KubeRay creates the head Service (`<name>-head-svc`) with the type the RayCluster asks for. */
function rayHeadReaches(inventory: Inventory): Reach[] {
  const out: Reach[] = [];
  for (const [kind, typePath] of RAY_SERVICE_TYPE_PATHS) {
    for (const resource of inventory.ofKind(`ray.io/${kind}`)) {
      let type: unknown = resource.obj;
      for (const key of typePath) type = asObject(type)?.[key as string];
      if (typeof type !== 'string' || (type !== 'LoadBalancer' && type !== 'NodePort')) continue;
      const headGroup = typePath.slice(0, -1);
      const exposure = fromServiceExposure(
        classifyServiceShape(
          {
            type,
            spec: {},
            annotations: {},
            status: undefined,
            typePath,
            specPath: () => typePath,
            annotationPath: () => typePath,
          },
          inventory,
        ),
      );
      if (!exposure) continue;
      const label = `${describe(resource)} (head Service ${type})`;
      const entry: EntryPoint = { resource, label, exposure: { ...exposure, detail: `gets a head Service from KubeRay that ${exposure.detail}` } };
      const pods = inventory
        .podTemplates()
        .filter((site) => site.resource === resource && site.labels['ray.io/node-type'] === 'head' && site.path.join('.').startsWith(headGroup.join('.')));
      const name = `${resource.ref.name}-head-svc`;
      out.push({
        entry,
        entryPath: typePath,
        entryAuth: null,
        hops: [{ resource, label, path: typePath }],
        target: { service: null, namespace: resource.ref.namespace, name, pods },
        passages: [],
      });
    }
  }
  return out;
}

/**
 * The head pods behind `<cluster>-head-svc`, the Service KubeRay creates for a RayCluster or RayService:
 * an Ingress or route to it reaches the dashboard of that cluster, with its login settings.
 */
function rayHeadPods(inventory: Inventory, host: ServiceHost): readonly PodTemplateSite[] {
  const cluster = host.name.endsWith('-head-svc') ? host.name.slice(0, -'-head-svc'.length) : null;
  if (!cluster || host.namespace === null) return [];
  const owner = inventory.get('ray.io/RayCluster', host.namespace, cluster) ?? inventory.get('ray.io/RayService', host.namespace, cluster);
  if (!owner) return [];
  return inventory.podTemplates().filter((site) => site.resource === owner && site.labels['ray.io/node-type'] === 'head');
}

const INVERSE_PROXY = /(?:^|\/)ml-pipeline\/inverse-proxy-agent$/;

/**
 * Kubeflow Pipelines standalone on GCP publishes its UI through an inverse proxy agent at
 * `*.pipelines.googleusercontent.com`, behind Google sign-in and IAM.
 */
function followInverseProxies(inventory: Inventory, walker: Walker): void {
  const seen = new Set<PodTemplateSite>();
  for (const container of containersRunning(inventory, INVERSE_PROXY)) {
    // The first such container of a template; not the Pods and ReplicaSets a Deployment made.
    const site = container.pod;
    if (seen.has(site) || site.resource.ref.kind === 'Pod' || site.resource.ref.kind === 'ReplicaSet') continue;
    seen.add(site);
    const path: FieldPath = [...container.path, 'image'];
    const exposure: Reachability = {
      reach: 'public',
      confirmed: true,
      detail: 'runs the Kubeflow Pipelines inverse proxy agent, which publishes the UI on *.pipelines.googleusercontent.com',
      path,
    };
    const entry: EntryPoint = { resource: site.resource, label: `${describe(site.resource)} (inverse proxy)`, exposure };
    const auth: EntryAuth = { mechanism: 'Google sign-in and IAM of the inverse proxy', resource: site.resource, path, login: 'federated' };
    walker.fromHost({ name: 'ml-pipeline-ui', namespace: site.namespace }, { entry, entryPath: path, entryAuth: auth, hops: [{ resource: site.resource, label: entry.label, path }], passages: [] });
  }
}
