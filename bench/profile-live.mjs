// Where a live scan's time goes: runs `kfscan cluster` once under V8's CPU profiler (--cpu-prof) and sorts
// every sample into the phase it belongs to, by the functions on its stack. `npm run bench -- --profile`
// prints the table; `node bench/profile-live.mjs file.cpuprofile` reads a profile made by hand.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Phases, by the first of their functions found on a sample's stack (innermost first). Names are those
 * of kfscan's sources and of Node's internals; the bundle keeps function names.
 */
const PHASES = [
  ['garbage collection', (name) => name === '(garbage collector)'],
  ['waiting (idle)', (name) => name === '(idle)'],
  ['report', (name) => /^(?:writeReports|jsonReport|tableReport|sarifReport|markdownReport|renderReport|finishScan)$/.test(name)],
  ['checks: analysis', (name) => name === 'runChecks' || name === 'analyseInventory'],
  ['checks: Secrets they name', (name) => name === 'readReferencedSecrets'],
  ['inventory: index', (name) => name === 'buildInventory'],
  ['lists: pod templates and resources', (name) => name === 'extractPodTemplates' || name === 'createResource'],
  // listAll's own time is its loop over a page's items, where V8 inlines the pruning.
  ['lists: pruning objects', (name) => name === 'toLiveObject' || name === 'pruneLiveObject' || name === 'shareEqualValues' || name === 'listAll'],
  ['lists: JSON.parse', (name) => name === 'parseJson'],
  ['network: TLS, HTTP, gunzip', (name, url) => /^node:(?:_tls_|tls|_http_|http|https|net|zlib|internal\/streams|string_decoder)/.test(url) || name === 'onStreamRead'],
  ['loading modules', (name, url) => url.startsWith('node:internal/modules/')],
];

/** Sample time per phase (ms) in a profile; samples before the first request are start-up. */
export function phasesOf(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const totals = new Map();
  let started = false;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = profile.timeDeltas[i] / 1000;
    const stack = [];
    for (let id = profile.samples[i]; id !== undefined; id = parent.get(id)) stack.push(nodes.get(id).callFrame);
    started ||= stack.some((frame) => frame.functionName === 'readContext' || frame.functionName === 'createApiClient');
    let phase = started ? 'other' : 'start-up (loading modules, kubeconfig)';
    if (started) {
      for (const [name, matches] of PHASES) {
        if (stack.some((frame) => matches(frame.functionName, frame.url))) {
          phase = name;
          break;
        }
      }
    }
    totals.set(phase, (totals.get(phase) ?? 0) + ms);
  }
  return totals;
}

/** Runs one profiled scan (`command` and `args` as for spawnSync) and returns its phases. */
export function profileScan(command, args) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kfscan-profile-'));
  try {
    const run = spawnSync(command, [`--cpu-prof`, `--cpu-prof-dir=${dir}`, ...args], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
    if (run.status !== 0 && run.status !== 1) throw new Error(`profiled scan failed (${run.status}): ${run.stderr}`);
    const [file] = readdirSync(dir);
    return phasesOf(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatPhases(totals) {
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).map(([phase, ms]) => `| ${phase.padEnd(40)} | ${ms.toFixed(0).padStart(6)} ms | ${((100 * ms) / all).toFixed(0).padStart(3)} % |`);
  return [`| ${'phase of one profiled kfscan cluster'.padEnd(40)} | ${'time'.padStart(9)} | share |`, `|${'-'.repeat(42)}|${'-'.repeat(11)}|-------|`, ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(formatPhases(phasesOf(JSON.parse(readFileSync(process.argv[2], 'utf8')))));
}
