// Deterministic live cluster for the benchmark: the objects a Kubeflow cluster of P pods holds, in the
// proportions and sizes of real ones (the same seed gives the same objects). Pods are owned by ReplicaSets,
// StatefulSets, DaemonSets, Jobs and Argo Workflows; Kubeflow user namespaces run Istio sidecars, so their
// pods are as large as real ones; every object carries managedFields as the API server keeps them.
import { mulberry32 } from './corpus.mjs';

/** Custom resource APIs a Kubeflow cluster with kube-prometheus has installed, objects or not. */
export const INSTALLED_APIS = [
  'networking.istio.io/Gateway',
  'networking.istio.io/VirtualService',
  'networking.istio.io/DestinationRule',
  'networking.istio.io/EnvoyFilter',
  'security.istio.io/AuthorizationPolicy',
  'security.istio.io/RequestAuthentication',
  'security.istio.io/PeerAuthentication',
  'argoproj.io/Workflow',
  'argoproj.io/WorkflowTemplate',
  'argoproj.io/ClusterWorkflowTemplate',
  'argoproj.io/CronWorkflow',
  'kubeflow.org/Notebook',
  'kubeflow.org/Profile',
  'kubeflow.org/ScheduledWorkflow',
  'kubeflow.org/Experiment',
  'kubeflow.org/TFJob',
  'kubeflow.org/PyTorchJob',
  'kubeflow.org/PodDefault',
  'serving.kserve.io/InferenceService',
  'monitoring.coreos.com/Prometheus',
  'monitoring.coreos.com/Alertmanager',
  'monitoring.coreos.com/ServiceMonitor',
  'monitoring.coreos.com/PodMonitor',
  'monitoring.coreos.com/PrometheusRule',
  'gateway.networking.k8s.io/Gateway',
  'gateway.networking.k8s.io/HTTPRoute',
  'gateway.networking.k8s.io/GatewayClass',
];

