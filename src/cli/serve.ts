// `kfscan serve`: scan on a schedule and answer Prometheus' scrapes from the last results. A scrape only
// reads text made after the last scan, so no request, however many, makes kfscan scan or call the API
// server; the schedule alone does. A scan that fails keeps the last complete results of its context on
// show and says so (`kfscan_scan_success 0`, `kfscan_scan_failures_total`), so an API server's bad hour
// neither fires nor resolves an alert about the cluster.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScanResult } from '../core/types.js';
import type { ScanRun } from '../reporters/report-context.js';

/** What one scan of every context gives: the result, and per context whether it completed and how long it took. */
export interface Cycle {
  result: ScanResult;
  outcomes: ReadonlyArray<{ context: string; error: string | null; durationMs: number }>;
}

export interface ServeLoopOptions {
  /** The contexts every scan covers, in order. */
  contexts: readonly string[];
  /** Scans every context once; `signal` aborts it on shutdown. */
  scan: (signal: AbortSignal) => Promise<Cycle>;
  /** The metrics text of a result. */
  render: (result: ScanResult, runs: readonly ScanRun[], at: Date) => string;
  now?: () => Date;
}

interface ContextState {
  /** The context's share of the last scan that completed; `null` before one has. */
  last: ScanResult | null;
  lastSuccess: Date | null;
  run: ScanRun;
}

/** The results of the scans so far, per context, and the metrics text of them. */
export class ServeLoop {
  readonly #options: ServeLoopOptions;
  readonly #contexts = new Map<string, ContextState>();
  #text: string | null = null;
  #cycles = 0;
  #failure: string | null = null;

  constructor(options: ServeLoopOptions) {
    this.#options = options;
    for (const context of options.contexts) {
      this.#contexts.set(context, { last: null, lastSuccess: null, run: { context, durationSeconds: 0, succeeded: false, lastSuccess: null, attempts: { total: 0, failed: 0 } } });
    }
  }

  /** The metrics text of the scans so far; `null` before the first has ended. */
  get text(): string | null {
    return this.#text;
  }

  get contexts(): readonly string[] {
    return this.#options.contexts;
  }

  get cycles(): number {
    return this.#cycles;
  }

  /** Why the last scan failed as a whole (not a context's error: those are in its outcomes); `null` when it did not. */
  get failure(): string | null {
    return this.#failure;
  }

