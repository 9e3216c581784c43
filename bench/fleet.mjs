// The fleet benchmark: `kfscan cluster --all-contexts` over 50 contexts of the project's test API server
// (its own process, 20 ms added to every request) against `kfscan cluster` of one of them, in turns, with
// the peak memory of the fleet scan. Every context has its own client and connections, as for 50 clusters;
// they share one server process, whose work for 50 clients falls on the same two cores as kfscan's.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { compileApiServer, startClusterServer } from './api-server.mjs';
import { LATENCY_MS, fmt, median } from './live.mjs';

export const FLEET_CONTEXTS = 50;
// A small Kubeflow cluster each (a dev or team cluster): a few nodes, profiles, notebooks, pipeline runs.
export const FLEET_PODS = 100;

export async function fleetBenchmark({ measure, kfscan, work, runs }) {
  const serverModule = await compileApiServer();
  // Fifty clients of one server process on the same two cores: the server sends the answers it encoded
  // for the first, so that its JSON and gzip for the other 49 do not take the cores kfscan is measured on
  // (one context, the ratio's base, gets the same kept answers).
  const server = await startClusterServer({ serverModule, kubeconfig: path.join(work, 'kubeconfig-fleet-one'), pods: FLEET_PODS, latencyMs: LATENCY_MS, keepAnswers: true });
  try {
    const { writeKubeconfig } = await import(serverModule);
    const entry = { url: server.url, caPem: server.caPem, token: server.token };
    const fleet = writeKubeconfig(
      path.join(work, 'kubeconfig-fleet'),
      Array.from({ length: FLEET_CONTEXTS }, (_, index) => ({ name: `cluster-${String(index).padStart(2, '0')}`, server: entry })),
    );
    const one = ['cluster', '--kubeconfig', server.kubeconfig, '--format', 'json', '--fail-on', 'none'];
    const all = ['cluster', '--kubeconfig', fleet, '--all-contexts', '--format', 'json', '--fail-on', 'none'];
    // Every context must be read whole, or the fleet's time would be that of failures.
    const check = spawnSync(...kfscan(...all), { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    if (check.status !== 0) throw new Error(`kfscan cluster --all-contexts failed (${check.status}): ${check.stderr}`);
    const report = JSON.parse(check.stdout);
    const scanned = report.fleet.filter((entry) => entry.status === 'scanned' && entry.unreadable === 0 && entry.errors === 0).length;
    if (scanned !== FLEET_CONTEXTS) throw new Error(`kfscan read ${scanned} of ${FLEET_CONTEXTS} contexts whole: ${JSON.stringify(report.errors.slice(0, 3))}`);
    const objects = report.fleet[0].resources;

    const oneRuns = [];
    const allRuns = [];
    for (let i = 0; i < runs; i++) {
      oneRuns.push(measure('kfscan cluster, one context', ...kfscan(...one), 1));
      allRuns.push(measure(`kfscan cluster, ${FLEET_CONTEXTS} contexts`, ...kfscan(...all), 1));
    }
    const oneMs = median(oneRuns.map((r) => r.ms));
    const allMs = median(allRuns.map((r) => r.ms));
    return [
      {
        target: `7. fleet: ${FLEET_CONTEXTS} contexts vs one, 20 ms latency`,
        value: allMs / oneMs,
        limit: 5,
        detail: `${fmt(allMs)} vs ${fmt(oneMs)} (${objects.toLocaleString('en-US')} objects per context, default concurrency)`,
      },
      { target: `5. peak RSS, fleet of ${FLEET_CONTEXTS} contexts (MB)`, value: median(allRuns.map((r) => r.rssMb)), limit: 1000, detail: `one context ${median(oneRuns.map((r) => r.rssMb)).toFixed(0)} MB` },
    ];
  } finally {
    await server.close();
  }
}

