import pLimit from 'p-limit';
import type { ClusterFacts, ContextScan, CoverageGap, Finding, InputError, Inventory, ScanResult, SuppressedFinding, UndecidedCheck } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { analyseInventory } from '../engine/analyse.js';
import { compareFindings } from '../engine/run.js';
import { namespacesOf, provenance } from '../engine/provenance.js';
import { withObjectExcerpts } from '../evidence/attach.js';
import { secretValues } from '../evidence/secret-values.js';
import { withReportIds } from '../engine/report-ids.js';
import { applySuppressions, type SuppressionOptions } from '../engine/suppress.js';
import { buildInventory } from '../inventory/inventory.js';
import type { ProbeOptions, ProbeStats } from '../probe/probe.js';
import type { ProbedCheck } from '../probe/roles.js';
import { ApiError, createApiClient, credentialCommands, type ApiClient } from './api-client.js';
import { KubeconfigError, type LoadedKubeconfig } from './kubeconfig.js';
import { DEFAULT_CONTEXT_CONCURRENCY, DEFAULT_CONTEXT_TIMEOUT_MS } from './fleet-defaults.js';
import { MemoryBudget } from './memory-budget.js';
import { readContext, type ReadProgress } from './read-context.js';
import { append } from '../core/arrays.js';
import { platformOf, readServerVersion } from './server-version.js';
import { formatSeconds } from '../core/dates.js';
import { withDeadline } from '../core/deadline.js';

export interface ConnectionOptions {
  /** Requests in flight per context. */
  concurrency: number;
  /**
   * What the process may hold of the contexts' answers, checked before each answer is parsed; by default
   * 1 GB, or less of a smaller heap (memory-budget.ts). Contexts scanned at once share it.
   */
  memoryLimitBytes?: number;
  /** Per request attempt. */
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  /** `false` (--no-exec-credentials): contexts whose credentials come from running a command are refused. */
  execCredentials?: boolean;
  /** Contexts scanned at once (--context-concurrency; default DEFAULT_CONTEXT_CONCURRENCY). */
  contextConcurrency?: number;
  /** A context still not done this long after it started is given up (--context-timeout): an error for it alone. Default DEFAULT_CONTEXT_TIMEOUT_MS. */
  contextTimeoutMs?: number;
}

export const DEFAULT_CONNECTION: ConnectionOptions = {
  concurrency: 8,
  timeoutMs: 30_000,
  retries: 2,
  backoffMs: 250,
  contextConcurrency: DEFAULT_CONTEXT_CONCURRENCY,
  contextTimeoutMs: DEFAULT_CONTEXT_TIMEOUT_MS,
};

export interface ClusterScanOptions extends ConnectionOptions {
  /** The selected checks; those whose findings are about entry points say so for `--probe`. */
  checks: readonly ProbedCheck[];
  secrets: boolean;
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Annotations, configuration entries and clock, the same as offline. */
  suppression?: SuppressionOptions;
  /** Called once per context, before it is read. */
  progress?: (context: string) => ContextProgress;
  /**
   * `--probe`: after the analysis, send a few GET requests to the entry points the exposure and
   * authentication checks reported. Absent: no request goes anywhere but the API server.
   */
  probe?: Omit<ProbeOptions, 'userAgent'>;
  /** Called with each context's inventory once it is analysed, for commands that work on the objects (`remediate`). */
  onInventory?: (context: string, inventory: Inventory, findings: readonly Finding[]) => void;
  /** The clock for `provenance.scannedAt`; injected by tests and for reproducible reports. */
  now?: () => Date;
  /** Give findings the fields of their object (for the HTML report), secrets redacted. */
  excerpts?: boolean;
  /** Stops the scan (`kfscan serve` shutting down): requests in flight are cancelled, later contexts not read. */
  signal?: AbortSignal;
  /**
   * Scans contexts elsewhere (worker threads, src/cli/context-pool.ts) instead of in this thread, still
   * `contextConcurrency` at a time; it keeps each context's deadline and reports its progress.
   */
  runner?: ContextRunner;
}