  /** Scans once and updates the text. Never throws: a scan that fails is a failed scan of every context. */
  async runCycle(signal: AbortSignal): Promise<Cycle | null> {
    const now = this.#options.now ?? (() => new Date());
    let cycle: Cycle | null = null;
    let failure: string | null = null;
    try {
      cycle = await this.#options.scan(signal);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (signal.aborted) return cycle;
    this.#failure = failure;
    const at = now();
    this.#cycles++;
    if (cycle) {
      for (const outcome of cycle.outcomes) this.#record(outcome.context, cycle.result, outcome.error === null, outcome.durationMs / 1000, at);
    } else {
      for (const context of this.#contexts.keys()) this.#record(context, null, false, 0, at);
    }
    this.#text = this.#options.render(this.#combined(cycle?.result ?? null, failure), [...this.#contexts.values()].map((state) => state.run), at);
    return cycle;
  }

  #record(context: string, result: ScanResult | null, succeeded: boolean, durationSeconds: number, at: Date): void {
    const state = this.#contexts.get(context);
    if (!state) return;
    if (succeeded && result) {
      state.last = contextShare(result, context);
      state.lastSuccess = at;
    }
    const attempts = state.run.attempts!;
    state.run = {
      context,
      durationSeconds,
      succeeded,
      lastSuccess: state.lastSuccess,
      attempts: { total: attempts.total + 1, failed: attempts.failed + (succeeded ? 0 : 1) },
    };
  }

  /** Each context's last complete results, and this scan's errors for the contexts that failed now. */
  #combined(current: ScanResult | null, failure: string | null): ScanResult {
    const contexts = [...this.#contexts.keys()];
    const shares = [...this.#contexts.values()].map((state) => (state.run.succeeded ? state.last : null));
    const failedNow = contexts.filter((context) => !this.#contexts.get(context)!.run.succeeded);
    const errors = current
      ? current.errors.filter((error) => error.context !== undefined && failedNow.includes(error.context))
      : failedNow.map((context) => ({ context, message: failure ?? 'the scan failed' }));
    const kept = [...this.#contexts.values()].filter((state) => !state.run.succeeded && state.last).map((state) => state.last!);
    const parts = [...shares.filter((share): share is ScanResult => share !== null), ...kept];
    const template = current ?? parts[0];
    return {
      target: { mode: 'cluster', contexts },
      findings: parts.flatMap((part) => part.findings),
      suppressed: parts.flatMap((part) => part.suppressed ?? []),
      errors: [...parts.flatMap((part) => part.errors), ...errors],
      warnings: parts.flatMap((part) => part.warnings),
      coverage: { unreadable: parts.flatMap((part) => part.coverage.unreadable), undecided: parts.flatMap((part) => part.coverage.undecided) },
      checks: template?.checks ?? [],
      scanned: { resources: 0, files: 0, contexts: contexts.length - failedNow.length },
      anchorFile: null,
    };
  }
}

/** What a live result says about one context. */
function contextShare(result: ScanResult, context: string): ScanResult {
  const own = <T extends { context?: string | null | undefined }>(items: readonly T[]): T[] => items.filter((item) => item.context === context);
  return {
    target: { mode: 'cluster', contexts: [context] },
    findings: own(result.findings),
    suppressed: own(result.suppressed ?? []),
    errors: own(result.errors),
    warnings: own(result.warnings),
    coverage: { unreadable: own(result.coverage.unreadable), undecided: own(result.coverage.undecided) },
    checks: result.checks,
    scanned: { resources: 0, files: 0, contexts: 1 },
    anchorFile: null,
  };
}

export interface ListenAddress {
  /** `undefined`: every interface. */
  host: string | undefined;
  port: number;
}

/** `:9100`, `0.0.0.0:9100`, `[::1]:9100`, `127.0.0.1:0` (any free port). */
export function parseListen(value: string): ListenAddress | null {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  if (!match) return null;
  const port = Number(match[3]);
  if (port > 65535) return null;
  const host = match[1] ?? (match[2] === '' ? undefined : match[2]);
  return { host, port };
}

const UNITS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1000 };

/** `1h`, `30m`, `90s`, `1h30m`: milliseconds, or `null` when it is not a duration. */
export function parseInterval(value: string): number | null {
  if (!/^(?:\d+[hms])+$/.test(value)) return null;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(/(\d+)([hms])/g)) total += Number(amount) * UNITS[unit!]!;
  return total;
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Answers GET and HEAD of /metrics (the text of the last scans; 503 before the first has ended) and of
 * /healthz; everything else is 404 or 405. Answers are built from what is in memory, never by scanning.
 */
export async function startMetricsServer(address: ListenAddress, metrics: () => string | null, contentType: string): Promise<MetricsServer> {
  const server = http.createServer((request, response) => {
    const url = request.url ?? '/';
    const pathname = url.split('?')[0];
    if (pathname !== '/metrics' && pathname !== '/healthz') return answer(response, 404, 'not found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return answer(response, 405, 'method not allowed\n');
    }
    if (pathname === '/healthz') return answer(response, 200, 'ok\n', request.method === 'HEAD');
    const text = metrics();
    if (text === null) return answer(response, 503, 'the first scan has not finished\n', request.method === 'HEAD');
    return answer(response, 200, text, request.method === 'HEAD', contentType);
  });
  // Scrapes are small and quick: slow or idle clients are cut off instead of holding sockets.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${host}:${bound.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answer(response: http.ServerResponse, status: number, body: string, head = false, contentType = 'text/plain; charset=utf-8'): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.setHeader('Cache-Control', 'no-store');
  response.end(head ? undefined : body);
}
