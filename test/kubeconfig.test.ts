import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseContexts, loadKubeconfig, type LoadedKubeconfig } from '../src/live/kubeconfig.js';
import { tempDir } from './helpers/live.js';

function kubeconfig(contexts: Array<{ name: string; server: string; token?: string }>, current?: string, extra = ''): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'clusters:'];
  for (const c of contexts) lines.push(`  - name: ${c.name}`, '    cluster:', `      server: ${c.server}`);
  lines.push(extra, 'users:');
  for (const c of contexts) lines.push(`  - name: ${c.name}`, '    user:', `      token: ${c.token ?? `token-${c.name}`}`);
  lines.push('contexts:');
  for (const c of contexts) lines.push(`  - name: ${c.name}`, '    context:', `      cluster: ${c.name}`, `      user: ${c.name}`);
  if (current) lines.push(`current-context: ${current}`);
  return `${lines.join('\n')}\n`;
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('loadKubeconfig', () => {
  it('merges KUBECONFIG files kubectl-style: first definition and first current-context win', async () => {
    const dir = tempDir();
    const first = write(dir, 'a', kubeconfig([{ name: 'shared', server: 'https://first.example:6443' }, { name: 'a', server: 'https://a.example' }], 'a'));
    const second = write(dir, 'b', kubeconfig([{ name: 'shared', server: 'https://second.example:6443' }, { name: 'b', server: 'https://b.example' }], 'b'));
    const loaded = await loadKubeconfig({ env: { KUBECONFIG: `${first}${path.delimiter}${second}` }, cwd: dir });
    expect(loaded.contexts).toEqual(['shared', 'a', 'b']);
    expect(loaded.current).toBe('a');
    expect(loaded.forContext('shared').getCurrentCluster()?.server).toBe('https://first.example:6443');
  });

  it('gives every context its own KubeConfig, so nothing is shared between clusters', async () => {
    const dir = tempDir();
    const file = write(dir, 'config', kubeconfig([{ name: 'one', server: 'https://one.example' }, { name: 'two', server: 'https://two.example' }], 'one'));
    const loaded = await loadKubeconfig({ kubeconfig: file, env: {}, cwd: dir });
    const one = loaded.forContext('one');
    const again = loaded.forContext('one');
    const two = loaded.forContext('two');
    expect(one).not.toBe(again);
    expect(one.getCurrentCluster()).not.toBe(again.getCurrentCluster());
    expect(one.getClusters().map((c) => c.name)).toEqual(['one']);
    expect(two.getCurrentCluster()?.server).toBe('https://two.example');
    expect(two.getCurrentUser()?.token).toBe('token-two');
  });

  it('skips a broken entry for another cluster and names it only when the chosen context needs it', async () => {
    const dir = tempDir();
    const text = kubeconfig([{ name: 'good', server: 'https://good.example' }], 'good', '  - name: broken\n    cluster: {}');
    const file = write(dir, 'config', text.replace('contexts:\n', 'contexts:\n  - name: broken\n    context: {cluster: broken, user: good}\n'));
    const loaded = await loadKubeconfig({ kubeconfig: file, env: {}, cwd: dir });
    expect(loaded.forContext('good').getCurrentCluster()?.server).toBe('https://good.example');
    expect(() => loaded.forContext('broken')).toThrow('context "broken" uses cluster "broken", which the kubeconfig does not define (or defines without a server)');
  });

  it('refuses a context whose user the kubeconfig does not define, and reads a context without a user anonymously with its cluster', async () => {
    const dir = tempDir();
    const text = kubeconfig([{ name: 'good', server: 'https://good.example' }], 'good').replace(
      'contexts:\n',
      'contexts:\n  - name: typo\n    context: {cluster: good, user: goood}\n  - name: anonymous\n    context: {cluster: good}\n',
    );
    const loaded = await loadKubeconfig({ kubeconfig: write(dir, 'config', text), env: {}, cwd: dir });
    expect(() => loaded.forContext('typo')).toThrow('context "typo" uses user "goood", which the kubeconfig does not define (or defines in a form that cannot be read)');
    const anonymous = loaded.forContext('anonymous');
    expect(anonymous.getCurrentCluster()?.server).toBe('https://good.example');
    // An empty user, so that client-node applies the cluster's TLS settings; it carries no credentials.
    const user = anonymous.getCurrentUser();
    expect(user).not.toBeNull();
    expect(user?.token ?? user?.certData ?? user?.certFile ?? user?.username ?? user?.exec ?? user?.authProvider).toBeUndefined();
  });

  it("reads a relative token-file beside the kubeconfig, even in a document whose aliases would expand to gigabytes", async () => {
    const dir = tempDir();
    write(dir, 'token', 'token-from-file\n');
    // Ten levels of ten aliases: 10^9 items if anything copied them out.
    const levels = Array.from({ length: 9 }, (_, level) => `x${level + 1}: &a${level + 1} [${Array.from({ length: 10 }, () => `*a${level}`).join(', ')}]`);
    const text = [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: c, cluster: {server: "https://c.example"}}]',
      'x0: &a0 [x, x, x, x, x, x, x, x, x, x]',
      ...levels,
      'users: [{name: u, user: {token-file: token, extra: *a9}}]',
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'current-context: c',
    ].join('\n');
    const loaded = await loadKubeconfig({ kubeconfig: write(dir, 'config', text), env: {}, cwd: tempDir() });
    expect(loaded.forContext('c').getCurrentUser()?.token?.trim()).toBe('token-from-file');
  });

  it('uses ~/.kube/config when nothing else is given, and says clearly when there is no configuration at all', async () => {
    const home = tempDir();
    await expect(loadKubeconfig({ env: { HOME: home }, cwd: home })).rejects.toThrow(/^no kubeconfig found: use --kubeconfig FILE/);
    await expect(loadKubeconfig({ kubeconfig: 'nope.yaml', env: {}, cwd: home })).rejects.toThrow('kubeconfig nope.yaml does not exist');
    await expect(loadKubeconfig({ env: { KUBECONFIG: path.join(home, 'missing') }, cwd: home })).rejects.toThrow(/none of the files in KUBECONFIG exists/);
    mkdirSync(path.join(home, '.kube'));
    write(path.join(home, '.kube'), 'config', kubeconfig([{ name: 'laptop', server: 'https://127.0.0.1:6443' }], 'laptop'));
    expect((await loadKubeconfig({ env: { HOME: home }, cwd: home })).current).toBe('laptop');
  });
});

describe('chooseContexts', () => {
  const loaded: LoadedKubeconfig = { contexts: ['a', 'b', 'c'], current: 'b', source: 'test', forContext: () => { throw new Error('unused'); } };

  it('takes the current context by default, or --context, --contexts, --all-contexts', () => {
    expect(chooseContexts(loaded, {})).toEqual(['b']);
    expect(chooseContexts(loaded, { context: 'c' })).toEqual(['c']);
    expect(chooseContexts(loaded, { contexts: ['c', 'a', 'c'] })).toEqual(['c', 'a']);
    expect(chooseContexts(loaded, { allContexts: true })).toEqual(['a', 'b', 'c']);
  });

  it('refuses unknown names, conflicting options and a missing current context', () => {
    expect(() => chooseContexts(loaded, { contexts: ['a', 'x', 'y'] })).toThrow('contexts "x", "y" not found in test (available: a, b, c)');
    expect(() => chooseContexts(loaded, { context: 'a', allContexts: true })).toThrow('use only one of --context, --contexts and --all-contexts');
    expect(() => chooseContexts({ ...loaded, current: null }, {})).toThrow('no current context in test: use --context NAME (available: a, b, c)');
  });
});
