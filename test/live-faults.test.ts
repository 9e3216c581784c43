import { getEventListeners } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinChecks } from '../checks/index.js';
import type { ApiClient, ApiError } from '../src/live/api-client.js';
import { createApiClient } from '../src/live/api-client.js';
import { AGGREGATED_DISCOVERY_ACCEPT } from '../src/live/discovery.js';
import { loadKubeconfig } from '../src/live/kubeconfig.js';
import { MAX_PAGES, PAGE_SIZE, listAll } from '../src/live/list.js';
import { scanCluster } from '../src/live/scan-cluster.js';
import { createCertificateAuthority, startApiServer, type ApiRequest, type ApiServer, type Fault } from './api-server/index.js';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { generatedPods, kubeconfigFile, messages, readabilityProbe, tempDir, useApiServers, type JsonReport } from './helpers/live.js';

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
    // Contexts are scanned at once: each failure is printed as it happens, in whatever order they fail.
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        `kfscan: error: refused: cannot reach ${gone.url} (connection refused)`,
        `kfscan: error: expired: authentication failed (401 Unauthorized) at ${good.url}: the token or client certificate was rejected; it may have expired`,
        expect.stringMatching(new RegExp(`^kfscan: error: wrong-ca: TLS verification failed for ${good.url.replace(/\./g, '\\.')}: the server's certificate .* \\([A-Z_]+\\)$`)),
      ]),
    );
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.errors.map((e) => e.context)).toEqual(['refused', 'expired', 'wrong-ca']);
    expect(new Set(report.findings.map((f) => f.context))).toEqual(new Set(['good']));

    const allBad = await runCli(['cluster', '--kubeconfig', kubeconfig, '--contexts', 'refused,expired', '-f', 'json']);
    expect(allBad.code).toBe(2);
    expect(allBad.stderr).toMatch(/kfscan: no context could be scanned \(refused, expired\)\n$/);
    expect(allBad.stderr).not.toMatch(/\n\s+at /);
  });

  it("reads a context without a user anonymously, trusting its cluster's CA, refuses one whose user is not defined, and says when a user gave no token", async () => {
    const good = await server({ fixtures: ['fixtures/demo'] });
    const file = kubeconfigFile([
      { name: 'no-user', server: good },
      { name: 'typo', server: good },
      { name: 'expired-oidc', server: good },
    ]);
    const config = parse(readFileSync(file, 'utf8')) as { contexts: Array<{ context: { user?: string } }>; users: Array<{ user: unknown }> };
    delete config.contexts[0]!.context.user;
    config.contexts[1]!.context.user = 'tpyo';
    // An OIDC id-token that expired an hour ago, without the refresh token that would renew it.
    const segment = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const idToken = `${segment({ alg: 'none' })}.${segment({ iss: 'https://issuer.invalid', sub: 'x', exp: Math.floor(Date.now() / 1000) - 3600 })}.x`;
    config.users[2]!.user = { 'auth-provider': { name: 'oidc', config: { 'client-id': 'kfscan', 'idp-issuer-url': 'https://issuer.invalid', 'id-token': idToken } } };
    writeFileSync(file, stringify(config));
    const run = await runCli(['cluster', '--kubeconfig', file, '--all-contexts', '-f', 'json', '--fail-on', 'none']);
    expect(run.code).toBe(2);
    // Not a TLS failure: client-node alone would leave the cluster's CA out of a context without a user.
    expect(run.stderr.trimEnd().split('\n').slice(0, 3).sort()).toEqual([
      `kfscan: error: expired-oidc: authentication failed (401 Unauthorized) at ${good.url}: the context's user gave no token or certificate to send (an expired id-token that cannot be refreshed?)`,
      `kfscan: error: no-user: authentication failed (401 Unauthorized) at ${good.url}: the context has no credentials (no user, token or client certificate), and the server does not allow anonymous reads`,
      'kfscan: error: typo: context "typo" uses user "tpyo", which the kubeconfig does not define (or defines in a form that cannot be read)',
    ]);
  });

  it('retries a stalled request, 429 and 5xx answers a bounded number of times and completes the scan', async () => {
    const faults = [
      faultTimes(1, listOf('', 'pods'), { stall: true }),
      faultTimes(1, listOf('', 'services'), { status: 429, headers: { 'Retry-After': '0' } }),
      faultTimes(1, listOf('apps', 'deployments'), { status: 503 }),
      faultTimes(1, (r) => r.path === '/apis', { status: 500 }),
      faultTimes(1, listOf('networking.istio.io', 'gateways'), { raw: '{"kind":"GatewayList","items":[{"metad' }),
      faultTimes(1, listOf('networking.istio.io', 'virtualservices'), { stallAfterBytes: 40 }),
    ];
    const api = await server({ fixtures: ['fixtures/demo'], intercept: (request) => faults.map((f) => f(request)).find(Boolean) });
    const { result } = await quickScan(api, 'flaky');
    expect(result.errors).toEqual([]);
    expect(result.coverage.unreadable).toEqual([]);
    expect(result.findings.map((f) => f.resource?.name)).toContain('istio-ingressgateway');
    const count = (match: (r: ApiServer['requests'][number]) => boolean) => api.requests.filter(match).length;
    expect(count((r) => r.path === '/apis')).toBe(2);
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
    // At most the three attempts reach the server; on a loaded machine the last one's TLS handshake can
    // outlast its 0.1 s, and the server never sees it.
    expect(api.requests.filter((r) => r.path === '/api').length).toBeLessThanOrEqual(3);
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

  it('reports a list whose continue token the server then refuses (400) as a coverage gap, and scans the rest', async () => {
    const broken = faultTimes(1, listOf('', 'pods'), {
      status: 200,
      body: { kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: '1', continue: 'not-a-token-this-server-made' }, items: [] },
    });
    const api = await server({ fixtures: ['fixtures/demo'], intercept: broken });
    const { result } = await quickScan(api, 'paging');
    expect(result.coverage.unreadable).toEqual([
      { resource: 'pods', context: 'paging', reason: expect.stringMatching(/^HTTP 400 for GET \/api\/v1\/pods: continue key is not valid/) },
    ]);
    expect(result.errors).toEqual([{ context: 'paging', resource: 'pods', message: expect.stringMatching(/^HTTP 400/) }]);
    expect(result.findings.map((f) => f.resource?.name)).toContain('istio-ingressgateway');
    expect(api.requests.filter((r) => r.path === '/api/v1/pods').map((r) => r.status)).toEqual([200, 400]);
  });

  it('stops a list whose continue tokens go round in a circle', async () => {
    let page = 0;
    const circle = (request: ApiRequest): Fault | undefined =>
      listOf('apps', 'deployments')(request)
        ? { status: 200, body: { kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { continue: ['a', 'b'][page++ % 2] }, items: [] } }
        : undefined;
    const api = await server({ fixtures: ['fixtures/demo'], intercept: circle });
    const { result } = await quickScan(api, 'circle');
    expect(result.coverage.unreadable).toEqual([
      { resource: 'deployments.apps', context: 'circle', reason: 'the server returned a continue token for deployments it had returned before: the list would never end' },
    ]);
    expect(api.requests.filter((r) => r.path === '/apis/apps/v1/deployments')).toHaveLength(3);
    expect(result.findings.length).toBeGreaterThan(0);
  });

  it('stops a list that never ends after MAX_PAGES pages', async () => {
    let served = 0;
    const endless: ApiClient = {
      server: 'https://endless.example',
      get: () => Promise.resolve({ kind: 'PodList', metadata: { continue: `page-${++served}` }, items: [{ metadata: { name: `p${served}`, namespace: 'x' } }] }),
      post: () => Promise.resolve({}),
      close: () => {},
    };
    const pods = { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true };
    await expect(listAll(endless, pods as Parameters<typeof listAll>[1])).rejects.toThrow(`the list of pods did not end after ${MAX_PAGES} pages of ${PAGE_SIZE}`);
    expect(served).toBe(MAX_PAGES);
  });

  it('gives up on answers that stay broken JSON, skips list items that are not objects, refuses a list without items', async () => {
    const api = await server({
      fixtures: ['fixtures/demo'],
      intercept: (request) =>
        listOf('apps', 'daemonsets')(request)
          ? { raw: '{"kind":"DaemonSetList","items":[{"metadata":' }
          : listOf('apps', 'statefulsets')(request)
            ? { raw: '{"kind":"StatefulSetList","apiVersion":"apps/v1","metadata":{},"items":5}' }
            : listOf('', 'pods')(request)
              ? {
                  raw: JSON.stringify({
                    kind: 'PodList',
                    apiVersion: 'v1',
                    metadata: {},
                    items: [null, 5, 'pod', [], { metadata: 7 }, { metadata: { name: 'miner', namespace: 'ml' }, spec: { containers: [{ name: 'm', image: 'tensorflow/tensorflow:latest-gpu', command: ['xmrig'] }] } }],
                  }),
                }
              : undefined,
    });
    const { result } = await quickScan(api, 'junk');
    expect(result.coverage.unreadable).toEqual([
      { resource: 'daemonsets.apps', context: 'junk', reason: 'the answer is not valid JSON (after 3 attempts)' },
      { resource: 'statefulsets.apps', context: 'junk', reason: 'the list of statefulsets has no items' },
    ]);
    expect(api.requests.filter((r) => r.path === '/apis/apps/v1/daemonsets')).toHaveLength(3);
    const onMiner = result.findings.filter((f) => f.resource?.name === 'miner').map((f) => f.checkId);
    expect(onMiner).toEqual(expect.arrayContaining(['miner-indicators', 'mutable-ml-image']));
  });

  it('waits no longer than its cap when a server asks for an hour (Retry-After)', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], intercept: faultTimes(2, listOf('', 'services'), { status: 429, headers: { 'Retry-After': '3600' } }) });
    const kubeconfig = await loadKubeconfig({ kubeconfig: kubeconfigFile([{ name: 'slow', server: api }]), env: {}, cwd: process.cwd() });
    const client = await createApiClient(kubeconfig.forContext('slow'), { timeoutMs: 1000, retries: 2, backoffMs: 5, maxBackoffMs: 20, maxSockets: 2, userAgent: 'test' });
    try {
      const started = Date.now();
      const answer = (await client.get('/api/v1/services')) as { items: unknown[] };
      expect(answer.items.length).toBeGreaterThan(0);
      // Two waits of at most 20 ms each instead of two hours (the test would time out long before).
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(api.requests.filter((r) => r.path === '/api/v1/services').map((r) => r.status)).toEqual([429, 429, 200]);
    } finally {
      client.close();
    }
  });

  it('once closed, stops what it has in flight without retrying it and opens no connection again', async () => {
    // `--check-access` closes a context's client at its deadline. A request the close cut off used to fail
    // as a dropped connection and go out again on a new one, which then stayed open.
    let arrived: () => void = () => {};
    const asked = new Promise<void>((resolve) => (arrived = resolve));
    const api = await server({ intercept: (request) => (request.path === '/api' ? (arrived(), { stall: true }) : undefined) });
    const kubeconfig = await loadKubeconfig({ kubeconfig: kubeconfigFile([{ name: 'closing', server: api }]), env: {}, cwd: process.cwd() });
    const client = await createApiClient(kubeconfig.forContext('closing'), { timeoutMs: 5000, retries: 2, backoffMs: 5, maxBackoffMs: 5, maxSockets: 2, userAgent: 'test' });
    const inFlight = client.get('/api');
    inFlight.catch(() => {});
    await asked;
    client.close();
    await expect(inFlight).rejects.toMatchObject({ kind: 'aborted' });
    await expect(client.get('/apis')).rejects.toMatchObject({ kind: 'aborted' });
    // Time for the retries (5 ms apart) that must not come.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(api.requests.map((r) => r.path)).toEqual(['/api']);
  });

  it('listens to its abort signal once however many requests are in flight, and stops them all with it', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], intercept: () => ({ delayMs: 200 }) });
    const kubeconfig = await loadKubeconfig({ kubeconfig: kubeconfigFile([{ name: 'many', server: api }]), env: {}, cwd: process.cwd() });
    const abort = new AbortController();
    const client = await createApiClient(kubeconfig.forContext('many'), { timeoutMs: 5000, retries: 0, backoffMs: 5, maxSockets: 8, userAgent: 'test', signal: abort.signal });
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    try {
      // More than Node's default of ten listeners per signal, which would print a warning.
      const inFlight = Array.from({ length: 24 }, () => client.get('/api/v1/services'));
      expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
      abort.abort();
      const outcomes = await Promise.allSettled(inFlight);
      expect(outcomes.map((o) => (o.status === 'rejected' ? (o.reason as ApiError).kind : 'answered'))).toEqual(Array<string>(24).fill('aborted'));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      client.close();
    }
  });

  it('scans the good contexts when another one stalls for ever', async () => {
    const good = await server({ fixtures: ['fixtures/demo'] });
    const stalled = await server({ intercept: () => ({ stall: true }) });
    const kubeconfig = await loadKubeconfig({
      kubeconfig: kubeconfigFile([
        { name: 'stalled', server: stalled },
        { name: 'good', server: good },
      ]),
      env: {},
      cwd: process.cwd(),
    });
    const { result, outcomes } = await scanCluster(kubeconfig, ['stalled', 'good'], { checks: builtinChecks, secrets: true, concurrency: 8, timeoutMs: 200, retries: 1, backoffMs: 5 });
    expect(outcomes.map((o) => [o.context, o.error])).toEqual([
      ['stalled', 'API discovery failed: no complete answer within 0.2 s (after 2 attempts)'],
      ['good', null],
    ]);
    expect(result.scanned.contexts).toBe(1);
    expect(new Set(result.findings.map((f) => f.context))).toEqual(new Set(['good']));
  });
});

