import { existsSync, readFileSync } from 'node:fs';
import jsYaml from 'js-yaml';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { KubeConfig } from '@kubernetes/client-node';
import { packageRoot } from '../core/version.js';
import { proxyFromEnvironment } from './env-proxy.js';

/** A problem with the kubeconfig or the context choice: a usage error, reported in one line. */
export class KubeconfigError extends Error {}

export const IN_CLUSTER_CONTEXT = 'in-cluster';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export interface KubeconfigOptions {
  /** `--kubeconfig FILE`: this file only, as kubectl does. */
  kubeconfig?: string;
  /** `--in-cluster`: the pod's service account, even if a kubeconfig exists. */
  inCluster?: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** Where the pod's service account is mounted; tests point it elsewhere. */
  serviceAccountDir?: string;
}

export interface LoadedKubeconfig {
  /** Context names in kubeconfig order. */
  contexts: string[];
  current: string | null;
  /** Where the configuration came from, for messages. */
  source: string;
  /**
   * A new KubeConfig holding a copy of the one context, its cluster and its user, with its own
   * authenticators: nothing is shared between contexts, so no cached client or token can cross over.
   */
  forContext(name: string): KubeConfig;
}

interface ClientNode {
  KubeConfig: typeof KubeConfig;
}

// Cold start matters: only live mode loads client-node, here, and from the build's slim bundle of its
// KubeConfig (dist/kube-config.mjs, see scripts/bundle.mjs) rather than the package's index, which takes
// half a second to import. Sources run unbuilt (tests of src/ modules) fall back to the package.
let clientNode: Promise<ClientNode> | null = null;
export function loadClientNode(): Promise<ClientNode> {
  const root = packageRoot();
  const slim = root === null ? null : path.join(root, 'dist', 'kube-config.mjs');
  clientNode ??= slim !== null && existsSync(slim) ? (import(pathToFileURL(slim).href) as Promise<ClientNode>) : import('@kubernetes/client-node');
  return clientNode;
}

/**
 * Finds the configuration the way kubectl does: `--kubeconfig`, else every file in `KUBECONFIG` (merged:
 * the first file to set a value wins, missing files are skipped), else `~/.kube/config`, else the pod's
 * service account when running inside a cluster.
 */
export async function loadKubeconfig(options: KubeconfigOptions): Promise<LoadedKubeconfig> {
  const { KubeConfig } = await loadClientNode();
  const saDir = options.serviceAccountDir ?? SERVICE_ACCOUNT_DIR;
  if (options.inCluster) return inClusterConfig(KubeConfig, options.env, saDir);

  const files = kubeconfigFiles(options);
  if (files.length === 0) {
    if (options.env['KUBERNETES_SERVICE_HOST'] && existsSync(path.join(saDir, 'token'))) return inClusterConfig(KubeConfig, options.env, saDir);
    throw new KubeconfigError('no kubeconfig found: use --kubeconfig FILE, set KUBECONFIG, create ~/.kube/config, or run inside a cluster (--in-cluster)');
  }

  const merged = { clusters: [] as Named[], users: [] as Named[], contexts: [] as NamedContext[], currentContext: '' };
  for (const file of files) {
    const single = new KubeConfig();
    try {
      // A broken entry for some other cluster must not stop the scan of this one: drop it, and say so
      // only if the chosen context needs it.
      const resolved = withPathsResolved(readFileSync(file, 'utf8'), path.dirname(file));
      if (resolved === null) single.loadFromFile(file, { onInvalidEntry: 'filter' });
      else {
        single.loadFromString(resolved, { onInvalidEntry: 'filter' });
        single.makePathsAbsolute(path.dirname(file));
      }
    } catch (error) {
      throw new KubeconfigError(`cannot read kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? firstLine(error)}`);
    }
    mergeFirstWins(merged.clusters, single.getClusters());
    mergeFirstWins(merged.users, single.getUsers());
    mergeFirstWins(merged.contexts, single.getContexts());
    if (!merged.currentContext && single.getCurrentContext()) merged.currentContext = single.getCurrentContext();
  }
  return {
    contexts: merged.contexts.map((context) => context.name),
    current: merged.currentContext || null,
    source: files.join(path.delimiter),
    forContext(name) {
      const context = merged.contexts.find((c) => c.name === name);
      if (!context) throw new KubeconfigError(`context "${name}" not found in ${files.join(', ')}`);
      const cluster = merged.clusters.find((c) => c.name === context.cluster);
      if (!cluster) throw new KubeconfigError(`context "${name}" uses cluster "${context.cluster ?? ''}", which the kubeconfig does not define (or defines without a server)`);
      const user = context.user ? merged.users.find((u) => u.name === context.user) : ANONYMOUS_USER;
      if (!user) throw new KubeconfigError(`context "${name}" uses user "${context.user ?? ''}", which the kubeconfig does not define (or defines in a form that cannot be read)`);
      const config = new KubeConfig();
      config.loadFromOptions(structuredClone({ clusters: [withEnvironmentProxy(cluster, options.env)], users: [user], contexts: [{ ...context, user: user.name }], currentContext: name }));
      return config;
    },
  };
}

