import { scalarText } from '../core/json.js';
import { parseKindName, qualifiedKind } from '../core/kinds.js';
import type {
  Inventory,
  KindName,
  PodTemplateSite,
  Readability,
  Resource,
} from '../core/types.js';
import { extractPodTemplates } from './pod-templates.js';
import { matchesLabelSelector, matchesMapSelector, requiredPairs, toLabelSelector } from './selectors.js';

export interface InventoryOptions {
  mode: 'manifests' | 'cluster';
  context?: string | null;
  wholeCluster?: boolean;
  /** Kinds (qualified `group/Kind`, or bare for core) that could not be read, with the reason. */
  forbidden?: ReadonlyMap<string, string>;
  /** Kinds whose API is not served by the cluster. */
  notInstalled?: ReadonlySet<string>;
}

const EMPTY: readonly never[] = Object.freeze([]);
// Not kind names: what a memoised analysis read besides kinds.
const READ_POD_TEMPLATES = '\0pods';
const READ_ALL = '\0all';
// Not a namespace name: the key under which indexes keep every namespace's entries.
const ALL_NAMESPACES = '\0*';
const READABLE: Readability = { state: 'readable' };

/**
 * The one index over all inputs. Built once; every query is a map lookup, so checks can ask for
 * "the Services in istio-system" or "pods labelled istio=ingressgateway" inside loops without going
 * quadratic.
 */
export function buildInventory(input: readonly Resource[], options: InventoryOptions): Inventory {
  // One canonical order whatever the source: files list objects in their own order, the API server in
  // another. Checks that report "the first" of something must give the same answer offline and live.
  return indexInventory([...input].sort(canonicalOrder), options, null);
}

/** What an inventory keeps to be extended: its sorted objects, options, memos and what each memo read. */
interface Internals {
  resources: readonly Resource[];
  options: InventoryOptions;
  memos: ReadonlyMap<string, unknown>;
  readsOf: ReadonlyMap<string, ReadonlySet<string>>;
}
const internalsOf = new WeakMap<Inventory, Internals>();

/**
 * The inventory of `base`'s objects and `added` (live mode: the Secrets the checks named once they had
 * seen the rest), as `buildInventory` of all of them would give, keeping the analyses `base` memoised
 * that read nothing of the added kinds: they would come out the same, and a large cluster's cost twice.
 */
export function extendInventory(base: Inventory, added: readonly Resource[]): Inventory {
  const internals = internalsOf.get(base);
  if (!internals) throw new Error('extendInventory: not an inventory built by buildInventory');
  const resources = [...internals.resources, ...added].sort(canonicalOrder);
  const addedKinds = new Set(added.map((resource) => resource.ref.kind));
  const addedPods = added.some((resource) => extractPodTemplates(resource).length > 0);
  const unchanged = (read: string): boolean => {
    if (read === READ_ALL) return false;
    if (read === READ_POD_TEMPLATES) return !addedPods;
    return !addedKinds.has(parseKindName(read).kind);
  };
  const kept = new Map<string, { value: unknown; reads: ReadonlySet<string> }>();
  for (const [key, value] of internals.memos) {
    const reads = internals.readsOf.get(key);
    if (reads && [...reads].every(unchanged)) kept.set(key, { value, reads });
  }
  return indexInventory(resources, internals.options, kept);
}

