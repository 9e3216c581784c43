import https from 'node:https';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kubeconfigYaml } from './api-server/index.js';
import { useApiServers } from './helpers/live.js';

// The test server stands in for kube-apiserver in every live test; these pin the behaviour that clients
// can observe and that the tests rely on.

const server = useApiServers();

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the server's JSON answer, probed by the tests
function get(api: { url: string; caPem: string }, path: string, token?: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https
      .get(`${api.url}${path}`, { ca: api.caPem, headers: token ? { Authorization: `Bearer ${token}` } : {} }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

describe('test API server', () => {
  it('answers 401 with a Status without the bearer token, and logs the attempt', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const answer = await get(api, '/api/v1/pods');
    expect(answer).toMatchObject({ status: 401, body: { kind: 'Status', reason: 'Unauthorized', code: 401 } });
    expect(api.requests).toMatchObject([{ method: 'GET', path: '/api/v1/pods', status: 401, authenticated: false }]);
  });

  it('serves discovery: built-in groups always, custom groups only when installed, preferred version first', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], installed: ['kubeflow.org/Notebook'] });
    const groups = (await get(api, '/apis', api.token)).body.groups as Array<{ name: string; preferredVersion: { version: string }; versions: Array<{ version: string }> }>;
    const names = groups.map((g) => g.name);
    expect(names).toEqual(expect.arrayContaining(['apps', 'batch', 'networking.istio.io', 'argoproj.io', 'kubeflow.org']));
    expect(names).not.toContain('monitoring.coreos.com');
    const kubeflow = groups.find((g) => g.name === 'kubeflow.org')!;
    expect(kubeflow.preferredVersion.version).toBe('v1');
    const core = (await get(api, '/api/v1', api.token)).body;
    expect(core.resources).toEqual(expect.arrayContaining([
      { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: expect.arrayContaining(['get', 'list']) },
      expect.objectContaining({ name: 'pods/log' }),
      expect.objectContaining({ name: 'nodes', namespaced: false }),
    ]));
    expect((await get(api, '/apis/monitoring.coreos.com/v1', api.token)).status).toBe(404);
    expect((await get(api, '/apis/monitoring.coreos.com/v1/prometheuses', api.token)).status).toBe(404);
  });

  it('lists like kube-apiserver: built-in items without kind/apiVersion, custom items with them, in pages', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const services = (await get(api, '/api/v1/services', api.token)).body;
    expect(services.kind).toBe('ServiceList');
    expect(services.items.length).toBeGreaterThan(0);
    for (const item of services.items) expect(item.kind === undefined && item.apiVersion === undefined).toBe(true);
    const gateways = (await get(api, '/apis/networking.istio.io/v1alpha3/gateways', api.token)).body;
    expect(gateways.items[0]).toMatchObject({ apiVersion: 'networking.istio.io/v1alpha3', kind: 'Gateway' });

    const first = (await get(api, '/api/v1/services?limit=1', api.token)).body;
    expect(first.items).toHaveLength(1);
    expect(first.metadata.remainingItemCount).toBe(services.items.length - 1);
    const second = (await get(api, `/api/v1/services?limit=1&continue=${first.metadata.continue}`, api.token)).body;
    expect(second.items[0].metadata.name).not.toBe(first.items[0].metadata.name);
    expect((await get(api, '/api/v1/services?limit=1&continue=garbage', api.token)).status).toBe(400);
    const namespaced = (await get(api, '/api/v1/namespaces/istio-system/services', api.token)).body;
    expect(namespaced.items.every((s: { metadata: { namespace: string } }) => s.metadata.namespace === 'istio-system')).toBe(true);
    const one = (await get(api, '/api/v1/namespaces/istio-system/services/istio-ingressgateway', api.token)).body;
    expect(one).toMatchObject({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'istio-ingressgateway' } });
  });

  it('denies by rule with a Forbidden Status, and writes a kubeconfig kubectl would read', async () => {
    const api = await server({ forbid: [{ group: 'apps', resource: 'daemonsets', verb: 'list' }] });
    const denied = await get(api, '/apis/apps/v1/daemonsets', api.token);
    expect(denied).toMatchObject({ status: 403, body: { reason: 'Forbidden', message: expect.stringContaining('cannot list resource "daemonsets" in API group "apps" at the cluster scope') } });
    const config = parse(kubeconfigYaml([{ name: 'x', server: api }]));
    expect(config.clusters[0].cluster['certificate-authority-data']).toBe(Buffer.from(api.caPem).toString('base64'));
    expect(config.users[0].user.token).toBe(api.token);
    expect(config['current-context']).toBe('x');
  });

  it('with keepAnswers, sends the same answer to the same request again, logs every request and still refuses the unauthenticated', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], keepAnswers: true, forbid: [{ verb: 'list', resource: 'secrets' }] });
    const first = await get(api, '/apis/apps/v1/deployments?limit=2', api.token);
    const second = await get(api, '/apis/apps/v1/deployments?limit=2', api.token);
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBe(2);
    expect(second).toEqual(first);
    // Another query is another answer.
    expect((await get(api, '/apis/apps/v1/deployments?limit=1', api.token)).body.items.length).toBe(1);
    expect((await get(api, '/api/v1/secrets', api.token)).status).toBe(403);
    expect((await get(api, '/apis/apps/v1/deployments?limit=2')).status).toBe(401);
    expect(api.requests.map((request) => [request.query, request.status])).toEqual([
      ['limit=2', 200],
      ['limit=2', 200],
      ['limit=1', 200],
      ['', 403],
      ['limit=2', 401],
    ]);
  });
});

