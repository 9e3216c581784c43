import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { builtinChecks } from '../checks/index.js';
import { kfscan, ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { tempRepo } from './helpers/repo.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

// Adoption in CI: suppressions, baselines, severity control, catalogue commands, markdown and several
// inputs at once. Each case runs the built binary; its variants run the same CLI in-process (faster).

const GATEWAY = `apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
ANNOTATIONS
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports: [{port: 80}]
`;

const PIPELINE_POD = `apiVersion: v1
kind: Pod
metadata:
  name: train
  namespace: sandbox
  labels: {pipeline/runid: r1}
spec:
  containers:
    - {name: main, image: tensorflow/tensorflow:latest-gpu}
`;

const gateway = (annotations: Record<string, string> = {}) => {
  const lines = Object.entries(annotations).map(([key, value]) => `    ${key}: "${value}"`);
  return GATEWAY.replace('ANNOTATIONS\n', lines.length ? `  annotations:\n${lines.join('\n')}\n` : '');
};


function sarifOf(dir: string, file = 'kfscan.sarif') {
  const log = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(githubCodeScanningProblems(log)).toEqual([]);
  return log.runs[0].results as Array<{ ruleId: string; suppressions?: Array<{ kind: string; status: string; justification: string }> }>;
}

describe('suppression by annotation', () => {
  it('takes the finding out of the table and the exit code, and keeps it in SARIF with its justification', async () => {
    const dir = tempRepo({
      'deploy/gateway.yaml': gateway({ 'kfscan.io/ignore': 'ingress-gateway-exposed', 'kfscan.io/ignore-reason': 'internal NLB, VPN only' }),
    });
    const run = kfscan(['scan', 'deploy', '--report', 'sarif=kfscan.sarif'], { cwd: dir });
    expect(run.code).toBe(0);
    // One Service is no ML platform: the absence checks did not apply, and the report says so.
    expect(run.stdout).toContain('No findings from the 7 of 15 checks that ran');
    expect(run.stdout).not.toContain('ingress-gateway-exposed');
    expect(run.stdout).toMatch(/kfscan: 0 findings in 1 resources from 1 file; 1 waived \(--show-suppressed lists it\)$/m);
    const [result] = sarifOf(dir);
    expect(result!.ruleId).toBe('ingress-gateway-exposed');
    expect(result!.suppressions).toEqual([
      expect.objectContaining({ kind: 'inSource', status: 'accepted', justification: 'internal NLB, VPN only' }),
    ]);

    const listed = await runCli(['scan', 'deploy', '--show-suppressed'], { cwd: dir, env: { COLUMNS: '200' } });
    expect(listed.stdout).toContain('WAIVED (1)');
    expect(listed.stdout).toContain('ingress-gateway-exposed');
  });

  it('comes back after its expiry date, with a warning, and fails the run again', async () => {
    const dir = tempRepo({
      'deploy/gateway.yaml': gateway({ 'kfscan.io/ignore': 'ingress-gateway-exposed', 'kfscan.io/ignore-expires': '2001-01-31' }),
    });
    const run = kfscan(['scan', 'deploy', '-f', 'json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((f: { checkId: string }) => f.checkId)).toEqual(['ingress-gateway-exposed']);
    expect(run.stderr).toContain(
      'kfscan: warning: deploy/gateway.yaml:8:5: kfscan.io/ignore on Service istio-system/istio-ingressgateway expired on 2001-01-31: its findings are reported again',
    );
    const future = tempRepo({ 'deploy/gateway.yaml': gateway({ 'kfscan.io/ignore': 'ingress-gateway-exposed', 'kfscan.io/ignore-expires': '2999-12-31' }) });
    expect((await runCli(['scan', 'deploy'], { cwd: future })).code).toBe(0);
  });

  it('is disregarded with --no-annotation-ignores', async () => {
    const dir = tempRepo({ 'deploy/gateway.yaml': gateway({ 'kfscan.io/ignore': 'ingress-gateway-exposed' }) });
    expect((await runCli(['scan', 'deploy'], { cwd: dir })).code).toBe(0);
    expect((await runCli(['scan', 'deploy', '--no-annotation-ignores'], { cwd: dir })).code).toBe(1);
  });
});

describe('suppression by a Namespace annotation', () => {
  const namespace = (expires?: string) =>
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sandbox\n  annotations:\n    kfscan.io/ignore: mutable-ml-image\n    kfscan.io/ignore-reason: air-gapped lab\n${expires ? `    kfscan.io/ignore-expires: "${expires}"\n` : ''}`;

  it('suppresses the check for everything in the namespace', () => {
    const dir = tempRepo({ 'ns.yaml': namespace(), 'pod.yaml': PIPELINE_POD });
    const run = kfscan(['scan', '.', '-f', 'json', '--report', 'sarif=kfscan.sarif', '--checks', 'mutable-ml-image'], { cwd: dir });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.findings).toEqual([]);
    expect(report.suppressed[0].suppression).toMatchObject({ kind: 'inSource', via: 'namespace-annotation', justification: 'air-gapped lab' });
    expect(sarifOf(dir)[0]!.suppressions![0]!.justification).toBe('air-gapped lab');
  });

  it('stops after its expiry date', async () => {
    const expired = tempRepo({ 'ns.yaml': namespace('2001-01-31'), 'pod.yaml': PIPELINE_POD });
    const run = kfscan(['scan', '.', '--checks', 'mutable-ml-image'], { cwd: expired });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('kfscan.io/ignore on Namespace sandbox expired on 2001-01-31');
    const current = tempRepo({ 'ns.yaml': namespace('2999-12-31'), 'pod.yaml': PIPELINE_POD });
    expect((await runCli(['scan', '.', '--checks', 'mutable-ml-image'], { cwd: current })).code).toBe(0);
  });

  it('ends on the last day of ignore-expires, by the injected clock', async () => {
    const dir = tempRepo({ 'ns.yaml': namespace('2030-06-30'), 'pod.yaml': PIPELINE_POD });
    expect((await runCli(['scan', '.', '--checks', 'mutable-ml-image'], { cwd: dir, now: new Date('2030-06-30T23:59:59Z') })).code).toBe(0);
    expect((await runCli(['scan', '.', '--checks', 'mutable-ml-image'], { cwd: dir, now: new Date('2030-07-01T00:00:00Z') })).code).toBe(1);
  });
});

describe('suppression by .kfscan.yaml', () => {
  const config = (expires?: string) =>
    [
      'ignore:',
      '  - check: ingress-gateway-exposed',
      '    resource: Service/istio-*',
      '    path: deploy/',
      '    reason: internal NLB, VPN only',
      ...(expires ? [`    expires: ${expires}`] : []),
      '',
    ].join('\n');

  it('is found from a subdirectory and suppresses as an in-source suppression', () => {
    const dir = tempRepo({ '.kfscan.yaml': config(), 'deploy/gateway.yaml': gateway() });
    const run = kfscan(['scan', '.', '--report', 'sarif=../kfscan.sarif', '-v'], { cwd: path.join(dir, 'deploy') });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('kfscan: configuration ../.kfscan.yaml: 1 ignore entry');
    const [result] = sarifOf(dir);
    expect(result!.suppressions).toEqual([expect.objectContaining({ kind: 'inSource', status: 'accepted', justification: 'internal NLB, VPN only' })]);
  });

  it('stops after its expiry date and says so', async () => {
    const dir = tempRepo({ '.kfscan.yaml': config('2001-01-31'), 'deploy/gateway.yaml': gateway() });
    const run = kfscan(['scan', 'deploy'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'kfscan: warning: .kfscan.yaml:2:5: ignore entry for ingress-gateway-exposed expired on 2001-01-31 and no longer applies (reason was: internal NLB, VPN only); renew or remove it',
    );
    expect((await runCli(['scan', 'deploy'], { cwd: tempRepo({ '.kfscan.yaml': config('2999-12-31'), 'deploy/gateway.yaml': gateway() }) })).code).toBe(0);
  });

  it('fails the run with the file and line of a mistake, instead of suppressing nothing', () => {
    const dir = tempRepo({ '.kfscan.yaml': config().replace('resource:', 'resorce:'), 'deploy/gateway.yaml': gateway() });
    const run = kfscan(['scan', 'deploy'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'kfscan: .kfscan.yaml:3:5: unknown key in ignore[0]: "resorce" (did you mean "resource"?); allowed keys: check, namespace, resource, path, context, reason, expires\n',
    );
  });

  it('is read from --config and left out with --no-config', async () => {
    const dir = tempRepo({ 'ci/kfscan.yaml': config().replace('path: deploy/', 'namespace: istio-system'), 'deploy/gateway.yaml': gateway() });
    expect((await runCli(['scan', 'deploy'], { cwd: dir })).code).toBe(1);
    expect((await runCli(['scan', 'deploy', '--config', 'ci/kfscan.yaml'], { cwd: dir })).code).toBe(0);
    const found = tempRepo({ '.kfscan.yaml': config(), 'deploy/gateway.yaml': gateway() });
    expect((await runCli(['scan', 'deploy', '--no-config'], { cwd: found })).code).toBe(1);
    expect((await runCli(['scan', 'deploy', '--config', 'missing.yaml'], { cwd: found })).stderr).toBe('kfscan: cannot read configuration missing.yaml: no such file\n');
  });

  it('ends on the last day of expires, by the injected clock', async () => {
    const dir = tempRepo({ '.kfscan.yaml': config('2030-06-30'), 'deploy/gateway.yaml': gateway() });
    expect((await runCli(['scan', 'deploy'], { cwd: dir, now: new Date('2030-06-30T23:59:59Z') })).code).toBe(0);
    const after = await runCli(['scan', 'deploy'], { cwd: dir, now: new Date('2030-07-01T00:00:00Z') });
    expect(after.code).toBe(1);
    expect(after.stderr).toContain('expired on 2030-06-30');
  });
});

describe('baseline', () => {
  const NEW_EXPOSURE = `apiVersion: v1
kind: Service
metadata: {name: gateway-debug, namespace: istio-system}
spec:
  type: NodePort
  selector: {istio: ingressgateway}
  ports: [{port: 8080}]
`;

  it('reports only a newly added exposure', async () => {
    const dir = tempRepo({ 'deploy/gateway.yaml': gateway(), 'deploy/pod.yaml': PIPELINE_POD });
    const first = kfscan(['scan', 'deploy', '--write-baseline', 'kfscan-baseline.json', '--fail-on', 'none', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir });
    expect(first.code).toBe(0);
    const baseline = JSON.parse(readFileSync(path.join(dir, 'kfscan-baseline.json'), 'utf8'));
    expect(baseline.findings).toHaveLength(2);

    expect((await runCli(['scan', 'deploy', '--baseline', 'kfscan-baseline.json', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir })).code).toBe(0);

    writeFileSync(path.join(dir, 'deploy', 'debug.yaml'), NEW_EXPOSURE);
    const run = await runCli(['scan', 'deploy', '--baseline', 'kfscan-baseline.json', '-f', 'json', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.findings.map((f: { resource: { name: string } }) => f.resource.name)).toEqual(['gateway-debug']);
    expect(report.filtered).toEqual({ minSeverity: null, belowMinSeverity: 0, baseline: 'kfscan-baseline.json', inBaseline: 2 });
    const table = await runCli(['scan', 'deploy', '--baseline', 'kfscan-baseline.json', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir });
    expect(table.stdout).toMatch(/kfscan: 1 finding \(1 high\) in 3 resources from 3 files; 2 in the baseline$/m);
  });

  it('refuses a file that is not a kfscan JSON report', async () => {
    const dir = tempRepo({ 'deploy/gateway.yaml': gateway() });
    await runCli(['scan', 'deploy', '-f', 'sarif', '-o', 'kfscan.sarif'], { cwd: dir });
    const run = await runCli(['scan', 'deploy', '--baseline', 'kfscan.sarif'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('kfscan: baseline kfscan.sarif is a SARIF log, not a kfscan JSON report: write the baseline with --write-baseline or --format json\n');
    expect((await runCli(['scan', 'deploy', '--baseline', 'nope.json'], { cwd: dir })).stderr).toBe('kfscan: cannot read baseline nope.json: no such file\n');
  });
});

describe('--min-severity', () => {
  it('leaves out lower findings, which then cannot fail the run', async () => {
    const file = 'checks/mutable-ml-image/fixtures/fail-notebook-and-jobs.yaml';
    const all = JSON.parse((await runCli(['scan', file, '-f', 'json', '--fail-on', 'none'], { cwd: ROOT })).stdout);
    const high = all.findings.filter((f: { severity: string }) => f.severity === 'high' || f.severity === 'critical').length;
    const run = kfscan(['scan', file, '-f', 'json', '--min-severity', 'high', '--fail-on', 'medium']);
    const report = JSON.parse(run.stdout);
    expect(report.findings).toHaveLength(high);
    expect(report.filtered.belowMinSeverity).toBe(all.findings.length - high);
    expect(run.code).toBe(high > 0 ? 1 : 0);
    expect((await runCli(['scan', file, '--min-severity', 'critical', '--fail-on', 'medium'], { cwd: ROOT })).code).toBe(0);
    expect((await runCli(['scan', file, '--min-severity', 'severe'], { cwd: ROOT })).code).toBe(2);
  });
});

describe('catalogue commands', () => {
  it('lists the checks as a table, JSON and markdown', async () => {
    const table = kfscan(['checks']);
    expect(table.code).toBe(0);
    for (const check of builtinChecks) expect(table.stdout).toMatch(new RegExp(`^${check.meta.id}\\s+${check.meta.severity}\\s+${check.meta.category}\\s+${check.meta.title}$`, 'm'));
    const json = JSON.parse((await runCli(['checks', '--format', 'json'], { cwd: ROOT })).stdout);
    expect(json.checks.map((c: { id: string }) => c.id)).toEqual(builtinChecks.map((c) => c.meta.id));
    expect(json.checks[0]).toMatchObject({ tags: builtinChecks[0]!.meta.tags, remediation: builtinChecks[0]!.meta.remediation });
    const markdown = (await runCli(['checks', '-f', 'markdown'], { cwd: ROOT })).stdout;
    expect(markdown.split('\n')[0]).toBe('| id | severity | category | title |');
    expect(markdown).toContain('| ingress-gateway-exposed | high | exposure |');
  });

  it('explains a check from its docs page, from any working directory', async () => {
    const run = kfscan(['explain', 'mutable-ml-image'], { cwd: os.tmpdir() });
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe('mutable-ml-image: ML framework image referenced by a mutable tag');
    expect(run.stdout).toMatch(/^ {2}Threat Matrix +MS-TA9002, MS-TA9008$/m);
    for (const heading of ['WHAT IT DETECTS', 'WHY IT MATTERS', 'HOW TO FIX', 'EXAMPLES']) expect(run.stdout).toMatch(new RegExp(`^${heading}$`, 'm'));
    expect(run.stdout).toContain('  Fails:');
    expect(run.stdout).toContain('          image: tensorflow/tensorflow:latest-gpu');
    expect(run.stdout).not.toContain('```');
    const page = readFileSync(path.join(ROOT, 'checks/mutable-ml-image/README.md'), 'utf8');
    expect((await runCli(['explain', 'mutable-ml-image', '--format', 'markdown'], { cwd: ROOT })).stdout).toBe(page);
  });

  it('explains a plugin check without a docs page from its metadata', async () => {
    const plugin = {
      meta: {
        ...builtinChecks[0]!.meta,
        id: 'acme-gpu-quota',
        title: 'GPU quota missing',
        aliases: ['gpu-quota'],
        docsUrl: 'https://acme.example/kfscan/gpu-quota',
        description: 'Namespaces running notebooks have no GPU quota.',
      },
      run: () => [],
    };
    const run = await runCli(['explain', 'gpu-quota'], { cwd: ROOT, checks: [...builtinChecks, plugin] });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('acme-gpu-quota: GPU quota missing');
    expect(run.stdout).toContain('("gpu-quota" is a former id of this check)');
    expect(run.stdout).toContain('  Namespaces running notebooks have no GPU quota.');
    expect(run.stdout).toContain('No examples ship with this check; see https://acme.example/kfscan/gpu-quota');
    const markdown = await runCli(['explain', 'acme-gpu-quota', '-f', 'markdown'], { cwd: ROOT, checks: [...builtinChecks, plugin] });
    expect(markdown.stdout.split('\n').slice(0, 5)).toEqual(['# acme-gpu-quota', '', '| | |', '|---|---|', '| Title | GPU quota missing |']);
  });

  it('suggests the closest id for an unknown one', async () => {
    const run = kfscan(['explain', 'mutable-image']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('kfscan: unknown check id "mutable-image" (did you mean "mutable-ml-image"?); `kfscan checks` lists them\n');
    expect((await runCli(['scan', 'fixtures/demo', '--checks', 'ingress-gateway'], { cwd: ROOT })).stderr).toContain('did you mean "ingress-gateway-exposed"?');
  });
});

describe('markdown for pull requests', () => {
  it('is a format of its own and an extra report', () => {
    const dir = tempRepo({});
    const run = kfscan(['scan', path.join(ROOT, 'fixtures/demo'), '-f', 'markdown', '--report', 'markdown=comment.md', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')[0]).toBe('### kfscan: 3 findings (3 critical)');
    expect(readFileSync(path.join(dir, 'comment.md'), 'utf8')).toBe(run.stdout);
  });
});

describe('several inputs at once', () => {
  it('scans directories, files and stdin together as one cluster view and lists each file with --verbose', () => {
    const dir = tempRepo({
      'apps/gateway.yaml': gateway(),
      'apps/values.yaml': 'replicas: 3\n',
      'apps/blob.yaml': 'apiVersion: v1\0binary',
      'extra/pod.yaml': PIPELINE_POD,
    });
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sandbox\n  annotations: {kfscan.io/ignore: mutable-ml-image, kfscan.io/ignore-reason: lab}\n';
    const run = kfscan(['scan', 'apps', 'extra/pod.yaml', '-', 'missing', '-f', 'json', '-v', '--checks', 'ingress-gateway-exposed,mutable-ml-image'], { cwd: dir, input: namespace });
    const report = JSON.parse(run.stdout);
    // The Namespace from stdin suppresses the pod from a file: one view across inputs.
    expect(report.suppressed.map((f: { checkId: string }) => f.checkId)).toEqual(['mutable-ml-image']);
    expect(report.findings.map((f: { checkId: string }) => f.checkId)).toEqual(['ingress-gateway-exposed']);
    expect(report.target.paths).toEqual(['apps', 'extra/pod.yaml', '-', 'missing']);
    expect(run.code).toBe(1);
    const lines = run.stderr.split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'kfscan: skipped apps/blob.yaml: binary file (contains NUL bytes)',
        'kfscan: scanned apps/gateway.yaml: 1 object',
        'kfscan: scanned apps/values.yaml: 0 objects (1 warning)',
        'kfscan: scanned extra/pod.yaml: 1 object',
        'kfscan: scanned <stdin>: 1 object',
        'kfscan: input apps: 2 files scanned (1 object), 1 skipped',
        'kfscan: input extra/pod.yaml: 1 file scanned (1 object)',
        'kfscan: input - (standard input): 1 object',
        'kfscan: input missing: cannot read: no such file or directory',
      ]),
    );
  });
});

describe('pre-commit hook', () => {
  it('runs the CLI on the configured folders when a manifest changes', async () => {
    const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Array<Record<string, unknown>>;
    const hook = hooks.find((h) => h['id'] === 'kfscan')!;
    expect(hook).toMatchObject({ language: 'script', pass_filenames: false, entry: 'scripts/pre-commit-hook.sh scan' });
    const [script, ...entryArgs] = String(hook['entry']).split(' ');
    // The script hands its arguments to the CLI (test/pre-commit.test.ts runs it as pre-commit does).
    expect(readFileSync(path.join(ROOT, script!), 'utf8')).toMatch(/^exec node "\$here\/bin\/kfscan\.js" "\$@"$/m);
    const files = new RegExp(String(hook['files']));
    expect(['deploy/a.yaml', 'b.yml', 'c.json', 'chart/templates/_helpers.tpl', 'overlays/prod/Kustomization'].every((f) => files.test(f))).toBe(true);
    expect(['README.md', 'yaml.txt', 'MyKustomization.txt'].some((f) => files.test(f))).toBe(false);
    const dir = tempRepo({ 'deploy/gateway.yaml': gateway() });
    expect((await runCli([...entryArgs, ...(hook['args'] as string[])], { cwd: dir })).code).toBe(1);
    // A kustomization in the folders is rendered: its patch makes the gateway public.
    const overlay = tempRepo({
      'base/kustomization.yaml': 'resources: [gateway.yaml]\n',
      'base/gateway.yaml': gateway().replace(/type: \w+/, 'type: ClusterIP'),
      'overlay/kustomization.yaml': 'resources: [../base]\npatches:\n  - patch: |\n      {apiVersion: v1, kind: Service, metadata: {name: istio-ingressgateway, namespace: istio-system}, spec: {type: LoadBalancer}}\n',
    });
    const rendered = await runCli([...entryArgs, ...(hook['args'] as string[]), '-f', 'json'], { cwd: overlay, env: { PATH: process.env['PATH'] ?? '' } });
    expect(rendered.code).toBe(1);
    expect(JSON.parse(rendered.stdout).findings.find((f: { checkId: string }) => f.checkId === 'ingress-gateway-exposed').roots).toEqual(['overlay']);
  });
});
