import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as sarif from 'sarif';
import { afterAll, describe, expect, it } from 'vitest';
import { kfscanInvocation, kubeconfigContent, readInputs, secretsToMask, writePrivateFile } from '../action/run.mjs';
import { readAction, runAction, type ActionRun } from './helpers/action.js';
import { docs, trainer, writeTree } from './helpers/tree.js';
import { kfscan, ROOT } from './helpers/cli.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

const scratch = mkdtempSync(path.join(os.tmpdir(), 'kfscan-action-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A repository checkout as actions/checkout leaves it: the demo manifests under deploy/. */
function workspace(): string {
  const dir = mkdtempSync(path.join(scratch, 'workspace-'));
  cpSync(path.join(ROOT, 'fixtures', 'demo'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
}

// What kfscan itself finds in the demo, for the action's figures to match: scanned once for the file.
let demoScan: Record<string, number> | undefined;
const demoSummary = (): Record<string, number> => (demoScan ??= JSON.parse(kfscan(['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none']).stdout).summary as Record<string, number>);
const demoFindings = (): number => demoSummary()['total']!;

// The action with its defaults on the demo, run once for the tests that read the same run.
let defaultRun: Promise<{ dir: string; run: ActionRun }> | undefined;
const runWithDefaults = (): Promise<{ dir: string; run: ActionRun }> =>
  (defaultRun ??= (async () => {
    const dir = workspace();
    return { dir, run: await runAction({ paths: 'deploy' }, { workspace: dir }) };
  })());

describe('action.yml', () => {
  const action = readAction();

  it('is a composite action on an exact Node release, with setup-node pinned by commit', () => {
    expect(action.runs.using).toBe('composite');
    const setupNode = action.runs.steps.find((step) => step.uses?.startsWith('actions/setup-node@'));
    expect(setupNode?.uses).toMatch(/^actions\/setup-node@[0-9a-f]{40}$/);
    expect(String(setupNode?.with?.['node-version'])).toMatch(/^\d+\.\d+\.\d+$/);
    expect(Number(String(setupNode?.with?.['node-version']).split('.')[0])).toBeGreaterThanOrEqual(20);
  });

  it('hands every input to the script through the environment, never through the script text', () => {
    const step = action.runs.steps.find((candidate) => candidate.run !== undefined)!;
    expect(step.id).toBe('scan');
    expect(step.run).not.toContain('${{');
    const mapped = Object.entries(step.env ?? {}).map(([key, value]) => [key, value]);
    expect(mapped).toEqual(Object.keys(action.inputs).map((name) => [`INPUT_${name.toUpperCase().replace(/-/g, '_')}`, `\${{ inputs.${name} }}`]));
  });

  it('has the same defaults as the script, so a local run behaves like the action', () => {
    const fromAction = readInputs(
      Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [`INPUT_${name.toUpperCase().replace(/-/g, '_')}`, input.default ?? ''])),
    );
    expect(readInputs({})).toEqual(fromAction);
  });

  it('declares only outputs the scan step sets', () => {
    for (const [name, output] of Object.entries(action.outputs)) expect(output.value).toBe(`\${{ steps.scan.outputs.${name} }}`);
  });
});

describe('the action script, run as the runner runs it', () => {
  it('scans the paths, fails on the default threshold, and writes a SARIF file GitHub accepts', async () => {
    const { dir, run } = await runWithDefaults();
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('kfscan scan --format table --fail-on high');
    expect(run.stdout).toMatch(/^CRITICAL \(\d+\)/m);
    expect(run.stdout).toContain('deploy/istio.yaml:33');
    const failing = demoSummary()['critical']! + demoSummary()['high']!;
    expect(run.stdout).toMatch(new RegExp(`^::error title=kfscan::${failing} findings? at or above high$`, 'm'));

    expect(run.outputs['exit-code']).toBe('1');
    expect(run.outputs['findings']).toBe(String(demoFindings()));
    const sarifFile = path.join(dir, 'kfscan.sarif');
    expect(run.outputs['sarif-file']).toBe(sarifFile);
    const log = JSON.parse(readFileSync(sarifFile, 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubCodeScanningProblems(log)).toEqual([]);
    expect(log.runs[0].tool.driver.version).toBe(pkg.version);
    expect(log.runs[0].results.length).toBe(demoFindings());
    // Paths relative to the repository root, as code scanning needs them.
    const uris = (log as sarif.Log).runs[0]!.results!.map((result) => result.locations![0]!.physicalLocation!.artifactLocation!.uri!);
    expect(uris.every((uri: string) => uri.startsWith('deploy/'))).toBe(true);

    expect(run.stepSummary).toMatch(/\| critical \| high \| medium \| low \| info \| total \|/);
    expect(run.stepSummary).toContain(`| ${demoFindings()} |`);
    expect(run.stepSummary).toContain('Exit code 1: findings at or above `high`');
  });

  it('keeps manifest text in the log from being read as workflow commands, then annotates each finding', async () => {
    const { run } = await runWithDefaults();
    const pause = /^::stop-commands::(\S+)$/m.exec(run.stdout);
    expect(pause).not.toBeNull();
    const resume = run.stdout.indexOf(`::${pause![1]}::`);
    expect(resume).toBeGreaterThan(run.stdout.indexOf('CRITICAL ('));
    expect(run.stdout.indexOf('CRITICAL (')).toBeGreaterThan(pause!.index);
    // The annotations (kfscan --format github, every name escaped) come after command processing resumes.
    const annotations = run.stdout.slice(resume).split('\n').filter((line) => /^::(error|warning|notice) title=(critical|high|medium|low|info) /.test(line));
    expect(annotations).toHaveLength(demoFindings());
    expect(annotations[0]).toMatch(/^::error title=critical [a-z-]+%3A .*,file=deploy\/[a-z-]+\.yaml,line=\d+,col=\d+::/);
    expect(run.stdout.slice(resume)).toMatch(/^::notice title=kfscan summary::/m);
    const none = await runAction({ paths: 'deploy', annotations: 'false' }, { workspace: workspace() });
    expect(none.stdout).not.toMatch(/^::(error|warning) title=(critical|high)/m);
  });

  it('follows fail-on, format, several paths and a SARIF path in a new folder', async () => {
    const dir = workspace();
    const run = await runAction(
      { paths: 'deploy/istio.yaml\n  deploy/kubeflow.yaml', 'fail-on': 'none', format: 'json', 'sarif-file': 'reports/kfscan.sarif', annotations: 'false' },
      { workspace: dir },
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout.slice(run.stdout.indexOf('{'), run.stdout.lastIndexOf('}') + 1));
    expect(report.target.paths).toEqual(['deploy/istio.yaml', 'deploy/kubeflow.yaml']);
    expect(report.tool.version).toBe(pkg.version);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', findings: String(report.summary.total), 'sarif-file': path.join(dir, 'reports', 'kfscan.sarif') });
    expect(sarifSchemaErrors(JSON.parse(readFileSync(path.join(dir, 'reports', 'kfscan.sarif'), 'utf8')))).toEqual([]);
    expect(run.stdout).not.toContain('::error');
  });

  it('passes extra arguments and writes no SARIF when sarif-file is empty', async () => {
    const dir = workspace();
    const run = await runAction({ paths: 'deploy', 'sarif-file': '', 'fail-on': 'none', args: '--checks\n  mutable-ml-image' }, { workspace: dir });
    const direct = JSON.parse(kfscan(['scan', 'fixtures/demo', '-f', 'json', '--checks', 'mutable-ml-image']).stdout);
    expect(direct.summary.total).toBeGreaterThan(0);
    expect(direct.summary.total).toBeLessThan(demoFindings());
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', findings: String(direct.summary.total), 'sarif-file': '' });
    expect(readdirSync(dir)).toEqual(['deploy']);
  });

  it('exits 0 on clean manifests', async () => {
    const dir = mkdtempSync(path.join(scratch, 'workspace-'));
    writeFileSync(path.join(dir, 'service.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: ClusterIP, ports: [{port: 80}]}\n');
    const run = await runAction({}, { workspace: dir });
    expect(run.code).toBe(0);
    expect(run.outputs).toMatchObject({ 'exit-code': '0', findings: '0' });
    expect(run.stepSummary).toContain('Exit code 0: no finding at or above `high`');
  });

  it('reports usage errors with exit code 2, leaving no earlier SARIF file to be uploaded as this run', async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, 'kfscan.sarif'), '{"runs": "from an earlier run"}');
    const run = await runAction({ paths: 'deploy', format: 'html-but-not-yet' }, { workspace: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown format "html-but-not-yet"');
    expect(run.outputs).toMatchObject({ 'exit-code': '2', findings: '', 'sarif-file': '' });
    expect(existsSync(path.join(dir, 'kfscan.sarif'))).toBe(false);
  });

  it('fails with exit code 2 and an annotation when the kfscan it was asked for cannot be installed', async () => {
    const dir = workspace();
    const run = await runAction({ paths: 'deploy', version: 'missing/kfscan-9.9.9.tgz' }, { workspace: dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^::error title=kfscan::npm install \S+missing\/kfscan-9\.9\.9\.tgz failed with exit code \d+$/m);
    expect(run.outputs).toEqual({ 'exit-code': '2' });
    expect(existsSync(path.join(dir, 'kfscan.sarif'))).toBe(false);
  });

  it("by default does not apply the waivers of the pull request's own .kfscan.yaml", async () => {
    const dir = workspace();
    writeFileSync(path.join(dir, '.kfscan.yaml'), 'ignore:\n  - check: [kubeflow-dashboard-exposed, ingress-gateway-exposed, dashboard-auth-missing, default-credentials, miner-indicators, mutable-ml-image]\n    reason: nothing to see\n');
    const untrusted = await runAction({ paths: 'deploy', format: 'json' }, { workspace: dir });
    expect(untrusted.outputs['findings']).toBe(String(demoFindings()));
    expect(untrusted.stdout + untrusted.stderr).toContain('--untrusted: .kfscan.yaml comes from the scanned tree');
    const trusted = await runAction({ paths: 'deploy', format: 'json', untrusted: 'false' }, { workspace: dir });
    expect(Number(trusted.outputs['findings'])).toBeLessThan(demoFindings());
  });

  it('treats a path starting with a dash as a path, not an option', async () => {
    const run = await runAction({ paths: '--output=/tmp/kfscan-not-written' }, { workspace: workspace() });
    expect(run.code).toBe(2);
    expect(run.stdout + run.stderr).toContain('--output=/tmp/kfscan-not-written: cannot read');
  });

  it('scans the cluster of a kubeconfig given as content, without printing it and removing it afterwards', async () => {
    const secret = 'token-that-must-not-leak-4f1c';
    const kubeconfig = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: test, cluster: {server: "https://127.0.0.1:1"}}]',
      `users: [{name: test, user: {token: ${secret}}}]`,
      'contexts: [{name: test, context: {cluster: test, user: test}}]',
      'current-context: test',
    ].join('\n');
    const run = await runAction({ kubeconfig }, { workspace: workspace() });
    expect(run.stdout).toMatch(/^kfscan cluster --format table --fail-on high/m);
    expect(withoutMasks(run.stdout + run.stderr)).not.toContain(secret);
    expect(run.stdout).toContain(`::add-mask::${secret}\n`);
    // Whatever the live scan concluded, the step reports it and leaves no copy of the credentials behind.
    expect(run.outputs['exit-code']).toBe(String(run.code));
    expect(listFiles(run.runnerTemp).filter((file) => readFileSync(file, 'utf8').includes(secret))).toEqual([]);
  });
});

describe('a kubeconfig given inline', () => {
  const secret = 'tok3n-that-must-not-leak-9a7e';
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters: [{name: test, cluster: {server: "https://127.0.0.1:1"}}]',
    `users: [{name: test, user: {token: ${secret}, client-key-data: S2V5RGF0YQ==}}]`,
    'contexts: [{name: test, context: {cluster: test, user: test}}]',
    'current-context: test',
  ].join('\n');
  const json = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'test', cluster: { server: 'https://127.0.0.1:1' } }],
    users: [{ name: 'test', user: { token: secret } }],
    contexts: [{ name: 'test', context: { cluster: 'test', user: 'test' } }],
    'current-context': 'test',
  });

  it('is recognised as YAML, one line of JSON, or base64 of either; anything else is a path', () => {
    expect(kubeconfigContent(yaml)).toBe(yaml);
    expect(kubeconfigContent(json)).toBe(json);
    expect(kubeconfigContent(Buffer.from(json).toString('base64'))).toBe(json);
    expect(kubeconfigContent(Buffer.from(yaml).toString('base64'))).toBe(yaml);
    expect(kubeconfigContent('apiVersion: v1')).toBe('apiVersion: v1');
    for (const file of ['kubeconfig', '~/.kube/config', 'ci/clusters/prod.yaml', 'C:\\kube\\config', 'abcdefghijklmnopqrstuvwxyz']) expect(kubeconfigContent(file)).toBeNull();
  });

  it('masks the input, each of its lines and each credential value', () => {
    const encoded = Buffer.from(yaml).toString('base64');
    const masks = secretsToMask(encoded, yaml);
    expect(masks).toEqual(expect.arrayContaining([encoded, secret, 'S2V5RGF0YQ==', `users: [{name: test, user: {token: ${secret}, client-key-data: S2V5RGF0YQ==}}]`]));
    expect(secretsToMask(json, json)).toEqual(expect.arrayContaining([json, secret]));
  });

  it('is written to a file only its user can read', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-private-'));
    const file = writePrivateFile(dir, 'kubeconfig', yaml);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(() => writePrivateFile(dir, 'kubeconfig', yaml)).toThrow();
  });

  it.each([
    ['one line of JSON', json],
    ['base64', Buffer.from(yaml).toString('base64')],
  ])('as %s: scans the cluster, never prints the content, leaves no copy', async (_, kubeconfig) => {
    const run = await runAction({ kubeconfig }, { workspace: workspace() });
    expect(run.stdout).toMatch(/^kfscan cluster --format table --fail-on high/m);
    // It reached the cluster's address: the input was read as a kubeconfig, not as a path.
    expect(run.stdout + run.stderr).toMatch(/127\.0\.0\.1:1/);
    expect(run.stdout + run.stderr).not.toMatch(/cannot read kubeconfig/);
    const log = withoutMasks(run.stdout + run.stderr);
    expect(log).not.toContain(secret);
    expect(log).not.toContain(kubeconfig.slice(0, 40));
    expect(listFiles(run.runnerTemp).filter((file) => readFileSync(file, 'utf8').includes(secret))).toEqual([]);
  });
});

