// The executive summary of a customer report, in a manager's words: an overall rating, and for each step of
// the 2021 attack whether it is open here. Built on the attack paths (attack-path.ts), so that it can never
// say "closed" where a check did not run or could not decide: such a step is "not established".
import { categoryConcern, isCategory, type Concern } from '../core/categories.js';
import { countBySeverity, severityRank, type SeverityCounts } from '../core/severity.js';
import type { Category, Finding, ScanResult, Severity } from '../core/types.js';
import type { AttackPath, PathStep, StepId } from './attack-path.js';

export type Question = 'exposure' | 'authentication' | 'workloads' | 'detection';
export type Answer = 'open' | 'closed' | 'unknown';

export interface QuestionState {
  question: Question;
  answer: Answer;
  /** One or two plain sentences. */
  text: string;
  /** The findings that make it open (severity low or above). */
  findings: Finding[];
}

export interface ContextSummary {
  context: string | null;
  questions: QuestionState[];
}

export type Rating = 'critical' | 'high' | 'medium' | 'low' | 'none';

export interface ExecutiveSummary {
  rating: Rating;
  /** One sentence that says why. */
  verdict: string;
  contexts: ContextSummary[];
  counts: SeverityCounts;
  /** What could not be checked, one sentence each; empty when everything was. */
  limits: string[];
}

/** The four questions a manager asks about the 2021 campaign, in attack order. */
export const QUESTIONS: ReadonlyArray<{ question: Question; label: string }> = [
  { question: 'exposure', label: 'Is the Kubeflow dashboard reachable from the internet?' },
  { question: 'authentication', label: 'Can someone who reaches it get in without a proper login?' },
  { question: 'workloads', label: 'Do ML workloads run mutable images, or show signs of a miner?' },
  { question: 'detection', label: 'Would nothing notice a miner?' },
];

const concern = (category: Category): Concern | null => (isCategory(category) ? categoryConcern(category) : null);
const isWorkload = (category: Category): boolean => concern(category) === 'images' || concern(category) === 'miner';

export function executiveSummary(result: ScanResult, paths: readonly AttackPath[]): ExecutiveSummary {
  const contexts = paths.map((path): ContextSummary => ({ context: path.context, questions: questions(path, result) }));
  const counts = countBySeverity(result.findings);
  const everything = contexts.flatMap((c) => c.questions);
  const pathOpen = contexts.some((c) => c.questions.filter((q) => q.question === 'exposure' || q.question === 'authentication').every((q) => q.answer === 'open'));
  const highest = result.findings.reduce<Severity | null>((top, f) => (top === null || severityRank(f.severity) > severityRank(top) ? f.severity : top), null);
  const rating: Rating = pathOpen ? 'critical' : highest === null || highest === 'info' ? 'none' : highest;
  return { rating, verdict: verdict(rating, pathOpen, everything), contexts, counts, limits: limits(result) };
}

function verdict(rating: Rating, pathOpen: boolean, answers: readonly QuestionState[]): string {
  const unknown = answers.some((q) => q.answer === 'unknown');
  const caveat = unknown ? ' Some questions could not be answered from what was scanned; see below.' : '';
  if (pathOpen) return `Critical: the way in that the 2021 attackers used is open. Anyone on the internet can reach Kubeflow and get in.${caveat}`;
  switch (rating) {
    case 'critical':
      return `Critical: the scan found problems an attacker can use directly, although the way in of 2021 is not fully open.${caveat}`;
    case 'high':
      return `High: serious weaknesses were found that should be fixed soon; together with one more mistake they would let an attacker in or hide one.${caveat}`;
    case 'medium':
      return `Medium: no direct way in was found, but the cluster lacks protections that limit the damage of an attack.${caveat}`;
    case 'low':
      return `Low: only minor hardening findings.${caveat}`;
    default:
      return unknown ? `No findings, but this is not a clean bill of health: parts of the attack path could not be checked.` : 'No findings: every step of the attack path was checked and found closed.';
  }
}

