// What the commands that read clusters (`cluster`, `serve`, `remediate --cluster`) take from their command
// line: the connection, the probe, the kubeconfig and its contexts. Also what a worker thread of a fleet
// scan rebuilds its scan from (context-worker.ts), so that it scans exactly as the command would.
import type { ClusterScanOptions, ConnectionOptions } from '../live/scan-cluster.js';
import type { LoadedKubeconfig } from '../live/kubeconfig.js';
import { FLEET_CONTEXT_CONCURRENCY, FLEET_REQUEST_CONCURRENCY, FLEET_SIZE } from '../live/fleet-defaults.js';
import { UsageError, type CliIo } from './io.js';
import { splitList, type CommonScanOptions, type PreparedScan } from './scan-pipeline.js';

export interface ClusterOptions extends CommonScanOptions {
  kubeconfig?: string;
  context?: string;
  contexts?: string;
  allContexts?: boolean;
  inCluster?: boolean;
  secrets: boolean;
  checkAccess?: boolean;
  requestTimeout: string;
  concurrency: string;
  contextConcurrency: string;
  contextTimeout: string;
  probe?: boolean;
  probeTimeout?: string;
  probeAllowLocal?: boolean;
  /** `false` with --no-exec-credentials. */
  execCredentials: boolean;
}

export const DEFAULT_PROBE_TIMEOUT_SECONDS = 5;

/** Whether the command line set an option (rather than its default). */
export type OnCommandLine = (option: 'concurrency' | 'contextConcurrency') => boolean;

/**
 * The options with the defaults of a large fleet (fleet-defaults.ts) when it is one and the user chose
 * neither how many contexts to read at once nor how many requests each: `given` says which options the
 * command line set.
 */
export function withFleetDefaults<T extends { concurrency: string; contextConcurrency?: string }>(options: T, contexts: number, given: OnCommandLine): T {
  if (contexts < FLEET_SIZE || given('concurrency') || given('contextConcurrency')) return options;
  return { ...options, concurrency: String(FLEET_REQUEST_CONCURRENCY), contextConcurrency: String(FLEET_CONTEXT_CONCURRENCY) };
}

export function probeOptions(options: ClusterOptions): { timeoutMs: number; allowLocal: boolean } | null {
  if (!options.probe) {
    if (options.probeTimeout !== undefined) throw new UsageError('--probe-timeout needs --probe');
    if (options.probeAllowLocal) throw new UsageError('--probe-allow-local needs --probe');
    return null;
  }
  const seconds = options.probeTimeout === undefined ? DEFAULT_PROBE_TIMEOUT_SECONDS : Number(options.probeTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 60) throw new UsageError(`--probe-timeout takes a number of seconds up to 60 (got "${options.probeTimeout}")`);
  return { timeoutMs: seconds * 1000, allowLocal: options.probeAllowLocal === true };
}

/** What scanning a context takes from the command line, the same in this thread and in a worker thread (context-worker.ts). */
export function clusterScanOptions(
  options: ClusterOptions,
  prepared: PreparedScan,
  connection: ConnectionOptions,
  probe: { timeoutMs: number; allowLocal: boolean } | null,
): ClusterScanOptions {
  return {
    ...connection,
    excerpts: prepared.customerReport,
    checks: prepared.checks,
    checkOptions: prepared.checkOptions,
    secrets: options.secrets,
    suppression: prepared.suppression,
    ...(probe ? { probe } : {}),
  };
}

export interface KubeconfigOptions {
  kubeconfig?: string;
  context?: string;
  contexts?: string;
  allContexts?: boolean;
  inCluster?: boolean;
}

/** The kubeconfig and the contexts the options name; a bad kubeconfig or context is a usage error. */
export async function resolveContexts(options: KubeconfigOptions, io: CliIo): Promise<{ kubeconfig: LoadedKubeconfig; contexts: string[] }> {
  const { loadKubeconfig, chooseContexts, KubeconfigError } = await import('../live/kubeconfig.js');
  try {
    const kubeconfig = await loadKubeconfig({
      ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
      inCluster: options.inCluster === true,
      env: io.env,
      cwd: io.cwd,
    });
    const contexts = chooseContexts(kubeconfig, {
      ...(options.context !== undefined ? { context: options.context } : {}),
      ...(options.contexts !== undefined ? { contexts: splitList(options.contexts) } : {}),
      allContexts: options.allContexts === true,
    });
    return { kubeconfig, contexts };
  } catch (error) {
    if (error instanceof KubeconfigError) throw new UsageError(error.message);
    throw error;
  }
}

export function connectionOptions(
  options: { requestTimeout: string; concurrency: string; contextConcurrency?: string; contextTimeout?: string; execCredentials?: boolean },
  defaults: ConnectionOptions,
): ConnectionOptions {
  const seconds = Number(options.requestTimeout);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--request-timeout takes a number of seconds (got "${options.requestTimeout}")`);
  const concurrency = Number(options.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError(`--concurrency takes a whole number from 1 to 64 (got "${options.concurrency}")`);
  const fleet: Partial<ConnectionOptions> = {};
  if (options.contextConcurrency !== undefined) {
    const contexts = Number(options.contextConcurrency);
    if (!Number.isInteger(contexts) || contexts < 1 || contexts > 256) throw new UsageError(`--context-concurrency takes a whole number from 1 to 256 (got "${options.contextConcurrency}")`);
    fleet.contextConcurrency = contexts;
  }
  if (options.contextTimeout !== undefined) {
    const deadline = Number(options.contextTimeout);
    if (!Number.isFinite(deadline) || deadline <= 0) throw new UsageError(`--context-timeout takes a number of seconds (got "${options.contextTimeout}")`);
    fleet.contextTimeoutMs = deadline * 1000;
  }
  return { ...defaults, ...fleet, concurrency, timeoutMs: seconds * 1000, ...(options.execCredentials === false ? { execCredentials: false } : {}) };
}
