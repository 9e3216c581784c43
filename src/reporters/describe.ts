import { describeObject } from '../core/object-ref.js';
import { SEVERITIES, countBySeverity } from '../core/severity.js';
import type { Engagement, Finding, ScanResult, Suppression } from '../core/types.js';

// Labels that the human reports (table, markdown) share, so that both say the same thing.

export function resourceLabel(finding: Finding): string {
  return finding.resource ? describeObject(finding.resource) : '(cluster)';
}

export function locationLabel(finding: Finding): string {
  if (finding.location) return `${finding.location.file}:${finding.location.line}`;
  return finding.context ? `context ${finding.context}` : '-';
}

/** `kfscan.io/ignore on Namespace sandbox (ns.yaml:5): reason, until 2026-01-31` or `.kfscan.yaml:4: reason`. */
export function suppressionLabel(suppression: Suppression): string {
  const at = suppression.location ? `${suppression.location.file}:${suppression.location.line}` : null;
  if (suppression.via === 'baseline') return suppression.justification;
  const source =
    suppression.via === 'config'
      ? (at ?? 'configuration')
      : `kfscan.io/ignore on ${suppression.resource ? describeObject(suppression.resource) : 'the object'}${at ? ` (${at})` : ''}`;
  return `${source}: ${suppression.justification}${suppression.expires ? `, until ${suppression.expires}` : ''}`;
}

/** `3 findings (1 critical, 2 high)` */
export function findingsHeadline(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  const bySeverity = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${counts.total} finding${counts.total === 1 ? '' : 's'}${bySeverity.length ? ` (${bySeverity.join(', ')})` : ''}`;
}

/** `18 resources from 4 files` or `5000 resources in 2 contexts`. */
export function scopeLabel(result: ScanResult): string {
  return result.target.mode === 'cluster'
    ? `${result.scanned.resources} resources in ${result.scanned.contexts} context${result.scanned.contexts === 1 ? '' : 's'}`
    : `${result.scanned.resources} resources from ${result.scanned.files} file${result.scanned.files === 1 ? '' : 's'}`;
}

/** What the report leaves out and why: `2 suppressed`, `5 in the baseline`, `3 below --min-severity`. */
export function omittedLabels(result: ScanResult, showSuppressed: boolean): string[] {
  // Findings in the baseline are among the suppressed ones, and counted on their own.
  const suppressed = (result.suppressed ?? []).filter((finding) => finding.suppression.via !== 'baseline').length;
  const filtered = result.filtered;
  return [
    suppressed ? `${suppressed} suppressed${showSuppressed ? '' : ' (--show-suppressed lists them)'}` : '',
    filtered?.inBaseline ? `${filtered.inBaseline} in the baseline` : '',
    filtered?.belowMinSeverity ? `${filtered.belowMinSeverity} below --min-severity ${filtered.minSeverity}` : '',
  ].filter(Boolean);
}

/** A load error or warning as one line: where (file:line:column, or context and resource), then what. */
export function formatProblem(problem: ScanResult['errors'][number]): string {
  const where = problem.file
    ? `${problem.file}${problem.line ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : ''}`
    : [problem.context, problem.resource].filter(Boolean).join(' ');
  return where ? `${where}: ${problem.message}` : problem.message;
}

/** The engagement's parts that were given, labelled, each still to be made safe by the caller's format. */
export function engagementParts(engagement: Engagement | undefined): Array<[label: string, value: string]> {
  if (!engagement) return [];
  const parts: Array<[string, string | null]> = [
    ['Report', engagement.title],
    ['Customer', engagement.customer],
    ['Assessor', engagement.assessor],
  ];
  return parts.filter((part): part is [string, string] => part[1] !== null);
}

export function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
