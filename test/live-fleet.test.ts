import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { countBySeverity } from '../src/core/severity.js';
import { loadKubeconfig } from '../src/live/kubeconfig.js';
import { scanCluster, type ContextOutcome } from '../src/live/scan-cluster.js';
import { jsonReport } from '../src/reporters/json.js';
import { defaultCertificateAuthority, startApiServer, type ApiServer } from './api-server/index.js';
import os from 'node:os';
import path from 'node:path';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, useApiServers, type JsonReport } from './helpers/live.js';
import { reportSchemaErrors } from './helpers/report-schema.js';

const server = useApiServers();

// Three kinds of cluster, so that a context's findings could not pass for another's.
const CLUSTERS = [['fixtures/demo'], ['checks/ingress-gateway-exposed/fixtures/fail-renamed-gateway-nodeport.yaml'], ['checks/falco-missing/fixtures/fail-no-runtime-sensor.yaml']];

interface FleetJson extends JsonReport {
  summary: Record<string, number>;
  fleet: Array<{
    context: string;
    status: 'scanned' | 'failed';
    error: string | null;
    server: string | null;
    resources: number;
    summary: Record<string, number>;
    attackPath: { open: string[]; unknown: number };
  }>;
}

/** Good servers (each its own, sharing a CA only to save key generation), a dead one and one that never answers. */
async function fleet(good: number): Promise<{ servers: ApiServer[]; dead: ApiServer; hanging: ApiServer }> {
  const ca = await defaultCertificateAuthority();
  const servers = await Promise.all(Array.from({ length: good }, (_, index) => server({ ca, fixtures: CLUSTERS[index % CLUSTERS.length]! })));
  const dead = await startApiServer({ ca });
  await dead.close();
  const hanging = await server({ ca, intercept: () => ({ stall: true }) });
  return { servers, dead, hanging };
}