function questions(path: AttackPath, result: ScanResult): QuestionState[] {
  const step = (id: StepId): PathStep => path.steps.find((s) => s.definition.id === id)!;
  const category = (checkId: string): Category | undefined => result.checks.find((meta) => meta.id === checkId)?.category;
  return [
    combine('exposure', [step('entry'), step('gateway'), step('dashboard')], {
      open: (n) => `Yes. The dashboard, or the gateway in front of it, can be reached from outside the cluster (${n}).`,
      closed: 'No. Nothing in the scanned configuration makes the dashboard reachable from the internet.',
    }),
    combine('authentication', [step('auth')], {
      open: (n, findings) =>
        findings.every((f) => concern(f.category) === 'second-factor')
          ? `Partly. There is a login, but it cannot require a second factor, so a stolen or guessed password is enough (${n}).`
          : `Yes. There is no login in front of Kubeflow, or it accepts published default credentials (${n}).`,
      closed: 'No. A login with a second factor protects Kubeflow.',
    }),
    workloads(step('workloads'), category, path.inputErrors),
    combine('detection', [step('detection'), step('alerting')], {
      open: (n, findings) => {
        const sensor = findings.some((f) => concern(f.category) === 'sensor');
        const alerts = findings.some((f) => concern(f.category) === 'alerts');
        const what = sensor && alerts ? 'neither a runtime sensor that spots miners nor an alert on a sudden growth of pods or CPU' : sensor ? 'no runtime sensor (Falco) that spots miners' : 'no alert on a sudden growth of pods or CPU';
        return `Yes. There is ${what} (${n}).`;
      },
      closed: 'No. A runtime sensor watches the nodes and alerts fire when pods or CPU grow suddenly.',
    }),
  ];
}

function combine(
  question: Question,
  steps: readonly PathStep[],
  words: { open: (count: string, findings: readonly Finding[]) => string; closed: string },
): QuestionState {
  const findings = steps.flatMap((s) => s.findings);
  if (findings.length > 0) return { question, answer: 'open', text: words.open(findingCount(findings), findings), findings };
  if (steps.every((s) => s.state === 'clear')) return { question, answer: 'closed', text: words.closed, findings: [] };
  return { question, answer: 'unknown', text: `Not established: ${unknownReason(steps)}.`, findings: [] };
}

/** Only images and miners: egress and quota findings count for the hardening, not for this question. */
function workloads(step: PathStep, category: (checkId: string) => Category | undefined, inputErrors: number): QuestionState {
  const findings = step.findings.filter((f) => isWorkload(f.category));
  if (findings.length > 0) {
    const miner = findings.some((f) => concern(f.category) === 'miner');
    const images = findings.some((f) => concern(f.category) === 'images');
    const what = [images ? 'pods run mutable ML images such as tensorflow/tensorflow:latest, as in 2021' : '', miner ? 'workloads carry signs of a crypto-miner' : ''].filter(Boolean).join(', and ');
    return { question: 'workloads', answer: 'open', text: `Yes: ${what} (${findingCount(findings)}).`, findings };
  }
  const relevant = step.checks.filter((check) => {
    const own = category(check.checkId);
    return own !== undefined && isWorkload(own);
  });
  if (inputErrors === 0 && relevant.length > 0 && relevant.every((check) => check.status === 'clean')) {
    return { question: 'workloads', answer: 'closed', text: 'No. No workload scanned runs a mutable ML image or shows a sign of a miner.', findings: [] };
  }
  return { question: 'workloads', answer: 'unknown', text: `Not established: ${unknownReason([{ ...step, checks: relevant }])}.`, findings: [] };
}

function unknownReason(steps: readonly PathStep[]): string {
  const checks = steps.flatMap((s) => s.checks);
  if (checks.length === 0) return 'no check for it ran';
  if (checks.some((c) => c.status === 'out-of-scope')) return 'the input is not a whole cluster, so what is missing cannot be told (scan the live cluster, or a full dump with --whole-cluster)';
  if (checks.some((c) => c.status === 'undecided')) return 'a check could not decide, usually because it was not allowed to read what it needs';
  if (checks.some((c) => c.status === 'failed')) return 'a check failed';
  if (checks.some((c) => c.status === 'not-run')) return 'not every check for it ran';
  if (checks.some((c) => c.status === 'review')) return 'only informational findings, which someone has to confirm by hand';
  return 'some inputs could not be read';
}

function findingCount(findings: readonly Finding[]): string {
  const ids = [...new Set(findings.map((f) => f.id))];
  return `${ids.length === 1 ? 'finding' : 'findings'} ${ids.join(', ')}`;
}

function limits(result: ScanResult): string[] {
  const out: string[] = [];
  const { unreadable, undecided } = result.coverage;
  if (unreadable.length > 0) out.push(`${[...new Set(unreadable.map((gap) => gap.resource))].join(', ')} could not be read (permissions), so checks that need them saw less.`);
  if (undecided.length > 0) out.push(`${[...new Set(undecided.map((item) => item.checkId))].join(', ')} could not reach a verdict.`);
  if ((result.outOfScope ?? []).length > 0) {
    out.push(`${result.outOfScope!.join(', ')} did not run: they look for something missing (Falco, Prometheus, alerts, policies), which only a whole cluster can tell.`);
  }
  if (result.errors.length > 0) out.push(`${result.errors.length} input${result.errors.length === 1 ? '' : 's'} or check${result.errors.length === 1 ? '' : 's'} failed; what they would have shown is missing.`);
  return out;
}
