import { didYouMean } from '../core/suggest.js';
import type { Check } from '../core/types.js';

export class UnknownCheckError extends Error {}

/**
 * Picks checks by `--checks` and `--skip-checks` ids (or their aliases). An unknown id is a usage error:
 * a typo in CI must not silently turn a check off. With `onUnknown`, it is reported there and left out.
 */
export function selectChecks(
  all: readonly Check[],
  only: readonly string[] = [],
  skip: readonly string[] = [],
  onUnknown?: (id: string, option: '--checks' | '--skip-checks') => void,
): Check[] {
  const byId = new Map<string, Check>();
  for (const check of all) {
    byId.set(check.meta.id, check);
    for (const alias of check.meta.aliases ?? []) byId.set(alias, check);
  }
  const resolve = (option: '--checks' | '--skip-checks') => (id: string): Check[] => {
    const check = byId.get(id);
    if (check) return [check];
    if (!onUnknown) throw new UnknownCheckError(`unknown check id "${id}"${didYouMean(id, byId.keys())} (see \`kfscan checks\`)`);
    onUnknown(id, option);
    return [];
  };
  const chosen = only.length > 0 ? new Set(only.flatMap(resolve('--checks'))) : new Set(all);
  for (const check of skip.flatMap(resolve('--skip-checks'))) chosen.delete(check);
  return all.filter((check) => chosen.has(check));
}
