import type { Finding, ScanResult, SuppressedFinding } from '../core/types.js';
import { engagementParts, findingsHeadline, locationLabel, omittedLabels, resourceLabel, scopeLabel, suppressionLabel } from './describe.js';
import type { ReportContext } from './report-context.js';
import { formatProblem } from './describe.js';
import { markdownCode, markdownLink as link, markdownText, terminalSafe } from './sanitize.js';
import { append } from '../core/arrays.js';

/** Enough to act on in a pull-request comment, well under GitHub's 65,536-character limit. */
export const MAX_ROWS = 25;
const MAX_LISTED_PROBLEMS = 10;
const MAX_CELL = 400;

/**
 * A pull-request comment: the counts, the most severe findings, how to fix them, and what the scan
 * could not see. Everything that comes from a manifest is in code spans (see `markdownCode`), so a
 * resource name cannot add links, images, HTML or mentions to the comment.
 */
export function markdownReport(result: ScanResult, context: ReportContext): string {
  const out: string[] = [];
  const headline = result.findings.length === 0 ? 'no findings' : findingsHeadline(result.findings);
  out.push(`### kfscan: ${headline}`, '');
  const engagement = engagementParts(context.engagement);
  if (engagement.length > 0) out.push(engagement.map(([label, value]) => `**${label}:** ${markdownCode(value)}`).join(' · '), '');
  const omitted = omittedLabels(result, context.showSuppressed === true);
  const problems = [
    result.errors.length ? `${result.errors.length} error${result.errors.length === 1 ? '' : 's'}` : '',
    result.coverage.undecided.length || result.coverage.unreadable.length ? 'coverage gaps (below)' : '',
  ].filter(Boolean);
  const plugins = (result.plugins ?? []).map((p) => markdownText(`${p.name}${p.version ? ` ${p.version}` : ''}`));
  const tool = `kfscan ${markdownText(context.version)}${plugins.length ? ` and plugin${plugins.length === 1 ? '' : 's'} ${plugins.join(', ')}` : ''}`;
  out.push(`Scanned ${scopeLabel(result)} with ${tool}.${[...omitted, ...problems].map((s) => ` ${capitalise(s)}.`).join('')}`, '');

  if (result.findings.length > 0) {
    out.push(...findingsTable(result.findings.slice(0, MAX_ROWS)));
    const more = result.findings.length - MAX_ROWS;
    if (more > 0) out.push('', `…and ${more} more finding${more === 1 ? '' : 's'}; the JSON and SARIF reports list all of them.`);
    out.push('', ...fixes(result.findings));
  }
  if (context.showSuppressed && (result.suppressed?.length ?? 0) > 0) append(out, suppressedDetails(result.suppressed!));
  append(out, gaps(result));
  // Sections start with a blank line of their own; never two in a row.
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function findingsTable(findings: readonly Finding[]): string[] {
  return [
    '| Id | Severity | Check | Resource | Location | Message |',
    '|---|---|---|---|---|---|',
    ...findings.map(
      (f) => `| ${cell(f.id)} | ${f.severity} | ${link(markdownText(f.checkId), f.docsUrl)} | ${cell(resourceLabel(f))} | ${cell(locationLabel(f))} | ${cell(f.message)} |`,
    ),
  ];
}

function fixes(findings: readonly Finding[]): string[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) if (!seen.has(finding.checkId)) seen.set(finding.checkId, finding);
  // Remediation is written by check authors in Markdown (commands in backticks): kept as Markdown.
  const items = [...seen.values()].map(
    (f) => `- **${markdownText(f.checkId)}** (${markdownText(f.title)}): ${terminalSafe(f.remediation)}${f.docsUrl ? ` ${link('More', f.docsUrl)}` : ''}`,
  );
  return ['<details><summary>How to fix</summary>', '', ...items, '', '</details>'];
}

function suppressedDetails(suppressed: readonly SuppressedFinding[]): string[] {
  return [
    '',
    `<details><summary>${suppressed.length} suppressed finding${suppressed.length === 1 ? '' : 's'}</summary>`,
    '',
    '| Id | Severity | Check | Resource | Suppressed by |',
    '|---|---|---|---|---|',
    ...suppressed.map((f) => `| ${cell(f.id)} | ${f.severity} | ${markdownText(f.checkId)} | ${cell(resourceLabel(f))} | ${cell(suppressionLabel(f.suppression))} |`),
    '',
    '</details>',
  ];
}

function gaps(result: ScanResult): string[] {
  const out: string[] = [];
  const { unreadable, undecided } = result.coverage;
  if (unreadable.length > 0 || undecided.length > 0) {
    out.push('', '**Coverage gaps (not passes)**', '');
    for (const gap of unreadable) {
      const where = [gap.context, gap.namespace].filter(Boolean).join('/');
      out.push(`- could not read ${markdownCode(gap.resource)}${where ? ` in ${markdownCode(where)}` : ''}: ${markdownCode(gap.reason)}`);
    }
    for (const item of undecided) {
      out.push(`- ${markdownText(item.checkId)}${item.context ? ` in ${markdownCode(item.context)}` : ''} could not decide: ${markdownCode(item.reason)}`);
    }
  }
  if (result.errors.length > 0) {
    out.push('', '**Errors (inputs not scanned, checks or plugins that failed)**', '');
    for (const error of result.errors.slice(0, MAX_LISTED_PROBLEMS)) out.push(`- ${markdownCode(formatProblem(error))}`);
    if (result.errors.length > MAX_LISTED_PROBLEMS) out.push(`- …and ${result.errors.length - MAX_LISTED_PROBLEMS} more`);
  }
  return out;
}

function cell(text: string): string {
  const short = text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
  return markdownCode(short, { inTable: true });
}

function capitalise(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}