describe('kfscan cluster against a hostile API server', () => {
  const listOfPods = listOf('', 'pods');
  const GIB = 1024 * 1024 * 1024;

  it('gives one clear error for a context whose server sends a gzip bomb, exit 2 alone and 3 beside a good context', async () => {
    const bomb = await server({ fixtures: ['fixtures/demo'], intercept: (request) => (listOfPods(request) ? { gzipBomb: GIB } : undefined) });
    const good = await server({ fixtures: ['fixtures/demo'] });
    const kubeconfig = kubeconfigFile([
      { name: 'bomb', server: bomb },
      { name: 'good', server: good },
    ]);
    const error = 'kfscan: error: bomb: the answer to GET /api/v1/pods is larger than 16 MB once decompressed, more than a Kubernetes API server sends';
    const both = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none']);
    expect(both.stderr.trimEnd().split('\n')).toEqual([error]);
    expect(both.code).toBe(3);
    const report = JSON.parse(both.stdout) as JsonReport;
    expect(report.errors).toEqual([{ context: 'bomb', message: error.replace('kfscan: error: bomb: ', '') }]);
    expect(new Set(report.findings.map((f) => f.context))).toEqual(new Set(['good']));
    // Asked again in smaller pages before the context was given up on: 500, 62, 7, then 1 pod.
    expect(bomb.requests.filter((r) => r.path === '/api/v1/pods').map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['500', '62', '7', '1']);

    const alone = await runCli(['cluster', '--kubeconfig', kubeconfig, '--context', 'bomb', '-f', 'json']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toBe(`${error}\nkfscan: no context could be scanned (bomb)\n`);
  });

  it('asks for a resource whose discovered name holds spaces, controls or other scripts without failing the context', async () => {
    // A server's discovery documents name the resources to list. A name no real API server uses must not
    // turn the request into an error about the connection (which ends the whole context): the name goes
    // out percent-encoded, as a URL would carry it, and the server's answer (here 404) is about that list.
    let renamed: unknown = null;
    const api = await server({
      fixtures: ['fixtures/demo'],
      intercept: (request) => (renamed !== null && request.verb === 'discovery' && request.path === '/apis' ? { status: 200, body: renamed } : undefined),
    });
    const kubeconfig = kubeconfigFile([{ name: 'odd', server: api }]);
    const loaded = await loadKubeconfig({ kubeconfig, env: {}, cwd: process.cwd() });
    const client = await createApiClient(loaded.forContext('odd'), { timeoutMs: 5000, retries: 0, backoffMs: 5, maxSockets: 2, userAgent: 'test' });
    const discovery = (await client.get('/apis', undefined, { accept: AGGREGATED_DISCOVERY_ACCEPT })) as { items: Array<{ metadata: { name: string }; versions: Array<{ resources: Array<{ resource: string }> }> }> };
    client.close();
    const istio = discovery.items.find((group) => group.metadata.name === 'networking.istio.io')!;
    const gateways = istio.versions.flatMap((version) => version.resources).filter((resource) => resource.resource === 'gateways');
    expect(gateways.length).toBeGreaterThan(0);
    for (const resource of gateways) resource.resource = 'gate ways\u0007\u00e9\u4e2d\ud800';
    renamed = discovery;

    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none']);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.errors).toEqual([]);
    expect(run.code).toBe(0);
    // The list was asked for, its name percent-encoded; the rest of the cluster was read and judged.
    expect(api.requests.map((r) => r.path)).toContain('/apis/networking.istio.io/v1/gate%20ways%07%C3%A9%E4%B8%AD%EF%BF%BD');
    expect(report.findings.map((f) => f.resource?.name)).toContain('istio-ingressgateway');
  });

  it('reads a list whose pages are too large to read whole in smaller pages, and misses nothing', async () => {
    // 500 ConfigMaps of 40 KB: a page of 500 is 20 MB, over the 16 MB an answer may take.
    const configMaps = Array.from({ length: 500 }, (_, index) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `dashboard-${String(index).padStart(3, '0')}`, namespace: 'monitoring' },
      data: { 'dashboard.json': 'x'.repeat(40_000) },
    }));
    const api = await server({ objects: configMaps, gzip: false });
    const probe = readabilityProbe(['ConfigMap']);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'large', server: api }]), '-f', 'json', '--fail-on', 'none'], { checks: [probe] });
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.errors).toEqual([]);
    expect(messages(report)[0]!.match(/monitoring\/dashboard-\d{3}/g)).toHaveLength(500);
    const limits = api.requests.filter((r) => r.path === '/api/v1/configmaps').map((r) => new URLSearchParams(r.query).get('limit'));
    expect(limits).toEqual(['500', ...Array<string>(Math.ceil(500 / 62)).fill('62')]);
  });

  /** Runs the built CLI in a child process and reads the peak resident memory it reports on exit. */
  async function scanInChild(api: ApiServer, nodeArgs: string[] = []): Promise<{ code: number; stderr: string; peakMb: number }> {
    const rssFile = path.join(tempDir('kfscan-rss-'), 'rss');
    const run = await kfscanAsync(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'hostile', server: api }]), '-f', 'json', '--checks', 'mutable-ml-image'], {
      nodeArgs: [...nodeArgs, '--import', path.join(ROOT, 'bench', 'report-rss.mjs')],
      env: { KFSCAN_BENCH_RSS_FILE: rssFile },
    });
    return { code: run.code, stderr: run.stderr, peakMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
  }

  it('decompresses no more of a 4 GB gzip bomb than an answer may take: the process stays small', async () => {
    const api = await server({ intercept: (request) => (request.path === '/apis' ? { gzipBomb: 4 * GIB } : undefined) });
    const run = await scanInChild(api);
    expect(run.stderr).toBe('kfscan: error: hostile: the answer to GET /apis is larger than 16 MB once decompressed, more than a Kubernetes API server sends\nkfscan: no context could be scanned (hostile)\n');
    expect(run.code).toBe(2);
    // Without the limit the text alone would take gigabytes; with it, start-up plus a few 16 MB buffers:
    // about 90 MB (the child's own peak: bench/report-rss.mjs).
    expect(run.peakMb).toBeLessThan(250);
  });

  it('stops reading a list that never ends, with large pages, before its memory runs out: one error, exit 2', async () => {
    // Pages of 500 pods with 16 KB of annotation each (8 MB), for ever; the child's heap is 192 MB, so that
    // the test is quick: without a bound the child dies of it (V8's fatal out-of-memory error).
    const api = await server({ gzip: false, intercept: (request) => (listOfPods(request) ? { endlessList: { itemBytes: 16 * 1024 } } : undefined) });
    const run = await scanInChild(api, ['--max-old-space-size=192']);
    expect(run.stderr).toMatch(
      /^kfscan: error: hostile: stopped reading: what was read and the next answer \(\d+\.\d MB\) would take more than \d+ MB of memory, kfscan's limit for what it reads; the server may be sending endless or oversized lists\nkfscan: no context could be scanned \(hostile\)\n$/,
    );
    expect(run.code).toBe(2);
    // It read pages of a size its budget allows (62 pods) until the budget was used, then stopped.
    const limits = api.requests.filter((r) => r.path === '/api/v1/pods').map((r) => new URLSearchParams(r.query).get('limit'));
    expect(limits.slice(0, 3)).toEqual(['500', '500', '62']);
    expect(limits.length).toBeGreaterThan(20);
    // About 200 MB: the 192 MB heap it was given, then the error.
    expect(run.peakMb).toBeLessThan(400);
  });
});