/** Decides where each context is scanned: in this thread (`here`) or elsewhere, handing back what it adds as plain data; never rejects. */
export interface ContextRunner {
  run(context: string, progress: ContextProgress | undefined, here: () => Promise<ContextPart>): Promise<ContextPart>;
  /** This thread's share of the memory budget, when other threads read contexts too. */
  readonly memoryLimitBytes: number;
}

export interface ContextProgress {
  update(progress: ReadProgress): void;
  done(outcome: ContextOutcome): void;
}

export interface ContextOutcome {
  context: string;
  server: string | null;
  /** `null` when the context was scanned; one line otherwise. */
  error: string | null;
  resources: number;
  resourceTypes: number;
  notInstalled: string[];
  /** Kinds or objects that could not be read (RBAC, an API that would not list): coverage gaps. */
  unreadable: number;
  durationMs: number;
  /** What `--probe` did in this context; absent without it. */
  probe?: ProbeStats;
  /** The API server's Kubernetes version (GET /version), `null` when it did not say. */
  kubernetesVersion?: string | null;
}

export interface ClusterScan {
  result: ScanResult;
  /** One per context, in the order given. */
  outcomes: ContextOutcome[];
  /** Problems with suppressions (also in `result.warnings`): worth showing even without --verbose. */
  suppressionWarnings: InputError[];
}

/** What one context adds to the result; merged in the order the contexts were given, whatever order they finish in. */
export interface ContextPart {
  outcome: ContextOutcome;
  scan: ContextScan;
  findings: Finding[];
  suppressed: SuppressedFinding[];
  warnings: InputError[];
  errors: InputError[];
  unreadable: CoverageGap[];
  undecided: UndecidedCheck[];
  cluster: ClusterFacts | null;
  namespaces: string[];
}

/**
 * Scans the contexts, `contextConcurrency` at a time. Each gets its own KubeConfig, client, connections
 * and deadline, so nothing cached can answer for the wrong cluster and a dead or hanging server costs its
 * own context and no other. A context that cannot be scanned becomes one error line; the others go on.
 */
export async function scanCluster(kubeconfig: LoadedKubeconfig, contexts: readonly string[], options: ClusterScanOptions): Promise<ClusterScan> {
  const scannedAt = options.now?.() ?? new Date();
  const { runner } = options;
  // The heap is the thread's: contexts read at once in it share one budget for it.
  const memory = new MemoryBudget(runner ? runner.memoryLimitBytes : options.memoryLimitBytes);
  const limit = pLimit(Math.max(1, options.contextConcurrency ?? DEFAULT_CONTEXT_CONCURRENCY));
  const parts = await Promise.all(
    contexts.map((context) =>
      limit(() => {
        const progress = options.progress?.(context);
        const here = (): Promise<ContextPart> => scanContext(kubeconfig, context, options, memory, progress);
        return runner ? runner.run(context, progress, here) : here();
      }),
    ),
  );

  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const warnings: InputError[] = [];
  const errors: InputError[] = [];
  const unreadable: CoverageGap[] = [];
  const undecided: UndecidedCheck[] = [];
  const clusters: ClusterFacts[] = [];
  const namespaces = new Set<string>();
  let resources = 0;
  for (const part of parts) {
    append(findings, part.findings);
    append(suppressed, part.suppressed);
    append(warnings, part.warnings);
    append(errors, part.errors);
    append(unreadable, part.unreadable);
    append(undecided, part.undecided);
    if (part.cluster) clusters.push(part.cluster);
    for (const namespace of part.namespaces) namespaces.add(namespace);
    resources += part.outcome.resources;
  }

  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  const identified = withReportIds({ findings, suppressed });
  return {
    suppressionWarnings: warnings,
    result: {
      target: { mode: 'cluster', contexts: [...contexts] },
      findings: identified.findings,
      suppressed: identified.suppressed,
      errors,
      warnings,
      coverage: { unreadable, undecided },
      checks: options.checks.map((check) => check.meta),
      scanned: { resources, files: 0, contexts: parts.filter((part) => part.outcome.error === null).length },
      anchorFile: null,
      provenance: provenance({ scannedAt, clusters, namespaces, unreadable, checks: options.checks }),
      contexts: parts.map((part) => part.scan),
    },
    outcomes: parts.map((part) => part.outcome),
  };
}

