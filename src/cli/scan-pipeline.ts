// The steps every scanning command shares around its analysis (offline `scan`, live `cluster`): before,
// select checks, load the configuration and the baseline, so that a bad one fails before any work;
// after, write the baseline, filter, report and choose the exit code.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Check, InputError, PluginInfo, ScanResult, Severity } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { ignoreRules } from '../config/ignore-rules.js';
import type { LoadedConfig } from '../config/load.js';
import { BaselineError, baselineFingerprints } from '../engine/baseline.js';
import { filterReport } from '../engine/filters.js';
import type { SuppressionOptions } from '../engine/suppress.js';
import { jsonReport } from '../reporters/json.js';
import type { ReportFormat } from '../reporters/index.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { formatProblem } from '../reporters/describe.js';
import { loadCatalogue, selectFromCatalogue, unknownIdReason, type CatalogueOptions } from './check-catalogue.js';
import { exitCodeFor, type FailOn } from './exit-codes.js';
import { UsageError, type CliDependencies, type CliIo } from './io.js';
import { parseFormat, writeReports, type ReportTarget } from './reports.js';

export interface CommonScanOptions extends CatalogueOptions {
  format: string;
  output?: string;
  report: ReportTarget[];
  failOn: FailOn;
  minSeverity?: Severity;
  checks?: string;
  skipChecks?: string;
  /** `false` with `--no-annotation-ignores`. */
  annotationIgnores?: boolean;
  showSuppressed?: boolean;
  baseline?: string;
  writeBaseline?: string;
  color: boolean;
  wide?: boolean;
}

export interface PreparedScan {
  format: ReportFormat;
  /** The selected checks, plugins' included. */
  checks: Check[];
  /** Options of plugin checks, by id: pass to `scanManifests` / `scanCluster`. */
  checkOptions: Record<string, Readonly<Record<string, unknown>>>;
  plugins: PluginInfo[];
  /** Plugins that failed to load: reported as errors of the scan (exit 3). */
  pluginErrors: InputError[];
  /** Pass to `scanManifests` / `analyseInventory`. */
  suppression: SuppressionOptions;
  config: LoadedConfig | null;
  /** Expired configuration entries, ids of checks that plugins failed to provide: shown even without --verbose. */
  configWarnings: InputError[];
  baseline: { label: string; fingerprints: ReadonlySet<string> } | null;
}

export async function prepareScan(options: CommonScanOptions, deps: CliDependencies): Promise<PreparedScan> {
  const { io } = deps;
  const format = parseFormat(options.format);
  const now = deps.now?.() ?? new Date();
  const catalogue = await loadCatalogue(options, deps);
  const { config } = catalogue;
  const selectionWarnings: InputError[] = [];
  const checks = selectFromCatalogue(catalogue, splitList(options.checks), splitList(options.skipChecks), selectionWarnings);
  const metas = catalogue.checks.map((check) => check.meta);
  const rules = config ? ignoreRules(config, metas, io.cwd, now, unknownIdReason(catalogue)) : { rules: [], warnings: [] };
  if (options.verbose) {
    io.stderr.write(
      config
        ? `kfscan: configuration ${terminalSafe(config.file)}: ${rules.rules.length} ignore entr${rules.rules.length === 1 ? 'y' : 'ies'}\n`
        : `kfscan: no configuration file${options.config === false ? ' (--no-config)' : ''}\n`,
    );
  }

  return {
    format,
    checks,
    checkOptions: catalogue.checkOptions,
    plugins: catalogue.plugins,
    pluginErrors: catalogue.errors,
    suppression: {
      rules: rules.rules,
      annotations: options.annotationIgnores !== false,
      now,
      catalogue: metas,
    },
    config,
    configWarnings: [...selectionWarnings, ...rules.warnings],
    baseline: options.baseline === undefined ? null : await readBaseline(options.baseline, io.cwd),
  };
}

