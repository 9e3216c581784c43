// A TypeScript module of the project as one ES module that plain node runs (`npm run docs`, the bench's API
// server, a test's child process): bundled by esbuild into dist/, where the project's node_modules resolve
// the packages it leaves outside.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Compiles `entry` (a path relative to the project) to `dist/<out>`; returns the module's absolute path. */
export async function compileModule(entry, out) {
  const outfile = path.join(ROOT, 'dist', out);
  await build({ entryPoints: [path.join(ROOT, entry)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  return outfile;
}
