import { SEVERITIES } from '../core/severity.js';
import type { Finding, ScanResult, Severity, SuppressedFinding } from '../core/types.js';
import { engagementParts, findingsHeadline, formatProblem, groupBy, locationLabel, omittedLabels, resourceLabel, scopeLabel, suppressionLabel } from './describe.js';
import { boxTable } from './box-table.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe } from './sanitize.js';
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

/** The human report: findings grouped by severity (and by context in live mode), fixes, gaps, summary. */
export function tableReport(result: ScanResult, context: ReportContext): string {
  const paint = (style: keyof typeof ANSI, text: string): string =>
    context.color ? `${ANSI[style][0]}${text}${ANSI[style][1]}` : text;
  const out: string[] = [];
  const engagement = engagementParts(context.engagement);
  if (engagement.length > 0) out.push(engagement.map(([label, value]) => `${label}: ${terminalSafe(value)}`).join(' | '), '');
  append(out, fleetSection(result, context, paint));

  if (result.findings.length === 0) {
    out.push(paint('bold', 'No findings.'));
  } else if (result.target.mode === 'cluster') {
    for (const [ctx, findings] of groupBy(result.findings, (f) => f.context ?? '(unknown context)')) {
      out.push(paint('bold', `Context ${terminalSafe(ctx)}`), '');
      append(out, severitySections(findings, context, paint));
    }
  } else {
    append(out, severitySections(result.findings, context, paint));
  }

  if (context.showSuppressed && (result.suppressed?.length ?? 0) > 0) {
    if (out.at(-1) !== '') out.push('');
    append(out, suppressedSection(result.suppressed!, context, paint));
  }
  append(out, fixSection(result, paint));
  append(out, coverageSection(result, paint));
  append(out, problemSection(result, paint));
  out.push(summaryLine(result, context.showSuppressed === true));
  return `${out.join('\n')}\n`;
}

/** With more than one context, a row per context comes first: what each holds, before the findings of all. */
function fleetSection(result: ScanResult, context: ReportContext, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  const fleet = fleetSummary(result, context.attackPath ?? []);
  if (!fleet || fleet.length < 2) return [];
  const counts = SEVERITIES.map((severity) => severity.slice(0, 4).replace(/^medi$/, 'med'));
  const contextWidth = Math.min(Math.max(7, maxOf(fleet.map((entry) => terminalSafe(entry.context).length))), 40) + 2;
  const countWidths = counts.map((label) => Math.max(label.length, maxOf(fleet.map((entry) => String(entry.findings.total).length))) + 2);
  const stepsWidth = Math.max(30, Math.max(context.width, 80) - 1 - contextWidth - countWidths.reduce((sum, width) => sum + width + 1, 0) - 2);
  const rows = fleet.map((entry) => {
    // A context that was not scanned has no counts: a 0 would read as clean.
    const severities = SEVERITIES.map((severity) => (entry.status === 'failed' ? '-' : String(entry.findings[severity])));
    const steps =
      entry.status === 'failed'
        ? `not scanned: ${entry.error ?? 'unknown error'}`
        : `${entry.stepsOpen.length}/${ATTACK_STEPS.length}${entry.stepsOpen.length ? `: ${entry.stepsOpen.join(', ')}` : ''}${entry.stepsUnknown ? ` (${entry.stepsUnknown} unknown)` : ''}`;
    return [entry.context, ...severities, steps].map((cell, index) => wrap(terminalSafe(cell), (index === 0 ? contextWidth : index <= counts.length ? countWidths[index - 1]! : stepsWidth) - 2));
  });
  const scanned = fleet.filter((entry) => entry.status === 'scanned').length;
  return [
    paint('bold', `Fleet: ${scanned} of ${fleet.length} contexts scanned`),
    boxTable(['Context', ...counts, 'Attack-path steps open'], rows, [contextWidth, ...countWidths, stepsWidth]),
    '',
  ];
}

function severitySections(findings: readonly Finding[], context: ReportContext, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  const out: string[] = [];
  // One set of widths for all groups, so the tables line up.
  const widths = columnWidths(context.width, findings);
  for (const severity of SEVERITIES) {
    const group = findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    out.push(paint(severity, `${severity.toUpperCase()} (${group.length})`));
    const rows = group.map((finding) =>
      [finding.checkId, resourceLabel(finding), locationLabel(finding), finding.message].map((cell, index) => wrap(terminalSafe(cell), widths[index]! - 2)),
    );
    out.push(boxTable(['Check', 'Resource', 'Location', 'Message'], rows, widths), '');
  }
  return out;
}

