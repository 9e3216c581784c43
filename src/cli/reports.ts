import { OutputFileError, writeOutputFile } from '../core/output-file.js';
import { toolVersion } from '../core/version.js';
import type { ScanResult } from '../core/types.js';
import type { ReportContext } from '../reporters/report-context.js';
import { FORMAT_INFO, REPORT_FORMATS, isReportFormat, loadReporter, type ReportFormat } from '../reporters/index.js';
import { MIN_TABLE_WIDTH } from '../reporters/columns.js';
import { helpMarkdown, readDocsPage } from '../catalogue/docs-page.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { UsageError, useColor, type CliIo } from './io.js';
import { terminalSafe } from '../reporters/sanitize.js';

/** The reporters' formats, and PDF: the HTML report printed by a Chromium. */
export const TARGET_FORMATS = [...REPORT_FORMATS, 'pdf'] as const;
export type TargetFormat = ReportFormat | 'pdf';

/** The formats a run can write, PDF included: `npm run docs` lists them in docs/reference/output-formats.md. */
export const TARGET_FORMAT_INFO: Record<TargetFormat, (typeof FORMAT_INFO)[ReportFormat]> = {
  ...FORMAT_INFO,
  pdf: { name: 'PDF', audience: 'the HTML report printed, to a file only', validated: 'a real browser prints it; the page count is read back' },
};

export interface ReportTarget {
  format: TargetFormat;
  /** `null` for standard output. */
  file: string | null;
}

export function parseFormat(value: string): TargetFormat {
  if (value !== 'pdf' && !isReportFormat(value)) throw new UsageError(`unknown format "${value}" (use ${TARGET_FORMATS.join(', ')})`);
  return value;
}

/** `--report sarif=results.sarif`: an extra report written to a file in the same run. */
export function parseExtraReport(value: string, previous: ReportTarget[] = []): ReportTarget[] {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new UsageError(`--report takes FORMAT=FILE, e.g. sarif=kfscan.sarif (got "${value}")`);
  return [...previous, { format: parseFormat(value.slice(0, eq)), file: value.slice(eq + 1) }];
}

export async function writeReports(
  result: ScanResult,
  targets: readonly ReportTarget[],
  io: CliIo,
  colorRequested: boolean,
  { generatedAt = reportTime(io.env), failOn, ...extras }: Omit<Partial<ReportContext>, 'version' | 'color' | 'width' | 'pages'> = {},
): Promise<void> {
  const width = outputWidth(io);
  const pages = targets.some((target) => target.format === 'sarif') ? await bundledPages(result) : undefined;
  for (const target of targets) {
    const toStdout = target.file === null || target.file === '-';
    const context: ReportContext = {
      ...extras,
      version: toolVersion(),
      color: toStdout && useColor(io, colorRequested),
      width,
      ...(failOn ? { failOn } : {}),
      ...(pages ? { pages } : {}),
      generatedAt,
    };
    if (target.format === 'pdf') {
      if (toStdout) throw new UsageError('a PDF report is written to a file: --report pdf=FILE.pdf');
      const { printPdf, PdfError } = await import('../pdf/print.js');
      const page = (await loadReporter('html'))(result, context);
      try {
        // Printed to memory and written like every other report: never through a symbolic link.
        await writeOutput(target.file!, await printPdf(page, { env: io.env, title: context.engagement?.title ?? null }), io.cwd);
      } catch (error) {
        if (error instanceof PdfError) throw new UsageError(error.message);
        throw error;
      }
    } else {
      const text = (await loadReporter(target.format))(result, context);
      if (toStdout) {
        io.stdout.write(text);
        continue;
      }
      await writeOutput(target.file!, text, io.cwd);
    }
    io.stderr.write(`kfscan: wrote the ${TARGET_FORMAT_INFO[target.format].name} report to ${terminalSafe(target.file!)}\n`);
  }
}

/** The shipped pages of the built-in checks in the result, for the reports that carry whole pages. */
async function bundledPages(result: ScanResult): Promise<Map<string, string>> {
  const pages = new Map<string, string>();
  for (const meta of result.checks) {
    if ((meta.docsUrl ?? docsUrlFor(meta.id)) !== docsUrlFor(meta.id)) continue;
    const text = await readDocsPage(meta.id);
    if (text !== null) pages.set(meta.id, helpMarkdown(text));
  }
  return pages;
}

/**
 * Display columns the table may fill: the terminal's on a terminal; when piped or written to a file,
 * `$COLUMNS` (CI systems and shells that set it) or 120; never fewer than 80.
 */
export function outputWidth(io: Pick<CliIo, 'stdout' | 'env'>): number {
  const fromEnv = Number(io.env['COLUMNS']);
  const columns = io.stdout.isTTY === true && io.stdout.columns ? io.stdout.columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 120;
  return Math.max(MIN_TABLE_WIDTH, columns);
}

/**
 * The time a report says it was made: now, or SOURCE_DATE_EPOCH (seconds) when set, the reproducible-builds
 * convention, so that CI can produce byte-identical HTML reports.
 */
export function reportTime(env: Readonly<Record<string, string | undefined>>, now?: () => Date): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return now?.() ?? new Date();
}

/** A report or baseline file, never written through a symbolic link; any failure is the user's to fix (exit 2). */
export async function writeOutput(file: string, text: string | Uint8Array, cwd: string): Promise<void> {
  try {
    await writeOutputFile(file, text, cwd);
  } catch (error) {
    if (error instanceof OutputFileError) throw new UsageError(`cannot write ${file}: ${error.message}`);
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
