// The remediation plan of a customer report: what to do first, and which findings each action clears.
// Actions are the remediation kit's fixes where kfscan could write one (verified: the kit, applied to the
// scanned objects, makes those findings go away), the kit's steps for people, and for every other finding
// its check's own remediation. Ordered by impact: the most severe finding cleared first, then the earliest
// step of the attack path (closing the entry stops the whole chain), then the number of findings cleared.
import { ATTACK_STEP_IDS } from '../core/attack-steps.js';
import { categoryStep, isCategory } from '../core/categories.js';
import { maxSeverity, severityRank } from '../core/severity.js';
import type { Finding, ScanResult, Severity } from '../core/types.js';
import type { KitPlan } from './report-context.js';

export interface PlanItem {
  /** What to do, in one line. */
  action: string;
  /** The check's remediation (Markdown backticks for commands) for actions that are not the kit's. */
  detail: string | null;
  /** Files of the remediation kit that carry the change, relative to the kit's directory. */
  files: string[];
  /** The command that writes the kit holding `files`; `null` when there are none. */
  kitCommand: string | null;
  /** The view or cluster the kit is for, when the scan has several. */
  scope: string | null;
  /** The findings the action clears, most severe first. */
  findings: Finding[];
  severity: Severity;
}

export function remediationPlan(result: ScanResult, kits: readonly KitPlan[] = []): PlanItem[] {
  const byPrint = new Map<string, Finding[]>();
  for (const finding of result.findings) byPrint.set(finding.fingerprint, [...(byPrint.get(finding.fingerprint) ?? []), finding]);
  const claimed = new Set<Finding>();
  const claim = (prints: readonly string[]): Finding[] => {
    const found = prints.flatMap((print) => byPrint.get(print) ?? []).filter((finding) => !claimed.has(finding));
    found.forEach((finding) => claimed.add(finding));
    return found;
  };
  const items: PlanItem[] = [];
  const add = (item: Omit<PlanItem, 'severity'>): void => {
    if (item.findings.length === 0) return;
    const severity = item.findings.map((finding) => finding.severity).reduce(maxSeverity);
    items.push({ ...item, findings: [...item.findings].sort(bySeverity), severity });
  };
  for (const kit of kits) {
    for (const fix of kit.fixes) add({ action: fix.title, detail: null, files: fix.files, kitCommand: kit.command, scope: kit.scope, findings: claim(fix.clears) });
  }
  for (const kit of kits) {
    for (const step of kit.steps) {
      add({ action: step.title, detail: null, files: step.files, kitCommand: step.files.length ? kit.command : null, scope: kit.scope, findings: claim(step.clears) });
    }
  }
  const rest = new Map<string, Finding[]>();
  for (const finding of result.findings) if (!claimed.has(finding)) rest.set(finding.checkId, [...(rest.get(finding.checkId) ?? []), finding]);
  for (const findings of rest.values()) {
    const first = findings[0]!;
    add({ action: first.title, detail: first.remediation, files: [], kitCommand: null, scope: null, findings });
  }
  return items.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      earliestStep(a.findings) - earliestStep(b.findings) ||
      b.findings.length - a.findings.length ||
      (a.action < b.action ? -1 : a.action > b.action ? 1 : 0),
  );
}

function earliestStep(findings: readonly Finding[]): number {
  return Math.min(...findings.map((finding) => (isCategory(finding.category) ? ATTACK_STEP_IDS.indexOf(categoryStep(finding.category)) : ATTACK_STEP_IDS.length)));
}

function bySeverity(a: Finding, b: Finding): number {
  return severityRank(b.severity) - severityRank(a.severity) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
