import pLimit from 'p-limit';
import { errorText } from '../core/error-text.js';
import { buildInventory, extendInventory } from '../inventory/inventory.js';
import { declaredReads, guardReads, strictReadsEnabled } from '../inventory/read-guard.js';
import { describeCheck } from '../plugins/provenance.js';
import { qualifiedKind } from '../core/kinds.js';
import type { Check, CoverageGap, InputError, Inventory, KindName, KubeObject, Resource } from '../core/types.js';
import { extractPodTemplates } from '../inventory/pod-templates.js';
import { createResource } from '../inventory/resource.js';
import { ApiError, type ApiClient } from './api-client.js';
import { reasonFor, type ApiResource } from './discovery.js';
import { collectSoonerWhenLarge } from './heap.js';
import { listAll, toLiveObject } from './list.js';
import { neededKinds, planReads, type ReadPlan } from './plan.js';
import { displayResource } from '../kube/resource-names.js';

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
  /** The inventory of exactly `resources`, when one was built while reading (to ask checks which Secrets they need). */
  inventory: Inventory | null;
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

  const origin = { type: 'cluster', context } as const;
  let plan: ReadPlan | null = null;
  let listsDone = 0;
  let counted = 0;
  const reportListing = (): void => report(plan ? { phase: 'listing', listsDone, listsTotal: plan.lists.length, objects: counted } : { phase: 'discovery', listsDone: 0, listsTotal: 0, objects: counted });
  /** Reads one list, turning each page into resources as it comes; rejects as `listAll` does. */
  const readList = async (resource: ApiResource, wanted: () => boolean = () => true): Promise<Resource[]> => {
    let resources: Resource[] = [];
    let attempt = 0;
    await listAll(client, resource, (objects, pageAttempt) => {
      if (!wanted()) throw new DroppedList();
      if (pageAttempt !== attempt) {
        attempt = pageAttempt;
        resources = [];
      }
      for (const obj of objects) {
        const created = createResource({ obj, origin, clusterScoped: !resource.namespaced });
        // Done now, between pages, rather than all at once when the analysis starts.
        extractPodTemplates(created);
        resources.push(created);
      }
      counted += objects.length;
      collectSoonerWhenLarge(counted);
      reportListing();
    });
    return resources;
  };

  const planning = planReads(client, options.checks, limit);
  // Every cluster serves pods as core v1, and the pod list is the one that runs to many pages: it goes out
  // beside discovery (queued after it) instead of one round trip later. It is used only when discovery
  // then plans exactly this list; otherwise it is dropped unseen.
  const early = neededKinds(options.checks).includes('Pod') ? earlyList(CORE_PODS, readList, limit) : null;
  try {
    plan = await planning;
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
    inventory: null,
  };
  for (const kind of plan.notInstalled) snapshot.notInstalled.add(kind);
  for (const { kind, reason } of plan.undiscoverable) {
    snapshot.forbidden.set(kind, reason);
    snapshot.unreadable.push({ resource: kind, reason: `API discovery failed: ${reason}`, context });
  }

  const reading: SecretReading = { client, context, snapshot, limit, abort };
  const earlyEntry = early ? plan.lists.find(({ resource }) => sameList(resource, early.resource) && resource.verbs.includes('list')) : undefined;
  if (early && !earlyEntry) early.drop();
  const lists = Promise.all(
    plan.lists.map(({ resource, kinds }) => {
      const fromEarly = earlyEntry?.resource === resource ? early : null;
      const read = async (): Promise<Resource[]> => {
        if (abort.signal.aborted) return [];
        const name = displayResource(resource.group, resource.resource);
        const keys = [...new Set([...kinds, qualifiedKind(resource.group, resource.kind)])];
        if (!resource.verbs.includes('list')) {
          markUnreadable(snapshot, keys, { resource: name, reason: 'the API does not support list', context });
          return [];
        }
        try {
          return await (fromEarly ? fromEarly.resources : readList(resource));
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
          reportListing();
        }
      };
      // The early list already holds its place among the requests in flight.
      return fromEarly ? read() : limit(read);
    }),
  );
  // The named Secrets do not depend on the lists; asked for after them, they queue behind the lists' first
  // requests, so that the long lists start first.
  const namedSecrets = readSecrets(reading, plan, options);
  namedSecrets.catch(() => {});
  const listed = await lists;
  for (const resources of listed) for (const resource of resources) snapshot.resources.push(resource);

  for (const secret of await namedSecrets) {
    snapshot.resources.push(createResource({ obj: secret, origin, clusterScoped: false }));
  }
  const referenced = (await readReferencedSecrets(reading, plan, options)).map((secret) => createResource({ obj: secret, origin, clusterScoped: false }));
  for (const secret of referenced) snapshot.resources.push(secret);
  // The inventory the checks were asked with serves the analysis too, with the Secrets they named added:
  // what it worked out without reading Secrets (every pod template's references, for one) is kept.
  if (referenced.length > 0 && snapshot.inventory) snapshot.inventory = extendInventory(snapshot.inventory, referenced);
  return snapshot;
}

/** Pods as every Kubernetes version serves them (what discovery says of them is checked before the list is used). */
const CORE_PODS: ApiResource = { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, verbs: ['list'] };

