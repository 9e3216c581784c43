import type { FieldPath, Inventory, Resource } from '../core/types.js';
import { asObject } from '../core/json.js';
import { classifyCidr, isPrivateAddress } from './cidr.js';

export type ServiceExposure =
  /**
   * Reachable from the internet as far as the cluster can tell. `confirmed` is false for a NodePort when
   * the nodes' addresses are unknown (offline input without Node objects).
   */
  | { reach: 'public'; via: 'load-balancer' | 'external-ips' | 'node-port'; path: FieldPath; detail: string; confirmed: boolean }
  /** Reachable only from a limited set of public addresses. */
  | { reach: 'limited'; via: 'load-balancer'; path: FieldPath; detail: string }
  /** Reachable from outside the cluster but only on private networks (internal LB, private ranges, nodes without public IPs). */
  | { reach: 'private'; via: 'load-balancer' | 'node-port'; path: FieldPath; detail: string }
  | { reach: 'cluster' };

// Cloud annotations that make a LoadBalancer internal; values compared case-insensitively.
const INTERNAL_ANNOTATIONS: ReadonlyArray<[string, readonly string[]]> = [
  ['service.beta.kubernetes.io/aws-load-balancer-internal', ['true', '0.0.0.0/0']],
  ['service.beta.kubernetes.io/aws-load-balancer-scheme', ['internal']],
  ['networking.gke.io/load-balancer-type', ['internal']],
  ['cloud.google.com/load-balancer-type', ['internal']],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', ['true']],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', ['true']],
  ['oci-network-load-balancer.oraclecloud.com/internal', ['true']],
  ['service.beta.kubernetes.io/openstack-internal-load-balancer', ['true']],
  ['service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type', ['private']],
  ['service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type', ['intranet']],
];
const INTERNAL_LB_CLASSES = new Set(['networking.gke.io/l4-regional-internal']);
const AWS_SCHEME = 'service.beta.kubernetes.io/aws-load-balancer-scheme';
const AWS_TYPE = 'service.beta.kubernetes.io/aws-load-balancer-type';
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';

/**
 * What exposure depends on, wherever it is written: a Service, or the Service a controller will create
 * for a Gateway API Gateway or a RayCluster head (type and annotations then sit on that object).
 */
export interface ServiceShape {
  type: string;
  spec: Record<string, unknown>;
  annotations: Readonly<Record<string, string>>;
  status: unknown;
  typePath: FieldPath;
  specPath(field: string): FieldPath;
  annotationPath(key: string): FieldPath;
}

export function serviceShape(service: Resource): ServiceShape {
  const spec = asObject(service.obj['spec']) ?? {};
  return {
    type: typeof spec['type'] === 'string' ? spec['type'] : 'ClusterIP',
    spec,
    annotations: service.annotations,
    status: service.obj['status'],
    typePath: ['spec', 'type'],
    specPath: (field) => ['spec', field],
    annotationPath: (key) => ['metadata', 'annotations', key],
  };
}

/**
 * How far a Service reaches, from its type, external IPs, cloud annotations, source ranges and (live)
 * the addresses its load balancer got. Firewalls outside the cluster are invisible, so "public" means
 * "nothing in the cluster limits it".
 */
export function classifyServiceExposure(service: Resource, inventory: Inventory): ServiceExposure {
  return classifyServiceShape(serviceShape(service), inventory);
}

export function classifyServiceShape(shape: ServiceShape, inventory: Inventory): ServiceExposure {
  const { spec, type } = shape;
  const externalIPs = Array.isArray(spec['externalIPs']) ? spec['externalIPs'].filter((ip) => typeof ip === 'string') : [];
  if (externalIPs.length > 0) {
    const publicIps = externalIPs.filter((ip) => !isPrivateAddress(ip));
    if (publicIps.length > 0) {
      return { reach: 'public', via: 'external-ips', path: shape.specPath('externalIPs'), detail: `has externalIPs ${publicIps.join(', ')}`, confirmed: true };
    }
  }
  if (type === 'LoadBalancer') return classifyLoadBalancer(shape);
  if (type === 'NodePort') return classifyNodePort(shape, inventory);
  return { reach: 'cluster' };
}

function classifyLoadBalancer(shape: ServiceShape): ServiceExposure {
  const path = shape.typePath;
  const internal = internalReason(shape);
  if (internal) return { reach: 'private', via: 'load-balancer', path: internal.path, detail: `is an internal LoadBalancer (${internal.text})` };

  const ingress = asObject(asObject(shape.status)?.['loadBalancer'])?.['ingress'];
  const addresses = Array.isArray(ingress)
    ? ingress.flatMap((entry) => (typeof asObject(entry)?.['ip'] === 'string' ? [asObject(entry)!['ip'] as string] : []))
    : [];
  const hostnames = Array.isArray(ingress) ? ingress.filter((entry) => typeof asObject(entry)?.['hostname'] === 'string') : [];
  if (addresses.length > 0 && hostnames.length === 0 && addresses.every(isPrivateAddress)) {
    return { reach: 'private', via: 'load-balancer', path: ['status', 'loadBalancer', 'ingress'], detail: `is a LoadBalancer with only private addresses (${addresses.join(', ')})` };
  }

  const { ranges, rangesPath } = sourceRanges(shape);
  const restriction = classifyRanges(ranges);
  if (restriction.reach === 'public') {
    return {
      reach: 'public',
      via: 'load-balancer',
      path: ranges.length === 0 ? path : rangesPath,
      detail: ranges.length === 0 ? 'is type LoadBalancer with no source ranges' : `is type LoadBalancer open to ${restriction.ranges.join(', ')}`,
      confirmed: true,
    };
  }
  if (restriction.reach === 'private') {
    return { reach: 'private', via: 'load-balancer', path: rangesPath, detail: `is a LoadBalancer restricted to private source ranges (${ranges.join(', ')})` };
  }
  return { reach: 'limited', via: 'load-balancer', path: rangesPath, detail: `is a LoadBalancer restricted to public source ranges ${restriction.ranges.join(', ')}` };
}

