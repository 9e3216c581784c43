import { describe, expect, it } from 'vitest';
import type { Evidence, ObjectRef } from '../src/core/types.js';
import { probeEntry } from '../src/probe/entry-probe.js';
import type { Targets } from '../src/probe/targets.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, useApiServers } from './helpers/live.js';
import { kubeflowBehindGateway, type PortSpec } from './helpers/probe-cluster.js';
import { openDashboard, useImitations, type Handler } from './helpers/probe-servers.js';

// `--probe` connects to addresses the cluster's status fields give, which whoever runs the cluster
// writes. It must not be turned against the machine kfscan runs on (loopback, link-local) unless asked
// with --probe-allow-local, never against the cloud's metadata service, and never be redirected to
// another port or host.

const LAB = { allowLocal: true };

describe('probing with the policy', () => {
  const imitate = useImitations();
  const apiServer = useApiServers();
  const entry: ObjectRef = { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' };
  const options = (policy: { allowLocal: boolean }, resolve?: (name: string) => Promise<string[]>) => ({
    timeoutMs: 2000,
    deadline: Date.now() + 20_000,
    userAgent: 'kfscan-test',
    now: () => new Date(),
    policy,
    ...(resolve ? { resolve } : {}),
  });
  const targets = (address: string, port: number, host = address, scheme: 'http' | 'https' = 'http'): Targets => ({ origins: [{ scheme, address, port, host }], noAddress: null });

  it('resolves a name once and connects only to the address it checked (no DNS rebinding)', async () => {
    const checked = await imitate('127.0.0.21', openDashboard);
    const swapped = await imitate('127.0.0.22', openDashboard);
    let lookups = 0;
    // A rebinding name: a harmless answer for the check, something else for any later lookup.
    const resolve = (): Promise<string[]> => Promise.resolve(lookups++ === 0 ? ['127.0.0.21'] : ['127.0.0.22']);
    const evidence = await probeEntry(entry, 'Service istio-system/istio-ingressgateway', targets('rebind.example', checked.port), options(LAB, resolve));
    expect(evidence.outcome).toBe('unauthenticated');
    expect(lookups).toBe(1);
    expect(checked.requests.length).toBeGreaterThan(0);
    expect(swapped.requests).toEqual([]);
    // The name stays the Host header.
    expect(checked.requests.every((r) => r.headers.host === `rebind.example:${checked.port}`)).toBe(true);
  });

  it('follows a redirect only to the same scheme, host and port', async () => {
    // Another port of the same machine (a local admin interface, say).
    const elsewhere = await imitate('127.0.0.24', openDashboard);
    const redirect = (to: (self: string) => string): Handler => (req, res, self) => {
      if (req.url?.startsWith('/landed')) {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
        return;
      }
      res.writeHead(302, { location: to(self.origin) }).end();
    };
    for (const [name, to] of [
      ['another port', () => `http://127.0.0.24:${elsewhere.port}/landed`],
      ['another scheme', (self: string) => `${self.replace('http:', 'https:')}/landed`],
      ['another host', (self: string) => self.replace('127.0.0.24', 'localhost') + '/landed'],
    ] as const) {
      const origin = await imitate('127.0.0.24', redirect(to));
      await probeEntry(entry, 'gateway', targets('127.0.0.24', origin.port), options(LAB));
      expect(origin.requests.some((r) => r.path.startsWith('/landed')), name).toBe(false);
    }
    expect(elsewhere.requests).toEqual([]);
    // User information in a redirect is never sent nor recorded.
    const withUser = await imitate('127.0.0.24', redirect((self) => self.replace('http://', 'http://admin:pw@') + '/landed'));
    const evidence: Evidence = await probeEntry(entry, 'gateway', targets('127.0.0.24', withUser.port), options(LAB));
    expect(withUser.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(JSON.stringify(evidence)).not.toContain('pw');
    // The same origin: followed.
    const same = await imitate('127.0.0.25', redirect((self) => `${self}/landed`));
    await probeEntry(entry, 'gateway', targets('127.0.0.25', same.port), options(LAB));
    expect(same.requests.some((r) => r.path === '/landed')).toBe(true);
  });

  async function scanProbing(address: string, ports: readonly PortSpec[], args: string[]) {
    const api = await apiServer({ objects: kubeflowBehindGateway({ ip: address }, ports) });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'probe', server: api }]), '-f', 'json', '--fail-on', 'none', '--probe', ...args]);
    const report = JSON.parse(run.stdout) as { findings: Array<{ checkId: string; message: string; evidence?: Evidence[] }> };
    return report.findings.find((f) => f.checkId === 'dashboard-auth-missing')!;
  }

  it('kfscan cluster --probe sends nothing to a loopback load balancer without --probe-allow-local, and says why', async () => {
    const local = await imitate('127.0.0.26', openDashboard);
    const refused = await scanProbing('127.0.0.26', [{ name: 'http2', port: local.port }], []);
    expect(local.requests).toEqual([]);
    expect(local.connections.total).toBe(0);
    expect(refused.evidence?.[0]).toMatchObject({ outcome: 'not-probed', requests: [{ status: null, error: 'not connected: 127.0.0.26 is a loopback address (--probe-allow-local probes it)' }] });
    expect(refused.message).toContain(`probe: not probed: refused to connect (http://127.0.0.26:${local.port}/: 127.0.0.26 is a loopback address (--probe-allow-local probes it))`);

    const allowed = await scanProbing('127.0.0.26', [{ name: 'http2', port: local.port }], ['--probe-allow-local']);
    expect(allowed.evidence?.[0]?.outcome).toBe('unauthenticated');
    expect(local.requests.length).toBeGreaterThan(0);
  });

  it('never probes a metadata address, even with --probe-allow-local', async () => {
    const finding = await scanProbing('169.254.169.254', [{ name: 'http', port: 80 }], ['--probe-allow-local']);
    expect(finding.evidence?.[0]).toMatchObject({ outcome: 'not-probed', requests: [{ error: 'not connected: 169.254.169.254 is a cloud metadata address' }] });
  });

  it('--probe-allow-local needs --probe', async () => {
    const run = await runCli(['cluster', '--probe-allow-local']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('kfscan: --probe-allow-local needs --probe\n');
  });
});
