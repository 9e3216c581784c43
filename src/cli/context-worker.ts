// The worker thread of a fleet scan (context-pool.ts): it rebuilds the command's scan from the same command
// line, environment and clock (checks, plugins, configuration, suppressions, kubeconfig), once, then scans
// each context it is handed as the command's own thread would, and answers with the context's part as
// plain data. It writes nothing anywhere: what goes to the user goes through the command's thread.
import { Readable, Writable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import type { CatalogueCheck } from '../catalogue/check-unit.js';
import { errorText } from '../core/error-text.js';
import { DEFAULT_CONNECTION, failedContext, scanContext, type ClusterScanOptions, type ContextPart } from '../live/scan-cluster.js';
import { loadClientNode, type LoadedKubeconfig } from '../live/kubeconfig.js';
import type { ReadProgress } from '../live/read-context.js';
import { defaultMemoryLimit, MemoryBudget } from '../live/memory-budget.js';
import type { ContextWorkerData, FromWorker, ToWorker } from './context-pool.js';
import { clusterScanOptions, connectionOptions, probeOptions, resolveContexts } from './cluster-options.js';
import type { CliIo } from './io.js';
import { prepareScan } from './scan-pipeline.js';

const PROGRESS_INTERVAL_MS = 200;

interface WorkerScan {
  kubeconfig: LoadedKubeconfig;
  options: ClusterScanOptions;
  memory: MemoryBudget;
}

/** Runs in a worker thread started by ContextPool; `checks` are the registry's, as the program's entry injects them. */
export function serveContexts(checks: readonly CatalogueCheck[]): void {
  const port = parentPort;
  if (port === null) throw new Error('serveContexts() runs in a worker thread');
  // Started before the command has read its kubeconfig: the Kubernetes client loads meanwhile.
  loadClientNode().catch(() => {});
  let ready: Promise<WorkerScan> = Promise.reject(new Error('the worker thread was not set up'));
  ready.catch(() => {});
  const post = (message: FromWorker): void => port.postMessage(message);

  const scan = async (id: number, context: string): Promise<void> => {
    const started = new Date();
    let part: ContextPart;
    try {
      const { kubeconfig, options, memory } = await ready;
      // A message per page of every context would cost more than the reading: a spinner needs a few a second.
      let sent = 0;
      const update = (progress: ReadProgress): void => {
        const now = performance.now();
        if (now - sent < PROGRESS_INTERVAL_MS) return;
        sent = now;
        post({ type: 'progress', id, progress });
      };
      part = await scanContext(kubeconfig, context, options, memory, { update, done: () => {} });
    } catch (error) {
      part = failedContext(context, `unexpected error: ${errorText(error)}`, started);
    }
    post({ type: 'done', id, part });
  };
  port.on('message', (message: ToWorker) => {
    if (message.type === 'setup') {
      ready = setUp(checks, message.data);
      ready.catch(() => {});
    } else void scan(message.id, message.context);
  });
}

async function setUp(checks: readonly CatalogueCheck[], data: ContextWorkerData): Promise<WorkerScan> {
  const io = silentIo(data);
  // Verbose lines were written by the command's thread already.
  const options = { ...data.options, verbose: false };
  const prepared = await prepareScan(options, { checks, io, now: () => data.now });
  const selected = prepared.checks.map((check) => check.meta.id);
  if (selected.join('\n') !== data.checkIds.join('\n')) throw new Error(`the worker thread selected other checks (${selected.length}) than the command (${data.checkIds.length})`);
  const connection = connectionOptions(options, DEFAULT_CONNECTION);
  const { kubeconfig } = await resolveContexts(options, io);
  return {
    kubeconfig,
    options: clusterScanOptions(options, prepared, connection, probeOptions(options)),
    memory: new MemoryBudget(Math.min(data.memoryLimitBytes, defaultMemoryLimit())),
  };
}

function silentIo(data: ContextWorkerData): CliIo {
  const discard = (): Writable => new Writable({ write: (_chunk, _encoding, callback) => callback() });
  return { stdout: discard(), stderr: discard(), stdin: Readable.from([]), cwd: data.cwd, env: data.env };
}
