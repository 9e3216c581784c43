import path from 'node:path';
import { Option, type Command } from 'commander';
import { SEVERITIES } from '../core/severity.js';
import { DEFAULT_MAX_FILE_BYTES, STDIN_NAME, displayPath, type FileReport } from '../loaders/files.js';
import { analyseInventory } from '../engine/analyse.js';
import { scanManifests, type ManifestScan } from '../engine/scan.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { addCatalogueOptions } from './check-catalogue.js';
import { EXIT } from './exit-codes.js';
import { UsageError, readAll, type CliDependencies, type CliIo } from './io.js';
import { addRenderOptions, renderOptions, type RenderCliOptions } from './render-options.js';
import { TARGET_FORMATS, parseExtraReport } from './reports.js';
import { kitFolder, manifestKits } from './report-kits.js';
import { finishScan, prepareScan, type CommonScanOptions, type PreparedScan } from './scan-pipeline.js';

export { reportProblems, splitList, type CommonScanOptions } from './scan-pipeline.js';

interface ScanOptions extends CommonScanOptions, RenderCliOptions {
  wholeCluster?: boolean;
  maxFileSize: string;
}

/** Report, filter and suppression options shared by every scanning command. */
export function addReportOptions(command: Command): Command {
  const withChecks = command
    .option('-f, --format <format>', `report format on stdout or --output: ${TARGET_FORMATS.join(', ')} (pdf: to --output only)`, 'table')
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--report <format=file>', 'also write another format to a file, e.g. sarif=kfscan.sarif or pdf=report.pdf (repeatable)', parseExtraReport, [])
    .addOption(severityOption('--fail-on <severity>', 'exit 1 when a reported finding is at or above this severity (none: never)', 'high', ['none']))
    .addOption(new Option('--min-severity <severity>', 'report only findings at or above this severity').choices([...SEVERITIES]))
    .option('--checks <ids>', 'run only these checks (comma-separated ids)')
    .option('--skip-checks <ids>', 'do not run these checks (comma-separated ids)');
  return addCatalogueOptions(withChecks)
    .option('--no-annotation-ignores', 'disregard kfscan.io/ignore annotations in the scanned objects')
    .option('--show-suppressed', 'list suppressed findings in the table and markdown reports')
    .option('--title <text>', "the report's title (HTML and PDF cover, markdown, JSON engagement); also report.title in .kfscan.yaml")
    .option('--customer <name>', 'who the report is for; also report.customer in .kfscan.yaml')
    .option('--assessor <name>', 'who carried out the assessment; also report.assessor in .kfscan.yaml')
    .option('--compare <old.json>', 'add a section on what changed since this earlier JSON report to the HTML and PDF reports')
    .option('--baseline <file>', 'report only findings whose fingerprint is not in this kfscan JSON report')
    .option('--write-baseline <file>', 'write the findings of this run (not suppressed, before filters) as a baseline')
    .option('--no-color', 'no ANSI colours in the table (also NO_COLOR)')
    .option('-v, --verbose', 'list every file scanned or skipped, every warning and the checks left out');
}

function severityOption(flags: string, description: string, defaultValue: string, extra: string[] = []): Option {
  return new Option(flags, description).choices([...SEVERITIES, ...extra]).default(defaultValue);
}

export function registerScanCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = program
    .command('scan')
    .description('scan manifest files, directories (recursive, kustomizations and Helm charts rendered) and - for stdin')
    .argument('[paths...]', 'files or directories to scan; - reads standard input', ['.'])
    .option('--whole-cluster', 'the input is a whole cluster (e.g. kubectl get -A -o yaml): run absence checks on it')
    .addOption(new Option('--max-file-size <MB>', 'skip files (and rendered output) larger than this').default(String(DEFAULT_MAX_FILE_BYTES / 1024 / 1024)));
  addRenderOptions(command);
  addReportOptions(command).action(async (paths: string[], options: ScanOptions) => {
    setExit(await runScan(paths, options, deps));
  });
}

async function runScan(paths: string[], options: ScanOptions, deps: CliDependencies): Promise<number> {
  const { io } = deps;
  const prepared = await prepareScan(options, deps);
  const started = performance.now();
  const scan = await scanPaths(paths, options, prepared, io);
  const durationSeconds = (performance.now() - started) / 1000;

  if (options.verbose) describeInputs(paths, scan, io);
  const code = await finishScan(scan.result, prepared, options, deps, {
    importantWarnings: scan.suppressionWarnings,
    runs: [{ context: null, durationSeconds, succeeded: true, lastSuccess: prepared.clock() }],
    kits: () =>
      manifestKits(
        paths,
        options.wholeCluster === true,
        { inventory: scan.inventory, findings: scan.result.findings, views: scan.views },
        prepared,
        (inventory) => analyseInventory(inventory, { checks: prepared.checks, checkOptions: prepared.checkOptions, suppression: prepared.suppression }).findings,
        kitFolder,
      ),
  });

  if (scan.result.scanned.resources === 0) {
    io.stderr.write(`kfscan: nothing to scan: no Kubernetes objects found in ${terminalSafe(paths.map((p) => (p === '-' ? 'standard input' : p)).join(', '))}\n`);
    // A kustomization or chart was there but could not be rendered: an incomplete scan, not a usage error.
    return scan.roots.some((rendered) => rendered.failure !== null) ? EXIT.incomplete : EXIT.usage;
  }
  return code;
}

