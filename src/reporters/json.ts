import { countBySeverity } from '../core/severity.js';
import type { Engagement, Finding, ReportFilters, ScanResult, SuppressedFinding } from '../core/types.js';
import type { ReportContext } from './report-context.js';
import { fleetSummary } from './fleet.js';
import { terminalSafeJson } from './sanitize.js';

/** The JSON report, schemaVersion 1, as docs/reference/output-formats.md documents it; field order is part of its look. */
export function jsonReport(result: ScanResult, context: ReportContext): string {
  return `${terminalSafeJson(toJsonDocument(result, context))}\n`;
}

export function toJsonDocument(result: ScanResult, context: ReportContext) {
  return {
    schemaVersion: 1,
    tool: { name: 'kfscan', version: context.version, ...(result.plugins?.length ? { plugins: result.plugins } : {}) },
    target: result.target,
    summary: countBySeverity(result.findings),
    findings: result.findings.map(jsonFinding),
    errors: result.errors,
    warnings: result.warnings,
    coverage: result.coverage,
    suppressed: (result.suppressed ?? []).map(jsonSuppressed),
    filtered: result.filtered ?? NO_FILTERS,
    engagement: context.engagement ?? NO_ENGAGEMENT,
    ...(result.provenance ? { provenance: result.provenance } : {}),
    ...jsonFleet(result, context),
  };
}

/** Live scans: a summary per context. Durations are left out so that a report of the same clusters reads the same. */
function jsonFleet(result: ScanResult, context: ReportContext) {
  const fleet = fleetSummary(result, context.attackPath ?? []);
  if (!fleet) return {};
  return {
    fleet: fleet.map((entry) => ({
      context: entry.context,
      status: entry.status,
      error: entry.error,
      server: entry.server,
      kubernetesVersion: entry.kubernetesVersion,
      resources: entry.resources,
      summary: entry.findings,
      suppressed: entry.suppressed,
      undecided: entry.undecided,
      unreadable: entry.unreadable,
      errors: entry.errors,
      attackPath: { open: entry.stepsOpen, unknown: entry.stepsUnknown },
    })),
  };
}

const NO_ENGAGEMENT: Engagement = { title: null, customer: null, assessor: null };

const NO_FILTERS: ReportFilters = { minSeverity: null, belowMinSeverity: 0, baseline: null, inBaseline: 0 };

function jsonSuppressed(finding: SuppressedFinding) {
  const { kind, via, justification, location, resource, expires } = finding.suppression;
  return { ...jsonFinding(finding), suppression: { kind, via, justification, location, resource, expires } };
}

export function jsonFinding(finding: Finding) {
  return {
    id: finding.id,
    checkId: finding.checkId,
    title: finding.title,
    severity: finding.severity,
    category: finding.category,
    resource: finding.resource,
    location: finding.location,
    context: finding.context,
    message: finding.message,
    remediation: finding.remediation,
    docsUrl: finding.docsUrl,
    fingerprint: finding.fingerprint,
    // Only for findings from rendered kustomizations or Helm charts, so that other reports stay as they were.
    ...(finding.roots?.length ? { roots: finding.roots } : {}),
    // Only with `kfscan cluster --probe`, so that reports without it stay as they were.
    ...(finding.evidence ? { evidence: finding.evidence } : {}),
  };
}
