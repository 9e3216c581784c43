// YAML as kubectl and the Go programs kfscan models read it (src/loaders/go-yaml.ts): files go-yaml accepts
// are accepted with the objects it decodes and positions in the file; what go-yaml refuses stays an error
// with its line.
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parseEmbeddedYaml } from '../src/loaders/go-yaml.js';
import { parseManifests } from '../src/loaders/manifest-parser.js';

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
