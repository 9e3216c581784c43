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

/** The media types of aggregated discovery (Kubernetes 1.30 and 1.26 to 1.29), then plain JSON for older servers. */
export const AGGREGATED_DISCOVERY_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

/** One API group as discovery describes it. */
interface GroupInfo {
  /** Versions in the server's order of preference. */
  versions: string[];
  /** The resources of one version: from the aggregated document at once, or asked for. Rejects when unknown. */
  resources(version: string): Promise<ApiResource[]>;
}

/**
 * Finds the resources behind the kinds checks name. Servers since Kubernetes 1.26 describe every group,
 * version and resource in two answers (`/api` and `/apis` with aggregated discovery), asked for together:
 * discovery costs one round trip. Older servers answer with the list of groups; then kfscan asks only about
 * the groups the kinds live in, all versions of a group at once (Kubeflow's ScheduledWorkflow is v1beta1
 * while Notebook is v1), so that this costs two round trips, not one more per version.
 */
export async function discoverKinds(
  client: ApiClient,
  kinds: readonly KindName[],
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): Promise<Map<KindName, KindResolution>> {
  const aggregated = { accept: AGGREGATED_DISCOVERY_ACCEPT };
  const [coreAnswer, groupsAnswer] = await Promise.all([limit(() => client.get('/api', undefined, aggregated)), limit(() => client.get('/apis', undefined, aggregated))]);

  const versionCache = new Map<string, Promise<ApiResource[]>>();
  const fetchVersion = (group: string, version: string): Promise<ApiResource[]> => {
    const key = `${group}/${version}`;
    let cached = versionCache.get(key);
    if (!cached) {
      cached = limit(() => fetchResources(client, group, version));
      // Failures surface where the version is looked at, if it is.
      cached.catch(() => {});
      versionCache.set(key, cached);
    }
    return cached;
  };

  const groups = new Map<string, GroupInfo>();
  const coreDocument = asObject(coreAnswer);
  if (coreDocument?.['kind'] === 'APIGroupDiscoveryList') {
    for (const [name, info] of aggregatedGroups(coreDocument)) if (name === '') groups.set('', info);
  } else if (asArray(coreDocument?.['versions']).includes('v1')) {
    groups.set('', { versions: ['v1'], resources: (version) => fetchVersion('', version) });
  }
  const groupsDocument = asObject(groupsAnswer);
  if (groupsDocument?.['kind'] === 'APIGroupDiscoveryList') {
    for (const [name, info] of aggregatedGroups(groupsDocument)) if (name !== '') groups.set(name, info);
  } else {
    for (const entry of asArray(groupsDocument?.['groups'])) {
      const group = asObject(entry);
      const name = asString(group?.['name']);
      if (!name) continue;
      const preferred = asString(asObject(group?.['preferredVersion'])?.['version']);
      const listed = asArray(group?.['versions']).flatMap((v) => asString(asObject(v)?.['version']) ?? []);
      const versions = preferred ? [preferred, ...listed.filter((v) => v !== preferred)] : listed;
      groups.set(name, { versions, resources: (version) => fetchVersion(name, version) });
    }
  }

  const findInGroup = async (group: string, kind: string): Promise<KindResolution> => {
    const info = groups.get(group);
    if (!info) return { state: 'not-installed' };
    // Every version at once: a kind missing from the preferred one costs no further round trip.
    const answers = await Promise.allSettled(info.versions.map((version) => info.resources(version)));
    let failure: string | null = null;
    for (const answer of answers) {
      if (answer.status === 'fulfilled') {
        const found = answer.value.filter((r) => r.kind === kind);
        if (found.length > 0) return { state: 'served', resources: found.slice(0, 1) };
        continue;
      }
      const error: unknown = answer.reason;
      if (!(error instanceof ApiError) || error.fatal) throw error;
      // A stale aggregated API answers 404 or 503 for its group; other versions may still answer.
      if (error.kind !== 'not-found') failure ??= reasonFor(error);
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

/**
 * The groups of an aggregated discovery document (`APIGroupDiscoveryList`): versions in order of
 * preference with their resources. A version marked `Stale` comes from an aggregated API server that did
 * not answer the API server: what it lists may be out of date, so it counts as a version that failed.
 */
function aggregatedGroups(document: Record<string, unknown>): Map<string, GroupInfo> {
  const groups = new Map<string, GroupInfo>();
  for (const entry of asArray(document['items'])) {
    const item = asObject(entry);
    if (!item) continue;
    const name = asString(asObject(item['metadata'])?.['name']) ?? '';
    const byVersion = new Map<string, ApiResource[] | ApiError>();
    for (const versionEntry of asArray(item['versions'])) {
      const versionObject = asObject(versionEntry);
      const version = asString(versionObject?.['version']);
      if (!versionObject || !version || byVersion.has(version)) continue;
      if (versionObject['freshness'] === 'Stale') {
        byVersion.set(version, new ApiError('server', `the API server's discovery of ${name === '' ? version : `${name}/${version}`} is stale: the API service behind it does not answer`));
        continue;
      }
      byVersion.set(
        version,
        asArray(versionObject['resources']).flatMap((resourceEntry): ApiResource[] => {
          const resource = asObject(resourceEntry);
          const plural = asString(resource?.['resource']);
          const kind = asString(asObject(resource?.['responseKind'])?.['kind']);
          if (!resource || !plural || !kind || plural.includes('/')) return [];
          const verbs = asArray(resource['verbs']).flatMap((verb) => asString(verb) ?? []);
          return [{ group: name, version, kind, resource: plural, namespaced: resource['scope'] === 'Namespaced', verbs }];
        }),
      );
    }
    groups.set(name, {
      versions: [...byVersion.keys()],
      resources: (version) => {
        const known = byVersion.get(version);
        return known instanceof ApiError ? Promise.reject(known) : Promise.resolve(known ?? []);
      },
    });
  }
  return groups;
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