function indexInventory(resources: readonly Resource[], options: InventoryOptions, kept: ReadonlyMap<string, { value: unknown; reads: ReadonlySet<string> }> | null): Inventory {
  const byQualifiedKind = new Map<string, Resource[]>();
  const byKind = new Map<string, Resource[]>();
  const byNamespace = new Map<string, Resource[]>();
  // kind -> namespace -> name: no key string per object, which a large cluster would pay for in memory.
  const byName = new Map<string, Map<string, Map<string, Resource>>>();
  const memos = new Map<string, unknown>();
  // What each memoised analysis read (kind names as queried), for extendInventory; `open` holds the reads
  // of the analyses being computed, innermost last: a read counts for each of them.
  const readsOf = new Map<string, ReadonlySet<string>>();
  const open: Array<Set<string>> = [];
  // Called by every query: outside a memoised analysis (most of them) the loop does not start, and being an
  // index loop it makes no iterator either.
  const note = (read: string): void => {
    for (let index = 0; index < open.length; index++) open[index]!.add(read);
  };
  if (kept) {
    for (const [key, { value, reads }] of kept) {
      memos.set(key, value);
      readsOf.set(key, reads);
    }
  }

  for (const resource of resources) {
    const qualified = qualifiedKind(resource.group, resource.ref.kind);
    push(byQualifiedKind, qualified, resource);
    push(byKind, resource.ref.kind, resource);
    const ns = resource.ref.namespace ?? '';
    push(byNamespace, `${qualified}\0${ns}`, resource);
    push(byNamespace, `${resource.ref.kind}\0${ns}`, resource, qualified !== resource.ref.kind);
    // Later definitions win, as `kubectl apply` of the same object twice would leave the last one.
    nameIndex(byName, qualified, ns).set(resource.ref.name, resource);
    if (qualified !== resource.ref.kind) nameIndex(byName, resource.ref.kind, ns).set(resource.ref.name, resource);
  }

  trim(byNamespace);

  let podTemplates: PodTemplateSite[] | null = null;
  let podsByNamespace: Map<string, PodTemplateSite[]> | null = null;
  // Pod templates by the value of one label key, indexed on the first query that names the key: most keys
  // (pod-template-hash, controller-uid) are never asked about, and indexing every label of every pod of a
  // large cluster would cost more than all the queries together. Key, then namespace (ALL_NAMESPACES for
  // all), then value: nested maps, so that indexing a key builds no string per pod.
  const podsByLabel = new Map<string, Map<string, Map<string, PodTemplateSite[]>>>();
  let serviceIndex: Map<string, Resource[]> | null = null;

  const allPodTemplates = (): PodTemplateSite[] => {
    podTemplates ??= resources.flatMap(extractPodTemplates);
    return podTemplates;
  };
  const readPodTemplates = (): PodTemplateSite[] => {
    note(READ_POD_TEMPLATES);
    return allPodTemplates();
  };

  const podsIn = (namespace: string): readonly PodTemplateSite[] => {
    if (!podsByNamespace) {
      podsByNamespace = new Map();
      for (const site of allPodTemplates()) push(podsByNamespace, site.namespace, site);
      trim(podsByNamespace);
      podsByNamespace.set(ALL_NAMESPACES, allPodTemplates());
    }
    return podsByNamespace.get(namespace) ?? EMPTY;
  };

  const podsLabelled = (namespace: string, key: string, value: string): readonly PodTemplateSite[] => {
    let index = podsByLabel.get(key);
    if (!index) {
      index = new Map([[ALL_NAMESPACES, new Map<string, PodTemplateSite[]>()]]);
      const everywhere = index.get(ALL_NAMESPACES)!;
      let inNamespace: Map<string, PodTemplateSite[]> | null = null;
      let current: string | null = null;
      // Sites come grouped by namespace (the resources are sorted): one namespace lookup per group.
      for (const site of allPodTemplates()) {
        const label = site.labels[key];
        if (label === undefined || !Object.hasOwn(site.labels, key)) continue;
        if (site.namespace !== current) {
          current = site.namespace;
          inNamespace = index.get(current) ?? null;
          if (!inNamespace) index.set(current, (inNamespace = new Map<string, PodTemplateSite[]>()));
        }
        push(inNamespace!, label, site);
        push(everywhere, label, site);
      }
      for (const values of index.values()) trim(values);
      podsByLabel.set(key, index);
    }
    return index.get(namespace)?.get(value) ?? EMPTY;
  };

  // Services indexed by one of their selector pairs: a pod's candidate Services are those indexed under
  // one of its own labels, then checked in full.
  const serviceLookup = (): Map<string, Resource[]> => {
    if (serviceIndex) return serviceIndex;
    serviceIndex = new Map();
    for (const service of byKind.get('Service') ?? EMPTY) {
      const selector = serviceSelector(service);
      const first = selector ? Object.entries(selector).sort(([a], [b]) => (a < b ? -1 : 1))[0] : undefined;
      const value = first ? scalarText(first[1]) : null;
      if (first && value !== null) push(serviceIndex, pairKey(service.ref.namespace ?? '', first[0], value), service);
    }
    return serviceIndex;
  };

  const lookupKind = (kind: KindName): readonly Resource[] => {
    note(kind);
    const { group, kind: bare } = parseKindName(kind);
    return (group === null ? byKind.get(bare) : byQualifiedKind.get(qualifiedKind(group, bare))) ?? EMPTY;
  };

  const inventory: Inventory = {
    mode: options.mode,
    context: options.context ?? null,
    wholeCluster: options.wholeCluster ?? options.mode === 'cluster',
    all: () => {
      note(READ_ALL);
      return resources;
    },
    ofKind: lookupKind,
    inNamespace: (kind, namespace) => {
      note(kind);
      return byNamespace.get(`${kind}\0${namespace}`) ?? EMPTY;
    },
    get: (kind, namespace, name) => {
      note(kind);
      return byName.get(kind)?.get(namespace ?? '')?.get(name);
    },
    podTemplates: readPodTemplates,
    podTemplatesMatching(namespace, selector) {
      note(READ_POD_TEMPLATES);
      const labelSelector = toLabelSelector(selector);
      const pairs = requiredPairs(labelSelector);
      const ns = namespace ?? ALL_NAMESPACES;
      let candidates = podsIn(ns);
      for (const [key, value] of pairs) {
        const list = podsLabelled(ns, key, value);
        if (list.length < candidates.length) candidates = list;
      }
      return candidates.filter((site) => matchesLabelSelector(labelSelector, site.labels));
    },
    servicesSelecting(site) {
      note('Service');
      const index = serviceLookup();
      const found = new Set<Resource>();
      for (const [key, value] of Object.entries(site.labels)) {
        for (const service of index.get(pairKey(site.namespace, key, value)) ?? EMPTY) {
          if (matchesMapSelector(serviceSelector(service), site.labels)) found.add(service);
        }
      }
      return [...found];
    },
    readability(kind) {
      note(kind);
      const { group, kind: bare } = parseKindName(kind);
      const candidates = group === null ? [...(options.forbidden?.keys() ?? [])].filter((k) => parseKindName(k).kind === bare) : [kind];
      for (const candidate of candidates) {
        const reason = options.forbidden?.get(candidate);
        if (reason !== undefined) return { state: 'forbidden', reason };
      }
      if (options.notInstalled?.has(kind)) return { state: 'not-installed' };
      return READABLE;
    },
    memo<T>(key: string, compute: () => T): T {
      if (memos.has(key)) {
        if (open.length > 0) for (const read of readsOf.get(key) ?? []) note(read);
        return memos.get(key) as T;
      }
      const reads = new Set<string>();
      open.push(reads);
      let value: T;
      try {
        value = compute();
      } finally {
        open.pop();
      }
      memos.set(key, value);
      readsOf.set(key, reads);
      return value;
    },
  };
  internalsOf.set(inventory, { resources, options, memos, readsOf });
  return inventory;
}

