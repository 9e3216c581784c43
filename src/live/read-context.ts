import pLimit from 'p-limit';
import { qualifiedKind } from '../core/kinds.js';
import type { Check, CoverageGap, InputError, KindName, KubeObject, Resource } from '../core/types.js';
import { createResource } from '../inventory/resource.js';
import { ApiError, type ApiClient } from './api-client.js';
import { reasonFor } from './discovery.js';
import { listAll, toLiveObject } from './list.js';
import { planReads, type ReadPlan } from './plan.js';
import { StringPool } from './prune.js';
import { displayResource } from './resource-names.js';

export const NO_SECRETS_REASON = 'skipped (--no-secrets)';

export interface ReadOptions {
  checks: readonly Check[];
  /** Read the Secrets checks name; `false` with `--no-secrets`. */
  secrets: boolean;
  /** Requests in flight at once. */
  concurrency: number;
  onProgress?: (progress: ReadProgress) => void;
}

export interface ReadProgress {
  phase: 'discovery' | 'listing';
  listsDone: number;
  listsTotal: number;
  objects: number;
}

/** Everything read from one context: objects plus what could not be read, for the inventory and the report. */
export interface ContextSnapshot {
  resources: Resource[];
  /** Kinds that could not be read, by the names checks use (`apps/DaemonSet`, `Secret`), with the reason. */
  forbidden: Map<string, string>;
  notInstalled: Set<string>;
  unreadable: CoverageGap[];
  /** Reads that failed for other reasons than RBAC (server errors, timeouts): the scan is incomplete. */
  errors: InputError[];
  plan: ReadPlan;
}

/**
 * Reads what the selected checks need from one context: discovery, one paginated LIST per resource type
 * (bounded concurrency), then the named Secrets by GET. RBAC denials become coverage gaps; a context-wide
 * failure (unreachable, TLS, credentials) is thrown as a fatal ApiError and stops the other requests.
 */
export async function readContext(client: ApiClient, context: string, options: ReadOptions, abort: AbortController): Promise<ContextSnapshot> {
  const limit = pLimit(options.concurrency);
  const report = (progress: ReadProgress): void => options.onProgress?.(progress);
  report({ phase: 'discovery', listsDone: 0, listsTotal: 0, objects: 0 });

  let plan: ReadPlan;
  try {
    plan = await planReads(client, options.checks, limit);
  } catch (error) {
    // Queued discovery requests must not go out for a context that has already failed.
    abort.abort();
    if (error instanceof ApiError && !error.fatal) throw new ApiError(error.kind, `API discovery failed: ${error.message}`, error.status);
    throw error;
  }
  const snapshot: ContextSnapshot = {
    resources: [],
    forbidden: new Map(),
    notInstalled: new Set(),
    unreadable: [],
    errors: [],
    plan,
  };
  for (const kind of plan.notInstalled) snapshot.notInstalled.add(kind);
  for (const { kind, reason } of plan.undiscoverable) {
    snapshot.forbidden.set(kind, reason);
    snapshot.unreadable.push({ resource: kind, reason: `API discovery failed: ${reason}`, context });
  }

  const origin = { type: 'cluster', context } as const;
  const pool = new StringPool();
  let listsDone = 0;
  let counted = 0;
  const listed = await Promise.all(
    plan.lists.map(({ resource, kinds }) =>
      limit(async () => {
        if (abort.signal.aborted) return [];
        const name = displayResource(resource.group, resource.resource);
        const keys = [...new Set([...kinds, qualifiedKind(resource.group, resource.kind)])];
        if (!resource.verbs.includes('list')) {
          markUnreadable(snapshot, keys, { resource: name, reason: 'the API does not support list', context });
          return [];
        }
        try {
          const objects = await listAll(client, resource, pool, (items) => {
            counted += items;
            report({ phase: 'listing', listsDone, listsTotal: plan.lists.length, objects: counted });
          });
          return objects.map((obj) => createResource({ obj, origin, clusterScoped: !resource.namespaced }));
        } catch (error) {
          const failure = fatalOrLocal(error, abort);
          if (failure.kind === 'not-found') {
            // The CRD went away between discovery and the list.
            for (const key of keys) snapshot.notInstalled.add(key);
            return [];
          }
          markUnreadable(snapshot, keys, { resource: name, reason: reasonFor(failure), context });
          if (failure.kind !== 'forbidden') snapshot.errors.push({ context, resource: name, message: failure.message });
          return [];
        } finally {
          listsDone++;
          report({ phase: 'listing', listsDone, listsTotal: plan.lists.length, objects: counted });
        }
      }),
    ),
  );
  for (const resources of listed) for (const resource of resources) snapshot.resources.push(resource);

  for (const secret of await readSecrets(client, context, plan, options, snapshot, limit, abort, pool)) {
    snapshot.resources.push(createResource({ obj: secret, origin, clusterScoped: false }));
  }
  return snapshot;
}

async function readSecrets(
  client: ApiClient,
  context: string,
  plan: ReadPlan,
  options: ReadOptions,
  snapshot: ContextSnapshot,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
  abort: AbortController,
  pool: StringPool,
): Promise<KubeObject[]> {
  if (plan.secrets.length === 0) return [];
  if (!options.secrets) {
    snapshot.forbidden.set('Secret', NO_SECRETS_REASON);
    snapshot.unreadable.push({ resource: 'secrets', reason: NO_SECRETS_REASON, context });
    return [];
  }
  const secrets = await Promise.all(
    plan.secrets.map((secret) =>
      limit(async () => {
        const path = `/api/v1/namespaces/${encodeURIComponent(secret.namespace)}/secrets/${encodeURIComponent(secret.name)}`;
        try {
          return toLiveObject(await client.get(path), { group: '', version: 'v1', kind: 'Secret' }, pool);
        } catch (error) {
          const failure = fatalOrLocal(error, abort);
          if (failure.kind === 'not-found') return null;
          // Checks see Secrets only as a kind: one unreadable named Secret makes their verdict unsure.
          const reason = reasonFor(failure);
          snapshot.forbidden.set('Secret', `${reason}: get ${secret.namespace}/${secret.name}`);
          snapshot.unreadable.push({ resource: 'secrets', namespace: secret.namespace, name: secret.name, reason, context });
          if (failure.kind !== 'forbidden') snapshot.errors.push({ context, resource: `secret ${secret.namespace}/${secret.name}`, message: failure.message });
          return null;
        }
      }),
    ),
  );
  return secrets.filter((secret): secret is KubeObject => secret !== null);
}

function markUnreadable(snapshot: ContextSnapshot, kinds: readonly KindName[], gap: CoverageGap): void {
  for (const kind of kinds) snapshot.forbidden.set(kind, gap.reason);
  snapshot.unreadable.push(gap);
}

/** A fatal error aborts the other requests of the context and propagates; the rest are handled locally. */
function fatalOrLocal(error: unknown, abort: AbortController): ApiError {
  if (error instanceof ApiError && !error.fatal) return error;
  if (!abort.signal.aborted) abort.abort();
  throw error;
}
