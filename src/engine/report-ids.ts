import { ID_HEX_DIGITS, findingId } from '../core/finding-id.js';
import type { Finding, SuppressedFinding } from '../core/types.js';

/**
 * Makes the short ids of one report name one finding each. An id is `KF-` and the first six hex digits of
 * the fingerprint, so two different fingerprints share one about once in 16 million pairs (a report of
 * 1,000 findings has a few-percent chance of holding such a pair). When they do, every finding of the
 * clash gets the shortest longer prefix, in steps of two digits, at which the clashing fingerprints
 * differ (`KF-3a9c2f07` and `KF-3a9c2f91`). That depends only on which fingerprints the report holds, never
 * on order or lines, so it is the same on every run that finds the same findings; the six-digit id is
 * still the start of the longer one, so a reader looking for `KF-3a9c2f` finds both. Findings that share
 * their fingerprint (one object declared in two files) are one finding in two places and keep one id.
 * Suppressed findings take part, so that an id never changes when a suppression is added or expires.
 */
export function withReportIds<T extends { findings: Finding[]; suppressed?: SuppressedFinding[] }>(result: T): T {
  const all = [...result.findings, ...(result.suppressed ?? [])];
  const longer = longerIds(all.map((finding) => finding.fingerprint));
  if (longer.size === 0) return result;
  const renamed = <F extends Finding>(finding: F): F => {
    const id = longer.get(finding.fingerprint);
    return id === undefined ? finding : { ...finding, id };
  };
  return { ...result, findings: result.findings.map(renamed), ...(result.suppressed ? { suppressed: result.suppressed.map(renamed) } : {}) };
}

/** The ids of fingerprints whose short id clashes with another fingerprint's, by fingerprint. */
export function longerIds(fingerprints: readonly string[]): Map<string, string> {
  const byShortId = new Map<string, Set<string>>();
  for (const fingerprint of fingerprints) {
    const short = findingId(fingerprint);
    const group = byShortId.get(short) ?? new Set<string>();
    group.add(fingerprint);
    byShortId.set(short, group);
  }
  const ids = new Map<string, string>();
  for (const group of byShortId.values()) {
    if (group.size < 2) continue;
    const prints = [...group];
    const longest = Math.max(...prints.map((print) => print.length));
    let digits = ID_HEX_DIGITS + 2;
    while (digits < longest && new Set(prints.map((print) => print.slice(0, digits))).size < prints.length) digits += 2;
    for (const print of prints) ids.set(print, `KF-${print.slice(0, digits)}`);
  }
  return ids;
}
