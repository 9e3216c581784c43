import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { KubeObject, ScanResult } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { buildInventory } from '../src/inventory/inventory.js';
import { externalReaches, serviceEntries } from '../src/kube/entry-graph.js';
import { probeTargets } from '../src/probe/targets.js';
import { createResource } from '../src/inventory/resource.js';
import { parseManifests } from '../src/loaders/manifest-parser.js';
import { jsonReport } from '../src/reporters/json.js';
import { sarifReport } from '../src/reporters/sarif.js';
import { tableReport } from '../src/reporters/table.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

// Property-based robustness: random and mutated Kubernetes objects never crash a check, never make the
// engine drop another resource's findings, and always give valid JSON and schema-valid SARIF. A bounded
// number of cases runs with every `npm test`; `npm run fuzz` runs many more (FUZZ_RUNS).
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 60);
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
const params = { numRuns: RUNS, ...(SEED !== undefined ? { seed: SEED } : {}) };
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const CONTEXT = { version: '0.0.0-fuzz', color: false, width: 100 };
// Long runs are the point of `npm run fuzz`: give them time in proportion.
const TIMEOUT = Math.max(30_000, RUNS * 100);

function fixtureFiles(dir = FIXTURES): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? fixtureFiles(full) : /\.ya?ml$/.test(name) ? [full] : [];
  });
}

const fixtureTexts = fixtureFiles().map((file) => readFileSync(file, 'utf8'));
const fixtureObjects: KubeObject[] = fixtureTexts.flatMap((text) => parseManifests(text, 'f.yaml').objects.map((o) => o.obj));

const FIELD_NAMES = ['spec', 'template', 'metadata', 'labels', 'annotations', 'containers', 'initContainers', 'image', 'command', 'args', 'env', 'value', 'name', 'namespace', 'selector', 'matchLabels', 'matchExpressions', 'type', 'ports', 'nodePort', 'externalIPs', 'loadBalancerSourceRanges', 'gateways', 'hosts', 'http', 'route', 'destination', 'host', 'servers', 'rules', 'data', 'tolerations', 'nodeSelector', 'affinity', 'templates', 'container', 'script', 'groups', 'expr', 'alert', 'egress', 'ingress', 'podSelector', 'policyTypes', 'hard', 'status', 'tfReplicaSpecs', 'Worker', 'ownerReferences', 'kind', 'serviceAccountName', 'backend', 'service', 'parentRefs', 'backendRefs', 'to', 'configPatches', 'action', 'provider', 'staticPasswords', 'connectors', 'mesh', 'config.yaml', 'falco.yaml'];
const INTERESTING_STRINGS = ['tensorflow/tensorflow:latest-gpu', 'tensorflow/tensorflow', 'stratum+tcp://pool.example:3333', 'xmrig', '--donate-level', 'LoadBalancer', 'NodePort', 'ClusterIP', 'istio-ingressgateway', 'ingressgateway', 'kubeflow', 'kubeflow-gateway', 'centraldashboard', 'ml-pipeline-ui', '0.0.0.0/0', '10.0.0.0/8', '*', '', 'CUSTOM', 'ALLOW', 'true', 'false', '\u001b[2J', '<script>alert(1)</script>', 'x'.repeat(300), 'Exists', 'In', '{{ .Values.x }}', 'nvidia.com/gpu'];
const KINDS: Array<[string, string]> = [['v1', 'Service'], ['v1', 'Pod'], ['apps/v1', 'Deployment'], ['apps/v1', 'DaemonSet'], ['v1', 'ConfigMap'], ['v1', 'Secret'], ['v1', 'Namespace'], ['v1', 'Node'], ['networking.istio.io/v1', 'Gateway'], ['networking.istio.io/v1', 'VirtualService'], ['networking.istio.io/v1alpha3', 'EnvoyFilter'], ['security.istio.io/v1', 'AuthorizationPolicy'], ['networking.k8s.io/v1', 'Ingress'], ['networking.k8s.io/v1', 'NetworkPolicy'], ['gateway.networking.k8s.io/v1', 'HTTPRoute'], ['argoproj.io/v1alpha1', 'Workflow'], ['kubeflow.org/v1', 'TFJob'], ['kubeflow.org/v1', 'Profile'], ['monitoring.coreos.com/v1', 'Prometheus'], ['monitoring.coreos.com/v1', 'PrometheusRule'], ['v1', 'ResourceQuota'], ['route.openshift.io/v1', 'Route']];

