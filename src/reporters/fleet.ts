// The fleet summary of a live scan: per context, scanned or why not, findings by severity and the steps
// of the 2021 attack path it leaves open. Counted from the reported findings (after --min-severity and
// --baseline), so that the summary and the findings below it always agree.
import { countBySeverity, type SeverityCounts } from '../core/severity.js';
import type { ContextScan, ScanResult } from '../core/types.js';
import type { AttackStepId } from '../core/attack-steps.js';
import { ATTACK_STEPS, attackPaths, type AttackPathMember } from './attack-path.js';

/** A context as the scan left it (`ContextScan`), with what it holds counted from the reported findings. */
export interface FleetEntry extends Pick<ContextScan, 'context' | 'status' | 'error' | 'server' | 'kubernetesVersion' | 'resources'> {
  /** Reported findings of the context by severity. */
  findings: SeverityCounts;
  suppressed: number;
  /** Checks that could not decide in this context. */
  undecided: number;
  /** Kinds or objects the context did not let kfscan read. */
  unreadable: number;
  /** Errors in this context beside its failure (a list given up on, a check that failed). */
  errors: number;
  /** Steps of the attack path with a finding (low or above) in this context, in attack order. */
  stepsOpen: AttackStepId[];
  /** Steps neither open nor shown clear: a check did not run, could not decide or failed, or the context failed. */
  stepsUnknown: number;
}

/** One entry per context of a live scan, in the order given; `null` for other scans. */
export function fleetSummary(result: ScanResult, members: readonly AttackPathMember[]): FleetEntry[] | null {
  if (result.target.mode !== 'cluster' || !result.contexts) return null;
  const paths = new Map(attackPaths(result, members).map((path) => [path.context, path]));
  return result.contexts.map((scan): FleetEntry => {
    const own = <T extends { context?: string | null }>(items: readonly T[]): T[] => items.filter((item) => item.context === scan.context);
    const failed = scan.status === 'failed';
    const steps = failed ? [] : (paths.get(scan.context)?.steps ?? []);
    return {
      context: scan.context,
      status: scan.status,
      error: scan.error,
      server: scan.server,
      kubernetesVersion: scan.kubernetesVersion,
      resources: scan.resources,
      findings: countBySeverity(own(result.findings)),
      suppressed: own(result.suppressed ?? []).length,
      undecided: own(result.coverage.undecided).length,
      unreadable: own(result.coverage.unreadable).length,
      errors: own(result.errors).length - (failed ? 1 : 0),
      stepsOpen: steps.filter((step) => step.state === 'open').map((step) => step.definition.id),
      stepsUnknown: failed ? ATTACK_STEPS.length : steps.filter((step) => step.state === 'unknown').length,
    };
  });
}
