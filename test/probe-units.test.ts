import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import kubeflowDashboardExposed from '../checks/kubeflow-dashboard-exposed/index.js';
import type { Inventory, Resource } from '../src/core/types.js';
import { runChecks } from '../src/engine/run.js';
import { externalReaches } from '../src/kube/entry-graph.js';
import { probeFindings, probeRoles } from '../src/probe/probe.js';
import { recognise, type Answer } from '../src/probe/recognise.js';
import { EXCERPT_CHARS, excerptOf, redactUrl } from '../src/probe/redact.js';
import { probeTargets } from '../src/probe/targets.js';
import { scannedInventory } from './helpers/inventory.js';
import { slowDashboard, stall, useImitations } from './helpers/probe-servers.js';

const imitate = useImitations();

describe('probe redaction', () => {
  it('keeps where a redirect goes and redacts every other query value, user information and fragments', () => {
    expect(redactUrl('https://user:pw@dex.example.com/dex/auth?client_id=kubeflow&redirect_uri=https%3A%2F%2Fkf%2Fcallback&state=abc123&nonce=n1&code=c0de#frag')).toBe(
      'https://dex.example.com/dex/auth?client_id=kubeflow&redirect_uri=https%3A%2F%2Fkf%2Fcallback&state=[redacted]&nonce=[redacted]&code=[redacted]',
    );
    expect(redactUrl('/oauth2/start?rd=%2F&session=xyz', 'http://10.0.0.1/')).toBe('http://10.0.0.1/oauth2/start?rd=%2F&session=[redacted]');
  });

  it('redacts credentials in excerpts: JSON Web Tokens, bearer tokens, secret-named fields, form values, cookies, long opaque strings', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const text = excerptOf(
      `{"token":"t0ps3cret","password":"hunter2","id_token":"${jwt}","auth":"Bearer abcdefghijklmnop","note":"session=deadbeef1234; ok","key":"k","hash":"0123456789abcdef0123456789abcdef01","name":"visible"}`,
      'application/json',
    )!;
    for (const secret of ['t0ps3cret', 'hunter2', jwt, 'abcdefghijklmnop', 'deadbeef1234', '0123456789abcdef0123456789abcdef01']) expect(text).not.toContain(secret);
    expect(text).toContain('"name":"visible"');
    expect(text).toContain('"password":"[redacted]"');
    const form = excerptOf('<form><input type="hidden" name="req" value="csrf-value-1"><input name="login"></form>', 'application/x-unknown')!;
    expect(form).not.toContain('csrf-value-1');
  });

  it('shows the title of an HTML page, collapses whitespace, drops control characters and caps the length', () => {
    expect(excerptOf('<!doctype html><html><head>\n  <title>\n Kubeflow Pipelines </title></head><body>…</body></html>', 'text/html')).toBe('<title> Kubeflow Pipelines </title>');
    expect(excerptOf('a\u001b[2Jb\u202ec', 'text/plain')).toBe('a [2Jb c');
    const long = excerptOf(`{"items":"${'word '.repeat(200)}"}`, 'application/json')!;
    expect(long.length).toBe(EXCERPT_CHARS);
    expect(long.endsWith('…')).toBe(true);
    expect(excerptOf('   ', 'text/plain')).toBeNull();
  });
});

