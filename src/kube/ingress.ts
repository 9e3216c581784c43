import { asArray, asObject, asString, dig } from '../core/json.js';
import type { FieldPath, Inventory, Resource } from '../core/types.js';
import type { EntryAuth } from './entry-auth.js';
import { isPlaceholder } from './hosts.js';
import type { Reachability } from './reachability.js';
import { classifyRanges, classifyServiceExposure, splitRanges } from './service-exposure.js';
import { isPrivateAddress } from './cidr.js';

export const INGRESS = 'Ingress';

export interface IngressBackend {
  serviceName: string;
  namespace: string;
  /** Field path of the backend's Service name in the Ingress. */
  path: FieldPath;
}

/**
 * Services an Ingress sends traffic to, in both API shapes: `backend.service.name` (networking.k8s.io/v1)
 * and `backend.serviceName` (extensions/v1beta1, networking.k8s.io/v1beta1). An Ingress can only name
 * Services in its own namespace.
 */
export function ingressBackends(ingress: Resource): IngressBackend[] {
  const namespace = ingress.ref.namespace ?? 'default';
  const out: IngressBackend[] = [];
  const add = (backend: unknown, at: FieldPath) => {
    const object = asObject(backend);
    if (!object) return;
    const v1 = asString(dig(object, 'service', 'name'));
    if (v1 && !isPlaceholder(v1)) out.push({ serviceName: v1, namespace, path: [...at, 'service', 'name'] });
    const legacy = asString(object['serviceName']);
    if (legacy && !isPlaceholder(legacy)) out.push({ serviceName: legacy, namespace, path: [...at, 'serviceName'] });
  };
  add(dig(ingress.obj, 'spec', 'defaultBackend'), ['spec', 'defaultBackend']);
  add(dig(ingress.obj, 'spec', 'backend'), ['spec', 'backend']);
  asArray(dig(ingress.obj, 'spec', 'rules')).forEach((rule, r) => {
    asArray(dig(rule, 'http', 'paths')).forEach((entry, p) => add(asObject(entry)?.['backend'], ['spec', 'rules', r, 'http', 'paths', p, 'backend']));
  });
  return out;
}

const CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
const ALB_SCHEME = 'alb.ingress.kubernetes.io/scheme';
const ALB_CIDRS = 'alb.ingress.kubernetes.io/inbound-cidrs';
const NGINX_RANGES = ['nginx.ingress.kubernetes.io/whitelist-source-range', 'nginx.ingress.kubernetes.io/allowlist-source-range'];
const INTERNAL_CLASSES = new Set(['gce-internal']);

interface IngressClassInfo {
  name: string | null;
  controller: string | null;
  classObject: Resource | null;
}

function ingressClass(inventory: Inventory, ingress: Resource): IngressClassInfo {
  const named = asString(dig(ingress.obj, 'spec', 'ingressClassName')) ?? ingress.annotations[CLASS_ANNOTATION] ?? null;
  const classes = inventory.ofKind('IngressClass');
  const classObject = named
    ? (classes.find((c) => c.ref.name === named) ?? null)
    : (classes.find((c) => c.annotations['ingressclass.kubernetes.io/is-default-class'] === 'true') ?? null);
  return {
    name: named ?? classObject?.ref.name ?? null,
    controller: classObject ? asString(dig(classObject.obj, 'spec', 'controller')) : null,
    classObject,
  };
}

/**
 * How far an Ingress reaches. It exists to take outside traffic, so it is public unless something says
 * otherwise: the AWS Load Balancer Controller's scheme (internal unless `internet-facing`), GKE's
 * `gce-internal` class, source-range allowlists, private load balancer addresses (live), or an
 * ingress-nginx controller whose own Services are all internal.
 */
