// The steps every scanning command shares around its analysis (offline `scan`, live `cluster`): before,
// select checks, load the configuration and the baseline, so that a bad one fails before any work;
// after, write the baseline, filter, report and choose the exit code.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Check, Engagement, InputError, PluginInfo, ScanResult, Severity } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { ignoreRules } from '../config/ignore-rules.js';
import type { LoadedConfig } from '../config/load.js';
import { BaselineError, baselineFingerprints } from '../engine/baseline.js';
import { filterReport } from '../engine/filters.js';
import { NOT_APPLIED, type SuppressionOptions } from '../engine/suppress.js';
import { jsonReport } from '../reporters/json.js';
import type { ReportFile } from '../diff/report-file.js';
import type { KitPlan, ReportContext, ScanRun } from '../reporters/report-context.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { formatProblem } from '../reporters/describe.js';
import { loadCatalogue, selectFromCatalogue, unknownIdReason, type CatalogueOptions } from './check-catalogue.js';
import { exitCodeFor, type FailOn } from './exit-codes.js';
import { UsageError, type CliDependencies, type CliIo } from './io.js';
import { parseFormat, reportTime, writeOutput, writeReports, type ReportTarget, type TargetFormat } from './reports.js';
import { redactCredentials, redactDeep } from '../core/credentials.js';

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
  title?: string;
  customer?: string;
  assessor?: string;
  /** `--compare OLD.json`: a section of the HTML and PDF reports on what changed since. */
  compare?: string;
}

export interface PreparedScan {
  format: TargetFormat;
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
  /** Title, customer and assessor: the command line's, else the configuration's `report:`. */
  engagement: Engagement;
  /** When the scan and its reports say they were made: SOURCE_DATE_EPOCH, else the injected clock, else now. */
  clock: () => Date;
  /** An HTML or PDF report is asked for: it carries the plan, the check pages and the comparison. */
  customerReport: boolean;
  /** The earlier report of `--compare`, validated. */
  compare: ReportFile | null;
}

export async function prepareScan(options: CommonScanOptions, deps: CliDependencies): Promise<PreparedScan> {
  const { io } = deps;
  const format = parseFormat(options.format);
  if (format === 'pdf' && (options.output === undefined || options.output === '-')) throw new UsageError('--format pdf writes a file: give --output FILE.pdf (or use --report pdf=FILE.pdf)');
  const customerReport = [format, ...options.report.map((target) => target.format)].some((f) => f === 'html' || f === 'pdf');
  if (options.compare !== undefined && !customerReport) {
    throw new UsageError('--compare adds a section to the HTML and PDF reports: add --format html or --report html=FILE (kfscan diff compares two JSON reports in any format)');
  }
  const compare = options.compare === undefined ? null : await readComparedReport(options.compare, io.cwd);
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
      // Entries of a configuration that came with an untrusted tree are reported, never applied.
      rules: config?.trusted === false ? [] : rules.rules,
      reportedRules: config?.trusted === false ? rules.rules : [],
      annotations: options.annotationIgnores !== false,
      untrusted: options.untrusted === true,
      now,
      catalogue: metas,
    },
    config,
    configWarnings: [...selectionWarnings, ...rules.warnings],
    baseline: options.baseline === undefined ? null : await readBaseline(options.baseline, io.cwd),
    engagement: engagementOf(options, config),
    clock: () => reportTime(io.env, deps.now),
    customerReport,
    compare,
  };
}

async function readComparedReport(file: string, cwd: string): Promise<ReportFile> {
  const { readReportFile, ReportFileError } = await import('../diff/report-file.js');
  try {
    return await readReportFile(file, cwd);
  } catch (error) {
    if (error instanceof ReportFileError) throw new UsageError(`--compare: ${error.message}`);
    throw error;
  }
}

