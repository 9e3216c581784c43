// Cluster objects for probe tests: Kubeflow behind its Istio ingress gateway, with the load balancer's
// status (or a node's ExternalIP) pointing at a loopback imitation. Loopback IP addresses are private to
// kfscan's exposure logic, so those entries are "private" findings; a load balancer given the hostname
// `localhost` (as AWS gives hostnames) is "public", since a hostname cannot be judged without DNS.

export interface PortSpec {
  name: string;
  port: number;
  nodePort?: number;
}

export type LoadBalancerAddress = { ip: string } | { hostname: string } | null;

const GATEWAY_LABELS = { app: 'istio-ingressgateway', istio: 'ingressgateway' };

function deployment(namespace: string, name: string, labels: Record<string, string>, image: string): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name, image }] } } },
  };
}

/** The dashboard's Deployment and ClusterIP Service, as Kubeflow ships them. */
function dashboard(type = 'ClusterIP', ports: readonly PortSpec[] = [{ name: 'http', port: 80 }]): unknown[] {
  return [
    deployment('kubeflow', 'centraldashboard', { app: 'centraldashboard' }, 'ghcr.io/kubeflow/kubeflow/central-dashboard:v1.10.0'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'centraldashboard', namespace: 'kubeflow' },
      spec: { type, selector: { app: 'centraldashboard' }, ports: ports.map((p) => ({ ...p, targetPort: 8082 })) },
    },
  ];
}

/**
 * oidc-authservice's ext_authz filter on the gateway pods, as Kubeflow up to 1.8 installs it: the static
 * analysis counts it as authentication, whatever the gateway actually does.
 */
const AUTHSERVICE_FILTER = {
  apiVersion: 'networking.istio.io/v1alpha3',
  kind: 'EnvoyFilter',
  metadata: { name: 'authn-filter', namespace: 'istio-system' },
  spec: {
    workloadSelector: { labels: { istio: 'ingressgateway' } },
    configPatches: [
      {
        applyTo: 'HTTP_FILTER',
        match: { context: 'GATEWAY' },
        patch: {
          operation: 'INSERT_BEFORE',
          value: {
            name: 'envoy.filters.http.ext_authz',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz',
              http_service: { server_uri: { uri: 'http://authservice.istio-system.svc.cluster.local', cluster: 'outbound|8080||authservice.istio-system.svc.cluster.local', timeout: '10s' } },
            },
          },
        },
      },
    ],
  },
};

/**
 * The 2021 shape: istio-ingressgateway as a LoadBalancer whose status holds `address`, kubeflow-gateway
 * and the dashboard's VirtualService behind it, and no authentication object at all (or, with
 * `authservice`, oidc-authservice's filter).
 */
export function kubeflowBehindGateway(
  address: LoadBalancerAddress,
  ports: readonly PortSpec[],
  options: { virtualServiceHosts?: string[]; authservice?: boolean; gatewayAnnotations?: Record<string, string> } = {},
): unknown[] {
  return [
    ...(options.authservice ? [AUTHSERVICE_FILTER] : []),
    deployment('istio-system', 'istio-ingressgateway', GATEWAY_LABELS, 'docker.io/istio/proxyv2:1.22.1'),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'istio-ingressgateway', namespace: 'istio-system', annotations: options.gatewayAnnotations ?? {} },
      spec: { type: 'LoadBalancer', selector: GATEWAY_LABELS, ports: ports.map((p) => ({ ...p, targetPort: 8080 })) },
      status: { loadBalancer: { ingress: address ? [address] : [] } },
    },
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'Gateway',
      metadata: { name: 'kubeflow-gateway', namespace: 'kubeflow' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
    },
    {
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'VirtualService',
      metadata: { name: 'centraldashboard', namespace: 'kubeflow' },
      spec: {
        gateways: ['kubeflow-gateway'],
        hosts: options.virtualServiceHosts ?? ['*'],
        http: [{ match: [{ uri: { prefix: '/' } }], route: [{ destination: { host: 'centraldashboard.kubeflow.svc.cluster.local', port: { number: 80 } } }] }],
      },
    },
    ...dashboard(),
  ];
}

/** The dashboard's own Service switched to NodePort, past the gateway, on a node whose ExternalIP is `nodeIp`. */
export function dashboardOnNodePort(nodeIp: string, nodePort: number): unknown[] {
  return [
    ...dashboard('NodePort', [{ name: 'http', port: 80, nodePort }]),
    {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'worker-1' },
      status: { addresses: [{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'ExternalIP', address: nodeIp }] },
    },
  ];
}
