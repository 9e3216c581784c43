// YAML as kubectl and the Go programs kfscan models read it (src/loaders/go-yaml.ts): files go-yaml accepts
// are accepted with the objects it decodes and positions in the file; what go-yaml refuses stays an error
// with its line.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import defaultCredentials from '../checks/default-credentials/index.js';
import falcoMinerRules from '../checks/falco-miner-rules/index.js';
import { analyseInventory } from '../src/engine/analyse.js';
import { parseEmbeddedYaml } from '../src/loaders/go-yaml.js';
import { parseManifests } from '../src/loaders/manifest-parser.js';
import { CHECKS_DIR } from './helpers/fixtures.js';
import { scannedInventory } from './helpers/inventory.js';

// The shape of Kubeflow v1.0's istio-noauth.yaml: Grafana dashboards inlined as single-quoted JSON whose
// continuation lines start at the key's own indentation, which YAML's spec (and the yaml package) refuse
// and go-yaml reads. The `{{` of a Grafana legend sends the document to the position-keeping parser.
const DASHBOARD = `apiVersion: v1
kind: ConfigMap
metadata:
  name: grafana-dashboards
  namespace: istio-system
data:
  mesh-dashboard.json: '{
  "title": "Istio Mesh Dashboard",
  "panels": [
    {
      "legendFormat": "{{ destination_service }}",
      "description": "it''s the mesh"
    }
  ]
}'
  plain: "two
lines"
  after: kept
---
apiVersion: v1
kind: Service
metadata:
  name: grafana
  namespace: istio-system
spec:
  type: LoadBalancer
`;

describe('manifests as kubectl reads them', () => {
  it('reads quoted scalars whose continuation lines are not indented, with the values js-yaml (and go-yaml) give', () => {
    const out = parseManifests(DASHBOARD, 'istio.yaml');
    expect(out.errors).toEqual([]);
    expect(out.objects.map((o) => o.obj)).toEqual(jsYaml.loadAll(DASHBOARD));
    const data = out.objects[0]!.obj['data'] as Record<string, string>;
    expect(JSON.parse(data['mesh-dashboard.json']!)).toMatchObject({ title: 'Istio Mesh Dashboard', panels: [{ description: "it's the mesh" }] });
    expect(data['plain']).toBe('two lines');
  });

  it('keeps every position in the file: lines do not move, columns are those of the source', () => {
    const out = parseManifests(DASHBOARD, 'istio.yaml');
    expect(out.objects[0]!.locate(['data', 'after'])).toEqual({ file: 'istio.yaml', line: 18, column: 3 });
    expect(out.objects[0]!.locate(['data', 'plain'])).toEqual({ file: 'istio.yaml', line: 16, column: 3 });
    expect(out.objects[1]!.locate(['spec', 'type'])).toEqual({ file: 'istio.yaml', line: 26, column: 3 });
    // The same document without template braces goes the fast way; its positions are worked out the same.
    const fast = parseManifests(DASHBOARD.replace('{{ destination_service }}', 'service'), 'istio.yaml');
    expect(fast.errors).toEqual([]);
    expect(fast.objects[0]!.locate(['data', 'after'])).toEqual({ file: 'istio.yaml', line: 18, column: 3 });
  });

  it('still refuses a quote that never closes, or closes only past a document marker, at the line where it opens', () => {
    const unclosed = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "open\ndata: {}\n---\n${'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: next}\n'}`, 'u.yaml');
    expect(unclosed.errors).toEqual([expect.objectContaining({ file: 'u.yaml', line: 4, message: 'invalid YAML: Missing closing "quote' })]);
    expect(unclosed.objects.map((o) => o.obj.metadata.name)).toEqual(['next']);
  });

  it('keeps the last of two equal keys, as kubectl does, and warns at the second', () => {
    const out = parseManifests('apiVersion: v1\nkind: Service\nmetadata: {name: d}\nspec:\n  type: ClusterIP\n  type: LoadBalancer\n', 'dup.yaml');
    expect(out.errors).toEqual([]);
    expect(out.objects[0]!.obj['spec']).toEqual({ type: 'LoadBalancer' });
    expect(out.warnings).toEqual([{ file: 'dup.yaml', line: 6, column: 3, message: 'key written twice in one mapping: kubectl keeps the last value, and so does kfscan' }]);
  });

  it('bounds aliases as go-yaml does: many uses of an anchor pass, an exponential expansion does not', () => {
    const uses = Array.from({ length: 300 }, (_, i) => `  k${i}: *probe`).join('\n');
    const many = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nx: &probe {path: /healthz}\ndata:\n${uses}\n`, 'many.yaml');
    expect(many.errors).toEqual([]);
    expect((many.objects[0]!.obj['data'] as Record<string, unknown>)['k299']).toEqual({ path: '/healthz' });
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const out = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${bomb.map((l) => `  ${l}`).join('\n')}\n`, 'bomb.yaml');
    expect(out.objects).toEqual([]);
    expect(out.errors[0]!.message).toBe('document rejected: Excessive alias count indicates a resource exhaustion attack');
  });
});

