import { spawn } from 'node:child_process';
import path from 'node:path';

export interface ChildLimits {
  /** Kill the child after this long. */
  timeoutMs: number;
  /** Kill the child once its standard output passes this many bytes. */
  maxOutputBytes: number;
}

export interface ChildResult {
  /** `null` when the child was killed (timeout, output cap) or could not start. */
  code: number | null;
  stdout: Buffer;
  /** The first 64 KiB of standard error. */
  stderr: string;
  /** Why the run failed before the child could finish on its own. */
  failure: string | null;
}

const STDERR_LIMIT = 64 * 1024;
// A loopback port that nothing listens on: with the proxy variables pointing at it, any HTTP(S) fetch a
// tool tries fails at once instead of reaching the network.
const CLOSED_PROXY = 'http://127.0.0.1:9';

export interface SandboxOptions {
  /** Temporary directory of this run: HOME, Helm's and git's configuration and caches live under it. */
  home: string;
  /** Remote bases and charts were allowed with --allow-remote-resources: keep the network usable. */
  allowNetwork: boolean;
  /** The caller's environment, for the few variables passed on when the network is allowed. */
  parentEnv: Readonly<Record<string, string | undefined>>;
}

/**
 * The whole environment of a render child: nothing of kfscan's own environment (CI tokens, cloud
 * credentials, KUBECONFIG) is passed through. HOME and every configuration, cache and plugin directory
 * point into a fresh temporary directory; git refuses every transport and the HTTP proxies point at a
 * closed port unless remote resources were allowed.
 */
export function sandboxEnv({ home, allowNetwork, parentEnv }: SandboxOptions): Record<string, string> {
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    TMPDIR: path.join(home, 'tmp'),
    XDG_CONFIG_HOME: path.join(home, 'config'),
    XDG_CACHE_HOME: path.join(home, 'cache'),
    XDG_DATA_HOME: path.join(home, 'data'),
    HELM_CONFIG_HOME: path.join(home, 'helm', 'config'),
    HELM_CACHE_HOME: path.join(home, 'helm', 'cache'),
    HELM_DATA_HOME: path.join(home, 'helm', 'data'),
    HELM_PLUGINS: path.join(home, 'helm', 'plugins'),
    HELM_REGISTRY_CONFIG: path.join(home, 'helm', 'registry.json'),
    HELM_REPOSITORY_CONFIG: path.join(home, 'helm', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(home, 'helm', 'repository'),
    HELM_NO_PLUGINS: '1',
    KUBECONFIG: path.join(home, 'no-kubeconfig'),
    // kustomize's legacy exec plugins are looked up here; an empty directory holds none.
    KUSTOMIZE_PLUGIN_HOME: path.join(home, 'kustomize-plugins'),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(home, 'no-gitconfig'),
    GIT_TERMINAL_PROMPT: '0',
  };
  if (allowNetwork) {
    for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']) {
      const value = parentEnv[name];
      if (value !== undefined) env[name] = value;
    }
    return env;
  }
  Object.assign(env, {
    HTTPS_PROXY: CLOSED_PROXY,
    HTTP_PROXY: CLOSED_PROXY,
    ALL_PROXY: CLOSED_PROXY,
    https_proxy: CLOSED_PROXY,
    http_proxy: CLOSED_PROXY,
    all_proxy: CLOSED_PROXY,
    NO_PROXY: '',
    no_proxy: '',
    // An empty allow-list: git refuses every transport (https, ssh, git, file, ext).
    GIT_ALLOW_PROTOCOL: '',
    GIT_PROTOCOL_FROM_USER: '0',
    GIT_SSH_COMMAND: 'false',
  });
  return env;
}

/**
 * Runs a tool without a shell, in its own process group so that a timeout also ends whatever it started
 * (git, helm), with standard input closed and its output capped.
 */
export function runChild(command: string, args: readonly string[], options: { env: Record<string, string>; cwd: string } & ChildLimits): Promise<ChildResult> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    let failure: string | null = null;
    let settled = false;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true, shell: false });
    } catch (error) {
      resolve({ code: null, stdout: Buffer.alloc(0), stderr: '', failure: startFailure(error) });
      return;
    }
    const kill = (why: string): void => {
      failure ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill(`timed out after ${Math.round(options.timeoutMs / 1000)} s`), options.timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > options.maxOutputBytes) {
        kill(`rendered output above the ${(options.maxOutputBytes / 1024 / 1024).toFixed(1)} MB limit (raise it with --max-file-size)`);
        return;
      }
      stdout.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8').slice(0, STDERR_LIMIT - stderr.length);
    });
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ code: failure ? null : code, stdout: Buffer.concat(stdout), stderr, failure });
    };
    child.on('error', (error) => {
      failure ??= startFailure(error);
      finish(null);
    });
    child.on('close', (code) => finish(code));
  });
}

function startFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'not found';
  if (code === 'EACCES') return 'not executable';
  return code ?? (error instanceof Error ? error.message : String(error));
}
