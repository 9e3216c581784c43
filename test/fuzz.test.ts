import { ATTACK_PATH } from './helpers/results.js';
import fc from 'fast-check';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { KubeObject, ScanResult } from '../src/core/types.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { buildInventory } from '../src/inventory/inventory.js';
import { createResource } from '../src/inventory/resource.js';
import { externalReaches, serviceEntries } from '../src/kube/entry-graph.js';
import { parseManifests } from '../src/loaders/manifest-parser.js';
import { probeTargets } from '../src/probe/targets.js';
import { htmlReport } from '../src/reporters/html/report.js';
import { jsonReport } from '../src/reporters/json.js';
import { markdownReport } from '../src/reporters/markdown.js';
import { sarifReport } from '../src/reporters/sarif.js';
import { tableReport } from '../src/reporters/table.js';
import { fixtureObjects, kindsFor, mutatedFixture, mutatedFrom, mutatedText, promqlRules, randomObject, vocabulary } from './helpers/fuzz-arbitraries.js';
import { propertyRuns } from './helpers/property.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

// Property-based robustness: random and mutated Kubernetes objects never crash a check, never make the
// engine drop another resource's findings, and always give valid JSON, schema-valid SARIF, and table,
// markdown and HTML with no raw control character and no markup of their own. A bounded number of cases
// runs with every `npm test`; `npm run fuzz` runs many more (KFSCAN_PROPERTY_RUNS; FUZZ_SEED replays a failure).
const RUNS = propertyRuns(60);
const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
const params = {
  numRuns: RUNS,
  ...(SEED !== undefined ? { seed: SEED } : {}),
  // FUZZ_SEED with FUZZ_PATH (both printed with a counterexample) replays exactly the failing case.
  ...(process.env['FUZZ_PATH'] ? { path: process.env['FUZZ_PATH'] } : {}),
  ...(process.env['FUZZ_NO_SHRINK'] ? { endOnFailure: true } : {}),
};
const CONTEXT = { version: '0.0.0-fuzz', color: false, width: 100, generatedAt: new Date('2026-01-01T00:00:00Z'), attackPath: ATTACK_PATH };
// Long runs are the point of `npm run fuzz`: give them time in proportion.
const TIMEOUT = Math.max(60_000, RUNS * 250);
// Raw control characters other than newline (and tab in HTML, where it is inert).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// eslint-disable-next-line no-control-regex
const HTML_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// Findings no other object can legitimately take away: each sits alone in namespace `sentinel`.
const SENTINELS: Array<{ object: KubeObject; checkId: string }> = [
  {
    checkId: 'ingress-gateway-exposed',
    object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sentinel-gateway', namespace: 'sentinel' }, spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway' } } },
  },
  {
    checkId: 'mutable-ml-image',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'sentinel-trainer', namespace: 'sentinel' },
      spec: { template: { spec: { containers: [{ name: 'train', image: 'tensorflow/tensorflow:latest-gpu' }] } } },
    },
  },
  {
    checkId: 'miner-indicators',
    object: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sentinel-miner', namespace: 'sentinel' },
      spec: { containers: [{ name: 'sync', image: 'registry.example.com/sync:1.0', command: ['xmrig'], args: ['-o', 'stratum+tcp://pool.supportxmr.com:3333'] }] },
    },
  },
] as Array<{ object: KubeObject; checkId: string }>;

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

/** Markdown as GitHub renders it, raw HTML let through so that any that leaks out shows. */
const renderMarkdown = (markdown: string): string => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
const KFSCAN_TAGS = /^<\/?(?:h[1-6]|p|table|thead|tbody|tr|th|td|code|strong|em|ul|ol|li|a|br|details|summary|blockquote|pre|hr|input)\b/;

/** How often each check fired and stayed quiet: proof that the generated inputs reach both outcomes. */
const reach = new Map(builtinChecks.map((check) => [check.meta.id, { fired: 0, quiet: 0, undecided: 0 }]));

