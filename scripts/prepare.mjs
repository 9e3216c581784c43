// `prepare`: npm runs it after `npm install` in a clone and when it installs kfscan from a git repository;
// the pre-commit hook (scripts/pre-commit-hook.sh) runs it on first use in pre-commit's clone. There nothing
// is installed, so neither the TypeScript compiler nor the dependencies are at hand. This bundles
// the CLI straight from the TypeScript sources with esbuild; when the clone has no esbuild it installs the
// production dependencies from the lockfile and esbuild at the version the lockfile pins, no
// devDependencies and no install scripts. `npm run build` (tsc for the public entry points, then the same
// bundle) is what developers and `npm pack` use; a bundle already built is left as it is.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleCli } from './bundle-cli.mjs';

process.chdir(path.resolve(import.meta.dirname, '..'));
if (!existsSync('dist/kfscan.mjs')) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'kfscan-prepare-'));
  try {
    const { build } = await loadEsbuild(scratch);
    await bundleCli(build);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function npm(args) {
  const command = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const run = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (run.status !== 0) throw new Error(`kfscan prepare: npm ${args.join(' ')} failed (exit ${run.status ?? run.signal})`);
}

async function loadEsbuild(scratch) {
  try {
    return await import('esbuild');
  } catch {
    // --global=false: npm's own --global reaches this process through the environment.
    npm(['ci', '--global=false', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund']);
    const version = JSON.parse(readFileSync('package-lock.json', 'utf8')).packages['node_modules/esbuild'].version;
    npm(['install', '--global=false', '--prefix', scratch, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--ignore-scripts', `esbuild@${version}`]);
    return import(pathToFileURL(path.join(scratch, 'node_modules', 'esbuild', 'lib', 'main.js')).href);
  }
}
