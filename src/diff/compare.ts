// A re-audit: what changed between two scans, by finding identity (the fingerprint, which the short id is
// taken from). A finding of the earlier report that the later one does not hold is "fixed" only when the
// later scan could have seen it: if its check did not run or could not decide there, or its cluster was
// not scanned, it is "not rechecked"; if a suppression hides it, "suppressed". So a finding never turns
// into a fix because nobody looked.
import { severityRank } from '../core/severity.js';
import type { ScanResult, Severity } from '../core/types.js';
import type { ReportedFinding, ReportFile } from './report-file.js';

export interface ChangedFinding extends ReportedFinding {
  /** For unchanged findings whose severity changed: the earlier one. */
  previousSeverity?: Severity;
  /** For findings not rechecked: why. */
  reason?: string;
}

export interface ReportSide {
  label: string;
  version: string;
  scannedAt: string | null;
  findings: number;
}

export interface ReportComparison {
  reports: { old: ReportSide; new: ReportSide };
  /** In the later report only. */
  added: ChangedFinding[];
  /** In the earlier report only, and the later scan looked. */
  fixed: ChangedFinding[];
  unchanged: ChangedFinding[];
  /** In the earlier report, suppressed in the later one. */
  suppressed: ChangedFinding[];
  /** In the earlier report, and the later scan could not see them (check not run or undecided, cluster not scanned). */
  notRechecked: ChangedFinding[];
  /** Why some of the above may mislead (different inputs, filters, errors). */
  warnings: string[];
}

export function compareReports(old: ReportFile, current: ReportFile): ReportComparison {
  const before = unique(old.findings);
  const after = unique(current.findings);
  const comparison: ReportComparison = {
    reports: { old: side(old), new: side(current) },
    added: [],
    fixed: [],
    unchanged: [],
    suppressed: [],
    notRechecked: [],
    warnings: warnings(old, current),
  };
  for (const [print, finding] of after) {
    const earlier = before.get(print);
    if (!earlier) comparison.added.push(finding);
    else comparison.unchanged.push(earlier.severity === finding.severity ? finding : { ...finding, previousSeverity: earlier.severity });
  }
  const scannedContexts = current.target.mode === 'cluster' ? new Set(current.target.contexts ?? []) : null;
  for (const [print, finding] of before) {
    if (after.has(print)) continue;
    if (current.suppressed.has(print)) {
      comparison.suppressed.push(finding);
      continue;
    }
    const reason = notRecheckedReason(finding, current, scannedContexts);
    if (reason) comparison.notRechecked.push({ ...finding, reason });
    else comparison.fixed.push(finding);
  }
  for (const list of [comparison.added, comparison.fixed, comparison.unchanged, comparison.suppressed, comparison.notRechecked]) list.sort(bySeverity);
  return comparison;
}

function notRecheckedReason(finding: ReportedFinding, current: ReportFile, scannedContexts: ReadonlySet<string> | null): string | null {
  if (scannedContexts && finding.context !== null && !scannedContexts.has(finding.context)) return `context ${finding.context} was not scanned`;
  if (current.checks && !current.checks.includes(finding.checkId)) return `check ${finding.checkId} did not run`;
  const undecided = current.undecided.find((item) => item.checkId === finding.checkId && (item.context === null || finding.context === null || item.context === finding.context));
  if (undecided) return `check ${finding.checkId} could not decide`;
  return null;
}

function warnings(old: ReportFile, current: ReportFile): string[] {
  const out: string[] = [];
  if (old.target.mode !== current.target.mode) out.push(`the earlier report scanned ${describeTarget(old)}, the later one ${describeTarget(current)}: findings of one side are not comparable to the other's`);
  else if (JSON.stringify(old.target) !== JSON.stringify(current.target)) out.push(`the two reports scanned different inputs (${describeTarget(old)}; ${describeTarget(current)}): findings outside what both scanned show as new or fixed`);
  if (current.filtered > 0) out.push(`the later report left ${current.filtered} finding${current.filtered === 1 ? '' : 's'} out (--min-severity or --baseline): a finding listed as fixed may only be filtered`);
  if (old.filtered > 0) out.push(`the earlier report left ${old.filtered} finding${old.filtered === 1 ? '' : 's'} out (--min-severity or --baseline): a finding listed as new may only have been filtered then`);
  if (current.errors > 0) out.push(`the later scan had ${current.errors} error${current.errors === 1 ? '' : 's'} (inputs or checks that failed): a finding listed as fixed may be missing because of them`);
  if (!current.checks) out.push('the later report does not say which checks ran (written by an older kfscan): a finding of a check that did not run shows as fixed');
  return out;
}

function describeTarget(report: ReportFile): string {
  return report.target.mode === 'cluster' ? `contexts ${(report.target.contexts ?? []).join(', ') || '(current)'}` : `manifests ${(report.target.paths ?? []).join(', ')}`;
}

function side(report: ReportFile): ReportSide {
  return { label: report.label, version: report.version, scannedAt: report.scannedAt, findings: report.findings.length };
}

/** One entry per fingerprint: one object declared in two files is one finding in two places. */
function unique(findings: readonly ReportedFinding[]): Map<string, ReportedFinding> {
  const out = new Map<string, ReportedFinding>();
  for (const finding of findings) if (!out.has(finding.fingerprint)) out.set(finding.fingerprint, finding);
  return out;
}

function bySeverity(a: ReportedFinding, b: ReportedFinding): number {
  return severityRank(b.severity) - severityRank(a.severity) || compareText(a.checkId, b.checkId) || compareText(a.id, b.id);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The report file a scan would write, for comparing a scan in progress with an earlier report (`--compare`). */
export function reportFileOf(result: ScanResult, version: string, label: string): ReportFile {
  const undecided = result.coverage.undecided.map((item) => ({ checkId: item.checkId, context: item.context }));
  return {
    label,
    version,
    scannedAt: result.provenance?.scannedAt ?? null,
    target: result.target,
    findings: result.findings.map((f) => ({
      id: f.id,
      fingerprint: f.fingerprint,
      checkId: f.checkId,
      title: f.title,
      severity: f.severity,
      resource: f.resource,
      location: f.location,
      context: f.context,
      message: f.message,
    })),
    suppressed: new Set((result.suppressed ?? []).map((f) => f.fingerprint)),
    checks: result.provenance?.checks ?? result.checks.map((meta) => meta.id).filter((id) => !(result.outOfScope ?? []).includes(id)),
    undecided,
    filtered: (result.filtered?.belowMinSeverity ?? 0) + (result.filtered?.inBaseline ?? 0),
    errors: result.errors.length,
  };
}

/** The number of each list, for every format. */
export function comparisonCounts(comparison: ReportComparison): Record<'new' | 'fixed' | 'unchanged' | 'suppressed' | 'notRechecked', number> {
  return {
    new: comparison.added.length,
    fixed: comparison.fixed.length,
    unchanged: comparison.unchanged.length,
    suppressed: comparison.suppressed.length,
    notRechecked: comparison.notRechecked.length,
  };
}
