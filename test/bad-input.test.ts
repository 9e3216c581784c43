import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfscan, ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

// Every case: a clear error or warning with file and line, no stack trace, the valid documents around it
// still scanned (each bad-input file also holds a Deployment running tensorflow/tensorflow:latest-gpu,
// which mutable-ml-image must still report), and the documented exit code.
const DIR = 'fixtures/bad-input';
const STACK = /\n\s+at .+\(|node:internal|TypeError|ReferenceError/;
// A runtime warning (`(node:123) Warning: ...`) is noise a user cannot act on; parsers are told to keep quiet.
const RUNTIME_WARNING = /\(node:\d+\)/;

type Problem = [kind: 'error' | 'warning', line: number | undefined, message: RegExp];

interface Case {
  file: string;
  /** Every error and warning the file gives, in order: nothing more, nothing less. */
  problems: Problem[];
  /** Valid documents in the file that must still be reported. */
  neighbours: string[];
}

const CASES: Case[] = [
  { file: 'malformed-indent.yaml', problems: [['error', 17, /^invalid YAML: All mapping items must start at the same column$/]], neighbours: ['valid-neighbour', 'valid-after'] },
  { file: 'tabs.yaml', problems: [['error', 4, /^invalid YAML: Tabs are not allowed as indentation$/]], neighbours: ['valid-neighbour'] },
  // Where the quote opens, not where the parser gave up.
  { file: 'unclosed-quote.yaml', problems: [['error', 16, /^invalid YAML: Missing closing "quote$/]], neighbours: ['valid-neighbour', 'valid-after'] },
  { file: 'valid-then-broken.yaml', problems: [['error', 16, /^invalid YAML: Flow map in block collection must be sufficiently indented and end with a \}$/]], neighbours: ['valid-neighbour'] },
  { file: 'helm-template.yaml', problems: [['error', 4, /^unrendered Helm template .*helm template/]], neighbours: [] },
  { file: 'alias-bomb.yaml', problems: [['error', 1, /^document rejected: Excessive alias count indicates a resource exhaustion attack$/]], neighbours: ['valid-neighbour'] },
  { file: 'deep-nesting.yaml', problems: [['error', 1, /^document rejected: nested more than 100 levels deep$/]], neighbours: ['valid-neighbour'] },
  { file: 'binary.yaml', problems: [['error', 4, /^skipped: binary file \(contains NUL bytes\)$/]], neighbours: [] },
  {
    file: 'bare-scalars.yaml',
    problems: [
      ['warning', 1, /^skipped: not a Kubernetes object \(a string, not a mapping\)$/],
      ['warning', 3, /^skipped: not a Kubernetes object \(a number, not a mapping\)$/],
      ['warning', 5, /^skipped: not a Kubernetes object \(a list, not a mapping\)$/],
    ],
    neighbours: ['valid-neighbour'],
  },
  // `---`, `~`, `null` and a comment alone are empty documents: nothing to say about them.
  { file: 'null-documents.yaml', problems: [], neighbours: ['valid-neighbour'] },
  // kubectl's go-yaml keeps the last of two equal keys; so does kfscan, with a word about it.
  { file: 'duplicate-keys.yaml', problems: [['warning', 7, /^key written twice in one mapping: kubectl keeps the last value, and so does kfscan$/]], neighbours: ['valid-neighbour'] },
  {
    file: 'wrong-types.yaml',
    problems: [
      ['warning', 38, /^skipped: ConfigMap has no metadata mapping$/],
      ['warning', 42, /^skipped: not a Kubernetes object \(no apiVersion and kind\)$/],
    ],
    neighbours: ['valid-neighbour'],
  },
  { file: 'missing-name.yaml', problems: [['warning', 1, /^skipped Pod: no metadata.name \(the API server would reject it\)$/]], neighbours: ['valid-neighbour'] },
  // A typo of a built-in kind is worth a warning; a custom kind is not.
  { file: 'unknown-kinds.yaml', problems: [['warning', 1, /^unknown kind Deploymnet in v1 \(a typo\? the API server would reject it\); scanned as it is$/]], neighbours: ['valid-neighbour'] },
  { file: 'prototype-names.yaml', problems: [['warning', 5, /^unknown kind constructor in v1/]], neighbours: ['valid-neighbour'] },
  {
    file: 'list-with-junk.yaml',
    problems: [
      ['warning', 5, /^skipped list item 0: not a Kubernetes object \(a number, not a mapping\)$/],
      ['warning', 6, /^skipped list item 1: not a Kubernetes object \(null, not a mapping\)$/],
      ['warning', 7, /^skipped list item 2: not a Kubernetes object \(a string, not a mapping\)$/],
      ['warning', 8, /^skipped list item 3 \(Pod\): no metadata.name$/],
      ['warning', 9, /^skipped list item 4: Service has no metadata mapping$/],
    ],
    neighbours: ['valid-neighbour'],
  },
  { file: 'broken.json', problems: [['error', 2, /^invalid YAML: Unexpected , in flow map$/]], neighbours: [] },
  { file: 'empty.yaml', problems: [], neighbours: [] },
  { file: 'latin1.yaml', problems: [], neighbours: ['valid-neighbour'] },
  // `(a+)+b` against 64 a's: exponential for a backtracking engine, linear for RE2 (as in Prometheus).
  { file: 'redos-relabel.yaml', problems: [], neighbours: ['valid-neighbour'] },
  // Falco rule wildcards and rules_files globs of many stars: high-polynomial for a backtracking engine.
  { file: 'redos-wildcards.yaml', problems: [], neighbours: ['valid-neighbour'] },
  // Template braces inside embedded configs are collection keys to a YAML parser: judged without a word.
  { file: 'embedded-templates.yaml', problems: [], neighbours: ['valid-neighbour'] },
];

function scanJson(args: string[], options: Parameters<typeof kfscan>[1] = {}) {
  const run = kfscan(['scan', ...args, '-f', 'json', '--checks', 'mutable-ml-image'], options);
  expect(run.stderr).not.toMatch(STACK);
  return { run, report: JSON.parse(run.stdout) };
}

/** 3 = scanned but some documents could not be; 2 = nothing could be scanned at all; 0 with --fail-on none. */
function expectedExit(c: Case): number {
  const scanned = c.neighbours.length > 0 || ['wrong-types.yaml', 'prototype-names.yaml', 'unknown-kinds.yaml'].includes(c.file);
  if (!scanned) return 2;
  return c.problems.some(([kind]) => kind === 'error') ? 3 : 0;
}

describe('bad input fixtures', () => {
  // Each case in this process (the whole folder runs through the built binary below, which also shows that
  // Node itself prints nothing a user cannot act on).
  it.each(CASES.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const file = `${DIR}/${c.file}`;
    const run = await runCli(['scan', file, '--fail-on', 'none', '-f', 'json', '--checks', 'mutable-ml-image']);
    expect(run.stderr).not.toMatch(STACK);
    const report = JSON.parse(run.stdout);
    const problems = [...report.errors.map((e: object) => ['error', e]), ...report.warnings.map((w: object) => ['warning', w])];
    expect(problems).toHaveLength(c.problems.length);
    c.problems.forEach(([kind, line, message], index) => {
      const [actualKind, actual] = problems[index]!;
      expect(actualKind).toBe(kind);
      expect(actual).toMatchObject({ file, line, message: expect.stringMatching(message) });
    });
    const reported = report.findings.map((f: { resource: { name: string } }) => f.resource.name);
    expect(reported.sort()).toEqual([...c.neighbours].sort());
    expect(run.code).toBe(expectedExit(c));
    // The same in the table: each problem with its file and line, and a human wording.
    if (c.problems.length > 0) {
      // Wide enough that the table does not wrap the problem's line.
      const table = await runCli(['scan', file, '--fail-on', 'none', '--verbose', '--checks', 'mutable-ml-image'], { env: { COLUMNS: '250' } });
      expect(table.stderr).not.toMatch(STACK);
      const [, line, message] = c.problems[0]!;
      expect(table.stdout + table.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:${line}(?::\\d+)?: ${message.source.replace(/^\^|\$$/g, '')}`));
    }
  });

  it('every check survives every file: no check fails, every neighbour is still reported', () => {
    // All checks, as a whole cluster so that the absence checks run too.
    const run = kfscan(['scan', DIR, '--whole-cluster', '-f', 'json', '--fail-on', 'none']);
    expect(run.stderr).not.toMatch(STACK);
    expect(run.stderr).not.toMatch(RUNTIME_WARNING);
    const report = JSON.parse(run.stdout);
    expect(report.errors.filter((e: { file?: string }) => !e.file)).toEqual([]);
    expect(report.errors).toHaveLength(CASES.flatMap((c) => c.problems).filter(([kind]) => kind === 'error').length);
    const images = report.findings.filter((f: { checkId: string }) => f.checkId === 'mutable-ml-image');
    expect(images).toHaveLength(CASES.reduce((n, c) => n + c.neighbours.length, 0));
    // The Service named toString is judged as any gateway Service.
    expect(report.findings).toContainEqual(expect.objectContaining({ checkId: 'ingress-gateway-exposed', resource: expect.objectContaining({ name: 'toString' }) }));
    expect(run.code).toBe(3);
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
      CASES.flatMap((c) => c.problems).filter(([kind]) => kind === 'error').length,
    );
  });

  it('the table shows problems with file and line and never a raw control character', () => {
    const run = kfscan(['scan', DIR, '--fail-on', 'none', '--whole-cluster']);
    expect(run.stdout).toContain('fixtures/bad-input/tabs.yaml:4:1: invalid YAML');
    expect(run.stdout).toContain('fixtures/bad-input/binary.yaml:4: skipped: binary file');
    // eslint-disable-next-line no-control-regex -- no raw control character may reach the output
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
    cpSync(path.join(ROOT, 'dist', 'chunks'), path.join(copy, 'dist', 'chunks'), { recursive: true });
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
