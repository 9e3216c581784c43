import { asArray, asObject, asString } from '../core/json.js';
import type { KubeObject } from '../core/types.js';
import { ApiError, type ApiClient } from './api-client.js';
import type { ApiResource } from './discovery.js';
import { pruneLiveObject, StringPool } from './prune.js';

/** Page size: what kubectl uses, and small enough that one page of pods stays a few megabytes. */
export const PAGE_SIZE = 500;
// A continue token expires after a few minutes (410 Gone); starting over once is what kubectl does.
const RESTARTS_ON_EXPIRY = 1;
// A million objects of one kind, far above what a cluster holds: a server that keeps handing out new
// continue tokens must not keep kfscan reading (and holding) pages for ever.
export const MAX_PAGES = 2_000;

export function apiVersionOf(resource: Pick<ApiResource, 'group' | 'version'>): string {
  return resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
}

export function collectionPath(resource: Pick<ApiResource, 'group' | 'version' | 'resource'>, namespace: string | null = null): string {
  const base = resource.group === '' ? `/api/${resource.version}` : `/apis/${resource.group}/${resource.version}`;
  return `${base}${namespace === null ? '' : `/namespaces/${encodeURIComponent(namespace)}`}/${resource.resource}`;
}

/**
 * Every object of one resource type, cluster-wide, page by page (`limit` + `continue`). Items of built-in
 * lists come without `kind` and `apiVersion`; they get them here, and lose what no check reads.
 */
export async function listAll(client: ApiClient, resource: ApiResource, pool: StringPool, onPage?: (items: number) => void): Promise<KubeObject[]> {
  for (let restart = 0; ; restart++) {
    const objects: KubeObject[] = [];
    let token: string | null = null;
    const seen = new Set<string>();
    try {
      do {
        if (seen.size >= MAX_PAGES) throw new ApiError('malformed', `the list of ${resource.resource} did not end after ${MAX_PAGES} pages of ${PAGE_SIZE}`);
        const query: Record<string, string> = { limit: String(PAGE_SIZE) };
        if (token) query['continue'] = token;
        const page = asObject(await client.get(collectionPath(resource), query));
        if (!page || !Array.isArray(page['items'])) throw new ApiError('malformed', `the list of ${resource.resource} has no items`);
        for (const item of page['items']) {
          const object = toLiveObject(item, resource, pool);
          if (object) objects.push(object);
        }
        onPage?.(page['items'].length);
        const next = asString(asObject(page['metadata'])?.['continue']);
        if (next && seen.has(next)) throw new ApiError('malformed', `the server returned a continue token for ${resource.resource} it had returned before: the list would never end`);
        if (next) seen.add(next);
        token = next || null;
      } while (token);
      return objects;
    } catch (error) {
      if (error instanceof ApiError && error.kind === 'gone' && restart < RESTARTS_ON_EXPIRY) continue;
      throw error;
    }
  }
}

export function toLiveObject(item: unknown, resource: Pick<ApiResource, 'group' | 'version' | 'kind'>, pool: StringPool): KubeObject | null {
  const object = asObject(item);
  if (!object || !asObject(object['metadata'])) return null;
  pruneLiveObject(object, resource.kind);
  pool.share(object);
  object['apiVersion'] = apiVersionOf(resource);
  object['kind'] = resource.kind;
  return object as KubeObject;
}