describe('probe recognition', () => {
  const answer = (extra: Partial<Answer>): Answer => ({ path: '/', status: 200, location: null, contentType: 'text/html', wwwAuthenticate: null, body: '', ...extra });

  it('recognises the dashboard and Pipelines by content, not by a 200', () => {
    expect(recognise(answer({ body: '<html><head><title>Kubeflow Central Dashboard</title></head></html>' }))).toMatchObject({ kind: 'kubeflow', source: 'page' });
    expect(recognise(answer({ body: '<html><body><main-page></main-page><script>Kubeflow</script></body></html>' }))).toMatchObject({ kind: 'kubeflow', source: 'page' });
    expect(recognise(answer({ body: '<title>Kubeflow Pipelines</title>' }))).toMatchObject({ kind: 'kubeflow', what: "the Kubeflow Pipelines UI's page" });
    const env = JSON.stringify({ user: 'alice@example.com', platform: { provider: 'gce' }, namespaces: [], isClusterAdmin: false });
    expect(recognise(answer({ path: '/api/workgroup/env-info', body: env }))).toEqual({ kind: 'kubeflow', what: "the central dashboard's environment API as alice@example.com", source: 'api' });
    expect(recognise(answer({ path: '/apis/v1beta1/pipelines?page_size=1', body: '{"pipelines":[],"total_size":0}' }))).toMatchObject({ kind: 'kubeflow', source: 'api' });
    expect(recognise(answer({ body: '<html><head><title>Kubeflow Dashboard</title></head></html>' }))).toMatchObject({ kind: 'kubeflow', source: 'page' });
    expect(recognise(answer({ path: '/api/workgroup/env-info', body: '{"user":"bob@example.com","namespaces":[]}' }))).toMatchObject({ kind: 'kubeflow', source: 'api' });
    // A login page branded as the dashboard is a login page.
    expect(recognise(answer({ body: '<title>Kubeflow Central Dashboard</title><form><input type="password" name="password"></form>' }))).toEqual({ kind: 'login', via: 'a login form' });
    // A bare 200 proves nothing: an empty object, another app's page, a JSON error, the dashboard's API shape on another path.
    expect(recognise(answer({ path: '/apis/v1beta1/pipelines?page_size=1', body: '{}' }))).toEqual({ kind: 'other' });
    expect(recognise(answer({ body: '<html><title>Welcome to nginx!</title></html>' }))).toEqual({ kind: 'other' });
    expect(recognise(answer({ path: '/api/workgroup/env-info', status: 500, body: '{"error":"Unexpected error getting environment info"}' }))).toEqual({ kind: 'other' });
    expect(recognise(answer({ path: '/other', body: env }))).toEqual({ kind: 'other' });
    expect(recognise(answer({ path: '/api/workgroup/env-info', body: '{"user":"anonymous@kubeflow.org"}' }))).toEqual({ kind: 'other' });
  });

  it('tells a login from a Kubeflow component refusing for its own reasons', () => {
    const kfp = JSON.stringify({ error: 'Request header error: there is no user identity header.', code: 16, message: 'Request header error: there is no user identity header.' });
    expect(recognise(answer({ path: '/pipeline/apis/v1beta1/pipelines?page_size=1', status: 401, body: kfp }))).toMatchObject({ kind: 'kubeflow-refused' });
    expect(recognise(answer({ status: 401, wwwAuthenticate: 'Basic realm="Authentication Required"', body: '401 Authorization Required' }))).toEqual({ kind: 'login', via: 'HTTP Basic authentication' });
    expect(recognise(answer({ status: 200, body: '<form><input name="user"><input type="password" name="pw"></form>' }))).toEqual({ kind: 'login', via: 'a login form' });
    expect(recognise(answer({ status: 200, body: '<a href="/oauth2/start?rd=%2F">Sign in with OpenID Connect</a>' }))).toEqual({ kind: 'login', via: 'oauth2-proxy' });
  });

  it('names where a redirect to a login goes, and does not call every redirect a login', () => {
    const redirect = (location: string) => recognise(answer({ status: 302, location: new URL(location, 'http://203.0.113.10/') }));
    expect(redirect('/oauth2/start?rd=%2F')).toEqual({ kind: 'login', via: 'oauth2-proxy' });
    expect(redirect('/dex/auth?client_id=kubeflow-oidc-authservice')).toEqual({ kind: 'login', via: 'Dex' });
    expect(redirect('https://accounts.google.com/o/oauth2/v2/auth?client_id=x')).toEqual({ kind: 'login', via: 'Google sign-in' });
    expect(redirect('https://sso.example.com/realms/kf/protocol/openid-connect/auth?client_id=x')).toEqual({ kind: 'login', via: 'Keycloak' });
    expect(redirect('https://idp.example.com/authorize?client_id=x&response_type=code')).toEqual({ kind: 'login', via: 'an OpenID Connect or OAuth provider' });
    expect(redirect('https://203.0.113.10/')).toEqual({ kind: 'other' });
    expect(redirect('/_/')).toEqual({ kind: 'other' });
  });
});

function entryOf(inventory: Inventory, kind: string, name: string): Resource {
  const found = inventory.all().find((r) => r.ref.kind === kind && r.ref.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
}

function targetsOf(yaml: string, kind: string, name: string) {
  const inventory = scannedInventory(yaml, { context: 'test' });
  const entry = entryOf(inventory, kind, name);
  return probeTargets(inventory, entry, externalReaches(inventory).filter((reach) => reach.entry.resource === entry));
}

const DASHBOARD = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: centraldashboard, namespace: kubeflow}
spec:
  selector: {matchLabels: {app: centraldashboard}}
  template:
    metadata: {labels: {app: centraldashboard}}
    spec: {containers: [{name: dashboard, image: ghcr.io/kubeflow/kubeflow/central-dashboard:v1.10.0}]}
