import type { Check, CoverageGap, Finding, InputError, ScanResult, SuppressedFinding, UndecidedCheck } from '../core/types.js';
import { toolVersion } from '../core/version.js';
import { analyseInventory } from '../engine/analyse.js';
import { compareFindings } from '../engine/run.js';
import type { SuppressionOptions } from '../engine/suppress.js';
import { buildInventory } from '../inventory/inventory.js';
import { ApiError, createApiClient, type ApiClient } from './api-client.js';
import { KubeconfigError, type LoadedKubeconfig } from './kubeconfig.js';
import { readContext, type ReadProgress } from './read-context.js';

export interface ConnectionOptions {
  /** Requests in flight per context. */
  concurrency: number;
  /** Per request attempt. */
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

export const DEFAULT_CONNECTION: ConnectionOptions = { concurrency: 8, timeoutMs: 30_000, retries: 2, backoffMs: 250 };

export interface ClusterScanOptions extends ConnectionOptions {
  checks: readonly Check[];
  secrets: boolean;
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Annotations, configuration entries and clock, the same as offline. */
  suppression?: SuppressionOptions;
  /** Called once per context, before it is read. */
  progress?: (context: string) => ContextProgress;
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
  let resources = 0;

  for (const context of contexts) {
    const started = Date.now();
    const progress = options.progress?.(context);
    const outcome: ContextOutcome = { context, server: null, error: null, resources: 0, resourceTypes: 0, notInstalled: [], durationMs: 0 };
    const abort = new AbortController();
    let client: ApiClient | null = null;
    try {
      client = await createApiClient(kubeconfig.forContext(context), {
        timeoutMs: options.timeoutMs,
        retries: options.retries,
        backoffMs: options.backoffMs,
        maxSockets: options.concurrency,
        userAgent: `kfscan/${toolVersion()}`,
        signal: abort.signal,
      });
      outcome.server = client.server;
      const snapshot = await readContext(
        client,
        context,
        { checks: options.checks, secrets: options.secrets, concurrency: options.concurrency, ...(progress ? { onProgress: (p) => progress.update(p) } : {}) },
        abort,
      );
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
      findings.push(...run.findings);
      suppressed.push(...run.suppressed);
      warnings.push(...run.warnings.map((warning) => ({ context, ...warning })));
      undecided.push(...run.undecided);
      unreadable.push(...snapshot.unreadable.sort(compareGaps));
      errors.push(...snapshot.errors.sort((a, b) => compareText(a.message, b.message)), ...run.errors.map((error) => ({ context, ...error })));
      outcome.resources = snapshot.resources.length;
      outcome.resourceTypes = snapshot.plan.lists.length;
      outcome.notInstalled = [...snapshot.plan.notInstalled];
      resources += snapshot.resources.length;
    } catch (error) {
      outcome.error = contextFailure(error);
      errors.push({ context, message: outcome.error });
    } finally {
      abort.abort();
      client?.close();
      outcome.durationMs = Date.now() - started;
      progress?.done(outcome);
      outcomes.push(outcome);
    }
  }

  findings.sort(compareFindings);
  suppressed.sort(compareFindings);
  return {
    suppressionWarnings: warnings,
    result: {
      target: { mode: 'cluster', contexts: [...contexts] },
      findings,
      suppressed,
      errors,
      warnings,
      coverage: { unreadable, undecided },
      checks: options.checks.map((check) => check.meta),
      scanned: { resources, files: 0, contexts: outcomes.filter((o) => o.error === null).length },
      anchorFile: null,
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
