import type { ClusterFacts, CoverageGap, Finding, InputError, Inventory, ScanResult, SuppressedFinding, UndecidedCheck } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { analyseInventory } from '../engine/analyse.js';
import { PROJECT_URL } from '../engine/docs-url.js';
import { compareFindings } from '../engine/run.js';
import { namespacesOf, provenance } from '../engine/provenance.js';
import { withObjectExcerpts } from '../evidence/attach.js';
import { secretValues } from '../evidence/secret-values.js';
import { withReportIds } from '../engine/report-ids.js';
import { applySuppressions, type SuppressionOptions } from '../engine/suppress.js';
import { buildInventory } from '../inventory/inventory.js';
import type { ProbeOptions, ProbeStats } from '../probe/probe.js';
import type { ProbedCheck } from '../probe/roles.js';
import { ApiError, createApiClient, type ApiClient } from './api-client.js';
import { KubeconfigError, type LoadedKubeconfig } from './kubeconfig.js';
import { readContext, type ReadProgress } from './read-context.js';
import { append } from '../core/arrays.js';
import { platformOf, readServerVersion } from './server-version.js';

export interface ConnectionOptions {
  /** Requests in flight per context. */
  concurrency: number;
  /** Per request attempt. */
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  /** `false` (--no-exec-credentials): contexts whose credentials come from running a command are refused. */
  execCredentials?: boolean;
}

export const DEFAULT_CONNECTION: ConnectionOptions = { concurrency: 8, timeoutMs: 30_000, retries: 2, backoffMs: 250 };

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
  durationMs: number;
  /** What `--probe` did in this context; absent without it. */
  probe?: ProbeStats;
  /** The API server's Kubernetes version (GET /version), `null` when it did not say. */
  kubernetesVersion?: string | null;
}

export interface ClusterScan {
  result: ScanResult;
  outcomes: ContextOutcome[];
  /** Problems with suppressions (also in `result.warnings`): worth showing even without --verbose. */
  suppressionWarnings: InputError[];
}

/**
 * Scans contexts one after the other: each gets its own KubeConfig, client and connections, is read,
 * analysed and released before the next, so memory holds one cluster at a time and nothing cached can
 * answer for the wrong cluster. A context that cannot be reached becomes one error line; the others go on.
 */
export async function scanCluster(kubeconfig: LoadedKubeconfig, contexts: readonly string[], options: ClusterScanOptions): Promise<ClusterScan> {
  const findings: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const warnings: InputError[] = [];
  const errors: InputError[] = [];
  const unreadable: CoverageGap[] = [];
  const undecided: UndecidedCheck[] = [];
  const outcomes: ContextOutcome[] = [];
  const clusters: ClusterFacts[] = [];
  const namespaces = new Set<string>();
  const scannedAt = options.now?.() ?? new Date();
  let resources = 0;

  for (const context of contexts) {
    if (options.signal?.aborted) break;
    const started = Date.now();
    const progress = options.progress?.(context);
    const outcome: ContextOutcome = { context, server: null, error: null, resources: 0, resourceTypes: 0, notInstalled: [], durationMs: 0 };
    const abort = new AbortController();
    const stop = (): void => abort.abort();
    options.signal?.addEventListener('abort', stop, { once: true });
    let client: ApiClient | null = null;
    try {
      client = await createApiClient(kubeconfig.forContext(context), {
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        backoffMs: options.backoffMs,
        maxSockets: options.concurrency,
        userAgent: `kfscan/${toolVersion()}`,
        signal: abort.signal,
        ...(options.execCredentials === false ? { execCredentials: false } : {}),
      });
      outcome.server = client.server;
      const [snapshot, version] = await Promise.all([
        readContext(
          client,
          context,
          { checks: options.checks, secrets: options.secrets, concurrency: options.concurrency, ...(progress ? { onProgress: (p) => progress.update(p) } : {}) },
          abort,
        ),
        readServerVersion(client),
      ]);
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
      clusters.push({ context, kubernetesVersion: version, platform: platformOf(version, inventory) });
      for (const namespace of namespacesOf(inventory)) namespaces.add(namespace);
      let reported = run.findings;
      if (options.probe) {
        const { probeFindings, probeRoles } = await import('../probe/probe.js');
        const probed = await probeFindings(
          inventory,
          { findings: run.findings, suppressed: run.suppressed, ...probeRoles(options.checks) },
          { ...options.probe, userAgent: `kfscan/${toolVersion()} (probe; +${PROJECT_URL})` },
        );
        // New findings go through the same suppressions; their warnings were given by the first pass.
        const added = applySuppressions(inventory, probed.added, options.checks.map((check) => check.meta), options.suppression);
        reported = [...probed.findings, ...added.findings];
        append(suppressed, added.suppressed);
        outcome.probe = probed.stats;
      }
      append(findings, options.excerpts ? withObjectExcerpts(reported, inventory, secretValues([inventory])) : reported);
      append(suppressed, run.suppressed);
      append(warnings, run.warnings.map((warning) => ({ context, ...warning })));
      append(undecided, run.undecided);
      append(unreadable, snapshot.unreadable.sort(compareGaps));
      append(errors, snapshot.errors.sort((a, b) => compareText(a.message, b.message)));
      append(errors, run.errors.map((error) => ({ context, ...error })));
      outcome.resources = snapshot.resources.length;
      outcome.resourceTypes = snapshot.plan.lists.length;
      outcome.notInstalled = [...snapshot.plan.notInstalled];
      resources += snapshot.resources.length;
    } catch (error) {
      outcome.error = contextFailure(error);
      errors.push({ context, message: outcome.error });
    } finally {
      options.signal?.removeEventListener('abort', stop);
      abort.abort();
      client?.close();
      outcome.durationMs = Date.now() - started;
      progress?.done(outcome);
      outcomes.push(outcome);
    }
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
      scanned: { resources, files: 0, contexts: outcomes.filter((o) => o.error === null).length },
      anchorFile: null,
      provenance: provenance({ scannedAt, clusters, namespaces, unreadable, checks: options.checks }),
    },
    outcomes,
  };
}

function contextFailure(error: unknown): string {
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
