import { unionOfKinds } from '../core/kinds.js';
import type { KindName } from '../core/types.js';
import { POD_TEMPLATE_KINDS } from '../inventory/pod-template-kinds.js';

/**
 * Kinds the entry graph reads: Services and the pods behind them (every pod-bearing kind), nodes (NodePort reachability), Istio
 * Gateways and VirtualServices, Ingresses with their classes and GKE/AWS parameters, Gateway API
 * gateways and routes, OpenShift Routes, KubeRay clusters. Checks built on the graph list these.
 */
export const EXPOSURE_NEEDS: KindName[] = unionOfKinds([
  'Service',
  'Node',
  'Namespace',
  'networking.istio.io/Gateway',
  'networking.istio.io/VirtualService',
  'networking.k8s.io/Ingress',
  'networking.k8s.io/IngressClass',
  'elbv2.k8s.aws/IngressClassParams',
  'cloud.google.com/BackendConfig',
  'networking.gke.io/GCPBackendPolicy',
  'gateway.networking.k8s.io/Gateway',
  'gateway.networking.k8s.io/GatewayClass',
  'gateway.networking.k8s.io/HTTPRoute',
  'gateway.networking.k8s.io/GRPCRoute',
  'gateway.networking.k8s.io/TLSRoute',
  'gateway.networking.k8s.io/TCPRoute',
  'gateway.networking.k8s.io/UDPRoute',
  'gateway.networking.k8s.io/ReferenceGrant',
  'route.openshift.io/Route',
  'ray.io/RayCluster',
  'ray.io/RayService',
  'ray.io/RayJob',
  // The mesh configuration, for the ingress gateways it names.
  'ConfigMap',
  'install.istio.io/IstioOperator',
], POD_TEMPLATE_KINDS);

/** The graph's kinds plus what decides the authentication at Istio gateways (policies and the mesh config). */
export const GATEWAY_AUTH_NEEDS: KindName[] = [
  ...EXPOSURE_NEEDS,
  'networking.istio.io/EnvoyFilter',
  'security.istio.io/AuthorizationPolicy',
  'security.istio.io/RequestAuthentication',
  'ConfigMap',
  'install.istio.io/IstioOperator',
];
