// Why a plugin module could not be imported, said so that its author can act on it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two mistakes every plugin author makes once: TypeScript as is, and ES syntax in a CommonJS `.js` file. */
export function importHint(error: unknown, url: string): string {
  if ((error as NodeJS.ErrnoException).code === 'ERR_UNKNOWN_FILE_EXTENSION' && /\.[cm]?tsx?$/.test(url)) return ': compile TypeScript to JavaScript first (docs/plugins.md)';
  if (error instanceof SyntaxError && url.endsWith('.js') && /\b(?:export|import)\b/.test(error.message)) {
    return ': a .js file is CommonJS unless the nearest package.json says "type": "module"; name the plugin .mjs';
  }
  return '';
}

/**
 * Node does not say where in the module a syntax error is when `import()` fails; `node --check` does.
 * Run only on that error path, so a plugin author gets the line without KFSCAN_DEBUG.
 */
export function syntaxErrorLine(error: unknown, url: string): string {
  if (!(error instanceof SyntaxError) || !url.startsWith('file:')) return '';
  const file = fileURLToPath(url);
  const check = spawnSync(process.execPath, ['--check', file], { encoding: 'utf8', timeout: 10_000 });
  const line = /^(?:file:\/\/)?(\S+?):(\d+)\s*$/m.exec(check.stderr ?? '');
  if (!line || !(line[1] === file || line[1] === url.slice('file://'.length))) return '';
  return ` (at ${path.basename(file)}:${line[2]})`;
}
