import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { loadKubeconfig } from '../src/live/kubeconfig.js';
import { scanCluster } from '../src/live/scan-cluster.js';
import { createCertificateAuthority, startApiServer, type ApiRequest, type ApiServer, type Fault } from './api-server/index.js';
import { runCli } from './helpers/in-process.js';
import { generatedPods, kubeconfigFile, useApiServers, type JsonReport } from './helpers/live.js';

/** A scan with short timeouts and back-off, so that retry tests take milliseconds, not seconds. */
async function quickScan(api: ApiServer, context: string, timeoutMs = 300) {
  const kubeconfig = await loadKubeconfig({ kubeconfig: kubeconfigFile([{ name: context, server: api }]), env: {}, cwd: process.cwd() });
  return scanCluster(kubeconfig, [context], { checks: builtinChecks, secrets: true, concurrency: 8, timeoutMs, retries: 2, backoffMs: 5 });
}

const server = useApiServers();

/** Answers the first `times` requests that match with the fault, then normally. */
function faultTimes(times: number, match: (request: ApiRequest) => boolean, fault: Fault): (request: ApiRequest) => Fault | undefined {
  let left = times;
  return (request) => {
    if (left > 0 && match(request)) {
      left--;
      return fault;
    }
    return undefined;
  };
}

const listOf = (group: string, resource: string) => (request: ApiRequest) => request.verb === 'list' && (request.group ?? '') === group && request.resource === resource;

describe('kfscan cluster when things go wrong', () => {
  it('reports an unreachable server, a rejected token and an untrusted certificate in one line per context and scans the rest', async () => {
    const good = await server({ fixtures: ['fixtures/demo'] });
    const gone = await startApiServer({});
    await gone.close();
    const otherCa = await createCertificateAuthority('some other CA');
    const kubeconfig = kubeconfigFile([
      { name: 'good', server: good },
      { name: 'refused', server: gone },
      { name: 'expired', server: good, token: 'expired-token' },
      { name: 'wrong-ca', server: good, caPem: otherCa.certPem },
    ]);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none']);
    expect(run.code).toBe(3);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      `kfscan: error: refused: cannot reach ${gone.url} (connection refused)`,
      `kfscan: error: expired: authentication failed (401 Unauthorized) at ${good.url}: the token or client certificate was rejected; it may have expired`,
      expect.stringMatching(new RegExp(`^kfscan: error: wrong-ca: TLS verification failed for ${good.url.replace(/\./g, '\\.')}: the server's certificate .* \\([A-Z_]+\\)$`)),
    ]);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.errors.map((e) => e.context)).toEqual(['refused', 'expired', 'wrong-ca']);
    expect(new Set(report.findings.map((f) => f.context))).toEqual(new Set(['good']));

    const allBad = await runCli(['cluster', '--kubeconfig', kubeconfig, '--contexts', 'refused,expired', '-f', 'json']);
    expect(allBad.code).toBe(2);
    expect(allBad.stderr).toMatch(/kfscan: no context could be scanned \(refused, expired\)\n$/);
    expect(allBad.stderr).not.toMatch(/\n\s+at /);
  });

  it('retries a stalled request, 429 and 5xx answers a bounded number of times and completes the scan', async () => {
    const faults = [
      faultTimes(1, listOf('', 'pods'), { stall: true }),
      faultTimes(1, listOf('', 'services'), { status: 429, headers: { 'Retry-After': '0' } }),
      faultTimes(1, listOf('apps', 'deployments'), { status: 503 }),
      faultTimes(1, (r) => r.path === '/apis/apps/v1', { status: 500 }),
      faultTimes(1, listOf('networking.istio.io', 'gateways'), { raw: '{"kind":"GatewayList","items":[{"metad' }),
      faultTimes(1, listOf('networking.istio.io', 'virtualservices'), { stallAfterBytes: 40 }),
    ];
    const api = await server({ fixtures: ['fixtures/demo'], intercept: (request) => faults.map((f) => f(request)).find(Boolean) });
    const { result } = await quickScan(api, 'flaky');
    expect(result.errors).toEqual([]);
    expect(result.coverage.unreadable).toEqual([]);
    expect(result.findings.map((f) => f.resource?.name)).toContain('istio-ingressgateway');
    const count = (match: (r: ApiServer['requests'][number]) => boolean) => api.requests.filter(match).length;
    expect(count((r) => r.path === '/api/v1/pods')).toBe(2);
    expect(count((r) => r.path === '/api/v1/services')).toBe(2);
    expect(count((r) => r.path === '/apis/apps/v1/deployments')).toBe(2);
    expect(count((r) => r.path === '/apis/networking.istio.io/v1/gateways')).toBe(2);
    expect(count((r) => r.path === '/apis/networking.istio.io/v1/virtualservices')).toBe(2);
  });

  it('gives up on a resource after three attempts: a coverage gap and an error, the rest scanned', async () => {
    const api = await server({
      fixtures: ['fixtures/demo'],
      intercept: (request) =>
        listOf('apps', 'daemonsets')(request) ? { status: 500 } : listOf('apps', 'statefulsets')(request) ? { stallAfterBytes: 30 } : undefined,
    });
    const { result } = await quickScan(api, 'broken');
    const serverError = 'HTTP 500 for GET /apis/apps/v1/daemonsets: injected fault (after 3 attempts)';
    const stalled = 'no complete answer within 0.3 s (after 3 attempts)';
    expect(result.coverage.unreadable).toEqual([
      { resource: 'daemonsets.apps', reason: serverError, context: 'broken' },
      { resource: 'statefulsets.apps', reason: stalled, context: 'broken' },
    ]);
    expect(result.errors).toEqual([
      { context: 'broken', resource: 'daemonsets.apps', message: serverError },
      { context: 'broken', resource: 'statefulsets.apps', message: stalled },
    ]);
    expect(result.findings.length).toBeGreaterThan(0);
    expect(api.requests.filter((r) => r.path === '/apis/apps/v1/daemonsets')).toHaveLength(3);
  });

  it('fails a context whose server never answers, after bounded retries', async () => {
    const api = await server({ intercept: () => ({ stall: true }) });
    const { result, outcomes } = await quickScan(api, 'stalled', 100);
    expect(outcomes[0]!.error).toBe('API discovery failed: no complete answer within 0.1 s (after 3 attempts)');
    expect(result.scanned.contexts).toBe(0);
    expect(api.requests.filter((r) => r.path === '/api')).toHaveLength(3);
  });

  it('starts a list over once when its continue token expires (410 Gone)', async () => {
    const expire = faultTimes(1, (r) => listOf('', 'pods')(r) && r.query.has('continue'), {
      status: 410,
      body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'The provided continue parameter is too old' },
    });
    const api = await server({ objects: generatedPods(700), intercept: expire });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'slow', server: api }]), '-f', 'json', '--fail-on', 'none', '--checks', 'mutable-ml-image']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings).toHaveLength(2); // pods 0 and 400 run tensorflow:latest, each once
    expect(api.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.status)).toEqual([200, 410, 200, 200]);
  });
});