const BASE_TIME = Date.UTC(2026, 0, 5, 8, 0, 0);
const APP_IMAGES = [
  'registry.example.com/shop/api:1.4.2',
  'registry.example.com/shop/web:2.0.7',
  'registry.example.com/data/etl:0.31.0',
  'nginx:1.27.3',
  'redis:7.2.5-alpine',
  'ghcr.io/example/worker:0.9.1',
  'quay.io/prometheus/node-exporter:v1.8.2',
];
const ML_IMAGES = ['tensorflow/tensorflow:2.16.1-gpu', 'pytorch/pytorch:2.3.1-cuda12.1-cudnn8-runtime', 'tensorflow/tensorflow:latest-gpu', 'kubeflownotebookswg/jupyter-scipy:v1.9.2'];
const ISTIO_PROXY = 'docker.io/istio/proxyv2:1.24.3';
const NODE_IMAGES = 48;
const DAEMONSETS = [
  ['kube-system', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.31.4'],
  ['kube-system', 'ebs-csi-node', 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.37.0'],
  ['kube-system', 'aws-node', '602401143452.dkr.ecr.us-west-2.amazonaws.com/amazon-k8s-cni:v1.19.0'],
  ['monitoring', 'node-exporter', 'quay.io/prometheus/node-exporter:v1.8.2'],
  ['logging', 'fluent-bit', 'cr.fluentbit.io/fluent/fluent-bit:3.2.2'],
];

/**
 * `{ objects, installed }` for a cluster of about `pods` pods: every kind kfscan's checks read, in the
 * proportions of a real cluster of that size.
 */
export function generateCluster({ pods = 5_000, seed = 2021 } = {}) {
  const g = new Generator(seed);
  const scale = (per) => Math.max(1, Math.round(pods / per));

  const nodes = scale(40);
  const profiles = scale(50);
  const nodeNames = Array.from({ length: nodes }, (_, i) => `ip-10-${20 + (i % 200)}-${(i * 7) % 250}-${i % 250}.us-west-2.compute.internal`);
  for (let i = 0; i < nodes; i++) g.node(nodeNames[i], i);

  const system = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'istio-system', 'auth', 'cert-manager', 'kubeflow', 'knative-serving', 'monitoring', 'logging'];
  for (const ns of system) g.namespace(ns, ns === 'kubeflow' ? { 'istio-injection': 'enabled' } : {});
  const userNamespaces = Array.from({ length: profiles }, (_, i) => `kubeflow-user-${String(i).padStart(4, '0')}`);
  const teamNamespaces = Array.from({ length: scale(100) }, (_, i) => `team-${String(i).padStart(3, '0')}`);
  for (const ns of userNamespaces) {
    g.namespace(ns, { 'istio-injection': 'enabled', 'app.kubernetes.io/part-of': 'kubeflow-profile', 'katib.kubeflow.org/metrics-collector-injection': 'enabled', 'pipelines.kubeflow.org/enabled': 'true', 'serving.kubeflow.org/inferenceservice': 'enabled' });
    g.profile(ns);
  }
  for (const ns of teamNamespaces) g.namespace(ns, {});
  for (const ns of [...system, ...userNamespaces, ...teamNamespaces]) g.namespaceBasics(ns, userNamespaces.includes(ns));

  // Node agents: one pod per DaemonSet per node.
  for (const [ns, name, image] of DAEMONSETS) g.daemonSet(ns, name, image, nodeNames);

  // Pipeline runs: Argo Workflows with their step pods (10% of pods), most finished.
  const workflows = scale(40);
  for (let i = 0; i < workflows; i++) g.workflow(userNamespaces[i % profiles], i, nodeNames);
  for (let i = 0; i < scale(250); i++) g.scheduledWorkflow(userNamespaces[i % profiles], i);
  for (let i = 0; i < scale(500); i++) g.experiment(userNamespaces[i % profiles], i);
  for (let i = 0; i < scale(1000); i++) g.workflowTemplate(userNamespaces[i % profiles], i);

  // Notebooks: one StatefulSet with one pod each, a Service and a VirtualService.
  for (let i = 0; i < scale(100); i++) g.notebook(userNamespaces[i % profiles], i, nodeNames);
  for (let i = 0; i < scale(250); i++) g.inferenceService(userNamespaces[i % profiles], i);
  for (let i = 0; i < scale(100); i++) g.job(teamNamespaces[i % teamNamespaces.length], i, nodeNames);
  for (let i = 0; i < scale(250); i++) g.cronJob(teamNamespaces[i % teamNamespaces.length], i);

  // Databases and queues: StatefulSets of two pods.
  let made = g.count('Pod');
  const statefulSets = scale(40);
  for (let i = 0; i < statefulSets; i++) g.statefulSet(teamNamespaces[i % teamNamespaces.length], i, 2, nodeNames);

  // The rest: Deployments of 1-5 replicas, each with its Service, ConfigMap and two old ReplicaSets.
  made = g.count('Pod');
  const appNamespaces = [...teamNamespaces, ...userNamespaces, 'kubeflow'];
  for (let i = 0; made < pods; i++) {
    const replicas = Math.min(pods - made, 1 + Math.floor(g.rand() * 5));
    g.deployment(appNamespaces[i % appNamespaces.length], i, replicas, nodeNames);
    made += replicas;
  }

  g.kubeflowPlatform(nodeNames);
  g.monitoring(scale(50), scale(250), scale(200), appNamespaces);
  g.clusterRbac(150 + scale(50));
  for (let i = 0; i < scale(500); i++) g.ingress(teamNamespaces[i % teamNamespaces.length], i);
  for (let i = 0; i < scale(20); i++) g.virtualService(appNamespaces[i % appNamespaces.length], `app-${i}`);
  return { objects: g.objects, installed: INSTALLED_APIS };
}

class Generator {
  constructor(seed) {
    this.rand = mulberry32(seed);
    this.objects = [];
    this.counts = new Map();
    this.serial = 0;
  }

  count(kind) {
    return this.counts.get(kind) ?? 0;
  }

  add(object) {
    this.objects.push(object);
    this.counts.set(object.kind, this.count(object.kind) + 1);
    return object;
  }

  pick(list) {
    return list[Math.floor(this.rand() * list.length)];
  }

  hex(length) {
    let out = '';
    while (out.length < length) out += Math.floor(this.rand() * 0x100000000).toString(16).padStart(8, '0');
    return out.slice(0, length);
  }

  suffix(length) {
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.rand() * alphabet.length)];
    return out;
  }

  uid() {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  }

  time(offsetMinutes = this.rand() * 60 * 24 * 90) {
    return new Date(BASE_TIME + Math.floor(offsetMinutes) * 60_000).toISOString().replace('.000Z', 'Z');
  }

  metadata(name, namespace, extra = {}) {
    const { labels, annotations, ownerReferences, managedBy = 'kube-controller-manager', fields = ['f:spec'] } = extra;
    const created = this.time();
    return {
      name,
      ...(namespace ? { namespace } : {}),
      uid: this.uid(),
      resourceVersion: String(100000 + ++this.serial * 37),
      generation: 1 + (this.serial % 4),
      creationTimestamp: created,
      ...(labels ? { labels } : {}),
      ...(annotations ? { annotations } : {}),
      ...(ownerReferences ? { ownerReferences } : {}),
      managedFields: managedFields(managedBy, created, labels, annotations, fields),
    };
  }

  owner(apiVersion, kind, name, uid) {
    return [{ apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true }];
  }

  node(name, index) {
    const gpu = index % 10 === 9;
    const zone = `us-west-2${'abc'[index % 3]}`;
    const labels = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/instance-type': gpu ? 'g5.2xlarge' : 'm6i.2xlarge',
      'beta.kubernetes.io/os': 'linux',
      'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'eks.amazonaws.com/nodegroup': gpu ? 'gpu' : 'general',
      'eks.amazonaws.com/nodegroup-image': 'ami-0c2b8ca1dad447f8a',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'node.kubernetes.io/instance-type': gpu ? 'g5.2xlarge' : 'm6i.2xlarge',
      'topology.ebs.csi.aws.com/zone': zone,
      'topology.kubernetes.io/region': 'us-west-2',
      'topology.kubernetes.io/zone': zone,
      ...(gpu ? { 'nvidia.com/gpu.present': 'true' } : {}),
    };
    const annotations = { 'alpha.kubernetes.io/provided-node-ip': `10.20.${index % 250}.${(index * 3) % 250}`, 'csi.volume.kubernetes.io/nodeid': `{"ebs.csi.aws.com":"i-0${this.hex(16)}"}`, 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' };
    const capacity = { cpu: '8', 'ephemeral-storage': '104845292Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '32386544Ki', pods: '58', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) };
    const heartbeat = this.time(60 * 24 * 90);
    this.add({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: this.metadata(name, null, { labels, annotations, managedBy: 'kubelet', fields: ['f:status'] }),
      spec: { providerID: `aws:///${labels['topology.kubernetes.io/zone']}/i-0${this.hex(16)}`, ...(gpu ? { taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }] } : {}) },
      status: {
        capacity,
        allocatable: { ...capacity, cpu: '7910m', memory: '31369712Ki' },
        conditions: ['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready'].map((type) => ({
          type,
          status: type === 'Ready' ? 'True' : 'False',
          lastHeartbeatTime: heartbeat,
          lastTransitionTime: this.time(),
          reason: type === 'Ready' ? 'KubeletReady' : `KubeletHasNo${type}`,
          message: type === 'Ready' ? 'kubelet is posting ready status' : `kubelet has no ${type.toLowerCase()}`,
        })),
        addresses: [
          { type: 'InternalIP', address: annotations['alpha.kubernetes.io/provided-node-ip'] },
          { type: 'InternalDNS', address: name },
          { type: 'Hostname', address: name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: { machineID: this.hex(32), systemUUID: this.uid(), bootID: this.uid(), kernelVersion: '6.1.119-129.201.amzn2023.x86_64', osImage: 'Amazon Linux 2023.6.20241212', containerRuntimeVersion: 'containerd://1.7.23', kubeletVersion: 'v1.31.4-eks-aeac579', kubeProxyVersion: 'v1.31.4-eks-aeac579', operatingSystem: 'linux', architecture: 'amd64' },
        images: Array.from({ length: NODE_IMAGES }, (_, i) => ({
          names: [`registry.example.com/team-${i % 12}/service-${i}@sha256:${this.hex(64)}`, `registry.example.com/team-${i % 12}/service-${i}:1.${i}.${index % 9}`],
          sizeBytes: 20_000_000 + Math.floor(this.rand() * 900_000_000),
        })),
      },
    });
  }

  namespace(name, labels) {
    this.add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: this.metadata(name, null, { labels: { 'kubernetes.io/metadata.name': name, ...labels }, managedBy: 'kubectl-client-side-apply', fields: ['f:metadata'] }),
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  profile(namespace) {
    this.add({
      apiVersion: 'kubeflow.org/v1',
      kind: 'Profile',
      metadata: this.metadata(namespace, null, { managedBy: 'kfam', fields: ['f:spec'] }),
      spec: { owner: { kind: 'User', name: `${namespace.replace('kubeflow-', '')}@example.com` }, resourceQuotaSpec: { hard: { cpu: '16', memory: '64Gi', 'requests.nvidia.com/gpu': '2' } } },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  /** What every namespace holds: the CA bundles, quota and Istio policies of Kubeflow profiles. */
  namespaceBasics(namespace, profile) {
    const pem = `-----BEGIN CERTIFICATE-----\n${Array.from({ length: 18 }, () => Buffer.from(this.hex(48), 'hex').toString('base64')).join('\n')}\n-----END CERTIFICATE-----\n`;
    this.configMap(namespace, 'kube-root-ca.crt', { 'ca.crt': pem }, { annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } });
    this.configMap(namespace, 'istio-ca-root-cert', { 'root-cert.pem': pem }, { labels: { 'istio.io/config': 'true' } });
    if (!profile) return;
    this.add({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: this.metadata('kf-resource-quota', namespace, { managedBy: 'profile-controller' }),
      spec: { hard: { cpu: '16', memory: '64Gi', 'requests.nvidia.com/gpu': '2' } },
      status: { hard: { cpu: '16', memory: '64Gi', 'requests.nvidia.com/gpu': '2' }, used: { cpu: '2500m', memory: '9Gi', 'requests.nvidia.com/gpu': '0' } },
    });
    const owner = `${namespace.replace('kubeflow-', '')}@example.com`;
    this.add({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: this.metadata('ns-owner-access-istio', namespace, { annotations: { role: 'admin', user: owner }, managedBy: 'profile-controller' }),
      spec: {
        rules: [
          { when: [{ key: 'request.headers[kubeflow-userid]', values: [owner] }] },
          { when: [{ key: 'source.namespace', values: [namespace] }] },
          { to: [{ operation: { paths: ['/healthz', '/metrics', '/wait-for-drain'] } }] },
          { from: [{ source: { principals: ['cluster.local/ns/kubeflow/sa/notebook-controller-service-account'] } }], to: [{ operation: { methods: ['GET'], paths: ['*/api/kernels'] } }] },
        ],
      },
    });
  }

  configMap(namespace, name, data, extra = {}) {
    this.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: this.metadata(name, namespace, { ...extra, fields: ['f:data'] }), data });
  }

  /**
   * A pod spec as the API server stores it, with defaults filled in. A pod's (one with a node) also has what
   * admission adds: the projected service-account token volume, and Istio's sidecar in injected namespaces.
   */
  podSpec({ image, sidecar, serviceAccount = 'default', labels = {}, nodeName, args = [], env = [], ports = [{ containerPort: 8080, name: 'http', protocol: 'TCP' }], volumes = [], gpu = false, tolerations = [] }) {
    const pod = nodeName !== undefined;
    const tokenVolume = pod ? `kube-api-access-${this.suffix(5)}` : null;
    const mounts = [...(pod ? [{ name: tokenVolume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] : []), ...volumes.map((v) => ({ name: v.name, mountPath: `/etc/${v.name}` }))];
    const main = {
      name: 'main',
      image,
      args,
      ports,
      env: [...env, { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } }, { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } } }],
      resources: { limits: { cpu: '1', memory: '1Gi', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) }, requests: { cpu: '250m', memory: '512Mi', ...(gpu ? { 'nvidia.com/gpu': '1' } : {}) } },
      volumeMounts: mounts,
      readinessProbe: { httpGet: { path: '/healthz', port: 8080, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      imagePullPolicy: 'IfNotPresent',
      securityContext: { allowPrivilegeEscalation: false, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
    };
    const containers = [main];
    const initContainers = [];
    if (sidecar && pod) {
      initContainers.push({ name: 'istio-init', image: ISTIO_PROXY, args: ['istio-iptables', '-p', '15001', '-z', '15006', '-u', '1337', '-m', 'REDIRECT', '-i', '*', '-x', '', '-b', '*', '-d', '15090,15021,15020', '--log_output_level=default:info'], resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } }, securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_ADMIN', 'NET_RAW'], drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: false, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 }, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' });
      containers.push({
        name: 'istio-proxy',
        image: ISTIO_PROXY,
        args: ['proxy', 'sidecar', '--domain', '$(POD_NAMESPACE).svc.cluster.local', '--proxyLogLevel=warning', '--proxyComponentLogLevel=misc:error', '--log_output_level=default:info'],
        ports: [{ containerPort: 15090, name: 'http-envoy-prom', protocol: 'TCP' }],
        env: [
          ['JWT_POLICY', 'third-party-jwt'],
          ['PILOT_CERT_PROVIDER', 'istiod'],
          ['CA_ADDR', 'istiod.istio-system.svc:15012'],
          ['ISTIO_CPU_LIMIT', null],
          ['PROXY_CONFIG', '{}\n'],
          ['ISTIO_META_POD_PORTS', JSON.stringify(ports)],
          ['ISTIO_META_APP_CONTAINERS', 'main'],
          ['GOMEMLIMIT', null],
          ['GOMAXPROCS', null],
          ['ISTIO_META_CLUSTER_ID', 'Kubernetes'],
          ['ISTIO_META_NODE_NAME', null],
          ['ISTIO_META_INTERCEPTION_MODE', 'REDIRECT'],
          ['ISTIO_META_WORKLOAD_NAME', labels.app ?? 'workload'],
          ['ISTIO_META_OWNER', `kubernetes://apis/apps/v1/namespaces/ns/deployments/${labels.app ?? 'workload'}`],
          ['ISTIO_META_MESH_ID', 'cluster.local'],
          ['TRUST_DOMAIN', 'cluster.local'],
        ].map(([name, value]) => (value === null ? { name, valueFrom: { resourceFieldRef: { divisor: '0', resource: 'limits.cpu' } } } : { name, value })),
        resources: { limits: { cpu: '2', memory: '1Gi' }, requests: { cpu: '100m', memory: '128Mi' } },
        volumeMounts: ['workload-socket', 'credential-socket', 'workload-certs', 'istiod-ca-cert', 'istio-data', 'istio-envoy', 'istio-token', tokenVolume].map((name) => ({ name, mountPath: `/var/run/secrets/${name}` })),
        readinessProbe: { httpGet: { path: '/healthz/ready', port: 15021, scheme: 'HTTP' }, initialDelaySeconds: 1, timeoutSeconds: 3, periodSeconds: 2, successThreshold: 1, failureThreshold: 30 },
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, privileged: false, readOnlyRootFilesystem: true, runAsGroup: 1337, runAsNonRoot: true, runAsUser: 1337 },
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: 'IfNotPresent',
      });
    }
    return {
      ...(initContainers.length ? { initContainers } : {}),
      containers,
      volumes: [
        ...volumes,
        ...(sidecar && pod ? ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data'].map((name) => ({ name, emptyDir: {} })) : []),
        ...(sidecar && pod ? [{ name: 'istio-token', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: 'istio-ca', expirationSeconds: 43200, path: 'istio-token' } }] } }, { name: 'istiod-ca-cert', configMap: { name: 'istio-ca-root-cert', defaultMode: 420 } }] : []),
        ...(pod ? [{ name: tokenVolume, projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }, { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } }, { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } }] } }] : []),
      ],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: serviceAccount,
      serviceAccount,
      ...(nodeName ? { nodeName } : {}),
      securityContext: { fsGroup: 100, seccompProfile: { type: 'RuntimeDefault' } },
      schedulerName: 'default-scheduler',
      tolerations: [...tolerations, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }, { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    };
  }

  pod(namespace, name, { labels, annotations = {}, owner, spec, phase = 'Running' }) {
    const started = this.time();
    const running = phase === 'Running';
    const statuses = (list) =>
      list.map((c) => ({
        name: c.name,
        state: running ? { running: { startedAt: started } } : { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: started, finishedAt: this.time(), containerID: `containerd://${this.hex(64)}` } },
        lastState: {},
        ready: running,
        restartCount: this.rand() < 0.1 ? 1 + Math.floor(this.rand() * 4) : 0,
        image: c.image,
        // One digest per image: every node pulled the same build.
        imageID: `${c.image.split(':')[0]}@sha256:${digestOf(c.image)}`,
        containerID: `containerd://${this.hex(64)}`,
        started: running,
      }));
    this.add({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: this.metadata(name, namespace, { labels, annotations, ownerReferences: owner, managedBy: 'kubelet', fields: ['f:status', 'f:spec'] }),
      spec,
      status: {
        phase,
        conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: running || type === 'Initialized' || type === 'PodScheduled' ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: this.time() })),
        hostIP: `10.20.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}`,
        hostIPs: [{ ip: `10.20.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}` }],
        podIP: `10.30.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}`,
        podIPs: [{ ip: `10.30.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}` }],
        startTime: started,
        ...(spec.initContainers ? { initContainerStatuses: statuses(spec.initContainers) } : {}),
        containerStatuses: statuses(spec.containers),
        qosClass: 'Burstable',
      },
    });
  }

  sidecarAnnotations(sidecar) {
    if (!sidecar) return {};
    return {
      'istio.io/rev': 'default',
      'kubectl.kubernetes.io/default-container': 'main',
      'kubectl.kubernetes.io/default-logs-container': 'main',
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/status': JSON.stringify({ initContainers: ['istio-init'], containers: ['istio-proxy'], volumes: ['workload-socket', 'credential-socket', 'workload-certs', 'istio-envoy', 'istio-data', 'istio-podinfo', 'istio-token', 'istiod-ca-cert'], imagePullSecrets: null, revision: 'default' }),
    };
  }

  deployment(namespace, index, replicas, nodeNames) {
    const name = `${this.pick(['api', 'web', 'worker', 'etl', 'search', 'cache', 'gateway', 'billing'])}-${index}`;
    const sidecar = namespace.startsWith('kubeflow');
    const image = this.rand() < 0.97 ? this.pick(APP_IMAGES) : this.pick(ML_IMAGES);
    const labels = { app: name, 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': namespace, tier: this.pick(['frontend', 'backend', 'data']) };
    const configName = `${name}-config`;
    const volumes = [{ name: 'config', configMap: { name: configName, defaultMode: 420 } }];
    const env = [{ name: 'LOG_LEVEL', value: 'info' }, { name: 'CONFIG_PATH', value: '/etc/config/app.yaml' }];
    const restartedAt = this.time();
    // Each rollout changed the image: revision 3 runs `image`, the two before ran earlier builds.
    const imageOf = (revision) => (revision === 3 ? image : `${image.split(':')[0]}:0.${revision}.${index % 10}`);
    const template = (revision, hash) => ({
      metadata: { labels: hash ? { ...labels, 'pod-template-hash': hash } : { ...labels }, annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } },
      spec: this.podSpec({ image: imageOf(revision), sidecar: false, labels, volumes, env }),
    });
    const deployment = this.add({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: this.metadata(name, namespace, { labels, annotations: { 'deployment.kubernetes.io/revision': '3', 'meta.helm.sh/release-name': namespace, 'meta.helm.sh/release-namespace': namespace }, managedBy: 'helm' }),
      spec: { replicas, selector: { matchLabels: { app: name } }, template: template(3, null), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, revisionHistoryLimit: 10, progressDeadlineSeconds: 600 },
      status: { observedGeneration: 3, replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${name}" has successfully progressed.` }] },
    });
    // The current ReplicaSet and the two before it, scaled to zero, as rollouts leave them.
    for (let revision = 3; revision >= 1; revision--) {
      const hash = this.suffix(10);
      const current = revision === 3;
      const rsName = `${name}-${hash}`;
      const rs = this.add({
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: this.metadata(rsName, namespace, { labels: { ...labels, 'pod-template-hash': hash }, annotations: { 'deployment.kubernetes.io/desired-replicas': String(replicas), 'deployment.kubernetes.io/max-replicas': String(replicas + 1), 'deployment.kubernetes.io/revision': String(revision) }, ownerReferences: this.owner('apps/v1', 'Deployment', name, deployment.metadata.uid) }),
        spec: { replicas: current ? replicas : 0, selector: { matchLabels: { app: name, 'pod-template-hash': hash } }, template: template(revision, hash) },
        status: { replicas: current ? replicas : 0, fullyLabeledReplicas: current ? replicas : 0, readyReplicas: current ? replicas : 0, availableReplicas: current ? replicas : 0, observedGeneration: 1 },
      });
      if (!current) continue;
      for (let r = 0; r < replicas; r++) {
        this.pod(namespace, `${rsName}-${this.suffix(5)}`, {
          labels: { ...labels, 'pod-template-hash': hash, ...(sidecar ? { 'security.istio.io/tlsMode': 'istio', 'service.istio.io/canonical-name': name, 'service.istio.io/canonical-revision': 'latest' } : {}) },
          annotations: { ...rs.spec.template.metadata.annotations, ...this.sidecarAnnotations(sidecar) },
          owner: this.owner('apps/v1', 'ReplicaSet', rsName, rs.metadata.uid),
          spec: this.podSpec({ image, sidecar, labels, volumes, nodeName: this.pick(nodeNames), env }),
        });
      }
    }
    this.service(namespace, name, { app: name }, 'ClusterIP');
    this.configMap(namespace, configName, { 'app.yaml': `server:\n  port: 8080\n  timeout: 30s\nfeatures: [search, checkout, recommendations]\nupstream: http://${name}.${namespace}.svc.cluster.local\nshard: ${index % 16}\n`, 'logging.properties': 'level=INFO\nformat=json\n' }, { labels: { app: name } });
  }

  service(namespace, name, selector, type, extra = {}) {
    const lb = type === 'LoadBalancer';
    this.add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: this.metadata(name, namespace, { labels: { app: name, ...extra.labels }, annotations: extra.annotations, managedBy: 'helm' }),
      spec: {
        type,
        selector,
        ports: extra.ports ?? [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
        clusterIP: `172.20.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}`,
        clusterIPs: [`172.20.${Math.floor(this.rand() * 250)}.${Math.floor(this.rand() * 250)}`],
        sessionAffinity: 'None',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
        ...(lb ? { externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true } : {}),
      },
      status: { loadBalancer: lb ? { ingress: [{ hostname: `a${this.hex(31)}-${this.hex(8)}.us-west-2.elb.amazonaws.com` }] } : {} },
    });
  }

  daemonSet(namespace, name, image, nodeNames) {
    const labels = { 'app.kubernetes.io/name': name, 'k8s-app': name };
    const spec = (nodeName) => this.podSpec({ image, sidecar: false, labels, nodeName, serviceAccount: name, tolerations: [{ operator: 'Exists' }], ports: [{ containerPort: 9100, name: 'metrics', protocol: 'TCP', hostPort: 9100 }] });
    const ds = this.add({
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: this.metadata(name, namespace, { labels, annotations: { 'deprecated.daemonset.template.generation': '2' } }),
      spec: { selector: { matchLabels: { 'k8s-app': name } }, template: { metadata: { labels }, spec: spec(undefined) }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }, revisionHistoryLimit: 10 },
      status: { currentNumberScheduled: nodeNames.length, numberMisscheduled: 0, desiredNumberScheduled: nodeNames.length, numberReady: nodeNames.length, observedGeneration: 2, updatedNumberScheduled: nodeNames.length, numberAvailable: nodeNames.length },
    });
    const hash = this.suffix(10);
    for (const nodeName of nodeNames) {
      this.pod(namespace, `${name}-${this.suffix(5)}`, { labels: { ...labels, 'controller-revision-hash': hash, 'pod-template-generation': '2' }, owner: this.owner('apps/v1', 'DaemonSet', name, ds.metadata.uid), spec: spec(nodeName) });
    }
  }

  statefulSet(namespace, index, replicas, nodeNames) {
    const name = `${this.pick(['postgres', 'kafka', 'redis', 'minio', 'elasticsearch'])}-${index}`;
    const labels = { app: name, 'app.kubernetes.io/name': name };
    const image = this.pick(['postgres:16.3', 'bitnami/kafka:3.7.0', 'redis:7.2.5-alpine', 'minio/minio:RELEASE.2024-06-04T19-20-08Z']);
    const volumes = [{ name: 'data', persistentVolumeClaim: { claimName: `data-${name}` } }];
    const sts = this.add({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: this.metadata(name, namespace, { labels, managedBy: 'helm' }),
      spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: this.podSpec({ image, sidecar: false, labels, volumes }) }, podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '20Gi' } }, storageClassName: 'gp3' } }] },
      status: { replicas, readyReplicas: replicas, currentReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas },
    });
    for (let r = 0; r < replicas; r++) {
      this.pod(namespace, `${name}-${r}`, { labels: { ...labels, 'statefulset.kubernetes.io/pod-name': `${name}-${r}`, 'apps.kubernetes.io/pod-index': String(r) }, owner: this.owner('apps/v1', 'StatefulSet', name, sts.metadata.uid), spec: this.podSpec({ image, sidecar: false, labels, volumes, nodeName: this.pick(nodeNames) }) });
    }
    this.service(namespace, name, { app: name }, 'ClusterIP');
  }

  notebook(namespace, index, nodeNames) {
    const name = `notebook-${index}`;
    const labels = { app: name, 'notebook-name': name, statefulset: name };
    const image = this.pick(['kubeflownotebookswg/jupyter-scipy:v1.9.2', 'kubeflownotebookswg/jupyter-pytorch-cuda-full:v1.9.2', 'kubeflownotebookswg/jupyter-tensorflow-full:v1.9.2']);
    const nb = this.add({
      apiVersion: 'kubeflow.org/v1',
      kind: 'Notebook',
      metadata: this.metadata(name, namespace, { labels: { app: name }, annotations: { 'notebooks.kubeflow.org/server-type': 'jupyter', 'notebooks.kubeflow.org/creator': 'user@example.com' }, managedBy: 'jupyter-web-app' }),
      spec: { template: { spec: { serviceAccountName: 'default-editor', containers: [{ name, image, resources: { requests: { cpu: '500m', memory: '1Gi' } }, volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }] }], volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }] } } },
      status: { readyReplicas: 1, containerState: { running: { startedAt: this.time() } } },
    });
    const owner = this.owner('kubeflow.org/v1', 'Notebook', name, nb.metadata.uid);
    const sts = this.add({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: this.metadata(name, namespace, { ownerReferences: owner }),
      spec: { replicas: 1, serviceName: '', selector: { matchLabels: { statefulset: name } }, template: { metadata: { labels }, spec: this.podSpec({ image, sidecar: false, labels, serviceAccount: 'default-editor' }) } },
      status: { replicas: 1, readyReplicas: 1 },
    });
    this.pod(namespace, `${name}-0`, { labels: { ...labels, 'security.istio.io/tlsMode': 'istio' }, annotations: this.sidecarAnnotations(true), owner: this.owner('apps/v1', 'StatefulSet', name, sts.metadata.uid), spec: this.podSpec({ image, sidecar: true, labels, serviceAccount: 'default-editor', nodeName: this.pick(nodeNames) }) });
    this.service(namespace, name, { statefulset: name }, 'ClusterIP', { ports: [{ name: `http-${name}`, protocol: 'TCP', port: 80, targetPort: 8888 }] });
    this.virtualService(namespace, `notebook-${namespace}-${name}`, { prefix: `/notebook/${namespace}/${name}/`, rewrite: `/notebook/${namespace}/${name}/`, host: `${name}.${namespace}.svc.cluster.local` });
  }

  virtualService(namespace, name, route = {}) {
    const host = route.host ?? `${name}.${namespace}.svc.cluster.local`;
    this.add({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: this.metadata(name, namespace, { managedBy: 'notebook-controller' }),
      spec: { gateways: ['kubeflow/kubeflow-gateway'], hosts: ['*'], http: [{ headers: { request: { set: {} } }, match: [{ uri: { prefix: route.prefix ?? `/${name}/` } }], rewrite: { uri: route.rewrite ?? '/' }, route: [{ destination: { host, port: { number: 80 } } }], timeout: '300s' }] },
    });
  }

  workflow(namespace, index, nodeNames) {
    const name = `pipeline-run-${this.suffix(5)}-${index}`;
    const phase = index % 10 < 8 ? 'Succeeded' : index % 10 === 8 ? 'Running' : 'Failed';
    const steps = ['load-data', 'preprocess', 'train', 'evaluate'];
    const spec = {
      entrypoint: 'entrypoint',
      serviceAccountName: 'pipeline-runner',
      arguments: { parameters: [{ name: 'components-root', value: JSON.stringify({ executorLabel: 'exec-train', inputDefinitions: { parameters: { epochs: { parameterType: 'NUMBER_INTEGER' } } } }) }] },
      podMetadata: { labels: { 'pipelines.kubeflow.org/v2_component': 'true' } },
      templates: steps.map((step) => ({
        name: `system-container-impl-${step}`,
        container: { image: step === 'train' ? this.pick(ML_IMAGES) : 'gcr.io/ml-pipeline/kfp-launcher:2.3.0', command: ['/kfp-launcher/launch', '--pipeline_name', 'training', '--run_id', '{{workflow.uid}}', '--execution_id', '{{inputs.parameters.execution-id}}', '--executor_input', '{{inputs.parameters.executor-input}}', '--component_spec', '{{inputs.parameters.component}}'], resources: { requests: { cpu: '500m', memory: '1Gi' } } },
        inputs: { parameters: [{ name: 'executor-input' }, { name: 'execution-id' }, { name: 'component' }] },
        metadata: { labels: { 'pipelines.kubeflow.org/v2_component': 'true' } },
      })),
    };
    const wf = this.add({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: this.metadata(name, namespace, { labels: { 'pipeline/runid': this.uid(), 'pipelines.kubeflow.org/v2_component': 'true', 'workflows.argoproj.io/completed': String(phase !== 'Running'), 'workflows.argoproj.io/phase': phase }, annotations: { 'pipelines.kubeflow.org/run_name': `run ${index}` }, managedBy: 'workflow-controller' }),
      spec,
      status: {
        phase,
        startedAt: this.time(),
        finishedAt: phase === 'Running' ? null : this.time(),
        progress: `${steps.length}/${steps.length}`,
        nodes: Object.fromEntries(steps.map((step) => [`${name}-${this.hex(10)}`, { id: `${name}-${this.hex(10)}`, name: `${name}.${step}`, displayName: step, type: 'Pod', templateName: `system-container-impl-${step}`, phase, startedAt: this.time(), finishedAt: this.time(), progress: '1/1', resourcesDuration: { cpu: 12, memory: 40 }, outputs: { exitCode: '0', artifacts: [{ name: 'main-logs', s3: { key: `artifacts/${name}/${step}/main.log` } }] } }])),
      },
    });
    for (const step of steps) {
      const template = spec.templates.find((t) => t.name.endsWith(step));
      const podSpec = this.podSpec({ image: template.container.image, sidecar: false, serviceAccount: 'pipeline-runner', nodeName: this.pick(nodeNames), args: template.container.command, gpu: step === 'train' });
      podSpec.restartPolicy = 'Never';
      this.pod(namespace, `${name}-system-container-impl-${this.hex(10)}`, {
        labels: { 'pipeline/runid': wf.metadata.labels['pipeline/runid'], 'workflows.argoproj.io/completed': String(phase !== 'Running'), 'workflows.argoproj.io/workflow': name, 'pipelines.kubeflow.org/v2_component': 'true' },
        annotations: { 'workflows.argoproj.io/node-name': `${name}.${step}`, 'workflows.argoproj.io/node-id': `${name}-${this.hex(10)}` },
        owner: this.owner('argoproj.io/v1alpha1', 'Workflow', name, wf.metadata.uid),
        spec: podSpec,
        phase: phase === 'Running' && step !== 'train' ? 'Succeeded' : phase,
      });
    }
  }

  scheduledWorkflow(namespace, index) {
    this.add({
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'ScheduledWorkflow',
      metadata: this.metadata(`nightly-training-${index}`, namespace, { managedBy: 'ml-pipeline' }),
      spec: { enabled: true, maxConcurrency: 1, trigger: { cronSchedule: { cron: '0 0 2 * * *' } }, workflow: { spec: { pipelineSpec: { components: {}, deploymentSpec: { executors: { 'exec-train': { container: { image: this.pick(ML_IMAGES), command: ['python', 'train.py'] } } } } } } } },
      status: { conditions: [{ type: 'Enabled', status: 'True' }] },
    });
  }

  experiment(namespace, index) {
    this.add({
      apiVersion: 'kubeflow.org/v1beta1',
      kind: 'Experiment',
      metadata: this.metadata(`hpo-${index}`, namespace, { managedBy: 'katib-ui' }),
      spec: { objective: { type: 'maximize', goal: 0.99, objectiveMetricName: 'accuracy' }, algorithm: { algorithmName: 'random' }, parallelTrialCount: 3, maxTrialCount: 12, parameters: [{ name: 'lr', parameterType: 'double', feasibleSpace: { min: '0.01', max: '0.03' } }], trialTemplate: { primaryContainerName: 'training-container', trialSpec: { apiVersion: 'batch/v1', kind: 'Job', spec: { template: { spec: { containers: [{ name: 'training-container', image: this.pick(ML_IMAGES), command: ['python3', '/opt/mnist.py', '--lr=${trialParameters.learningRate}'] }], restartPolicy: 'Never' } } } } } },
      status: { conditions: [{ type: 'Succeeded', status: 'True' }] },
    });
  }

  workflowTemplate(namespace, index) {
    this.add({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'WorkflowTemplate',
      metadata: this.metadata(`template-${index}`, namespace, {}),
      spec: { entrypoint: 'main', templates: [{ name: 'main', container: { image: this.pick(APP_IMAGES), command: ['sh', '-c', 'echo hello'] } }] },
    });
  }

  inferenceService(namespace, index) {
    this.add({
      apiVersion: 'serving.kserve.io/v1beta1',
      kind: 'InferenceService',
      metadata: this.metadata(`model-${index}`, namespace, { annotations: { 'sidecar.istio.io/inject': 'true' }, managedBy: 'kserve' }),
      spec: { predictor: { model: { modelFormat: { name: 'tensorflow' }, storageUri: `s3://models/model-${index}`, runtime: 'kserve-tensorflow-serving' } } },
      status: { url: `http://model-${index}.${namespace}.example.com`, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }

  job(namespace, index, nodeNames) {
    const name = `batch-${index}-${this.suffix(5)}`;
    const image = this.pick(APP_IMAGES);
    const labels = { 'batch.kubernetes.io/job-name': name, 'job-name': name };
    const job = this.add({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: this.metadata(name, namespace, { labels }),
      spec: { backoffLimit: 6, completions: 1, parallelism: 1, template: { metadata: { labels }, spec: { ...this.podSpec({ image, sidecar: false }), restartPolicy: 'Never' } } },
      status: { succeeded: 1, startTime: this.time(), completionTime: this.time() },
    });
    const spec = this.podSpec({ image, sidecar: false, nodeName: this.pick(nodeNames) });
    spec.restartPolicy = 'Never';
    this.pod(namespace, `${name}-${this.suffix(5)}`, { labels: { ...labels, 'controller-uid': job.metadata.uid }, owner: this.owner('batch/v1', 'Job', name, job.metadata.uid), spec, phase: 'Succeeded' });
  }

  cronJob(namespace, index) {
    this.add({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: this.metadata(`report-${index}`, namespace, {}),
      spec: { schedule: '15 3 * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { ...this.podSpec({ image: this.pick(APP_IMAGES), sidecar: false }), restartPolicy: 'OnFailure' } } } } },
      status: { lastScheduleTime: this.time() },
    });
  }

  ingress(namespace, index) {
    this.add({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: this.metadata(`web-${index}`, namespace, { annotations: { 'alb.ingress.kubernetes.io/scheme': 'internal', 'alb.ingress.kubernetes.io/target-type': 'ip' } }),
      spec: { ingressClassName: 'alb', rules: [{ host: `web-${index}.internal.example.com`, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `web-${index}`, port: { number: 80 } } } }] } }] },
      status: { loadBalancer: { ingress: [{ hostname: `internal-k8s-${this.hex(12)}.us-west-2.elb.amazonaws.com` }] } },
    });
  }

  /** The Kubeflow platform itself: the ingress gateway (a public LoadBalancer), Dex, the dashboard. */
  kubeflowPlatform(nodeNames) {
    this.service('istio-system', 'istio-ingressgateway', { app: 'istio-ingressgateway', istio: 'ingressgateway' }, 'LoadBalancer', { labels: { istio: 'ingressgateway' }, ports: [{ name: 'http2', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31380 }, { name: 'https', protocol: 'TCP', port: 443, targetPort: 8443, nodePort: 31390 }] });
    this.service('istio-system', 'istiod', { app: 'istiod', istio: 'pilot' }, 'ClusterIP');
    for (const [ns, name, image] of [
      ['istio-system', 'istio-ingressgateway', ISTIO_PROXY],
      ['istio-system', 'istiod', 'docker.io/istio/pilot:1.24.3'],
      ['auth', 'dex', 'ghcr.io/dexidp/dex:v2.41.1'],
      ['kubeflow', 'centraldashboard', 'docker.io/kubeflownotebookswg/centraldashboard:v1.9.2'],
      ['kubeflow', 'ml-pipeline', 'gcr.io/ml-pipeline/api-server:2.3.0'],
      ['kubeflow', 'ml-pipeline-ui', 'gcr.io/ml-pipeline/frontend:2.3.0'],
      ['kubeflow', 'workflow-controller', 'gcr.io/ml-pipeline/workflow-controller:v3.4.17-license-compliance'],
      ['kubeflow', 'jupyter-web-app-deployment', 'docker.io/kubeflownotebookswg/jupyter-web-app:v1.9.2'],
      ['kubeflow', 'katib-ui', 'docker.io/kubeflowkatib/katib-ui:v0.17.0'],
      ['oauth2-proxy', 'oauth2-proxy', 'quay.io/oauth2-proxy/oauth2-proxy:v7.7.1'],
    ]) {
      const labels = { app: name, istio: name === 'istio-ingressgateway' ? 'ingressgateway' : undefined };
      if (!labels.istio) delete labels.istio;
      this.add({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: this.metadata(name, ns, { labels }), spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: this.podSpec({ image, sidecar: false, labels }) } }, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1 } });
      if (name !== 'istio-ingressgateway' && name !== 'istiod') this.service(ns, name, labels, 'ClusterIP');
      this.pod(ns, `${name}-${this.suffix(10)}-${this.suffix(5)}`, { labels, spec: this.podSpec({ image, sidecar: ns === 'kubeflow', labels, nodeName: this.pick(nodeNames) }) });
    }
    this.add({ apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: this.metadata('kubeflow-gateway', 'kubeflow', {}), spec: { selector: { istio: 'ingressgateway' }, servers: [{ hosts: ['*'], port: { name: 'http', number: 80, protocol: 'HTTP' } }] } });
    for (const [name, prefix, host] of [
      ['centraldashboard', '/', 'centraldashboard.kubeflow.svc.cluster.local'],
      ['ml-pipeline-ui', '/pipeline', 'ml-pipeline-ui.kubeflow.svc.cluster.local'],
      ['jupyter-web-app-jupyter-web-app', '/jupyter/', 'jupyter-web-app-service.kubeflow.svc.cluster.local'],
      ['katib-ui', '/katib/', 'katib-ui.kubeflow.svc.cluster.local'],
      ['dex', '/dex/', 'dex.auth.svc.cluster.local'],
    ]) {
      this.virtualService(name === 'dex' ? 'auth' : 'kubeflow', name, { prefix, rewrite: prefix, host });
    }
    this.add({ apiVersion: 'security.istio.io/v1', kind: 'RequestAuthentication', metadata: this.metadata('dex-jwt', 'istio-system', {}), spec: { selector: { matchLabels: { app: 'istio-ingressgateway' } }, jwtRules: [{ issuer: 'http://dex.auth.svc.cluster.local:5556/dex', forwardOriginalToken: true, outputClaimToHeaders: [{ header: 'kubeflow-userid', claim: 'email' }] }] } });
    this.add({ apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: this.metadata('istio-ingressgateway-oauth2-proxy', 'istio-system', {}), spec: { action: 'CUSTOM', provider: { name: 'oauth2-proxy' }, selector: { matchLabels: { app: 'istio-ingressgateway' } }, rules: [{ to: [{ operation: { notPaths: ['/dex/*', '/oauth2/*'] } }] }] } });
    this.add({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: this.metadata('stats-filter', 'istio-system', {}), spec: { configPatches: [{ applyTo: 'HTTP_FILTER', match: { context: 'SIDECAR_OUTBOUND' }, patch: { operation: 'INSERT_BEFORE', value: { name: 'istio.stats' } } }] } });
    this.configMap('auth', 'dex', { 'config.yaml': 'issuer: http://dex.auth.svc.cluster.local:5556/dex\nstorage:\n  type: kubernetes\n  config:\n    inCluster: true\nweb:\n  http: 0.0.0.0:5556\nenablePasswordDB: true\nstaticPasswords:\n- email: user@example.com\n  hashFromEnv: DEX_USER_PASSWORD\n  username: user\n' });
    this.configMap('istio-system', 'istio', { mesh: 'accessLogFile: /dev/stdout\ndefaultConfig:\n  discoveryAddress: istiod.istio-system.svc:15012\nextensionProviders:\n- envoyExtAuthzHttp:\n    headersToDownstreamOnDeny: [content-type, set-cookie]\n    service: oauth2-proxy.oauth2-proxy.svc.cluster.local\n    port: 80\n  name: oauth2-proxy\n', meshNetworks: 'networks: {}' });
  }

  monitoring(serviceMonitors, podMonitors, ruleGroups, namespaces) {
    this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Prometheus', metadata: this.metadata('k8s', 'monitoring', {}), spec: { replicas: 2, serviceAccountName: 'prometheus-k8s', serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {}, podMonitorSelector: {}, podMonitorNamespaceSelector: {}, ruleSelector: {}, ruleNamespaceSelector: {}, retention: '15d' } });
    this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'Alertmanager', metadata: this.metadata('main', 'monitoring', {}), spec: { replicas: 3 } });
    for (let i = 0; i < serviceMonitors; i++) {
      this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: this.metadata(`app-${i}`, namespaces[i % namespaces.length], {}), spec: { selector: { matchLabels: { app: `api-${i}` } }, endpoints: [{ port: 'http', interval: '30s', path: '/metrics' }] } });
    }
    this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: this.metadata('kube-state-metrics', 'monitoring', {}), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'kube-state-metrics' } }, endpoints: [{ port: 'https-main', scheme: 'https', interval: '30s' }] } });
    this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: this.metadata('kubelet', 'monitoring', {}), spec: { selector: { matchLabels: { 'app.kubernetes.io/name': 'kubelet' } }, namespaceSelector: { matchNames: ['kube-system'] }, endpoints: [{ port: 'https-metrics', scheme: 'https', path: '/metrics/cadvisor', interval: '30s' }] } });
    for (let i = 0; i < podMonitors; i++) {
      this.add({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PodMonitor', metadata: this.metadata(`pods-${i}`, namespaces[i % namespaces.length], {}), spec: { selector: { matchLabels: { tier: 'backend' } }, podMetricsEndpoints: [{ port: 'metrics' }] } });
    }
    for (let i = 0; i < ruleGroups; i++) {
      this.add({
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'PrometheusRule',
        metadata: this.metadata(`rules-${i}`, i === 0 ? 'monitoring' : namespaces[i % namespaces.length], { labels: { prometheus: 'k8s', role: 'alert-rules' } }),
        spec: {
          groups: [
            {
              name: `app-${i}`,
              rules: Array.from({ length: 8 }, (_, r) => ({
                alert: `App${i}Alert${r}`,
                expr: `sum(rate(http_requests_total{code=~"5..",service="app-${i}"}[5m])) by (pod) / sum(rate(http_requests_total{service="app-${i}"}[5m])) by (pod) > 0.0${r + 1}`,
                for: '10m',
                labels: { severity: r % 2 ? 'warning' : 'critical' },
                annotations: { summary: `High error rate on app-${i}`, description: 'More than {{ $value | humanizePercentage }} of requests to {{ $labels.pod }} fail.', runbook_url: `https://runbooks.example.com/app-${i}` },
              })),
            },
          ],
        },
      });
    }
  }

  clusterRbac(count) {
    for (let i = 0; i < count; i++) {
      const name = i < 40 ? `system:controller:${['deployment-controller', 'replicaset-controller', 'job-controller', 'namespace-controller'][i % 4]}-${i}` : `binding-${i}`;
      this.add({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: this.metadata(name, null, { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } }), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `role-${i % 60}` }, subjects: [{ kind: 'ServiceAccount', name: `sa-${i}`, namespace: 'kube-system' }] });
    }
  }
}