---
apiVersion: v1
kind: Service
metadata: {name: centraldashboard, namespace: kubeflow}
spec:
  selector: {app: centraldashboard}
  ports: [{name: http, port: 80, targetPort: 8082}]
`;

const NODE_PORT_DASHBOARD = `${DASHBOARD}
---
apiVersion: v1
kind: Service
metadata: {name: dash, namespace: kubeflow}
spec: {type: NodePort, selector: {app: centraldashboard}, ports: [{name: http, port: 80, nodePort: 30080}]}
`;

const node = (name: string, addresses: string): string => `---
apiVersion: v1
kind: Node
metadata: {name: ${name}}
status: {addresses: [${addresses}]}
`;

describe('probe targets: only what the cluster wrote', () => {
  it('takes a load balancer address from status, HTTPS and HTTP ports first, never gRPC, TCP, TLS passthrough, UDP or status ports', () => {
    const targets = targetsOf(
      `${DASHBOARD}
---
apiVersion: v1
kind: Service
metadata: {name: dash, namespace: kubeflow}
spec:
  type: LoadBalancer
  selector: {app: centraldashboard}
  ports:
    - {name: status-port, port: 15021}
    - {name: grpc-api, port: 8887}
    - {name: tcp, port: 31400}
    - {name: tls, port: 15443}
    - {name: dns, port: 53, protocol: UDP}
    - {name: http2, port: 80, nodePort: 31380}
    - {name: https, port: 443}
status: {loadBalancer: {ingress: [{ip: 203.0.113.10}, {ip: 203.0.113.11}]}}
`,
      'Service',
      'dash',
    );
    expect(targets).toEqual({
      noAddress: null,
      origins: [
        { scheme: 'https', address: '203.0.113.10', port: 443, host: '203.0.113.10' },
        { scheme: 'http', address: '203.0.113.10', port: 80, host: '203.0.113.10' },
      ],
    });
  });

  it('says why there is nothing to probe: a pending load balancer, nodes without ExternalIP', () => {
    const lb = `${DASHBOARD}
---
apiVersion: v1
kind: Service
metadata: {name: dash, namespace: kubeflow}
spec: {type: LoadBalancer, selector: {app: centraldashboard}, ports: [{name: http, port: 80}]}
`;
    expect(targetsOf(lb, 'Service', 'dash')).toEqual({ origins: [], noAddress: 'its load balancer has no address in status.loadBalancer.ingress (pending?)' });
    const nodePort = `${NODE_PORT_DASHBOARD}${node('worker', '{type: InternalIP, address: 10.0.0.4}, {type: Hostname, address: worker}')}`;
    expect(targetsOf(nodePort, 'Service', 'dash')).toEqual({ origins: [], noAddress: 'no node has an ExternalIP address' });
  });

  it('uses the first node (by name) with an ExternalIP for a NodePort, and externalIPs as they are', () => {
    const nodes = `${node('worker-b', '{type: ExternalIP, address: 198.51.100.9}')}${node('worker-a', '{type: InternalIP, address: 10.0.0.3}, {type: ExternalIP, address: 198.51.100.7}')}`;
    const yaml = `${NODE_PORT_DASHBOARD}${nodes}---
apiVersion: v1
kind: Service
metadata: {name: direct, namespace: kubeflow}
spec: {selector: {app: centraldashboard}, externalIPs: [198.51.100.20], ports: [{port: 8082}]}
`;
    expect(targetsOf(yaml, 'Service', 'dash').origins).toEqual([{ scheme: 'http', address: '198.51.100.7', port: 30080, host: '198.51.100.7' }]);
    expect(targetsOf(yaml, 'Service', 'direct').origins).toEqual([{ scheme: 'http', address: '198.51.100.20', port: 8082, host: '198.51.100.20' }]);
  });

  it('connects to an Ingress status address with the rule host as Host header, and never to a host that only the rules name', () => {
    const ingress = (status: string) => `${DASHBOARD}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: kubeflow, namespace: kubeflow}
spec:
  ingressClassName: nginx
  tls: [{hosts: [kubeflow.example.com], secretName: kubeflow-tls}]
  rules:
    - host: kubeflow.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: centraldashboard, port: {number: 80}}}}]}
${status}`;
    expect(targetsOf(ingress('status: {loadBalancer: {ingress: [{ip: 192.0.2.50}]}}'), 'Ingress', 'kubeflow').origins).toEqual([
      { scheme: 'https', address: '192.0.2.50', port: 443, host: 'kubeflow.example.com' },
      { scheme: 'http', address: '192.0.2.50', port: 80, host: 'kubeflow.example.com' },
    ]);
    expect(targetsOf(ingress(''), 'Ingress', 'kubeflow')).toEqual({ origins: [], noAddress: 'it has no address in status.loadBalancer.ingress' });
  });

  it('reads Gateway API status.addresses with its listeners, and an OpenShift Route by the host its router admitted', () => {
    const gateway = `${DASHBOARD}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: public, namespace: kubeflow}
