import { asObject } from '../core/json.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
// Bookkeeping the API server keeps on every object: unique per object, and no audit reads it.
const METADATA_BOOKKEEPING = ['managedFields', 'resourceVersion', 'uid', 'generation', 'selfLink'];
// What checks read of a Pod's status: the phase, readiness, and the images the runtime really pulled.
const POD_STATUS = new Set(['phase', 'reason', 'message', 'conditions', 'initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses']);
const POD_CONDITION = new Set(['type', 'status', 'reason', 'message']);
const CONTAINER_STATUS = new Set(['name', 'image', 'imageID', 'ready', 'restartCount']);
const POD_STATUS_LISTS = ['conditions', 'initContainerStatuses', 'containerStatuses', 'ephemeralContainerStatuses'];

/**
 * Drops the parts of a live object that no check reads and that make up much of its size, so that a
 * cluster of 50,000 pods fits in memory: `managedFields` (often a third of a pod's JSON) and the other
 * per-object bookkeeping (uid, resourceVersion, generation), the copy of the whole object kubectl keeps in
 * the last-applied annotation, ConfigMap `binaryData`, the image list nodes report (dozens of long names
 * per node), and of a Pod's status all but its phase, conditions and container images (IPs, timestamps,
 * container IDs and states). Spec, labels, annotations, owner references and the other kinds' status
 * stay: checks read load balancer addresses, node addresses and taints, DaemonSet counts.
 *
 * The fields are set to `undefined` where they are, not deleted, which would leave the objects in V8's
 * slower and larger dictionary mode, nor copied to new objects without them, which cost as much as a
 * third of parsing the page and left the garbage collector twice the objects to move. An undefined field
 * reads as an absent one and is not written out as JSON or YAML.
 */
export function pruneLiveObject(object: Record<string, unknown>, kind: string): Record<string, unknown> {
  const metadata = asObject(object['metadata']);
  if (metadata) {
    for (const key of METADATA_BOOKKEEPING) if (metadata[key] !== undefined) metadata[key] = undefined;
    const annotations = asObject(metadata['annotations']);
    // Kept as a copy without it: labels and annotations must hold strings only (stringMap).
    if (annotations && annotations[LAST_APPLIED] !== undefined) metadata['annotations'] = without(annotations, (key) => key === LAST_APPLIED);
  }
  if (kind === 'ConfigMap' && object['binaryData'] !== undefined) object['binaryData'] = undefined;
  const status = asObject(object['status']);
  if (kind === 'Node' && status && status['images'] !== undefined) status['images'] = undefined;
  if (kind === 'Pod' && status) {
    keepOnly(status, POD_STATUS);
    for (const key of POD_STATUS_LISTS) {
      const list = status[key];
      if (!Array.isArray(list)) continue;
      const fields = key === 'conditions' ? POD_CONDITION : CONTAINER_STATUS;
      for (const entry of list) {
        const entryObject = asObject(entry);
        if (entryObject) keepOnly(entryObject, fields);
      }
    }
  }
  return object;
}

/** Sets every field of `object` that `keep` does not name to undefined. */
function keepOnly(object: Record<string, unknown>, keep: ReadonlySet<string>): void {
  for (const key in object) {
    if (keep.has(key) || object[key] === undefined || !Object.hasOwn(object, key)) continue;
    define(object, key, undefined);
  }
}

function without(object: Record<string, unknown>, drop: (key: string) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(object)) if (!drop(key)) define(out, key, object[key]);
  return out;
}

// A JSON key `__proto__` is an own property of a parsed object; assigning it would set the prototype.
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Makes equal values of one page of a list one value: the pods of a ReplicaSet repeat the same containers,
 * environment, probes, volumes and tolerations, the revisions of a Deployment the same template, all pods
 * the same scheduler, policies and image names, and JSON.parse gives each its own copy. Sharing them
 * (hash-consing, bottom-up: a value is looked up once its parts are shared) halves a large cluster's
 * memory. The tables live for one page, so they stay small; the objects must be treated as read-only
 * afterwards, as checks do.
 */
