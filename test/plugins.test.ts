// Plugins as users load them: from a folder outside the project (a copy of test/plugins/ in a temporary
// directory), through --plugin and .kfscan.yaml, loaded by Node's own module loader: the built binary for the
// first scan and the exit codes of failed plugins, a kfscan session (test/helpers/cli-session-client.ts) for
// the many runs after them. gpu-policy.mjs was written from docs/plugins.md alone; broken/ holds one plugin
// per way a plugin can be wrong.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kfscan, ROOT, type CliRun } from './helpers/cli.js';
import { useCliSession } from './helpers/cli-session-client.js';
import { tempRepo } from './helpers/repo.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

interface Finding {
  checkId: string;
  severity: string;
  category: string;
  resource: { kind: string; namespace: string | null; name: string } | null;
  location: { file: string; line: number; column: number } | null;
  message: string;
  docsUrl: string;
  fingerprint: string;
}
interface Report {
  tool: { name: string; version: string; plugins?: Array<{ name: string; version: string | null; source: string; checks: string[] }> };
  findings: Finding[];
  errors: Array<{ file?: string; line?: number; message: string }>;
  warnings: Array<{ message: string }>;
  suppressed: Array<Finding & { suppression: { kind: string; via: string; justification: string } }>;
}

const MANIFESTS = `apiVersion: v1
kind: Namespace
metadata:
  name: research
  annotations:
    kfscan.io/ignore: acme-gpu-outside-gpu-namespaces
    kfscan.io/ignore-reason: research has its own GPU budget
---
apiVersion: batch/v1
kind: Job
metadata: {name: train, namespace: ml}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: train
          image: registry.acme.example/train:1.0
          resources:
            limits: {nvidia.com/gpu: 2}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: legacy
  namespace: ml
  annotations:
    kfscan.io/ignore: acme-gpu-outside-gpu-namespaces
    kfscan.io/ignore-reason: retired next sprint
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: old
          image: registry.acme.example/old:0.9
          resources:
            limits: {nvidia.com/gpu: 1}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: infer, namespace: research}
spec:
  selector: {matchLabels: {app: infer}}
  template:
    metadata: {labels: {app: infer}}
    spec:
      containers:
        - name: infer
          image: registry.acme.example/infer:3.1
          resources:
            limits: {nvidia.com/gpu: 1}
---
apiVersion: batch/v1
kind: Job
metadata: {name: allowed, namespace: gpu-pool}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: train
          image: registry.acme.example/train:1.0
          resources:
            limits: {nvidia.com/gpu: 8}
---
apiVersion: kubeflow.org/v1
kind: Notebook
metadata: {name: scratch, namespace: ml}
spec:
  template:
    metadata: {labels: {notebook-name: scratch}}
    spec:
      containers:
        - name: scratch
          image: registry.acme.example/jupyter:2024.1
---
apiVersion: v1
kind: Service
metadata: {name: scratch-lb, namespace: ml}
spec:
  type: LoadBalancer
  selector: {notebook-name: scratch}
  ports: [{port: 80}]
`;

const session = useCliSession('plugins');

const GPU = 'acme-gpu-outside-gpu-namespaces';
const LB = 'acme-notebook-load-balancer';

let plugins: string;
const gpuPlugin = () => path.join(plugins, 'gpu-policy.mjs');

beforeAll(() => {
  // Outside the project, and outside every repository the tests scan.
  plugins = mkdtempSync(path.join(os.tmpdir(), 'kfscan-plugins-'));
  cpSync(path.join(ROOT, 'test', 'plugins'), plugins, { recursive: true });
});

function repo(config: string | null, files: Record<string, string> = {}): string {
  return tempRepo({ 'deploy/ml.yaml': MANIFESTS, ...(config === null ? {} : { '.kfscan.yaml': config }), ...files });
}

const pluginConfig = (extra = '') => `plugins:\n  - plugin: ${JSON.stringify(gpuPlugin())}\n    options:\n      gpuNamespaces: [gpu-pool]\n${extra}`;

function json(run: CliRun): Report {
  return JSON.parse(run.stdout) as Report;
}

