#!/usr/bin/env node
// Thin shim: the program is the bundle that `npm run build` writes to dist/.
try {
  await import('../dist/kfscan.mjs');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('kfscan.mjs')) {
    process.stderr.write('kfscan: not built yet: run `npm run build` in the kfscan directory first\n');
    process.exit(2);
  }
  throw error;
}