describe('kfscanInvocation', () => {
  const base = readInputs({});
  const jsonReport = '/tmp/report.json';

  it('scans paths after -- with the report options', () => {
    expect(kfscanInvocation({ ...base, paths: ['a', 'b'] }, { kubeconfigPath: null, jsonReport })).toEqual({
      args: ['scan', '--format', 'table', '--fail-on', 'high', '--report', 'json=/tmp/report.json', '--report', 'sarif=kfscan.sarif', '--untrusted', '--', 'a', 'b'],
      env: {},
    });
    expect(kfscanInvocation({ ...base, paths: ['a'] }, { kubeconfigPath: null, jsonReport, annotations: '/tmp/annotations.txt' })).toEqual({
      args: ['scan', '--format', 'table', '--fail-on', 'high', '--report', 'json=/tmp/report.json', '--report', 'github=/tmp/annotations.txt', '--report', 'sarif=kfscan.sarif', '--untrusted', '--', 'a'],
      env: {},
    });
  });

  it('scans as untrusted unless told the input is trusted', () => {
    expect(kfscanInvocation({ ...base, paths: ['a'], untrusted: 'false' }, { kubeconfigPath: null, jsonReport }).args).not.toContain('--untrusted');
    expect(() => kfscanInvocation({ ...base, untrusted: 'yes' }, { kubeconfigPath: null, jsonReport })).toThrow('untrusted must be true or false (got "yes")');
  });

  it('runs kfscan cluster with KUBECONFIG when a kubeconfig is given, ignoring paths', () => {
    const invocation = kfscanInvocation({ ...base, paths: ['a'], sarifFile: '', args: ['--context', 'prod'] }, { kubeconfigPath: '/home/runner/kubeconfig', jsonReport });
    expect(invocation).toEqual({
      args: ['cluster', '--format', 'table', '--fail-on', 'high', '--report', 'json=/tmp/report.json', '--untrusted', '--context', 'prod'],
      env: { KUBECONFIG: '/home/runner/kubeconfig' },
    });
  });
});

/** The log as the runner shows it: add-mask commands are consumed, not printed. */
function withoutMasks(log: string): string {
  return log.replace(/^::add-mask::.*$/gm, '');
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

describe('the action renders kustomizations', () => {
  it('with the pinned kubectl and Helm when asked (render-tools: pinned), locating findings in the sources', async () => {
    const dir = writeTree({
      'app/base/kustomization.yaml': 'resources: [trainer.yaml]\n',
      'app/base/trainer.yaml': docs(trainer('trainer', 'tensorflow/tensorflow:latest')),
      'app/overlay/kustomization.yaml': 'resources: [../base]\nnamePrefix: prod-\n',
    });
    const run = await runAction({ paths: 'app', 'render-tools': 'pinned', 'fail-on': 'none', args: '--verbose' }, { workspace: dir });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`rendered with ${path.join(run.runnerTemp, 'kfscan-render-tools', 'kubectl')} (kustomize v5.`);
    expect(run.stdout).toContain('app/base/trainer.yaml:11');
    expect(run.stdout).toContain('prod-trainer');
  });
});
