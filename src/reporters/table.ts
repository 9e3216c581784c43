import { describeObject } from '../core/object-ref.js';
import { SEVERITIES } from '../core/severity.js';
import type { Finding, ScanResult, Severity, SuppressedFinding } from '../core/types.js';
import {
  checkTally,
  engagementParts,
  checksLabel,
  docsReference,
  findingsHeadline,
  formatProblem,
  gapLabel,
  groupBy,
  locationLabel,
  omittedLabels,
  resourceLabel,
  scopeLabel,
  suppressionLabel,
} from './describe.js';
import { boxTable } from './box-table.js';
import { MIN_TABLE_WIDTH, fitColumns, type ColumnSpec } from './columns.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe } from './sanitize.js';
import { wrapParagraph, wrapText } from './text-wrap.js';
import { append, maxOf } from '../core/arrays.js';
import { ATTACK_STEPS } from './attack-path.js';
import { fleetSummary } from './fleet.js';

const ANSI: Record<Severity | 'dim' | 'bold', [string, string]> = {
  critical: ['\u001b[1;31m', '\u001b[0m'],
  high: ['\u001b[31m', '\u001b[0m'],
  medium: ['\u001b[33m', '\u001b[0m'],
  low: ['\u001b[36m', '\u001b[0m'],
  info: ['\u001b[90m', '\u001b[0m'],
  dim: ['\u001b[2m', '\u001b[0m'],
  bold: ['\u001b[1m', '\u001b[0m'],
};

type Paint = (style: keyof typeof ANSI, text: string) => string;

/**
 * The human report: findings grouped by severity (and by context in live mode), fixes, gaps, and a summary
 * that says which checks ran. Every line fits `context.width` display columns (at least 80).
 */
export function tableReport(result: ScanResult, context: ReportContext): string {
  const paint: Paint = (style, text) => (context.color ? `${ANSI[style][0]}${text}${ANSI[style][1]}` : text);
  const width = Math.max(MIN_TABLE_WIDTH, context.width);
  const out: string[] = [];
  const tally = checkTally(result);
  const engagement = engagementParts(context.engagement);
  if (engagement.length > 0) out.push(...wrapText(engagement.map(([label, value]) => `${label}: ${terminalSafe(value)}`).join(' | '), width), '');
  append(out, fleetSection(result, context, width, paint));

  if (result.findings.length === 0) {
    const complete = tally.notApplicable.length === 0 && tally.undecided.length === 0;
    out.push(...wrapText(complete ? 'No findings.' : `No findings from the ${tally.ran} of ${tally.selected} checks that ran (see the summary below).`, width).map((line) => paint('bold', line)), '');
  } else if (result.target.mode === 'cluster') {
    for (const [ctx, findings] of groupBy(result.findings, (f) => f.context ?? '(unknown context)')) {
      out.push(...wrapText(`Context ${terminalSafe(ctx)}`, width).map((line) => paint('bold', line)), '');
      append(out, severitySections(findings, width, context.wide === true, paint));
    }
  } else {
    append(out, severitySections(result.findings, width, context.wide === true, paint));
  }

  if (context.showSuppressed && (result.suppressed?.length ?? 0) > 0) {
    append(out, suppressedSection(result.suppressed!, width, context.wide === true, paint));
  }
  append(out, fixSection(result, width, paint));
  append(out, coverageSection(result, width, paint));
  append(out, problemSection(result, width, paint));
  out.push(...wrapParagraph(`${capitalise(checksLabel(tally))}.`, width, '', '  '));
  out.push(...wrapParagraph(summaryLine(result, context.showSuppressed === true), width, '', '  '));
  return `${out.join('\n')}\n`;
}