export function classifyIngress(inventory: Inventory, ingress: Resource): Reachability {
  const cls = ingressClass(inventory, ingress);
  const classText = cls.name ? `ingress class ${cls.name}` : 'no ingress class';
  const annotations = ingress.annotations;

  if (cls.name === 'alb' || cls.controller === 'ingress.k8s.aws/alb') return classifyAlb(inventory, ingress, cls);
  if (cls.name && INTERNAL_CLASSES.has(cls.name)) {
    return { reach: 'private', confirmed: true, detail: `is internal (${classText})`, path: classPath(ingress) };
  }
  const statusAddresses = asArray(dig(ingress.obj, 'status', 'loadBalancer', 'ingress')).flatMap((e) => {
    const ip = asString(asObject(e)?.['ip']);
    return ip ? [ip] : [];
  });
  if (statusAddresses.length > 0 && statusAddresses.every(isPrivateAddress)) {
    return { reach: 'private', confirmed: true, detail: `has only private addresses (${statusAddresses.join(', ')})`, path: ['status', 'loadBalancer', 'ingress'] };
  }
  for (const key of NGINX_RANGES) {
    const ranges = splitRanges(annotations[key]);
    if (ranges.length === 0) continue;
    const restriction = classifyRanges(ranges);
    const path: FieldPath = ['metadata', 'annotations', key];
    if (restriction.reach === 'private') return { reach: 'private', confirmed: true, detail: `routes outside traffic (${classText}) from private source ranges only (${ranges.join(', ')})`, path };
    if (restriction.reach === 'limited') return { reach: 'limited', confirmed: true, detail: `routes outside traffic (${classText}) from public source ranges ${restriction.ranges.join(', ')} only`, path };
    return { reach: 'public', confirmed: true, detail: `routes outside traffic (${classText}) open to ${restriction.ranges.join(', ')}`, path };
  }
  const controller = nginxControllerReach(inventory, cls);
  if (controller) return { ...controller, path: classPath(ingress), detail: `routes traffic (${classText}) through ${controller.detail}` };
  return { reach: 'public', confirmed: true, detail: `routes outside traffic (${classText})`, path: classPath(ingress) };
}

function classPath(ingress: Resource): FieldPath {
  if (asString(dig(ingress.obj, 'spec', 'ingressClassName'))) return ['spec', 'ingressClassName'];
  if (ingress.annotations[CLASS_ANNOTATION] !== undefined) return ['metadata', 'annotations', CLASS_ANNOTATION];
  return ['spec'];
}

function classifyAlb(inventory: Inventory, ingress: Resource, cls: IngressClassInfo): Reachability {
  // IngressClassParams override the Ingress's own annotations.
  const params = albParams(inventory, cls);
  const schemeAnnotation = ingress.annotations[ALB_SCHEME];
  const scheme = asString(params?.['scheme']) ?? schemeAnnotation ?? null;
  const schemePath: FieldPath = schemeAnnotation !== undefined ? ['metadata', 'annotations', ALB_SCHEME] : classPath(ingress);
  if (scheme !== null && isPlaceholder(scheme)) {
    return { reach: 'public', confirmed: false, detail: `makes an ALB whose scheme is an unrendered placeholder (${scheme})`, path: schemePath };
  }
  if (scheme?.trim().toLowerCase() !== 'internet-facing') {
    const why = scheme === null ? 'no alb.ingress.kubernetes.io/scheme, and the AWS Load Balancer Controller defaults to internal' : `scheme ${scheme}`;
    return { reach: 'private', confirmed: true, detail: `makes an internal ALB (${why})`, path: schemePath };
  }
  const cidrs = asArray(params?.['inboundCIDRs']).flatMap((c) => (typeof c === 'string' ? [c] : []));
  const ranges = cidrs.length > 0 ? cidrs : splitRanges(ingress.annotations[ALB_CIDRS]);
  const restriction = classifyRanges(ranges);
  const rangesPath: FieldPath = ['metadata', 'annotations', ALB_CIDRS];
  if (ranges.length > 0 && restriction.reach === 'private') {
    return { reach: 'private', confirmed: true, detail: `makes an internet-facing ALB for private ranges only (${ranges.join(', ')})`, path: rangesPath };
  }
  if (restriction.reach === 'limited') {
    return { reach: 'limited', confirmed: true, detail: `makes an internet-facing ALB for public ranges ${restriction.ranges.join(', ')} only`, path: rangesPath };
  }
  return { reach: 'public', confirmed: true, detail: 'makes an internet-facing ALB', path: schemePath };
}

