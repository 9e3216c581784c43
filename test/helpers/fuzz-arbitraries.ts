import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Check, KubeObject } from '../../src/core/types.js';
import { parseManifests } from '../../src/loaders/manifest-parser.js';

/**
 * Generators for property-based tests of the loader and the checks. Their vocabulary is harvested from
 * the project's fixtures, so that a new check, with its fixtures, is fuzzed with the kinds, keys and
 * values it reads without touching this file: keys and strings of every object, also inside documents
 * embedded in strings (Dex `config.yaml`, Istio `mesh`, Falco `falco.yaml`, Prometheus rule files), and
 * the PromQL of every `expr`.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const CHECKS = path.resolve(import.meta.dirname, '../../checks');

function fixtureFiles(): string[] {
  const checkFixtures = readdirSync(CHECKS)
    .sort()
    .map((name) => path.join(CHECKS, name, 'fixtures'))
    .filter((dir) => existsSync(dir));
  return [FIXTURES, ...checkFixtures].flatMap((dir) => yamlFiles(dir));
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory() ? yamlFiles(full) : /\.ya?ml$/.test(name) ? [full] : [];
    });
}

export const fixtureTexts: string[] = fixtureFiles().map((file) => readFileSync(file, 'utf8'));
export const fixtureObjects: KubeObject[] = fixtureTexts.flatMap((text) => parseManifests(text, 'f.yaml').objects.map((o) => o.obj));

/** A string that holds a YAML (or JSON) mapping or list, parsed; `undefined` for any other string. */
export function embeddedDocument(text: string): unknown {
  if (!/[:\n[{]/.test(text) || text.length > 200_000) return undefined;
  try {
    const value: unknown = parseYaml(text, { maxAliasCount: 100, logLevel: 'error' });
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}

const PROMQL_KEYS = new Set(['expr', 'record']);

interface Vocabulary {
  keys: Set<string>;
  strings: Set<string>;
  /** Keys whose value was a YAML document in a string. */
  embeddedKeys: Set<string>;
  promql: Set<string>;
}

function harvest(objects: readonly unknown[]): Vocabulary {
  const vocabulary: Vocabulary = { keys: new Set(), strings: new Set(), embeddedKeys: new Set(), promql: new Set() };
  const walk = (value: unknown, key: string | null): void => {
    if (typeof value === 'string') {
      if (key !== null && PROMQL_KEYS.has(key)) vocabulary.promql.add(value.trim());
      const embedded = embeddedDocument(value);
      if (embedded !== undefined && key !== null) {
        vocabulary.embeddedKeys.add(key);
        walk(embedded, null);
      } else if (value.length <= 120) vocabulary.strings.add(value);
      return;
    }
    if (Array.isArray(value)) for (const item of value) walk(item, key);
    else if (typeof value === 'object' && value !== null) {
      for (const [childKey, child] of Object.entries(value)) {
        vocabulary.keys.add(childKey);
        walk(child, childKey);
      }
    }
  };
  for (const object of objects) walk(object, null);
  return vocabulary;
}

export const vocabulary = harvest(fixtureObjects);
/** Names that are properties of every plain object: a lookup table keyed by them must find nothing. */
export const PROTOTYPE_NAMES = ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'prototype'];
const KEYS = [...[...vocabulary.keys].sort(), ...PROTOTYPE_NAMES];
const STRINGS = [...vocabulary.strings].sort();
const EMBEDDED_KEYS = [...vocabulary.embeddedKeys].sort();
export const PROMQL_EXPRESSIONS = [...vocabulary.promql].sort();

/** Text an attacker would try: terminal escapes, markup, bidi overrides, huge and odd values. */
export const HOSTILE_STRINGS = [
  '\u001b[2J\u001b[H',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  '\u009b31m',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[phish](https://evil.example)',
  '| a | b |',
  '`code` **bold** @octocat',
  'gpu\u202eexe.sh',
  'x'.repeat(5000),
  '',
  ' ',
  '\u0000',
  '\r\n',
  '{{ .Values.x }}',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '💥',
  '\ud800',
  // Catastrophic for a backtracking regex engine, where manifests give regexes or globs.
  '(a+)+b',
  '(.*a){12}b',
  `${'*'.repeat(14)}Z`,
  'a'.repeat(64),
];

/** Kinds as manifests write them (apiVersion, kind): everything any check reads, and what the fixtures hold. */
export function kindsFor(checks: readonly Check[]): Array<[string, string]> {
  const kinds = new Map<string, [string, string]>();
  for (const object of fixtureObjects) kinds.set(`${object.apiVersion} ${object.kind}`, [object.apiVersion, object.kind]);
  for (const check of checks) {
    for (const kind of check.meta.needs) {
      const slash = kind.lastIndexOf('/');
      const [apiVersion, name] = slash === -1 ? ['v1', kind] : [`${kind.slice(0, slash)}/v1`, kind.slice(slash + 1)];
      if (![...kinds.values()].some(([v, k]) => k === name && (v.includes('/') ? v.slice(0, v.indexOf('/')) : '') === (slash === -1 ? '' : kind.slice(0, slash)))) {
        kinds.set(`${apiVersion} ${name}`, [apiVersion, name]);
      }
    }
  }
  for (const name of PROTOTYPE_NAMES) kinds.set(`v1 ${name}`, ['v1', name]).set(`x.example/v1 ${name}`, ['x.example/v1', name]);
  return [...kinds.values()].sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));
}

export const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 65535, 65536, 2 ** 53, Number.MAX_SAFE_INTEGER + 2) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