export function shareEqualValues(items: readonly unknown[]): void {
  const table = new Map<number, unknown>();
  // Strings by their hash; of two different strings with one hash, the second is simply not shared.
  const strings = new Map<number, string>();
  let hash = 0;
  // Whether the value `share` returned replaces the one it was given: an equal object seen before, or an
  // equal string's first copy. Writing back only then spares a store for every value that stays.
  let replaced = false;

  const share = (value: unknown): unknown => {
    replaced = false;
    switch (typeof value) {
      case 'string': {
        hash = stringHash(value);
        // JSON.parse gives strings of up to 10 characters one copy already (V8 internalizes them).
        if (value.length <= 10) return value;
        const known = strings.get(hash);
        if (known === undefined) {
          strings.set(hash, value);
          return value;
        }
        // Equal strings compare equal whatever their copy: the first copy is written back.
        replaced = known === value;
        return replaced ? known : value;
      }
      case 'number':
        hash = Number.isInteger(value) ? Math.imul(value | 0, 0x9e3779b1) ^ 0x5bd1e995 : 0x27d4eb2d;
        return value;
      case 'boolean':
        hash = value ? 0x3c6ef372 : 0x1b873593;
        return value;
      case 'object':
        if (value === null) {
          hash = 0x85ebca6b;
          return value;
        }
        break;
      default:
        hash = 0;
        return value;
    }
    let combined: number;
    if (Array.isArray(value)) {
      combined = 0x0a0a0a ^ value.length;
      for (let i = 0; i < value.length; i++) {
        const part: unknown = value[i];
        const shared = share(part);
        if (replaced) value[i] = shared;
        combined = Math.imul(combined ^ hash, 0x01000193);
      }
    } else {
      combined = 0x0b0b0b;
      const object = value as Record<string, unknown>;
      for (const key in object) {
        const part = object[key];
        const shared = share(part);
        if (replaced && key !== '__proto__') object[key] = shared;
        combined = Math.imul(combined ^ hash, 0x01000193);
      }
    }
    hash = combined;
    replaced = false;
    const found = table.get(combined);
    if (found === undefined) {
      table.set(combined, value);
      return value;
    }
    if (found instanceof Collisions) {
      for (const candidate of found.values) {
        if (!shallowEqual(candidate, value)) continue;
        replaced = true;
        return candidate;
      }
      // A full bucket takes no more: values whose hashes collide (a server can send any number of them)
      // cost a few comparisons each, not one for every such value before them. They are just not shared.
      if (found.values.length < MAX_COLLISIONS) found.values.push(value);
      return value;
    }
    if (shallowEqual(found, value)) {
      replaced = true;
      return found;
    }
    table.set(combined, new Collisions([found, value]));
    return value;
  };

  // Objects and their metadata are unique (by name): only their parts can be shared.
  const shareFields = (object: Record<string, unknown>, skip: string | null): void => {
    for (const key in object) {
      if (key === skip || key === '__proto__') continue;
      const shared = share(object[key]);
      if (replaced) object[key] = shared;
    }
  };
  for (const item of items) {
    const object = asObject(item);
    if (!object) continue;
    shareFields(object, 'metadata');
    const metadata = asObject(object['metadata']);
    if (metadata) shareFields(metadata, null);
  }
}

// Different values kept under one hash; more such values are not shared.
const MAX_COLLISIONS = 8;

class Collisions {
  constructor(readonly values: unknown[]) {}
}

/**
 * A cheap hash of a few characters: equal strings hash equally. Different strings that hash alike cost a
 * comparison (the second is not shared), and so do the objects holding them, at most MAX_COLLISIONS each.
 */
function stringHash(text: string): number {
  const n = text.length;
  if (n === 0) return 0x2545f491;
  let hash = Math.imul(n, 0x2c1b3c6d) ^ Math.imul(text.charCodeAt(0), 0x297a2d39) ^ Math.imul(text.charCodeAt(n >> 1), 0x1b873593) ^ Math.imul(text.charCodeAt(n >> 2), 0x7feb352d);
  // The last characters, where generated names keep what tells them apart (`kube-api-access-x2k9p`).
  for (let i = Math.max(0, n - 6); i < n; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash;
}

/** Same type and the same parts (already shared, so compared by identity; strings by value). */
function shallowEqual(a: unknown, b: unknown): boolean {
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(b) || typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  let count = 0;
  for (const key in left) {
    if (left[key] !== right[key] || !Object.hasOwn(right, key)) return false;
    count++;
  }
  for (const _key in right) count--;
  return count === 0;
}