export interface FinishOptions {
  /** Problems with suppressions (from `analyseInventory`): printed even without --verbose. */
  importantWarnings?: readonly InputError[];
  /** Errors the command has already printed as they happened (a context that failed, say). */
  printedErrors?: readonly InputError[];
  /** The remediation kit for the plan of an HTML or PDF report; called only when one is written. */
  kits?: () => KitPlan[];
  /** How long each context's scan took and whether it completed (the OpenMetrics report). */
  runs?: readonly ScanRun[];
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
  { importantWarnings = [], printedErrors = [], kits, runs }: FinishOptions = {},
): Promise<number> {
  const { io } = deps;
  const complete: ScanResult = {
    ...scanned,
    errors: [...prepared.pluginErrors, ...scanned.errors],
    warnings: [...scanned.warnings, ...prepared.configWarnings],
    ...(prepared.plugins.length > 0 ? { plugins: prepared.plugins } : {}),
  };
  if (options.writeBaseline !== undefined) {
    await writeFile(io, options.writeBaseline, jsonReport(redactDeep(complete), { version: toolVersion(), color: false, width: 120, engagement: prepared.engagement }));
    if (options.verbose) io.stderr.write(`kfscan: baseline ${terminalSafe(options.writeBaseline)}: ${complete.findings.length} finding${complete.findings.length === 1 ? '' : 's'}\n`);
  }
  const result = filterReport(complete, { minSeverity: options.minSeverity ?? null, baseline: prepared.baseline });

  const primary: ReportTarget = { format: prepared.format, file: options.output ?? null };
  const tableOnStdout = prepared.format === 'table' && primary.file === null;
  const printed = new Set(printedErrors);
  const notApplied = importantWarnings.filter((warning) => warning.message.startsWith(NOT_APPLIED)).length;
  if (notApplied > 0) {
    io.stderr.write(`kfscan: --untrusted: ${notApplied} waiver${notApplied === 1 ? '' : 's'} written in the scanned input (kfscan.io/ignore annotations, ignore entries) not applied: their findings are reported\n`);
  }
  reportProblems({ ...result, errors: result.errors.filter((error) => !printed.has(error)) }, io.stderr, {
    includeErrors: !tableOnStdout,
    verbose: options.verbose === true,
    important: [...prepared.configWarnings, ...importantWarnings],
  });
  const attackPath = deps.checks.flatMap((check) => (check.attackPath ? [{ id: check.meta.id, steps: check.attackPath }] : []));
  // Every report and the baseline: credentials the scanned text quoted are not written (see core/credentials.ts).
  const safe = redactDeep(result);
  await writeReports(safe, [primary, ...options.report], io, options.color, {
    showSuppressed: options.showSuppressed === true,
    attackPath,
    engagement: prepared.engagement,
    generatedAt: prepared.clock(),
    ...(runs ? { scanRuns: runs } : {}),
    ...(prepared.customerReport ? await customerExtras(safe, prepared, deps, kits) : {}),
  });
  return exitCodeFor(result, options.failOn);
}

const MAX_ENGAGEMENT_TEXT = 200;

function engagementOf(options: CommonScanOptions, config: LoadedConfig | null): Engagement {
  const report = config?.data.report ?? {};
  const pick = (flag: 'title' | 'customer' | 'assessor'): string | null => {
    const given = options[flag];
    if (given !== undefined) {
      if (given.trim() === '' || given.length > MAX_ENGAGEMENT_TEXT) throw new UsageError(`--${flag} takes a text of 1 to ${MAX_ENGAGEMENT_TEXT} characters`);
      return given;
    }
    return report[flag] ?? null;
  };
  return { title: pick('title'), customer: pick('customer'), assessor: pick('assessor') };
}

/** What only the HTML and PDF reports carry: the kit behind the plan, the check pages, the comparison. */
async function customerExtras(result: ScanResult, prepared: PreparedScan, deps: CliDependencies, kits: FinishOptions['kits']): Promise<Partial<ReportContext>> {
  const { readDocsPage } = await import('../catalogue/docs-page.js');
  const builtin = new Set(deps.checks.map((check) => check.meta.id));
  const checkPages: Record<string, string> = {};
  for (const meta of result.checks) {
    if (!builtin.has(meta.id)) continue;
    const page = await readDocsPage(meta.id);
    if (page !== null) checkPages[meta.id] = page;
  }
  let plans: KitPlan[] = [];
  try {
    plans = kits?.() ?? [];
  } catch (error) {
    deps.io.stderr.write(`kfscan: warning: the remediation kit for the report's plan could not be built: ${terminalSafe(error instanceof Error ? error.message : String(error))}\n`);
  }
  if (!prepared.compare) return { checkPages, kits: plans };
  const { compareReports, reportFileOf } = await import('../diff/compare.js');
  return { checkPages, kits: plans, comparison: compareReports(prepared.compare, reportFileOf(result, toolVersion(), 'this scan')) };
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
  await writeOutput(file, text, io.cwd);
}

export function reportProblems(
  result: ScanResult,
  stderr: { write(text: string): unknown },
  { includeErrors, verbose, important = [] }: { includeErrors: boolean; verbose: boolean; important?: readonly InputError[] },
): void {
  // File names and messages quote manifests: escape them like the table does.
  const line = (label: string, problem: InputError): string => `kfscan: ${label}: ${terminalSafe(redactCredentials(formatProblem(problem)))}\n`;
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
