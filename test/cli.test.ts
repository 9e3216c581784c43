import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfscan, ROOT } from './helpers/cli.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'kfscan-cli-'));
const ESC = '\u001b';

describe('kfscan scan (built binary)', () => {
  it('prints a table for the demo and exits 1 on findings at or above high', () => {
    const run = kfscan(['scan', 'fixtures/demo'], { env: { COLUMNS: '200' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^CRITICAL \(\d+\)/m);
    expect(run.stdout).toContain('fixtures/demo/istio.yaml:33');
    expect(run.stdout).toMatch(/kfscan: \d+ findings \(.*critical.*\) in \d+ resources from 4 files/);
    expect(run.stdout).not.toContain(ESC);
  });

  it('follows --fail-on', () => {
    expect(kfscan(['scan', 'fixtures/demo', '--fail-on', 'none']).code).toBe(0);
    expect(kfscan(['scan', 'fixtures/demo', '--fail-on', 'critical']).code).toBe(1);
    expect(kfscan(['scan', 'checks/mutable-ml-image/fixtures/fail-notebook-and-jobs.yaml', '--fail-on', 'critical']).code).toBe(0);
    expect(kfscan(['scan', 'checks/mutable-ml-image/fixtures/fail-notebook-and-jobs.yaml', '--fail-on', 'medium']).code).toBe(1);
  });

  it('writes JSON to stdout and SARIF to a file in the same run', () => {
    const dir = tmp();
    const sarif = path.join(dir, 'out', 'kfscan.sarif');
    const run = kfscan(['scan', 'fixtures/demo', '-f', 'json', '--report', `sarif=${sarif}`, '--fail-on', 'none']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.tool).toEqual({ name: 'kfscan', version: pkg.version });
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(report.findings.length);
    expect(log.runs[0].tool.driver.version).toBe(pkg.version);
  });

  it('writes the report to --output instead of stdout', () => {
    const file = path.join(tmp(), 'report.json');
    const run = kfscan(['scan', 'fixtures/demo', '-f', 'json', '-o', file, '--fail-on', 'none']);
    expect(run.stdout).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8')).schemaVersion).toBe(1);
  });

  it('reads standard input with -', () => {
    const input = readFileSync(path.join(ROOT, 'fixtures/demo/istio.yaml'));
    const run = kfscan(['scan', '-', '-f', 'json'], { input });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.findings[0].location).toEqual({ file: '<stdin>', line: 33, column: 3 });
  });

  it('reports broken files with file and line, scans the rest, and exits 3 when nothing else fails', () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'good.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: ok}\n');
    writeFileSync(path.join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n');
    const run = kfscan(['scan', dir, '-f', 'json'], { cwd: dir });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/^kfscan: error: bad\.yaml:\d+:\d+: invalid YAML/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(run.stdout);
    expect(report.errors[0]).toMatchObject({ file: 'bad.yaml' });
  });

  it('exits 2 with one clear line when nothing can be scanned', () => {
    // A missing path: its error and nothing else, no empty report.
    const run = kfscan(['scan', 'does/not/exist.yaml']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('kfscan: error: does/not/exist.yaml: cannot read: no such file or directory\n');
    const json = kfscan(['scan', 'does/not/exist.yaml', '-f', 'json']);
    expect(json.stderr).toContain('kfscan: error: does/not/exist.yaml: cannot read: no such file or directory');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const empty = kfscan(['scan', '-'], { input: '# nothing here\n' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toBe('kfscan: nothing to scan: no Kubernetes objects found in standard input\n');
  });

  it('exits 2 on usage errors', () => {
    const unknownOption = kfscan(['scan', '--no-such-flag']);
    expect(unknownOption.code).toBe(2);
    expect(unknownOption.stderr).toMatch(/unknown option/);
    const unknownCheck = kfscan(['scan', 'fixtures/demo', '--checks', 'no-such-check']);
    expect(unknownCheck.code).toBe(2);
    expect(unknownCheck.stderr).toContain('unknown check id "no-such-check"');
    expect(kfscan(['scan', 'fixtures/demo', '-f', 'xml']).code).toBe(2);
    expect(kfscan(['scan', 'fixtures/demo', '--fail-on', 'severe']).code).toBe(2);
  });

  it('selects checks with --checks and --skip-checks', () => {
    const only = JSON.parse(kfscan(['scan', 'fixtures/demo', '-f', 'json', '--checks', 'mutable-ml-image']).stdout);
    expect(new Set(only.findings.map((f: { checkId: string }) => f.checkId))).toEqual(new Set(['mutable-ml-image']));
    const skipped = JSON.parse(kfscan(['scan', 'fixtures/demo', '-f', 'json', '--skip-checks', 'mutable-ml-image']).stdout);
    expect(skipped.findings.some((f: { checkId: string }) => f.checkId === 'mutable-ml-image')).toBe(false);
  });

  it('prints its version and help', () => {
    const version = kfscan(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(pkg.version);
    const help = kfscan(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--fail-on');
  });

  it('colours only when forced and never with NO_COLOR', () => {
    expect(kfscan(['scan', 'fixtures/demo'], { env: { FORCE_COLOR: '1' } }).stdout).toContain(ESC);
    expect(kfscan(['scan', 'fixtures/demo'], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain(ESC);
  });

  it('lists every file with --verbose', () => {
    const run = kfscan(['scan', 'fixtures/demo', '-v', '--fail-on', 'none']);
    expect(run.stderr).toContain('kfscan: scanned fixtures/demo/dex.yaml: 3 objects');
    expect(existsSync(path.join(ROOT, 'fixtures/demo/README.md'))).toBe(true);
    expect(run.stderr).not.toContain('README.md');
  });
});
