// Deterministic corpus of Kubernetes manifests for the benchmark: the same seed gives the same bytes.
// Kinds and sizes follow what real clusters and repositories hold (workloads with full pod templates,
// Services, ConfigMaps with embedded files, RBAC, Istio routes, Argo workflows, PrometheusRules).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const IMAGES = ['registry.example.com/shop/api:1.4.2', 'nginx:1.27', 'redis:7.2-alpine', 'postgres:16.3', 'tensorflow/tensorflow:2.16.1-gpu', 'tensorflow/tensorflow:latest-gpu', 'pytorch/pytorch:latest', 'ghcr.io/example/worker:0.9.1'];

function pick(rand, list) {
  return list[Math.floor(rand() * list.length)];
}

function podSpec(rand, k, indent) {
  const pad = ' '.repeat(indent);
  const image = rand() < 0.9 ? pick(rand, IMAGES.slice(0, 5)) : pick(rand, IMAGES);
  return [
    `serviceAccountName: sa-${k % 7}`,
    'securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}',
    'containers:',
    `  - name: main`,
    `    image: ${image}`,
    `    args: [--port, "8080", --log-level, info, --shard, "${k % 16}"]`,
    '    env:',
    `      - {name: SERVICE_NAME, value: app-${k}}`,
    '      - {name: POD_NAMESPACE, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}',
    `      - {name: FEATURE_FLAGS, value: "search,checkout,recommendations"}`,
    '    ports:',
    '      - {containerPort: 8080, name: http}',
    '    resources:',
    '      requests: {cpu: 100m, memory: 128Mi}',
    '      limits: {cpu: "1", memory: 512Mi}',
    '    readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 10}',
    '    livenessProbe: {httpGet: {path: /livez, port: http}, initialDelaySeconds: 15}',
    '    volumeMounts:',
    '      - {name: config, mountPath: /etc/app}',
    'volumes:',
    `  - name: config`,
    `    configMap: {name: cm-${k}}`,
  ]
    .map((line) => pad + line)
    .join('\n');
}

const KINDS = [
  [0.22, (rand, k, ns) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${k}\n  namespace: ${ns}\n  labels: {app: app-${k}, app.kubernetes.io/part-of: shop, tier: backend}\n  annotations: {deployment.kubernetes.io/revision: "${k % 9}", description: "generated workload ${k}"}\nspec:\n  replicas: ${1 + (k % 3)}\n  selector:\n    matchLabels: {app: app-${k}}\n  template:\n    metadata:\n      labels: {app: app-${k}, tier: backend}\n    spec:\n${podSpec(rand, k, 6)}\n`],
  [0.2, (rand, k, ns) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${k - 1}\n  namespace: ${ns}\n  labels: {app: app-${k - 1}}\nspec:\n  type: ${rand() < 0.03 ? 'LoadBalancer' : 'ClusterIP'}\n  selector: {app: app-${k - 1}}\n  ports:\n    - {name: http, port: 80, targetPort: http}\n`],
  [0.16, (rand, k, ns) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${k}\n  namespace: ${ns}\ndata:\n  app.yaml: |\n    server:\n      port: 8080\n      timeout: 30s\n    features: [search, checkout]\n    shard: ${k % 16}\n  logging.properties: |\n    level=INFO\n    format=json\n`],
  [0.14, (rand, k, ns) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app-${k}-7d9f8c6b5-x${k % 97}\n  namespace: ${ns}\n  labels: {app: app-${k}, pod-template-hash: 7d9f8c6b5}\nspec:\n  nodeName: node-${k % 40}\n${podSpec(rand, k, 2)}\nstatus:\n  phase: Running\n  podIP: 10.${k % 250}.${k % 200}.${k % 100}\n`],
  [0.06, (rand, k, ns) => `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: rb-${k}\n  namespace: ${ns}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\nsubjects:\n  - {kind: ServiceAccount, name: sa-${k % 7}, namespace: ${ns}}\n`],
  [0.06, (rand, k, ns) => `apiVersion: networking.istio.io/v1beta1\nkind: VirtualService\nmetadata:\n  name: vs-${k}\n  namespace: ${ns}\nspec:\n  gateways: [istio-system/public-gateway]\n  hosts: ["app-${k}.example.com"]\n  http:\n    - match:\n        - uri: {prefix: /api}\n      route:\n        - destination: {host: app-${k}.${ns}.svc.cluster.local, port: {number: 80}}\n`],
  [0.05, (rand, k, ns) => `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np-${k}\n  namespace: ${ns}\nspec:\n  podSelector: {matchLabels: {app: app-${k}}}\n  policyTypes: [Ingress, Egress]\n  ingress:\n    - from: [{podSelector: {matchLabels: {tier: frontend}}}]\n  egress:\n    - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}}]\n      ports: [{port: 53, protocol: UDP}]\n`],
  [0.05, (rand, k, ns) => `apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: pipeline-${k}\n  namespace: ${ns}\n  labels: {pipeline/runid: run-${k}}\nspec:\n  entrypoint: main\n  serviceAccountName: pipeline-runner\n  templates:\n    - name: main\n      dag:\n        tasks: [{name: train, template: train}]\n    - name: train\n      container:\n        image: ${pick(rand, IMAGES)}\n        command: [python, -c, "import train; train.run(epochs=${k % 20})"]\n`],
  [0.04, (rand, k, ns) => `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: rules-${k}\n  namespace: ${ns}\n  labels: {release: monitoring}\nspec:\n  groups:\n    - name: app-${k}\n      rules:\n        - alert: HighErrorRate\n          expr: sum(rate(http_requests_total{code=~"5..",service="app-${k}"}[5m])) / sum(rate(http_requests_total{service="app-${k}"}[5m])) > 0.05\n          for: 10m\n          labels: {severity: warning}\n          annotations: {summary: "High error rate on {{ $labels.service }}"}\n`],
  [0.02, (rand, k, ns) => `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db-${k}\n  namespace: ${ns}\nspec:\n  serviceName: db-${k}\n  selector:\n    matchLabels: {app: db-${k}}\n  template:\n    metadata:\n      labels: {app: db-${k}}\n    spec:\n${podSpec(rand, k, 6)}\n`],
];

/** Writes `documents` documents into `files` files under `dir`; returns the total size in bytes. */
export function writeCorpus(dir, { documents, files, seed = 2021 }) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const rand = mulberry32(seed);
  const perFile = Math.ceil(documents / files);
  let bytes = 0;
  let k = 0;
  for (let f = 0; f < files; f++) {
    const docs = [];
    for (let i = 0; i < perFile && k < documents; i++, k++) {
      const ns = `team-${k % 60}`;
      let r = rand();
      const make = KINDS.find(([weight]) => (r -= weight) < 0)?.[1] ?? KINDS[0][1];
      docs.push(make(rand, k, ns));
    }
    const text = docs.join('---\n');
    bytes += Buffer.byteLength(text);
    writeFileSync(path.join(dir, `manifests-${String(f).padStart(5, '0')}.yaml`), text);
  }
  return bytes;
}
