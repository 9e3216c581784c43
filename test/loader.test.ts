import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../src/loaders/manifest-parser.js';
import { loadManifests } from '../src/loaders/files.js';

const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  type: NodePort\n`;

describe('parseManifests', () => {
  it('reads multi-document YAML with positions for any field path', () => {
    const out = parseManifests(`${service('a')}---\n${service('b')}`, 'x.yaml');
    expect(out.errors).toEqual([]);
    expect(out.objects.map((o) => o.obj.metadata.name)).toEqual(['a', 'b']);
    expect(out.objects[1]!.locate(['spec', 'type'])).toEqual({ file: 'x.yaml', line: 13, column: 3 });
    expect(out.objects[1]!.docIndex).toBe(1);
  });

  it('locates a path inside a literal block that holds YAML (Dex config.yaml, Istio mesh), else at the key', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dex}\ndata:\n  config.yaml: |\n    issuer: x\n    staticPasswords:\n    - email: a@b.c\n      hash: h\n  other: "issuer: y"\n';
    const out = parseManifests(text, 'cm.yaml');
    expect(out.objects[0]!.locate(['data', 'config.yaml', 'staticPasswords', 0, 'hash'])).toEqual({ file: 'cm.yaml', line: 9, column: 7 });
    expect(out.objects[0]!.locate(['data', 'config.yaml', 'missing'])).toEqual({ file: 'cm.yaml', line: 5, column: 3 });
    expect(out.objects[0]!.locate(['data', 'other', 'issuer'])).toEqual({ file: 'cm.yaml', line: 10, column: 3 });
  });

  it('handles a UTF-8 BOM and CRLF line endings', () => {
    const out = parseManifests(`\ufeff${service('a')}`.replace(/\n/g, '\r\n'), 'crlf.yaml');
    expect(out.errors).toEqual([]);
    expect(out.objects[0]!.obj.kind).toBe('Service');
    expect(out.objects[0]!.locate(['spec', 'type'])?.line).toBe(6);
  });

  it('stops at the nearest existing parent for fields the manifest does not set', () => {
    const out = parseManifests(service('a'), 'x.yaml');
    expect(out.objects[0]!.locate(['spec', 'selector', 'app'])?.line).toBe(5);
  });

  it('unwraps kind: List and typed lists, filling kind and apiVersion of items', () => {
    const list = `apiVersion: v1\nkind: ServiceList\nitems:\n- metadata: {name: a}\n  spec: {type: LoadBalancer}\n- metadata: {name: b}\n`;
    const out = parseManifests(list, 'list.yaml');
    expect(out.objects.map((o) => [o.obj.kind, o.obj.apiVersion, o.obj.metadata.name, o.itemIndex])).toEqual([
      ['Service', 'v1', 'a', 0],
      ['Service', 'v1', 'b', 1],
    ]);
    expect(out.objects[0]!.locate(['spec', 'type'])?.line).toBe(5);
    const generic = parseManifests(`apiVersion: v1\nkind: List\nitems:\n- ${service('c').replace(/\n/g, '\n  ')}`, 'l.yaml');
    expect(generic.objects[0]!.obj.metadata.name).toBe('c');
  });

  it('reports broken YAML with its line and keeps the documents around it', () => {
    const text = `${service('before')}---\nkind: Service\nmetadata:\n  name: "unclosed\n---\n${service('after')}`;
    const out = parseManifests(text, 'broken.yaml');
    expect(out.objects.map((o) => o.obj.metadata.name)).toEqual(['before', 'after']);
    expect(out.errors).toHaveLength(1);
    // The parser notices the missing quote where the document ends.
    expect(out.errors[0]).toMatchObject({ file: 'broken.yaml', line: 11 });
    expect(out.errors[0]!.message).toMatch(/^invalid YAML/);
  });

  it('reports unrendered Helm templates as such', () => {
    const helm = `apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\n`;
    expect(parseManifests(helm, 'h.yaml').errors[0]).toMatchObject({ line: 4, message: expect.stringContaining('Helm') });
    const block = `{{- if .Values.enabled }}\n${service('x')}{{- end }}\n`;
    expect(parseManifests(block, 'h2.yaml').errors[0]).toMatchObject({ line: 1, message: expect.stringContaining('Helm') });
  });

  it('keeps Prometheus and Grafana template text that is data', () => {
    const rule = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up == 0\n      annotations:\n        description: Pod {{ $labels.namespace }}/{{ $labels.pod }} is down\n`;
    const out = parseManifests(rule, 'rule.yaml');
    expect(out.errors).toEqual([]);
    expect(out.objects).toHaveLength(1);
  });

  it('rejects alias bombs and duplicate keys as errors, not crashes', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) bomb.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${String.fromCharCode(96 + i)}`).join(',')}]`);
    const out = parseManifests(`apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n${bomb.map((l) => `  ${l}`).join('\n')}\n`, 'bomb.yaml');
    expect(out.objects).toEqual([]);
    expect(out.errors[0]!.message).toMatch(/alias|resource exhaustion/i);
    const dup = parseManifests(`apiVersion: v1\nkind: Service\nmetadata: {name: d}\nspec:\n  type: ClusterIP\n  type: LoadBalancer\n`, 'dup.yaml');
    expect(dup.errors[0]).toMatchObject({ line: 6 });
  });

  it('skips non-Kubernetes documents with a warning and null documents silently', () => {
    const out = parseManifests(`---\n---\njust a string\n---\n42\n---\nfoo: bar\n---\n${service('ok')}`, 'mixed.yaml');
    expect(out.objects.map((o) => o.obj.metadata.name)).toEqual(['ok']);
    expect(out.warnings.map((w) => w.line)).toEqual([3, 5, 7]);
    expect(out.errors).toEqual([]);
  });

  it('skips objects the API server would reject for having no name', () => {
    const out = parseManifests(`apiVersion: v1\nkind: Pod\nmetadata: {labels: {a: b}}\n`, 'noname.yaml');
    expect(out.objects).toEqual([]);
    expect(out.warnings[0]!.message).toMatch(/no metadata.name/);
  });

  it('accepts generateName, as Argo workflows use', () => {
    const out = parseManifests(`apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {generateName: run-}\n`, 'wf.yaml');
    expect(out.objects).toHaveLength(1);
  });

  it('warns about kustomize placeholders but not Kubernetes env expansion', () => {
    const placeholder = parseManifests(`apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: $(kfp-namespace)}\n`, 'p.yaml');
    expect(placeholder.warnings[0]!.message).toMatch(/kustomize/);
    const env = parseManifests(`apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - args: [$(POD_NAMESPACE)]\n`, 'e.yaml');
    expect(env.warnings).toEqual([]);
  });

  it('warns about placeholders only where Kubernetes reads the field, at the line of the placeholder', () => {
    const text = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: setup, annotations: {note: "filled by $(setup-script)"}}',
      'data:',
      '  params.env: |',
      '    NAMESPACE=$(kfp-namespace)',
      '  host: MINIO_HOST_PLACEHOLDER',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: api, namespace: kubeflow}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: api',
      '          image: gcr.io/ml-pipeline/api-server:2.0.5',
      '          command: [sh, -c, "echo start\\nexec server --ns $(kfp-namespace)"]',
      '          env:',
      '            - {name: OBJECTSTORECONFIG_HOST, value: $(kfp-minio-host)}',
      '',
    ].join('\n');
    const out = parseManifests(text, 'k.yaml');
    expect(out.warnings).toEqual([
      { file: 'k.yaml', line: 20, column: 46, message: expect.stringMatching(/kustomize placeholders/) },
    ]);
    const dataOnly = parseManifests(text.split('---')[0]!, 'c.yaml');
    expect(dataOnly.warnings).toEqual([]);
  });
});

describe('loadManifests', () => {
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kfscan-load-'));

  it('walks directories recursively in a stable order, takes .yaml/.yml/.json, skips dot-files', async () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'b', 'nested'), { recursive: true });
    writeFileSync(path.join(dir, 'b', 'nested', 'z.yml'), service('z'));
    writeFileSync(path.join(dir, 'a.yaml'), service('a'));
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'c' } }));
    writeFileSync(path.join(dir, 'notes.txt'), 'not yaml');
    writeFileSync(path.join(dir, '.kfscan.yaml'), 'ignore: []');
    const out = await loadManifests([dir], { cwd: dir, maxFileBytes: 1e6 });
    expect(out.objects.map((o) => `${o.file}:${o.obj.metadata.name}`)).toEqual(['a.yaml:a', 'b/nested/z.yml:z', 'c.json:c']);
    expect(out.errors).toEqual([]);
  });

  it('reports missing paths, binary files, oversized files and symlink loops, and goes on', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'ok.yaml'), service('ok'));
    writeFileSync(path.join(dir, 'bin.yaml'), Buffer.from([0x61, 0x00, 0x62]));
    writeFileSync(path.join(dir, 'big.yaml'), `${service('big')}# ${'x'.repeat(2000)}\n`);
    mkdirSync(path.join(dir, 'loop'));
    symlinkSync('..', path.join(dir, 'loop', 'up'));
    const out = await loadManifests([dir, path.join(dir, 'missing.yaml')], { cwd: dir, maxFileBytes: 1000 });
    expect(out.objects.map((o) => o.obj.metadata.name)).toEqual(['ok']);
    const messages = out.errors.map((e) => `${e.file}: ${e.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^big.yaml: skipped: file is .* above the .* limit/),
        'bin.yaml: skipped: binary file (contains NUL bytes)',
        'missing.yaml: cannot read: no such file or directory',
      ]),
    );
    expect(out.warnings.map((w) => w.message)).toContain('skipped: symbolic link loop back to a parent directory');
  });

  it('reads stdin for -', async () => {
    const out = await loadManifests(['-'], { cwd: '/', maxFileBytes: 1e6, readStdin: () => Promise.resolve(Buffer.from(service('piped'))) });
    expect(out.objects[0]).toMatchObject({ file: '<stdin>', obj: { metadata: { name: 'piped' } } });
  });

  it('leaves kustomization files and a chart\'s templates, charts and values out, and never follows a link out of the input', async () => {
    const dir = tmp();
    const outside = tmp();
    writeFileSync(path.join(outside, 'secret.yaml'), service('outside'));
    mkdirSync(path.join(dir, 'app'));
    writeFileSync(path.join(dir, 'app', 'kustomization.yaml'), 'resources: [svc.yaml]\n');
    writeFileSync(path.join(dir, 'app', 'svc.yaml'), service('app'));
    mkdirSync(path.join(dir, 'chart', 'templates'), { recursive: true });
    mkdirSync(path.join(dir, 'chart', 'charts', 'sub'), { recursive: true });
    writeFileSync(path.join(dir, 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: c\nversion: 1.0.0\n');
    writeFileSync(path.join(dir, 'chart', 'values.yaml'), 'a: 1\n');
    writeFileSync(path.join(dir, 'chart', 'templates', 'svc.yaml'), 'kind: Service\nmetadata: {name: {{ .Release.Name }}}\n');
    writeFileSync(path.join(dir, 'chart', 'charts', 'sub', 'x.yaml'), service('sub'));
    writeFileSync(path.join(dir, 'chart', 'extra.yaml'), service('extra'));
    symlinkSync(path.join(outside, 'secret.yaml'), path.join(dir, 'link.yaml'));
    symlinkSync(outside, path.join(dir, 'linked-dir'));
    const out = await loadManifests([dir], { cwd: dir, maxFileBytes: 1e6 });
    expect(out.objects.map((o) => o.file).sort()).toEqual(['app/svc.yaml', 'chart/extra.yaml']);
    expect(out.errors).toEqual([]);
    expect(out.warnings.map((w) => `${w.file}: ${w.message}`).sort()).toEqual(['link.yaml: skipped: symbolic link out of the scanned input', 'linked-dir: skipped: symbolic link out of the scanned input']);
  });

  it('excludes paths gitignore-style, relative to each input, with .git and node_modules left out by default', async () => {
    const dir = tmp();
    for (const file of ['apps/a.yaml', 'apps/deep/b.yaml', 'keep/c.yaml', 'keep/testdata/d.yaml', 'node_modules/pkg/e.yaml', 'keep/skip.bak.yaml', 'build/f.yaml', 'x/build/g.yaml']) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), service(path.basename(file, '.yaml').replace('.', '-')));
    }
    const names = async (exclude: string[]) => (await loadManifests([dir], { cwd: dir, maxFileBytes: 1e6, exclude })).objects.map((o) => o.file).sort();
    expect(await names([])).toEqual(['apps/a.yaml', 'apps/deep/b.yaml', 'build/f.yaml', 'keep/c.yaml', 'keep/skip.bak.yaml', 'keep/testdata/d.yaml', 'x/build/g.yaml']);
    expect(await names(['apps/**', '**/testdata/**', '*.bak.yaml', '/build'])).toEqual(['keep/c.yaml', 'x/build/g.yaml']);
    expect(await names(['build/'])).toEqual(['apps/a.yaml', 'apps/deep/b.yaml', 'keep/c.yaml', 'keep/skip.bak.yaml', 'keep/testdata/d.yaml']);
  });
});

describe('fast and precise parsing agree', () => {
  it('gives the same objects, problems and positions on every project fixture', async () => {
    const { readdirSync, readFileSync, statSync } = await import('node:fs');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        return statSync(full).isDirectory() ? walk(full) : /\.(ya?ml|json)$/.test(name) ? [full] : [];
      });
    const files = walk(path.resolve(import.meta.dirname, '../fixtures'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const fast = parseManifests(text, file);
      const precise = parseManifests(text, file, { precise: true });
      expect(fast.objects.map((o) => o.obj), file).toEqual(precise.objects.map((o) => o.obj));
      expect(fast.errors, file).toEqual(precise.errors);
      expect(fast.warnings, file).toEqual(precise.warnings);
      fast.objects.forEach((object, index) => {
        for (const fieldPath of [[], ['metadata', 'name'], ['spec'], ['spec', 'template', 'spec', 'containers', 0, 'image']]) {
          expect(object.locate(fieldPath), `${file} #${index} ${fieldPath.join('.')}`).toEqual(precise.objects[index]!.locate(fieldPath));
        }
      });
    }
  });
});
