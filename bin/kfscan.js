#!/usr/bin/env node
// Thin shim: the CLI lives in dist/ (built by `npm run build`); the built-in checks are injected here so
// that src/ never imports a specific check.
let cli;
try {
  const [{ main }, { builtinChecks }] = await Promise.all([import('../dist/src/cli/main.js'), import('../dist/checks/index.js')]);
  cli = { main, builtinChecks };
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('/dist/')) {
    process.stderr.write('kfscan: not built yet: run `npm run build` in the kfscan directory first\n');
    process.exit(2);
  }
  throw error;
}

process.exitCode = await cli.main(process.argv.slice(2), {
  checks: cli.builtinChecks,
  io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd(), env: process.env },
});
