import { atLeast } from '../core/severity.js';
import type { ScanResult, Severity } from '../core/types.js';

/** Documented in docs/reference/exit-codes.md; CI pipelines depend on these numbers. */
export const EXIT = {
  /** Scanned, nothing at or above --fail-on. */
  ok: 0,
  /** Findings at or above --fail-on. */
  findings: 1,
  /** Usage error, or nothing could be scanned. */
  usage: 2,
  /** Scanned, but some inputs, contexts or checks failed; nothing at or above --fail-on. */
  incomplete: 3,
} as const;

export type FailOn = Severity | 'none';

/** Findings decide first (a failing finding always fails CI); then an incomplete scan must not pass silently. */
export function exitCodeFor(result: ScanResult, failOn: FailOn): number {
  if (failOn !== 'none' && result.findings.some((finding) => atLeast(finding.severity, failOn))) return EXIT.findings;
  if (result.errors.length > 0) return EXIT.incomplete;
  return EXIT.ok;
}
