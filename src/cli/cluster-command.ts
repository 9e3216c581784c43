import { Option, type Command } from 'commander';
import pLimit from 'p-limit';
import type { Check, Finding, Inventory } from '../core/types.js';
import type { KitPlan, ScanRun } from '../reporters/report-context.js';
import type { ApiClient } from '../live/api-client.js';
import type { LoadedKubeconfig } from '../live/kubeconfig.js';
import { DEFAULT_CONTEXT_CONCURRENCY, DEFAULT_CONTEXT_TIMEOUT_MS, FLEET_CONTEXT_CONCURRENCY, FLEET_REQUEST_CONCURRENCY, FLEET_SIZE } from '../live/fleet-defaults.js';
import type { ConnectionOptions, ContextOutcome } from '../live/scan-cluster.js';
import { OVERALL_TIMEOUTS } from '../probe/limits.js';
import type { ProbeStats } from '../probe/probe.js';
import { EXIT } from './exit-codes.js';
import type { CliDependencies, CliIo } from './io.js';
import { terminalSafe, terminalSafeLines } from '../reporters/sanitize.js';
import { outputWidth } from './reports.js';
import { createProgress, summary } from './progress.js';
import { KIT_DIR, kitPlan, shellWord } from './report-kits.js';
import { addReportOptions } from './scan-command.js';
import { finishScan, prepareScan, splitList } from './scan-pipeline.js';
// Worker threads are loaded for a live scan of several contexts only, not by every command's start-up.
import type { ContextPool } from './context-pool.js';
import { clusterScanOptions, connectionOptions, DEFAULT_PROBE_TIMEOUT_SECONDS, probeOptions, resolveContexts, withFleetDefaults, type ClusterOptions, type OnCommandLine } from './cluster-options.js';
import { redactCredentials } from '../core/credentials.js';
import { withDeadline } from '../core/deadline.js';

export function registerClusterCommand(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const command = addConnectionOptions(program.command('cluster').description('scan live clusters through kubeconfig contexts (read-only: GET requests only)'))
    .option('--check-access', 'print what the current identity can and cannot read of what the checks need, and scan nothing')
    .option(
      '--probe',
      "also make network connections to the cluster's own endpoints: a few plain GET requests (no credentials) to the external addresses of the entry points the exposure checks report, to confirm whether Kubeflow answers without login (off by default)",
    )
    .option('--probe-allow-local', 'with --probe: also probe loopback, link-local and unspecified addresses (a lab on this machine); cloud metadata addresses are never probed')
    .option('--probe-timeout <seconds>', `time for one probe request (default ${DEFAULT_PROBE_TIMEOUT_SECONDS}); the probe of a context stops after ${OVERALL_TIMEOUTS} times that`);
  addReportOptions(command).action(async (options: ClusterOptions, self: Command) => {
    setExit(await runCluster(options, deps, (option) => self.getOptionValueSource(option) === 'cli'));
  });
}

/** Which clusters to read and how: the options `cluster` and `serve` share. */
export function addConnectionOptions(command: Command): Command {
  return command
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account)')
    .option('--context <name>', 'scan this context (default: the current context)')
    .option('--contexts <names>', 'scan these contexts (comma-separated)')
    .option('--all-contexts', 'scan every context in the kubeconfig')
    .option('--in-cluster', "use the pod's service account (when kfscan runs inside the cluster)")
    .option('--no-exec-credentials', "refuse contexts whose credentials come from running a command (a kubeconfig exec plugin, an auth provider's cmd-path), as a customer's kubeconfig may name any command")
    .option('--no-secrets', 'do not read the few Secrets checks compare with known defaults; those checks report that they could not decide')
    .addOption(new Option('--request-timeout <seconds>', 'time for one API request; timeouts, 429 and 5xx are retried twice').default('30'))
    .addOption(new Option('--concurrency <n>', `API requests in flight per context (${FLEET_REQUEST_CONCURRENCY} for ${FLEET_SIZE} contexts or more when neither this nor --context-concurrency is given)`).default('8'))
    .addOption(
      new Option('--context-concurrency <n>', `contexts scanned at once (with --contexts or --all-contexts; ${FLEET_CONTEXT_CONCURRENCY} for ${FLEET_SIZE} contexts or more when neither this nor --concurrency is given)`).default(
        String(DEFAULT_CONTEXT_CONCURRENCY),
      ),
    )
    .addOption(new Option('--context-timeout <seconds>', "time for one context's whole scan; a context not done by then is reported as an error and the others go on").default(String(DEFAULT_CONTEXT_TIMEOUT_MS / 1000)));
}

