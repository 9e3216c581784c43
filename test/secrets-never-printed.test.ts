import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPORT_FORMATS } from '../src/reporters/index.js';
import type { ApiRequest, Fault } from './api-server/index.js';
import { kfscan, ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, tempDir, useApiServers } from './helpers/live.js';

// fixtures/secret-markers holds credentials in every place a cluster keeps them, each value carrying the
// marker KFMARK: Secret data (base64) and stringData, Dex's config in a Secret, oauth2-proxy's flags,
// environment and config file, literal and Secret-sourced environment values, a kustomize secretGenerator,
// and Secret documents that break where the secret is. No output of kfscan may carry a marker or the
// base64 of one: no report format, no extra report file, no baseline, no stderr line (also --verbose),
// no error message, offline or live, and on the paths where the server misbehaves.
const INPUTS = ['fixtures/secret-markers', 'checks/default-credentials/fixtures/fail-marker-secrets-never-printed.yaml'];
// Every registered format, those added later included.
const FORMATS: readonly string[] = REPORT_FORMATS;
// Credentials that cannot carry a marker: a Dex connector secret written as a number.
const LITERALS = ['4242424242424242'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : [full];
  });
}

/** Every marker value in plain text and base64, and every base64 token of the fixtures that decodes to one. */
const FORBIDDEN: string[] = (() => {
  const texts = [...files(path.join(ROOT, INPUTS[0]!)), path.join(ROOT, INPUTS[1]!)].map((file) => readFileSync(file, 'utf8'));
  const plain = new Set(texts.flatMap((text) => text.match(/[$\w./-]*(?:KFMARK|KFSCAN-?MARKER)[$\w./-]*/g) ?? []));
  const encoded = texts.flatMap((text) => (text.match(/[A-Za-z0-9+/]{16,}={0,2}/g) ?? []).filter((token) => /KFMARK|KFSCAN-?MARKER/.test(Buffer.from(token, 'base64').toString('latin1'))));
  return [...plain, ...[...plain].map((value) => Buffer.from(value).toString('base64')), ...encoded];
})();

/** Every format but JSON (which goes to stdout) as a `--report` file in `dir`: the arguments, and the files by format. */
function otherFormatReports(dir: string, formats: readonly string[] = FORMATS): { args: string[]; files: Array<[format: string, file: string]> } {
  const files = formats.filter((format) => format !== 'json').map((format): [string, string] => [format, path.join(dir, `report.${format}`)]);
  return { args: files.flatMap(([format, file]) => ['--report', `${format}=${file}`]), files };
}

function expectNoSecret(text: string, where: string): void {
  expect(text, where).not.toMatch(/KFMARK|KFSCAN-?MARKER/i);
  for (const literal of LITERALS) expect(text.includes(literal), `${where} holds ${literal}`).toBe(false);
  for (const secret of FORBIDDEN) expect(text.includes(secret), `${where} holds ${secret}`).toBe(false);
}

it('the fixtures hold markers in every form the test claims', () => {
  expect(FORBIDDEN.length).toBeGreaterThan(40);
  for (const form of ['$2y$12$KFMARKstaticHASH', 'KFMARK-oauth2-proxy-flag-cookie-secret', 'KFMARK-kustomize-env-file', 'KFMARK-alias-password', 'KFMARK-trainer-literal-env']) {
    expect(FORBIDDEN.some((secret) => secret.startsWith(form)), form).toBe(true);
  }
  // base64 in Secret data, decoded only by kfscan.
  expect(FORBIDDEN.some((secret) => Buffer.from(secret, 'base64').toString('latin1').startsWith('KFMARK-s3-secret-key'))).toBe(true);
});

