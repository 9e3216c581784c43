import v8 from 'node:v8';
import vm from 'node:vm';

const MB = 1024 * 1024;
// What one context may hold, well under what a laptop can give a process: a cluster of 100,000 pods
// fits (kfscan keeps about 6 KB of a pruned pod), a server that keeps sending pages does not.
const DEFAULT_LIMIT = 1024 * MB;
// Never more than this share of the heap V8 allows the process (`--max-old-space-size`, or what V8
// picks for the machine): the rest is for the analysis and the report, and V8 gives up before its limit.
const HEAP_SHARE = 0.6;
/**
 * The most memory JSON.parse takes per character of text, measured on Node 20: text of nested empty
 * arrays (`[[[[0]]]]`) costs 26 bytes a character parsed, a real list of pods about 4. Parsing is one
 * step that cannot be stopped half-way, so the room for its worst case is checked before it starts.
 */
export const PARSE_BYTES_PER_CHAR = 32;

/**
 * Bounds the memory the contexts' answers may take, whatever the servers send: before an answer is
 * parsed, the heap in use plus the most the parse could add must stay under the limit. The heap is the
 * process's, so contexts read at once share one budget. What the heap
 * holds includes garbage not yet collected; before a context is given up on, a full collection says
 * how much is really in use.
 */
export class MemoryBudget {
  readonly limitBytes: number;

  constructor(limitBytes?: number) {
    this.limitBytes = limitBytes ?? defaultMemoryLimit();
  }

  /**
   * Whether parsing `characters` more characters of text stays within the limit: `ok`; `page` when it
   * does not but the answer is the problem (what is held is under half the limit: a smaller page would
   * do); `full` when what the context already holds leaves no room.
   */
  check(characters: number): 'ok' | 'page' | 'full' {
    const needed = characters * PARSE_BYTES_PER_CHAR;
    if (usedHeap() + needed <= this.limitBytes) return 'ok';
    collectGarbage();
    const used = usedHeap();
    if (used + needed <= this.limitBytes) return 'ok';
    return used <= this.limitBytes / 2 ? 'page' : 'full';
  }

  get limitMb(): number {
    return Math.round(this.limitBytes / MB);
  }

  private active = 0;
  private waiting = 0;
  private readonly wakers = new Set<() => void>();

  /** A context starts reading; `leave` when it is done, failed or given up. */
  enter(): void {
    this.active++;
  }

  leave(): void {
    this.active--;
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * When the budget is full while other contexts are still being read, waiting for one of them to finish
   * frees what it holds: a fleet of large clusters is then read as far as memory allows at once, not failed.
   * Resolves `true` once another context has left (check again), `false` at once when every other context
   * is waiting too (nothing would free memory: the caller gives up), or when `signal` aborts.
   */
  async waitForRoom(signal?: AbortSignal): Promise<boolean> {
    if (this.active - this.waiting <= 1 || signal?.aborted) return false;
    this.waiting++;
    try {
      return await new Promise<boolean>((resolve) => {
        const done = (answer: boolean): void => {
          this.wakers.delete(wake);
          signal?.removeEventListener('abort', aborted);
          resolve(answer);
        };
        const wake = (): void => done(true);
        const aborted = (): void => done(false);
        this.wakers.add(wake);
        signal?.addEventListener('abort', aborted, { once: true });
      });
    } finally {
      this.waiting--;
    }
  }
}

/** The limit when none is given: 1 GB, or 60% of the heap V8 allows this thread if that is less. */
export function defaultMemoryLimit(): number {
  return Math.min(DEFAULT_LIMIT, Math.floor(v8.getHeapStatistics().heap_size_limit * HEAP_SHARE));
}

function usedHeap(): number {
  return v8.getHeapStatistics().used_heap_size;
}

let gc: (() => void) | null | undefined;

/**
 * A full collection, asked for only when a context is about to be given up on: V8 exposes `gc()` to
 * code started with --expose-gc, which a flag set now makes available to a fresh context.
 */
function collectGarbage(): void {
  if (gc === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      gc = vm.runInNewContext('gc') as () => void;
    } catch {
      gc = null;
    }
  }
  gc?.();
}
