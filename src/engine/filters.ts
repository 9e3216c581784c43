import { atLeast } from '../core/severity.js';
import type { Finding, ScanResult, Severity, SuppressedFinding } from '../core/types.js';

export interface ReportFilterOptions {
  /** Leave out findings below this severity, reported or suppressed. */
  minSeverity?: Severity | null;
  /** Leave out findings whose fingerprint an earlier report already had. */
  baseline?: { label: string; fingerprints: ReadonlySet<string> } | null;
}

/**
 * What the user asked to see: findings below `--min-severity` and those already in the baseline leave the
 * report and therefore the exit code; `filtered` keeps count of them so that nothing disappears silently,
 * and findings in the baseline move to `suppressed` (kind `external`, via `baseline`), where SARIF and
 * JSON keep them.
 */
export function filterReport(result: ScanResult, options: ReportFilterOptions): ScanResult {
  const minSeverity = options.minSeverity ?? null;
  const baseline = options.baseline ?? null;
  let findings: Finding[] = result.findings;
  let suppressed = result.suppressed ?? [];
  let belowMinSeverity = 0;
  let inBaseline = 0;
  if (minSeverity !== null) {
    const shown = (finding: Finding): boolean => atLeast(finding.severity, minSeverity);
    belowMinSeverity = findings.filter((finding) => !shown(finding)).length;
    findings = findings.filter(shown);
    suppressed = suppressed.filter(shown);
  }
  if (baseline !== null) {
    const isNew = (finding: Finding): boolean => !baseline.fingerprints.has(finding.fingerprint);
    const known = findings.filter((finding) => !isNew(finding));
    inBaseline = known.length;
    findings = findings.filter(isNew);
    suppressed = [...suppressed, ...known.map((finding) => inTheBaseline(finding, baseline.label))];
  }
  return {
    ...result,
    findings,
    suppressed,
    filtered: { minSeverity, belowMinSeverity, baseline: baseline?.label ?? null, inBaseline },
  };
}

function inTheBaseline(finding: Finding, label: string): SuppressedFinding {
  return {
    ...finding,
    suppression: { kind: 'external', via: 'baseline', justification: `in the baseline ${label}`, location: null, resource: null, expires: null },
  };
}
