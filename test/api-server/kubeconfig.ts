import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export interface KubeconfigEntry {
  /** Context name; the cluster and user entries get the same name. */
  name: string;
  server: { url: string; caPem: string; token: string };
  /** Another token (an expired one, say); `null` for none. */
  token?: string | null;
  /** Another CA to trust (the wrong one, say). */
  caPem?: string;
  /** A server URL other than the one of `server` (an unreachable one, say). */
  url?: string;
  /** The cluster's `proxy-url`: the proxy its requests go through. */
  proxyUrl?: string;
}

/** A kubeconfig as kubectl writes it: CA data inline, bearer tokens, one cluster and user per context. */
export function kubeconfigYaml(entries: readonly KubeconfigEntry[], current: string | null = entries[0]?.name ?? null): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: entries.map((entry) => ({
      name: entry.name,
      cluster: {
        server: entry.url ?? entry.server.url,
        'certificate-authority-data': Buffer.from(entry.caPem ?? entry.server.caPem).toString('base64'),
        ...(entry.proxyUrl ? { 'proxy-url': entry.proxyUrl } : {}),
      },
    })),
    users: entries.map((entry) => {
      const token = entry.token === undefined ? entry.server.token : entry.token;
      return { name: entry.name, user: token === null ? {} : { token } };
    }),
    contexts: entries.map((entry) => ({ name: entry.name, context: { cluster: entry.name, user: entry.name } })),
    ...(current ? { 'current-context': current } : {}),
  });
}

export function writeKubeconfig(file: string, entries: readonly KubeconfigEntry[], current?: string | null): string {
  writeFileSync(file, kubeconfigYaml(entries, current === undefined ? (entries[0]?.name ?? null) : current));
  return file;
}
