import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/in-process.js';
import { tempRepo } from './helpers/repo.js';
import { reportSchemaErrors } from './helpers/report-schema.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

// A waiver never makes a finding vanish without a trace, and a scanned tree that may be hostile (a pull
// request, `--untrusted`) cannot waive its own findings or run code through its configuration.

const GATEWAY = (annotations = '') => `apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
${annotations}spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports: [{port: 80}]
`;
const ANNOTATED = `  annotations:\n    kfscan.io/ignore: ingress-gateway-exposed\n    kfscan.io/ignore-reason: "internal NLB"\n`;
const POD = (name: string, namespace = 'sandbox') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  containers: [{name: main, image: "tensorflow/tensorflow:latest-gpu"}]
`;
const CHECKS = ['--checks', 'ingress-gateway-exposed,mutable-ml-image'];

interface Report {
  findings: Array<{ checkId: string; resource: { name: string } }>;
  suppressed: Array<{ checkId: string; resource: { name: string }; suppression: { kind: string; via: string; justification: string } }>;
  warnings: Array<{ file?: string; line?: number; message: string }>;
  filtered: { inBaseline: number };
}

function sarifResults(file: string): Array<{ ruleId: string; suppressions?: Array<{ kind: string; status: string; justification: string }> }> {
  const log = JSON.parse(readFileSync(file, 'utf8'));
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(githubCodeScanningProblems(log)).toEqual([]);
  return log.runs[0].results;
}

describe('findings in the baseline', () => {
  it('stay in JSON under suppressed and in SARIF as external suppressions, counted once in the table', async () => {
    const dir = tempRepo({ 'deploy/gateway.yaml': GATEWAY(), 'deploy/pod.yaml': POD('train') });
    expect((await runCli(['scan', 'deploy', '--write-baseline', 'base.json', '--fail-on', 'none', ...CHECKS], { cwd: dir })).code).toBe(0);
    writeFileSync(path.join(dir, 'deploy', 'new.yaml'), POD('fresh'));

    const run = await runCli(['scan', 'deploy', '--baseline', 'base.json', '-f', 'json', '--report', 'sarif=out.sarif', ...CHECKS], { cwd: dir });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.findings.map((f) => f.resource.name)).toEqual(['fresh']);
    expect(report.filtered.inBaseline).toBe(2);
    expect(report.suppressed.map((f) => [f.checkId, f.resource.name, f.suppression])).toEqual([
      ['ingress-gateway-exposed', 'istio-ingressgateway', { kind: 'external', via: 'baseline', justification: 'in the baseline base.json', location: null, resource: null, expires: null }],
      ['mutable-ml-image', 'train', { kind: 'external', via: 'baseline', justification: 'in the baseline base.json', location: null, resource: null, expires: null }],
    ]);

    const results = sarifResults(path.join(dir, 'out.sarif'));
    expect(results).toHaveLength(3);
    expect(results.filter((r) => r.suppressions).map((r) => r.suppressions)).toEqual([
      [expect.objectContaining({ kind: 'external', status: 'accepted', justification: 'in the baseline base.json' })],
      [expect.objectContaining({ kind: 'external', status: 'accepted', justification: 'in the baseline base.json' })],
    ]);

    const table = await runCli(['scan', 'deploy', '--baseline', 'base.json', '--show-suppressed', ...CHECKS], { cwd: dir });
    expect(table.stdout).toMatch(/kfscan: 1 finding \(1 high\) in 3 resources from 3 files; 2 in the baseline$/m);
    expect(table.stdout).toContain('SUPPRESSED (2)');
    expect(table.stdout).toContain('in the baseline base.json');
  });

  it('annotations and configuration entries are in-source suppressions with their justification', async () => {
    const dir = tempRepo({
      'deploy/gateway.yaml': GATEWAY(ANNOTATED),
      'deploy/pod.yaml': POD('train'),
      '.kfscan.yaml': 'ignore:\n  - check: mutable-ml-image\n    namespace: sandbox\n    reason: sandbox for experiments\n',
    });
    const run = await runCli(['scan', 'deploy', '-f', 'sarif', ...CHECKS], { cwd: dir });
    expect(run.code).toBe(0);
    writeFileSync(path.join(dir, 'out.sarif'), run.stdout);
    expect(sarifResults(path.join(dir, 'out.sarif')).map((r) => r.suppressions?.map((s) => [s.kind, s.justification]))).toEqual([
      [['inSource', 'internal NLB']],
      [['inSource', 'sandbox for experiments']],
    ]);
  });
});

/** A plugin that leaves a file behind when its code runs. */
function markerPlugin(dir: string, name: string): { file: string; marker: string } {
  const marker = path.join(dir, `${name}.ran`);
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(
    file,
    [
      `import { writeFileSync } from 'node:fs';`,
      `writeFileSync(${JSON.stringify(marker)}, 'ran');`,
      `const meta = { id: '${name}-check', title: 'Nothing', category: 'hardening', severity: 'low', description: 'd', rationale: 'r', remediation: 'f', tags: [], needs: ['Pod'] };`,
      `export default { apiVersion: 1, name: '${name}', checks: [{ meta, *run() {} }] };`,
    ].join('\n'),
  );
  return { file, marker };
}

describe('--untrusted', () => {
  function hostileRepo() {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'kfscan-plugin-'));
    const plugin = markerPlugin(outside, 'repo-plugin');
    const dir = tempRepo({
      'deploy/gateway.yaml': GATEWAY(ANNOTATED),
      'deploy/pod.yaml': POD('train'),
      'hidden/pod.yaml': POD('hidden-miner', 'hidden'),
      '.kfscan.yaml': [
        `plugins: [${JSON.stringify(plugin.file)}]`,
        'exclude: [hidden]',
        'ignore:',
        '  - check: mutable-ml-image',
        '    reason: "trust me"',
        'render:',
        '  helmBin: /usr/bin/false',
      ].join('\n'),
    });
    return { dir, plugin };
  }

  it('runs no plugin of the tree, applies none of its waivers and says so; its findings are reported', async () => {
    const { dir, plugin } = hostileRepo();
    const trusting = await runCli(['scan', '.', '-f', 'json', ...CHECKS], { cwd: dir });
    expect(existsSync(plugin.marker)).toBe(true);
    expect(trusting.code).toBe(0);

    const { dir: fresh, plugin: freshPlugin } = hostileRepo();
    const run = await runCli(['scan', '.', '-f', 'json', ...CHECKS, '--untrusted'], { cwd: fresh });
    expect(existsSync(freshPlugin.marker)).toBe(false);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.suppressed).toEqual([]);
    expect(report.findings.map((f) => [f.checkId, f.resource.name]).sort()).toEqual([
      ['ingress-gateway-exposed', 'istio-ingressgateway'],
      ['mutable-ml-image', 'hidden-miner'],
      ['mutable-ml-image', 'train'],
    ]);
    // Each waiver that would have applied is reported where it is written.
    expect(report.warnings.filter((w) => w.message.startsWith('not applied (--untrusted):'))).toEqual([
      { file: 'deploy/gateway.yaml', line: 7, column: 5, message: 'not applied (--untrusted): kfscan.io/ignore on Service istio-system/istio-ingressgateway would waive ingress-gateway-exposed (1 finding, reported): internal NLB' },
      { file: '.kfscan.yaml', line: 4, column: 5, message: 'not applied (--untrusted): ignore entry would waive mutable-ml-image (2 findings, reported): trust me' },
    ]);
    expect(run.stderr).toContain(
      `kfscan: --untrusted: .kfscan.yaml comes from the scanned tree: its plugins are not run (${freshPlugin.file}); its exclude patterns are not used (hidden); its render.helmBin is not used; its 1 ignore entry is reported but not applied (name a configuration you trust with --config)\n`,
    );
    expect(run.stderr).toContain('kfscan: --untrusted: 2 waivers written in the scanned input (kfscan.io/ignore annotations, ignore entries) not applied: their findings are reported\n');
    expect(run.stderr).toContain('deploy/gateway.yaml:7:5: not applied (--untrusted)');
  });

  it('still applies what the user names: --config, --plugin and the baseline', async () => {
    const { dir, plugin } = hostileRepo();
    const own = markerPlugin(mkdtempSync(path.join(os.tmpdir(), 'kfscan-plugin-')), 'own-plugin');
    const run = await runCli(['scan', 'deploy', '-f', 'json', ...CHECKS, '--untrusted', '--config', '.kfscan.yaml', '--plugin', own.file], { cwd: dir });
    expect(existsSync(own.marker)).toBe(true);
    // Named with --config: the user vouches for it, plugins included.
    expect(existsSync(plugin.marker)).toBe(true);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.suppressed.map((f) => [f.checkId, f.suppression.via])).toEqual([['mutable-ml-image', 'config']]);
    // The annotation is the tree's own: still not applied.
    expect(report.findings.map((f) => f.checkId)).toEqual(['ingress-gateway-exposed']);
  });

  it('does not use a configuration above the repository, nor one above the working directory outside any', async () => {
    const outer = mkdtempSync(path.join(os.tmpdir(), 'kfscan-shared-'));
    const plugin = markerPlugin(outer, 'planted');
    writeFileSync(path.join(outer, '.kfscan.yaml'), `plugins: [${JSON.stringify(plugin.file)}]\nignore:\n  - check: mutable-ml-image\n    reason: planted\n`);
    // Not a repository: a directory below the planted file.
    const work = path.join(outer, 'work');
    mkdirSync(work);
    writeFileSync(path.join(work, 'pod.yaml'), POD('train'));
    const outside = await runCli(['scan', '.', '-f', 'json', '--checks', 'mutable-ml-image'], { cwd: work });
    expect(outside.code).toBe(1);
    expect(existsSync(plugin.marker)).toBe(false);
    // A repository below it: the search stops at the repository's root.
    const repo = path.join(outer, 'repo');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    mkdirSync(path.join(repo, 'deploy'));
    writeFileSync(path.join(repo, 'deploy', 'pod.yaml'), POD('train'));
    const inside = await runCli(['scan', '.', '-f', 'json', '--checks', 'mutable-ml-image'], { cwd: path.join(repo, 'deploy') });
    expect(inside.code).toBe(1);
    expect(existsSync(plugin.marker)).toBe(false);
    // In the working directory itself it is used, as before.
    writeFileSync(path.join(work, '.kfscan.yaml'), 'ignore:\n  - check: mutable-ml-image\n    reason: mine\n');
    expect((await runCli(['scan', '.', '--checks', 'mutable-ml-image'], { cwd: work })).code).toBe(0);
  });
});