const ids = (findings: readonly Finding[]) => findings.map((f) => f.checkId);
const pluginFindings = (report: Report) => report.findings.filter((f) => f.checkId.startsWith('acme-'));

describe('a plugin written from docs/plugins.md, loaded from outside the project', () => {
  let dir: string;
  let report: Report;
  let table: CliRun;

  beforeAll(() => {
    dir = repo(pluginConfig());
    table = kfscan(['scan', 'deploy', '--no-color', '--report', 'json=report.json', '--report', 'sarif=kfscan.sarif', '--report', 'markdown=kfscan.md', '--report', 'html=kfscan.html'], { cwd: dir });
    report = JSON.parse(readFileSync(path.join(dir, 'report.json'), 'utf8')) as Report;
  });

  it('reports its findings in JSON, with the plugin named in tool.plugins', () => {
    expect(report.errors).toEqual([]);
    expect(report.tool.plugins).toEqual([{ name: 'acme-gpu-policy', version: '2.3.0', source: gpuPlugin(), checks: [GPU, LB] }]);
    expect(pluginFindings(report)).toEqual([
      expect.objectContaining({
        checkId: LB,
        severity: 'high',
        category: 'exposure',
        resource: { apiVersion: 'v1', kind: 'Service', namespace: 'ml', name: 'scratch-lb' },
        location: { file: 'deploy/ml.yaml', line: 82, column: 3 },
        message: 'Service ml/scratch-lb is a LoadBalancer in front of Notebook scratch',
        remediation: 'Make the Service ClusterIP and reach the notebook through the Kubeflow dashboard.',
        docsUrl: '',
      }),
      expect.objectContaining({
        checkId: GPU,
        severity: 'medium',
        category: 'hardening',
        resource: { apiVersion: 'batch/v1', kind: 'Job', namespace: 'ml', name: 'train' },
        location: { file: 'deploy/ml.yaml', line: 20, column: 22 },
        message: 'Container train in Job ml/train requests 2 GPU outside the GPU namespaces',
        docsUrl: 'https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces',
      }),
    ]);
    expect(readFileSync(path.join(dir, 'deploy/ml.yaml'), 'utf8').split('\n')[19]).toBe('            limits: {nvidia.com/gpu: 2}');
  });

  it('shows them in the table, with how to fix and the exit code of their severity', () => {
    expect(table.code).toBe(1);
    // Only the lines naming the report files written.
    expect(table.stderr).toBe(['JSON report to report.json', 'SARIF report to kfscan.sarif', 'Markdown report to kfscan.md', 'HTML report to kfscan.html'].map((what) => `kfscan: wrote the ${what}\n`).join(''));
    expect(table.stdout).toMatch(/^│ acme-notebook-load-balancer +│ Service ml\/scratch-lb +│ deploy\/ml\.yaml:82 +│ Service ml\/scratch-lb is a /m);
    // The id wraps in the Check column; the rest of the row stays on its first line.
    expect(table.stdout).toMatch(/^│ acme-gpu-outside-gpu- +│ Job ml\/train +│ deploy\/ml\.yaml:20 +│ Container train in Job ml\/train requests /m);
    expect(table.stdout).toMatch(/^│ namespaces /m);
    expect(table.stdout).toContain(`  ${LB}: Notebook behind its own load balancer\n    Make the Service ClusterIP and reach the notebook through the Kubeflow dashboard.\n`);
    expect(table.stdout).toContain('    https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces\n');
    expect(table.stdout).toMatch(/; 2 waived \(--show-suppressed lists them\)$/m);
  });

  it('gives SARIF that validates, with a rule per plugin check, the plugin as an extension and related locations', () => {
    const log = JSON.parse(readFileSync(path.join(dir, 'kfscan.sarif'), 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubCodeScanningProblems(log)).toEqual([]);
    const { tool, results } = log.runs[0];
    const rules = tool.driver.rules as Array<{ id: string; helpUri?: string; properties: { tags: string[]; 'security-severity': string } }>;
    expect(rules.find((r) => r.id === GPU)).toMatchObject({
      helpUri: 'https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces',
      properties: { tags: ['security', 'kubernetes', 'hardening', 'MS-TA9039', 'MS-M9029'], 'security-severity': '5.5' },
    });
    expect(rules.find((r) => r.id === LB)).not.toHaveProperty('helpUri');
    expect(tool.extensions).toEqual([{ name: 'acme-gpu-policy', version: '2.3.0', properties: { source: gpuPlugin(), checks: [GPU, LB] } }]);
    const lb = results.find((r: { ruleId: string }) => r.ruleId === LB);
    expect(lb.ruleIndex).toBe(rules.findIndex((r) => r.id === LB));
    expect(lb.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'deploy/ml.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 82, startColumn: 3 } });
    expect(lb.relatedLocations).toEqual([expect.objectContaining({ message: { text: 'the notebook it exposes' } })]);
    const suppressed = results.filter((r: { ruleId: string; suppressions?: unknown }) => r.ruleId === GPU && r.suppressions);
    expect(suppressed).toHaveLength(2);
  });

  it('appears in the markdown and HTML reports, which name the plugin', () => {
    const markdown = readFileSync(path.join(dir, 'kfscan.md'), 'utf8');
    expect(markdown).toContain('and plugin acme-gpu-policy 2.3.0.');
    expect(markdown).toContain('[acme-gpu-outside-gpu-namespaces](https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces)');
    expect(markdown).toMatch(/\| high \| acme-notebook-load-balancer \| `Service ml\/scratch-lb` \|/);
    const html = readFileSync(path.join(dir, 'kfscan.html'), 'utf8');
    expect(html).toContain('with 1 plugin: acme-gpu-policy 2.3.0');
    expect(html).toContain('<code>acme-notebook-load-balancer</code>');
  });

  it('is suppressed by kfscan.io/ignore on the object and on its Namespace, and by an ignore entry', async () => {
    expect(report.suppressed.map((f) => [f.checkId, f.resource?.name, f.suppression.via, f.suppression.justification])).toEqual([
      [GPU, 'legacy', 'annotation', 'retired next sprint'],
      [GPU, 'infer', 'namespace-annotation', 'research has its own GPU budget'],
    ]);
    const ignored = repo(pluginConfig(`ignore:\n  - check: ${LB}\n    resource: Service/scratch-*\n    reason: behind the office firewall\n`));
    const withIgnore = json(await session(['scan', 'deploy', '-f', 'json'], { cwd: ignored }));
    expect(ids(pluginFindings(withIgnore))).toEqual([GPU]);
    expect(withIgnore.suppressed.find((f) => f.checkId === LB)?.suppression).toMatchObject({ kind: 'inSource', via: 'config', justification: 'behind the office firewall' });
  });

  it('is skipped with --skip-checks and selected alone with --checks', async () => {
    const skipped = json(await session(['scan', 'deploy', '-f', 'json', '--skip-checks', LB], { cwd: dir }));
    expect(ids(pluginFindings(skipped))).toEqual([GPU]);
    expect(skipped.findings.length).toBe(report.findings.length - 1);
    const only = json(await session(['scan', 'deploy', '-f', 'json', '--checks', GPU], { cwd: dir }));
    expect(ids(only.findings)).toEqual([GPU]);
    expect((await session(['scan', 'deploy', '--checks', 'acme-gpu-outside'], { cwd: dir })).stderr).toBe(
      'kfscan: unknown check id "acme-gpu-outside" (did you mean "acme-gpu-outside-gpu-namespaces"?) (see `kfscan checks`)\n',
    );
  });

  it('takes part in baselines: only a new finding of the plugin is reported', async () => {
    const base = repo(pluginConfig());
    expect((await session(['scan', 'deploy', '--write-baseline', 'baseline.json', '--fail-on', 'none'], { cwd: base })).code).toBe(0);
    const added = MANIFESTS.replace('name: allowed, namespace: gpu-pool', 'name: moved, namespace: ml');
    writeFileSync(path.join(base, 'deploy/ml.yaml'), added);
    const run = await session(['scan', 'deploy', '-f', 'json', '--baseline', 'baseline.json', '--fail-on', 'medium'], { cwd: base });
    expect(run.code).toBe(1);
    expect(json(run).findings.map((f) => f.message)).toEqual(['Container train in Job ml/moved requests 8 GPU outside the GPU namespaces']);
  });

  it('gets its options from .kfscan.yaml only: --plugin alone gives it none', async () => {
    const bare = repo(null);
    const run = json(await session(['scan', 'deploy', '-f', 'json', '--plugin', gpuPlugin()], { cwd: bare }));
    expect(pluginFindings(run).map((f) => f.resource?.name)).toEqual(['scratch-lb', 'allowed', 'train']);
    const noConfig = json(await session(['scan', 'deploy', '-f', 'json', '--no-config'], { cwd: dir }));
    expect(pluginFindings(noConfig)).toEqual([]);
    expect(noConfig.tool.plugins).toBeUndefined();
  });
});

describe('loading', () => {
  it('resolves paths in .kfscan.yaml from its directory, and --plugin paths from the working directory', async () => {
    const dir = repo(null);
    // The configuration sits at the repository root and kfscan runs in a sub-directory: only the base decides.
    mkdirSync(path.join(dir, 'sub'));
    const relativeToConfig = path.relative(dir, gpuPlugin());
    writeFileSync(path.join(dir, '.kfscan.yaml'), `plugins:\n  - ${relativeToConfig}\n`);
    const fromConfig = await session(['scan', '../deploy', '-f', 'json', '--verbose'], { cwd: path.join(dir, 'sub') });
    expect(json(fromConfig).tool.plugins?.[0]).toMatchObject({ name: 'acme-gpu-policy', source: relativeToConfig });
    expect(fromConfig.stderr).toContain(`kfscan: plugin acme-gpu-policy 2.3.0 from ${relativeToConfig}: ${GPU}, ${LB}\n`);
    const fromCli = await session(['scan', 'deploy', '-f', 'json', '--no-config', '--plugin', path.relative(dir, gpuPlugin())], { cwd: dir });
    expect(json(fromCli).tool.plugins?.[0]?.checks).toEqual([GPU, LB]);
  });

  it('loads a module named twice once, with the options of the configuration', async () => {
    const dir = repo(pluginConfig());
    const run = json(await session(['scan', 'deploy', '-f', 'json', '--plugin', gpuPlugin()], { cwd: dir }));
    expect(run.errors).toEqual([]);
    expect(run.tool.plugins).toHaveLength(1);
    expect(pluginFindings(run).map((f) => f.resource?.name)).toEqual(['scratch-lb', 'train']);
  });

  it('loads an installed package by name from node_modules, and a package directory by path', async () => {
    const dir = repo(null, {
      'node_modules/@acme/kfscan-rules/package.json': JSON.stringify({ name: '@acme/kfscan-rules', version: '1.0.0', type: 'module', exports: { '.': { import: './lib/index.js' } } }),
      'node_modules/@acme/kfscan-rules/lib/index.js': readFileSync(path.join(ROOT, 'test/plugins/gpu-policy.mjs'), 'utf8').replace("name: 'acme-gpu-policy'", "name: '@acme/kfscan-rules'"),
    });
    const run = json(await session(['scan', 'deploy', '-f', 'json', '--plugin', '@acme/kfscan-rules'], { cwd: dir }));
    expect(run.errors).toEqual([]);
    expect(run.tool.plugins).toEqual([{ name: '@acme/kfscan-rules', version: '2.3.0', source: '@acme/kfscan-rules', checks: [GPU, LB] }]);
    const dirPlugin = json(await session(['scan', 'deploy', '-f', 'json', '--plugin', './node_modules/@acme/kfscan-rules'], { cwd: dir }));
    expect(dirPlugin.tool.plugins?.[0]?.checks).toEqual([GPU, LB]);

    const elsewhere = repo(null);
    const missing = await session(['scan', 'deploy', '-f', 'json', '--plugin', '@acme/kfscan-rules', '--fail-on', 'none'], { cwd: elsewhere });
    expect(missing.code).toBe(3);
    expect(json(missing).errors.map((e) => e.message)).toEqual([
      `plugin @acme/kfscan-rules cannot be loaded: package "@acme/kfscan-rules" is not installed where ${elsewhere} can find it (node_modules there or above); install it there, or give the plugin's path (./...)`,
    ]);
  });

  it('tells an author who gives TypeScript to compile it first', async () => {
    const source = path.join(mkdtempSync(path.join(os.tmpdir(), 'kfscan-ts-')), 'plugin.ts');
    writeFileSync(source, "import type { Plugin } from 'kfscan';\nexport default { apiVersion: 1, name: 'ts', checks: [] } satisfies Plugin;\n");
    const run = await session(['checks', '--plugin', source]);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe(`kfscan: error: plugin ${source} cannot be imported: TypeError: Unknown file extension ".ts" for ${source}: compile TypeScript to JavaScript first (docs/plugins.md)\n`);
  });

  it.each([
    ['plugins: ./gpu.mjs\n', '.kfscan.yaml:1:10: "plugins" must be a list'],
    ['plugins:\n  - plugn: ./gpu.mjs\n', '.kfscan.yaml:2:5: "plugins[0]" needs "plugin": the path (relative to this file) or package of the plugin'],
    ['plugins:\n  - plugin: ./gpu.mjs\n    option: {}\n', '.kfscan.yaml:3:5: unknown key in plugins[0]: "option" (did you mean "options"?); allowed keys: plugin, options'],
    ['plugins:\n  - plugin: ./gpu.mjs\n    options: [a]\n', '.kfscan.yaml:3:14: "plugins[0].options" must be a mapping'],
    ['plugins:\n  - ""\n', '.kfscan.yaml:2:5: "plugins[0]" must not be empty'],
  ])('refuses a malformed plugins: entry before loading anything (%j)', async (config, message) => {
    const run = await session(['scan', 'deploy'], { cwd: repo(config) });
    expect(run).toMatchObject({ code: 2, stdout: '', stderr: `kfscan: ${message}\n` });
  });

  it('stops with exit 2 and the line to fix when options do not fit the plugin schema', async () => {
    const typo = await session(['scan', 'deploy'], { cwd: repo(`plugins:\n  - plugin: ${JSON.stringify(gpuPlugin())}\n    options:\n      gpuNamespace: [gpu-pool]\n`) });
    expect(typo).toMatchObject({
      code: 2,
      stderr: `kfscan: .kfscan.yaml:4:7: options of plugin acme-gpu-policy (${gpuPlugin()}): unknown key "gpuNamespace" (did you mean "gpuNamespaces"?); allowed keys: gpuNamespaces\n`,
    });
    const wrongType = await session(['scan', 'deploy'], { cwd: repo(`plugins:\n  - plugin: ${JSON.stringify(gpuPlugin())}\n    options:\n      gpuNamespaces: gpu-pool\n`) });
    expect(wrongType.stderr).toBe(`kfscan: .kfscan.yaml:4:22: options.gpuNamespaces of plugin acme-gpu-policy (${gpuPlugin()}): must be array\n`);
  });
});

describe('broken plugins', () => {
  const broken = (name: string) => path.join(plugins, 'broken', `${name}.mjs`);
  const ALL = ['throws-on-import', 'syntax-error', 'throws-in-run', 'clashing-ids', 'missing-metadata', 'wrong-api-version', 'no-api-version', 'no-default-export'];
  const scanDemo = (extra: string[], failOn = 'none') => session(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', failOn, '--no-config', ...extra]);
  let builtinOnly: Report;
  let gpuOnly: Report;

  beforeAll(async () => {
    builtinOnly = json(await scanDemo([]));
    gpuOnly = json(await scanDemo(['--plugin', gpuPlugin()]));
  });

  it('leave every other finding intact and name the plugin and the check in each error', async () => {
    const run = await scanDemo(['--plugin', gpuPlugin(), ...ALL.flatMap((name) => ['--plugin', broken(name)])]);
    expect(run.code).toBe(3);
    const report = json(run);
    // What the broken plugins' checks yielded before they failed is theirs; everything else is exactly as without them.
    const theirs = new Set(['broken-throws', 'broken-invalid-draft', 'complete-check-of-a-partly-broken-plugin']);
    expect(report.findings.filter((f) => !theirs.has(f.checkId))).toEqual(gpuOnly.findings);
    expect(gpuOnly.findings.filter((f) => !f.checkId.startsWith('acme-'))).toEqual(builtinOnly.findings);
    expect(report.findings.some((f) => f.message.startsWith('must never be reported'))).toBe(false);
    expect(report.findings.filter((f) => f.checkId === 'broken-invalid-draft').map((f) => f.message)).toEqual(['kept: yielded before the invalid draft']);
    expect(report.tool.plugins?.map((p) => [p.name, p.checks])).toEqual([
      ['acme-gpu-policy', [GPU, LB]],
      ['throws-in-run', ['broken-throws', 'broken-async', 'broken-returns-nothing', 'broken-invalid-draft']],
      ['clashing-ids', []],
      ['missing-metadata', ['complete-check-of-a-partly-broken-plugin']],
    ]);

    const named = (plugin: string) => `plugin ${plugin} (${broken(plugin === 'from-the-future' ? 'wrong-api-version' : plugin)})`;
    expect(report.errors.map((e) => e.message)).toEqual([
      `plugin ${broken('throws-on-import')} cannot be imported: TypeError: Cannot read properties of undefined (reading 'limit') (at throws-on-import.mjs:2:29)`,
      `plugin ${broken('syntax-error')} cannot be imported: SyntaxError: Unexpected identifier 'checks' (at syntax-error.mjs:4)`,
      `${named('clashing-ids')}: check ingress-gateway-exposed is not loaded: its id is already used by built-in check ingress-gateway-exposed; give the check another id (prefix it with your organisation's name)`,
      `${named('clashing-ids')}: check ${LB} is not loaded: its id is already used by check ${LB} of plugin acme-gpu-policy (${gpuPlugin()}); give the check another id (prefix it with your organisation's name)`,
      `${named('clashing-ids')}: check clash-by-alias is not loaded: its alias "mutable-ml-image" is already used by built-in check mutable-ml-image; give the check another id (prefix it with your organisation's name)`,
      `${named('missing-metadata')}: check incomplete-no-remediation is not loaded: meta.remediation must be a non-empty string, got nothing`,
      `${named('missing-metadata')}: check incomplete-bad-category is not loaded: meta.category must be one of exposure, auth, mfa, mutable-ml-image, miner, falco-missing, falco-rules, prometheus-missing, alerting-gap, hardening, got "policy"`,
      `${named('missing-metadata')}: check Incomplete_Id is not loaded: meta.id must be kebab-case (lower-case letters and digits in words joined by "-", starting with a letter, at most 64 characters), got "Incomplete_Id"`,
      `${named('missing-metadata')}: check incomplete-no-needs is not loaded: meta.needs must be the list of kinds the check reads ([] for none), got nothing`,
      `${named('missing-metadata')}: check incomplete-no-run is not loaded: it needs a run(inventory, context) function, got nothing`,
      `${named('missing-metadata')}: check incomplete-bare-custom-kind is not loaded: meta.needs: "Notebook" is not a built-in kind, so live mode could not know which API to read: write it as group/Kind (e.g. kubeflow.org/Notebook)`,
      `${named('from-the-future')} is written for plugin API 2, but this kfscan supports plugin API 1: use a release of the plugin made for it, or a kfscan that supports its API`,
      `${named('no-api-version')} declares no apiVersion: add \`apiVersion: 1\` to its default export (docs/plugins.md)`,
      `plugin ${broken('no-default-export')} has no default export: export default { apiVersion: 1, name, checks: [...] } (docs/plugins.md)`,
      `check broken-throws of ${named('throws-in-run')} failed: TypeError: Cannot read properties of undefined (reading 'ports') (at throws-in-run.mjs:22:50)`,
      `check broken-async of ${named('throws-in-run')} failed: run() returned a promise or an async iterator: checks run synchronously (use function* run, not async)`,
      `check broken-returns-nothing of ${named('throws-in-run')} failed: run() must return an iterable of findings (a generator or a list), got undefined`,
      `check broken-invalid-draft of ${named('throws-in-run')} returned an invalid finding: message must be a non-empty string`,
    ]);
  });

  it.each(ALL)('%s alone: exit 3 (1 on findings at --fail-on), the built-in findings intact', async (name) => {
    const run = await scanDemo(['--plugin', broken(name)]);
    expect(run.code).toBe(3);
    const report = json(run);
    const loaded = new Set(report.tool.plugins?.flatMap((p) => p.checks) ?? []);
    expect(report.findings.filter((f) => !loaded.has(f.checkId))).toEqual(builtinOnly.findings);
    expect(report.errors.length).toBeGreaterThan(0);
    expect(report.errors.every((e) => e.message.includes(broken(name)))).toBe(true);
    expect(run.stderr.split('\n').filter(Boolean).every((line) => line.startsWith('kfscan: error: ') && line.includes(broken(name)))).toBe(true);
    expect((await scanDemo(['--plugin', broken(name)], 'high')).code).toBe(1);
  });

  it('name the failure in the table too, and in SARIF as an unsuccessful execution', async () => {
    const dir = repo(null);
    const run = await session(['scan', 'deploy', '--no-color', '--plugin', broken('throws-on-import'), '--report', 'sarif=kfscan.sarif', '--fail-on', 'none'], { cwd: dir, env: { COLUMNS: '400' } });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`Errors (inputs not scanned, checks or plugins that failed)\n\n  plugin ${broken('throws-on-import')} cannot be imported: TypeError`);
    expect(run.stdout).toMatch(/; 1 error, 2 warnings$/m);
    const log = JSON.parse(readFileSync(path.join(dir, 'kfscan.sarif'), 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(log.runs[0].invocations[0].toolExecutionNotifications[0].message.text).toContain(`plugin ${broken('throws-on-import')} cannot be imported`);
  });

  it('make the ids they would have provided warnings, not usage errors, in --checks, --skip-checks and ignore entries', async () => {
    const dir = repo(`plugins:\n  - ${JSON.stringify(broken('missing-metadata'))}\nignore:\n  - check: [incomplete-bad-category, complete-check-of-a-partly-broken-plugin]\n    reason: r\n`);
    const run = await session(['scan', 'deploy', '-f', 'json', '--fail-on', 'none', '--skip-checks', 'incomplete-no-run', '--checks', 'acme-x,complete-check-of-a-partly-broken-plugin'], { cwd: dir });
    expect(run.code).toBe(3);
    const report = json(run);
    // The manifests' annotations name the gpu plugin's checks, which this run does not load: warned as always.
    expect(report.warnings.map((w) => w.message).filter((m) => !m.startsWith('kfscan.io/ignore'))).toEqual([
      '--checks names "acme-x": no loaded check has this id, and a plugin that failed to load may define it',
      '--skip-checks names "incomplete-no-run": its plugin check was not loaded',
      'ignore[0].check names "incomplete-bad-category": its plugin check was not loaded; the entry suppresses nothing for it',
    ]);
    expect(ids(report.findings)).toEqual([]);
    expect(ids(report.suppressed)).toEqual(['complete-check-of-a-partly-broken-plugin']);
    // Without a failed plugin, the same mistake is a usage error, as always.
    expect((await session(['scan', 'deploy', '--no-config', '--checks', 'acme-x'], { cwd: dir })).code).toBe(2);
  });
});

describe('checks, explain and rbac', () => {
  it('kfscan checks lists plugin checks after the built-in ones, and says which plugin they come from', async () => {
    const table = await session(['checks', '--plugin', gpuPlugin()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^acme-gpu-outside-gpu-namespaces +medium +hardening +GPU requested outside the GPU namespaces$/m);
    expect(table.stdout).toContain('\n\n17 checks (2 from plugin acme-gpu-policy). ');
    const listed = JSON.parse((await session(['checks', '-f', 'json', '--plugin', gpuPlugin()])).stdout) as { checks: Array<{ id: string; plugin: string | null; docsUrl: string; needs: string[] }> };
    expect(listed.checks.slice(-2)).toEqual([
      expect.objectContaining({ id: GPU, plugin: 'acme-gpu-policy', docsUrl: 'https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces' }),
      expect.objectContaining({ id: LB, plugin: 'acme-gpu-policy', docsUrl: '', needs: expect.arrayContaining(['Service', 'kubeflow.org/Notebook', 'apps/StatefulSet']) }),
    ]);
    expect(listed.checks[0]).toMatchObject({ id: 'ingress-gateway-exposed', plugin: null });
    const markdown = (await session(['checks', '-f', 'markdown', '--plugin', gpuPlugin()])).stdout;
    expect(markdown).toContain(`| [${GPU}](https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces) | medium | hardening | GPU requested outside the GPU namespaces |`);
    expect(markdown).toContain(`| ${LB} | high | exposure | Notebook behind its own load balancer |`);
  });

  it('kfscan explain shows the page the plugin provides, or its metadata', async () => {
    const page = readFileSync(path.join(ROOT, 'test/plugins/docs/acme-notebook-load-balancer.md'), 'utf8');
    const text = await session(['explain', LB, '--plugin', gpuPlugin()]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`  Plugin         acme-gpu-policy 2.3.0 (${gpuPlugin()})\n`);
    expect(text.stdout).toContain('WHY IT MATTERS\n\n  Notebooks run code for whoever reaches them; at Acme, notebooks are reached through the dashboard only.\n');
    expect(text.stdout).toContain('EXAMPLES\n\n  Fails:\n\n    apiVersion: v1\n');
    expect(text.stdout).not.toContain('  Docs ');
    expect((await session(['explain', LB, '-f', 'markdown', '--plugin', gpuPlugin()])).stdout).toBe(page);

    const fromMeta = (await session(['explain', GPU, '--plugin', gpuPlugin()])).stdout;
    expect(fromMeta).toContain('  Docs           https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces\n');
    expect(fromMeta).toContain('HOW TO FIX\n\n  Run GPU workloads in one of the GPU namespaces, or add the namespace to `gpuNamespaces` after review.\n');
    expect(fromMeta).toContain('EXAMPLES\n\n  No examples ship with this check; see https://wiki.acme.example/kfscan/acme-gpu-outside-gpu-namespaces\n');
  });

  it('kfscan rbac grants what plugin checks read', async () => {
    const pdb = path.join(mkdtempSync(path.join(os.tmpdir(), 'kfscan-pdb-')), 'pdb.mjs');
    writeFileSync(
      pdb,
      `export default { apiVersion: 1, name: 'pdb', checks: [{ meta: { id: 'acme-pdb', title: 't', category: 'hardening', severity: 'low', description: 'd', rationale: 'r', remediation: 'm', tags: [], needs: ['policy/PodDisruptionBudget', 'monitoring.coreos.com/Probe'] }, run: () => [] }] };\n`,
    );
    const without = (await session(['rbac'])).stdout;
    const run = await session(['rbac', '--plugin', pdb]);
    expect(run.code).toBe(0);
    expect(without).not.toContain('poddisruptionbudgets');
    expect(run.stdout).toContain('- apiGroups: [policy]\n    resources: [poddisruptionbudgets]\n    verbs: [get, list]\n');
    expect(run.stdout).toMatch(/- apiGroups: \[monitoring\.coreos\.com\]\n {4}resources: \[[a-z,\s]*probes[a-z,\s]*\]/);
    expect((await session(['rbac', '--plugin', pdb, '--skip-checks', 'acme-pdb'])).stdout).toBe(without);
  });

  it('exit 3 when a plugin failed, naming it on stderr; an id only a failed plugin had is not a typo', async () => {
    for (const [index, args] of [['checks'], ['rbac'], ['explain', 'mutable-ml-image']].entries()) {
      const command = [...args, '--plugin', path.join(plugins, 'broken', 'throws-on-import.mjs')];
      // The first on the built binary: the real process's exit status; the others are the same code path.
      const run = index === 0 ? kfscan(command) : await session(command);
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/^kfscan: error: plugin \S+throws-on-import\.mjs cannot be imported: TypeError/);
    }
    const run = await session(['explain', 'incomplete-no-run', '--plugin', path.join(plugins, 'broken', 'missing-metadata.mjs')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/kfscan: unknown check id "incomplete-no-run": its plugin check was not loaded\n$/);
  });
});