describe('embedded configurations as their programs read them', () => {
  it('resolves scalars as go-yaml does for typed fields: YAML 1.1 booleans and octals, timestamps as text, !!binary decoded', () => {
    expect(parseEmbeddedYaml('enablePasswordDB: yes\nmode: 0755\nsince: 2001-12-14\nhash: !!binary aGVsbG8=\nratio: 1:20\n', 'last')).toEqual({
      ok: true,
      value: { enablePasswordDB: true, mode: 0o755, since: '2001-12-14', hash: 'hello', ratio: '1:20' },
    });
  });

  it('treats a key written twice as each program does: Go keeps the last, strict Go refuses, yaml-cpp keeps the first', () => {
    const text = 'issuer: https://a\nenablePasswordDB: false\nenablePasswordDB: true\n';
    expect(parseEmbeddedYaml(text, 'last')).toMatchObject({ ok: true, value: { enablePasswordDB: true } });
    expect(parseEmbeddedYaml(text, 'first')).toMatchObject({ ok: true, value: { enablePasswordDB: false } });
    expect(parseEmbeddedYaml(text, 'refuse')).toEqual({ ok: false, reason: 'line 3: a key is written twice in one mapping' });
  });

  it('allows an anchor used hundreds of times and refuses alias bombs and self-reference', () => {
    const many = ['base: &b {x: 1}', ...Array.from({ length: 300 }, (_, i) => `k${i}: *b`)].join('\n');
    expect(parseEmbeddedYaml(many, 'last')).toMatchObject({ ok: true, value: { k299: { x: 1 } } });
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    expect(parseEmbeddedYaml(bomb.join('\n'), 'last')).toEqual({ ok: false, reason: 'Excessive alias count indicates a resource exhaustion attack' });
    expect(parseEmbeddedYaml('a: &a [*a]\n', 'last')).toEqual({ ok: false, reason: 'an anchor contains an alias of itself' });
  });

  it('reads under-indented quoted lines and says why a broken file cannot be read, never quoting it', () => {
    expect(parseEmbeddedYaml("connectors:\n- config: '{\n\"a\": 1}'\n", 'last')).toEqual({ ok: true, value: { connectors: [{ config: '{ "a": 1}' }] } });
    const broken = parseEmbeddedYaml('staticPasswords:\n- hash: "$2y$10$SECRETVALUE\n', 'last');
    expect(broken).toMatchObject({ ok: false, reason: expect.stringMatching(/^line \d+: Missing closing "quote$/) });
  });
});

describe('checks on embedded configurations that their programs load', () => {
  const dex = (config: string) => `apiVersion: v1
kind: ConfigMap
metadata: {name: dex, namespace: auth}
data:
  config.yaml: |
${config.replace(/^/gm, '    ')}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: dex, namespace: auth}
spec:
  selector: {matchLabels: {app: dex}}
  template:
    metadata: {labels: {app: dex}}
    spec:
      containers:
        - name: dex
          image: ghcr.io/dexidp/dex:v2.45.0
          command: [dex, serve, /etc/dex/cfg/config.yaml]
          volumeMounts: [{name: config, mountPath: /etc/dex/cfg}]
      volumes: [{name: config, configMap: {name: dex}}]
`;
  // Kubeflow's published default password hash (the README documents its password).
  const DEFAULT_USER = '- email: user@example.com\n  hash: $2y$12$4K/VkmDd1q1Orb3xAt82zu8gk7Ad6ReFR4LCP9UeYE90NLiN9Df72\n  username: user';
  const run = (text: string) => analyseInventory(scannedInventory(text, { wholeCluster: true }), { checks: [defaultCredentials] });

  it('finds default credentials in a Dex config with a key written twice, which Dex loads (the last counts)', () => {
    const out = run(dex(`issuer: http://dex.auth.svc.cluster.local:5556/dex\nenablePasswordDB: false\nenablePasswordDB: true\nstaticPasswords:\n${DEFAULT_USER}`));
    expect(out.undecided).toEqual([]);
    expect(out.findings.map((f) => f.severity)).toEqual(['critical']);
  });

  it('finds them behind more than 100 aliases, as go-yaml allows', () => {
    const aliases = Array.from({ length: 150 }, (_, i) => `- id: client-${i}\n  redirectURIs: *uris\n  name: c${i}\n  secret: s${i}`).join('\n');
    const config = `issuer: http://dex.auth.svc.cluster.local:5556/dex\nenablePasswordDB: yes\nuris: &uris [/login/oidc]\nstaticPasswords:\n${DEFAULT_USER}\nstaticClients:\n${aliases}`;
    const out = run(dex(config));
    expect(out.undecided).toEqual([]);
    expect(out.findings.map((f) => f.severity)).toContain('critical');
  });

  it('cannot decide, and says why, when Dex could not parse the config either', () => {
    const out = run(dex(`issuer: http://dex.auth.svc.cluster.local:5556/dex\nenablePasswordDB: true\nstaticPasswords:\n- email: "user@example.com\n  hash: x`));
    expect(out.findings).toEqual([]);
    expect(out.undecided).toEqual([
      expect.objectContaining({ checkId: 'default-credentials', reason: expect.stringMatching(/the Dex configuration in ConfigMap auth\/dex \(config\.yaml\) cannot be parsed: line \d+: Missing closing "quote/) }),
    ]);
  });
});

describe('a Falco rules file that Falco cannot load', () => {
  it('makes falco-miner-rules undecided, naming the file and why, instead of passing over it', () => {
    const fixture = readFileSync(path.join(CHECKS_DIR, 'falco-miner-rules/fixtures/pass-custom-rules-configmap.yaml'), 'utf8');
    const passes = analyseInventory(scannedInventory(fixture, { wholeCluster: true }), { checks: [falcoMinerRules] });
    expect(passes.findings).toEqual([]);
    expect(passes.undecided).toEqual([]);
    const broken = fixture.replace('      desc: Miners name their pool', "      desc: 'Miners name their pool");
    const out = analyseInventory(scannedInventory(broken, { wholeCluster: true }), { checks: [falcoMinerRules] });
    expect(out.undecided).toEqual([
      expect.objectContaining({ reason: expect.stringContaining('/etc/falco/rules.d/miner-rules.yaml from ConfigMap falco/falco-rules key miner-rules.yaml (Falco cannot parse it: line') }),
    ]);
  });
});
