import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: { dir: string; version: string } | null | undefined;

/**
 * kfscan's own package.json, found upward from this module, in the source tree, the build or an
 * installed package alike: the version and the files that ship beside the code (docs pages) come from it.
 */
function findPackage(): { dir: string; version: string } | null {
  if (root !== undefined) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'kfscan' && typeof pkg.version === 'string') return (root = { dir, version: pkg.version });
    } catch {
      // not here; keep walking up
    }
    dir = path.dirname(dir);
  }
  return (root = null);
}

/** kfscan's version from its package.json. */
export function toolVersion(): string {
  return findPackage()?.version ?? '0.0.0-unknown';
}

/** The directory of kfscan's package.json, or `null` when it cannot be found. */
export function packageRoot(): string | null {
  return findPackage()?.dir ?? null;
}
