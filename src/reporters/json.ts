import { countBySeverity } from '../core/severity.js';
import type { Engagement, Finding, ReportFilters, ScanResult, SuppressedFinding } from '../core/types.js';
import type { ReportContext } from './report-context.js';
import { terminalSafeJson } from './sanitize.js';

/** The JSON report, schemaVersion 1, as documented in the README; field order is part of its look. */
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