/** Scans manifest paths (and `-` for stdin) with the prepared checks and suppressions. */
export async function scanPaths(
  paths: readonly string[],
  options: { wholeCluster?: boolean; maxFileSize: string } & RenderCliOptions,
  prepared: PreparedScan,
  io: CliIo,
): Promise<ManifestScan> {
  const maxFileBytes = Number(options.maxFileSize) * 1024 * 1024;
  if (!Number.isFinite(maxFileBytes) || maxFileBytes <= 0) throw new UsageError(`--max-file-size takes a number of megabytes (got "${options.maxFileSize}")`);
  if (paths.filter((p) => p === '-').length > 1) throw new UsageError('standard input (-) can be given only once');
  const { render, exclude } = renderOptions(options, prepared.config, io);
  return scanManifests(paths, {
    now: prepared.clock,
    excerpts: prepared.customerReport,
    render,
    exclude,
    cwd: io.cwd,
    checks: prepared.checks,
    checkOptions: prepared.checkOptions,
    wholeCluster: options.wholeCluster === true,
    maxFileBytes,
    readStdin: () => readAll(io.stdin, maxFileBytes),
    suppression: prepared.suppression,
  });
}

/** What each file and each input contributed, so a user can see that nothing was left out by mistake. */
function describeInputs(paths: readonly string[], scan: ManifestScan, io: CliIo): void {
  const write = (text: string): void => void io.stderr.write(`kfscan: ${terminalSafe(text)}\n`);
  const problems = [...scan.result.errors, ...scan.result.warnings];
  for (const file of scan.files) {
    if (file.skipped) {
      const reason = problems.find((problem) => problem.file === file.file)?.message.replace(/^skipped: /, '') ?? 'skipped';
      write(`skipped ${file.file}: ${reason}`);
    } else {
      write(`scanned ${file.file}: ${plural(file.objects, 'object')}${fileNotes(file)}`);
    }
  }
  if (scan.tools.length > 0) write(`rendered with ${scan.tools.join(' and ')}`);
  for (const rendered of scan.roots) {
    const what = rendered.root.type === 'helm' ? 'Helm chart' : 'kustomization';
    write(rendered.failure === null ? `rendered ${what} ${rendered.root.display}: ${plural(rendered.objects.length, 'object')}` : `not rendered ${what} ${rendered.root.display}`);
  }
  if (scan.views.length > 1) for (const view of scan.views) write(`view ${view.name ?? 'default'}: ${view.roots.join(', ')}`);
  const claimed = new Set<FileReport>();
  for (const input of paths) {
    const display = input === '-' ? STDIN_NAME : displayPath(path.resolve(io.cwd, input), io.cwd);
    const files = scan.files.filter((file) => !claimed.has(file) && belongsTo(file.file, display));
    files.forEach((file) => claimed.add(file));
    const unreadable = scan.result.errors.find((error) => error.file === display && !files.some((file) => file.file === display));
    if (unreadable) {
      write(`input ${input}: ${unreadable.message}`);
      continue;
    }
    const scanned = files.filter((file) => !file.skipped);
    if (input === '-') {
      write(`input - (standard input): ${scanned.length ? plural(scanned[0]!.objects, 'object') : 'not read'}`);
      continue;
    }
    const objects = scanned.reduce((sum, file) => sum + file.objects, 0);
    const skipped = files.length - scanned.length;
    write(`input ${input}: ${plural(scanned.length, 'file')} scanned (${plural(objects, 'object')})${skipped ? `, ${skipped} skipped` : ''}`);
  }
  if (scan.outOfScope.length > 0) {
    write(`not run: ${scan.outOfScope.join(', ')} (absence checks need a whole cluster, --whole-cluster, or input holding an ML platform)`);
  }
}

function belongsTo(file: string, input: string): boolean {
  if (input === STDIN_NAME || file === STDIN_NAME) return file === input;
  return input === '.' ? !file.startsWith('../') : file === input || file.startsWith(`${input}/`);
}

function fileNotes(file: FileReport): string {
  const notes = [file.errors ? plural(file.errors, 'error') : '', file.warnings ? plural(file.warnings, 'warning') : ''].filter(Boolean);
  return notes.length ? ` (${notes.join(', ')})` : '';
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
