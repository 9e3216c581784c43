import { parseKindName } from '../core/kinds.js';
import type { Check, KindName } from '../core/types.js';
import type { ApiClient } from './api-client.js';
import { discoverKinds, type ApiResource } from './discovery.js';

export interface NamedSecret {
  namespace: string;
  name: string;
}

/** What a scan reads from one cluster, derived from the selected checks' metadata and discovery. */
export interface ReadPlan {
  /** One cluster-wide LIST per resource; `kinds` are the names checks used for it. */
  lists: Array<{ resource: ApiResource; kinds: KindName[] }>;
  /** Kinds whose API the cluster does not serve. */
  notInstalled: KindName[];
  /** Kinds whose group could not be discovered. */
  undiscoverable: Array<{ kind: KindName; reason: string }>;
  /** Secrets read one by one with GET. */
  secrets: NamedSecret[];
}

/** The kinds checks need, minus Secret: Secrets are never listed, only read by name. */
export function neededKinds(checks: readonly Check[]): KindName[] {
  // Namespaces always: a kfscan.io/ignore annotation on a Namespace applies to every check.
  const kinds = new Set<KindName>(['Namespace']);
  for (const check of checks) for (const kind of check.meta.needs) if (!isCoreSecret(kind)) kinds.add(kind);
  return [...kinds].sort();
}

export function neededSecrets(checks: readonly Check[]): NamedSecret[] {
  const seen = new Map<string, NamedSecret>();
  for (const check of checks) {
    for (const secret of check.meta.namedSecrets ?? []) seen.set(`${secret.namespace}/${secret.name}`, { namespace: secret.namespace, name: secret.name });
  }
  return [...seen.values()].sort((a, b) => (a.namespace === b.namespace ? compare(a.name, b.name) : compare(a.namespace, b.namespace)));
}

export async function planReads(client: ApiClient, checks: readonly Check[], limit: <T>(task: () => Promise<T>) => Promise<T>): Promise<ReadPlan> {
  const kinds = neededKinds(checks);
  const resolutions = await discoverKinds(client, kinds, limit);
  const plan: ReadPlan = { lists: [], notInstalled: [], undiscoverable: [], secrets: neededSecrets(checks) };
  const byResource = new Map<string, { resource: ApiResource; kinds: KindName[] }>();
  for (const kind of kinds) {
    const resolution = resolutions.get(kind)!;
    if (resolution.state === 'not-installed') plan.notInstalled.push(kind);
    else if (resolution.state === 'unknown') plan.undiscoverable.push({ kind, reason: resolution.reason });
    else {
      for (const resource of resolution.resources) {
        if (resource.group === '' && resource.resource === 'secrets') continue;
        const key = `${resource.group}/${resource.resource}`;
        const entry = byResource.get(key) ?? { resource, kinds: [] };
        entry.kinds.push(kind);
        byResource.set(key, entry);
      }
    }
  }
  plan.lists = [...byResource.values()].sort((a, b) => listRank(a.resource) - listRank(b.resource));
  return plan;
}

// The collections that run to many pages in most clusters. A list's pages come one after the other, so
// these are asked for first: the short lists then fill the other requests in flight beside them instead
// of delaying their start.
const LONG_LISTS = ['/pods', 'apps/replicasets', '/configmaps', 'apps/deployments', '/services', 'batch/jobs', '/namespaces'];

function listRank(resource: ApiResource): number {
  const rank = LONG_LISTS.indexOf(`${resource.group}/${resource.resource}`);
  return rank === -1 ? LONG_LISTS.length : rank;
}

function isCoreSecret(kind: KindName): boolean {
  const { group, kind: bare } = parseKindName(kind);
  return bare === 'Secret' && (group === null || group === '');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