/** A stable sha256-like digest for an image name. */
function digestOf(image) {
  const rand = mulberry32([...image].reduce((hash, char) => Math.imul(hash ^ char.charCodeAt(0), 0x01000193), 0x811c9dc5));
  return Array.from({ length: 8 }, () => Math.floor(rand() * 0x100000000).toString(16).padStart(8, '0')).join('');
}

/** managedFields as the API server records them: one entry per manager, a tree of every field it set. */
function managedFields(manager, time, labels, annotations, fields) {
  const tree = {};
  if (labels) tree['f:metadata'] = { 'f:labels': Object.fromEntries(Object.keys(labels).map((k) => [`f:${k}`, {}])) };
  if (annotations) tree['f:metadata'] = { ...tree['f:metadata'], 'f:annotations': Object.fromEntries(Object.keys(annotations).map((k) => [`f:${k}`, {}])) };
  for (const field of fields) tree[field] = { '.': {}, 'f:conditions': { '.': {}, 'k:{"type":"Ready"}': { '.': {}, 'f:lastProbeTime': {}, 'f:lastTransitionTime': {}, 'f:status': {}, 'f:type': {} } }, 'f:containerStatuses': {}, 'f:phase': {} };
  return [{ manager, operation: 'Update', apiVersion: 'v1', time, fieldsType: 'FieldsV1', fieldsV1: tree }];
}