/**
 * What a list of allowed source ranges leaves open: everything (no list, or a wide range in it), only
 * private networks, or a few public networks (returned in `ranges`).
 */
export function classifyRanges(ranges: readonly string[]): { reach: 'public' | 'limited' | 'private'; ranges: string[] } {
  if (ranges.length === 0) return { reach: 'public', ranges: [] };
  const wide = ranges.filter((range) => classifyCidr(range) === 'wide');
  if (wide.length > 0) return { reach: 'public', ranges: wide };
  if (ranges.every((range) => classifyCidr(range) === 'private' || classifyCidr(range) === 'invalid')) return { reach: 'private', ranges: [...ranges] };
  return { reach: 'limited', ranges: ranges.filter((range) => classifyCidr(range) === 'narrow-public') };
}

function classifyNodePort(shape: ServiceShape, inventory: Inventory): ServiceExposure {
  const { spec } = shape;
  const ports = Array.isArray(spec['ports']) ? spec['ports'] : [];
  const nodePorts = ports.flatMap((port) => (typeof asObject(port)?.['nodePort'] === 'number' ? [asObject(port)!['nodePort'] as number] : []));
  const portText = nodePorts.length > 0 ? ` ${nodePorts.join(', ')}` : 's assigned by the cluster';
  const nodes = inventory.ofKind('Node');
  if (nodes.length > 0 && inventory.readability('Node').state === 'readable') {
    const withPublicAddress = nodes.filter(hasPublicNodeAddress);
    if (withPublicAddress.length === 0) {
      return { reach: 'private', via: 'node-port', path: shape.typePath, detail: `is type NodePort (port${portText}) but no node has an external address` };
    }
    return {
      reach: 'public',
      via: 'node-port',
      path: shape.typePath,
      detail: `is type NodePort (port${portText}) and ${withPublicAddress.length} node${withPublicAddress.length === 1 ? ' has' : 's have'} an external address`,
      confirmed: true,
    };
  }
  return {
    reach: 'public',
    via: 'node-port',
    path: ['spec', 'type'],
    detail: `is type NodePort (port${portText} on every node; internet-facing wherever nodes have public addresses)`,
    confirmed: false,
  };
}

function hasPublicNodeAddress(node: Resource): boolean {
  const addresses = asObject(node.obj['status'])?.['addresses'];
  if (!Array.isArray(addresses)) return false;
  return addresses.some((entry) => {
    const address = asObject(entry);
    return address?.['type'] === 'ExternalIP' && typeof address['address'] === 'string' && !isPrivateAddress(address['address']);
  });
}

function internalReason(shape: ServiceShape): { text: string; path: FieldPath } | null {
  const { annotations, spec } = shape;
  for (const [annotation, values] of INTERNAL_ANNOTATIONS) {
    const value = annotations[annotation];
    if (value !== undefined && values.includes(value.trim().toLowerCase())) return { text: `${annotation}: ${value}`, path: shape.typePath };
  }
  const lbClass = typeof spec['loadBalancerClass'] === 'string' ? spec['loadBalancerClass'] : null;
  if (lbClass && INTERNAL_LB_CLASSES.has(lbClass)) return { text: `loadBalancerClass ${lbClass}`, path: shape.typePath };
  // The AWS Load Balancer Controller makes NLBs internal unless the scheme says internet-facing (v2.2+).
  const awsType = annotations[AWS_TYPE]?.trim().toLowerCase();
  const awsController = lbClass === 'service.k8s.aws/nlb' || awsType === 'external' || awsType === 'nlb-ip';
  if (awsController && annotations[AWS_SCHEME] === undefined) {
    return { text: 'AWS Load Balancer Controller without an internet-facing scheme', path: shape.typePath };
  }
  return null;
}

function sourceRanges(shape: ServiceShape): { ranges: string[]; rangesPath: FieldPath } {
  const { spec } = shape;
  const fromSpec = Array.isArray(spec['loadBalancerSourceRanges'])
    ? spec['loadBalancerSourceRanges'].filter((range): range is string => typeof range === 'string' && range.trim() !== '')
    : [];
  if (fromSpec.length > 0) return { ranges: fromSpec.map((r) => r.trim()), rangesPath: shape.specPath('loadBalancerSourceRanges') };
  const annotation = shape.annotations[SOURCE_RANGES_ANNOTATION];
  return { ranges: splitRanges(annotation), rangesPath: shape.annotationPath(SOURCE_RANGES_ANNOTATION) };
}

/** A comma-separated list of CIDRs, as annotations hold them. */
export function splitRanges(text: string | undefined): string[] {
  return text ? text.split(',').map((r) => r.trim()).filter(Boolean) : [];
}