const scalar = fc.oneof(fc.constantFrom(...INTERESTING_STRINGS), fc.string({ maxLength: 20 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: false }));
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...FIELD_NAMES), fc.string({ maxLength: 8 })), tie('v'), { maxKeys: 5 }),
  ),
})).v;

const randomObject: fc.Arbitrary<KubeObject> = fc
  .record({
    kind: fc.constantFrom(...KINDS),
    name: fc.oneof(fc.constantFrom('istio-ingressgateway', 'centraldashboard', 'kubeflow-gateway', 'dex', 'falco', 'x'), fc.string({ minLength: 1, maxLength: 12 })),
    namespace: fc.constantFrom('istio-system', 'kubeflow', 'auth', 'falco', 'team-a', 'default'),
    labels: fc.dictionary(fc.constantFrom('app', 'istio', 'app.kubernetes.io/name', 'pipeline/runid', 'x'), fc.constantFrom('ingressgateway', 'istio-ingressgateway', 'falco', 'centraldashboard', 'y')),
    annotations: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 }), { maxKeys: 2 }),
    body: fc.dictionary(fc.constantFrom('spec', 'data', 'status', 'stringData', 'items', 'rules', 'subjects'), value, { maxKeys: 3 }),
  })
  .map(({ kind: [apiVersion, kind], name, namespace, labels, annotations, body }) => ({
    ...body,
    apiVersion,
    kind,
    metadata: { name, namespace, labels, annotations },
  }));

/** An object of the pool with one subtree replaced by a random value. */
const mutatedFrom = (pool: readonly KubeObject[]): fc.Arbitrary<KubeObject> => fc
  .tuple(fc.constantFrom(...pool), fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), value)
  .map(([original, steps, replacement]) => {
    const copy = structuredClone(original) as Record<string, unknown>;
    let node: unknown = copy;
    for (const [index, step] of steps.entries()) {
      if (typeof node !== 'object' || node === null) break;
      const keys = Object.keys(node);
      if (keys.length === 0) break;
      const key = keys[step % keys.length]!;
      if (index === steps.length - 1 || key === 'apiVersion' || key === 'kind') {
        if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') (node as Record<string, unknown>)[key] = replacement;
        break;
      }
      node = (node as Record<string, unknown>)[key];
    }
    return copy as KubeObject;
  });

const mutatedFixture = mutatedFrom(fixtureObjects);

// The demo's exposed gateway: whatever else is in the inventory, its finding must stay.
const SENTINEL: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'sentinel-gateway', namespace: 'sentinel' },
  spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway' } },
} as KubeObject;

function analyse(objects: KubeObject[]): ScanResult {
  const resources = objects.map((obj) => createResource({ obj, origin: { type: 'cluster', context: 'fuzz' } }));
  const inventory = buildInventory(resources, { mode: 'cluster', context: 'fuzz' });
  const run = analyseInventory(inventory, { checks: builtinChecks });
  return {
    target: { mode: 'cluster', contexts: ['fuzz'] },
    findings: run.findings,
    errors: run.errors,
    warnings: [],
    coverage: { unreadable: [], undecided: run.undecided },
    checks: builtinChecks.map((check) => check.meta),
    scanned: { resources: resources.length, files: 0, contexts: 1 },
    anchorFile: null,
  };
}

describe('fuzzing the checks', () => {
  it('random and mutated objects never crash a check or hide the sentinel finding, and reports stay valid', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(randomObject, mutatedFixture), { minLength: 1, maxLength: 12 }), (objects) => {
        const result = analyse([SENTINEL, ...objects]);
        expect(result.errors).toEqual([]);
        expect(result.findings.some((f) => f.checkId === 'ingress-gateway-exposed' && f.resource?.name === 'sentinel-gateway')).toBe(true);
        for (const finding of result.findings) {
          expect(typeof finding.message).toBe('string');
          expect(finding.fingerprint).toMatch(/^[0-9a-f]{32}$/);
        }
        const json = JSON.parse(jsonReport(result, CONTEXT));
        expect(json.findings).toHaveLength(result.findings.length);
        expect(sarifSchemaErrors(JSON.parse(sarifReport(result, CONTEXT)))).toEqual([]);
        expect(tableReport(result, CONTEXT)).not.toMatch(/\u001b/);
      }),
      params,
    );
  }, TIMEOUT);
});

