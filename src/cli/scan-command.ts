import { Option, type Command } from 'commander';
import { DEFAULT_MAX_FILE_BYTES } from '../loaders/files.js';
import { scanManifests } from '../engine/scan.js';
import { selectChecks } from '../engine/select.js';
import type { ScanResult } from '../core/types.js';
import { EXIT, exitCodeFor, type FailOn } from './exit-codes.js';
import { UsageError, readAll } from './io.js';
import type { CliDependencies } from './main.js';
import { severityOption } from './main.js';
import { parseExtraReport, parseFormat, writeReports, type ReportTarget } from './reports.js';
import { formatProblem } from '../reporters/table.js';

export interface CommonScanOptions {
  format: string;
  output?: string;
  report: ReportTarget[];
  failOn: FailOn;
  checks?: string;
  skipChecks?: string;
  color: boolean;
  verbose?: boolean;
}

interface ScanOptions extends CommonScanOptions {
  wholeCluster?: boolean;
  maxFileSize: string;
}

export function addReportOptions(command: Command): Command {
  return command
    .option('-f, --format <format>', 'report format on stdout or --output: table, json, sarif, html', 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format=file>', 'also write another format to a file, e.g. sarif=kfscan.sarif (repeatable)', parseExtraReport, [])
    .addOption(severityOption('--fail-on <severity>', 'exit 1 when a finding is at or above this severity (none: never)', 'high', ['none']))
    .option('--checks <ids>', 'run only these checks (comma-separated ids)')
    .option('--skip-checks <ids>', 'do not run these checks (comma-separated ids)')
    .option('--no-color', 'no ANSI colours in the table (also NO_COLOR)')
    .option('-v, --verbose', 'list every file scanned, every warning and the checks left out');
}

export function registerScanCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = program
    .command('scan')
    .description('scan manifest files, directories (recursive) or - for stdin')
    .argument('[paths...]', 'files or directories to scan; - reads standard input', ['.'])
    .option('--whole-cluster', 'the input is a whole cluster (e.g. kubectl get -A -o yaml): run absence checks on it')
    .addOption(new Option('--max-file-size <MB>', 'skip files larger than this').default(String(DEFAULT_MAX_FILE_BYTES / 1024 / 1024)));
  addReportOptions(command).action(async (paths: string[], options: ScanOptions) => {
    setExit(await runScan(paths, options, deps));
  });
}

async function runScan(paths: string[], options: ScanOptions, deps: CliDependencies): Promise<number> {
  const { io } = deps;
  const format = parseFormat(options.format);
  const checks = selectChecks(deps.checks, splitList(options.checks), splitList(options.skipChecks));
  const maxFileBytes = Number(options.maxFileSize) * 1024 * 1024;
  if (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0) throw new UsageError(`--max-file-size takes a number of megabytes (got "${options.maxFileSize}")`);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be given only once');

  const scan = await scanManifests(paths, {
    cwd: io.cwd,
    checks,
    wholeCluster: options.wholeCluster === true,
    maxFileBytes,
    readStdin: () => readAll(io.stdin, maxFileBytes),
  });
  const { result } = scan;

  const primary: ReportTarget = { format, file: options.output ?? null };
  const tableOnStdout = format === 'table' && primary.file === null;
  reportProblems(result, io.stderr, { includeErrors: !tableOnStdout, verbose: options.verbose === true });
  if (options.verbose) {
    for (const file of scan.files) {
      io.stderr.write(`kfscan: ${file.skipped ? 'skipped' : 'scanned'} ${file.file}: ${file.objects} object${file.objects === 1 ? '' : 's'}\n`);
    }
    if (scan.outOfScope.length > 0) {
      io.stderr.write(
        `kfscan: not run: ${scan.outOfScope.join(', ')} (absence checks need a whole cluster, --whole-cluster, or input holding an ML platform)\n`,
      );
    }
  }

  await writeReports(result, [primary, ...options.report], io, options.color);

  if (result.scanned.resources === 0) {
    io.stderr.write(`kfscan: nothing to scan: no Kubernetes objects found in ${paths.join(', ')}\n`);
    return EXIT.usage;
  }
  return exitCodeFor(result, options.failOn);
}

export function reportProblems(
  result: ScanResult,
  stderr: { write(text: string): unknown },
  { includeErrors, verbose }: { includeErrors: boolean; verbose: boolean },
): void {
  if (includeErrors) for (const error of result.errors) stderr.write(`kfscan: error: ${formatProblem(error)}\n`);
  if (verbose) {
    for (const warning of result.warnings) stderr.write(`kfscan: warning: ${formatProblem(warning)}\n`);
  } else if (result.warnings.length > 0) {
    stderr.write(`kfscan: ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} (--verbose lists them)\n`);
  }
}

export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
