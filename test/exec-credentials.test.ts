import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/in-process.js';
import { execCredentialScript, kubeconfigWithUsers, tempDir, useApiServers } from './helpers/live.js';

// A kubeconfig can name commands that produce its credentials, which kfscan runs as kubectl does.
// --no-exec-credentials refuses such contexts before anything runs; the others are scanned.
describe('--no-exec-credentials', () => {
  const server = useApiServers();

  it('refuses contexts whose user runs a command (exec plugin, auth provider cmd-path), and scans the rest', async () => {
    const api = await server({ objects: [] });
    const dir = tempDir('kfscan-exec-');
    const marker = (name: string) => path.join(dir, `${name}.ran`);
    const script = (name: string): string => execCredentialScript(path.join(dir, `${name}.js`), api.token, marker(name));
    const kubeconfig = kubeconfigWithUsers(
      dir,
      api,
      {
        token: { token: api.token },
        exec: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script('exec'), interactiveMode: 'Never' } },
        provider: { 'auth-provider': { name: 'gcp', config: { 'cmd-path': script('provider'), 'cmd-args': 'x' } } },
      },
      { plain: 'token', exec: 'exec', provider: 'provider' },
    );
    const refused = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '--no-exec-credentials', '-f', 'json', '--fail-on', 'none']);
    expect(existsSync(marker('exec'))).toBe(false);
    expect(existsSync(marker('provider'))).toBe(false);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`kfscan: error: exec: its user gets credentials by running the exec credential plugin ${script('exec')}: not run (--no-exec-credentials)`);
    expect(refused.stderr).toContain(`kfscan: error: provider: its user gets credentials by running the gcp auth provider's command ${script('provider')}: not run (--no-exec-credentials)`);
    expect((JSON.parse(refused.stdout) as { target: { contexts: string[] } }).target.contexts).toEqual(['plain', 'exec', 'provider']);

    // Without the flag the plugin runs, as kubectl would run it.
    const allowed = await runCli(['cluster', '--kubeconfig', kubeconfig, '--context', 'exec', '-f', 'json', '--fail-on', 'none']);
    expect(existsSync(marker('exec'))).toBe(true);
    expect(allowed.code).toBe(0);

    // The gcp auth provider, which kubectl removed, is refused with kubectl's advice, and its command not run.
    const removed = await runCli(['cluster', '--kubeconfig', kubeconfig, '--context', 'provider', '-f', 'json', '--fail-on', 'none']);
    expect(removed.stderr).toContain(
      'kfscan: error: provider: its user uses the gcp auth provider, which kubectl removed in 1.26: use the gke-gcloud-auth-plugin credential plugin instead',
    );
    expect(removed.code).toBe(2);
    expect(existsSync(marker('provider'))).toBe(false);
  });

  it('finds a relative token-file and exec command beside the kubeconfig, as kubectl does, from any working directory', async () => {
    const api = await server({ objects: [] });
    const dir = tempDir('kfscan-relative-');
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, 'token'), `${api.token}\n`);
    const ran = path.join(dir, 'plugin.ran');
    execCredentialScript(path.join(dir, 'bin', 'get-token.js'), api.token, ran);
    const kubeconfig = kubeconfigWithUsers(
      dir,
      api,
      { file: { 'token-file': 'token' }, plugin: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/get-token.js', interactiveMode: 'Never', provideClusterInfo: true } } },
      { file: 'file', plugin: 'plugin' },
    );
    // The working directory is another one: paths are the kubeconfig's, not the caller's.
    const run = await runCli(['cluster', '--kubeconfig', kubeconfig, '--all-contexts', '-f', 'json', '--fail-on', 'none'], { cwd: tempDir('kfscan-elsewhere-') });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { target: { contexts: string[] } }).target.contexts).toEqual(['file', 'plugin']);
    // As kubectl, it tells the plugin that nobody can answer a prompt and, asked to, which cluster it is for.
    expect(JSON.parse(readFileSync(ran, 'utf8'))).toEqual({
      kind: 'ExecCredential',
      apiVersion: 'client.authentication.k8s.io/v1',
      spec: { interactive: false, cluster: { server: api.url, 'certificate-authority-data': Buffer.from(api.caPem).toString('base64') } },
    });
  });
});
