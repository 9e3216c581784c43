import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { tempRepo } from './helpers/repo.js';

// Symbolic links in a scanned tree are the tree's: kfscan neither reads through one out of the scanned
// input, nor writes a report, baseline or kit through one. It refuses to write, with a clear error.

function demoRepo(): string {
  const dir = tempRepo({});
  cpSync(path.join(ROOT, 'fixtures/demo'), path.join(dir, 'deploy'), { recursive: true });
  return dir;
}

function victim(): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-victim-'));
  const file = path.join(dir, 'precious');
  writeFileSync(file, 'do not touch\n');
  return { dir, file };
}

describe('reading: links out of the scanned input', () => {
  it('are not followed, each with a warning, and a link to / ends the walk at once', async () => {
    const dir = demoRepo();
    symlinkSync('/', path.join(dir, 'deploy', 'root'));
    symlinkSync('/etc', path.join(dir, 'deploy', 'etc'));
    const { file } = victim();
    symlinkSync(file, path.join(dir, 'deploy', 'secret.yaml'));
    const started = Date.now();
    const run = await runCli(['scan', 'deploy', '-f', 'json', '--fail-on', 'none'], { cwd: dir });
    // Generous: the walk of / this replaces took minutes.
    expect(Date.now() - started).toBeLessThan(20_000);
    const report = JSON.parse(run.stdout) as { warnings: Array<{ file: string; message: string }>; findings: unknown[] };
    expect(report.warnings.filter((w) => w.message.includes('symbolic link')).map((w) => `${w.file}: ${w.message}`).sort()).toEqual([
      'deploy/etc: skipped: symbolic link out of the scanned input',
      'deploy/root: skipped: symbolic link out of the scanned input',
      'deploy/secret.yaml: skipped: symbolic link out of the scanned input',
    ]);
    expect(report.findings.length).toBeGreaterThan(5);
  });

  it('a .kfscan.yaml that links out of the repository is not read', async () => {
    const dir = demoRepo();
    const { dir: elsewhere } = victim();
    writeFileSync(path.join(elsewhere, 'config.yaml'), 'ignore:\n  - check: mutable-ml-image\n    reason: from elsewhere\n');
    symlinkSync(path.join(elsewhere, 'config.yaml'), path.join(dir, '.kfscan.yaml'));
    const run = await runCli(['scan', 'deploy'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('kfscan: .kfscan.yaml is a symbolic link out of the repository: not read; name a configuration with --config, or --no-config\n');
  });
});

describe('writing: never through a symbolic link', () => {
  it.each([
    ['--output', (link: string) => ['-f', 'json', '-o', link]],
    ['--report', (link: string) => ['--report', `sarif=${link}`]],
    ['--write-baseline', (link: string) => ['--write-baseline', link]],
  ])('%s to a link is refused, the link target untouched', async (_, args) => {
    const dir = demoRepo();
    const { file } = victim();
    symlinkSync(file, path.join(dir, 'out.json'));
    const run = await runCli(['scan', 'deploy', '--fail-on', 'none', ...args('out.json')], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`cannot write out.json: refusing to write through a symbolic link: ${path.join(dir, 'out.json')} is a symbolic link; remove it or choose another path`);
    expect(readFileSync(file, 'utf8')).toBe('do not touch\n');
  });

  it('a report into a directory that is a link is refused', async () => {
    const dir = demoRepo();
    const { dir: elsewhere } = victim();
    symlinkSync(elsewhere, path.join(dir, 'reports'));
    const run = await runCli(['scan', 'deploy', '--fail-on', 'none', '--report', 'sarif=reports/kfscan.sarif'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`kfscan: cannot write reports/kfscan.sarif: refusing to write through a symbolic link: ${path.join(dir, 'reports')} is a symbolic link; remove it or choose another path\n`);
    expect(existsSync(path.join(elsewhere, 'kfscan.sarif'))).toBe(false);
  });

  it('remediate --force refuses links in the kit directory, and a kit directory that is a link', async () => {
    const dir = demoRepo();
    const first = await runCli(['remediate', 'deploy', '--out-dir', 'kit'], { cwd: dir });
    expect(first.code).toBe(0);
    const { dir: elsewhere, file } = victim();

    // A file of the earlier kit replaced by a link to a file outside: the link goes (it is the kit's
    // own file name), what it pointed at stays; a new file of the kit that is a link is refused.
    const readme = path.join(dir, 'kit', 'README.md');
    rmSync(readme);
    symlinkSync(file, readme);
    const relinked = await runCli(['remediate', 'deploy', '--out-dir', 'kit', '--force'], { cwd: dir });
    expect(relinked.code).toBe(0);
    expect(lstatSync(readme).isSymbolicLink()).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe('do not touch\n');
    writeFileSync(path.join(dir, 'kit', 'kfscan-remediation.json'), '{"files": []}');
    rmSync(readme);
    symlinkSync(file, readme);
    const linkedFile = await runCli(['remediate', 'deploy', '--out-dir', 'kit', '--force'], { cwd: dir });
    expect(linkedFile.code).toBe(2);
    expect(linkedFile.stderr).toContain(`refusing to write through a symbolic link: ${readme} is a symbolic link`);
    expect(readFileSync(file, 'utf8')).toBe('do not touch\n');
    rmSync(readme);
    expect((await runCli(['remediate', 'deploy', '--out-dir', 'kit', '--force'], { cwd: dir })).code).toBe(0);

    // A folder of the kit replaced by a link to a directory outside, holding a file the old kit listed.
    const listed = (JSON.parse(readFileSync(path.join(dir, 'kit', 'kfscan-remediation.json'), 'utf8')) as { files: string[] }).files.find((f) => f.includes('/'))!;
    const folder = path.join(dir, 'kit', listed.split('/')[0]!);
    rmSync(folder, { recursive: true });
    mkdirSync(path.dirname(path.join(elsewhere, listed)), { recursive: true });
    writeFileSync(path.join(elsewhere, listed), 'do not touch\n');
    symlinkSync(elsewhere, folder);
    const linkedDir = await runCli(['remediate', 'deploy', '--out-dir', 'kit', '--force'], { cwd: dir });
    expect(linkedDir.code).toBe(2);
    expect(linkedDir.stderr).toContain('is a symbolic link');
    expect(readFileSync(path.join(elsewhere, listed), 'utf8')).toBe('do not touch\n');

    // The kit directory itself a link.
    symlinkSync(elsewhere, path.join(dir, 'kit2'));
    const linkedKit = await runCli(['remediate', 'deploy', '--out-dir', 'kit2', '--force'], { cwd: dir });
    expect(linkedKit.code).toBe(2);
    expect(linkedKit.stderr).toContain('is a symbolic link');
    expect(lstatSync(path.join(dir, 'kit2')).isSymbolicLink()).toBe(true);
  });

  it('a kit directory holding a link to / is listed without walking it', async () => {
    const dir = demoRepo();
    expect((await runCli(['remediate', 'deploy', '--out-dir', 'kit'], { cwd: dir })).code).toBe(0);
    symlinkSync('/', path.join(dir, 'kit', 'root'));
    const started = Date.now();
    const run = await runCli(['remediate', 'deploy', '--out-dir', 'kit', '--force'], { cwd: dir });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('also holds files kfscan did not write: root');
  });
});
