import { OutputFileError, writeOutputFile } from '../core/output-file.js';
import { toolVersion } from '../core/version.js';
import type { ScanResult } from '../core/types.js';
import type { AttackPathMember } from '../reporters/attack-path.js';
import { REPORT_FORMATS, isReportFormat, loadReporter, type ReportFormat } from '../reporters/index.js';
import { UsageError, useColor, type CliIo } from './io.js';

export interface ReportTarget {
  format: ReportFormat;
  /** `null` for standard output. */
  file: string | null;
}

export function parseFormat(value: string): ReportFormat {
  if (!isReportFormat(value)) throw new UsageError(`unknown format "${value}" (use ${REPORT_FORMATS.join(', ')})`);
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
  { showSuppressed = false, attackPath = [] }: { showSuppressed?: boolean; attackPath?: readonly AttackPathMember[] } = {},
): Promise<void> {
  // Not a terminal (CI logs, a file): wide enough that messages are not folded into slivers.
  const width = io.stdout.columns ?? 160;
  const generatedAt = reportTime(io.env);
  for (const target of targets) {
    const reporter = await loadReporter(target.format);
    const toStdout = target.file === null || target.file === '-';
    const text = reporter(result, {
      version: toolVersion(),
      color: toStdout && useColor(io, colorRequested),
      width: toStdout ? width : 160,
      generatedAt,
      showSuppressed,
      attackPath,
    });
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
export function reportTime(env: Readonly<Record<string, string | undefined>>): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return new Date();
}

/** A report or baseline file, never written through a symbolic link; any failure is the user's to fix (exit 2). */
export async function writeOutput(file: string, text: string, cwd: string): Promise<void> {
  try {
    await writeOutputFile(file, text, cwd);
  } catch (error) {
    if (error instanceof OutputFileError) throw new UsageError(`cannot write ${file}: ${error.message}`);
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
