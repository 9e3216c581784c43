import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from './api-server/index.js';
import { kfscanAsync, ROOT } from './helpers/cli.js';
import { kubeconfigFile, tempDir } from './helpers/live.js';

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
});
