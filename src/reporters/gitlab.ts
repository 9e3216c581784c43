import { createHash } from 'node:crypto';
import type { Finding, ScanResult, Severity } from '../core/types.js';
import { docsReference, placement } from './describe.js';
import type { ReportContext } from './report-context.js';
import { terminalSafe, terminalSafeJson } from './sanitize.js';

/** GitLab's severities, from its Code Quality documentation. */
const GITLAB_SEVERITY: Record<Severity, 'info' | 'minor' | 'major' | 'critical' | 'blocker'> = {
  info: 'info',
  low: 'minor',
  medium: 'major',
  high: 'critical',
  critical: 'blocker',
};

/**
 * GitLab Code Quality JSON (a subset of the Code Climate issue format): per finding a description, the
 * check as `check_name`, the severity mapped to GitLab's, a fingerprint that stays the same across runs
 * (kfscan's, built from the check and the object, never from line numbers), and the file and line. A
 * finding about the whole cluster is placed where SARIF places it (the object that made the check apply);
 * live findings, which have no file, name their context instead.
 */
export function gitlabReport(result: ScanResult, _context: ReportContext): string {
  const seen = new Set<string>();
  const issues = result.findings.map((finding) => {
    const place = placement(finding);
    // Two findings with one fingerprint would make GitLab show only the first: the second gets its place added.
    let fingerprint = finding.fingerprint;
    if (seen.has(fingerprint)) fingerprint = createHash('md5').update(`${fingerprint}\0${place?.location.file ?? ''}\0${place?.location.line ?? ''}\0${finding.message}`).digest('hex');
    seen.add(fingerprint);
    const docs = docsReference(finding.checkId, finding.docsUrl);
    return {
      type: 'issue',
      check_name: finding.checkId,
      description: terminalSafe(place?.note ? `${finding.message} (${place.note})` : finding.message),
      content: { body: terminalSafe(`${finding.remediation}${docs ? ` ${docs.kind === 'url' ? docs.url : `(${docs.command})`}` : ''}`) },
      categories: ['Security'],
      severity: GITLAB_SEVERITY[finding.severity],
      fingerprint,
      location: location(finding, place),
    };
  });
  return `${terminalSafeJson(issues)}\n`;
}

function location(finding: Finding, place: ReturnType<typeof placement>): { path: string; lines: { begin: number } } {
  if (place) return { path: place.location.file, lines: { begin: place.location.line } };
  // No file to point at (a live cluster, standard input): the context, or the cluster, stands in.
  return { path: finding.context !== null ? `kubernetes/${finding.context}` : 'kubernetes', lines: { begin: 1 } };
}