describe('offline', () => {
  // Every format on stdout; the JSON run also writes every other format as a --report file (each format's
  // file is written once: the same reporters as on stdout, through the file writer).
  // The json run is the built binary, so that what the real process writes to its streams is checked too;
  // the other formats run in this process (the same code, without half a second of start-up each).
  it.each(FORMATS)('%s on stdout, the baseline and --verbose stderr carry no secret (with json: every extra report too)', async (format) => {
    const dir = tempDir('kfscan-secrets-');
    const extras = format !== 'json' ? { args: [], files: [] } : otherFormatReports(dir);
    const run = await (format === 'json' ? (args: string[]) => Promise.resolve(kfscan(args)) : runCli)([
      'scan',
      ...INPUTS,
      '--whole-cluster',
      '-f',
      format,
      '--verbose',
      '--show-suppressed',
      '--fail-on',
      'none',
      '--write-baseline',
      path.join(dir, 'baseline.json'),
      ...extras.args,
    ]);
    // The broken Secrets and the broken kustomization are reported, with their lines, without their values.
    expect(run.code).toBe(3);
    const problems = JSON.stringify(JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')).errors);
    expect(problems).toMatch(/"file":"fixtures\/secret-markers\/broken-secrets\.yaml","line":\d+,"column":\d+,"message":"document rejected: Unresolved alias \(the anchor must be set before the alias\)"/);
    expect(problems).toMatch(/"line":12,"column":\d+,"message":"invalid YAML: Block scalar header includes extra characters"/);
    expectNoSecret(run.stdout, `${format} stdout`);
    expectNoSecret(run.stderr, `${format} stderr`);
    expect(readdirSync(dir).sort()).toEqual(['baseline.json', ...extras.files.map(([, file]) => path.basename(file))].sort());
    for (const file of readdirSync(dir)) expectNoSecret(readFileSync(path.join(dir, file), 'utf8'), file);
    // The findings that read these Secrets are there: the values were compared, not skipped.
    const baseline = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8'));
    expect(baseline.findings.map((f: { checkId: string }) => f.checkId)).toEqual(expect.arrayContaining(['default-credentials', 'mutable-ml-image', 'miner-indicators']));
  });

  it('the remediation kit copies no credential, whatever its YAML type (a number, !!binary, $...)', async () => {
    const dir = tempDir('kfscan-kit-secrets-');
    const run = await runCli(['remediate', ...INPUTS, '--whole-cluster', '--out-dir', path.join(dir, 'kit'), '--verbose']);
    expect(run.code).toBe(3);
    expectNoSecret(run.stdout, 'remediate stdout');
    expectNoSecret(run.stderr, 'remediate stderr');
    const written = files(path.join(dir, 'kit'));
    expect(written.length).toBeGreaterThan(3);
    for (const file of written) expectNoSecret(readFileSync(file, 'utf8'), path.relative(dir, file));
    // The Dex configurations holding such values are explained, not copied.
    const readme = readFileSync(path.join(dir, 'kit', 'README.md'), 'utf8');
    for (const namespace of ['dex-number', 'dex-binary', 'dex-dollar']) expect(readme).toContain(`ConfigMap ${namespace}/dex`);
    expect(readme).toMatch(/holds a literal credential \(connectors\.0\.config\.clientSecret\)/);
  });

  it('standard input and the broken documents alone: errors name the problem, not the value', () => {
    const broken = readFileSync(path.join(ROOT, INPUTS[0]!, 'broken-secrets.yaml'), 'utf8');
    for (const format of ['table', 'json']) {
      const run = kfscan(['scan', '-', '-f', format, '--verbose'], { input: broken });
      // One of the Secrets parses (an unresolved verbatim tag is only a warning to YAML): exit 3, not 2.
      expect(run.code).toBe(3);
      expect(run.stdout + run.stderr).toMatch(/invalid YAML|document rejected/);
      expectNoSecret(run.stdout, `stdin ${format} stdout`);
      expectNoSecret(run.stderr, `stdin ${format} stderr`);
    }
  });
});

describe('live', () => {
  const server = useApiServers();
  const secretGet = (request: ApiRequest) => request.verb === 'get' && request.resource === 'secrets';

  async function scanAll(intercept?: (request: ApiRequest) => Fault | undefined, formats: readonly string[] = FORMATS) {
    const api = await server({ fixtures: INPUTS, ...(intercept ? { intercept } : {}) });
    const kubeconfig = kubeconfigFile([{ name: 'prod', server: api }]);
    const outputs: Array<[string, string]> = [];
    // One scan writes every format: JSON on stdout, each other one as a report file (the same reporters).
    const dir = tempDir('kfscan-secrets-');
    const reports = otherFormatReports(dir, formats);
    const run = await runCli([
      'cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--verbose', '--fail-on', 'none', '--request-timeout', '0.5',
      '--write-baseline', path.join(dir, 'baseline.json'), ...reports.args,
    ]);
    outputs.push(['json stdout', run.stdout], ['stderr', run.stderr], ['baseline', readFileSync(path.join(dir, 'baseline.json'), 'utf8')]);
    for (const [format, file] of reports.files) outputs.push([`${format} report`, readFileSync(file, 'utf8')]);
    for (const args of [['--check-access'], ['--no-secrets', '-f', 'json']]) {
      const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--fail-on', 'none', ...args]);
      outputs.push([`${args.join(' ')} stdout`, run.stdout], [`${args.join(' ')} stderr`, run.stderr]);
    }
    return { api, outputs };
  }

  it('reads the named Secrets, compares them and prints none of them, in every format, with --check-access and --no-secrets', async () => {
    const { api, outputs } = await scanAll();
    expect(api.requests.some((r) => r.resource === 'secrets' && r.status === 200)).toBe(true);
    for (const [where, text] of outputs) expectNoSecret(text, where);
    const json = JSON.parse(outputs.find(([where]) => where === 'json stdout')![1]);
    expect(json.findings.filter((f: { checkId: string }) => f.checkId === 'default-credentials').length).toBeGreaterThan(0);
  });

  it('a kubeconfig with credentials in its server URL, or an exec plugin whose answer holds them, leaks none', async () => {
    const api = await server({ fixtures: INPUTS });
    const dir = tempDir('kfscan-kubeconfig-');
    const plugin = (name: string, body: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, `#!/usr/bin/env node\n${body}\n`, { mode: 0o755 });
      return file;
    };
    const notJson = plugin('not-json.js', "process.stdout.write('KFMARK-exec-answer-token-not-json');");
    const failing = plugin('failing.js', "process.stderr.write('error: KFMARK-exec-stderr-token'); process.exit(1);");
    const caFile = path.join(dir, 'ca.crt');
    writeFileSync(caFile, api.caPem);
    const port = new URL(api.url).port;
    const kubeconfig = path.join(dir, 'config');
    const cluster = (name: string, url: string) => `- name: ${name}\n  cluster: {server: "${url}", certificate-authority: ${caFile}}`;
    writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        cluster('userinfo', `https://KFMARKuser:KFMARK-server-password@127.0.0.1:${port}`),
        cluster('query', 'https://127.0.0.1:1/?token=KFMARK-server-query-token'),
        cluster('plain', api.url),
        'users:',
        `- name: token\n  user: {token: ${api.token}}`,
        `- name: not-json\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${notJson}, interactiveMode: Never}}`,
        `- name: failing\n  user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ${failing}, interactiveMode: Never}}`,
        'contexts:',
        '- {name: userinfo, context: {cluster: userinfo, user: token}}',
        '- {name: query, context: {cluster: query, user: token}}',
        '- {name: exec-not-json, context: {cluster: plain, user: not-json}}',
        '- {name: exec-failing, context: {cluster: plain, user: failing}}',
        'current-context: userinfo',
      ].join('\n'),
    );
    // Every format from one scan: JSON on stdout, the others as report files.
    const reports = otherFormatReports(dir);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--verbose', '--fail-on', 'none', '--request-timeout', '2', ...reports.args]);
    expect(run.code, run.stderr).toBe(3);
    expectNoSecret(run.stdout, 'json stdout');
    expectNoSecret(run.stderr, 'stderr');
    for (const [format, file] of reports.files) expectNoSecret(readFileSync(file, 'utf8'), `${format} report`);
    expect(run.stderr).toContain('exec-not-json: cannot use the credentials for');
    expect(run.stderr).toContain('answered something that is not an ExecCredential (its output is not shown: it may hold credentials)');
    expect(run.stderr).toContain('failed (its output is not shown: it may hold credentials)');
    // --check-access talks to the same servers.
    const access = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '--check-access']);
    expectNoSecret(access.stdout + access.stderr, '--check-access');
  });

  it.each<[string, Fault]>([
    ['broken JSON that holds a secret', { raw: '{"kind":"Secret","apiVersion":"v1","metadata":{"name":"dex"},"data":{"password":"S0ZNQVJL","note":"KFMARK-in-broken-json' }],
    ['an answer cut off after the secret started', { stallAfterBytes: 200 }],
    ['a server error', { status: 500 }],
    ['a refusal', { status: 403 }],
    ['a dropped connection', { destroy: true }],
  ])('%s on Secret reads: still no secret in any output', async (_name, fault) => {
    // JSON holds everything the other formats show; the table and stderr are what a person sees.
    const { api, outputs } = await scanAll((request) => (secretGet(request) ? fault : undefined), ['table', 'json']);
    expect(api.requests.filter((r) => r.resource === 'secrets').length).toBeGreaterThan(0);
    for (const [where, text] of outputs) expectNoSecret(text, where);
  });
});