// PromQL: random expressions from the grammar's building blocks, and the fixtures' expressions mutated.
const METRICS = ['kube_pod_info', 'kube_pod_status_phase', 'kube_pod_owner', 'kube_pod_created', 'container_cpu_usage_seconds_total', 'DCGM_FI_DEV_GPU_UTIL', 'up', 'namespace:kube_pod_info:count', 'node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate'];
const FUNCTIONS = ['rate', 'irate', 'increase', 'delta', 'deriv', 'predict_linear', 'avg_over_time', 'max_over_time', 'absent', 'abs', 'clamp_min', 'label_replace', 'histogram_quantile', 'vector', 'scalar', 'time', 'sort'];
const AGGREGATIONS = ['sum', 'avg', 'count', 'max', 'min', 'topk', 'quantile', 'count_values', 'group', 'stddev'];
const BINARY = ['+', '-', '*', '/', '%', '^', '>', '<', '>=', '<=', '==', '!=', 'and', 'or', 'unless', '> bool', 'atan2'];
const DURATIONS = ['5m', '1h', '1d', '1w', '30s', '0s', '1y', '1h30m', '10m:1m', '1h:', '999999999999d', '-5m'];
const LABELS = ['namespace', 'pod', 'node', 'container', 'job', 'le', '__name__', 'exported_namespace'];

const promqlLeaf: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...METRICS),
  fc.tuple(fc.constantFrom(...METRICS), fc.constantFrom(...LABELS), fc.constantFrom('=', '!=', '=~', '!~'), fc.string({ maxLength: 6 })).map(([m, l, op, v]) => `${m}{${l}${op}${JSON.stringify(v)}}`),
  fc.constantFrom('1', '1.25', '0x1f', '1e309', 'Inf', '-Inf', 'NaN', '"a string"', "'x'", '`raw`'),
);

export const promqlExpression: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    promqlLeaf,
    fc.tuple(fc.constantFrom(...FUNCTIONS), tie('e'), fc.constantFrom(...DURATIONS), fc.boolean()).map(([f, e, d, range]) => (range ? `${f}((${e})[${d}])` : `${f}(${e})`)),
    fc.tuple(fc.constantFrom(...AGGREGATIONS), fc.constantFrom('by', 'without', ''), fc.subarray(LABELS, { maxLength: 3 }), tie('e')).map(([a, g, ls, e]) => `${a} ${g ? `${g} (${ls.join(', ')}) ` : ''}(${e})`),
    fc.tuple(tie('e'), fc.constantFrom(...BINARY), fc.constantFrom('', 'on (namespace) ', 'ignoring (pod) group_left ', 'on() group_right (node) '), tie('e')).map(([a, op, match, b]) => `${a} ${op} ${match}${b}`),
    fc.tuple(tie('e'), fc.constantFrom(...DURATIONS)).map(([e, d]) => `${e} offset ${d}`),
    fc.tuple(tie('e'), fc.constantFrom(...DURATIONS)).map(([e, d]) => `(${e})[${d}]`),
    tie('e').map((e) => `(${e})`),
    tie('e').map((e) => `${e} @ start()`),
  ),
})).e;