function albParams(inventory: Inventory, cls: IngressClassInfo): Record<string, unknown> | null {
  const parameters = asObject(dig(cls.classObject?.obj, 'spec', 'parameters'));
  const name = asString(parameters?.['name']);
  if (!name || parameters?.['kind'] !== 'IngressClassParams') return null;
  // Cluster-scoped, but not every loader knows that: match by name alone.
  const found = inventory.ofKind('elbv2.k8s.aws/IngressClassParams').find((p) => p.ref.name === name);
  return asObject(dig(found?.obj, 'spec'));
}

// ingress-nginx publishes Ingresses through its controller's Service: when that Service is in the input
// and is internal (or ClusterIP), so is every Ingress it serves.
function nginxControllerReach(inventory: Inventory, cls: IngressClassInfo): Omit<Reachability, 'path'> | null {
  const isNginx = cls.name === 'nginx' || cls.controller === 'k8s.io/ingress-nginx';
  if (!isNginx) return null;
  const controllerPods = inventory.podTemplatesMatching(null, { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' });
  const services = new Set(controllerPods.flatMap((pod) => inventory.servicesSelecting(pod)));
  if (services.size === 0) return null;
  const exposures = [...services].map((service) => ({ service, exposure: classifyServiceExposure(service, inventory) }));
  const open = exposures.find((e) => e.exposure.reach === 'public' || e.exposure.reach === 'limited');
  if (open) return null;
  const names = [...services].map((s) => `${s.ref.namespace}/${s.ref.name}`).join(', ');
  return { reach: 'private', confirmed: true, detail: `an ingress-nginx controller whose Services (${names}) are not reachable from the internet` };
}

const BACKEND_CONFIG_ANNOTATIONS = ['cloud.google.com/backend-config', 'beta.cloud.google.com/backend-config'];

/**
 * Authentication the Ingress's load balancer or controller enforces: ALB Cognito/OIDC, ingress-nginx
 * external or basic auth, or Google IAP through the backend Service's BackendConfig.
 */
export function ingressAuth(inventory: Inventory, ingress: Resource, backend: Resource | null, named?: { namespace: string; name: string }): EntryAuth | null {
  const a = ingress.annotations;
  const albAuth = a['alb.ingress.kubernetes.io/auth-type']?.trim().toLowerCase();
  if (albAuth === 'cognito' || albAuth === 'oidc') {
    return { mechanism: `ALB ${albAuth === 'cognito' ? 'Cognito' : 'OIDC'} authentication`, resource: ingress, path: ['metadata', 'annotations', 'alb.ingress.kubernetes.io/auth-type'], login: 'federated' };
  }
  if (a['nginx.ingress.kubernetes.io/auth-url']) {
    return { mechanism: 'ingress-nginx external authentication (auth-url)', resource: ingress, path: ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/auth-url'], login: 'unknown' };
  }
  const nginxType = a['nginx.ingress.kubernetes.io/auth-type']?.trim().toLowerCase();
  if (nginxType === 'basic' || nginxType === 'digest') {
    return { mechanism: `ingress-nginx ${nginxType} authentication`, resource: ingress, path: ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/auth-type'], login: 'shared-password' };
  }
  if (backend) return iapOnService(inventory, backend);
  return named ? iapOnUnheldService(inventory, named.namespace, named.name) : null;
}

/**
 * Google IAP in front of a Service the input does not hold (a managed mesh's ingress gateway): the
 * IstioOperator that creates it names the BackendConfig in its service annotations; without one, an
 * IAP BackendConfig in that namespace can only be there for such a Service.
 */
export function iapOnUnheldService(inventory: Inventory, namespace: string, name: string): EntryAuth | null {
  for (const operator of inventory.ofKind('install.istio.io/IstioOperator')) {
    for (const gateway of asArray(dig(operator.obj, 'spec', 'components', 'ingressGateways'))) {
      const object = asObject(gateway);
      if (asString(object?.['name']) !== name || (asString(object?.['namespace']) ?? 'istio-system') !== namespace) continue;
      const annotations = asObject(dig(object, 'k8s', 'serviceAnnotations')) ?? {};
      for (const key of BACKEND_CONFIG_ANNOTATIONS) {
        const text = asString(annotations[key]);
        for (const configName of text ? backendConfigNames(text) : []) {
          const config = inventory.get('cloud.google.com/BackendConfig', namespace, configName);
          if (config && dig(config.obj, 'spec', 'iap', 'enabled') === true) {
            return { mechanism: `Google IAP (BackendConfig ${namespace}/${configName}, named by IstioOperator ${operator.ref.namespace ?? ''}/${operator.ref.name})`, resource: config, path: ['spec', 'iap', 'enabled'], login: 'federated' };
          }
        }
      }
    }
  }
  // A BackendConfig that some Service in the input names is that Service's.
  const named = new Set(
    inventory
      .inNamespace('Service', namespace)
      .flatMap((service) => BACKEND_CONFIG_ANNOTATIONS.flatMap((key) => (service.annotations[key] ? backendConfigNames(service.annotations[key]) : []))),
  );
  const config = inventory
    .inNamespace('cloud.google.com/BackendConfig', namespace)
    .find((c) => !named.has(c.ref.name) && dig(c.obj, 'spec', 'iap', 'enabled') === true);
  if (!config) return null;
  return {
    mechanism: `Google IAP (BackendConfig ${namespace}/${config.ref.name}, for the Service the mesh installation creates)`,
    resource: config,
    path: ['spec', 'iap', 'enabled'],
    login: 'federated',
  };
}

/** Google IAP in front of a Service: a BackendConfig (named by the Service's annotation) or GCPBackendPolicy with IAP enabled. */
export function iapOnService(inventory: Inventory, service: Resource): EntryAuth | null {
  const namespace = service.ref.namespace ?? 'default';
  for (const key of BACKEND_CONFIG_ANNOTATIONS) {
    const text = service.annotations[key];
    if (!text) continue;
    for (const name of backendConfigNames(text)) {
      const config = inventory.get('cloud.google.com/BackendConfig', namespace, name);
      if (config && dig(config.obj, 'spec', 'iap', 'enabled') === true) {
        return { mechanism: `Google IAP (BackendConfig ${namespace}/${name})`, resource: config, path: ['spec', 'iap', 'enabled'], login: 'federated' };
      }
    }
  }
  for (const policy of inventory.inNamespace('networking.gke.io/GCPBackendPolicy', namespace)) {
    const target = asObject(dig(policy.obj, 'spec', 'targetRef'));
    if (target?.['kind'] === 'Service' && target['name'] === service.ref.name && dig(policy.obj, 'spec', 'default', 'iap', 'enabled') === true) {
      return { mechanism: `Google IAP (GCPBackendPolicy ${namespace}/${policy.ref.name})`, resource: policy, path: ['spec', 'default', 'iap', 'enabled'], login: 'federated' };
    }
  }
  return null;
}

function backendConfigNames(text: string): string[] {
  try {
    const parsed = asObject(JSON.parse(text));
    if (!parsed) return [];
    const names = [asString(parsed['default'])];
    for (const value of Object.values(asObject(parsed['ports']) ?? {})) names.push(asString(value));
    return names.filter((n): n is string => n !== null);
  } catch {
    return [];
  }
}