function suppressedSection(suppressed: readonly SuppressedFinding[], context: ReportContext, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  const widths = columnWidths(context.width, suppressed);
  const rows = suppressed.map((finding) =>
    [finding.checkId, resourceLabel(finding), locationLabel(finding), suppressionLabel(finding.suppression)].map((cell, index) => wrap(terminalSafe(cell), widths[index]! - 2)),
  );
  return [paint('dim', `SUPPRESSED (${suppressed.length})`), boxTable(['Check', 'Resource', 'Location', 'Suppressed by'], rows, widths), ''];
}

function fixSection(result: ScanResult, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  if (result.findings.length === 0) return [];
  const out = [paint('bold', 'How to fix'), ''];
  const seen = new Set<string>();
  for (const finding of result.findings) {
    if (seen.has(finding.checkId)) continue;
    seen.add(finding.checkId);
    out.push(`  ${paint('bold', terminalSafe(finding.checkId))}: ${terminalSafe(finding.title)}`);
    out.push(`    ${terminalSafe(finding.remediation)}`);
    // A plugin check may have no docs URL; its text is the plugin's, so it is escaped like manifests.
    if (finding.docsUrl) out.push(`    ${paint('dim', terminalSafe(finding.docsUrl))}`);
  }
  out.push('');
  return out;
}

function coverageSection(result: ScanResult, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  const { unreadable, undecided } = result.coverage;
  if (unreadable.length === 0 && undecided.length === 0) return [];
  const out = [paint('bold', 'Coverage gaps (not passes)'), ''];
  for (const gap of unreadable) {
    const object = gap.name ? `${gap.resource} ${[gap.namespace, gap.name].filter(Boolean).join('/')}` : gap.resource;
    const where = gap.name ? (gap.context ?? '') : [gap.context, gap.namespace].filter(Boolean).join('/');
    out.push(`  could not read ${terminalSafe(object)}${where ? ` in ${terminalSafe(where)}` : ''}: ${terminalSafe(gap.reason)}`);
  }
  for (const item of undecided) {
    out.push(`  ${item.checkId}${item.context ? ` [${terminalSafe(item.context)}]` : ''} could not decide: ${terminalSafe(item.reason)}`);
  }
  out.push('');
  return out;
}

function problemSection(result: ScanResult, paint: (s: keyof typeof ANSI, t: string) => string): string[] {
  if (result.errors.length === 0) return [];
  const out = [paint('bold', 'Errors (inputs not scanned, checks or plugins that failed)'), ''];
  for (const error of result.errors) out.push(`  ${terminalSafe(formatProblem(error))}`);
  out.push('');
  return out;
}

function summaryLine(result: ScanResult, showSuppressed: boolean): string {
  const extras = [
    ...omittedLabels(result, showSuppressed),
    result.errors.length ? `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : '',
    result.warnings.length ? `${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : '',
  ].filter(Boolean);
  return `kfscan: ${findingsHeadline(result.findings)} in ${scopeLabel(result)}${extras.length ? `; ${extras.join(', ')}` : ''}`;
}

/** Columns sized to their content where it fits, so that `file:line` stays on one line when it can. */
function columnWidths(total: number, findings: readonly Finding[]): number[] {
  const usable = Math.max(total, 80) - 13; // borders and padding
  const longest = (label: (f: Finding) => string): number => maxOf(findings.map((f) => terminalSafe(label(f)).length));
  const check = Math.min(longest((f) => f.checkId), 28);
  const location = Math.min(longest(locationLabel), Math.floor(usable * 0.35));
  const resource = Math.min(longest(resourceLabel), Math.floor(usable * 0.22));
  const message = Math.max(30, usable - check - location - resource);
  return [check, resource, location, message].map((width) => width + 2);
}

/**
 * Wraps at spaces, and breaks words longer than a line after a `/`, `-` or `.` where it can, so that
 * paths and resource names stay whole and readable instead of being cut off with an ellipsis.
 */
export function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  const flush = (): void => {
    if (line !== '') lines.push(line);
    line = '';
  };
  for (const word of text.split(' ')) {
    let rest = word;
    if (line !== '' && line.length + 1 + rest.length <= width) {
      line += ` ${rest}`;
      continue;
    }
    flush();
    while (rest.length > width) {
      const window = rest.slice(0, width);
      const soft = Math.max(window.lastIndexOf('/'), window.lastIndexOf('-'), window.lastIndexOf('.'));
      const cut = soft >= width / 2 ? soft + 1 : width;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  flush();
  return lines.join('\n');
}