const PROMQL_TOKENS = ['(', ')', '[', ']', '{', '}', ',', '"', '=~', ' by ', ' without ', ' offset ', ' 1d', '[5m]', '[1h:5m]', ' > ', ' / ', ' and ', 'sum', 'rate(', 'kube_pod_info', '#', '\n', '\\', '@', ':', ' bool ', ' on(', ' group_left(', '1e999', '-', ' '];

/** Text edits: delete a span, insert a token (of PromQL, YAML or anything). */
function mutateText(text: string, tokens: readonly string[]): fc.Arbitrary<string> {
  return fc.array(fc.tuple(fc.nat(), fc.nat({ max: 12 }), fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 4 }))), { minLength: 1, maxLength: 5 }).map((edits) => {
    let out = text;
    for (const [at, remove, insert] of edits) {
      const position = at % (out.length + 1);
      out = out.slice(0, position) + insert + out.slice(position + remove);
    }
    return out;
  });
}

export const mutatedPromql: fc.Arbitrary<string> = fc.constantFrom(...PROMQL_EXPRESSIONS).chain((expr) => mutateText(expr, PROMQL_TOKENS));
export const anyPromql: fc.Arbitrary<string> = fc.oneof(promqlExpression, mutatedPromql, fc.constantFrom(...PROMQL_EXPRESSIONS));

export const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 2, arbitrary: fc.array(tie('v'), { maxLength: 4 }) },
    { weight: 3, arbitrary: fc.dictionary(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }), tie('v'), { maxKeys: 5 }) },
    // A document inside a string, as ConfigMaps hold them.
    { weight: 1, arbitrary: tie('v').map((inner) => stringifyYaml(inner ?? null)) },
    { weight: 1, arbitrary: anyPromql },
  ),
})).v;

export function randomObject(kinds: ReadonlyArray<[string, string]>): fc.Arbitrary<KubeObject> {
  return fc
    .record({
      kind: fc.constantFrom(...kinds),
      name: fc.oneof(fc.constantFrom('istio-ingressgateway', 'centraldashboard', 'ml-pipeline-ui', 'kubeflow-gateway', 'dex', 'falco', 'oauth2-proxy', 'prometheus', 'x', ...PROTOTYPE_NAMES), fc.string({ minLength: 1, maxLength: 12 })),
      namespace: fc.constantFrom('istio-system', 'kubeflow', 'auth', 'falco', 'monitoring', 'oauth2-proxy', 'kubeflow-user-example-com', 'team-a', 'default', 'constructor'),
      labels: fc.dictionary(fc.constantFrom('app', 'istio', 'app.kubernetes.io/name', 'app.kubernetes.io/instance', 'release', 'pipeline/runid', 'prometheus', 'role', 'x', ...PROTOTYPE_NAMES), fc.oneof(fc.constantFrom('ingressgateway', 'istio-ingressgateway', 'falco', 'centraldashboard', 'dex', 'kube-prometheus-stack', 'alert-rules', 'y', ...PROTOTYPE_NAMES), fc.string({ maxLength: 6 }))),
      annotations: fc.dictionary(fc.oneof(fc.constantFrom('kfscan.io/ignore', 'kfscan.io/ignore-reason', 'kfscan.io/ignore-expires', 'service.beta.kubernetes.io/aws-load-balancer-scheme', 'networking.gke.io/load-balancer-type'), fc.string({ maxLength: 10 })), fc.oneof(scalar.map(String), fc.string({ maxLength: 10 })), { maxKeys: 2 }),
      body: fc.dictionary(fc.constantFrom('spec', 'data', 'stringData', 'status', 'items', 'rules', 'subjects', 'roleRef', 'webhooks'), value, { maxKeys: 3 }),
      embedded: fc.option(fc.tuple(fc.constantFrom(...EMBEDDED_KEYS), value), { nil: undefined }),
    })
    .map(({ kind: [apiVersion, kind], name, namespace, labels, annotations, body, embedded }) => {
      const object: Record<string, unknown> = { ...body, apiVersion, kind, metadata: { name, namespace, labels, annotations } };
      if (embedded) object['data'] = { ...(typeof object['data'] === 'object' && object['data'] !== null ? object['data'] : {}), [embedded[0]]: stringifyYaml(embedded[1] ?? null) };
      return object as KubeObject;
    });
}

