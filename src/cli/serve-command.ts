import { setTimeout as sleep } from 'node:timers/promises';
import { Option, type Command } from 'commander';
import { redactCredentials, redactDeep } from '../core/credentials.js';
import { toolVersion } from '../core/version.js';
import { terminalSafe } from '../reporters/sanitize.js';
import { formatProblem } from '../reporters/describe.js';
import { addCatalogueOptions } from './check-catalogue.js';
import { addConnectionOptions } from './cluster-command.js';
import { connectionOptions, resolveContexts, withFleetDefaults, type OnCommandLine } from './cluster-options.js';
import { EXIT } from './exit-codes.js';
import { UsageError, type CliDependencies } from './io.js';
import { createProgress } from './progress.js';
import { prepareScan, type CommonScanOptions } from './scan-pipeline.js';
// The server (node:http and the scan loop) is loaded when `serve` runs, not by every command's start-up.
import type { MetricsServer, ServeLoop } from './serve.js';

export interface ServeOptions {
  kubeconfig?: string;
  context?: string;
  contexts?: string;
  allContexts?: boolean;
  inCluster?: boolean;
  execCredentials: boolean;
  secrets: boolean;
  requestTimeout: string;
  concurrency: string;
  interval: string;
  listen: string;
  checks?: string;
  skipChecks?: string;
  plugin?: string[];
  config?: string | false;
  untrusted?: boolean;
  verbose?: boolean;
}

const MIN_INTERVAL_MS = 1000;

export function registerServeCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = addConnectionOptions(
    program
      .command('serve')
      .description('scan clusters on a schedule and serve the results to Prometheus as OpenMetrics (/metrics, /healthz; read-only: GET requests only)'),
  )
    .addOption(new Option('--interval <duration>', 'time from the start of one scan to the start of the next: 1h, 30m, 1h30m (at least 1s); scrapes never start one').default('1h'))
    .addOption(new Option('--listen <[host]:port>', 'where to answer scrapes, e.g. :9100 (every interface) or 127.0.0.1:9100').default(':9100'))
    .option('--checks <ids>', 'run only these checks (comma-separated ids)')
    .option('--skip-checks <ids>', 'do not run these checks (comma-separated ids)');
  addCatalogueOptions(command)
    .option('-v, --verbose', 'say which configuration file is used')
    .action(async (options: ServeOptions, self: Command) => {
      setExit(await runServe(options, deps, (option) => self.getOptionValueSource(option) === 'cli'));
    });
}

async function runServe(options: ServeOptions, deps: CliDependencies, onCommandLine: OnCommandLine): Promise<number> {
  const { io } = deps;
  const { parseInterval, parseListen, startMetricsServer } = await import('./serve.js');
  const { OPENMETRICS_CONTENT_TYPE } = await import('../reporters/openmetrics.js');
  const intervalMs = parseInterval(options.interval);
  if (intervalMs === null || intervalMs < MIN_INTERVAL_MS) throw new UsageError(`--interval takes a duration of at least 1s such as 1h, 30m or 1h30m (got "${options.interval}")`);
  const listen = parseListen(options.listen);
  if (listen === null) throw new UsageError(`--listen takes [host]:port, e.g. :9100 or 127.0.0.1:9100 (got "${options.listen}")`);

  const loop = await createServeLoop(options, deps, onCommandLine);
  const contexts = loop.contexts;

  const shutdown = new AbortController();
  const stop = (): void => shutdown.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let server: MetricsServer | null = null;
  try {
    server = await startMetricsServer(listen, () => loop.text, OPENMETRICS_CONTENT_TYPE).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot listen on ${options.listen}: ${error.code ?? error.message}`);
    });
    io.stderr.write(`kfscan: serving ${server.url}/metrics and /healthz; scanning ${terminalSafe(contexts.join(', '))} every ${options.interval}\n`);
    while (!shutdown.signal.aborted) {
      const started = Date.now();
      const cycle = await loop.runCycle(shutdown.signal);
      if (cycle && !shutdown.signal.aborted) {
        const done = cycle.outcomes.filter((outcome) => outcome.error === null).length;
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        io.stderr.write(`kfscan: scan ${loop.cycles}: ${done} of ${contexts.length} context${contexts.length === 1 ? '' : 's'} scanned in ${seconds} s, ${cycle.result.findings.length} findings\n`);
      } else if (loop.failure !== null) {
        io.stderr.write(`kfscan: scan ${loop.cycles} failed: ${terminalSafe(redactCredentials(loop.failure))}\n`);
      }
      await sleep(Math.max(0, started + intervalMs - Date.now()), undefined, { signal: shutdown.signal }).catch(() => {});
    }
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
    await server?.close();
  }
  io.stderr.write('kfscan: stopped\n');
  return EXIT.ok;
}

/** The scans `serve` runs, wired as the command wires them: exported for the memory test, which runs many. */
export async function createServeLoop(given: ServeOptions, deps: CliDependencies, onCommandLine: OnCommandLine = () => false): Promise<ServeLoop> {
  const { io } = deps;
  const { ServeLoop } = await import('./serve.js');
  const { openMetricsReport } = await import('../reporters/openmetrics.js');
  const common: CommonScanOptions = { ...given, format: 'openmetrics', report: [], failOn: 'none', color: false };
  const prepared = await prepareScan(common, deps);
  for (const problem of [...prepared.pluginErrors, ...prepared.configWarnings]) io.stderr.write(`kfscan: warning: ${terminalSafe(redactCredentials(formatProblem(problem)))}\n`);
  const { scanCluster, DEFAULT_CONNECTION } = await import('../live/scan-cluster.js');
  connectionOptions(given, DEFAULT_CONNECTION);
  const { kubeconfig, contexts } = await resolveContexts(given, io);
  const options = withFleetDefaults(given, contexts.length, onCommandLine);
  const connection = connectionOptions(options, DEFAULT_CONNECTION);
  const attackPath = deps.checks.flatMap((check) => (check.attackPath ? [{ id: check.meta.id, steps: check.attackPath }] : []));
  const progress = await createProgress(io);

  return new ServeLoop({
    contexts,
    scan: async (signal) => {
      const scan = await scanCluster(kubeconfig, contexts, {
        ...connection,
        checks: prepared.checks,
        checkOptions: prepared.checkOptions,
        secrets: options.secrets,
        // Expiry dates of waivers are judged at each scan, not when kfscan started.
        suppression: { ...prepared.suppression, now: new Date() },
        progress,
        signal,
      });
      return { result: scan.result, outcomes: scan.outcomes };
    },
    // Every report: credentials the scanned text quoted are not written (see core/credentials.ts).
    render: (result, runs, at) => openMetricsReport(redactDeep(result), { version: toolVersion(), color: false, width: 160, generatedAt: at, attackPath, scanRuns: runs }),
  });
}