describe('kfscan cluster over a fleet of contexts', () => {
  it('scans 50 independent API servers in one run: every context reported, a dead and a hanging one as errors within their deadline', async () => {
    const { servers, dead, hanging } = await fleet(48);
    // The hanging context first: scanned one after the other, every other context would wait for it.
    const entries = [
      { name: 'hanging', server: hanging },
      ...servers.slice(0, 24).map((api, index) => ({ name: `good-${index}`, server: api })),
      { name: 'dead', server: dead },
      ...servers.slice(24).map((api, index) => ({ name: `good-${index + 24}`, server: api })),
    ];
    const names = entries.map((entry) => entry.name);
    const kubeconfig = await loadKubeconfig({ kubeconfig: kubeconfigFile(entries), env: {}, cwd: process.cwd() });
    // Long enough for a good context on a machine loaded many times over (servers and scan share this process).
    const deadlineMs = 10_000;
    const finished: string[] = [];
    const { result, outcomes } = await scanCluster(kubeconfig, names, {
      checks: builtinChecks,
      secrets: true,
      concurrency: 8,
      // Far longer than the context's deadline: only the deadline can cut the hanging context short.
      timeoutMs: 60_000,
      retries: 2,
      backoffMs: 5,
      contextConcurrency: 8,
      contextTimeoutMs: deadlineMs,
      progress: () => ({ update: () => {}, done: (outcome: ContextOutcome) => void finished.push(outcome.context) }),
    });

    // Every context, in the order given, whatever order they finished in.
    expect(outcomes.map((o) => o.context)).toEqual(names);
    expect(result.contexts!.map((c) => c.context)).toEqual(names);
    expect(finished.toSorted()).toEqual(names.toSorted());
    const byName = new Map(result.contexts!.map((c) => [c.context, c]));
    expect(byName.get('dead')).toMatchObject({ status: 'failed', error: `cannot reach ${dead.url} (connection refused)`, resources: 0 });
    expect(byName.get('hanging')).toMatchObject({ status: 'failed', error: 'not scanned within 10 s (--context-timeout); its API server may be hanging or very slow', resources: 0 });
    // Cut off by its own deadline, not by the request timeout and its retries (three minutes).
    expect(byName.get('hanging')!.durationMs).toBeGreaterThanOrEqual(deadlineMs - 50);
    expect(byName.get('hanging')!.durationMs).toBeLessThan(deadlineMs + 15_000);
    expect(byName.get('dead')!.durationMs).toBeLessThan(deadlineMs);
    // The good contexts did not queue behind the hanging one, which held one of the eight places throughout.
    expect(finished.indexOf('hanging')).toBeGreaterThan(0);
    expect(finished.slice(0, finished.indexOf('hanging')).length).toBeGreaterThanOrEqual(1);

    const good = names.filter((name) => name.startsWith('good-'));
    for (const [index, name] of good.entries()) {
      const scan = byName.get(name)!;
      expect(scan, name).toMatchObject({ status: 'scanned', error: null, server: servers[index]!.url, kubernetesVersion: 'v1.35.0' });
      expect(scan.resources, name).toBeGreaterThan(0);
      expect(Date.parse(scan.finishedAt) - Date.parse(scan.startedAt)).toBe(scan.durationMs);
    }
    expect(result.scanned.contexts).toBe(48);
    expect(result.errors.map((e) => e.context)).toEqual(['hanging', 'dead']);
    expect(new Set(result.findings.map((f) => f.context))).toEqual(new Set(good));
    // Each server answered its own context only: same cluster, same findings.
    const findingsOf = (name: string) => result.findings.filter((f) => f.context === name).map((f) => `${f.checkId} ${f.resource?.kind}/${f.resource?.name}`);
    for (const [index, name] of good.entries()) expect(findingsOf(name), name).toEqual(findingsOf(good[index % CLUSTERS.length]!));
    expect(findingsOf('good-0')).not.toEqual(findingsOf('good-1'));

    // The JSON report's fleet: the schema's shape, per-context totals that add up to the findings.
    const report = JSON.parse(jsonReport(result, { version: '0.0.0', color: false, width: 120, attackPath: builtinChecks.flatMap((c) => (c.attackPath ? [{ id: c.meta.id, steps: c.attackPath }] : [])) })) as FleetJson;
    expect(reportSchemaErrors(report)).toEqual([]);
    expect(report.fleet.map((entry) => entry.context)).toEqual(names);
    for (const entry of report.fleet) {
      expect(entry.summary, entry.context).toEqual(countBySeverity(report.findings.filter((f) => f.context === entry.context) as Array<{ severity: 'info' }>));
    }
    const hangingEntry = report.fleet[0]!;
    expect(hangingEntry).toMatchObject({ status: 'failed', summary: { total: 0 }, attackPath: { open: [], unknown: 7 } });
    expect(report.fleet.find((entry) => entry.context === 'good-0')!.attackPath.open.length).toBeGreaterThan(0);
  }, 90_000);

  it('puts a fleet summary first, exits 3 when some contexts failed and 2 when none could be scanned', async () => {
    const { servers, dead, hanging } = await fleet(2);
    const kubeconfig = kubeconfigFile([
      { name: 'alpha', server: servers[0]! },
      { name: 'hanging', server: hanging },
      { name: 'beta', server: servers[1]! },
      { name: 'dead', server: dead },
    ]);
    const options = ['--kubeconfig', kubeconfig, '--context-timeout', '4', '--context-concurrency', '2', '--fail-on', 'none'];
    // Both runs wait out the hanging context's deadline: side by side, not one after the other.
    const [run, none] = await Promise.all([
      runCli(['cluster', ...options, '--all-contexts'], { columns: 140 }),
      runCli(['cluster', ...options, '--contexts', 'hanging,dead', '-f', 'json']),
    ]);
    expect(run.code).toBe(3);
    const table = run.stdout.split('\n\nContext alpha\n')[0]!;
    expect(table.split('\n')[0]).toBe('Fleet: 2 of 4 contexts scanned');
    const rows = table.split('\n').filter((line) => /^│ \S/.test(line)).map((line) => line.split('│').map((cell) => cell.trim()).slice(1, -1));
    expect(rows[0]).toEqual(['Context', 'crit', 'high', 'med', 'low', 'info', 'Attack-path steps open']);
    expect(rows.map((row) => row[0])).toEqual(['Context', 'alpha', 'hanging', 'beta', 'dead']);
    expect(rows[1]![6]).toMatch(/^[1-7]\/7: entry, /);
    expect(rows[2]![6]).toMatch(/^not scanned: not scanned within 4 s \(--context-timeout\)/);
    expect(rows[4]![6]).toMatch(/^not scanned: cannot reach https:/);
    expect(run.stderr.trimEnd().split('\n').toSorted()).toEqual([
      `kfscan: error: dead: cannot reach ${dead.url} (connection refused)`,
      'kfscan: error: hanging: not scanned within 4 s (--context-timeout); its API server may be hanging or very slow',
    ]);

    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/kfscan: no context could be scanned \(hanging, dead\)\n$/);
    const report = JSON.parse(none.stdout) as FleetJson;
    expect(report.fleet.map((entry) => [entry.context, entry.status])).toEqual([
      ['hanging', 'failed'],
      ['dead', 'failed'],
    ]);

    const bad = await runCli(['cluster', ...options, '--context-concurrency', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--context-concurrency takes a whole number from 1 to 256 \(got "0"\)/);
  }, 60_000);

  it('reads a fleet on every core when run as built (worker threads), with the same report, deadlines and progress lines as in one thread', async () => {
    const { servers, dead, hanging } = await fleet(4);
    const entries = [
      { name: 'hanging', server: hanging },
      ...servers.map((api, index) => ({ name: `good-${index}`, server: api })),
      { name: 'dead', server: dead },
    ];
    const kubeconfig = kubeconfigFile(entries);
    // A plugin's checks too: each worker loads it as the command did.
    const plugin = path.join(ROOT, 'test', 'plugins', 'gpu-policy.mjs');
    const args = ['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none', '--context-timeout', '4', '--verbose', '--plugin', plugin];
    const env = { SOURCE_DATE_EPOCH: '1773480413', CI: 'true' };
    const before = servers.map((api) => api.requests.length);
    const started = performance.now();
    let builtMs = 0;
    // The tests' strict read guard (vitest.config.ts) in the built program's threads too: the plugin's
    // undeclared read of pod templates is an error in both runs.
    const [built, inProcess] = await Promise.all([
      kfscanAsync(args, { env: { ...env, KFSCAN_STRICT_READS: '1' } }).finally(() => (builtMs = performance.now() - started)),
      runCli(args, { env }),
    ]);

    // The built program started worker threads (one thread is all a single core gets: no pool then).
    const threads = Math.min(os.availableParallelism(), 6);
    if (threads >= 2) expect(built.stderr).toContain(`kfscan: 6 contexts read on ${threads} threads at once\n`);
    expect(inProcess.stderr).not.toContain('threads at once');
    expect(built.code).toBe(3);
    expect(inProcess.code).toBe(3);
    const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('kfscan: error:')).toSorted();
    expect(errorLines(built.stderr).filter((line) => !line.includes('acme-gpu-outside-gpu-namespaces'))).toEqual([
      `kfscan: error: dead: cannot reach ${dead.url} (connection refused)`,
      'kfscan: error: hanging: not scanned within 4 s (--context-timeout); its API server may be hanging or very slow',
    ]);
    expect(errorLines(built.stderr)).toEqual(errorLines(inProcess.stderr));

    // The same report, but for the times a scan took.
    const timeless = (stdout: string) => JSON.stringify(JSON.parse(stdout), (key, value: unknown) => (['startedAt', 'finishedAt', 'durationMs'].includes(key) ? undefined : value));
    expect(timeless(built.stdout)).toEqual(timeless(inProcess.stdout));
    const report = JSON.parse(built.stdout) as FleetJson;
    expect(report.fleet.map((entry) => [entry.context, entry.status])).toEqual(entries.map((entry) => [entry.name, entry.name.startsWith('good-') ? 'scanned' : 'failed']));
    // The hanging context was cut at its own deadline: the run waited for it, and not much longer.
    expect(builtMs).toBeGreaterThanOrEqual(4000);
    expect(builtMs).toBeLessThan(4000 + 10_000);
    expect(report.findings.length).toBeGreaterThan(0);
    expect((JSON.parse(built.stdout) as { tool: { plugins: Array<{ checks: string[] }> } }).tool.plugins.flatMap((p) => p.checks)).toEqual(['acme-gpu-outside-gpu-namespaces', 'acme-notebook-load-balancer']);
    // Read-only from every thread: GET requests only.
    for (const [index, api] of servers.entries()) expect(new Set(api.requests.slice(before[index]).map((request) => request.method))).toEqual(new Set(['GET']));
  }, 60_000);
});
