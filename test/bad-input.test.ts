import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfscan, ROOT } from './helpers/cli.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

// Every case: a clear error or warning with file and line, no stack trace, the valid documents around it
// still scanned (each bad-input file also holds a Deployment running tensorflow/tensorflow:latest-gpu,
// which mutable-ml-image must still report), and the documented exit code.
const DIR = 'fixtures/bad-input';
const STACK = /\n\s+at .+\(|node:internal|TypeError|ReferenceError/;

interface Case {
  file: string;
  problem: 'error' | 'warning' | 'none';
  line?: number;
  message: RegExp;
  /** Valid documents in the file that must still be reported. */
  neighbours: string[];
}

const CASES: Case[] = [
  { file: 'malformed-indent.yaml', problem: 'error', line: 17, message: /^invalid YAML: All mapping items must start at the same column/, neighbours: ['valid-neighbour', 'valid-after'] },
  { file: 'tabs.yaml', problem: 'error', line: 4, message: /^invalid YAML: Tabs are not allowed as indentation/, neighbours: ['valid-neighbour'] },
  { file: 'unclosed-quote.yaml', problem: 'error', line: 18, message: /^invalid YAML: Missing closing "quote/, neighbours: ['valid-neighbour', 'valid-after'] },
  { file: 'valid-then-broken.yaml', problem: 'error', line: 16, message: /^invalid YAML: Flow map/, neighbours: ['valid-neighbour'] },
  { file: 'helm-template.yaml', problem: 'error', line: 4, message: /unrendered Helm template .*helm template/, neighbours: [] },
  { file: 'alias-bomb.yaml', problem: 'error', line: 1, message: /resource exhaustion/, neighbours: ['valid-neighbour'] },
  { file: 'deep-nesting.yaml', problem: 'error', line: 1, message: /nested more than 100 levels deep/, neighbours: ['valid-neighbour'] },
  { file: 'binary.yaml', problem: 'error', line: 4, message: /binary file \(contains NUL bytes\)/, neighbours: [] },
  { file: 'bare-scalars.yaml', problem: 'warning', line: 1, message: /not a Kubernetes object \(a string, not a mapping\)/, neighbours: ['valid-neighbour'] },
  { file: 'null-documents.yaml', problem: 'none', message: /^$/, neighbours: ['valid-neighbour'] },
  { file: 'duplicate-keys.yaml', problem: 'error', line: 7, message: /Map keys must be unique/, neighbours: ['valid-neighbour'] },
  { file: 'wrong-types.yaml', problem: 'warning', line: 38, message: /ConfigMap has no metadata mapping/, neighbours: ['valid-neighbour'] },
  { file: 'missing-name.yaml', problem: 'warning', line: 1, message: /no metadata.name/, neighbours: ['valid-neighbour'] },
  { file: 'unknown-kinds.yaml', problem: 'warning', line: 1, message: /unknown kind Deploymnet in v1/, neighbours: ['valid-neighbour'] },
];

function scanJson(args: string[], options: Parameters<typeof kfscan>[1] = {}) {
  const run = kfscan(['scan', ...args, '-f', 'json', '--checks', 'mutable-ml-image'], options);
  expect(run.stderr).not.toMatch(STACK);
  return { run, report: JSON.parse(run.stdout) };
}

describe('bad input fixtures', () => {
  it.each(CASES.map((c) => [c.file, c] as const))('%s', (_file, c) => {
    const file = `${DIR}/${c.file}`;
    const { run, report } = scanJson([file, '--fail-on', 'none']);
    const problems = c.problem === 'error' ? report.errors : c.problem === 'warning' ? report.warnings : [];
    if (c.problem === 'none') {
      expect(report.errors).toEqual([]);
      expect(report.warnings).toEqual([]);
    } else {
      expect(problems).toContainEqual(expect.objectContaining({ file, line: c.line, message: expect.stringMatching(c.message) }));
    }
    const reported = report.findings.map((f: { resource: { name: string } }) => f.resource.name);
    expect(reported.sort()).toEqual([...c.neighbours].sort());
    // 3 = scanned but some documents could not be; 2 = nothing could be scanned at all.
    const expected = c.neighbours.length === 0 && c.problem === 'error' ? 2 : c.problem === 'error' ? 3 : 0;
    expect(run.code).toBe(expected);
  });

  it('scans the whole folder: every valid neighbour reported, findings decide the exit code, SARIF stays valid', () => {
    const run = kfscan(['scan', DIR, '-f', 'sarif', '--checks', 'mutable-ml-image']);
    expect(run.stderr).not.toMatch(STACK);
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(CASES.reduce((n, c) => n + c.neighbours.length, 0));
    expect(log.runs[0].invocations[0].executionSuccessful).toBe(false);
    expect(log.runs[0].invocations[0].toolExecutionNotifications.filter((n: { level: string }) => n.level === 'error')).toHaveLength(
      CASES.filter((c) => c.problem === 'error').length,
    );
  });

  it('the table shows problems with file and line and never a raw control character', () => {
    const run = kfscan(['scan', DIR, '--fail-on', 'none']);
    expect(run.stdout).toContain('fixtures/bad-input/tabs.yaml:4:1: invalid YAML');
    expect(run.stdout).toContain('fixtures/bad-input/binary.yaml:4: skipped: binary file');
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe('generated hostile inputs', () => {
  const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kfscan-bad-'));
  const neighbour = readFileSync(path.join(ROOT, DIR, 'tabs.yaml'), 'utf8').split('---\n')[1]!;

  it('skips a 50 MB file with a clear error and scans the rest', () => {
    const dir = tmp();
    const big = path.join(dir, 'huge.yaml');
    const fd = openSync(big, 'w');
    const line = `# ${'x'.repeat(1022)}\n`;
    for (let i = 0; i < 50 * 1024; i++) writeSync(fd, line);
    closeSync(fd);
    writeFileSync(path.join(dir, 'ok.yaml'), neighbour);
    const { run, report } = scanJson([dir], { cwd: dir });
    expect(report.errors).toEqual([{ file: 'huge.yaml', line: 1, message: 'skipped: file is 50.0 MB, above the 32.0 MB limit (raise it with --max-file-size)' }]);
    expect(report.findings).toHaveLength(1);
    expect(run.code).toBe(1);
  });

  it('survives a symbolic link loop', () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'a'));
    symlinkSync('..', path.join(dir, 'a', 'loop'));
    writeFileSync(path.join(dir, 'a', 'ok.yaml'), neighbour);
    const { report } = scanJson([dir, '--fail-on', 'none'], { cwd: dir });
    expect(report.warnings).toContainEqual({ file: 'a/loop', message: 'skipped: symbolic link loop back to a parent directory' });
    expect(report.findings).toHaveLength(1);
  });

  it('reports unreadable files and directories and goes on', () => {
    const dir = tmp();
    mkdirSync(path.join(dir, 'locked-dir'));
    writeFileSync(path.join(dir, 'locked-dir', 'x.yaml'), neighbour);
    writeFileSync(path.join(dir, 'locked.yaml'), neighbour);
    writeFileSync(path.join(dir, 'ok.yaml'), neighbour);
    chmodSync(path.join(dir, 'locked-dir'), 0o000);
    chmodSync(path.join(dir, 'locked.yaml'), 0o000);
    chmodSync(dir, 0o755);
    // root reads anything: run the scan as an unprivileged user so permissions really apply.
    const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
    // The unprivileged user may not be able to read the checkout: run a copy of the bundled CLI.
    const copy = path.join(dir, 'kfscan');
    for (const sub of ['bin', 'dist']) mkdirSync(path.join(copy, sub), { recursive: true });
    copyFileSync(path.join(ROOT, 'bin', 'kfscan.js'), path.join(copy, 'bin', 'kfscan.js'));
    copyFileSync(path.join(ROOT, 'dist', 'kfscan.mjs'), path.join(copy, 'dist', 'kfscan.mjs'));
    copyFileSync(path.join(ROOT, 'package.json'), path.join(copy, 'package.json'));
    const command = [...asUser, process.execPath, path.join(copy, 'bin', 'kfscan.js'), 'scan', '.', '-f', 'json', '--checks', 'mutable-ml-image', '--fail-on', 'none'];
    const run = spawnSync(command[0]!, command.slice(1), { cwd: dir, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '' } });
    expect(run.stderr).not.toMatch(STACK);
    const report = JSON.parse(run.stdout);
    expect(report.errors).toEqual(
      expect.arrayContaining([
        { file: 'locked-dir', message: 'cannot read directory: permission denied' },
        { file: 'locked.yaml', line: 1, message: 'cannot read: permission denied' },
      ]),
    );
    expect(report.findings.map((f: { location: { file: string } }) => f.location.file)).toEqual(['ok.yaml']);
    expect(run.status).toBe(3);
    chmodSync(path.join(dir, 'locked-dir'), 0o755);
  });

  it('scans a directory of 10,000 small files', () => {
    const dir = tmp();
    for (let i = 0; i < 10_000; i++) {
      writeFileSync(path.join(dir, `svc-${String(i).padStart(5, '0')}.yaml`), `apiVersion: v1\nkind: Service\nmetadata: {name: s${i}, namespace: n${i % 10}}\nspec: {selector: {app: a${i}}}\n`);
    }
    writeFileSync(path.join(dir, 'zz-ml.yaml'), neighbour);
    const run = kfscan(['scan', dir, '-f', 'json', '--fail-on', 'none', '--checks', 'mutable-ml-image'], { cwd: dir });
    expect(run.stderr).not.toMatch(STACK);
    const report = JSON.parse(run.stdout);
    expect(report.errors).toEqual([]);
    expect(report.findings).toHaveLength(1);
    expect(run.code).toBe(0);
  });
});
