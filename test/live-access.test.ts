import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { loadKubeconfig } from '../src/live/kubeconfig.js';
import { scanCluster, DEFAULT_CONNECTION } from '../src/live/scan-cluster.js';
import { kfscanAsync } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { execCredentialScript, kubeconfigFile, kubeconfigWithUsers, readabilityProbe, secretNeedingCheck, tempDir, useApiServers } from './helpers/live.js';

const server = useApiServers();

describe('read-only guarantee', () => {
  it('sends nothing but GET requests during a scan (the built binary, every output format)', async () => {
    const api = await server({ fixtures: ['fixtures/demo'], objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dex-passwords', namespace: 'auth' } }] });
    const kubeconfig = kubeconfigFile([{ name: 'ro', server: api }]);
    const dir = tempDir();
    const run = await kfscanAsync(['cluster', '--kubeconfig', kubeconfig, '-f', 'json', '--report', `sarif=${path.join(dir, 'out.sarif')}`, '--fail-on', 'none']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).findings.length).toBeGreaterThan(0);
    expect(api.requests.length).toBeGreaterThan(10);
    expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    // In process too, with a check that names a Secret: still only GETs, and never a list of Secrets.
    api.requests.length = 0;
    await runCli(['cluster', '--kubeconfig', kubeconfig, '-f', 'json'], { checks: [...builtinChecks, secretNeedingCheck] });
    expect(api.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    const secretReads = api.requests.filter((r) => r.resource === 'secrets');
    expect(new Set(secretReads.map((r) => r.verb))).toEqual(new Set(['get']));
    const named = new Set([...builtinChecks, secretNeedingCheck].flatMap((check) => (check.meta.namedSecrets ?? []).map((s) => `${s.namespace}/${s.name}`)));
    expect(new Set(secretReads.map((r) => `${r.namespace}/${r.name}`))).toEqual(named);
  });
});

describe('Secrets read when allowed', () => {
  it("leaves a refused Secret that pods use out quietly: the miner check judges what it could read, coverage stays whole", async () => {
    const fixture = 'checks/miner-indicators/fixtures/fail-miner-config-files.yaml';
    const refused = await server({ fixtures: [fixture], forbid: [{ resource: 'secrets', name: 'optimizer-secret' }] });
    const run = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'rbac', server: refused }]), '-f', 'json', '--checks', 'miner-indicators', '--fail-on', 'none']);
    const report = JSON.parse(run.stdout) as { findings: Array<{ message: string }>; coverage: { unreadable: unknown[] } };
    expect(report.coverage.unreadable).toEqual([]);
    expect(run.code).toBe(0);
    expect(report.findings.map((f) => f.message)).toEqual([expect.stringContaining('(ConfigMap ml/optimizer-config key config.json)')]);
    expect(refused.requests.some((r) => r.resource === 'secrets' && r.name === 'optimizer-secret')).toBe(true);

    const allowed = await server({ fixtures: [fixture] });
    const full = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'all', server: allowed }]), '-f', 'json', '--checks', 'miner-indicators', '--fail-on', 'none']);
    expect((JSON.parse(full.stdout) as { findings: unknown[] }).findings).toHaveLength(4);
  });
});

