import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to a mistyped word, when it is close enough to be what was meant: a few
 * edits, or a candidate that contains the word (`gateway` -> `acme-gateway-exposed`).
 */
export function closestMatch(word: string, candidates: Iterable<string>): string | null {
  const list = [...candidates];
  const needle = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const candidate of list) {
    const d = distance(needle, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== null && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (best === null) return null;
  if (bestDistance <= Math.max(2, Math.floor(needle.length / 3))) return best;
  const containing = list.filter((c) => needle.length >= 4 && c.toLowerCase().includes(needle)).sort();
  return containing.length === 1 ? containing[0]! : null;
}

/** ` (did you mean "x"?)`, or nothing when no candidate is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const match = closestMatch(word, candidates);
  return match === null ? '' : ` (did you mean "${match}"?)`;
}
