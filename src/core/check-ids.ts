import type { CheckMeta } from './types.js';

/** Every id and former id (alias) that names a check, mapped to its current id. */
export function checkIdIndex(catalogue: readonly CheckMeta[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const meta of catalogue) {
    index.set(meta.id, meta.id);
    for (const alias of meta.aliases ?? []) index.set(alias, meta.id);
  }
  return index;
}
