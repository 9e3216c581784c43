// The program as shipped: the CLI with the built-in checks injected, so that src/ never imports a
// specific check. `npm run build` bundles this file into dist/kfscan.mjs, which bin/kfscan.js loads:
// one file starts far faster than a tree of small modules.
import { builtinChecks } from '../checks/index.js';
import { main } from '../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  checks: builtinChecks,
  io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env },
  // Built next to this file (scripts/bundle-cli.mjs).
  contextWorker: new URL('./context-worker.mjs', import.meta.url),
});
