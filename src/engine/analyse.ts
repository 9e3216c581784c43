import type { Check, Inventory } from '../core/types.js';
import { compareFindings, runChecks, type CheckRun } from './run.js';

export interface AnalysisOptions {
  checks: readonly Check[];
  /** Per-check options from the configuration, keyed by check id. */
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Everything after loading, shared by offline and live scans: run the checks over one inventory and
 * sort what they found. Live mode calls it once per context.
 */
export function analyseInventory(inventory: Inventory, options: AnalysisOptions): CheckRun {
  const run = runChecks(inventory, options.checks, options.checkOptions ? { checkOptions: options.checkOptions } : {});
  run.findings.sort(compareFindings);
  return run;
}
