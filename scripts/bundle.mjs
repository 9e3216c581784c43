// Bundles the CLI into one ESM file. Heavy or optional modules stay outside and are loaded on demand:
// the Kubernetes client only in live mode, the spinner only on a terminal.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/entry/kfscan.js'],
  outfile: 'dist/kfscan.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@kubernetes/client-node', 'ora'],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: { js: "import { createRequire as __kfscanCreateRequire } from 'node:module'; const require = __kfscanCreateRequire(import.meta.url);" },
  legalComments: 'linked',
  logLevel: 'warning',
});
