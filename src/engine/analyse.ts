import type { Check, InputError, Inventory, SuppressedFinding } from '../core/types.js';
import { compareFindings, runChecks, type CheckRun } from './run.js';
import { applySuppressions, type SuppressionOptions } from './suppress.js';

export interface AnalysisOptions {
  checks: readonly Check[];
  /** Per-check options from the configuration, keyed by check id. */
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Configuration entries, annotation switch and clock for suppressions; annotations apply by default. */
  suppression?: SuppressionOptions;
}

export interface Analysis extends CheckRun {
  /** Findings a `kfscan.io/ignore` annotation or a configuration entry suppressed; not in `findings`. */
  suppressed: SuppressedFinding[];
  /** Problems with the suppressions themselves (unknown check ids, expired annotations). */
  warnings: InputError[];
}

/**
 * Everything after loading, shared by offline and live scans: run the checks over one inventory, set
 * suppressed findings apart and sort. Live mode calls it once per context.
 */
export function analyseInventory(inventory: Inventory, options: AnalysisOptions): Analysis {
  const run = runChecks(inventory, options.checks, options.checkOptions ? { checkOptions: options.checkOptions } : {});
  const outcome = applySuppressions(
    inventory,
    run.findings,
    options.checks.map((check) => check.meta),
    options.suppression,
  );
  outcome.findings.sort(compareFindings);
  outcome.suppressed.sort(compareFindings);
  return { ...run, findings: outcome.findings, suppressed: outcome.suppressed, warnings: outcome.warnings };
}