async function runCluster(given: ClusterOptions, deps: CliDependencies, onCommandLine: OnCommandLine): Promise<number> {
  // The worker threads of a fleet scan load meanwhile.
  const expected = namedContexts(given);
  const pool =
    given.checkAccess || deps.contextWorker === undefined || (expected !== null && expected < 2)
      ? null
      : (await import('./context-pool.js')).prestartContextPool(deps.contextWorker, expected, givenContextConcurrency(given, onCommandLine));
  try {
    return await scanClusters(given, deps, onCommandLine, pool);
  } finally {
    await pool?.close();
  }
}

/** How many contexts the command line names: `null` for --all-contexts (the kubeconfig says). */
function namedContexts(options: ClusterOptions): number | null {
  if (options.allContexts) return null;
  return options.contexts === undefined ? 1 : new Set(splitList(options.contexts)).size;
}

function givenContextConcurrency(options: ClusterOptions, onCommandLine: OnCommandLine): number | null {
  if (!onCommandLine('contextConcurrency')) return null;
  const contexts = Number(options.contextConcurrency);
  // A bad number is a usage error soon; until then, no workers.
  return Number.isInteger(contexts) && contexts >= 1 ? contexts : 1;
}

async function scanClusters(given: ClusterOptions, deps: CliDependencies, onCommandLine: OnCommandLine, prestarted: ContextPool | null): Promise<number> {
  const { io } = deps;
  // Configuration, baseline and check selection fail before any request is sent.
  const prepared = await prepareScan(given, deps);
  const { checks } = prepared;
  // Loaded here, not at start-up: offline scans never pay for the Kubernetes client.
  const { scanCluster, DEFAULT_CONNECTION } = await import('../live/scan-cluster.js');
  // Bad numbers are usage errors before the kubeconfig is read.
  connectionOptions(given, DEFAULT_CONNECTION);
  const probe = probeOptions(given);
  const { kubeconfig, contexts } = await resolveContexts(given, io);
  const options = withFleetDefaults(given, contexts.length, onCommandLine);
  const connection = connectionOptions(options, DEFAULT_CONNECTION);

  if (options.checkAccess) return runAccessCheck(kubeconfig, contexts, checks, options.secrets, connection, io);

  // The kit behind an HTML or PDF report's plan is built from each context's objects as soon as they are
  // read, so that memory still holds one cluster at a time.
  const kits: KitPlan[] = [];
  const kitProblems: string[] = [];
  const onInventory = (context: string, inventory: Inventory, findings: readonly Finding[]): void => {
    const command = ['kfscan', 'remediate', '--cluster', ...(options.kubeconfig ? ['--kubeconfig', shellWord(options.kubeconfig)] : []), '--context', shellWord(context), '--out-dir', KIT_DIR].join(' ');
    try {
      kits.push(kitPlan(inventory, findings, { checks, suppression: prepared.suppression, scope: contexts.length > 1 ? `context ${context}` : null, command }));
    } catch (error) {
      kitProblems.push(`${context}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  // Many contexts are read in worker threads, so that every core works for kfscan; an HTML or PDF report
  // builds its kit from each context's objects (onInventory), which only this thread can hand over.
  const pooled =
    prestarted !== null &&
    !prepared.customerReport &&
    (await prestarted.configure(contexts.length, connection, {
      options,
      env: { ...io.env },
      cwd: io.cwd,
      now: prepared.suppression.now ?? new Date(),
      checkIds: checks.map((check) => check.meta.id),
    }));
  const pool = pooled ? prestarted : null;
  if (pool && options.verbose) io.stderr.write(`kfscan: ${contexts.length} contexts read on ${pool.threads} threads at once\n`);
  const scan = await scanCluster(kubeconfig, contexts, {
    ...clusterScanOptions(options, prepared, connection, probe),
    now: prepared.clock,
    ...(prepared.customerReport ? { onInventory } : {}),
    progress: await createProgress(io, contexts.length),
    ...(pool ? { runner: pool } : {}),
  });
  await pool?.close();
  const { result } = scan;

  // Failed contexts were reported as they happened; the rest follow the offline conventions.
  const failed = new Set(scan.outcomes.filter((o) => o.error !== null).map((o) => o.context));
  const printedErrors = result.errors.filter((e) => e.context && failed.has(e.context) && !e.resource);
  if (options.verbose) {
    for (const outcome of scan.outcomes) {
      if (outcome.error) continue;
      io.stderr.write(`kfscan: ${terminalSafe(redactCredentials(`${outcome.context} (${outcome.server}): ${summary(outcome)}`))}\n`);
      if (outcome.notInstalled.length > 0) io.stderr.write(`kfscan: ${terminalSafe(`${outcome.context}: not installed: ${outcome.notInstalled.join(', ')}`)}\n`);
      if (outcome.probe) io.stderr.write(`kfscan: ${terminalSafe(`${outcome.context}: probe: ${probeSummary(outcome.probe)}`)}\n`);
    }
  }

  for (const problem of kitProblems) io.stderr.write(`kfscan: warning: the remediation kit for the report's plan could not be built: ${terminalSafe(problem)}\n`);
  const code = await finishScan(result, prepared, options, deps, { importantWarnings: scan.suppressionWarnings, printedErrors, kits: () => kits, runs: scanRuns(scan.outcomes, prepared.clock()) });

  if (result.scanned.contexts === 0) {
    io.stderr.write(`kfscan: no context could be scanned (${terminalSafe(contexts.join(', '))})\n`);
    return EXIT.usage;
  }
  return code;
}

/** Each context's scan for the OpenMetrics report: its time, and whether it completed. */
export function scanRuns(outcomes: readonly ContextOutcome[], now: Date): ScanRun[] {
  return outcomes.map((outcome) => ({
    context: outcome.context,
    durationSeconds: outcome.durationMs / 1000,
    succeeded: outcome.error === null,
    lastSuccess: outcome.error === null ? now : null,
  }));
}

async function runAccessCheck(
  kubeconfig: LoadedKubeconfig,
  contexts: readonly string[],
  checks: readonly Check[],
  secrets: boolean,
  connection: ConnectionOptions,
  io: CliIo,
): Promise<number> {
  const [{ createApiClient, credentialCommands }, { checkAccess, formatAccessReport, accessComplete }, { deadlineMessage }, { toolVersion }] = await Promise.all([
    import('../live/api-client.js'),
    import('../live/access.js'),
    import('../live/scan-cluster.js'),
    import('../core/version.js'),
  ]);
  // Contexts are asked side by side, as a scan reads them, each within its deadline; the answers are
  // printed in the order the contexts were named.
  const limit = pLimit(Math.max(1, connection.contextConcurrency ?? DEFAULT_CONTEXT_CONCURRENCY));
  const timeoutMs = connection.contextTimeoutMs ?? DEFAULT_CONTEXT_TIMEOUT_MS;
  const ask = async (context: string): Promise<{ text: string; complete: boolean } | { error: string }> => {
    let client: ApiClient | null = null;
    // Also stops a client that is only created after the deadline (a credential command that answered late).
    const abort = new AbortController();
    try {
      const config = kubeconfig.forContext(context);
      const answer = (async () => {
        client = await createApiClient(config, { ...connection, maxSockets: connection.concurrency, userAgent: `kfscan/${toolVersion()}`, signal: abort.signal });
        return { server: client.server, report: await checkAccess(client, checks, { secrets, concurrency: connection.concurrency }) };
      })();
      const awaited = (): readonly string[] => (client === null ? credentialCommands(config) : []);
      const { server, report } = await withDeadline(answer, timeoutMs, () => new Error(deadlineMessage(timeoutMs, 'answered', awaited())));
      return { text: formatAccessReport(context, server, report, outputWidth(io)), complete: accessComplete(report) };
    } catch (error) {
      return { error: `${context}: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      // Closing the client also ends what a context cut off at its deadline still had in flight.
      abort.abort();
      (client as ApiClient | null)?.close();
    }
  };
  const answers = contexts.map((context) => limit(() => ask(context)));
  let reachable = 0;
  let complete = true;
  for (const pending of answers) {
    const answer = await pending;
    if ('error' in answer) {
      io.stderr.write(`kfscan: error: ${terminalSafe(redactCredentials(answer.error))}\n`);
      complete = false;
      continue;
    }
    io.stdout.write(terminalSafeLines(redactCredentials(answer.text)));
    reachable++;
    if (!answer.complete) complete = false;
  }
  if (reachable === 0) return EXIT.usage;
  return complete ? EXIT.ok : EXIT.incomplete;
}

function probeSummary(stats: ProbeStats): string {
  const outcomes = Object.entries(stats.outcomes).map(([outcome, count]) => `${count} ${outcome}`);
  return `${stats.entries} entry point${stats.entries === 1 ? '' : 's'}, ${stats.requests} request${stats.requests === 1 ? '' : 's'}${outcomes.length ? ` (${outcomes.join(', ')})` : ''}`;
}