/** With more than one context, a row per context comes first: what each holds, before the findings of all. */
function fleetSection(result: ScanResult, context: ReportContext, width: number, paint: Paint): string[] {
  const fleet = fleetSummary(result, context.attackPath ?? []);
  if (!fleet || fleet.length < 2) return [];
  const counts = SEVERITIES.map((severity) => severity.slice(0, 4).replace(/^medi$/, 'med'));
  const contextWidth = Math.min(Math.max(7, maxOf(fleet.map((entry) => terminalSafe(entry.context).length))), 40) + 2;
  const countWidths = counts.map((label) => Math.max(label.length, maxOf(fleet.map((entry) => String(entry.findings.total).length))) + 2);
  const stepsWidth = Math.max(30, width - 1 - contextWidth - countWidths.reduce((sum, width) => sum + width + 1, 0) - 2);
  const rows = fleet.map((entry) => {
    // A context that was not scanned has no counts: a 0 would read as clean.
    const severities = SEVERITIES.map((severity) => (entry.status === 'failed' ? '-' : String(entry.findings[severity])));
    const steps =
      entry.status === 'failed'
        ? `not scanned: ${entry.error ?? 'unknown error'}`
        : `${entry.stepsOpen.length}/${ATTACK_STEPS.length}${entry.stepsOpen.length ? `: ${entry.stepsOpen.join(', ')}` : ''}${entry.stepsUnknown ? ` (${entry.stepsUnknown} unknown)` : ''}`;
    return [entry.context, ...severities, steps].map((cell, index) => wrapText(terminalSafe(cell), (index === 0 ? contextWidth : index <= counts.length ? countWidths[index - 1]! : stepsWidth) - 2).join('\n'));
  });
  const scanned = fleet.filter((entry) => entry.status === 'scanned').length;
  return [
    paint('bold', `Fleet: ${scanned} of ${fleet.length} contexts scanned`),
    boxTable(['Context', ...counts, 'Attack-path steps open'], rows, [contextWidth, ...countWidths, stepsWidth]),
    '',
  ];
}

// Below this the resource goes above the message in one cell: four columns in 80 leave messages slivers.
const NARROW = 100;
// From this, --wide gives the related objects a column of their own, else they follow the message.
const RELATED_COLUMN = 140;

interface Layout {
  columns: ColumnSpec[];
  cells: (finding: Finding, last: string) => string[];
}

function layout(width: number, wide: boolean, lastHead: string): Layout {
  const narrow = width < NARROW;
  const relatedColumn = wide && width >= RELATED_COLUMN;
  const columns: ColumnSpec[] = [
    ...(wide ? [{ head: 'ID', min: 9, cap: 0.12 }] : []),
    // From 120 columns a check id of up to 27 characters stays on one line; below, ids wrap at a hyphen.
    { head: 'Check', min: 12, cap: width >= 120 ? 0.26 : 0.2 },
    ...(narrow ? [] : [{ head: 'Resource', min: 12, weight: 1 }]),
    { head: 'Location', min: 12, cap: 0.25 },
    { head: narrow ? `Resource / ${lastHead}` : lastHead, min: 20, weight: 2 },
    ...(relatedColumn ? [{ head: 'Related', min: 12, weight: 1.2 }] : []),
  ];
  const cells = (finding: Finding, last: string): string[] => {
    const related = wide ? relatedLines(finding) : [];
    const message = [...(narrow ? [resourceLabel(finding)] : []), last, ...(relatedColumn ? [] : related.map((line) => `- ${line}`))].join('\n');
    return [
      ...(wide ? [finding.id] : []),
      finding.checkId,
      ...(narrow ? [] : [resourceLabel(finding)]),
      locationLabel(finding),
      message,
      ...(relatedColumn ? [related.join('\n') || '-'] : []),
    ].map((cell) => cell.split('\n').map(terminalSafe).join('\n'));
  };
  return { columns, cells };
}

/** The other objects on the path to a finding (entry point, gateway, route), with where they are written. */
function relatedLines(finding: Finding): string[] {
  return finding.related.map((item) => `${item.note}: ${describeObject(item.resource)}${item.location ? ` (${item.location.file}:${item.location.line})` : ''}`);
}

