import https from 'node:https';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfscanAsync } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, tempDir, useApiServers } from './helpers/live.js';

// kfscan is read-only: against a cluster it sends GET requests, and POSTs a SelfSubjectAccessReview only
// for `kfscan cluster --check-access`, which asks and changes nothing (README, "Least privilege"). The test
// server refuses and records every other method; every command is run against it here.
const server = useApiServers();
const REVIEWS = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

function send(api: { url: string; caPem: string; token: string }, method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = https.request(`${api.url}${path}`, { method, ca: api.caPem, headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    request.on('error', reject);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) request.setHeader('Content-Length', Buffer.byteLength(payload));
    request.end(payload);
  });
}

describe('the test API server', () => {
  it('refuses and records every method but GET, and the access review POST', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const pod = '/api/v1/namespaces/kubeflow/pods';
    const service = '/api/v1/namespaces/istio-system/services/istio-ingressgateway';
    const attempts: Array<[string, string]> = [
      ['POST', pod],
      ['PUT', service],
      ['PATCH', service],
      ['DELETE', service],
      ['DELETE', '/api/v1/namespaces/istio-system/services'],
      ['POST', '/api/v1'],
      ['PUT', '/apis/apps/v1/namespaces/kubeflow/deployments/centraldashboard'],
    ];
    for (const [method, where] of attempts) expect(await send(api, method, where, { kind: 'Service' }), `${method} ${where}`).toBe(405);
    expect(await send(api, 'POST', REVIEWS, { spec: { resourceAttributes: { verb: 'list', resource: 'pods' } } })).toBe(201);
    expect(api.requests.map((r) => [r.method, r.path, r.status])).toEqual([...attempts.map(([method, where]) => [method, where, 405]), ['POST', REVIEWS, 201]]);
    // Nothing changed.
    expect(await send(api, 'GET', service)).toBe(200);
  });
});

describe('every command against a cluster', () => {
  it('sends GET requests only, and access reviews only for --check-access', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const other = await server({ fixtures: ['fixtures/demo'] });
    const kubeconfig = kubeconfigFile([
      { name: 'one', server: api },
      { name: 'two', server: other },
    ]);
    // KUBECONFIG points at the servers too, so a command that read it on its own would show up here.
    const env = { KUBECONFIG: kubeconfig };
    const dir = tempDir('kfscan-ro-');
    const writes = () => [...api.requests, ...other.requests].filter((r) => r.method !== 'GET');
    const requests = () => api.requests.length + other.requests.length;

    const offline: string[][] = [
      ['scan', 'fixtures/demo', '-f', 'json', '--fail-on', 'none'],
      ['checks'],
      ['checks', '-f', 'json'],
      ['checks', '-f', 'markdown'],
      ['explain', 'mutable-ml-image'],
      ['explain', 'ingress-gateway-exposed', '-f', 'markdown'],
      ['rbac'],
      ['rbac', '--no-secrets', '--checks', 'default-credentials'],
      ['--help'],
      ['--version'],
      ['help', 'cluster'],
    ];
    for (const args of offline) {
      const run = await runCli(args, { env });
      expect(run.code, args.join(' ')).toBe(0);
    }
    expect(requests(), 'offline commands talk to no cluster').toBe(0);

    const scans: string[][] = [
      ...['table', 'json', 'sarif', 'markdown', 'html'].map((format) => ['cluster', '--all-contexts', '-f', format, '--verbose']),
      ['cluster', '--context', 'two', '--no-secrets', '-f', 'json', '--report', `sarif=${path.join(dir, 'r.sarif')}`, '--write-baseline', path.join(dir, 'b.json')],
      ['cluster', '--kubeconfig', kubeconfig, '--checks', 'default-credentials,mfa-not-enforced', '--baseline', path.join(dir, 'b.json')],
    ];
    for (const args of scans) {
      const run = await runCli([...args, '--fail-on', 'none'], { env });
      expect(run.code, args.join(' ')).toBe(0);
    }
    // The built binary, as users run it.
    const built = await kfscanAsync(['cluster', '--all-contexts', '-f', 'sarif', '--fail-on', 'none'], { env });
    expect(built.code).toBe(0);
    expect(requests()).toBeGreaterThan(100);
    expect(writes()).toEqual([]);

    const access = await runCli(['cluster', '--all-contexts', '--check-access'], { env });
    expect(access.code).toBe(0);
    expect(writes().length).toBeGreaterThan(0);
    expect(writes().every((r) => r.method === 'POST' && r.path === REVIEWS && r.status === 201)).toBe(true);
  });
});
