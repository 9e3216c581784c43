import { asArray, asObject, asString } from '../core/json.js';
import { parseKindName } from '../core/kinds.js';
import type { KindName } from '../core/types.js';
import { ApiError, type ApiClient } from './api-client.js';
import { builtinKind } from '../kube/resource-names.js';
import { append } from '../core/arrays.js';

/** One listable resource as the server serves it. */
export interface ApiResource {
  group: string;
  version: string;
  kind: string;
  /** Plural name used in URLs and RBAC. */
  resource: string;
  namespaced: boolean;
  verbs: readonly string[];
}

export type KindResolution =
  | { state: 'served'; resources: ApiResource[] }
  /** No served version of the API has the kind: the CRD is not installed. */
  | { state: 'not-installed' }
  /** Discovery of the group failed (403, aggregated API down): whether the kind exists is unknown. */
  | { state: 'unknown'; reason: string };

interface GroupInfo {
  /** Versions in the server's order of preference. */
  versions: string[];
}

/**
 * Finds the resources behind the kinds checks name, asking the server only about the groups those kinds
 * live in: `/api`, `/apis`, then the preferred version of each group, and further versions only for kinds
 * the preferred one lacks (Kubeflow's ScheduledWorkflow is v1beta1 while Notebook is v1).
 */
export async function discoverKinds(
  client: ApiClient,
  kinds: readonly KindName[],
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<Map<KindName, KindResolution>> {
  const [core, groupList] = await Promise.all([
    limit(async () => {
      const versions = asArray(asObject(await client.get('/api'))?.['versions']);
      return versions.includes('v1') ? await fetchResources(client, '', 'v1') : [];
    }),
    limit(() => client.get('/apis')),
  ]);
  const groups = new Map<string, GroupInfo>();
  for (const entry of asArray(asObject(groupList)?.['groups'])) {
    const group = asObject(entry);
    const name = asString(group?.['name']);
    if (!name) continue;
    const preferred = asString(asObject(group?.['preferredVersion'])?.['version']);
    const listed = asArray(group?.['versions']).flatMap((v) => asString(asObject(v)?.['version']) ?? []);
    const versions = preferred ? [preferred, ...listed.filter((v) => v !== preferred)] : listed;
    groups.set(name, { versions });
  }

  const versionCache = new Map<string, Promise<ApiResource[]>>();
  const groupVersion = (group: string, version: string): Promise<ApiResource[]> => {
    const key = `${group}/${version}`;
    let cached = versionCache.get(key);
    if (!cached) {
      cached = limit(() => fetchResources(client, group, version));
      versionCache.set(key, cached);
    }
    return cached;
  };

  const findInGroup = async (group: string, kind: string): Promise<KindResolution> => {
    if (group === '') {
      const found = core.filter((r) => r.kind === kind);
      return found.length > 0 ? { state: 'served', resources: found } : { state: 'not-installed' };
    }
    const info = groups.get(group);
    if (!info) return { state: 'not-installed' };
    let failure: string | null = null;
    for (const version of info.versions) {
      try {
        const found = (await groupVersion(group, version)).filter((r) => r.kind === kind);
        if (found.length > 0) return { state: 'served', resources: found.slice(0, 1) };
      } catch (error) {
        if (!(error instanceof ApiError) || error.fatal) throw error;
        // A stale aggregated API answers 404 or 503 for its group; other versions may still answer.
        if (error.kind !== 'not-found') failure ??= reasonFor(error);
      }
    }
    return failure ? { state: 'unknown', reason: failure } : { state: 'not-installed' };
  };

  const resolve = async (name: KindName): Promise<KindResolution> => {
    const { group, kind } = parseKindName(name);
    if (group !== null) return findInGroup(group, kind);
    const builtin = builtinKind(kind);
    if (builtin) return findInGroup(builtin.group, kind);
    // A bare custom kind: every group that serves it, as offline `ofKind` would see them all.
    const found: ApiResource[] = [];
    let unknown: string | null = null;
    const inCore = await findInGroup('', kind);
    if (inCore.state === 'served') append(found, inCore.resources);
    for (const resolution of await Promise.all([...groups.keys()].map((g) => findInGroup(g, kind)))) {
      if (resolution.state === 'served') append(found, resolution.resources);
      else if (resolution.state === 'unknown') unknown ??= resolution.reason;
    }
    if (found.length > 0) return { state: 'served', resources: found };
    return unknown ? { state: 'unknown', reason: unknown } : { state: 'not-installed' };
  };

  const unique = [...new Set(kinds)];
  const resolutions = await Promise.all(unique.map(resolve));
  return new Map(unique.map((kind, index) => [kind, resolutions[index]!]));
}

async function fetchResources(client: ApiClient, group: string, version: string): Promise<ApiResource[]> {
  const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const list = asObject(await client.get(path));
  return asArray(list?.['resources']).flatMap((entry): ApiResource[] => {
    const resource = asObject(entry);
    const name = asString(resource?.['name']);
    const kind = asString(resource?.['kind']);
    // Subresources (`pods/log`, `deployments/scale`) are not objects to list.
    if (!resource || !name || !kind || name.includes('/')) return [];
    const verbs = asArray(resource['verbs']).flatMap((verb) => asString(verb) ?? []);
    return [{ group, version, kind, resource: name, namespaced: resource['namespaced'] === true, verbs }];
  });
}

export function reasonFor(error: ApiError): string {
  return error.kind === 'forbidden' ? 'forbidden' : error.message;
}
