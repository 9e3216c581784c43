// `kfscan serve` as it runs in a cluster: a process of its own, scraped over HTTP, against the project's
// API server, stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { compileModule } from '../scripts/compile-module.mjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ServeLoop, parseInterval, parseListen, type Cycle } from '../src/cli/serve.js';
import { openMetricsReport } from '../src/reporters/openmetrics.js';
import type { Fault } from './api-server/index.js';
import { BIN, ROOT } from './helpers/cli.js';
import { spawnCollect } from './helpers/process.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, useApiServers, type JsonReport } from './helpers/live.js';
import { parseOpenMetricsStrict, type MetricFamily } from './helpers/openmetrics.js';
import { ATTACK_PATH, liveTwoClusters } from './helpers/results.js';

const server = useApiServers();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

interface Serving {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

async function serve(args: string[]): Promise<Serving> {
  const child = spawn(process.execPath, [BIN, 'serve', '--listen', '127.0.0.1:0', ...args], { cwd: ROOT, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const serving = /serving (http:\/\/\S+)\/metrics/.exec(stderr);
      if (serving) resolve(serving[1]!);
    });
    void exited.then((code) => reject(new Error(`kfscan serve exited with ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr, exited };
}

/** Scrapes until `ready` holds for the text (the schedule decides when that is), within a bound. */
async function scrapeUntil(url: string, ready: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${url}/metrics`);
    const text = await response.text();
    if (response.status === 200 && ready(text)) return text;
    if (Date.now() > deadline) throw new Error(`no such scrape within ${timeoutMs} ms; last: ${response.status} ${text.slice(0, 300)}`);
    await sleep(50);
  }
}

function sampleValue(families: Map<string, MetricFamily>, family: string, labels: Record<string, string>): number | undefined {
  return families.get(family)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const total = (families: Map<string, MetricFamily>, family: string): number => (families.get(family)?.samples ?? []).reduce((sum, s) => sum + s.value, 0);

describe('kfscan serve', () => {
  it('scans once, answers every scrape from memory, and stops on SIGTERM', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const kubeconfig = kubeconfigFile([{ name: 'in-cluster', server: api }]);
    const serving = await serve(['--kubeconfig', kubeconfig, '--interval', '1h']);
    const first = await scrapeUntil(serving.url, () => true);
    const requests = api.requests.length;
    const second = await fetch(`${serving.url}/metrics`);
    expect(second.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
    expect(await second.text()).toBe(first);
    // However many scrapes: no scan, no request to the API server.
    await Promise.all(Array.from({ length: 20 }, () => fetch(`${serving.url}/metrics?refresh=1`).then((r) => r.text())));
    expect(api.requests.length).toBe(requests);

    const families = parseOpenMetricsStrict(first);
    const json = JSON.parse((await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none'])).stdout) as JsonReport;
    expect(total(families, 'kfscan_findings')).toBe(json.findings.length);
    expect(json.findings.length).toBeGreaterThan(0);
    expect(sampleValue(families, 'kfscan_attack_path_step_open', { context: 'in-cluster', step: 'dashboard' })).toBe(1);
    expect(sampleValue(families, 'kfscan_scan_success', { context: 'in-cluster' })).toBe(1);
    expect(sampleValue(families, 'kfscan_scans', { context: 'in-cluster' })).toBe(1);
    expect(api.requests.every((r) => r.method === 'GET')).toBe(true);

    expect((await fetch(`${serving.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${serving.url}/metrics`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${serving.url}/scan`)).status).toBe(404);
    const head = await fetch(`${serving.url}/metrics`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(first));

    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
    expect(serving.stderr()).toMatch(/kfscan: scan 1: 1 of 1 context scanned in [\d.]+ s, \d+ findings\n/);
    expect(serving.stderr()).toContain('kfscan: stopped');
  });

  it('survives API errors between scans: keeps the last results on show, says the scan failed, recovers', async () => {
    let fault: Fault | undefined;
    const api = await server({ fixtures: ['fixtures/demo'], intercept: () => fault });
    const kubeconfig = kubeconfigFile([{ name: 'lab', server: api }]);
    const serving = await serve(['--kubeconfig', kubeconfig, '--interval', '1s', '--request-timeout', '2']);
    const good = parseOpenMetricsStrict(await scrapeUntil(serving.url, () => true));
    const findings = good.get('kfscan_findings')!.samples;
    const firstSuccess = sampleValue(good, 'kfscan_last_success_timestamp_seconds', { context: 'lab' })!;

    fault = { status: 500, body: { kind: 'Status', message: 'etcdserver: request timed out' } };
    const bad = parseOpenMetricsStrict(await scrapeUntil(serving.url, (text) => /^kfscan_scan_failures_total\{context="lab"\} [1-9]/m.test(text)));
    expect(sampleValue(bad, 'kfscan_scan_success', { context: 'lab' })).toBe(0);
    expect(sampleValue(bad, 'kfscan_scan_errors', { context: 'lab' })).toBeGreaterThan(0);
    expect(bad.get('kfscan_findings')!.samples).toEqual(findings);
    expect(sampleValue(bad, 'kfscan_last_success_timestamp_seconds', { context: 'lab' })).toBe(firstSuccess);

    fault = undefined;
    const again = parseOpenMetricsStrict(await scrapeUntil(serving.url, (text) => /^kfscan_scan_success\{context="lab"\} 1/m.test(text)));
    expect(sampleValue(again, 'kfscan_last_success_timestamp_seconds', { context: 'lab' })).toBeGreaterThan(firstSuccess);
    expect(again.get('kfscan_findings')!.samples).toEqual(findings);

    // SIGTERM in the middle of a scan whose requests hang: the scan is cut off, the process ends at once.
    fault = { stall: true };
    const hung = api.requests.length;
    for (let i = 0; i < 200 && api.requests.length === hung; i++) await sleep(25);
    expect(api.requests.length).toBeGreaterThan(hung);
    const stopping = Date.now();
    serving.child.kill('SIGTERM');
    expect(await serving.exited).toBe(0);
    expect(Date.now() - stopping).toBeLessThan(1500);
  });

  it('refuses bad --interval and --listen values before doing anything', async () => {
    for (const args of [['--interval', '0s'], ['--interval', '1d'], ['--interval', '500ms'], ['--listen', 'localhost'], ['--listen', ':99999']]) {
      const run = await runCli(['serve', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/--(interval|listen) takes/);
    }
    expect(parseInterval('1h30m')).toBe(5_400_000);
    expect(parseListen(':9100')).toEqual({ host: undefined, port: 9100 });
    expect(parseListen('[::1]:0')).toEqual({ host: '::1', port: 0 });
  });

  it('keeps memory flat over many scans', async () => {
    const objects = Array.from({ length: 200 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `train-${i}`, namespace: `team-${i % 10}`, labels: { app: `train-${i}` } },
      spec: { containers: [{ name: 'main', image: 'tensorflow/tensorflow:latest-gpu' }] },
    }));
    const api = await server({ fixtures: ['fixtures/demo'], objects });
    const kubeconfig = kubeconfigFile([{ name: 'soak', server: api }]);
    // As it runs in a cluster: without the tests' read guard, which wraps every inventory.
    const env = { ...process.env, KFSCAN_STRICT_READS: '' };
    const outfile = await compileModule('test/helpers/serve-heap.ts', 'test/serve-heap.mjs');
    const run = await spawnCollect(process.execPath, ['--expose-gc', outfile, kubeconfig, '15', '20'], { cwd: ROOT, env, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    const heap = JSON.parse(run.stdout) as { before: number; after: number; cycles: number; failed: number; textBytes: number };
    expect(heap).toMatchObject({ cycles: 35, failed: 0 });
    expect(heap.textBytes).toBeGreaterThan(1000);
    // Measured: about 0.3 MB over the 20 cycles after warm-up (compiled code, caches settling). Keeping each
    // cycle's results by mistake adds about 0.2 MB a cycle here (4 MB in all), its inventory more.
    expect(heap.after - heap.before, JSON.stringify(heap)).toBeLessThan(2 * 1024 * 1024);
    // 35 scans in a child process: about 5 s on a quiet machine, more when the cores are shared.
  }, 120_000);
});

describe('the scans of kfscan serve', () => {
  it('a scan that fails keeps each context\'s last complete results on show, and says so', async () => {
    let next: () => Promise<Cycle> = () =>
      Promise.resolve({
        result: liveTwoClusters(),
        outcomes: [
          { context: 'prod-eu', error: null, durationMs: 2000 },
          { context: 'staging', error: null, durationMs: 1000 },
        ],
      });
    const loop = new ServeLoop({
      contexts: ['prod-eu', 'staging'],
      scan: () => next(),
      render: (result, runs, at) => openMetricsReport(result, { version: '0.1.0', color: false, width: 120, attackPath: ATTACK_PATH, scanRuns: runs, generatedAt: at }),
    });
    const signal = new AbortController().signal;
    expect(loop.text).toBeNull();
    await loop.runCycle(signal);
    const first = parseOpenMetricsStrict(loop.text!);
    const findings = first.get('kfscan_findings')!.samples;
    expect(total(first, 'kfscan_findings')).toBe(liveTwoClusters().findings.length);

    // The whole scan throws: both contexts failed this time, their findings stay.
    next = () => Promise.reject(new Error('kubeconfig vanished'));
    await loop.runCycle(signal);
    expect(loop.failure).toBe('kubeconfig vanished');
    const failed = parseOpenMetricsStrict(loop.text!);
    expect(failed.get('kfscan_findings')!.samples).toEqual(findings);
    for (const context of ['prod-eu', 'staging']) {
      expect(sampleValue(failed, 'kfscan_scan_success', { context })).toBe(0);
      expect(sampleValue(failed, 'kfscan_scan_failures', { context })).toBe(1);
      expect(sampleValue(failed, 'kfscan_scans', { context })).toBe(2);
      expect(sampleValue(failed, 'kfscan_scan_errors', { context })).toBeGreaterThan(0);
    }

    // One context fails, the other completes with new results: each shows its own.
    const fresh = liveTwoClusters();
    next = () => Promise.resolve({
      result: { ...fresh, findings: fresh.findings.filter((f) => f.context === 'staging' && f.checkId !== 'mfa-not-enforced'), errors: [{ context: 'prod-eu', message: 'connection refused' }] },
      outcomes: [
        { context: 'prod-eu', error: 'connection refused', durationMs: 10 },
        { context: 'staging', error: null, durationMs: 900 },
      ],
    });
    await loop.runCycle(signal);
    const mixed = parseOpenMetricsStrict(loop.text!);
    const inContext = (families: Map<string, MetricFamily>, context: string) => families.get('kfscan_findings')!.samples.filter((sample) => sample.labels['context'] === context);
    expect(inContext(mixed, 'prod-eu')).toEqual(inContext(first, 'prod-eu'));
    expect(sampleValue(mixed, 'kfscan_findings', { context: 'staging', check: 'mfa-not-enforced', severity: 'info' })).toBe(0);
    expect(sampleValue(mixed, 'kfscan_scan_success', { context: 'staging' })).toBe(1);
    expect(sampleValue(mixed, 'kfscan_scan_failures', { context: 'prod-eu' })).toBe(2);
    expect(sampleValue(mixed, 'kfscan_scan_duration_seconds', { context: 'staging' })).toBe(0.9);
    expect(sampleValue(mixed, 'kfscan_last_success_timestamp_seconds', { context: 'prod-eu' })).toBe(sampleValue(first, 'kfscan_last_success_timestamp_seconds', { context: 'prod-eu' }));
  });

  it('shows no findings for a context that never completed a scan', async () => {
    const loop = new ServeLoop({
      contexts: ['dead'],
      scan: () => Promise.reject(new Error('no route to host')),
      render: (result, runs, at) => openMetricsReport(result, { version: '0.1.0', color: false, width: 120, scanRuns: runs, generatedAt: at }),
    });
    await loop.runCycle(new AbortController().signal);
    const families = parseOpenMetricsStrict(loop.text!);
    expect(families.has('kfscan_findings')).toBe(false);
    expect(sampleValue(families, 'kfscan_scan_success', { context: 'dead' })).toBe(0);
    expect(families.has('kfscan_last_success_timestamp_seconds')).toBe(false);
  });
});