export interface FinishOptions {
  /** Problems with suppressions (from `analyseInventory`): printed even without --verbose. */
  importantWarnings?: readonly InputError[];
  /** Errors the command has already printed as they happened (a context that failed, say). */
  printedErrors?: readonly InputError[];
}

/**
 * Writes the baseline (every finding that is not suppressed, before the report filters, so that a later
 * `--min-severity` change does not make old findings look new), filters, writes the reports and returns
 * the exit code of what was reported. Expired or mistyped suppressions are printed even without
 * --verbose, since they change what the report shows.
 */
export async function finishScan(
  scanned: ScanResult,
  prepared: PreparedScan,
  options: CommonScanOptions,
  deps: CliDependencies,
  { importantWarnings = [], printedErrors = [] }: FinishOptions = {},
): Promise<number> {
  const { io } = deps;
  const complete: ScanResult = {
    ...scanned,
    errors: [...prepared.pluginErrors, ...scanned.errors],
    warnings: [...scanned.warnings, ...prepared.configWarnings],
    ...(prepared.plugins.length > 0 ? { plugins: prepared.plugins } : {}),
  };
  if (options.writeBaseline !== undefined) {
    await writeFile(io, options.writeBaseline, jsonReport(complete, { version: toolVersion(), color: false, width: 120 }));
    if (options.verbose) io.stderr.write(`kfscan: baseline ${terminalSafe(options.writeBaseline)}: ${complete.findings.length} finding${complete.findings.length === 1 ? '' : 's'}\n`);
  }
  const result = filterReport(complete, { minSeverity: options.minSeverity ?? null, baseline: prepared.baseline });

  const primary: ReportTarget = { format: prepared.format, file: options.output ?? null };
  const tableOnStdout = prepared.format === 'table' && primary.file === null;
  const printed = new Set(printedErrors);
  reportProblems({ ...result, errors: result.errors.filter((error) => !printed.has(error)) }, io.stderr, {
    includeErrors: !tableOnStdout,
    verbose: options.verbose === true,
    important: [...prepared.configWarnings, ...importantWarnings],
  });
  const attackPath = deps.checks.flatMap((check) => (check.attackPath ? [{ id: check.meta.id, steps: check.attackPath }] : []));
  await writeReports(result, [primary, ...options.report], io, options.color, { showSuppressed: options.showSuppressed === true, attackPath, wide: options.wide === true, failOn: options.failOn });
  return exitCodeFor(result, options.failOn);
}

async function readBaseline(file: string, cwd: string): Promise<PreparedScan['baseline']> {
  let text: string;
  try {
    text = await fs.readFile(path.resolve(cwd, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read baseline ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
  }
  try {
    return { label: file, fingerprints: baselineFingerprints(text) };
  } catch (error) {
    if (error instanceof BaselineError) throw new UsageError(`baseline ${file} ${error.message}`);
    throw error;
  }
}

async function writeFile(io: CliIo, file: string, text: string): Promise<void> {
  const absolute = path.resolve(io.cwd, file);
  try {
    await fs.mkdir(path.dirname(absolute), { recursive: true });
    await fs.writeFile(absolute, text);
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export function reportProblems(
  result: ScanResult,
  stderr: { write(text: string): unknown },
  { includeErrors, verbose, important = [] }: { includeErrors: boolean; verbose: boolean; important?: readonly InputError[] },
): void {
  // File names and messages quote manifests: escape them like the table does.
  const line = (label: string, problem: InputError): string => `kfscan: ${label}: ${terminalSafe(formatProblem(problem))}\n`;
  if (includeErrors) for (const error of result.errors) stderr.write(line('error', error));
  const shown = new Set(important);
  for (const warning of important) stderr.write(line('warning', warning));
  const others = result.warnings.filter((warning) => !shown.has(warning));
  if (verbose) {
    for (const warning of others) stderr.write(line('warning', warning));
  } else if (others.length > 0) {
    const more = shown.size > 0 ? ' more' : '';
    stderr.write(`kfscan: ${others.length}${more} warning${others.length === 1 ? '' : 's'} (--verbose lists them)\n`);
  }
}

export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
