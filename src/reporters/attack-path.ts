// The 2021 campaign as a chain of steps, and for each step whether the scan shows it open (a finding),
// clear (every check for it ran and found nothing) or unknown (a check did not run, was out of scope or
// could not decide). "Unknown" is never shown as "clear": a report that paints an unchecked step green
// tells a client they are safe when nobody looked.
import { severityRank } from '../core/severity.js';
import { ATTACK_STEP_IDS, type AttackStepId } from '../core/attack-steps.js';
import { categoryStep } from '../core/categories.js';
import type { CheckMeta, Finding, InputError, ScanResult, Severity } from '../core/types.js';

export type StepId = AttackStepId;

export interface StepDefinition {
  id: StepId;
  label: string;
  /** What the step stands for, in two short lines for the picture. */
  detail: [string, string];
}

/** A built-in check and the steps it decides, as its folder declares them (checks/<id>/index.ts). */
export interface AttackPathMember {
  id: string;
  steps: readonly StepId[];
}

const LABELS: Readonly<Record<StepId, Omit<StepDefinition, 'id'>>> = {
  entry: { label: 'Entry point', detail: ['public load balancer,', 'NodePort, Ingress'] },
  gateway: { label: 'Gateway', detail: ['Istio ingress', 'gateway'] },
  dashboard: { label: 'Dashboard', detail: ['Kubeflow and', 'other ML UIs'] },
  auth: { label: 'Authentication', detail: ['login, default', 'passwords, MFA'] },
  workloads: { label: 'Workloads', detail: ['ML images, miners,', 'egress, quotas'] },
  detection: { label: 'Detection', detail: ['Falco runtime', 'sensor and rules'] },
  alerting: { label: 'Alerting', detail: ['Prometheus and', 'growth alerts'] },
};

/** Internet is the origin of the path and is not checked; these are the steps after it, in attack order. */
export const ATTACK_STEPS: readonly StepDefinition[] = ATTACK_STEP_IDS.map((id) => ({ id, ...LABELS[id] }));

export type StepState = 'open' | 'clear' | 'unknown';

export type CheckStatus = 'finding' | 'review' | 'clean' | 'undecided' | 'failed' | 'out-of-scope' | 'not-run';

export interface StepCheck {
  checkId: string;
  status: CheckStatus;
  /** Findings of this check in this context (all severities). */
  findings: number;
  reason: string | null;
}

export interface PathStep {
  definition: StepDefinition;
  state: StepState;
  /** Findings that open the step (severity low or above). */
  findings: Finding[];
  highest: Severity | null;
  checks: StepCheck[];
  /** A few words for the picture: "2 findings", "nothing found", "not checked". */
  status: string;
}

export interface AttackPath {
  /** Kube context; `null` offline (or a live result that names no context). */
  context: string | null;
  steps: PathStep[];
  /** Input errors that may hide objects in this context: no step can be clear while there are any. */
  inputErrors: number;
}

const CHECK_FAILURE = /^check (\S+) (?:of plugin .*? )?(?:failed|returned an invalid finding)/;

/**
 * One attack path per context scanned (one for an offline scan). A step's checks are the built-in checks
 * that decide it (`members`, from the registry: a step is clear only when all of them ran clean), and the
 * other checks that ran whose category counts for it.
 */
export function attackPaths(result: ScanResult, members: readonly AttackPathMember[]): AttackPath[] {
  const contexts = scannedContexts(result);
  const checksById = new Map(result.checks.map((meta) => [meta.id, meta]));
  const outOfScope = new Set(result.outOfScope ?? []);
  return contexts.map((context) => {
    const inContext = <T extends { context?: string | null }>(item: T): boolean =>
      context === null || item.context === null || item.context === undefined || item.context === context;
    const findings = result.findings.filter(inContext);
    const undecided = result.coverage.undecided.filter(inContext);
    const errors = result.errors.filter(inContext);
    const failures = new Map<string, string>();
    const inputErrors: InputError[] = [];
    for (const error of errors) {
      const failed = CHECK_FAILURE.exec(error.message);
      if (failed) failures.set(failed[1]!, error.message);
      else inputErrors.push(error);
    }

    const steps = ATTACK_STEPS.map((definition): PathStep => {
      const ids = stepCheckIds(definition, members, result.checks);
      const checks = ids.map((checkId): StepCheck => {
        const own = findings.filter((finding) => finding.checkId === checkId);
        const opening = own.filter(opensStep);
        const meta = checksById.get(checkId);
        const status = (s: CheckStatus, reason: string | null = null): StepCheck => ({ checkId, status: s, findings: own.length, reason });
        if (!meta) return status('not-run', 'not run in this scan');
        if (outOfScope.has(checkId)) return status('out-of-scope', 'absence check not run: the input is neither a whole cluster nor holds an ML platform');
        if (opening.length > 0) return status('finding');
        const failure = failures.get(checkId);
        if (failure !== undefined) return status('failed', failure);
        const notDecided = undecided.find((item) => item.checkId === checkId);
        if (notDecided) return status('undecided', notDecided.reason);
        if (own.length > 0) return status('review');
        return status('clean');
      });
      const opening = findings.filter((finding) => ids.includes(finding.checkId) && opensStep(finding));
      const highest = opening.reduce<Severity | null>(
        (top, finding) => (top === null || severityRank(finding.severity) > severityRank(top) ? finding.severity : top),
        null,
      );
      const state: StepState =
        opening.length > 0 ? 'open' : checks.length > 0 && inputErrors.length === 0 && checks.every((c) => c.status === 'clean') ? 'clear' : 'unknown';
      return { definition, state, findings: opening, highest, checks, status: stepStatus(state, opening.length, checks, inputErrors.length) };
    });
    return { context, steps, inputErrors: inputErrors.length };
  });
}

/** An `info` finding (an internal load balancer, "verify MFA upstream") does not open a step. */
function opensStep(finding: Finding): boolean {
  return severityRank(finding.severity) > severityRank('info');
}

function stepCheckIds(definition: StepDefinition, members: readonly AttackPathMember[], ran: readonly CheckMeta[]): string[] {
  const ids = members.filter((member) => member.steps.includes(definition.id)).map((member) => member.id);
  const builtin = new Set(members.map((member) => member.id));
  for (const meta of ran) {
    if (!builtin.has(meta.id) && categoryStep(meta.category) === definition.id && !ids.includes(meta.id)) ids.push(meta.id);
  }
  return ids;
}

function stepStatus(state: StepState, findings: number, checks: readonly StepCheck[], inputErrors: number): string {
  if (state === 'open') return `${findings} finding${findings === 1 ? '' : 's'}`;
  if (state === 'clear') return 'nothing found';
  if (checks.some((c) => c.status === 'undecided' || c.status === 'failed')) return 'undecided';
  if (checks.some((c) => c.status === 'review')) return 'to review';
  if (checks.every((c) => c.status === 'clean') && inputErrors > 0) return 'incomplete input';
  if (checks.some((c) => c.status === 'clean')) return 'partly checked';
  return 'not checked';
}

export function scannedContexts(result: ScanResult): Array<string | null> {
  if (result.target.mode !== 'cluster') return [null];
  const listed = result.target.contexts ?? [];
  const seen = new Set(listed);
  const extra = [...new Set(result.findings.map((f) => f.context).filter((c): c is string => c !== null && !seen.has(c)))].sort();
  const contexts = [...listed, ...extra];
  return contexts.length > 0 ? contexts : [null];
}