spec:
  gatewayClassName: envoy
  listeners:
    - {name: web, port: 80, protocol: HTTP}
    - {name: secure, port: 8443, protocol: HTTPS, hostname: kubeflow.example.org}
status: {addresses: [{type: Hostname, value: lb-123.elb.example.net}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: dashboard, namespace: kubeflow}
spec:
  parentRefs: [{name: public}]
  rules: [{backendRefs: [{name: centraldashboard, port: 80}]}]
`;
    expect(targetsOf(gateway, 'Gateway', 'public').origins).toEqual([
      { scheme: 'https', address: 'lb-123.elb.example.net', port: 8443, host: 'kubeflow.example.org' },
      { scheme: 'http', address: 'lb-123.elb.example.net', port: 80, host: 'kubeflow.example.org' },
    ]);
    const route = `${DASHBOARD}
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: dashboard, namespace: kubeflow}
spec: {host: wanted.example.com, to: {kind: Service, name: centraldashboard}, tls: {termination: edge, insecureEdgeTerminationPolicy: Redirect}}
status: {ingress: [{host: dashboard-kubeflow.apps.example.com, routerName: default}]}
`;
    expect(targetsOf(route, 'Route', 'dashboard').origins).toEqual([
      { scheme: 'https', address: 'dashboard-kubeflow.apps.example.com', port: 443, host: 'dashboard-kubeflow.apps.example.com' },
      { scheme: 'http', address: 'dashboard-kubeflow.apps.example.com', port: 80, host: 'dashboard-kubeflow.apps.example.com' },
    ]);
  });
});

/** `count` LoadBalancer Services, each in front of the dashboard's pods at `ip:port`. */
function manyEntries(count: number, ip: string, port: number): string {
  const services = Array.from(
    { length: count },
    (_, i) => `---
apiVersion: v1
kind: Service
metadata: {name: dash-${i}, namespace: kubeflow}
spec: {type: LoadBalancer, selector: {app: centraldashboard}, ports: [{name: http, port: ${port}}]}
status: {loadBalancer: {ingress: [{ip: ${ip}}]}}
`,
  );
  return `${DASHBOARD}\n${services.join('')}`;
}

describe('probe limits', () => {
  it('probes a bounded number of entry points at a time', async () => {
    const slow = await imitate('127.0.0.20', slowDashboard(60));
    const inventory = scannedInventory(manyEntries(8, '127.0.0.20', slow.port), { context: 'test' });
    const { findings } = runChecks(inventory, [kubeflowDashboardExposed]);
    expect(findings).toHaveLength(8);
    const probed = await probeFindings(inventory, { findings, ...probeRoles(builtinChecks) }, { timeoutMs: 5000, userAgent: 'kfscan-test', concurrency: 2, allowLocal: true });
    expect(probed.findings.every((f) => f.evidence?.[0]?.outcome === 'unauthenticated')).toBe(true);
    expect(probed.stats).toEqual({ entries: 8, requests: 32, outcomes: { unauthenticated: 8 } });
    expect(slow.connections.total).toBe(32);
    expect(slow.connections.peak).toBe(2);
  });

  it('stops when the probe of a context has used its time; entry points left are marked not probed', async () => {
    const stalled = await imitate('127.0.0.21', stall);
    const inventory = scannedInventory(manyEntries(6, '127.0.0.21', stalled.port), { context: 'test' });
    const { findings } = runChecks(inventory, [kubeflowDashboardExposed]);
    const probed = await probeFindings(inventory, { findings, ...probeRoles(builtinChecks) }, { timeoutMs: 150, overallMs: 400, userAgent: 'kfscan-test', concurrency: 1, allowLocal: true });
    const outcomes = probed.findings.map((f) => f.evidence![0]!.outcome);
    expect(outcomes.filter((o) => o === 'unreachable').length).toBeGreaterThanOrEqual(2);
    expect(outcomes.filter((o) => o === 'not-probed').length).toBeGreaterThanOrEqual(2);
    expect(stalled.requests.length).toBeLessThanOrEqual(4);
    const left = probed.findings.find((f) => f.evidence![0]!.outcome === 'not-probed')!;
    expect(left.evidence![0]!.summary).toBe("not probed: the probe's time ran out");
    expect(left.severity).toBe(findings.find((f) => f.fingerprint === left.fingerprint)!.severity);
  });
});
