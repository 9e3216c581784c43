import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from './api-server/index.js';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { kubeconfigFile, tempDir, type JsonReport } from './helpers/live.js';
import { startConnectProxy, startSocks5Proxy } from './helpers/proxies.js';

// Which modules a command loads, recorded by resolution hooks (no timing involved): offline commands must
// never load the Kubernetes client or the spinner.
const HOOK = pathToFileURL(path.join(ROOT, 'test/helpers/import-log.mjs')).href;

async function importsOf(args: string[]): Promise<{ code: number; modules: string[] }> {
  const log = path.join(tempDir(), 'imports.log');
  const run = await kfscanAsync(args, { nodeArgs: ['--import', HOOK], env: { KFSCAN_IMPORT_LOG: log } });
  return { code: run.code, modules: existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [] };
}

const loads = (modules: string[], name: string) => modules.some((url) => url.includes(`/node_modules/${name}/`));
// Live mode's kubeconfig handling: client-node's KubeConfig, bundled on its own by the build.
const loadsKubeConfig = (modules: string[]) => modules.some((url) => url.endsWith('/dist/kube-config.mjs'));

let api: ApiServer | null = null;
afterAll(async () => {
  await api?.close();
});

describe('start-up cost', () => {
  it('an offline scan and `kfscan rbac` never load @kubernetes/client-node or ora', async () => {
    const [scan, rbac] = await Promise.all([importsOf(['scan', 'fixtures/demo', '--fail-on', 'none']), importsOf(['rbac'])]);
    expect(scan.code).toBe(0);
    expect(rbac.code).toBe(0);
    for (const { modules } of [scan, rbac]) {
      expect(modules.some((url) => url.endsWith('/dist/kfscan.mjs'))).toBe(true);
      expect(loads(modules, '@kubernetes/client-node')).toBe(false);
      expect(loadsKubeConfig(modules)).toBe(false);
      expect(loads(modules, 'ora')).toBe(false);
    }
  });

  it('a cluster scan loads the bundled KubeConfig, not the whole client package (the hook sees it)', async () => {
    api = await startApiServer({ fixtures: ['fixtures/demo'] });
    const cluster = await importsOf(['cluster', '--kubeconfig', kubeconfigFile([{ name: 'x', server: api }]), '--fail-on', 'none']);
    expect(cluster.code).toBe(0);
    expect(loadsKubeConfig(cluster.modules)).toBe(true);
    // The package's index loads every generated API model: half a second kfscan does not need.
    expect(loads(cluster.modules, '@kubernetes/client-node')).toBe(false);
  });

  // The build makes the proxy agents (and node-fetch) load on first use rather than with the bundle
  // (scripts/bundle-cli.mjs); a context with a proxy-url must still reach its server through the proxy.
  it('reaches a server through the HTTP or SOCKS5 proxy of its proxy-url, whose agent the bundle loads on first use', async () => {
    api ??= await startApiServer({ fixtures: ['fixtures/demo'] });
    const [http, socks] = await Promise.all([startConnectProxy(), startSocks5Proxy()]);
    try {
      const port = Number(new URL(api.url).port);
      for (const proxy of [http, socks]) {
        const kubeconfig = kubeconfigFile([{ name: 'behind-proxy', server: api, proxyUrl: proxy.url }]);
        const run = await kfscanAsync(['cluster', '--kubeconfig', kubeconfig, '--format', 'json', '--fail-on', 'none']);
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        const report = JSON.parse(run.stdout) as JsonReport;
        expect(report.errors).toEqual([]);
        expect(report.findings.length).toBeGreaterThan(0);
        expect(proxy.tunnels.length).toBeGreaterThan(0);
        expect(new Set(proxy.tunnels)).toEqual(new Set([port]));
      }
    } finally {
      await Promise.all([http.close(), socks.close()]);
    }
  });
});