/** Raised when a context's deadline passes: its requests are aborted and its slot is given to the next. */
class ContextDeadline extends Error {}

/**
 * Why a context was given up on at its deadline: not scanned, or (--check-access) not answered; blamed on
 * the credential commands when the client was still waiting for them.
 */
export function deadlineMessage(timeoutMs: number, what: 'scanned' | 'answered' = 'scanned', awaitedCommands: readonly string[] = []): string {
  const within = `not ${what} within ${formatSeconds(timeoutMs)} (--context-timeout)`;
  if (awaitedCommands.length > 0) return `${within}: its credentials come from ${awaitedCommands.join(' and ')}, which had not answered by then`;
  return `${within}; its API server may be hanging or very slow`;
}

/** The part of a context that could not be scanned: one error, nothing else (half a context's findings would read as all of them). */
export function failedContext(context: string, message: string, started: Date, server: string | null = null): ContextPart {
  const finished = new Date();
  const outcome: ContextOutcome = { context, server, error: message, resources: 0, resourceTypes: 0, notInstalled: [], unreadable: 0, durationMs: finished.getTime() - started.getTime() };
  return { outcome, scan: scanRecord(outcome, started, finished), ...noResults(), errors: [{ context, message }] };
}

/** The report's record of one context (`scans[]`), from what its scan came to. */
function scanRecord(outcome: ContextOutcome, started: Date, finished: Date): ContextScan {
  return {
    context: outcome.context,
    status: outcome.error === null ? 'scanned' : 'failed',
    error: outcome.error,
    server: outcome.server,
    kubernetesVersion: outcome.kubernetesVersion ?? null,
    resources: outcome.resources,
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: outcome.durationMs,
  };
}

/** What a context adds before it is read, and all a failed one adds besides its error. */
function noResults(): Omit<ContextPart, 'outcome' | 'scan'> {
  return { findings: [], suppressed: [], warnings: [], errors: [], unreadable: [], undecided: [], cluster: null, namespaces: [] };
}

/** A context's client once it exists, and the commands its credentials come from, which it waits on until then. */
interface ClientHolder {
  current: ApiClient | null;
  credentialCommands: readonly string[];
}

/** Reads, analyses and (with --probe) probes one context, within its deadline; never throws. */
export async function scanContext(
  kubeconfig: LoadedKubeconfig,
  context: string,
  options: ClusterScanOptions,
  memory: MemoryBudget,
  progress: ContextProgress | undefined,
): Promise<ContextPart> {
  const started = new Date();
  const outcome: ContextOutcome = { context, server: null, error: null, resources: 0, resourceTypes: 0, notInstalled: [], unreadable: 0, durationMs: 0 };
  const part: ContextPart = { outcome, scan: null as unknown as ContextScan, ...noResults() };
  const abort = new AbortController();
  const client: ClientHolder = { current: null, credentialCommands: [] };
  const timeoutMs = options.contextTimeoutMs ?? DEFAULT_CONTEXT_TIMEOUT_MS;
  // `kfscan serve` shutting down: requests in flight are cancelled, and a context not started is not read.
  const stop = (): void => abort.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) abort.abort();
  memory.enter();
  try {
    await withDeadline(readAndAnalyse(kubeconfig, context, options, memory, abort, client, outcome, part, progress), timeoutMs, () => {
      abort.abort();
      return new ContextDeadline(deadlineMessage(timeoutMs, 'scanned', client.current === null ? client.credentialCommands : []));
    });
  } catch (error) {
    // A context that failed reports nothing else: half a context's findings would read as all of them.
    Object.assign(part, noResults());
    outcome.error = contextFailure(error);
    outcome.resources = 0;
    part.errors.push({ context, message: outcome.error });
  } finally {
    options.signal?.removeEventListener('abort', stop);
    abort.abort();
    client.current?.close();
    memory.leave();
    const finished = new Date();
    outcome.durationMs = finished.getTime() - started.getTime();
    progress?.done(outcome);
    part.scan = scanRecord(outcome, started, finished);
  }
  return part;
}