function canonicalOrder(a: Resource, b: Resource): number {
  return (
    compareText(a.group, b.group) ||
    compareText(a.ref.kind, b.ref.kind) ||
    compareText(a.ref.namespace ?? '', b.ref.namespace ?? '') ||
    compareText(a.ref.name, b.ref.name) ||
    compareText(originKey(a), originKey(b)) ||
    originIndex(a) - originIndex(b)
  );
}

function originKey(resource: Resource): string {
  return resource.origin.type === 'file' ? resource.origin.file : resource.origin.context;
}

function originIndex(resource: Resource): number {
  return resource.origin.type === 'file' ? resource.origin.docIndex * 1_000_000 + (resource.origin.itemIndex ?? 0) : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function serviceSelector(service: Resource): Record<string, unknown> | null {
  const spec = service.obj['spec'];
  if (typeof spec !== 'object' || spec === null) return null;
  const selector = (spec as Record<string, unknown>)['selector'];
  if (typeof selector !== 'object' || selector === null || Array.isArray(selector)) return null;
  return selector as Record<string, unknown>;
}

function pairKey(namespace: string, key: string, value: string): string {
  return `${namespace}\0${key}\0${value}`;
}

function nameIndex(byName: Map<string, Map<string, Map<string, Resource>>>, kind: string, namespace: string): Map<string, Resource> {
  let namespaces = byName.get(kind);
  if (!namespaces) byName.set(kind, (namespaces = new Map<string, Map<string, Resource>>()));
  let names = namespaces.get(namespace);
  if (!names) namespaces.set(namespace, (names = new Map<string, Resource>()));
  return names;
}

/** Lists grown by push keep room for 16 more entries: an index of thousands of short lists gives it back. */
function trim<K, V>(map: Map<K, V[]>): void {
  for (const [key, list] of map) if (list.length < 16) map.set(key, list.slice());
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V, when = true): void {
  if (!when) return;
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