interface EarlyList {
  resource: ApiResource;
  /** The list's resources; never rejects before someone awaits it. */
  resources: Promise<Resource[]>;
  /** Discovery planned something else: the list stops at its next page and nothing of it is kept. */
  drop(): void;
}

class DroppedList extends Error {}

function earlyList(
  resource: ApiResource,
  readList: (resource: ApiResource, wanted: () => boolean) => Promise<Resource[]>,
  limit: <T>(task: () => Promise<T>) => Promise<T>,
): EarlyList {
  let dropped = false;
  const resources = limit(() => (dropped ? Promise.reject(new DroppedList()) : readList(resource, () => !dropped)));
  // Failures surface where the list is used, if it is.
  resources.catch(() => {});
  return { resource, resources, drop: () => (dropped = true) };
}

function sameList(a: ApiResource, b: ApiResource): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource && a.kind === b.kind && a.namespaced === b.namespaced;
}

/**
 * Secrets whose names only the listed objects tell (generated names a Deployment refers to), asked of
 * the checks once everything else is read. A denied one is a gap for that Secret alone: the checks then
 * say they could not decide about it, and still judge the Secrets they could read.
 */
async function readReferencedSecrets(reading: SecretReading, plan: ReadPlan, options: ReadOptions): Promise<KubeObject[]> {
  const { context, snapshot } = reading;
  const askers = options.checks.filter((check) => check.secretsToRead !== undefined);
  if (!options.secrets || askers.length === 0) return [];
  const inventory = buildInventory(snapshot.resources, { mode: 'cluster', context, forbidden: snapshot.forbidden, notInstalled: snapshot.notInstalled });
  snapshot.inventory = inventory;
  const known = new Set(plan.secrets.map((secret) => `${secret.namespace}/${secret.name}`));
  const wanted = new Map<string, { namespace: string; name: string }>();
  // A Secret is optional only when every check that asks for it says so.
  const required = new Set<string>();
  const strict = strictReadsEnabled();
  for (const check of askers) {
    // A plugin's check is code from outside: when it fails, its Secrets are not read and the scan goes on.
    try {
      const view = strict ? guardReads(inventory, declaredReads(check, describeCheck(check))) : inventory;
      for (const secret of check.secretsToRead!(view)) {
        if (typeof secret?.namespace !== 'string' || typeof secret.name !== 'string') throw new TypeError('secretsToRead() must yield { namespace, name } strings');
        const key = `${secret.namespace}/${secret.name}`;
        if (!known.has(key)) wanted.set(key, { namespace: secret.namespace, name: secret.name });
        if (secret.optional !== true) required.add(key);
      }
    } catch (error) {
      snapshot.errors.push({ context, message: `${describeCheck(check)} failed in secretsToRead(): ${errorText(error)}` });
    }
  }
  return getSecrets(reading, [...wanted.values()], undefined, (secret) => !required.has(`${secret.namespace}/${secret.name}`));
}

async function readSecrets(reading: SecretReading, plan: ReadPlan, options: ReadOptions): Promise<KubeObject[]> {
  const { context, snapshot } = reading;
  if (plan.secrets.length === 0) return [];
  if (!options.secrets) {
    snapshot.forbidden.set('Secret', NO_SECRETS_REASON);
    snapshot.unreadable.push({ resource: 'secrets', reason: NO_SECRETS_REASON, context });
    return [];
  }
  // Checks see named Secrets only as a kind: one unreadable named Secret makes their verdict unsure. The
  // reason names the first unreadable one in the plan's order, whatever order the answers came in.
  const unreadable: Array<{ secret: { namespace: string; name: string }; reason: string }> = [];
  const secrets = await getSecrets(reading, plan.secrets, (secret, reason) => unreadable.push({ secret, reason }));
  const first = plan.secrets.map((secret) => unreadable.find((u) => u.secret === secret)).find((u) => u !== undefined);
  if (first) snapshot.forbidden.set('Secret', `${first.reason}: get ${first.secret.namespace}/${first.secret.name}`);
  return secrets;
}

/** What reading Secrets of one context needs. */
interface SecretReading {
  client: ApiClient;
  context: string;
  snapshot: ContextSnapshot;
  limit: <T>(task: () => Promise<T>) => Promise<T>;
  abort: AbortController;
}

/** GETs Secrets by name; a missing one is no Secret, a denied or failed one a coverage gap. */
async function getSecrets(
  { client, context, snapshot, limit, abort }: SecretReading,
  wanted: ReadonlyArray<{ namespace: string; name: string }>,
  onUnreadable: (secret: { namespace: string; name: string }, reason: string) => void = () => {},
  optional: (secret: { namespace: string; name: string }) => boolean = () => false,
): Promise<KubeObject[]> {
  const secrets = await Promise.all(
    wanted.map((secret) =>
      limit(async () => {
        const path = `/api/v1/namespaces/${encodeURIComponent(secret.namespace)}/secrets/${encodeURIComponent(secret.name)}`;
        try {
          return toLiveObject(await client.get(path), { group: '', version: 'v1', kind: 'Secret' });
        } catch (error) {
          const failure = fatalOrLocal(error, abort);
          if (failure.kind === 'not-found') return null;
          const reason = reasonFor(failure);
          // An optional Secret that RBAC refuses is left out quietly: the checks judge what they could read.
          if (failure.kind === 'forbidden' && optional(secret)) return null;
          onUnreadable(secret, reason);
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
