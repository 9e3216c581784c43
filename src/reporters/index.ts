import type { Reporter } from './report-context.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'openmetrics', 'html', 'github', 'junit', 'gitlab'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What each format is, for whom, and what the tests hold it to: `--help`, the stderr line naming a written file, docs/reference/output-formats.md. */
export const FORMAT_INFO: Record<ReportFormat, { name: string; audience: string; validated: string }> = {
  table: { name: 'table', audience: 'people at a terminal (the default)', validated: 'every line within the width, in display columns' },
  json: { name: 'JSON', audience: 'scripts, baselines, `kfscan diff`', validated: '`schema/kfscan-report.schema.json` (schemaVersion 1)' },
  sarif: { name: 'SARIF', audience: 'GitHub code scanning, SARIF viewers', validated: 'the SARIF 2.1.0 schema and GitHub\'s rules' },
  markdown: { name: 'Markdown', audience: 'a pull-request comment', validated: 'rendered as GitHub-flavoured Markdown' },
  openmetrics: { name: 'OpenMetrics', audience: 'Prometheus, from `kfscan serve` or a file (counts only, no object names)', validated: 'a strict OpenMetrics 1.0 grammar and an independent parser' },
  html: { name: 'HTML', audience: 'a report to hand over to a customer', validated: 'a real browser (Chromium)' },
  github: { name: 'GitHub annotations', audience: 'GitHub Actions annotations (workflow commands)', validated: 'the escaping of `@actions/core`' },
  junit: { name: 'JUnit', audience: 'GitLab, Jenkins and Azure Pipelines test reports', validated: 'the Jenkins xunit plugin\'s `junit-10.xsd`' },
  gitlab: { name: 'GitLab Code Quality', audience: 'the GitLab Code Quality widget', validated: 'GitLab\'s Code Quality fields; fingerprints stable across runs' },
};

export function isReportFormat(value: string): value is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(value);
}

// Loaded on demand: a JSON run never pays for the table code, a table run never for SARIF or HTML.
const LOADERS: Record<ReportFormat, () => Promise<Reporter>> = {
  table: async () => (await import('./table.js')).tableReport,
  json: async () => (await import('./json.js')).jsonReport,
  sarif: async () => (await import('./sarif.js')).sarifReport,
  html: async () => (await import('./html/report.js')).htmlReport,
  markdown: async () => (await import('./markdown.js')).markdownReport,
  openmetrics: async () => (await import('./openmetrics.js')).openMetricsReport,
  github: async () => (await import('./github.js')).githubReport,
  junit: async () => (await import('./junit.js')).junitReport,
  gitlab: async () => (await import('./gitlab.js')).gitlabReport,
};

export function loadReporter(format: ReportFormat): Promise<Reporter> {
  return LOADERS[format]();
}
