// A fleet scan on every core: contexts are read and analysed in this thread and in a few worker threads
// (context-worker.ts), each of which loads the client and the checks once and scans the contexts it is
// handed, while this thread also keeps the order, the progress lines, the deadlines and the report.
// Results come back as plain data.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ConnectionOptions, ContextPart, ContextProgress, ContextRunner } from '../live/scan-cluster.js';
import type { ReadProgress } from '../live/read-context.js';
import { DEFAULT_CONTEXT_CONCURRENCY, DEFAULT_CONTEXT_TIMEOUT_MS } from '../live/fleet-defaults.js';
import { deadlineMessage, failedContext } from '../live/scan-cluster.js';
import { defaultMemoryLimit } from '../live/memory-budget.js';
import { errorText } from '../core/error-text.js';
import type { ClusterOptions } from './cluster-options.js';

/**
 * Below this many contexts a worker's start (loading the program again: about a fifth of a second of CPU)
 * costs more than the second core gives back.
 */
export const MIN_POOLED_CONTEXTS = 4;
/**
 * A worker enforces each context's deadline itself; this thread gives up on a context this much later,
 * in case the worker is stuck in work that never yields (its own deadline cannot fire then).
 */
const DEADLINE_GRACE_MS = 1000;

/** What a worker needs to scan as this command would: the command line, its environment and clock. */
export interface ContextWorkerData {
  options: ClusterOptions;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The clock of the command's suppressions (expiry dates). */
  now: Date;
  /** The ids of the checks the command selected: the worker refuses to scan if it selected others. */
  checkIds: string[];
  /** This worker's share of the memory budget the contexts read at once share. */
  memoryLimitBytes: number;
}

export type ToWorker = { type: 'setup'; data: ContextWorkerData } | { type: 'scan'; id: number; context: string };
export type FromWorker = { type: 'progress'; id: number; progress: ReadProgress } | { type: 'done'; id: number; part: ContextPart };

interface Task {
  context: string;
  started: Date;
  progress: ContextProgress | undefined;
  timer: NodeJS.Timeout;
  finish(part: ContextPart): void;
}

interface Slot {
  /** `null`: this thread. */
  worker: Worker | null;
  /** Contexts handed to the slot and not yet answered. */
  tasks: Map<number, Task>;
  /** Why the worker stopped; `null` while it runs. */
  stopped: string | null;
}

/**
 * Starts the workers of a scan that may read many contexts before the command has read its configuration
 * and kubeconfig: a worker takes about as long to load the program, so the two overlap. `expected`: the
 * contexts named, `null` when unknown yet (--all-contexts); `contextConcurrency`: the one given, if any.
 * `null` when one thread will do: fewer than MIN_POOLED_CONTEXTS contexts, a single core, or no built
 * worker program (the CLI run from its sources, as tests do). `configure` says what to scan, or stops them.
 */
export function prestartContextPool(entry: URL | undefined, expected: number | null, contextConcurrency: number | null): ContextPool | null {
  const threads = Math.min(os.availableParallelism(), contextConcurrency ?? Infinity, expected ?? Infinity);
  // A copy of the program without its worker (a partial install) still scans, in one thread.
  if (entry === undefined || (expected !== null && expected < MIN_POOLED_CONTEXTS) || threads < 2 || !existsSync(fileURLToPath(entry))) return null;
  return new ContextPool(entry, threads - 1);
}

/** `min(cores, --context-concurrency)` threads for a fleet scan: this one and workers. */
export class ContextPool implements ContextRunner {
  memoryLimitBytes = 0;
  private readonly slots: Slot[];
  private nextId = 0;
  private timeoutMs = DEFAULT_CONTEXT_TIMEOUT_MS;
  private closing: Promise<void> | null = null;

  constructor(entry: URL, workers: number) {
    this.slots = [{ worker: null, tasks: new Map(), stopped: null }, ...Array.from({ length: workers }, () => this.startWorker(entry))];
  }