/**
 * An object of the pool with one subtree replaced: a random value, or, where the path ends in a string that
 * holds a document (a Dex config, a rule file), a mutation inside that document, or in PromQL an edited
 * expression. The path is chosen by `steps`.
 */
export const mutatedFrom = (pool: readonly KubeObject[]): fc.Arbitrary<KubeObject> => fc
  .tuple(fc.constantFrom(...pool), fc.array(fc.nat(), { minLength: 1, maxLength: 10 }), value, anyPromql)
  .map(([original, steps, replacement, promql]) => {
    const copy = structuredClone(original) as Record<string, unknown>;
    mutateAt(copy, steps, replacement, promql, true);
    return copy as KubeObject;
  });

export const mutatedFixture: fc.Arbitrary<KubeObject> = mutatedFrom(fixtureObjects);

function mutateAt(root: Record<string, unknown> | unknown[], steps: readonly number[], replacement: unknown, promql: string, top: boolean): void {
  let node: Record<string, unknown> | unknown[] = root;
  for (const [index, step] of steps.entries()) {
    const keys = Object.keys(node);
    if (keys.length === 0) return;
    const key = keys[step % keys.length]!;
    if (top && (key === 'apiVersion' || key === 'kind')) return;
    const child = (node as Record<string, unknown>)[key];
    const last = index === steps.length - 1;
    if (typeof child === 'string') {
      const embedded = embeddedDocument(child);
      if (PROMQL_KEYS.has(key) && step % 3 !== 0) {
        (node as Record<string, unknown>)[key] = promql;
      } else if (embedded !== undefined && !last) {
        mutateAt(embedded as Record<string, unknown>, steps.slice(index + 1), replacement, promql, false);
        (node as Record<string, unknown>)[key] = stringifyYaml(embedded);
      } else if (!(top && key === 'metadata')) {
        (node as Record<string, unknown>)[key] = replacement;
      }
      return;
    }
    if (last || typeof child !== 'object' || child === null) {
      if (!(top && key === 'metadata')) (node as Record<string, unknown>)[key] = replacement;
      return;
    }
    node = child as Record<string, unknown>;
    top = false;
  }
}

/** Prometheus alerting rules holding random and mutated PromQL, picked up by a Prometheus that selects all rules. */
export const promqlRules: fc.Arbitrary<KubeObject[]> = fc.array(fc.tuple(anyPromql, fc.boolean()), { minLength: 1, maxLength: 6 }).map((exprs) => [
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'Prometheus',
    metadata: { name: 'fuzz', namespace: 'monitoring' },
    spec: { ruleSelector: {}, ruleNamespaceSelector: {}, serviceMonitorSelector: {} },
  },
  {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'fuzz-rules', namespace: 'monitoring' },
    spec: { groups: [{ name: 'fuzz', rules: exprs.map(([expr, alert], index) => (alert ? { alert: `A${index}`, expr, for: '10m' } : { record: `fuzz:rule${index}`, expr })) }] },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'prometheus-rules', namespace: 'monitoring' },
    data: { 'rules.yaml': stringifyYaml({ groups: [{ name: 'plain', rules: exprs.map(([expr], index) => ({ alert: `P${index}`, expr })) }] }) },
  },
]);

/** Manifest text with random edits: YAML syntax, NUL bytes, BOMs and line endings inserted anywhere. */
export const mutatedText: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom(...fixtureTexts),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('\n', '\t', ':', '- ', '---\n', '{{', '&a ', '*a', '<<: *a\n', '!!binary ', '!tag ', '|2-\n', '? ', '"', "'", '[', '{', '\u0000', '\u001b[2J', '\ufeff', '\r\n', '%YAML 1.1\n', '\\x', '\\u00'))), { maxLength: 6 }),
  )
  .map(([text, edits]) => {
    let out = text;
    for (const [at, remove, insert] of edits) {
      const position = at % (out.length + 1);
      out = out.slice(0, position) + insert + out.slice(position + remove);
    }
    return out;
  });
