// `kfscan diff OLD.json NEW.json` as text: a table for people, markdown for a pull request or ticket, JSON
// for tools. Everything in a comparison comes from two report files someone handed over: it is written
// through the same helpers as manifest text (terminalSafe, markdownCode, terminalSafeJson).
import { describeObject } from '../core/object-ref.js';
import { comparisonCounts, type ChangedFinding, type ReportComparison } from '../diff/compare.js';
import { boxTable } from './box-table.js';
import { markdownCode, terminalSafe, terminalSafeJson } from './sanitize.js';
import { wrap } from './table.js';

export const DIFF_FORMATS = ['table', 'markdown', 'json'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

const SECTIONS: ReadonlyArray<{ key: keyof Pick<ReportComparison, 'added' | 'fixed' | 'suppressed' | 'notRechecked' | 'unchanged'>; title: string }> = [
  { key: 'added', title: 'New' },
  { key: 'fixed', title: 'Fixed' },
  { key: 'suppressed', title: 'Suppressed since (accepted, not fixed)' },
  { key: 'notRechecked', title: 'Not rechecked (the later scan could not see them)' },
  { key: 'unchanged', title: 'Unchanged' },
];

export function comparisonReport(comparison: ReportComparison, format: DiffFormat, width = 120): string {
  if (format === 'json') return `${terminalSafeJson(comparisonJson(comparison))}\n`;
  return format === 'markdown' ? comparisonMarkdown(comparison) : comparisonTable(comparison, width);
}

/** The JSON of `kfscan diff`: `{ new, fixed, unchanged, counts }` and what else a re-audit needs to be read right. */
export function comparisonJson(comparison: ReportComparison) {
  const entry = (finding: ChangedFinding) => ({
    id: finding.id,
    fingerprint: finding.fingerprint,
    checkId: finding.checkId,
    title: finding.title,
    severity: finding.severity,
    ...(finding.previousSeverity ? { previousSeverity: finding.previousSeverity } : {}),
    resource: finding.resource,
    location: finding.location,
    context: finding.context,
    message: finding.message,
    ...(finding.reason ? { reason: finding.reason } : {}),
  });
  return {
    schemaVersion: 1,
    tool: { name: 'kfscan' },
    reports: comparison.reports,
    counts: comparisonCounts(comparison),
    new: comparison.added.map(entry),
    fixed: comparison.fixed.map(entry),
    unchanged: comparison.unchanged.map(entry),
    suppressed: comparison.suppressed.map(entry),
    notRechecked: comparison.notRechecked.map(entry),
    warnings: comparison.warnings,
  };
}

function headline(comparison: ReportComparison): string {
  const counts = comparisonCounts(comparison);
  const extra = [counts.suppressed ? `${counts.suppressed} suppressed` : '', counts.notRechecked ? `${counts.notRechecked} not rechecked` : ''].filter(Boolean);
  return `${counts.new} new, ${counts.fixed} fixed, ${counts.unchanged} unchanged${extra.length ? `, ${extra.join(', ')}` : ''}`;
}

function sides(comparison: ReportComparison): string {
  const { old, new: current } = comparison.reports;
  const side = (label: string, version: string, at: string | null): string => `${label} (kfscan ${version}${at ? `, scanned ${at}` : ''})`;
  return `${side(old.label, old.version, old.scannedAt)} -> ${side(current.label, current.version, current.scannedAt)}`;
}

function comparisonTable(comparison: ReportComparison, total: number): string {
  const out = [`kfscan diff: ${headline(comparison)}`, terminalSafe(sides(comparison)), ''];
  const usable = Math.max(total, 80) - 16;
  const widths = [14, 10, Math.floor(usable * 0.25), Math.floor(usable * 0.3), usable - 24 - Math.floor(usable * 0.25) - Math.floor(usable * 0.3)].map((w) => Math.max(w, 8) + 2);
  for (const { key, title } of SECTIONS) {
    const list = comparison[key];
    if (list.length === 0) continue;
    out.push(`${title.toUpperCase()} (${list.length})`);
    const rows = list.map((f) =>
      [f.id, f.previousSeverity ? `${f.severity} (was ${f.previousSeverity})` : f.severity, f.checkId, resource(f), f.reason ?? f.message].map((cell, i) => wrap(terminalSafe(cell), widths[i]! - 2)),
    );
    out.push(boxTable(['Id', 'Severity', 'Check', 'Resource', key === 'notRechecked' ? 'Why' : 'Message'], rows, widths), '');
  }
  for (const warning of comparison.warnings) out.push(`warning: ${terminalSafe(warning)}`);
  return `${out.join('\n').trimEnd()}\n`;
}

function comparisonMarkdown(comparison: ReportComparison): string {
  const out = [`### kfscan diff: ${headline(comparison)}`, '', markdownCode(sides(comparison)), ''];
  for (const { key, title } of SECTIONS) {
    const list = comparison[key];
    if (list.length === 0) continue;
    out.push(`**${title} (${list.length})**`, '', `| Id | Severity | Check | Resource | ${key === 'notRechecked' ? 'Why' : 'Message'} |`, '|---|---|---|---|---|');
    for (const f of list) {
      const cells = [f.id, f.previousSeverity ? `${f.severity} (was ${f.previousSeverity})` : f.severity, f.checkId, resource(f), f.reason ?? f.message];
      out.push(`| ${cells.map((cell) => markdownCode(cell.length > 400 ? `${cell.slice(0, 399)}…` : cell, { inTable: true })).join(' | ')} |`);
    }
    out.push('');
  }
  if (comparison.warnings.length) out.push('**Warnings**', '', ...comparison.warnings.map((w) => `- ${markdownCode(w)}`), '');
  return `${out.join('\n').trimEnd()}\n`;
}

function resource(finding: ChangedFinding): string {
  const object = finding.resource ? describeObject(finding.resource) : '(cluster)';
  return finding.context ? `${object} in ${finding.context}` : object;
}
