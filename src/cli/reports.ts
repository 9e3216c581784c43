import { OutputFileError, writeOutputFile } from '../core/output-file.js';
import { toolVersion } from '../core/version.js';
import type { ScanResult } from '../core/types.js';
import type { ReportContext } from '../reporters/report-context.js';
import { REPORT_FORMATS, isReportFormat, loadReporter, type ReportFormat } from '../reporters/index.js';
import { UsageError, useColor, type CliIo } from './io.js';

/** The reporters' formats, and PDF: the HTML report printed by a Chromium. */
export const TARGET_FORMATS = [...REPORT_FORMATS, 'pdf'] as const;
export type TargetFormat = ReportFormat | 'pdf';

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
  { generatedAt = reportTime(io.env), ...extras }: Omit<Partial<ReportContext>, 'version' | 'color' | 'width'> = {},
): Promise<void> {
  // Not a terminal (CI logs, a file): wide enough that messages are not folded into slivers.
  const width = io.stdout.columns ?? 160;
  for (const target of targets) {
    const toStdout = target.file === null || target.file === '-';
    const context: ReportContext = { ...extras, version: toolVersion(), color: toStdout && useColor(io, colorRequested), width: toStdout ? width : 160, generatedAt };
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
      continue;
    }
    const text = (await loadReporter(target.format))(result, context);
    if (toStdout) {
      io.stdout.write(text);
    } else {
      await writeOutput(target.file!, text, io.cwd);
    }
  }
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
