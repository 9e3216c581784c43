import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfscan } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, tempDir, useApiServers } from './helpers/live.js';

// Manifests, kubeconfigs and API servers may be hostile: no escape sequence of theirs may reach a
// terminal, whatever kfscan prints (reports on stdout, errors and warnings on stderr). JSON and SARIF
// carry the same text as escaped data.
const ESC = '\u001b';
const CLEAR = '\u001b[2J\u001b[H';
const CSI = '\u009b'; // the one-byte C1 form of ESC [
const TITLE = '\u001b]0;pwned\u0007';
// Any raw control character but the newline, C1 controls and bidi overrides.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function hostileManifests(): string {
  const dir = tempDir('kfscan-esc-');
  mkdirSync(path.join(dir, `team${CLEAR}`));
  // A resource named and labelled with escapes, running an image whose reference holds them too.
  writeFileSync(
    path.join(dir, `team${CLEAR}`, `deploy${ESC}[31m.yaml`),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      `  name: "\\e[2Jtrainer\\x9b31m\\e]0;pwned\\a"`,
      '  namespace: "ml\\e[H"',
      '  annotations: {note: "\\e[2J\\u202egpu"}',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: "train\\e[5m"',
      '          image: tensorflow/tensorflow:latest-gpu',
      '          command: ["xmrig", "-o", "stratum+tcp://pool.supportxmr.com:3333\\e[2J"]',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: "gw\\e[2J", namespace: istio-system}',
      'spec: {type: LoadBalancer, selector: {istio: ingressgateway}}',
    ].join('\n'),
  );
  // Broken YAML in a file named with an escape, an unknown kind written with escapes (quoted in a
  // warning), and a YAML error next to escapes in the text.
  writeFileSync(path.join(dir, `broken${ESC}]0;x${String.fromCharCode(7)}.yaml`), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "a\\e[2J"\ndata: |\\e[2J\n  x\n`);
  writeFileSync(path.join(dir, 'kinds.yaml'), `apiVersion: v1\nkind: "Deploy\\e[2Jment"\nmetadata: {name: typo}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData:\n  p: *alias\\e[2J\n`);
  return dir;
}

function expectTerminalSafe(text: string, where: string): void {
  const at = text.search(UNSAFE);
  expect(at, `${where}: raw control character at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 40))}`).toBe(-1);
}

describe('terminal safety offline', () => {
  const dir = hostileManifests();

  it.each(['table', 'markdown'])('%s: no escape reaches stdout or stderr, also with --verbose', async (format) => {
    // The built binary's own streams, plain and verbose; the suppressed findings' variant in-process.
    const runs = [
      kfscan(['scan', '.', '-f', format, '--fail-on', 'none'], { cwd: dir }),
      kfscan(['scan', '.', '-f', format, '--fail-on', 'none', '--verbose'], { cwd: dir }),
      await runCli(['scan', '.', '-f', format, '--fail-on', 'none', '--show-suppressed', '--min-severity', 'info'], { cwd: dir }),
    ];
    for (const [index, run] of runs.entries()) {
      expect(run.code).toBe(3);
      expect(run.stdout).toContain('trainer');
      expectTerminalSafe(run.stdout, `${format} stdout, run ${index}`);
      expectTerminalSafe(run.stderr, `${format} stderr, run ${index}`);
    }
    // Shown as visible escapes, so a reader sees that something odd is there.
    const run = runs[1]!;
    expect(run.stdout).toContain('\\x1b[2Jtrainer\\x9b31m');
    expect(run.stderr).toContain('broken\\x1b]0;x\\x07.yaml');
    expect(run.stderr).toContain('unknown kind Deploy\\x1b[2Jment');
  });

  it('html has no raw escape; JSON and SARIF carry the text as escaped data', () => {
    const html = kfscan(['scan', '.', '-f', 'html', '--fail-on', 'none'], { cwd: dir });
    // eslint-disable-next-line no-control-regex -- the injected escapes must not pass raw
    expect(html.stdout).not.toMatch(/[\u001b\u009b\u202e]/);
    expectTerminalSafe(html.stderr, 'html stderr');

    for (const format of ['json', 'sarif']) {
      const run = kfscan(['scan', '.', '-f', format, '--fail-on', 'none'], { cwd: dir });
      // eslint-disable-next-line no-control-regex -- the injected escapes must not pass raw
      expect(run.stdout).not.toMatch(/[\u001b\u009b\u202e\u0007]/);
      expectTerminalSafe(run.stderr, `${format} stderr`);
      const parsed = JSON.parse(run.stdout);
      const text = JSON.stringify(parsed);
      // JSON.stringify escapes the control characters again; the parsed report holds them as data.
      expect(text).toContain('\\u001b[2Jtrainer');
      if (format === 'json') {
        expect(parsed.findings.map((f: { resource: { name: string } | null }) => f.resource?.name)).toContain(`${ESC}[2Jtrainer${CSI}31m${TITLE}`);
        expect(parsed.errors.map((e: { file: string }) => e.file)).toContain(`broken${ESC}]0;x\u0007.yaml`);
      }
    }
  });

  it('a usage error quoting an argument with escapes stays inert', () => {
    const run = kfscan(['scan', `missing${CLEAR}.yaml`, `--checks`, `nope${CLEAR}`]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nope\\x1b[2J');
    expectTerminalSafe(run.stderr, 'usage error');
    const option = kfscan(['scan', `--fail-on`, `x${CLEAR}`]);
    expect(option.code).toBe(2);
    expectTerminalSafe(option.stderr, 'commander error');
  });
});

describe('terminal safety in live mode', () => {
  const server = useApiServers();
  const evilContext = `prod${CLEAR}${TITLE}`;

  it('context names, object names and server messages are shown inert in every human output', async () => {
    const api = await server({
      objects: [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: `gw${CLEAR}`, namespace: 'istio-system' }, spec: { type: 'LoadBalancer', selector: { istio: 'ingressgateway' } } },
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `trainer${CSI}2J`, namespace: 'ml' },
          spec: { template: { spec: { containers: [{ name: 'train', image: 'tensorflow/tensorflow:latest-gpu' }] } } },
        },
      ],
      // A hostile or broken server answers with escapes in its Status messages.
      intercept: (request) =>
        request.verb === 'list' && request.resource === 'daemonsets'
          ? { status: 403, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Forbidden', code: 403, message: `forbidden${CLEAR}${TITLE}` } }
          : request.verb === 'list' && request.resource === 'statefulsets'
            ? { status: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: `boom${CLEAR}` } }
            : request.verb === 'create'
              ? { status: 201, body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', status: { allowed: false, reason: `no${CLEAR}${TITLE}` } } }
              : undefined,
    });
    const gone = await server({});
    await gone.close();
    const kubeconfig = kubeconfigFile([
      { name: evilContext, server: api },
      { name: `down${CLEAR}`, server: gone },
    ]);
    const base = ['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '--fail-on', 'none', '--request-timeout', '5'];
    for (const args of [
      [...base, '-f', 'table', '--verbose'],
      [...base, '-f', 'markdown'],
      [...base, '-f', 'table', '--check-access'],
      ['cluster', '--kubeconfig', kubeconfig, '--context', `missing${CLEAR}`],
    ]) {
      for (const stderrIsTTY of [false, true]) {
        const run = await runCli(args, { stderrIsTTY });
        expectTerminalSafe(run.stdout, `stdout of ${args.join(' ')}`);
        // A spinner on a terminal writes its own cursor codes; none of the injected ones may pass.
        // eslint-disable-next-line no-control-regex -- the injected escapes must not pass raw
        if (stderrIsTTY) expect(run.stderr).not.toMatch(/\u001b\[2J|\u001b\]0;|\u009b/);
        else expectTerminalSafe(run.stderr, `stderr of ${args.join(' ')}`);
      }
    }
    const table = await runCli([...base, '-f', 'table', '--verbose']);
    expect(table.stdout).toContain('Context prod\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07');
    expect(table.stdout).toContain('boom\\x1b[2J');
    expect(table.stderr).toContain('down\\x1b[2J');
    const access = await runCli([...base, '--check-access']);
    expect(access.stdout).toContain('(no\\x1b[2J');
  });
});
