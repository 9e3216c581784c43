import { promises as fs } from 'node:fs';
import path from 'node:path';
import { toolVersion } from '../core/version.js';
import type { ScanResult } from '../core/types.js';
import type { AttackPathMember } from '../reporters/attack-path.js';
import { REPORT_FORMATS, isReportFormat, loadReporter, type ReportFormat } from '../reporters/index.js';
import { MIN_TABLE_WIDTH } from '../reporters/columns.js';
import { helpMarkdown, readDocsPage } from '../catalogue/docs-page.js';
import { docsUrlFor } from '../engine/docs-url.js';
import { UsageError, useColor, type CliIo } from './io.js';
import type { FailOn } from './exit-codes.js';
import { terminalSafe } from '../reporters/sanitize.js';

const FORMAT_NAMES: Record<ReportFormat, string> = {
  table: 'table',
  json: 'JSON',
  sarif: 'SARIF',
  markdown: 'Markdown',
  html: 'HTML',
  github: 'GitHub annotations',
  junit: 'JUnit',
  gitlab: 'GitLab Code Quality',
};

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
  { showSuppressed = false, attackPath = [], wide = false, failOn }: { showSuppressed?: boolean; attackPath?: readonly AttackPathMember[]; wide?: boolean; failOn?: FailOn } = {},
): Promise<void> {
  const width = outputWidth(io);
  const generatedAt = reportTime(io.env);
  const pages = targets.some((target) => target.format === 'sarif') ? await bundledPages(result) : undefined;
  for (const target of targets) {
    const reporter = await loadReporter(target.format);
    const toStdout = target.file === null || target.file === '-';
    const text = reporter(result, {
      version: toolVersion(),
      color: toStdout && useColor(io, colorRequested),
      width,
      wide,
      ...(failOn ? { failOn } : {}),
      generatedAt,
      ...(pages ? { pages } : {}),
      showSuppressed,
      attackPath,
    });
    if (toStdout) {
      io.stdout.write(text);
    } else {
      const file = path.resolve(io.cwd, target.file!);
      try {
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.writeFile(file, text);
      } catch (error) {
        throw new UsageError(`cannot write ${target.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      io.stderr.write(`kfscan: wrote the ${FORMAT_NAMES[target.format]} report to ${terminalSafe(target.file!)}\n`);
    }
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
export function reportTime(env: Readonly<Record<string, string | undefined>>): Date {
  const epoch = env['SOURCE_DATE_EPOCH'];
  if (epoch !== undefined && /^\d+$/.test(epoch.trim())) return new Date(Number(epoch.trim()) * 1000);
  return new Date();
}
