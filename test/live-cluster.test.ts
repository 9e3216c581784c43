import { readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { builtinChecks } from '../checks/index.js';
import { createApiClient, HEAD_LENGTH } from '../src/live/api-client.js';
import { loadKubeconfig } from '../src/live/kubeconfig.js';
import { createCertificateAuthority, kubeconfigYaml } from './api-server/index.js';
import { runCli } from './helpers/in-process.js';
import { falcoLikeAbsenceCheck, generatedPods, kubeconfigFile, kubeconfigWithUsers, messages, readabilityProbe, secretNeedingCheck, tempDir, useApiServers, type JsonReport } from './helpers/live.js';
import { startConnectProxy } from './helpers/proxies.js';
import { githubCodeScanningProblems, sarifSchemaErrors } from './helpers/sarif-schema.js';

const server = useApiServers();

const json = (stdout: string): JsonReport => JSON.parse(stdout) as JsonReport;

describe('kfscan cluster', () => {
  it('scans the current context: findings carry the context and no location, the target lists the contexts', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'kind-demo', server: api }]), '-f', 'json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const report = json(run.stdout);
    expect(report.target).toEqual({ mode: 'cluster', contexts: ['kind-demo'] });
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) {
      expect(finding.context).toBe('kind-demo');
      expect(finding.location).toBeNull();
    }
    expect(report.findings.find((f) => f.checkId === 'ingress-gateway-exposed')?.resource).toEqual({
      apiVersion: 'v1',
      kind: 'Service',
      namespace: 'istio-system',
      name: 'istio-ingressgateway',
    });
  });

  it('reads every page of a large list with limit 500 and continue, and keeps status while dropping managedFields', async () => {
    const api = await server({ objects: generatedPods(1203) });
    const probe = readabilityProbe(['Pod']);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'big', server: api }]), '-f', 'json', '--fail-on', 'none'], {
      checks: [...builtinChecks, probe],
    });
    expect(run.code).toBe(0);
    const report = json(run.stdout);
    const podPages = api.requests.filter((r) => r.path === '/api/v1/pods');
    expect(podPages.map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(['500', '500', '500']);
    expect(podPages.map((r) => new URLSearchParams(r.query).has('continue'))).toEqual([false, true, true]);
    const listed = messages(report, 'test-readability')[0]!;
    expect(listed.match(/load\/pod-\d{5}/g)).toHaveLength(1203);
    // Every 400th pod runs tensorflow:latest: 0, 400, 800, 1200.
    expect(messages(report, 'mutable-ml-image')).toHaveLength(4);
  });

  it('asks for the next page as soon as its continue token shows, before the page arrives whole, and no further', async () => {
    // Every page's head (with its continue token) comes at once, the rest of it a second later: page 2 can
    // only be asked for from page 1's head, page 3 only once page 2 is being read, after page 1 arrived whole.
    // (Asking further ahead was measured: more CPU for the answers held, and no page sooner where it counts.)
    const BODY_DELAY_MS = 1000;
    const asked: number[] = [];
    const api = await server({
      objects: generatedPods(1001),
      intercept: (request) => {
        if (request.verb !== 'list' || request.resource !== 'pods') return undefined;
        asked.push(performance.now());
        return { slowBody: { afterBytes: HEAD_LENGTH + 1000, delayMs: BODY_DELAY_MS } };
      },
    });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'slow', server: api }]), '-f', 'json', '--fail-on', 'none'], {
      checks: [readabilityProbe(['Pod'])],
    });
    expect(run.code, run.stderr).toBe(0);
    expect(messages(json(run.stdout), 'test-readability')[0]!.match(/load\/pod-\d{5}/g)).toHaveLength(1001);
    expect(asked).toHaveLength(3);
    const firstWhole = asked[0]! + BODY_DELAY_MS;
    expect(asked[1]!).toBeLessThan(firstWhole);
    expect(asked[2]!).toBeGreaterThanOrEqual(firstWhole);
  });

  it('asks for the pods beside discovery: a refusal is a coverage gap, and a server without core v1 pods gets none of them', async () => {
    const DISCOVERY_DELAY_MS = 500;
    const arrived = new Map<string, number>();
    const served = await server({
      objects: generatedPods(3),
      intercept: (request) => {
        arrived.set(`${request.verb} ${request.path}`, performance.now());
        return request.verb === 'discovery' ? { delayMs: DISCOVERY_DELAY_MS } : undefined;
      },
    });
    const kubeconfig = kubeconfigFile([{ name: 'early', server: served }]);
    const found = json((await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--fail-on', 'none'], { checks: [readabilityProbe(['Pod'])] })).stdout);
    expect(messages(found, 'test-readability')).toEqual(['Pod: readable: [load/pod-00000 load/pod-00001 load/pod-00002]']);
    // The pod list went out while discovery was still on its way, and once: the plan used it.
    expect(arrived.get('list /api/v1/pods')!).toBeLessThan(arrived.get('discovery /apis')! + DISCOVERY_DELAY_MS);
    expect(served.requests.filter((r) => r.resource === 'pods')).toHaveLength(1);

    // A server whose core group has no pods: what the early list read is not in the report.
    const podless = await server({
      objects: generatedPods(3),
      intercept: (request) => {
        if (request.path === '/api') return { status: 200, body: { kind: 'APIVersions', versions: ['v1'] } };
        if (request.path === '/api/v1') return { status: 200, body: { kind: 'APIResourceList', groupVersion: 'v1', resources: [{ name: 'namespaces', kind: 'Namespace', namespaced: false, verbs: ['list'] }] } };
        return undefined;
      },
    });
    const dropped = json((await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'podless', server: podless }]), '-f', 'json', '--fail-on', 'none'], { checks: [readabilityProbe(['Pod'])] })).stdout);
    expect(messages(dropped, 'test-readability')).toEqual(['Pod: not-installed: []']);
    // At most the one early request, however far it got.
    expect(podless.requests.filter((r) => r.resource === 'pods').length).toBeLessThanOrEqual(1);

    // Refused, the early list is a coverage gap like any other list.
    const refusing = await server({ objects: generatedPods(3), forbid: [{ resource: 'pods' }] });
    const refused = json((await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'refusing', server: refusing }]), '-f', 'json', '--fail-on', 'none'], { checks: [readabilityProbe(['Pod'])] })).stdout);
    expect(messages(refused, 'test-readability')).toEqual(['Pod: forbidden (forbidden): []']);
    expect(refused.coverage.unreadable).toEqual([{ resource: 'pods', reason: 'forbidden', context: 'refusing' }]);
    expect(refused.errors).toEqual([]);
  });

  it('turns 403 on DaemonSets and Secrets into coverage gaps and undecided absence checks, never passes', async () => {
    const api = await server({
      fixtures: ['fixtures/demo'],
      objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dex-passwords', namespace: 'auth' }, data: {} }],
      forbid: [{ group: 'apps', resource: 'daemonsets' }, { resource: 'secrets' }],
    });
    const probe = readabilityProbe(['apps/DaemonSet', 'Pod'], [{ namespace: 'auth', name: 'dex-passwords' }]);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'rbac', server: api }]), '-f', 'json', '--fail-on', 'none'], {
      checks: [...builtinChecks, probe, falcoLikeAbsenceCheck],
    });
    expect(run.code).toBe(0); // RBAC limits are coverage gaps, not a failed scan
    const report = json(run.stdout);
    // Every named Secret was asked for by GET and denied: each is a gap of its own.
    expect(report.coverage.unreadable[0]).toEqual({ resource: 'daemonsets.apps', reason: 'forbidden', context: 'rbac' });
    expect(report.coverage.unreadable).toContainEqual({ resource: 'secrets', namespace: 'auth', name: 'dex-passwords', reason: 'forbidden', context: 'rbac' });
    expect(report.coverage.unreadable.slice(1).every((gap) => gap.resource === 'secrets' && gap.reason === 'forbidden')).toBe(true);
    expect(report.coverage.undecided).toContainEqual({ checkId: 'test-falco-like', reason: 'could not read apps/DaemonSet (forbidden)', context: 'rbac' });
    expect(messages(report, 'test-falco-like')).toEqual([]);
    expect(messages(report, 'test-readability')).toContain('apps/DaemonSet: forbidden (forbidden): []');
    expect(messages(report, 'test-readability')).toContain('Secret: forbidden (forbidden: get auth/dex): []');
    expect(report.errors).toEqual([]);
    // The table says so too, as gaps and not as passes.
    const table = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'rbac', server: api }]), '--fail-on', 'none'], { checks: [...builtinChecks, probe, falcoLikeAbsenceCheck] });
    expect(table.stdout).toContain('Coverage gaps (not passes)');
    expect(table.stdout).toContain('could not read daemonsets.apps in context rbac: forbidden');
    expect(table.stdout).toContain('could not read Secret auth/dex-passwords in context rbac: forbidden');
    expect(table.stdout).toContain('test-falco-like [rbac] could not decide: could not read apps/DaemonSet (forbidden)');
  });

  it('runs absence checks on a readable cluster and lets them pass or fail on what is there', async () => {
    const falco = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'falco', namespace: 'falco' }, spec: { template: { spec: { containers: [{ name: 'falco', image: 'falcosecurity/falco:0.41.0' }] } } } };
    const without = await server({ fixtures: ['checks/mutable-ml-image/fixtures/pass-pinned-and-non-ml.yaml'] });
    const withFalco = await server({ objects: [falco] });
    const kubeconfig = kubeconfigFile([
      { name: 'bare', server: without },
      { name: 'guarded', server: withFalco },
    ]);
    const report = json((await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none'], { checks: [falcoLikeAbsenceCheck] })).stdout);
    expect(report.findings.map((f) => [f.context, f.message])).toEqual([['bare', 'no Falco DaemonSet']]);
    expect(report.coverage.undecided).toEqual([]);
  });

  it('marks custom kinds the cluster does not serve as not installed, also when the CRD disappears after discovery', async () => {
    const api = await server({
      fixtures: ['fixtures/demo'],
      installed: ['kubeflow.org/Notebook'],
      intercept: (request) => (request.verb === 'list' && request.group === 'kubeflow.org' && request.resource === 'notebooks' ? { status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } } : undefined),
    });
    const probe = readabilityProbe(['networking.istio.io/Gateway', 'kubeflow.org/Notebook', 'kubeflow.org/TFJob', 'gateway.networking.k8s.io/HTTPRoute']);
    const report = json((await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'crds', server: api }]), '-f', 'json'], { checks: [probe] })).stdout);
    expect(messages(report)).toEqual([
      'gateway.networking.k8s.io/HTTPRoute: not-installed: []',
      'kubeflow.org/Notebook: not-installed: []',
      'kubeflow.org/TFJob: not-installed: []',
      'networking.istio.io/Gateway: readable: [kubeflow/kubeflow-gateway]',
    ]);
    expect(report.coverage.unreadable).toEqual([]);
    // Discovery said TFJob and HTTPRoute do not exist: no request was wasted on them.
    expect(api.requests.some((r) => r.path.includes('tfjobs') || r.path.includes('httproutes'))).toBe(false);
  });

  it('reads the Secrets checks name with GET, never lists Secrets, and skips them with --no-secrets', async () => {
    const api = await server({
      objects: [
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dex-passwords', namespace: 'auth' }, data: { DEX_USER_PASSWORD: 'JDJ5JDEy' } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated', namespace: 'auth' }, data: { token: 'c2VjcmV0' } },
      ],
    });
    const kubeconfig = kubeconfigFile([{ name: 'secrets', server: api }]);
    const withSecrets = json((await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json'], { checks: [secretNeedingCheck] })).stdout);
    expect(messages(withSecrets)).toEqual(['saw secret auth/dex-passwords']);
    const secretRequests = api.requests.filter((r) => r.resource === 'secrets');
    expect(secretRequests.map((r) => [r.verb, r.namespace, r.name])).toEqual([['get', 'auth', 'dex-passwords']]);

    api.requests.length = 0;
    const without = json((await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--no-secrets'], { checks: [secretNeedingCheck, readabilityProbe([], [{ namespace: 'auth', name: 'dex-passwords' }])] })).stdout);
    expect(messages(without, 'test-secret-needs')).toEqual([]);
    expect(messages(without, 'test-readability')).toEqual(['Secret: forbidden (skipped (--no-secrets)): []']);
    expect(without.coverage.unreadable).toEqual([{ resource: 'secrets', reason: 'skipped (--no-secrets)', context: 'secrets' }]);
    expect(api.requests.filter((r) => r.resource === 'secrets')).toEqual([]);
  });

  it('gives each context its own client: two contexts on two servers each report their own cluster', async () => {
    const demo = await server({ fixtures: ['fixtures/demo'], tokens: ['token-for-demo'] });
    const other = await server({ fixtures: ['checks/ingress-gateway-exposed/fixtures/fail-renamed-gateway-nodeport.yaml'], tokens: ['token-for-other'] });
    const kubeconfig = kubeconfigFile([
      { name: 'demo', server: demo },
      { name: 'other', server: other },
    ]);
    const report = json((await runCli(['cluster', '--kubeconfig', kubeconfig, '--contexts', 'demo,other', '-f', 'json', '--fail-on', 'none'])).stdout);
    expect(report.target.contexts).toEqual(['demo', 'other']);
    // Findings on objects (the absence checks add cluster-wide ones to every context).
    const byContext = (context: string) =>
      report.findings.filter((f) => f.context === context && f.resource !== null).map((f) => `${f.resource?.namespace}/${f.resource?.name}`);
    expect(byContext('demo')).toContain('istio-system/istio-ingressgateway');
    expect(byContext('demo')).toContain('kubeflow-user-example-com/sequential-pipeline-x7k2p');
    expect(byContext('other')).toEqual(['edge/public-entry']);
    // Each server saw only its own context's credentials, and both were asked.
    for (const api of [demo, other]) {
      expect(api.requests.length).toBeGreaterThan(0);
      expect(api.requests.every((r) => r.authenticated)).toBe(true);
    }
  });

  it('merges several KUBECONFIG files as kubectl does: the first current-context wins, missing files are skipped', async () => {
    const demo = await server({ fixtures: ['fixtures/demo'] });
    const other = await server({ fixtures: ['checks/ingress-gateway-exposed/fixtures/fail-renamed-gateway-nodeport.yaml'] });
    const dir = tempDir();
    const first = path.join(dir, 'first');
    const second = path.join(dir, 'second');
    writeFileSync(first, kubeconfigYaml([{ name: 'demo', server: demo }], 'demo'));
    writeFileSync(second, kubeconfigYaml([{ name: 'other', server: other }], 'other'));
    const env = { KUBECONFIG: [first, path.join(dir, 'missing'), second].join(path.delimiter) };

    const current = json((await runCli(['cluster', '-f', 'json', '--fail-on', 'none'], { env })).stdout);
    expect(current.target.contexts).toEqual(['demo']);
    const all = json((await runCli(['cluster', '--all-contexts', '-f', 'json', '--fail-on', 'none'], { env })).stdout);
    expect(all.target.contexts).toEqual(['demo', 'other']);
    expect(new Set(all.findings.map((f) => f.context))).toEqual(new Set(['demo', 'other']));
    const named = json((await runCli(['cluster', '--context', 'other', '-f', 'json', '--fail-on', 'none'], { env })).stdout);
    expect(named.findings.filter((f) => f.resource !== null).map((f) => f.resource?.name)).toEqual(['public-entry']);
  });

  it('gets credentials from an exec plugin, as EKS, GKE and AKS kubeconfigs do', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], tokens: ['token-from-plugin'] });
    const dir = tempDir();
    const plugin = path.join(dir, 'plugin.mjs');
    writeFileSync(plugin, `process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', status: { token: 'token-from-plugin' } }));\n`);
    const config = path.join(dir, 'config');
    const text = kubeconfigYaml([{ name: 'eks', server: api, token: null }]).replace(
      /users:\n {2}- name: eks\n {4}user: \{\}\n/,
      `users:\n  - name: eks\n    user:\n      exec:\n        apiVersion: client.authentication.k8s.io/v1beta1\n        command: ${JSON.stringify(process.execPath)}\n        args: [${JSON.stringify(plugin)}]\n        interactiveMode: Never\n`,
    );
    expect(text).toContain('exec:');
    writeFileSync(config, text);
    const report = json((await runCli(['cluster', '--kubeconfig', config, '-f', 'json', '--fail-on', 'none'], { env: { PATH: process.env['PATH'] ?? '' } })).stdout);
    expect(report.errors).toEqual([]);
    expect(report.findings.length).toBeGreaterThan(0);
    expect(api.requests.every((r) => r.authenticated)).toBe(true);
  });

  it('refuses unknown contexts and conflicting context options as usage errors', async () => {
    const api = await server({});
    const kubeconfig = kubeconfigFile([{ name: 'only', server: api }]);
    const unknown = await runCli(['cluster', '--kubeconfig', kubeconfig, '--context', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^kfscan: context "nope" not found in .*config \(available: only\)\n$/);
    const both = await runCli(['cluster', '--kubeconfig', kubeconfig, '--context', 'only', '--all-contexts']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('kfscan: use only one of --context, --contexts and --all-contexts\n');
    const none = await runCli(['cluster']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no kubeconfig found');
    expect(api.requests).toEqual([]);
  });

  it('writes SARIF with logical locations context/namespace/kind/name that validates against the schema', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'prod-eu', server: api }]), '-f', 'sarif', '--fail-on', 'none']);
    const log = JSON.parse(run.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const names = log.runs[0].results.map((r: { locations: Array<{ logicalLocations: Array<{ fullyQualifiedName: string }> }> }) => r.locations[0]!.logicalLocations[0]!.fullyQualifiedName);
    expect(names).toContain('prod-eu/istio-system/Service/istio-ingressgateway');
    // Nothing in GitHub's rules but the file it wants for every result.
    expect(githubCodeScanningProblems(log).every((problem) => problem.includes('without a physical location'))).toBe(true);
  });

  it('reaches a server behind a path prefix, at an IPv6 address, with user information in its URL, as kubectl does', async () => {
    // Rancher and kubectl proxy serve clusters under a path (https://rancher/k8s/clusters/c-1); the address
    // may be IPv6; a URL may carry a user and password for basic authentication.
    const ca = await createCertificateAuthority();
    const arrived: Array<{ url: string | undefined; authorization: string | undefined }> = [];
    const { certPem, keyPem } = await ca.serverCertificate();
    const https = createServer({ cert: certPem, key: keyPem }, (req, res) => {
      arrived.push({ url: req.url, authorization: req.headers.authorization });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"kind":"PodList","items":[]}');
    });
    await new Promise<void>((resolve) => https.listen(0, '::1', resolve));
    try {
      const { port } = https.address() as AddressInfo;
      // The second user's name holds a `%` that starts no escape: taken as it is.
      const urls = [`https://some%20one:p%40ss@[::1]:${port}/k8s/clusters/c-1/`, `https://odd%zz:x@[::1]:${port}`];
      const kubeconfig = await loadKubeconfig({
        kubeconfig: kubeconfigFile(urls.map((url, index) => ({ name: `proxied-${index}`, server: { url, caPem: ca.certPem, token: '' }, token: null }))),
        env: {},
        cwd: process.cwd(),
      });
      for (const index of [0, 1]) {
        const client = await createApiClient(kubeconfig.forContext(`proxied-${index}`), { timeoutMs: 5000, retries: 0, backoffMs: 5, maxSockets: 2, userAgent: 'test' });
        try {
          expect(await client.get('/api/v1/pods?limit=500')).toEqual({ kind: 'PodList', items: [] });
        } finally {
          client.close();
        }
      }
      expect(arrived).toEqual([
        { url: '/k8s/clusters/c-1/api/v1/pods?limit=500', authorization: `Basic ${Buffer.from('some one:p@ss').toString('base64')}` },
        { url: '/api/v1/pods?limit=500', authorization: `Basic ${Buffer.from('odd%zz:x').toString('base64')}` },
      ]);
    } finally {
      https.close();
    }
  });

  it('reaches a server through HTTPS_PROXY as kubectl does; NO_PROXY, loopback and a proxy-url of its own take precedence', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    // The proxy sends every tunnel to the test server, so the server can have a name nothing resolves;
    // tls-server-name keeps the certificate check honest.
    const proxy = await startConnectProxy({ connectTo: '127.0.0.1' });
    try {
      const file = kubeconfigFile([
        { name: 'corp', server: api },
        { name: 'own-proxy', server: api, proxyUrl: 'http://127.0.0.1:9' },
        { name: 'loopback', server: api },
      ]);
      const config = parse(readFileSync(file, 'utf8')) as { clusters: Array<{ cluster: Record<string, unknown> }> };
      for (const { cluster } of config.clusters.slice(0, 2)) Object.assign(cluster, { server: `https://api.corp.example:${new URL(api.url).port}`, 'tls-server-name': 'localhost' });
      writeFileSync(file, stringify(config));
      const env = { HTTPS_PROXY: proxy.url };
      const run = await runCli(['cluster', '--kubeconfig', file, '--context', 'corp', '-f', 'json', '--fail-on', 'none'], { env });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as JsonReport).findings.length).toBeGreaterThan(0);
      expect(new Set(proxy.hosts)).toEqual(new Set(['api.corp.example']));

      const proxyOf = async (context: string, extra: Record<string, string> = {}): Promise<string | undefined> =>
        (await loadKubeconfig({ kubeconfig: file, env: { ...env, ...extra }, cwd: process.cwd() })).forContext(context).getCurrentCluster()?.proxyUrl;
      expect(await proxyOf('corp')).toBe(proxy.url);
      expect(await proxyOf('corp', { NO_PROXY: '.corp.example' })).toBeUndefined();
      expect(await proxyOf('own-proxy')).toBe('http://127.0.0.1:9');
      expect(await proxyOf('loopback')).toBeUndefined();

      // A proxy that wants credentials: the error says so, names the proxy without its user information, and
      // blames neither the cluster nor its certificate.
      const demanding = createHttpServer();
      demanding.on('connect', (_request: IncomingMessage, socket: Socket) => socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n'));
      await new Promise<void>((resolve) => demanding.listen(0, '127.0.0.1', resolve));
      try {
        const port = (demanding.address() as AddressInfo).port;
        const refused = await runCli(['cluster', '--kubeconfig', file, '--context', 'corp', '-f', 'json', '--fail-on', 'none'], { env: { HTTPS_PROXY: `http://someone:pa55word@127.0.0.1:${port}` } });
        expect(refused.stderr.split('\n')[0]).toBe(
          `kfscan: error: corp: cannot reach https://api.corp.example:${new URL(api.url).port} through the proxy http://127.0.0.1:${port}: the proxy answered 407 (Proxy Authentication Required: it wants a user and password in the proxy URL, or refused the ones given)`,
        );
        expect(refused.stdout).not.toContain('pa55word');
      } finally {
        demanding.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it('authenticates with a client certificate, as kubeadm, kind and minikube write it, in data or in files beside the kubeconfig', async () => {
    const ca = await createCertificateAuthority();
    const api = await server({ fixtures: ['fixtures/demo'], ca, clientCertificates: true });
    const admin = await ca.clientCertificate('kubernetes-admin');
    const stranger = await (await createCertificateAuthority('another CA')).clientCertificate('kubernetes-admin');
    const dir = tempDir();
    writeFileSync(path.join(dir, 'admin.crt'), admin.certPem);
    writeFileSync(path.join(dir, 'admin.key'), admin.keyPem);
    const base64 = (pem: string): string => Buffer.from(pem).toString('base64');
    const kubeconfig = kubeconfigWithUsers(
      dir,
      api,
      {
        data: { 'client-certificate-data': base64(admin.certPem), 'client-key-data': base64(admin.keyPem) },
        files: { 'client-certificate': 'admin.crt', 'client-key': 'admin.key' },
        stranger: { 'client-certificate-data': base64(stranger.certPem), 'client-key-data': base64(stranger.keyPem) },
      },
      { data: 'data', files: 'files', stranger: 'stranger' },
    );
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none'], { cwd: tempDir() });
    expect(run.stderr.trimEnd().split('\n')[0]).toBe(`kfscan: error: stranger: authentication failed (401 Unauthorized) at ${api.url}: the token or client certificate was rejected; it may have expired`);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as JsonReport;
    for (const context of ['data', 'files']) expect(report.findings.some((f) => f.context === context && f.resource?.name === 'istio-ingressgateway'), context).toBe(true);
  });

  it('connects without verifying the certificate only where the cluster sets insecure-skip-tls-verify', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const file = kubeconfigFile([
      { name: 'unverified', server: api },
      { name: 'verified', server: api },
    ]);
    const config = parse(readFileSync(file, 'utf8')) as { clusters: Array<{ cluster: Record<string, unknown> }> };
    // Neither trusts the server's CA; only the first says not to check.
    for (const { cluster } of config.clusters) delete cluster['certificate-authority-data'];
    config.clusters[0]!.cluster['insecure-skip-tls-verify'] = true;
    writeFileSync(file, stringify(config));
    const run = await runCli(['cluster', '--kubeconfig', file, '--all-contexts', '-f', 'json', '--fail-on', 'none']);
    expect(run.stderr.trimEnd().split('\n')[0]).toMatch(new RegExp(`^kfscan: error: verified: TLS verification failed for ${api.url.replace(/\./g, '\\.')}: `));
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as JsonReport;
    expect(report.findings.some((f) => f.context === 'unverified' && f.resource?.name === 'istio-ingressgateway')).toBe(true);
    expect(report.findings.some((f) => f.context === 'verified')).toBe(false);
  });

  it('groups the table by context', async () => {
    const demo = await server({ fixtures: ['fixtures/demo'] });
    const other = await server({ fixtures: ['checks/ingress-gateway-exposed/fixtures/fail-renamed-gateway-nodeport.yaml'] });
    const kubeconfig = kubeconfigFile([
      { name: 'alpha', server: demo },
      { name: 'beta', server: other },
    ]);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '--fail-on', 'none']);
    // The fleet summary first, a row per context, then the findings grouped by context.
    expect(run.stdout).toMatch(/^Fleet: 2 of 2 contexts scanned\n┌[^\n]*\n│ Context +│ crit │ high │ med +│ low +│ info +│ Attack-path steps open +│\n[\s\S]*\n│ alpha +│[\s\S]*\n│ beta +│[\s\S]*\n└[^\n]*\n\nContext alpha\n[\s\S]*\nContext beta\n/);
    expect(run.stdout).toMatch(/kfscan: \d+ findings .* in \d+ resources in 2 contexts\n$/);
  });
});
