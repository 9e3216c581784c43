import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { Finding, Inventory, KubeObject } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { scanManifests } from '../src/engine/scan.js';
import { evaluateRules, MINER_PROCESS_RULE, POOL_RULE, STRATUM_RULE } from '../src/kube/falco-rules.js';
import { strategicMerge } from '../src/remediate/strategic-merge.js';
import { minerRuleItems, minerRulesFile, ML_POOL_PORT_RULE } from '../src/remediate/falco-rules-file.js';
import { buildKit } from '../src/remediate/kit.js';
import { renderKit } from '../src/remediate/render.js';
import { DEFAULT_OPTIONS, type Kit } from '../src/remediate/types.js';
import { applyManifests } from '../src/remediate/verify.js';
import { evaluate, parseCondition, references, type Condition, type Event, type RuleSet } from './helpers/falco-condition.js';
import { scannedInventory } from './helpers/inventory.js';
import { validateAgainstSchema } from './helpers/k8s-schema.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLUSTER = 'fixtures/remediate/vulnerable-cluster';

// Falco fields the kit's rules use, from the Falco "Supported fields" reference (syscall source and the
// container/k8s fields the container plugin provides since Falco 0.41).
const FALCO_FIELDS = new Set([
  'evt.type', 'evt.dir', 'evt.rawres', 'evt.res', 'proc.cmdline', 'proc.name', 'proc.pname', 'user.name', 'fd.typechar', 'fd.sip', 'fd.snet',
  'fd.sip.name', 'fd.sport', 'fd.name', 'container.id', 'container.image.repository', 'k8s.ns.name', 'k8s.pod.name',
]);
const PRIORITIES = new Set(['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG']);

function inventoryOf(text: string): Inventory {
  return scannedInventory(text, { wholeCluster: true });
}

/** The findings the CLI would report, without suppressions. */
function findingsOf(inventory: Inventory): Finding[] {
  return analyseInventory(inventory, { checks: builtinChecks }).findings;
}

function kitFor(inventory: Inventory, findings = findingsOf(inventory)): Kit {
  return buildKit(inventory, findings, DEFAULT_OPTIONS, { checks: builtinChecks });
}

function objectsOf(inventory: Inventory): KubeObject[] {
  return inventory.all().map((resource) =>
    resource.ref.namespace && !resource.obj.metadata.namespace ? { ...resource.obj, metadata: { ...resource.obj.metadata, namespace: resource.ref.namespace } } : resource.obj,
  );
}

