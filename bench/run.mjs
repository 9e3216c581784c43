// `npm run bench`: kfscan against its floors, measured side by side in one run so that the ratios hold
// on a noisy machine. Every figure is the median of several runs of a whole process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeCorpus } from './corpus.mjs';
import { writeKustomizeRepo } from './kustomize.mjs';
import { extractRenderTools } from '../scripts/render-tools.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KFSCAN = path.join(ROOT, 'bin', 'kfscan.js');
const RSS_HOOK = path.join(ROOT, 'bench', 'report-rss.mjs');
const args = new Map(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')).map(([k, v]) => [k, v ?? 'true']));
const RUNS = Number(args.get('runs') ?? 5);
const LARGE_RUNS = Number(args.get('large-runs') ?? 3);
const SKIP_LARGE = args.get('quick') === 'true';

const work = mkdtempSync(path.join(os.tmpdir(), 'kfscan-bench-'));
const rows = [];
// The machine may be shared: the load before and after the run goes with the results.
const loadBefore = os.loadavg();
let measured = 0;

/** Runs a whole process `runs` times; returns median wall time (ms) and median peak RSS (MB). */
function measure(label, command, commandArgs, runs, env = {}) {
  const times = [];
  const rss = [];
  for (let i = 0; i < runs; i++) {
    const rssFile = path.join(work, `rss-${++measured}`);
    const start = performance.now();
    const run = spawnSync(command, commandArgs, {
      cwd: ROOT,
      env: { ...process.env, KFSCAN_BENCH_RSS_FILE: rssFile, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
    times.push(performance.now() - start);
    if (run.status !== 0 && run.status !== 1) throw new Error(`${label} failed (${run.status}): ${run.stderr}`);
    try {
      rss.push(Number(readFileSync(rssFile, 'utf8')) / 1024);
    } catch {
      // processes without the hook (node -e 0) report no memory
    }
  }
  return { label, ms: median(times), rssMb: rss.length ? median(rss) : null, runs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const node = (script, ...rest) => [process.execPath, ['--import', RSS_HOOK, script, ...rest]];
const kfscan = (...rest) => node(KFSCAN, ...rest);

function offline(documents, files, runs) {
  const dir = path.join(work, `corpus-${documents}`);
  const bytes = writeCorpus(dir, { documents, files });
  const floor = measure(`floor: parseAllDocuments + toJS, ${documents} docs`, ...node(path.join(ROOT, 'bench', 'floor-offline.mjs'), dir), runs);
  const scan = measure(`kfscan scan, ${documents} docs, all checks, JSON`, ...kfscan('scan', dir, '--format', 'json', '--fail-on', 'none'), runs);
  rmSync(dir, { recursive: true, force: true });
  return { documents, files, megabytes: bytes / 1e6, floor, scan };
}

console.error(`kfscan bench: ${RUNS} runs per figure (${LARGE_RUNS} for 100,000 documents), work dir ${work}`);

const ONLY = args.get('only');
if (ONLY !== undefined && !['offline', 'live', 'fleet'].includes(ONLY)) throw new Error(`--only takes offline, live or fleet (got ${ONLY})`);
let small = null;
if (ONLY === undefined || ONLY === 'offline') {
  small = offline(10_000, 500, RUNS);
  rows.push({ target: '1. offline 10k docs / 500 files vs floor', value: small.scan.ms / small.floor.ms, limit: 1.3, detail: `${fmt(small.scan.ms)} vs ${fmt(small.floor.ms)} (${small.megabytes.toFixed(1)} MB of YAML)` });

  if (!SKIP_LARGE) {
    const large = offline(100_000, 5_000, LARGE_RUNS);
    rows.push({ target: '2. scaling: 100k docs vs 10k docs', value: large.scan.ms / small.scan.ms, limit: 11, detail: `${fmt(large.scan.ms)} vs ${fmt(small.scan.ms)}` });
  }

  const tiny = path.join(work, 'one.yaml');
  writeFileSync(tiny, readFileSync(path.join(ROOT, 'fixtures', 'demo', 'istio.yaml')));
  // Both bare, without the memory hook (its --import costs a start-up of its own), and in turns, so that
  // a change in the machine's load falls on both.
  const bareRuns = [];
  const coldRuns = [];
  for (let i = 0; i < RUNS * 2; i++) {
    bareRuns.push(measure('node -e 0', process.execPath, ['-e', '0'], 1).ms);
    coldRuns.push(measure('kfscan scan of one small file', process.execPath, [KFSCAN, 'scan', tiny, '--fail-on', 'none'], 1).ms);
  }
  const bare = { ms: median(bareRuns) };
  const cold = { ms: median(coldRuns) };
  rows.push({ target: '3. cold start vs node -e 0', value: cold.ms / bare.ms, limit: 2.5, detail: `${fmt(cold.ms)} vs ${fmt(bare.ms)}` });
  rows.push({ target: '5. peak RSS, offline 10k docs (MB)', value: small.scan.rssMb, limit: 300, detail: `floor ${small.floor.rssMb?.toFixed(0)} MB` });

  // Rendering: kfscan on a repository of kustomize overlays against kubectl kustomize alone on its roots.
  const { kubectl } = await extractRenderTools();
  const repo = path.join(work, 'kustomize-repo');
  const roots = writeKustomizeRepo(repo, { apps: 40 });
  const rootsFile = path.join(work, 'kustomize-roots.json');
  writeFileSync(rootsFile, JSON.stringify(roots));
  const toolsPath = `${path.dirname(kubectl)}${path.delimiter}${process.env.PATH ?? ''}`;
  const renderFloor = measure(`floor: kubectl kustomize on ${roots.length} roots`, ...node(path.join(ROOT, 'bench', 'floor-kustomize.mjs'), kubectl, repo, rootsFile), RUNS);
  const renderScan = measure(`kfscan scan of ${roots.length} kustomize roots`, ...kfscan('scan', repo, '--format', 'json', '--fail-on', 'none'), RUNS, { PATH: toolsPath });
  rows.push({ target: `6. kustomize repo (${roots.length} roots) vs kubectl kustomize alone`, value: renderScan.ms / renderFloor.ms, limit: 1.6, detail: `${fmt(renderScan.ms)} vs ${fmt(renderFloor.ms)}` });
}

// A live benchmark that cannot run is a failed benchmark, not a shorter table.
let liveFailed = false;
if (ONLY === undefined || ONLY === 'live') {
  const { liveBenchmarks } = await import('./live.mjs');
  try {
    rows.push(...(await liveBenchmarks({ measure, kfscan, node, work, runs: RUNS, largeRuns: LARGE_RUNS, skipLarge: SKIP_LARGE, kubectl: args.get('kubectl'), profile: args.get('profile') === 'true' })));
  } catch (error) {
    console.error(`kfscan bench: live benchmarks failed: ${error.stack ?? error}`);
    liveFailed = true;
  }
}
if (ONLY === undefined || ONLY === 'live' || ONLY === 'fleet') {
  const { fleetBenchmark } = await import('./fleet.mjs');
  try {
    rows.push(...(await fleetBenchmark({ measure, kfscan, work, runs: Math.max(1, Math.ceil(RUNS / 2)) })));
  } catch (error) {
    console.error(`kfscan bench: fleet benchmark failed: ${error.stack ?? error}`);
    liveFailed = true;
  }
}

const load = (averages) => averages.map((value) => value.toFixed(2)).join(' ');
const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}; load average ${load(loadBefore)} before, ${load(os.loadavg())} after`;
printTable(rows, machine);
const resultsDir = path.join(ROOT, 'bench', 'results');
mkdirSync(resultsDir, { recursive: true });
const file = path.join(resultsDir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify({ machine, runs: RUNS, rows, offline: { small } }, null, 2)}\n`);
console.error(`kfscan bench: results written to ${path.relative(ROOT, file)}`);
rmSync(work, { recursive: true, force: true });
process.exitCode = !liveFailed && rows.every((row) => row.value === null || row.value <= row.limit) ? 0 : 1;

function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`;
}

function printTable(list, machineText) {
  const header = ['target', 'measured', 'limit', 'ok', 'detail'];
  const body = list.map((row) => [row.target, row.value === null ? 'n/a' : row.value.toFixed(2), String(row.limit), row.value === null ? 'n/a' : row.value <= row.limit ? 'yes' : 'NO', row.detail]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`Machine: ${machineText}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}
