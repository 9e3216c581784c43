import { describe, expect, it } from 'vitest';
import type { Evidence } from '../src/core/types.js';
import { defaultCertificateAuthority, type ApiServer } from './api-server/index.js';
import { kfscanAsync } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { kubeconfigFile, useApiServers } from './helpers/live.js';
import { dashboardOnNodePort, kubeflowBehindGateway, type PortSpec } from './helpers/probe-cluster.js';
import {
  SESSION_SECRET,
  closedPort,
  dexServer,
  endlessRedirects,
  oauth2ProxyTo,
  openDashboard,
  sameHostLogin,
  selfSignedCertificate,
  stall,
  useImitations,
  type Imitation,
} from './helpers/probe-servers.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';

const apiServer = useApiServers();
const imitate = useImitations();
// Every imitation of this file, for the tests on what the probe may send.
const everyImitation: Imitation[] = [];
const tokens: string[] = [];

async function start(host: string, handler: Parameters<typeof imitate>[1], options?: Parameters<typeof imitate>[2]): Promise<Imitation> {
  const imitation = await imitate(host, handler, options);
  everyImitation.push(imitation);
  return imitation;
}

interface Finding {
  checkId: string;
  severity: string;
  message: string;
  resource: { kind: string; namespace: string | null; name: string } | null;
  evidence?: Evidence[];
}

async function scan(objects: unknown[], args: string[] = ['--probe', '--probe-allow-local']): Promise<{ code: number; stdout: string; stderr: string; findings: Finding[]; api: ApiServer }> {
  const api = await apiServer({ objects });
  tokens.push(api.token);
  const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'probe', server: api }]), '-f', 'json', '--fail-on', 'none', ...args]);
  const findings = run.code === 2 ? [] : (JSON.parse(run.stdout) as { findings: Finding[] }).findings;
  return { ...run, findings, api };
}

function finding(findings: readonly Finding[], checkId: string): Finding {
  const found = findings.find((f) => f.checkId === checkId);
  if (!found) throw new Error(`no ${checkId} finding among ${findings.map((f) => f.checkId).join(', ')}`);
  return found;
}

const http2 = (port: number): PortSpec[] => [{ name: 'http2', port }];

