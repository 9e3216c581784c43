// The pre-commit hook (.pre-commit-hooks.yaml): a `language: script` hook, which pre-commit 4 runs from its
// own clone of this repository with nothing installed in it and the user's repository as the working
// directory. The first run builds the CLI in that clone (scripts/pre-commit-hook.sh, scripts/prepare.mjs:
// production dependencies and esbuild only). docs/guides/ci.md says how this was also tried with pre-commit
// itself, and why the hook is not a node hook.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { spawnCollect } from './helpers/process.js';
import { tempRepo } from './helpers/repo.js';

interface Hook {
  id: string;
  entry: string;
  args?: string[];
  language: string;
  files?: string;
  pass_filenames?: boolean;
}

const hooks = parse(readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const work = mkdtempSync(path.join(os.tmpdir(), 'kfscan-pre-commit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The repository as a fresh clone has it: the files git tracks, committed in a repository of their own. */
function freshRepository(): string {
  const repo = path.join(work, 'kfscan');
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of tracked) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    copyFileSync(path.join(ROOT, file), path.join(repo, file));
  }
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@kfscan.invalid', ...args], { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'fresh clone');
  return repo;
}

describe('the pre-commit hook', () => {
  it('is one script hook that scans the repository as a whole when a manifest, kustomization or template changes', () => {
    expect(hooks).toHaveLength(1);
    const [hook] = hooks;
    expect(hook).toMatchObject({ id: 'kfscan', language: 'script', entry: 'scripts/pre-commit-hook.sh scan', args: ['.'], pass_filenames: false });
    // pre-commit runs the entry from its clone: git must keep the script executable.
    expect(execFileSync('git', ['ls-files', '-s', 'scripts/pre-commit-hook.sh'], { cwd: ROOT, encoding: 'utf8' })).toMatch(/^100755 /);
    const files = new RegExp(hook!.files!);
    for (const changed of ['deploy/gateway.yaml', 'charts/x/templates/_helpers.tpl', 'overlays/prod/kustomization.yml', 'Kustomization', 'a/b.json']) expect(files.test(changed), changed).toBe(true);
    for (const other of ['README.md', 'src/main.py', 'yaml.txt']) expect(files.test(other), other).toBe(false);
  });

  it('runs as pre-commit runs it from a fresh clone: builds itself once, then fails a bad repository and passes a clean one', async () => {
    const clone = freshRepository();
    const [hook] = hooks;
    const [script, ...entryArgs] = hook!.entry.split(' ');
    // pre-commit's environment for script hooks is the user's; npm's own variables left out, as in a shell.
    const base = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
    // The npm cache that `npm ci` filled serves the dependencies when the registry is away.
    const env = { ...base, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', npm_config_prefer_offline: 'true' };
    const runHook = (cwd: string) => spawnCollect(path.join(clone, script!), [...entryArgs, ...(hook!.args ?? [])], { cwd, env });
    const bad = tempRepo({ 'deploy/istio.yaml': readFileSync(path.join(ROOT, 'fixtures/demo/istio.yaml'), 'utf8') });
    const failing = await runHook(bad);
    expect(failing.code, failing.stderr).toBe(1);
    expect(failing.stdout).toContain('ingress-gateway-exposed');
    // Built in the clone, from its sources, with production dependencies only.
    expect(existsSync(path.join(clone, 'dist', 'kfscan.mjs'))).toBe(true);
    expect(existsSync(path.join(clone, 'node_modules', 'typescript'))).toBe(false);
    const clean = tempRepo({ 'deploy/web.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {type: ClusterIP, ports: [{port: 80}]}\n' });
    writeFileSync(path.join(clean, 'README.md'), 'not a manifest\n');
    const passing = await runHook(clean);
    expect(passing.code, `${passing.stdout}\n${passing.stderr}`).toBe(0);
    expect(passing.stdout).toMatch(/^kfscan: 0 findings in 1 resources from 1 file$/m);
    // The second run did not build again.
    expect(passing.stderr).not.toMatch(/added \d+ packages/);
  }, 300_000);
});
