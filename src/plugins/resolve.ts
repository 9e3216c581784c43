// Where a `--plugin` or `plugins:` entry points: a file, a directory holding a package, or an installed
// package found the way Node finds it from the directory the entry is relative to.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The entry could not be found; the message says what was looked for. */
export class PluginNotFound extends Error {}

/**
 * A path when it looks like one (`./`, `../`, `/`, `~`-free absolute paths, `file:` URLs) or names an
 * existing `.js`/`.mjs`/`.cjs` file; a package name otherwise.
 */
export async function resolvePlugin(source: string, baseDir: string): Promise<string> {
  if (source.startsWith('file:')) return fileOrDirectory(fileURLToPath(source), source);
  if (isPathLike(source)) return fileOrDirectory(path.resolve(baseDir, source), source);
  if (/\.[cm]?js$/.test(source) && (await stat(path.resolve(baseDir, source)))) return fileOrDirectory(path.resolve(baseDir, source), source);
  return resolvePackage(source, baseDir);
}

function isPathLike(source: string): boolean {
  return /^\.{1,2}([/\\]|$)/.test(source) || path.isAbsolute(source);
}

async function fileOrDirectory(file: string, source: string): Promise<string> {
  const found = await stat(file);
  if (!found) throw new PluginNotFound(`no such file or directory: ${file}`);
  if (found.isDirectory()) return pathToFileURL(await directoryEntry(file, source)).href;
  return pathToFileURL(file).href;
}

/** A package directory: its `exports` (the `import` or `default` entry of `.`), `main`, or `index.js`. */
async function directoryEntry(dir: string, source: string): Promise<string> {
  const manifest = await fs.readFile(path.join(dir, 'package.json'), 'utf8').then(
    (text) => JSON.parse(text) as { exports?: unknown; main?: unknown },
    () => null,
  );
  const candidates = [exportsEntry(manifest?.exports), typeof manifest?.main === 'string' ? manifest.main : null, 'index.mjs', 'index.js'];
  for (const candidate of candidates) {
    if (candidate === null) continue;
    const file = path.resolve(dir, candidate);
    if ((await stat(file))?.isFile()) return file;
  }
  throw new PluginNotFound(`${source} is a directory without a plugin module: give the module's file, or a package.json with "exports" or "main"`);
}

function exportsEntry(exports: unknown): string | null {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null || Array.isArray(exports)) return null;
  const record = exports as Record<string, unknown>;
  const root = '.' in record ? record['.'] : record;
  if (typeof root === 'string') return root;
  if (typeof root !== 'object' || root === null) return null;
  for (const condition of ['import', 'node', 'default']) {
    const entry = exportsEntry((root as Record<string, unknown>)[condition]);
    if (entry !== null) return entry;
  }
  return null;
}

async function resolvePackage(name: string, baseDir: string): Promise<string> {
  // Loaded only when a plugin is named by package: plain scans never pay for the resolver.
  const { resolve } = await import('import-meta-resolve');
  try {
    // The parent is a file in baseDir, so that node_modules is searched from there upwards.
    return resolve(name, pathToFileURL(path.join(baseDir, 'kfscan-plugin-parent.js')).href);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND') {
      throw new PluginNotFound(`package "${name}" is not installed where ${baseDir} can find it (node_modules there or above); install it there, or give the plugin's path (./...)`);
    }
    throw new PluginNotFound(`cannot resolve package "${name}": ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function stat(file: string) {
  return fs.stat(file).catch(() => null);
}