describe('kfscan cluster --check-access', () => {
  it('prints what the identity can and cannot read, asking only with SelfSubjectAccessReview', async () => {
    const api = await server({
      fixtures: ['fixtures/demo'],
      forbid: [{ group: 'apps', resource: 'daemonsets' }, { resource: 'secrets', name: 'dex-passwords' }],
    });
    const kubeconfig = kubeconfigFile([{ name: 'audit', server: api }]);
    const checks = [...builtinChecks, readabilityProbe([], [{ namespace: 'auth', name: 'dex-passwords' }])];
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--check-access'], { checks });
    expect(run.code).toBe(3);
    expect(run.stdout).toContain(`Context audit (${api.url})`);
    expect(run.stdout).toMatch(/^ {2}can {4}list pods\b/m);
    expect(run.stdout).toMatch(/^ {2}can {4}list deployments\.apps\b/m);
    expect(run.stdout).toMatch(/^ {2}CANNOT list daemonsets\.apps +\(no RBAC policy matched\)$/m);
    expect(run.stdout).toMatch(/^ {2}CANNOT get {2}secrets +auth\/dex-passwords/m);
    expect(run.stdout.replace(/\n {4}/g, ' ')).toMatch(/not installed \(nothing to read\): .*kubeflow\.org\/Notebook/);
    // It fits the terminal: 120 columns when piped, $COLUMNS when set.
    expect(Math.max(...run.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(120);
    const narrow = await runCli(['cluster', '--kubeconfig', kubeconfig, '--check-access'], { checks, env: { COLUMNS: '80' } });
    expect(Math.max(...narrow.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(80);
    expect(narrow.stdout).toMatch(/^ {2}CANNOT list daemonsets\.apps +\(no RBAC policy\s+matched\)$/m);
    expect(run.stdout).toContain('2 of ');
    const writes = api.requests.filter((r) => r.method !== 'GET');
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((r) => r.method === 'POST' && r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews')).toBe(true);
    // Asking lists nothing.
    expect(api.requests.filter((r) => r.verb === 'list' || r.verb === 'get')).toEqual([]);

    const full = await server({ fixtures: ['fixtures/demo'] });
    const ok = await runCli(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'full', server: full }]), '--check-access']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('kfscan can read everything its checks need in full.');
  });

  it('asks several contexts side by side: a hanging one is cut off at its deadline, the others are printed in the order named', async () => {
    // When each server is first asked: one after the other, the good ones would wait out the hanging one's deadline.
    const firstAsked = new Map<string, number>();
    const note = (name: string) => () => void firstAsked.set(name, firstAsked.get(name) ?? Date.now());
    const hanging = await server({ intercept: (request) => (note('hanging')(), request.path ? { stall: true } : undefined) });
    const [first, second] = await Promise.all([server({ fixtures: ['fixtures/demo'], intercept: () => note('first')() }), server({ fixtures: ['fixtures/demo'], intercept: () => note('second')() })]);
    const kubeconfig = kubeconfigFile([
      { name: 'hanging', server: hanging },
      { name: 'first', server: first },
      { name: 'second', server: second },
    ]);
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '--check-access', '--context-concurrency', '2', '--context-timeout', '5', '--request-timeout', '60']);
    expect(run.code).toBe(3);
    expect(run.stderr).toBe('kfscan: error: hanging: not answered within 5 s (--context-timeout); its API server may be hanging or very slow\n');
    expect([...run.stdout.matchAll(/^Context (\S+) \(/gm)].map(([, name]) => name)).toEqual(['first', 'second']);
    expect(firstAsked.get('first')! - firstAsked.get('hanging')!).toBeLessThan(5_000);
  });

  it('stops a credential command still running at the deadline, names it, and sends nothing for its context', async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    for (const [what, options] of [
      ['answered', ['--check-access']],
      ['scanned', ['-f', 'json', '--fail-on', 'none']],
    ] as const) {
      const dir = tempDir('kfscan-late-exec-');
      const answered = path.join(dir, 'answered');
      const pidFile = path.join(dir, 'pid');
      // A plugin that would answer 5 s in (a login waiting for a browser), long after the 1 s deadline.
      const plugin = execCredentialScript(path.join(dir, 'late-credentials.js'), api.token, answered, 5000, pidFile);
      const kubeconfig = kubeconfigWithUsers(dir, api, { late: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, interactiveMode: 'Never' } } }, { late: 'late' });
      const run = await runCli(['cluster', '--kubeconfig', kubeconfig, ...options, '--context-timeout', '1']);
      expect(run.stderr.split('\n')[0]).toBe(`kfscan: error: late: not ${what} within 1 s (--context-timeout): its credentials come from the exec credential plugin ${plugin}, which had not answered by then`);
      expect(run.code).toBe(2);
      // Stopped, not left running: it would keep the process alive after the report. (On a machine slow
      // enough that the deadline passed before the script started, there is no pid to look at.)
      if (existsSync(pidFile)) await expect.poll(() => running(Number(readFileSync(pidFile, 'utf8'))), { timeout: 5_000, interval: 50 }).toBe(false);
      expect(existsSync(answered)).toBe(false);
    }
    expect(api.requests).toEqual([]);
  });
});

describe('in-cluster configuration', () => {
  it("uses the pod's service account token and CA when there is no kubeconfig", async () => {
    const api = await server({ fixtures: ['fixtures/demo'] });
    const serviceAccount = tempDir('kfscan-sa-');
    writeFileSync(path.join(serviceAccount, 'token'), api.token);
    writeFileSync(path.join(serviceAccount, 'ca.crt'), api.caPem);
    writeFileSync(path.join(serviceAccount, 'namespace'), 'kfscan');
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: String(api.port), HOME: '/nonexistent' };

    const kubeconfig = await loadKubeconfig({ env, cwd: process.cwd(), serviceAccountDir: serviceAccount });
    expect(kubeconfig.contexts).toEqual(['in-cluster']);
    const scan = await scanCluster(kubeconfig, ['in-cluster'], { ...DEFAULT_CONNECTION, checks: builtinChecks, secrets: true });
    expect(scan.outcomes[0]!.error).toBeNull();
    expect(scan.result.findings.some((f) => f.context === 'in-cluster' && f.resource?.name === 'istio-ingressgateway')).toBe(true);

    // Without a token the service account is not usable: a clear usage error, not a request.
    const empty = tempDir('kfscan-sa-');
    await expect(loadKubeconfig({ env, cwd: process.cwd(), serviceAccountDir: empty, inCluster: true })).rejects.toThrow(/no service account token at .*token/);
  });
});

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