// Entry points whose status carries addresses, for the probe's targets to find (or not, once mutated).
const ADDRESSED_ENTRIES = parseManifests(
  `apiVersion: v1
kind: Service
metadata: {name: lb, namespace: kubeflow}
spec: {type: LoadBalancer, selector: {app: centraldashboard}, ports: [{name: https, port: 443}, {name: http2, port: 80}]}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}, {hostname: lb.example.net}]}}
---
apiVersion: v1
kind: Service
metadata: {name: np, namespace: kubeflow}
spec: {type: NodePort, selector: {app: centraldashboard}, externalIPs: [198.51.100.3], ports: [{name: http, port: 80, nodePort: 30080}]}
---
apiVersion: v1
kind: Node
metadata: {name: worker}
status: {addresses: [{type: ExternalIP, address: 198.51.100.7}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: kubeflow}
spec: {tls: [{hosts: [kf.example.com]}], rules: [{host: kf.example.com, http: {paths: [{path: /, backend: {service: {name: centraldashboard, port: {number: 80}}}}]}}]}
status: {loadBalancer: {ingress: [{ip: 192.0.2.9}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: kubeflow}
spec: {gatewayClassName: envoy, listeners: [{name: web, port: 8080, protocol: HTTP}]}
status: {addresses: [{type: IPAddress, value: 192.0.2.20}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: r, namespace: kubeflow}
spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: centraldashboard, port: 80}]}]}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: route, namespace: kubeflow}
spec: {to: {kind: Service, name: centraldashboard}, tls: {termination: edge}}
status: {ingress: [{host: route.apps.example.com}]}
`,
  'entries.yaml',
).objects.map((o) => o.obj);

describe('fuzzing the probe\'s targets', () => {
  it('never throws, and every address it would connect to is written in the objects', () => {
    let origins = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(randomObject, mutatedFixture, fc.constantFrom(...ADDRESSED_ENTRIES), mutatedFrom(ADDRESSED_ENTRIES)), { minLength: 1, maxLength: 12 }), (objects) => {
        const inventory = buildInventory(
          objects.map((obj) => createResource({ obj, origin: { type: 'cluster', context: 'fuzz' } })),
          { mode: 'cluster', context: 'fuzz' },
        );
        const written = JSON.stringify(objects);
        const reaches = externalReaches(inventory);
        for (const entry of new Set([...reaches.map((r) => r.entry.resource), ...serviceEntries(inventory).map((e) => e.resource)])) {
          const targets = probeTargets(inventory, entry, reaches.filter((r) => r.entry.resource === entry));
          expect(targets.origins.length).toBeLessThanOrEqual(2);
          origins += targets.origins.length;
          for (const origin of targets.origins) {
            expect(written).toContain(JSON.stringify(origin.address).slice(1, -1));
            expect(Number.isInteger(origin.port) && origin.port >= 1 && origin.port <= 65535).toBe(true);
            expect(['http', 'https']).toContain(origin.scheme);
          }
        }
      }),
      params,
    );
    // Not vacuous: addresses were found and judged.
    expect(origins).toBeGreaterThan(0);
  }, TIMEOUT);
});

describe('fuzzing the loader', () => {
  const mutatedText = fc
    .tuple(fc.constantFrom(...fixtureTexts), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\n', '\t', ':', '- ', '---\n', '{{', '&a ', '*a', '"', "'", '[', '{', '\u0000', '\ufeff', '\r\n'))), { maxLength: 6 }))
    .map(([text, edits]) => {
      let out = text;
      for (const [at, remove, insert] of edits) {
        const position = at % (out.length + 1);
        out = out.slice(0, position) + insert + out.slice(position + remove);
      }
      return out;
    });

  it('never throws on mutated manifests, and what it returns is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText, fc.string({ maxLength: 200 })), (text) => {
        const outcome = parseManifests(text, 'fuzz.yaml');
        for (const object of outcome.objects) {
          expect(typeof object.obj.apiVersion).toBe('string');
          expect(typeof object.obj.kind).toBe('string');
          expect(typeof object.obj.metadata).toBe('object');
          const where = object.locate(['spec', 'template', 'spec', 'containers', 0, 'image']);
          if (where) expect(where.line).toBeGreaterThanOrEqual(1);
        }
        for (const problem of [...outcome.errors, ...outcome.warnings]) {
          expect(problem.file).toBe('fuzz.yaml');
          expect(problem.message).not.toMatch(/\n\s+at /);
        }
      }),
      params,
    );
  }, TIMEOUT);
});