  /**
   * What the workers scan with, once the command knows. Resolves `false`, the workers stopped, when the
   * scan is one for a single thread after all; workers beyond what the contexts need stop.
   */
  async configure(contexts: number, connection: ConnectionOptions, data: Omit<ContextWorkerData, 'memoryLimitBytes'>): Promise<boolean> {
    const threads = Math.min(this.slots.length, connection.contextConcurrency ?? DEFAULT_CONTEXT_CONCURRENCY, contexts);
    if (contexts < MIN_POOLED_CONTEXTS || threads < 2) {
      await this.close();
      return false;
    }
    await Promise.all(this.slots.splice(threads).flatMap((slot) => (slot.worker ? [slot.worker.terminate()] : [])));
    // The budget is the process's: each thread's heap gets its share.
    this.memoryLimitBytes = Math.floor((connection.memoryLimitBytes ?? defaultMemoryLimit()) / threads);
    this.timeoutMs = connection.contextTimeoutMs ?? DEFAULT_CONTEXT_TIMEOUT_MS;
    const setup: ContextWorkerData = { ...data, memoryLimitBytes: this.memoryLimitBytes };
    for (const slot of this.slots) slot.worker?.postMessage({ type: 'setup', data: setup } satisfies ToWorker);
    return true;
  }

  /**
   * Gives the context to the least busy thread: `here` scans it in this one; a worker's part comes back
   * as a message, or a failed one at its deadline if the worker does not answer by then.
   */
  run(context: string, progress: ContextProgress | undefined, here: () => Promise<ContextPart>): Promise<ContextPart> {
    const slot = this.slots.filter((candidate) => candidate.stopped === null).reduce((least, candidate) => (candidate.tasks.size < least.tasks.size ? candidate : least));
    const id = this.nextId++;
    const started = new Date();
    return new Promise((resolve) => {
      let settled = false;
      const task: Task = {
        context,
        started,
        progress,
        finish: (part) => {
          if (settled) return;
          settled = true;
          clearTimeout(task.timer);
          slot.tasks.delete(id);
          // scanContext reports a context it scanned here itself.
          if (slot.worker !== null) progress?.done(part.outcome);
          resolve(part);
        },
        timer: setTimeout(() => task.finish(failedContext(context, deadlineMessage(this.timeoutMs), started)), this.timeoutMs + DEADLINE_GRACE_MS),
      };
      slot.tasks.set(id, task);
      if (slot.worker === null) {
        clearTimeout(task.timer);
        void here().then((part) => task.finish(part));
      } else {
        slot.worker.postMessage({ type: 'scan', id, context } satisfies ToWorker);
      }
    });
  }

  /** Threads that read contexts, this one included. */
  get threads(): number {
    return this.slots.length;
  }

  /**
   * Stops the workers, once: the scan closes the pool as soon as the last context is read (their memory is
   * free for the reports), and the command again on its way out, whatever happened.
   */
  close(): Promise<void> {
    this.closing ??= Promise.all(this.slots.flatMap((slot) => (slot.worker ? [slot.worker.terminate()] : []))).then(() => undefined);
    return this.closing;
  }

  private startWorker(entry: URL): Slot {
    const worker = new Worker(entry);
    // The scan's own work keeps the process alive; a worker left waiting must not.
    worker.unref();
    const slot: Slot = { worker, tasks: new Map(), stopped: null };
    worker.on('message', (message: FromWorker) => {
      const task = slot.tasks.get(message.id);
      if (!task) return;
      if (message.type === 'progress') task.progress?.update(message.progress);
      else task.finish(message.part);
    });
    const stop = (reason: string): void => {
      slot.stopped ??= reason;
      for (const task of [...slot.tasks.values()]) task.finish(failedContext(task.context, `unexpected error: the worker thread reading it stopped (${slot.stopped})`, task.started));
    };
    worker.on('error', (error) => stop(errorText(error)));
    worker.on('exit', (code) => stop(`exit code ${code}`));
    return slot;
  }
}