interface Named {
  name: string;
}

// A context without a user is read anonymously, as kubectl reads it. client-node applies the cluster's CA
// and TLS settings only together with a user: without one, the server's certificate would be checked
// against the system's CAs and the cluster's own CA ignored. An empty user stands in; it is the only user
// in the context's own KubeConfig, so its name cannot clash.
const ANONYMOUS_USER: Named = { name: 'anonymous' };

interface NamedContext extends Named {
  cluster?: string;
  user?: string;
}

function kubeconfigFiles(options: KubeconfigOptions): string[] {
  if (options.kubeconfig) {
    const file = path.resolve(options.cwd, options.kubeconfig);
    if (!existsSync(file)) throw new KubeconfigError(`kubeconfig ${options.kubeconfig} does not exist`);
    return [file];
  }
  const fromEnv = options.env['KUBECONFIG'];
  if (fromEnv) {
    const listed = fromEnv.split(path.delimiter).filter(Boolean).map((file) => path.resolve(options.cwd, file));
    const present = [...new Set(listed)].filter((file) => existsSync(file));
    if (present.length === 0) throw new KubeconfigError(`none of the files in KUBECONFIG exists (${fromEnv})`);
    return present;
  }
  const home = options.env['HOME'] ?? options.env['USERPROFILE'];
  const fallback = home ? path.join(home, '.kube', 'config') : null;
  return fallback && existsSync(fallback) ? [fallback] : [];
}

/** The cluster as its context's client sees it: behind the environment's proxy when it names none of its own. */
function withEnvironmentProxy<T extends Named>(cluster: T, env: KubeconfigOptions['env']): T {
  const entry = cluster as T & { server?: unknown; proxyUrl?: unknown };
  if (entry.proxyUrl || typeof entry.server !== 'string') return cluster;
  const proxy = proxyFromEnvironment(entry.server, env);
  return proxy === null ? cluster : { ...cluster, proxyUrl: proxy };
}

// kubectl's merge rule: the first file that defines a name (or the current context) wins.
function mergeFirstWins<T extends Named>(into: T[], from: readonly T[]): void {
  for (const entry of from) if (!into.some((existing) => existing.name === entry.name)) into.push(entry);
}

