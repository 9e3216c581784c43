import { didYouMean } from '../core/suggest.js';
import type { Check } from '../core/types.js';

export class UnknownCheckError extends Error {}

/**
 * Picks checks by `--checks` and `--skip-checks` ids (or their aliases). An unknown id is a usage error:
 * a typo in CI must not silently turn a check off.
 */
export function selectChecks(all: readonly Check[], only: readonly string[] = [], skip: readonly string[] = []): Check[] {
  const byId = new Map<string, Check>();
  for (const check of all) {
    byId.set(check.meta.id, check);
    for (const alias of check.meta.aliases ?? []) byId.set(alias, check);
  }
  const resolve = (id: string): Check => {
    const check = byId.get(id);
    if (!check) throw new UnknownCheckError(`unknown check id "${id}"${didYouMean(id, byId.keys())} (see \`kfscan checks\`)`);
    return check;
  };
  const chosen = only.length > 0 ? new Set(only.map(resolve)) : new Set(all);
  for (const id of skip) chosen.delete(resolve(id));
  return all.filter((check) => chosen.has(check));
}