async function readAndAnalyse(
  kubeconfig: LoadedKubeconfig,
  context: string,
  options: ClusterScanOptions,
  memory: MemoryBudget,
  abort: AbortController,
  client: ClientHolder,
  outcome: ContextOutcome,
  part: ContextPart,
  progress: ContextProgress | undefined,
): Promise<void> {
  const config = kubeconfig.forContext(context);
  client.credentialCommands = credentialCommands(config);
  const api = await createApiClient(config, {
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    backoffMs: options.backoffMs,
    maxSockets: options.concurrency,
    userAgent: `kfscan/${toolVersion()}`,
    signal: abort.signal,
    memory,
    ...(options.execCredentials === false ? { execCredentials: false } : {}),
  });
  client.current = api;
  // The deadline may have passed while the credentials were fetched.
  if (abort.signal.aborted) return;
  outcome.server = api.server;
  const [snapshot, version] = await Promise.all([
    readContext(
      api,
      context,
      { checks: options.checks, secrets: options.secrets, concurrency: options.concurrency, ...(progress ? { onProgress: (p) => progress.update(p) } : {}) },
      abort,
    ),
    readServerVersion(api),
  ]);
  if (abort.signal.aborted) return;
  outcome.kubernetesVersion = version;
  const inventory =
    snapshot.inventory ??
    buildInventory(snapshot.resources, {
      mode: 'cluster',
      context,
      forbidden: snapshot.forbidden,
      notInstalled: snapshot.notInstalled,
    });
  const run = analyseInventory(inventory, {
    checks: options.checks,
    ...(options.checkOptions ? { checkOptions: options.checkOptions } : {}),
    ...(options.suppression ? { suppression: options.suppression } : {}),
  });
  options.onInventory?.(context, inventory, run.findings);
  part.cluster = { context, kubernetesVersion: version, platform: platformOf(version, inventory) };
  part.namespaces = [...namespacesOf(inventory)];
  let reported = run.findings;
  if (options.probe) {
    const { probeFindings, probeRoles } = await import('../probe/probe.js');
    const probed = await probeFindings(
      inventory,
      { findings: run.findings, suppressed: run.suppressed, ...probeRoles(options.checks) },
      { ...options.probe, userAgent: `kfscan/${toolVersion()} (probe)` },
    );
    // New findings go through the same suppressions; their warnings were given by the first pass.
    const added = applySuppressions(inventory, probed.added, options.checks.map((check) => check.meta), options.suppression);
    reported = [...probed.findings, ...added.findings];
    append(part.suppressed, added.suppressed);
    outcome.probe = probed.stats;
  }
  if (abort.signal.aborted) return;
  append(part.findings, options.excerpts ? withObjectExcerpts(reported, inventory, secretValues([inventory])) : reported);
  append(part.suppressed, run.suppressed);
  append(part.warnings, run.warnings.map((warning) => ({ context, ...warning })));
  append(part.undecided, run.undecided);
  append(part.unreadable, snapshot.unreadable.sort(compareGaps));
  append(part.errors, snapshot.errors.sort((a, b) => compareText(a.message, b.message)));
  append(part.errors, run.errors.map((error) => ({ context, ...error })));
  outcome.resources = snapshot.resources.length;
  outcome.resourceTypes = snapshot.plan.lists.length;
  outcome.notInstalled = [...snapshot.plan.notInstalled];
  outcome.unreadable = snapshot.unreadable.length;
}

function contextFailure(error: unknown): string {
  if (error instanceof ContextDeadline) return error.message;
  if (error instanceof ApiError) return error.message;
  if (error instanceof KubeconfigError) return error.message;
  return `unexpected error: ${error instanceof Error ? error.message : String(error)}`;
}

function compareGaps(a: CoverageGap, b: CoverageGap): number {
  return compareText(a.resource, b.resource) || compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name ?? '', b.name ?? '');
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