function inClusterConfig(KubeConfigClass: ClientNode['KubeConfig'], env: KubeconfigOptions['env'], saDir: string): LoadedKubeconfig {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) throw new KubeconfigError('--in-cluster: KUBERNETES_SERVICE_HOST is not set (not running in a pod?)');
  const tokenFile = path.join(saDir, 'token');
  if (!existsSync(tokenFile)) throw new KubeconfigError(`--in-cluster: no service account token at ${tokenFile} (automountServiceAccountToken off?)`);
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const options = {
    clusters: [withEnvironmentProxy({ name: IN_CLUSTER_CONTEXT, server, caFile: path.join(saDir, 'ca.crt'), skipTLSVerify: false }, env)],
    // A token file, re-read as the kubelet rotates it (projected tokens live an hour).
    users: [{ name: IN_CLUSTER_CONTEXT, authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: IN_CLUSTER_CONTEXT, cluster: IN_CLUSTER_CONTEXT, user: IN_CLUSTER_CONTEXT }],
    currentContext: IN_CLUSTER_CONTEXT,
  };
  return {
    contexts: [IN_CLUSTER_CONTEXT],
    current: IN_CLUSTER_CONTEXT,
    source: `service account in ${saDir}`,
    forContext(name) {
      if (name !== IN_CLUSTER_CONTEXT) throw new KubeconfigError(`context "${name}" not found: inside a cluster the only context is "${IN_CLUSTER_CONTEXT}"`);
      const config = new KubeConfigClass();
      config.loadFromOptions(structuredClone(options));
      return config;
    },
  };
}

/** Which contexts a run scans: `--context`, `--contexts`, `--all-contexts`, or the current one. */
export function chooseContexts(
  loaded: LoadedKubeconfig,
  choice: { context?: string; contexts?: string[]; allContexts?: boolean },
): string[] {
  const given = [choice.context !== undefined, choice.contexts !== undefined, choice.allContexts === true].filter(Boolean).length;
  if (given > 1) throw new KubeconfigError('use only one of --context, --contexts and --all-contexts');
  let names: string[];
  if (choice.allContexts) names = loaded.contexts;
  else if (choice.contexts) names = [...new Set(choice.contexts)];
  else if (choice.context !== undefined) names = [choice.context];
  else {
    if (!loaded.current) throw new KubeconfigError(`no current context in ${loaded.source}: use --context NAME (available: ${loaded.contexts.join(', ') || 'none'})`);
    names = [loaded.current];
  }
  if (names.length === 0) throw new KubeconfigError(`no contexts in ${loaded.source}`);
  const unknown = names.filter((name) => !loaded.contexts.includes(name));
  if (unknown.length > 0) {
    throw new KubeconfigError(
      `context${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')} not found in ${loaded.source} (available: ${loaded.contexts.join(', ') || 'none'})`,
    );
  }
  return names;
}

/**
 * kubectl resolves a user's `token-file`, and an exec command given as a path (`./bin/get-token`), against the
 * kubeconfig's directory, as it does certificate files. client-node resolves only the certificate files: it
 * reads a token file while it parses, from the working directory (an unreadable one drops the user), and
 * runs a relative command from there too. Returns the document with those two made absolute, or `null` when
 * nothing needs it; a document that does not parse is left to client-node.
 */
function withPathsResolved(text: string, directory: string): string | null {
  let document: unknown;
  try {
    document = jsYaml.load(text);
  } catch {
    return null;
  }
  const users = (document as { users?: unknown } | null)?.users;
  if (!Array.isArray(users)) return null;
  let changed = false;
  const resolve = (holder: Record<string, unknown>, key: string, onlyPaths: boolean): void => {
    const value = holder[key];
    if (typeof value !== 'string' || value === '' || path.isAbsolute(value) || (onlyPaths && !value.includes('/'))) return;
    holder[key] = path.join(directory, value);
    changed = true;
  };
  for (const entry of users) {
    const user = (entry as { user?: unknown } | null)?.user;
    if (typeof user !== 'object' || user === null) continue;
    resolve(user as Record<string, unknown>, 'token-file', false);
    const exec = (user as { exec?: unknown }).exec;
    // A bare command name is looked up on PATH, as by kubectl.
    if (typeof exec === 'object' && exec !== null) resolve(exec as Record<string, unknown>, 'command', true);
  }
  // Written back with its anchors: JSON would copy every alias out, and a few lines of them can stand for gigabytes.
  return changed ? jsYaml.dump(document) : null;
}

function firstLine(error: unknown): string {
  return String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
}