describe('kfscan cluster --probe', () => {
  it('is off by default: without --probe nothing is sent to the entry points and findings carry no evidence', async () => {
    const open = await start('127.0.0.2', openDashboard);
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.2' }, http2(open.port)), []);
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.evidence === undefined && !f.message.includes('probe'))).toBe(true);
    expect(open.requests).toEqual([]);
  });

  it('confirms a dashboard that answers without login behind a public load balancer, with the evidence in the finding', async () => {
    // AWS gives load balancers hostnames; kfscan cannot tell where a hostname points without DNS, so it is public.
    const open = await start('127.0.0.1', openDashboard);
    const { findings, stdout } = await scan(kubeflowBehindGateway({ hostname: 'localhost' }, http2(open.port)));
    const exposed = finding(findings, 'kubeflow-dashboard-exposed');
    expect(exposed.severity).toBe('critical');
    expect(exposed.message).toContain(
      `; probe: confirmed unauthenticated: GET http://localhost:${open.port}/api/workgroup/env-info answered HTTP 200 with the central dashboard's environment API to an anonymous user, no login asked`,
    );
    const [evidence] = exposed.evidence!;
    expect(evidence).toMatchObject({ source: 'probe', outcome: 'unauthenticated', entry: { kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' } });
    // The whole origin is asked (page, dashboard API, Pipelines through the gateway, Pipelines directly), once.
    expect(evidence!.requests.map((r) => [r.url, r.address, r.status])).toEqual([
      [`http://localhost:${open.port}/`, 'localhost', 200],
      [`http://localhost:${open.port}/api/workgroup/env-info`, 'localhost', 200],
      [`http://localhost:${open.port}/pipeline/apis/v1beta1/pipelines?page_size=1`, 'localhost', 200],
      [`http://localhost:${open.port}/apis/v1beta1/pipelines?page_size=1`, 'localhost', 404],
    ]);
    expect(evidence!.requests[0]!.excerpt).toBe('<title>Kubeflow Central Dashboard</title>');
    expect(evidence!.requests[1]!.excerpt).toContain('"user":"anonymous@kubeflow.org"');
    expect(evidence!.requests[1]!.contentType).toBe('application/json; charset=utf-8');
    // The same evidence on every finding about that entry point; the page token of the Pipelines API is redacted.
    expect(finding(findings, 'ingress-gateway-exposed').evidence).toEqual(exposed.evidence);
    expect(finding(findings, 'dashboard-auth-missing').evidence).toEqual(exposed.evidence);
    expect(evidence!.requests[2]!.excerpt).toContain('"next_page_token":"[redacted]"');
    expect(stdout).not.toContain(SESSION_SECRET);
    expect(open.requests.map((r) => r.path)).toEqual(['/', '/api/workgroup/env-info', '/pipeline/apis/v1beta1/pipelines?page_size=1', '/apis/v1beta1/pipelines?page_size=1']);
  });

  it('probes entries the cluster calls private too: a confirmed open dashboard makes the missing authentication critical, exposure stays info', async () => {
    const open = await start('127.0.0.2', openDashboard);
    const { findings: before } = await scan(kubeflowBehindGateway({ ip: '127.0.0.2' }, http2(open.port)), []);
    expect(finding(before, 'dashboard-auth-missing').severity).toBe('high');
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.2' }, http2(open.port)));
    const auth = finding(findings, 'dashboard-auth-missing');
    expect(auth.severity).toBe('critical');
    expect(auth.evidence?.[0]?.outcome).toBe('unauthenticated');
    expect(auth.message).toContain('; probe: confirmed unauthenticated: GET http://127.0.0.2:');
    // An internal load balancer is at most info for exposure checks, whoever answered from inside.
    for (const id of ['kubeflow-dashboard-exposed', 'ingress-gateway-exposed']) {
      const exposure = finding(findings, id);
      expect(exposure.severity).toBe('info');
      expect(exposure.evidence?.[0]?.outcome).toBe('unauthenticated');
    }
    // Checks that are not about entry points gain nothing.
    expect(finding(findings, 'mfa-not-enforced').evidence).toBeUndefined();
  });

  it('reports a dashboard that answers without login although the cluster shows authentication, as a finding of dashboard-auth-missing', async () => {
    const open = await start('127.0.0.16', openDashboard);
    const objects = kubeflowBehindGateway({ ip: '127.0.0.16' }, http2(open.port), { authservice: true });
    const { findings: staticOnly } = await scan(objects, []);
    expect(staticOnly.some((f) => f.checkId === 'dashboard-auth-missing')).toBe(false);

    const { findings, stdout } = await scan(objects);
    const added = finding(findings, 'dashboard-auth-missing');
    expect(added).toMatchObject({ severity: 'critical', resource: { kind: 'Service', namespace: 'istio-system', name: 'istio-ingressgateway' }, evidence: [{ outcome: 'unauthenticated' }] });
    expect(added.message).toBe(
      `Kubeflow answered without login through Service istio-system/istio-ingressgateway (LoadBalancer), which the analysis of the cluster's objects had not reported as unauthenticated; probe: confirmed unauthenticated: GET http://127.0.0.16:${open.port}/api/workgroup/env-info answered HTTP 200 with the central dashboard's environment API to an anonymous user, no login asked`,
    );
    // Suppressions apply to it like to any finding.
    const ignored = kubeflowBehindGateway({ ip: '127.0.0.16' }, http2(open.port), { authservice: true, gatewayAnnotations: { 'kfscan.io/ignore': 'dashboard-auth-missing', 'kfscan.io/ignore-reason': 'lab' } });
    const quiet = await scan(ignored);
    expect(quiet.findings.some((f) => f.checkId === 'dashboard-auth-missing')).toBe(false);
    expect((JSON.parse(quiet.stdout) as { suppressed: Finding[] }).suppressed.map((f) => f.checkId)).toEqual(['dashboard-auth-missing']);
    expect(stdout).not.toContain(SESSION_SECRET);
  });

  it('adds nothing where the cluster shows authentication and the probe meets a login', async () => {
    const dex = await start('127.0.0.18', dexServer);
    const proxy = await start('127.0.0.17', oauth2ProxyTo(dex.origin));
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.17' }, http2(proxy.port), { authservice: true }));
    expect(findings.some((f) => f.checkId === 'dashboard-auth-missing')).toBe(false);
    expect(finding(findings, 'kubeflow-dashboard-exposed').evidence?.[0]?.outcome).toBe('login-required');
  });

  it('reports a redirect to Dex on another host as a login, never follows it, and keeps the state and cookies out', async () => {
    const dex = await start('127.0.0.4', dexServer);
    const proxy = await start('127.0.0.3', oauth2ProxyTo(dex.origin));
    const { findings, stdout } = await scan(kubeflowBehindGateway({ ip: '127.0.0.3' }, http2(proxy.port)));
    const auth = finding(findings, 'dashboard-auth-missing');
    // A note, not a verdict on the static finding: the login may be one kfscan cannot see from the cluster.
    expect(auth.severity).toBe('high');
    const [evidence] = auth.evidence!;
    expect(evidence!.outcome).toBe('login-required');
    const redirect = `${dex.origin}/dex/auth?client_id=kubeflow-oidc-authservice&redirect_uri=http%3A%2F%2F127.0.0.3%3A${proxy.port}%2Foauth2%2Fcallback&response_type=code&scope=openid%20profile%20email%20groups&state=[redacted]`;
    expect(evidence!.summary).toBe(`login required: GET http://127.0.0.3:${proxy.port}/ was redirected (HTTP 302) to Dex at ${dex.origin}/dex/auth; no Kubeflow page or API was served`);
    expect(evidence!.requests[0]!.redirect).toBe(redirect);
    expect(auth.message).toContain(`; probe: ${evidence!.summary}`);
    expect(evidence!.requests.every((r) => r.status === 302 && r.redirect?.startsWith(`${dex.origin}/dex/auth?`))).toBe(true);
    expect(dex.requests).toEqual([]);
    expect(proxy.requests).toHaveLength(4);
    expect(proxy.requests.every((r) => r.headers['cookie'] === undefined)).toBe(true);
    expect(stdout).not.toContain(SESSION_SECRET);
    for (const f of findings) expect(f.evidence?.[0]?.outcome ?? 'login-required').toBe('login-required');
  });

  it('follows one redirect on the same host and recognises the Dex login page it leads to', async () => {
    const gateway = await start('127.0.0.6', sameHostLogin);
    const { findings, stdout } = await scan(kubeflowBehindGateway({ ip: '127.0.0.6' }, http2(gateway.port)));
    const [evidence] = finding(findings, 'dashboard-auth-missing').evidence!;
    expect(evidence!.outcome).toBe('login-required');
    expect(evidence!.summary).toBe(`login required: GET http://127.0.0.6:${gateway.port}/start?session=[redacted] answered with the login page of Dex; no Kubeflow page or API was served`);
    expect(evidence!.requests.slice(0, 2)).toMatchObject([
      { url: `http://127.0.0.6:${gateway.port}/`, status: 302, redirect: `http://127.0.0.6:${gateway.port}/start?session=[redacted]` },
      { url: `http://127.0.0.6:${gateway.port}/start?session=[redacted]`, status: 200, excerpt: '<title>dex</title>' },
    ]);
    // Two requests per path: the path and the one redirect followed.
    expect(gateway.requests).toHaveLength(8);
    expect(stdout).not.toContain(SESSION_SECRET);
  });

  it('says when nothing answers (closed port) and leaves the static finding as it was', async () => {
    const port = await closedPort('127.0.0.5');
    const { findings: without } = await scan(kubeflowBehindGateway({ ip: '127.0.0.5' }, http2(port)), []);
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.5' }, http2(port)));
    const auth = finding(findings, 'dashboard-auth-missing');
    expect(auth.severity).toBe(finding(without, 'dashboard-auth-missing').severity);
    expect(auth.evidence?.[0]).toMatchObject({ outcome: 'unreachable', requests: [{ url: `http://127.0.0.5:${port}/`, status: null, error: 'connection refused' }] });
    expect(auth.message).toContain(`; probe: not reachable from here (http://127.0.0.5:${port}/: connection refused); firewalls outside the cluster are invisible to kfscan, so the finding stands`);
  });

  it('gives each request a timeout, and does not insist on an address that does not answer', async () => {
    const stalled = await start('127.0.0.8', stall);
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.8' }, http2(stalled.port)), ['--probe', '--probe-allow-local', '--probe-timeout', '0.3']);
    expect(finding(findings, 'dashboard-auth-missing').evidence?.[0]).toMatchObject({
      outcome: 'unreachable',
      requests: [{ url: `http://127.0.0.8:${stalled.port}/`, error: 'timed out after 0.3 s' }],
    });
    expect(stalled.requests.map((r) => r.path)).toEqual(['/']);
  });

  it('sends at most 10 requests to an entry point, following one same-host redirect per path', async () => {
    const first = await start('127.0.0.9', endlessRedirects);
    const second = await start('127.0.0.9', endlessRedirects);
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.9' }, [{ name: 'http', port: first.port }, { name: 'http-alt', port: second.port }]));
    const [evidence] = finding(findings, 'dashboard-auth-missing').evidence!;
    expect(evidence!.outcome).toBe('answered');
    expect(evidence!.requests).toHaveLength(10);
    expect(evidence!.summary).toMatch(/\(stopped at 10 requests\)$/);
    // Each of the four paths and its one redirect on the first port, then the second port until the budget.
    expect(first.requests).toHaveLength(8);
    expect(first.requests.filter((r) => !r.path.startsWith('/next'))).toHaveLength(4);
    expect(second.requests).toHaveLength(2);
  });

  it('asks for the host the routing is bound to, on the address from the load balancer\'s status, without resolving that name', async () => {
    // `.invalid` never resolves: an answer proves the name was only the Host header.
    const open = await start('127.0.0.14', openDashboard);
    const { findings } = await scan(kubeflowBehindGateway({ ip: '127.0.0.14' }, http2(open.port), { virtualServiceHosts: ['kubeflow.invalid'] }));
    const [evidence] = finding(findings, 'kubeflow-dashboard-exposed').evidence!;
    expect(evidence!.outcome).toBe('unauthenticated');
    expect(evidence!.requests[0]).toMatchObject({ url: `http://kubeflow.invalid:${open.port}/`, address: '127.0.0.14', status: 200 });
    expect(open.requests.every((r) => r.headers.host === `kubeflow.invalid:${open.port}`)).toBe(true);
  });

  it('finds a NodePort on the nodes\' ExternalIP address and confirms the dashboard there', async () => {
    const open = await start('127.0.0.11', openDashboard);
    const { findings } = await scan(dashboardOnNodePort('127.0.0.11', open.port));
    const exposed = finding(findings, 'kubeflow-dashboard-exposed');
    expect(exposed.resource).toMatchObject({ kind: 'Service', namespace: 'kubeflow', name: 'centraldashboard' });
    expect(exposed.evidence?.[0]?.outcome).toBe('unauthenticated');
    expect(exposed.evidence?.[0]?.requests[0]).toMatchObject({ url: `http://127.0.0.11:${open.port}/`, address: '127.0.0.11' });
    expect(finding(findings, 'dashboard-auth-missing').severity).toBe('critical');
  });

  it('records TLS facts: a self-signed certificate for another address, an expired one, one from an unknown CA', async () => {
    const selfSigned = await start('127.0.0.7', openDashboard, { tls: await selfSignedCertificate(['127.0.0.1']) });
    const expired = await start('127.0.0.10', openDashboard, { tls: await selfSignedCertificate(['127.0.0.10'], { expired: true }) });
    const known = await start('127.0.0.1', openDashboard, { tls: await (await defaultCertificateAuthority()).serverCertificate() });
    const https = (port: number): PortSpec[] => [{ name: 'https', port }];
    const tlsOf = async (objects: unknown[]) => finding((await scan(objects)).findings, 'dashboard-auth-missing').evidence![0]!;

    const first = await tlsOf(kubeflowBehindGateway({ ip: '127.0.0.7' }, https(selfSigned.port)));
    expect(first.outcome).toBe('unauthenticated');
    expect(first.requests[0]!.tls).toMatchObject({ trusted: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT', selfSigned: true, expired: false, validForHost: false, subject: 'CN=kubeflow.example.com' });
    expect(first.summary).toMatch(/; its TLS certificate is self-signed, not valid for 127\.0\.0\.7$/);

    const second = await tlsOf(kubeflowBehindGateway({ ip: '127.0.0.10' }, https(expired.port)));
    expect(second.requests[0]!.tls).toMatchObject({ selfSigned: true, expired: true, validForHost: true });

    const third = await tlsOf(kubeflowBehindGateway({ hostname: 'localhost' }, https(known.port)));
    expect(third.requests[0]!.url).toBe(`https://localhost:${known.port}/`);
    expect(third.requests[0]!.tls).toMatchObject({ trusted: false, error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', selfSigned: false, expired: false, validForHost: true });
    expect(third.summary).toMatch(/; its TLS certificate is not trusted \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)$/);
  });

  it('puts the evidence in SARIF result properties and messages, and the summary in the table', async () => {
    const open = await start('127.0.0.12', openDashboard);
    const api = await apiServer({ objects: kubeflowBehindGateway({ ip: '127.0.0.12' }, http2(open.port)) });
    tokens.push(api.token);
    const kubeconfig = kubeconfigFile([{ name: 'lab', server: api }]);
    const sarif = await runCli(['cluster', '--kubeconfig', kubeconfig, '--probe', '--probe-allow-local', '-f', 'sarif', '--fail-on', 'none']);
    const log = JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ ruleId: string; message: { text: string }; properties: { evidence?: Evidence[]; severity: string } }> }> };
    expect(sarifSchemaErrors(log)).toEqual([]);
    const result = log.runs[0]!.results.find((r) => r.ruleId === 'dashboard-auth-missing')!;
    expect(result.properties.severity).toBe('critical');
    expect(result.properties.evidence?.[0]?.outcome).toBe('unauthenticated');
    expect(result.message.text).toContain('; probe: confirmed unauthenticated');
    const page = await runCli(['cluster', '--kubeconfig', kubeconfig, '--probe', '--probe-allow-local', '-f', 'html', '--fail-on', 'none']);
    expect(page.stdout).toContain(`<ul class="related evidence" aria-label="Probe requests"><li><code class="wrap-any">GET http://127.0.0.12:${open.port}/</code>: HTTP 200 <q>&lt;title&gt;Kubeflow Central Dashboard&lt;/title&gt;</q></li>`);
    const table = await runCli(['cluster', '--kubeconfig', kubeconfig, '--probe', '--probe-allow-local', '--fail-on', 'none', '--verbose']);
    // The words may wrap inside the table's message column: compare the text without the cell borders.
    const cells = table.stdout.split('\n').map((line) => line.split('│').at(-2)?.trim() ?? '').join(' ');
    expect(cells.replace(/\s+/g, ' ')).toContain('probe: confirmed unauthenticated');
    expect(table.stderr).toContain('kfscan: lab: probe: 1 entry point, 4 requests (1 unauthenticated)\n');
  });

  it('works from the built binary, where the probe is part of the one bundled file', async () => {
    const open = await start('127.0.0.15', openDashboard);
    const api = await apiServer({ objects: kubeflowBehindGateway({ ip: '127.0.0.15' }, http2(open.port)) });
    tokens.push(api.token);
    const run = await kfscanAsync(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'lab', server: api }]), '--probe', '--probe-allow-local', '-f', 'json', '--fail-on', 'critical']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    expect(finding(report.findings, 'dashboard-auth-missing')).toMatchObject({ severity: 'critical', evidence: [{ outcome: 'unauthenticated' }] });
  });

  it('rejects --probe-timeout without --probe, and nonsense timeouts', async () => {
    const api = await apiServer({ objects: [] });
    const kubeconfig = kubeconfigFile([{ name: 'probe', server: api }]);
    const lone = await runCli(['cluster', '--kubeconfig', kubeconfig, '--probe-timeout', '2']);
    expect([lone.code, lone.stderr]).toEqual([2, 'kfscan: --probe-timeout needs --probe\n']);
    const bad = await runCli(['cluster', '--kubeconfig', kubeconfig, '--probe', '--probe-allow-local', '--probe-timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--probe-timeout takes a number of seconds');
  });

  // Last: every request any imitation of this file received.
  it('sent only plain GETs without credentials: no Authorization, cookies or client certificates, no body, a kfscan User-Agent', () => {
    const seen = everyImitation.flatMap((imitation) => imitation.requests);
    expect(seen.length).toBeGreaterThan(30);
    for (const request of seen) {
      expect(request.method).toBe('GET');
      expect(request.bodyBytes).toBe(0);
      expect(request.clientCertificate).toBe(false);
      expect(Object.keys(request.headers).sort()).toEqual(['accept', 'accept-encoding', 'connection', 'host', 'user-agent']);
      expect(request.headers['user-agent']).toMatch(/^kfscan\/\d+\.\d+\.\d+\S* \(probe; \+https:\/\/github\.com\/kfscan\/kfscan\)$/);
      for (const token of tokens) expect(JSON.stringify(request.headers)).not.toContain(token);
    }
  });
});