function checkReports(result: ScanResult): void {
  const json = JSON.parse(jsonReport(result, CONTEXT));
  expect(json.findings).toHaveLength(result.findings.length);
  expect(sarifSchemaErrors(JSON.parse(sarifReport(result, CONTEXT)))).toEqual([]);
  expect(tableReport(result, CONTEXT)).not.toMatch(CONTROL);

  const markdown = markdownReport(result, CONTEXT);
  expect(markdown).not.toMatch(CONTROL);
  // Collected, then asserted once: an expect per tag of every report of every run is most of this test's time.
  const markdownTags = renderMarkdown(markdown).match(/<[a-zA-Z/][^>]*>/g) ?? [];
  expect(markdownTags.filter((tag) => !KFSCAN_TAGS.test(tag)), 'markdown produced a tag of its own').toEqual([]);
  expect(markdownTags.filter((tag) => /href="(?!https:\/\/github\.com\/kfscan\/)/.test(tag))).toEqual([]);

  const html = htmlReport(result, CONTEXT);
  expect(html).not.toMatch(HTML_CONTROL);
  expect(html.match(/<script/gi)).toHaveLength(1);
  // Every `<` of a scan result is escaped: each tag is kfscan's own, with no event handler.
  const htmlTags = html.match(/<[a-zA-Z][^>]*>/g) ?? [];
  expect(htmlTags.filter((tag) => /^<(?:img|iframe|object|embed|form|base|link)\b/i.test(tag))).toEqual([]);
  expect(htmlTags.filter((tag) => /\son[a-z]+\s*=/i.test(tag.replace(/"[^"]*"/g, '""')))).toEqual([]);
}

describe('fuzzing the checks', () => {
  const kinds = kindsFor(builtinChecks);
  const noise = fc.oneof({ weight: 3, arbitrary: randomObject(kinds) }, { weight: 4, arbitrary: mutatedFixture });
  const inputs = fc.tuple(fc.array(noise, { minLength: 1, maxLength: 12 }), fc.option(promqlRules, { freq: 3, nil: undefined }));

  it('the generators speak the vocabulary of every check', () => {
    // Every kind a check reads is generated; the fixtures give embedded documents and PromQL to mutate.
    for (const check of builtinChecks) {
      for (const kind of check.meta.needs) {
        const name = kind.slice(kind.lastIndexOf('/') + 1);
        expect(kinds.some(([, k]) => k === name), `${check.meta.id} needs ${kind}`).toBe(true);
      }
    }
    expect([...vocabulary.embeddedKeys]).toEqual(expect.arrayContaining(['config.yaml', 'mesh', 'falco.yaml', 'falco_rules.local.yaml', 'alerting_rules.yml', 'prometheus.yml']));
    expect(vocabulary.promql.size).toBeGreaterThan(10);
    expect(fixtureObjects.length).toBeGreaterThan(300);
  });

  it('random and mutated objects never crash a check or hide a sentinel finding, and every report stays valid', async () => {
    // A runtime warning (the yaml package's, say) would reach a user's terminal as '(node:PID) Warning'.
    const runtimeWarnings: string[] = [];
    const onWarning = (warning: Error): void => void runtimeWarnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      fuzzChecks();
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(runtimeWarnings).toEqual([]);
  }, TIMEOUT);

  function fuzzChecks(): void {
    const alone = analyse(SENTINELS.map((s) => s.object));
    for (const sentinel of SENTINELS) {
      expect(alone.findings.some((f) => f.checkId === sentinel.checkId && f.resource?.name === sentinel.object.metadata.name), sentinel.checkId).toBe(true);
    }
    fc.assert(
      fc.property(inputs, ([objects, rules]) => {
        const result = analyse([...SENTINELS.map((s) => s.object), ...objects, ...(rules ?? [])]);
        expect(result.errors, result.errors.map((e) => e.message).join('; ')).toEqual([]);
        for (const sentinel of SENTINELS) {
          const kept = result.findings.some((f) => f.checkId === sentinel.checkId && f.resource?.name === sentinel.object.metadata.name);
          expect(kept, `${sentinel.checkId} finding on the sentinel was lost`).toBe(true);
        }
        expect(result.findings.filter((finding) => typeof finding.message !== 'string' || !/^[0-9a-f]{32}$/.test(finding.fingerprint))).toEqual([]);
        for (const [id, counts] of reach) {
          if (result.findings.some((f) => f.checkId === id && f.resource?.namespace !== 'sentinel')) counts.fired++;
          else if (result.coverage.undecided.some((u) => u.checkId === id)) counts.undecided++;
          else counts.quiet++;
        }
        checkReports(result);
      }),
      params,
    );
  }

  afterAll(() => {
    if (RUNS < 1000) return;
    console.log(`fuzz reach over ${RUNS} runs (fired/undecided/quiet):\n${[...reach].map(([id, c]) => `  ${id}: ${c.fired}/${c.undecided}/${c.quiet}`).join('\n')}`);
    // A long run must have driven every check to a finding and to a pass: the inputs reach its logic.
    expect([...reach].filter(([, c]) => c.fired === 0 || c.quiet + c.undecided === 0).map(([id]) => id)).toEqual([]);
  });
});

describe('fuzzing the loader', () => {
  // A secret value sitting where the YAML breaks: the message must say what is wrong, never quote it.
  const MARKER = 'KFSECRETMARK';
  const KIND_WARNING = /^(?:unknown kind .* in .* \(a typo|skipped .*: no metadata\.name|skipped: .* has no metadata mapping$|skipped .*: items is not a list$)/;
  const windows = Array.from({ length: MARKER.length - 4 }, (_, i) => MARKER.slice(i, i + 5));
  const YAML_CONTEXTS = ['*', '&', '!', '!!', '!<', '!e!', '|', '>-', '|2', '"\\', '"\\x', '"\\u', '{', '[', '%YAML ', '%TAG ! ', '%', '? ', '@', '`', ': ', '- ', '<<: *', '{a: ', '[a, ', ',', '"', "'", '\t', '---\n'];
  const withMarker = fc
    .tuple(mutatedText, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...YAML_CONTEXTS), fc.constantFrom('', ' ', '\n', ']', '}', ':', '"')), { minLength: 1, maxLength: 3 }))
    .map(([text, insertions]) => {
      let out = text;
      for (const [at, before, after] of insertions) {
        const position = at % (out.length + 1);
        out = `${out.slice(0, position)}${before}${MARKER}${after}${out.slice(position)}`;
      }
      return out;
    });

  it('never quotes the document in an error or warning, so a secret where the YAML breaks is not printed', () => {
    fc.assert(
      fc.property(withMarker, (text) => {
        for (const precise of [false, true]) {
          const outcome = parseManifests(text, 'fuzz.yaml', { precise });
          for (const problem of [...outcome.errors, ...outcome.warnings]) {
            // Warnings about a kind name it (`unknown kind Deploymnet`): a kind is no secret.
            if (KIND_WARNING.test(problem.message)) continue;
            expect(windows.filter((window) => problem.message.includes(window)), problem.message).toEqual([]);
          }
        }
      }),
      params,
    );
  }, TIMEOUT);

  it('never throws on mutated manifests, and what it returns is well-formed', () => {
    fc.assert(
      fc.property(fc.oneof(mutatedText, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })), (text) => {
        for (const precise of [false, true]) {
          const outcome = parseManifests(text, 'fuzz.yaml', { precise });
          for (const object of outcome.objects) {
            expect(typeof object.obj.apiVersion).toBe('string');
            expect(typeof object.obj.kind).toBe('string');
            expect(typeof object.obj.metadata).toBe('object');
            const where = object.locate(['spec', 'template', 'spec', 'containers', 0, 'image']);
            if (where) expect(where.line).toBeGreaterThanOrEqual(1);
          }
          for (const problem of [...outcome.errors, ...outcome.warnings]) {
            expect(problem.file).toBe('fuzz.yaml');
            expect(problem.line ?? 1).toBeGreaterThanOrEqual(1);
            expect(problem.message).not.toMatch(/\n\s+at /);
          }
        }
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
      fc.property(fc.array(fc.oneof(randomObject(kindsFor(builtinChecks)), mutatedFixture, fc.constantFrom(...ADDRESSED_ENTRIES), mutatedFrom(ADDRESSED_ENTRIES)), { minLength: 1, maxLength: 12 }), (objects) => {
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
            expect(origin.port, JSON.stringify(origin)).toSatisfy((port: number) => Number.isInteger(port) && port >= 1 && port <= 65535);
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
