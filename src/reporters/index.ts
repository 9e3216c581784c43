import type { Reporter } from './report-context.js';

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'openmetrics', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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
};

export function loadReporter(format: ReportFormat): Promise<Reporter> {
  return LOADERS[format]();
}