describe("kfscan's Falco miner rules", () => {
  const items = parse(minerRulesFile(['kubeflow', 'kubeflow-user-example-com'])) as Array<Record<string, unknown>>;
  const rules: RuleSet = { macros: new Map(), lists: new Map() };
  const conditions = new Map<string, Condition>();

  beforeAll(() => {
    for (const item of items) {
      if (typeof item['list'] === 'string') rules.lists.set(item['list'], (item['items'] as unknown[]).map(String));
      if (typeof item['macro'] === 'string') rules.macros.set(item['macro'], parseCondition(String(item['condition'])));
      if (typeof item['rule'] === 'string') conditions.set(item['rule'], parseCondition(String(item['condition'])));
    }
  });

  it('is a Falco rules file: a list of list, macro and rule items with the fields Falco requires', () => {
    expect(Array.isArray(items)).toBe(true);
    const names = new Set<string>();
    for (const item of items) {
      const kinds = ['rule', 'macro', 'list'].filter((kind) => kind in item);
      expect(kinds, JSON.stringify(item).slice(0, 80)).toHaveLength(1);
      const kind = kinds[0]!;
      const name = String(item[kind]);
      expect(names.has(`${kind}:${name}`), `${kind} ${name} is defined once`).toBe(false);
      names.add(`${kind}:${name}`);
      if (kind === 'list') {
        expect(Array.isArray(item['items']) && (item['items'] as unknown[]).length > 0).toBe(true);
        expect((item['items'] as unknown[]).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
      }
      if (kind === 'macro') expect(Object.keys(item).sort()).toEqual(['condition', 'macro']);
      if (kind === 'rule') {
        for (const field of ['desc', 'condition', 'output', 'priority']) expect(typeof item[field], `${name} ${field}`).toBe('string');
        expect(PRIORITIES.has(String(item['priority']))).toBe(true);
        expect(item['enabled'] ?? true).toBe(true);
        expect((item['tags'] as unknown[]).every((t) => typeof t === 'string')).toBe(true);
      }
    }
  });

  it('parses every condition; uses only known fields; defines every macro and list before it is used', () => {
    const defined = new Set<string>();
    // A bare word in `in (...)` is a list when a list has that name, and a literal otherwise.
    const lists = new Set(items.filter((item) => typeof item['list'] === 'string').map((item) => String(item['list'])));
    for (const item of items) {
      const name = String(item['list'] ?? item['macro'] ?? item['rule']);
      if ('condition' in item) {
        const refs = references(parseCondition(String(item['condition'])));
        for (const field of refs.fields) expect(FALCO_FIELDS.has(field), `${name}: field ${field}`).toBe(true);
        for (const macro of refs.macros) expect(defined.has(`macro:${macro}`), `${name}: macro ${macro} defined before`).toBe(true);
        for (const list of refs.lists.filter((word) => lists.has(word))) expect(defined.has(`list:${list}`), `${name}: list ${list} defined before`).toBe(true);
      }
      if ('output' in item) {
        for (const [, field] of String(item['output']).matchAll(/%([a-z0-9_.]+)/g)) expect(FALCO_FIELDS.has(field!), `${name}: output field ${field}`).toBe(true);
      }
      defined.add(`${'list' in item ? 'list' : 'macro' in item ? 'macro' : 'rule'}:${name}`);
    }
  });

  const spawn = (cmdline: string, name: string, dir = '<'): Event => ({ 'evt.type': 'execve', 'evt.dir': dir, 'proc.cmdline': cmdline, 'proc.name': name });
  const connect = (extra: Event): Event => ({ 'evt.type': 'connect', 'evt.dir': '<', 'fd.typechar': '4', 'evt.rawres': 0, 'evt.res': 'SUCCESS', 'k8s.ns.name': 'other', ...extra });
  const fires = (rule: string, event: Event): boolean => evaluate(conditions.get(rule)!, event, rules);

  it('flags a Stratum URL and a miner binary in a new process, not an ordinary one or the enter event', () => {
    const xmrig = spawn('xmrig -o stratum+tcp://pool.minexmr.com:4444 -u 44AFFq5kSiGBoZ --donate-level 1', 'xmrig');
    expect(fires(STRATUM_RULE, xmrig)).toBe(true);
    expect(fires(MINER_PROCESS_RULE, xmrig)).toBe(true);
    expect(fires(STRATUM_RULE, spawn('ethminer -P stratum2+ssl://eth.example:5555', 'ethminer'))).toBe(true);
    expect(fires(MINER_PROCESS_RULE, spawn('./run --pool x', 't-rex'))).toBe(true);
    expect(fires(STRATUM_RULE, spawn('python train.py --epochs 3', 'python'))).toBe(false);
    expect(fires(MINER_PROCESS_RULE, spawn('python train.py --epochs 3', 'python'))).toBe(false);
    expect(fires(STRATUM_RULE, spawn('xmrig -o stratum+tcp://x:3333', 'xmrig', '>'))).toBe(false);
  });

  it('flags connections to pool hosts on any port, and from ML namespaces to pool-only ports, but not private or ordinary ones', () => {
    const pool = connect({ 'fd.sip': '198.51.100.7', 'fd.snet': '198.51.100.7', 'fd.sip.name': 'pool.supportxmr.com', 'fd.sport': 443 });
    expect(fires(POOL_RULE, pool)).toBe(true);
    expect(fires(POOL_RULE, { ...pool, 'fd.sip.name': 'pypi.org' })).toBe(false);
    expect(fires(POOL_RULE, { ...pool, 'fd.sip': '10.1.2.3', 'fd.snet': '10.1.2.3' })).toBe(false);
    expect(fires(POOL_RULE, { ...pool, 'evt.rawres': -111, 'evt.res': 'ECONNREFUSED' })).toBe(false);
    expect(fires(POOL_RULE, { ...pool, 'evt.rawres': -115, 'evt.res': 'EINPROGRESS' })).toBe(true);
    const port = connect({ 'fd.sip': '198.51.100.8', 'fd.snet': '198.51.100.8', 'fd.sip.name': '', 'fd.sport': 3333, 'k8s.ns.name': 'kubeflow-user-example-com' });
    expect(fires(ML_POOL_PORT_RULE, port)).toBe(true);
    expect(fires(ML_POOL_PORT_RULE, { ...port, 'fd.sport': 8080 })).toBe(false);
    expect(fires(ML_POOL_PORT_RULE, { ...port, 'k8s.ns.name': 'web' })).toBe(false);
    expect(fires(ML_POOL_PORT_RULE, { ...port, 'fd.sip': '192.168.1.9', 'fd.snet': '192.168.1.9' })).toBe(false);
  });

  it("counts as loaded, enabled miner rules for kfscan's own Falco analysis", () => {
    const state = evaluateRules([{ label: 'kit', items: minerRuleItems(['kubeflow']) }], [], 'debug');
    for (const rule of [STRATUM_RULE, POOL_RULE, MINER_PROCESS_RULE]) expect(state.get(rule)?.enabled, rule).toBe(true);
  });

  it('leaves out the namespace rule when no ML namespace is known', () => {
    expect(minerRuleItems([]).some((item) => item.rule === ML_POOL_PORT_RULE)).toBe(false);
  });
});

describe('the kit for a vulnerable cluster', () => {
  let inventory: Inventory;
  let findings: Finding[];
  let kit: Kit;
  let files: Map<string, string>;

  beforeAll(async () => {
    const scan = await scanManifests([CLUSTER], { cwd: ROOT, checks: builtinChecks, wholeCluster: true });
    inventory = scan.inventory;
    findings = scan.result.findings;
    kit = buildKit(inventory, findings, DEFAULT_OPTIONS, { checks: builtinChecks });
    files = renderKit(kit, { version: 'test', target: scan.result.target, options: DEFAULT_OPTIONS, findings });
  });

  const claimed = (): Finding[] => kit.fixes.flatMap((fix) => fix.addresses);

  it('clears a finding of every check it has a fix for, and makes none appear', () => {
    const checks = claimed().map((f) => f.checkId);
    for (const id of ['ingress-gateway-exposed', 'kubeflow-dashboard-exposed', 'sensitive-ui-exposed', 'default-credentials', 'falco-miner-rules', 'falco-node-coverage', 'egress-unrestricted', 'namespace-quota-missing']) {
      expect(checks, id).toContain(id);
    }
    expect(checks.filter((id) => id === 'growth-alerts-missing')).toHaveLength(3);
    expect(kit.verification.appeared).toEqual([]);
    expect(kit.verification.dropped).toEqual([]);
    const left = findings.filter((f) => !claimed().includes(f)).map((f) => f.checkId).sort();
    expect(left).toEqual(['dashboard-auth-missing', 'mfa-not-enforced']);
  });

  it("builds each check's share alone, reading only what the check declares, as part of the full kit", () => {
    const full = new Set([...kit.fixes.map((fix) => fix.id), ...kit.documents.map((doc) => doc.path)]);
    for (const check of builtinChecks.filter((c) => c.remediation)) {
      const own = findings.filter((finding) => finding.checkId === check.meta.id);
      if (own.length === 0) continue;
      const alone = buildKit(inventory, own, DEFAULT_OPTIONS, { checks: [check] });
      const parts = [...alone.fixes.map((fix) => fix.id), ...alone.documents.map((doc) => doc.path)];
      expect(parts.length, check.meta.id).toBeGreaterThan(0);
      for (const part of parts) expect(full.has(part), `${check.meta.id}: ${part}`).toBe(true);
    }
  });

  it('writes objects that are valid for their kind, and patches whose results are valid', async () => {
    const objects = objectsOf(inventory);
    for (const fix of kit.fixes) {
      for (const manifest of fix.manifests) {
        for (const object of manifest.objects) {
          if (manifest.role === 'resource') {
            await validateAgainstSchema(object);
            continue;
          }
          const { objects: patched, unmatched } = applyManifests(objects, [manifest]);
          expect(unmatched, `${manifest.path} finds its target`).toEqual([]);
          const result = patched.find((o) => o.kind === object.kind && o.metadata.name === object.metadata.name && o.metadata.namespace === object.metadata.namespace)!;
          await validateAgainstSchema(result);
        }
      }
    }
  });

  it('makes the gateway a valid ClusterIP Service: no node ports, source ranges, traffic policy or their annotation', () => {
    const patches = kit.fixes.flatMap((fix) => fix.manifests).filter((m) => m.target?.kind === 'Service');
    expect(patches.map((p) => p.target!.name).sort()).toEqual(['istio-ingressgateway', 'kubernetes-dashboard']);
    const { objects } = applyManifests(objectsOf(inventory), patches);
    const gateway = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'istio-ingressgateway')! as KubeObject & { spec: Record<string, unknown> };
    expect(gateway.spec['type']).toBe('ClusterIP');
    for (const field of ['externalTrafficPolicy', 'healthCheckNodePort', 'loadBalancerSourceRanges', 'externalIPs']) expect(gateway.spec, field).not.toHaveProperty(field);
    expect(gateway.metadata.annotations ?? {}).not.toHaveProperty('service.beta.kubernetes.io/load-balancer-source-ranges');
    expect(gateway.spec['ports']).toEqual([
      { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
      { name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' },
      { name: 'https', port: 443, targetPort: 8443, protocol: 'TCP' },
    ]);
  });

  it('gives Falco the GPU toleration while keeping its own, and loads the rules from its rules.d', () => {
    const { objects } = applyManifests(objectsOf(inventory), kit.fixes.filter((fix) => fix.area === 'falco').flatMap((fix) => fix.manifests));
    const falco = objects.find((o) => o.kind === 'DaemonSet' && o.metadata.name === 'falco') as unknown as { spec: { template: { spec: Record<string, unknown[]> } } };
    const pod = falco.spec.template.spec;
    expect(pod['tolerations']).toEqual([
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/control-plane' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    const container = (pod['containers'] as Array<{ name: string; volumeMounts: unknown[] }>).find((c) => c.name === 'falco')!;
    expect(container.volumeMounts).toContainEqual({ name: 'kfscan-miner-rules', mountPath: '/etc/falco/rules.d/kfscan-miner-rules.yaml', subPath: 'kfscan-miner-rules.yaml', readOnly: true });
    expect(container.volumeMounts).toHaveLength(4);
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'kfscan-falco-miner-rules')!;
    expect(configMap.metadata.namespace).toBe('falco');
  });

  it('labels the PrometheusRule for the ruleSelector and puts it where the ruleNamespaceSelector looks', () => {
    const rule = kit.fixes.flatMap((fix) => fix.manifests).flatMap((m) => m.objects).find((o) => o.kind === 'PrometheusRule')!;
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
    expect(rule.metadata.labels).not.toHaveProperty('team');
    const exprs = ((rule['spec'] as { groups: Array<{ rules: Array<{ alert: string; expr: string }> }> }).groups[0]!.rules).map((r) => [r.alert, r.expr]);
    expect(exprs).toEqual([
      ['KfscanNamespacePodCountGrowth', '100 * avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h]) / avg_over_time(sum by (namespace) (kube_pod_info)[1h:1h] offset 1d) > 125'],
      ['KfscanNamespaceCpuGrowth', '100 * avg_over_time(sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))[1h:5m]) / avg_over_time(sum by (namespace) (rate(container_cpu_usage_seconds_total{container!=""}[5m]))[1h:5m] offset 1d) > 150'],
      ['KfscanGpuUtilisationHigh', 'avg by (namespace, pod, exported_namespace, exported_pod) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[10m])) > 90'],
    ]);
  });

  it('takes thresholds and quota values from the options', () => {
    const tuned = buildKit(inventory, findings, { podGrowthPercent: 200, cpuGrowthPercent: 300, gpuUtilPercent: 80, quota: { cpu: '4500m', gpu: '2', pods: '20' } }, { checks: builtinChecks });
    const objects = tuned.fixes.flatMap((fix) => fix.manifests).flatMap((m) => m.objects);
    const text = JSON.stringify(objects);
    expect(text).toContain('offset 1d) > 200');
    expect(text).toContain('offset 1d) > 300');
    expect(text).toContain('[10m])) > 80');
    expect(objects.find((o) => o.kind === 'ResourceQuota')!['spec']).toEqual({ hard: { 'requests.cpu': '4500m', 'requests.nvidia.com/gpu': '2', 'count/pods': '20' } });
  });

  it('removes the static user and the password login from the Dex config, keeping the rest', () => {
    const patch = kit.fixes.find((fix) => fix.area === 'credentials')!.manifests[0]!.objects[0]! as KubeObject & { data: Record<string, string> };
    const config = parse(patch.data['config.yaml']!) as Record<string, unknown>;
    expect(config['enablePasswordDB']).toBe(false);
    expect(config).not.toHaveProperty('staticPasswords');
    expect(config['staticClients']).toEqual([{ idEnv: 'OIDC_CLIENT_ID', redirectURIs: ['/oauth2/callback'], name: 'Dex Login Application', secretEnv: 'OIDC_CLIENT_SECRET' }]);
    expect(config['issuer']).toBe('http://dex.auth.svc.cluster.local:5556/dex');
  });

  it('puts no password, hash or published secret in any file', () => {
    for (const [file, content] of files) {
      expect(content, file).not.toMatch(/\$2[abxy]?\$\d\d\$/);
      for (const secret of ['12341234', 'pUBnBOY80SnXgjibTYM9ZWNzY2xreNGQok', '7d16fee92f8d11b8940b081b3f8b8acb']) expect(content, file).not.toContain(secret);
    }
  });

  it('lists exactly its manifests in a kustomize Component, and its claims with fingerprints in the index', () => {
    const kustomization = parse(files.get('kustomization.yaml')!) as { apiVersion: string; kind: string; resources: string[]; patches: Array<{ path: string }> };
    expect(kustomization.apiVersion).toBe('kustomize.config.k8s.io/v1alpha1');
    expect(kustomization.kind).toBe('Component');
    const listed = [...kustomization.resources, ...kustomization.patches.map((p) => p.path)].sort();
    const manifests = [...files.keys()].filter((f) => f.startsWith('resources/') || f.startsWith('patches/')).sort();
    expect(listed).toEqual(manifests);
    const index = JSON.parse(files.get('kfscan-remediation.json')!) as { fixes: Array<{ addresses: Array<{ fingerprint: string }> }>; files: string[] };
    expect(index.fixes.flatMap((fix) => fix.addresses.map((a) => a.fingerprint)).sort()).toEqual(claimed().map((f) => f.fingerprint).sort());
    expect(index.files).toEqual([...files.keys()].sort());
    for (const manifest of manifests) {
      const fix = kit.fixes.find((f) => f.manifests.some((m) => m.path === manifest))!;
      for (const finding of fix.addresses) expect(files.get(manifest), manifest).toContain(`fingerprint ${finding.fingerprint}`);
      expect(parseAllDocuments(files.get(manifest)!).every((doc) => doc.errors.length === 0)).toBe(true);
    }
  });

  it('explains every file in its README, with the port-forward access and the findings left', () => {
    const readme = files.get('README.md')!;
    for (const file of files.keys()) if (file !== 'README.md') expect(readme, file).toContain(`\`${file}\``);
    expect(readme).toContain('kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80');
    expect(readme).toContain('dashboard-auth-missing');
    expect(readme).toContain('kubectl patch daemonset.apps falco -n falco --type strategic --patch-file patches/daemonset-falco-falco-tolerations.yaml');
  });
});

describe('fixes only for findings that exist', () => {
  it('writes nothing for Falco or Prometheus when the input is one exposed Service', () => {
    const inventory = scannedInventory(
      `apiVersion: v1
kind: Service
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  type: LoadBalancer
  selector: {k8s-app: kubernetes-dashboard}
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: kubernetes-dashboard, namespace: kubernetes-dashboard}
spec:
  template:
    metadata: {labels: {k8s-app: kubernetes-dashboard}}
    spec:
      containers: [{name: d, image: docker.io/kubernetesui/dashboard:v2.7.0, args: [--enable-skip-login]}]
`,
      { wholeCluster: false },
    );
    const kit = kitFor(inventory);
    expect(kit.fixes.map((fix) => fix.id)).toEqual(['clusterip-kubernetes-dashboard-kubernetes-dashboard']);
    expect(kit.documents).toEqual([]);
    expect(kit.fixes[0]!.addresses.map((f) => f.checkId)).toEqual(['sensitive-ui-exposed']);
  });

  it('removes externalIPs from a ClusterIP Service that has public ones', () => {
    const inventory = inventoryOf(`apiVersion: v1
kind: Service
metadata: {name: ml-pipeline-ui, namespace: kubeflow}
spec:
  selector: {app: ml-pipeline-ui}
  externalIPs: [203.0.113.40]
  ports: [{port: 80, targetPort: 3000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ml-pipeline-ui, namespace: kubeflow}
spec:
  template:
    metadata: {labels: {app: ml-pipeline-ui}}
    spec:
      containers: [{name: ui, image: ghcr.io/kubeflow/kfp-frontend:2.5.0}]
`);
    const kit = kitFor(inventory);
    const fix = kit.fixes.find((f) => f.area === 'exposure')!;
    expect(fix.addresses.map((f) => f.checkId)).toContain('kubeflow-dashboard-exposed');
    const { objects } = applyManifests(objectsOf(inventory), fix.manifests);
    expect((objects.find((o) => o.kind === 'Service')!['spec'] as Record<string, unknown>)['externalIPs']).toBeUndefined();
  });

  it('explains instead of copying a Dex config that holds a literal secret', () => {
    const inventory = inventoryOf(`apiVersion: v1
kind: ConfigMap
metadata: {name: dex, namespace: auth}
data:
  config.yaml: |
    issuer: http://dex.auth.svc.cluster.local:5556/dex
    enablePasswordDB: true
    staticPasswords:
    - email: user@example.com
      hash: $2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72
    connectors:
    - type: oidc
      id: corp
      name: Corp
      config: {issuer: https://idp.example.com, clientID: kubeflow, clientSecret: s3cr3t-value-from-the-idp}
`);
    const kit = kitFor(inventory);
    expect(kit.fixes.filter((fix) => fix.area === 'credentials')).toEqual([]);
    const step = kit.manual.find((s) => s.title.startsWith('Remove the static users'))!;
    expect(step.text[0]).toContain('connectors.0.config.clientSecret');
    const files = renderKit(kit, { version: 'test', target: { mode: 'manifests', paths: ['x'] }, options: DEFAULT_OPTIONS, findings: findingsOf(inventory) });
    for (const content of files.values()) expect(content).not.toContain('s3cr3t-value-from-the-idp');
  });

  it('gives a plain rules file and instructions when no Prometheus can select a PrometheusRule', () => {
    const inventory = inventoryOf(`apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata: {name: k8s, namespace: monitoring}
spec: {serviceMonitorSelector: {}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: centraldashboard, namespace: kubeflow}
spec:
  template:
    metadata: {labels: {app: centraldashboard}}
    spec:
      containers: [{name: c, image: ghcr.io/kubeflow/kubeflow/central-dashboard:v1.10.0}]
`);
    const kit = kitFor(inventory);
    expect(kit.fixes.filter((fix) => fix.area === 'alerts')).toEqual([]);
    expect(kit.documents.map((d) => d.path)).toContain('prometheus/kfscan-growth-rules.yaml');
    expect(kit.manual.find((s) => s.title === 'Add the growth alerts to your Prometheus')!.text[0]).toContain('ruleSelector nothing (no selector)');
  });

  it('leaves out an egress policy that would not help next to one that allows everything', () => {
    const inventory = inventoryOf(`apiVersion: kubeflow.org/v1
kind: Profile
metadata: {name: team-a}
spec:
  resourceQuotaSpec: {hard: {requests.cpu: "8", requests.nvidia.com/gpu: "1", count/pods: "30"}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all-egress, namespace: team-a}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress: [{}]
`);
    const kit = kitFor(inventory);
    expect(kit.fixes.filter((fix) => fix.area === 'egress')).toEqual([]);
    const dropped = kit.verification.dropped.map((d) => [d.fix.id, d.reason]);
    expect(dropped).toEqual([['egress-team-a', 'applying it clears none of the findings it was written for']]);
    expect(kit.manual.some((s) => s.title.startsWith('Not included: Deny egress from namespace team-a'))).toBe(true);
  });

  it('adds only the missing quota limits, and the CPU default request only with a CPU limit', () => {
    const inventory = inventoryOf(`apiVersion: kubeflow.org/v1
kind: Profile
metadata: {name: team-b}
spec:
  resourceQuotaSpec: {hard: {requests.cpu: "8"}}
`);
    const kit = kitFor(inventory);
    const objects = kit.fixes.find((fix) => fix.area === 'quota')!.manifests[0]!.objects;
    expect(objects.map((o) => o.kind)).toEqual(['ResourceQuota']);
    expect(objects[0]!['spec']).toEqual({ hard: { 'requests.nvidia.com/gpu': '1', 'count/pods': '50' } });
  });

  it('offers the Falco tolerations fix when the live status shows the sensor off the tainted GPU nodes, marked not provable offline', () => {
    const inventory = inventoryOf(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: falco, namespace: falco, uid: ds-1}
spec:
  selector: {matchLabels: {app.kubernetes.io/name: falco}}
  template:
    metadata: {labels: {app.kubernetes.io/name: falco}}
    spec:
      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]
      containers:
        - {name: falco, image: "falcosecurity/falco:0.44.1"}
status: {desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1}
---
apiVersion: v1
kind: Node
metadata: {name: cpu-1}
---
apiVersion: v1
kind: Node
metadata: {name: gpu-1, labels: {nvidia.com/gpu.present: "true"}}
spec:
  taints: [{key: nvidia.com/gpu, value: present, effect: NoSchedule}]
---
apiVersion: v1
kind: Pod
metadata:
  name: falco-abcde
  namespace: falco
  labels: {app.kubernetes.io/name: falco}
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: falco, uid: ds-1}]
spec:
  nodeName: cpu-1
  containers:
    - {name: falco, image: "falcosecurity/falco:0.44.1"}
status:
  phase: Running
  conditions: [{type: Ready, status: "True"}]
`);
    const findings = findingsOf(inventory);
    const kit = kitFor(inventory, findings);
    // With the kit applied, the tainted GPU node becomes one the sensor can run on, where the old status has
    // no ready pod yet: a rescan cannot prove the fix, but it is offered, marked so, and nothing "appears".
    const fix = kit.fixes.find((f) => f.id === 'falco-tolerations-falco-falco');
    expect(fix?.provableOffline).toBe(false);
    expect(fix?.addresses.map((f) => f.checkId)).toEqual(['falco-node-coverage']);
    expect(kit.verification.dropped.map((d) => d.fix.id)).toEqual([]);
    expect(kit.verification.appeared).toEqual([]);
    const files = renderKit(kit, { version: 'test', target: { mode: 'cluster', paths: [] }, options: DEFAULT_OPTIONS, findings });
    expect(files.get('README.md')).toContain('**Not provable offline**');
    const index = JSON.parse(files.get('kfscan-remediation.json')!) as { fixes: Array<{ id: string; provableOffline?: boolean }> };
    expect(index.fixes.find((f) => f.id === fix!.id)?.provableOffline).toBe(false);
    expect([...files.keys()].find((name) => name.includes('tolerations'))).toBeDefined();
  });

  it('marks a status-only finding as meant to be cleared when the rescan cannot show it', () => {
    const inventory = inventoryOf(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: falco, namespace: falco}
spec:
  template:
    spec:
      containers:
        - {name: falco, image: "falcosecurity/falco:0.44.1"}
status: {desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2}
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: ml}
spec:
  template:
    spec:
      containers:
        - {name: train, image: "pytorch/pytorch:2.3.0", resources: {limits: {nvidia.com/gpu: 1}}}
`);
    const kit = kitFor(inventory);
    const fix = kit.fixes.find((f) => f.id === 'falco-tolerations-falco-falco')!;
    expect(fix.provableOffline).toBe(false);
    expect(fix.addresses.map((f) => f.fieldPath[0])).toEqual(['spec']);
    expect(fix.unproven?.map((f) => f.fieldPath.join('.'))).toEqual(['status.numberReady']);
  });

  it('predicts the GPU taints when there are no Node objects, and projects the rules into a ConfigMap rules volume', () => {
    const inventory = inventoryOf(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: falco, namespace: falco, labels: {app: falco, role: security}}
spec:
  template:
    metadata: {labels: {app: falco, role: security}}
    spec:
      tolerations: [{effect: NoSchedule, key: node-role.kubernetes.io/master}]
      containers:
        - name: falco
          image: docker.io/falcosecurity/falco:0.29.1
          volumeMounts: [{mountPath: /etc/falco, name: config-volume}]
      volumes:
        - name: config-volume
          configMap:
            name: falco
            defaultMode: 420
            items: [{key: falco.yaml, path: falco.yaml}, {key: falco_rules.local.yaml, path: falco_rules.local.yaml}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: falco, namespace: falco}
data:
  falco.yaml: |
    rules_file: [/etc/falco/falco_rules.local.yaml, /etc/falco/rules.d]
  falco_rules.local.yaml: "[]"
---
apiVersion: kubeflow.org/v1
kind: TFJob
metadata: {name: mnist, namespace: team-a}
spec:
  tfReplicaSpecs:
    Worker:
      template:
        spec:
          containers:
            - {name: tensorflow, image: "tensorflow/tensorflow:2.15.0-gpu", resources: {limits: {nvidia.com/gpu: 1}}}
`);
    const kit = kitFor(inventory);
    expect(kit.fixes.map((fix) => [fix.id, fix.addresses.map((f) => f.checkId)])).toEqual([
      ['falco-rules-falco-falco', ['falco-miner-rules']],
      ['falco-tolerations-falco-falco', ['falco-node-coverage']],
    ]);
    const { objects } = applyManifests(objectsOf(inventory), kit.fixes.flatMap((fix) => fix.manifests));
    const pod = (objects.find((o) => o.kind === 'DaemonSet')! as unknown as { spec: { template: { spec: { volumes: unknown[]; tolerations: unknown[] } } } }).spec.template.spec;
    expect(pod.volumes).toEqual([
      {
        name: 'config-volume',
        projected: {
          defaultMode: 420,
          sources: [
            { configMap: { name: 'falco', items: [{ key: 'falco.yaml', path: 'falco.yaml' }, { key: 'falco_rules.local.yaml', path: 'falco_rules.local.yaml' }] } },
            { configMap: { name: 'kfscan-falco-miner-rules', items: [{ key: 'kfscan-miner-rules.yaml', path: 'rules.d/kfscan-miner-rules.yaml' }] } },
          ],
        },
      },
    ]);
    expect(pod.tolerations).toEqual([
      { effect: 'NoSchedule', key: 'node-role.kubernetes.io/master' },
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
      { key: 'sku', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
      { key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
  });
});

describe('strategic merge by the API merge keys', () => {
  it('merges Service ports by port, container volumeMounts by mountPath, and deletes nulls inside list items', () => {
    const service = { spec: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }] } };
    expect(strategicMerge(service, { spec: { type: 'ClusterIP', ports: [{ port: 443, nodePort: null }] } })).toEqual({
      spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443 }] },
    });
    const pod = { containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/x', subPath: 'one' }] }] };
    expect(strategicMerge(pod, { containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/y', subPath: 'two' }] }] })).toEqual({
      containers: [{ name: 'a', volumeMounts: [{ name: 'v', mountPath: '/x', subPath: 'one' }, { name: 'v', mountPath: '/y', subPath: 'two' }] }],
    });
  });

  it('replaces atomic lists (tolerations, args) and lists without a merge key', () => {
    expect(strategicMerge({ tolerations: [{ key: 'a' }], args: ['x'] }, { tolerations: [{ key: 'b' }], args: ['y'] })).toEqual({ tolerations: [{ key: 'b' }], args: ['y'] });
  });

  it('turns a ConfigMap volume into a projected one when the patch nulls configMap', () => {
    const pod = { volumes: [{ name: 'cfg', configMap: { name: 'x' } }, { name: 'other', emptyDir: {} }] };
    expect(strategicMerge(pod, { volumes: [{ name: 'cfg', configMap: null, projected: { sources: [] } }] })).toEqual({
      volumes: [{ name: 'cfg', projected: { sources: [] } }, { name: 'other', emptyDir: {} }],
    });
  });
});

describe('writing the kit', () => {
  it('with --force removes only files an earlier index lists inside the directory', async () => {
    const { mkdtempSync, writeFileSync, existsSync, mkdirSync } = await import('node:fs');
    const os = await import('node:os');
    const { writeKit } = await import('../src/remediate/write.js');
    const parent = mkdtempSync(path.join(os.tmpdir(), 'kfscan-write-'));
    const dir = path.join(parent, 'kit');
    mkdirSync(path.join(dir, 'resources'), { recursive: true });
    writeFileSync(path.join(parent, 'precious.txt'), 'keep');
    writeFileSync(path.join(dir, 'resources', 'old.yaml'), 'old');
    writeFileSync(path.join(dir, 'kfscan-remediation.json'), JSON.stringify({ files: ['resources/old.yaml', '../precious.txt', '/etc/hostname', 'kfscan-remediation.json'] }));
    await expect(writeKit(dir, new Map([['README.md', 'new']]), { force: false })).rejects.toThrow('is not empty');
    const outcome = await writeKit(dir, new Map([['README.md', 'new']]), { force: true });
    expect(outcome.removed.sort()).toEqual(['kfscan-remediation.json', 'resources/old.yaml']);
    expect(existsSync(path.join(parent, 'precious.txt'))).toBe(true);
    expect(existsSync(path.join(dir, 'resources'))).toBe(false);
    expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
  });
});
