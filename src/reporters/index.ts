import type { ScanResult } from '../core/types.js';
import type { AttackPathMember } from './attack-path.js';

export interface ReportContext {
  version: string;
  /** ANSI colours: only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Terminal width for the table. */
  width: number;
  /** When the report was made (the HTML report shows it); injected so that reporters stay pure. */
  generatedAt?: Date;
  /** List suppressed findings (table, markdown); JSON and SARIF always carry them. */
  showSuppressed?: boolean;
  /** The steps of the attack path each built-in check decides (the HTML report's picture), from the registry. */
  attackPath?: readonly AttackPathMember[];
}

/** A reporter is a pure function of the results: no I/O, no imports of checks. */
export type Reporter = (result: ScanResult, context: ReportContext) => string;

export const REPORT_FORMATS = ['table', 'json', 'sarif', 'markdown', 'html'] as const;
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
};

export function loadReporter(format: ReportFormat): Promise<Reporter> {
  return LOADERS[format]();
}
