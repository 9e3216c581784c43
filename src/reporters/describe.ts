import { describeObject } from '../core/object-ref.js';
import { SEVERITIES, countBySeverity } from '../core/severity.js';
import { atLeast } from '../core/severity.js';
import type { CoverageGap, Engagement, Finding, ScanResult, Severity, SourceLocation, Suppression } from '../core/types.js';

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

/** What the report leaves out and why: `2 waived`, `5 in the baseline`, `3 below --min-severity`. */
export function omittedLabels(result: ScanResult, showSuppressed: boolean): string[] {
  // Findings in the baseline are among the suppressed ones, and counted on their own.
  const suppressed = (result.suppressed ?? []).filter((finding) => finding.suppression.via !== 'baseline').length;
  const filtered = result.filtered;
  return [
    suppressed ? `${suppressed} waived${showSuppressed ? '' : ` (--show-suppressed lists ${suppressed === 1 ? 'it' : 'them'})`}` : '',
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

/** Which of the selected checks ran, which did not apply (and why), which could not decide. */
export interface CheckTally {
  selected: number;
  ran: number;
  notApplicable: readonly string[];
  undecided: readonly string[];
}

export function checkTally(result: ScanResult): CheckTally {
  const notApplicable = result.outOfScope ?? [];
  return {
    selected: result.checks.length,
    ran: result.checks.length - notApplicable.length,
    notApplicable,
    undecided: [...new Set(result.coverage.undecided.map((item) => item.checkId))],
  };
}

/** Why absence checks did not run offline: the one reason kfscan leaves a selected check out. */
export const NOT_APPLICABLE_REASON = 'these inputs hold no Kubeflow or other ML platform and are not a whole cluster (--whole-cluster runs them on one)';

/**
 * `checks: 15 of 15 ran` or `checks: 7 of 15 ran; 8 did not apply, as <why>: <ids>`, with `; 1 could not
 * decide: <id>` when a check lacked what it needed: a clean report never hides that checks were left out.
 */
export function checksLabel(tally: CheckTally): string {
  const ran = `checks: ${tally.ran} of ${tally.selected} ran`;
  const skipped = tally.notApplicable.length > 0 ? `; ${tally.notApplicable.length} did not apply, as ${NOT_APPLICABLE_REASON}: ${tally.notApplicable.join(', ')}` : '';
  const undecided = tally.undecided.length > 0 ? `; ${tally.undecided.length} could not decide: ${tally.undecided.join(', ')}` : '';
  return `${ran}${skipped}${undecided}`;
}

/** Where a check's page is: `kfscan explain <id>` for the pages kfscan ships, else the plugin's http(s) URL. */
export function docsReference(checkId: string, docsUrl: string): { kind: 'bundled'; command: string } | { kind: 'url'; url: string } | null {
  if (/^https?:\/\//.test(docsUrl)) return { kind: 'url', url: docsUrl };
  return docsUrl === '' ? null : { kind: 'bundled', command: `kfscan explain ${checkId}` };
}

/**
 * Where a report that needs a file shows a finding: its own location, or for a finding about the whole
 * cluster the location of its anchor with the note that says why; `null` when there is none (live, stdin).
 */
export function placement(finding: Finding): { location: SourceLocation; note: string | null } | null {
  if (finding.location) return finding.location.file === '<stdin>' ? null : { location: finding.location, note: null };
  const anchor = finding.resource ? null : finding.anchor;
  return anchor?.location && anchor.location.file !== '<stdin>' ? { location: anchor.location, note: anchor.note } : null;
}

/** Whether a finding fails the run (`--fail-on`, `high` unless given; `none` never). */
export function failsRun(severity: Severity, failOn: Severity | 'none' | undefined): boolean {
  const threshold = failOn ?? 'high';
  return threshold !== 'none' && atLeast(severity, threshold);
}

/**
 * What a coverage gap could not read, named as the object it is: `Secret auth/dex-passwords in context
 * prod`, `daemonsets.apps in context prod`, `pods in namespace team-a of context prod`.
 */
export function gapLabel(gap: CoverageGap): string {
  const context = gap.context ? ` ${gap.namespace && !gap.name ? 'of' : 'in'} context ${gap.context}` : '';
  if (gap.name) return `${describeObject({ kind: gap.resource === 'secrets' ? 'Secret' : gap.resource, namespace: gap.namespace ?? null, name: gap.name })}${context}`;
  return `${gap.resource}${gap.namespace ? ` in namespace ${gap.namespace}` : ''}${context}`;
}