function drawTable(columns: readonly ColumnSpec[], cells: ReadonlyArray<readonly string[]>, widths: readonly number[]): string {
  const rows = cells.map((row) => row.map((cell, index) => cell.split('\n').flatMap((paragraph) => wrapText(paragraph, widths[index]!)).join('\n')));
  return boxTable(
    columns.map((column) => column.head),
    rows,
    widths.map((w) => w + 2),
  );
}

function severitySections(findings: readonly Finding[], width: number, wide: boolean, paint: Paint): string[] {
  const { columns, cells: cellsOf } = layout(width, wide, 'Message');
  const cells = findings.map((finding) => cellsOf(finding, finding.message));
  // One set of widths for all groups, so the tables line up.
  const widths = fitColumns(columns, cells, width);
  const out: string[] = [];
  for (const severity of SEVERITIES) {
    const group = findings.flatMap((finding, index) => (finding.severity === severity ? [cells[index]!] : []));
    if (group.length === 0) continue;
    out.push(paint(severity, `${severity.toUpperCase()} (${group.length})`));
    out.push(drawTable(columns, group, widths), '');
  }
  return out;
}

function suppressedSection(suppressed: readonly SuppressedFinding[], width: number, wide: boolean, paint: Paint): string[] {
  const { columns, cells: cellsOf } = layout(width, wide, 'Waived by');
  const cells = suppressed.map((finding) => cellsOf(finding, suppressionLabel(finding.suppression)));
  return [paint('dim', `WAIVED (${suppressed.length})`), drawTable(columns, cells, fitColumns(columns, cells, width)), ''];
}

function fixSection(result: ScanResult, width: number, paint: Paint): string[] {
  if (result.findings.length === 0) return [];
  const out = [paint('bold', 'How to fix'), ''];
  const seen = new Set<string>();
  for (const finding of result.findings) {
    if (seen.has(finding.checkId)) continue;
    seen.add(finding.checkId);
    const heading = wrapParagraph(`${terminalSafe(finding.checkId)}: ${terminalSafe(finding.title)}`, width, '  ', '    ');
    out.push(paint('bold', heading[0]!), ...heading.slice(1));
    append(out, wrapParagraph(terminalSafe(finding.remediation), width, '    '));
    // A plugin check's URL is the plugin's text: escaped like manifests.
    const docs = docsReference(finding.checkId, finding.docsUrl);
    if (docs) out.push(...wrapParagraph(docs.kind === 'url' ? terminalSafe(docs.url) : `More: ${docs.command}`, width, '    ').map((line) => paint('dim', line)));
  }
  out.push('');
  return out;
}

function coverageSection(result: ScanResult, width: number, paint: Paint): string[] {
  const { unreadable, undecided } = result.coverage;
  if (unreadable.length === 0 && undecided.length === 0) return [];
  const out = [paint('bold', 'Coverage gaps (not passes)'), ''];
  for (const gap of unreadable) append(out, wrapParagraph(`could not read ${terminalSafe(gapLabel(gap))}: ${terminalSafe(gap.reason)}`, width, '  ', '    '));
  for (const item of undecided) {
    append(out, wrapParagraph(`${item.checkId}${item.context ? ` [${terminalSafe(item.context)}]` : ''} could not decide: ${terminalSafe(item.reason)}`, width, '  ', '    '));
  }
  out.push('');
  return out;
}

function problemSection(result: ScanResult, width: number, paint: Paint): string[] {
  if (result.errors.length === 0) return [];
  const out = [paint('bold', 'Errors (inputs not scanned, checks or plugins that failed)'), ''];
  for (const error of result.errors) append(out, wrapParagraph(terminalSafe(formatProblem(error)), width, '  ', '    '));
  out.push('');
  return out;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function summaryLine(result: ScanResult, showSuppressed: boolean): string {
  const extras = [
    ...omittedLabels(result, showSuppressed),
    result.errors.length ? `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : '',
    result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `kfscan: ${findingsHeadline(result.findings)} in ${scopeLabel(result)}${extras.length ? `; ${extras.join(', ')}` : ''}`;
}
