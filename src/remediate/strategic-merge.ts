import { scalarText } from '../core/json.js';

// Kubernetes strategic-merge patching, as far as kfscan's remediation patches need it (the kit's rescan
// applies them in process; manifests themselves are rendered by the real kustomize): maps merge (null deletes a key), `$patch: replace|delete` are honoured, lists of objects merge
// by the merge key the Kubernetes API declares for their field (containers and volumes by name, Service
// ports by port, volumeMounts by mountPath, ...), lists the API declares atomic (tolerations, args) and
// lists of scalars are replaced, and any other list whose items all have a `name` merges by name.

const DELETE = Symbol('delete');

// patchMergeKey of list fields in the built-in API types (k8s.io/api), by field name. `ports` is
// `containerPort` in a container and `port` in a Service; the items tell which.
const MERGE_KEYS: Readonly<Record<string, string | ((items: readonly Record<string, unknown>[]) => string)>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  hostAliases: 'ip',
  topologySpreadConstraints: 'topologyKey',
  conditions: 'type',
  ownerReferences: 'uid',
  ports: (items) => (items.some((item) => 'containerPort' in item) ? 'containerPort' : 'port'),
};

// Lists of objects the API declares atomic: a patch replaces them whole, even when their items have names.
const ATOMIC = new Set(['tolerations', 'args', 'command']);

/** The patched object, or `null` when the patch deletes it (`$patch: delete` at the top). */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  const merged = mergeValue(target, patch, null);
  return merged === DELETE ? null : merged;
}

function mergeValue(target: unknown, patch: unknown, field: string | null): unknown {
  if (isMap(patch)) {
    const directive = patch['$patch'];
    if (directive === 'delete') return DELETE;
    if (directive === 'replace' || !isMap(target)) return withoutDirectives(patch);
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(patch)) {
      if (isDirective(key)) continue;
      if (value === null) {
        delete out[key];
        continue;
      }
      const merged = mergeValue(out[key], value, key);
      if (merged === DELETE) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(target)) {
    const key = mergeKey(field, target, patch);
    if (key !== null) return mergeList(target as Array<Record<string, unknown>>, patch as Array<Record<string, unknown>>, key);
  }
  return Array.isArray(patch) ? patch.map((item) => (isMap(item) ? withoutDirectives(item) : item)) : patch;
}

function mergeList(target: Array<Record<string, unknown>>, patch: Array<Record<string, unknown>>, key: string): unknown[] {
  if (patch.some((item) => item['$patch'] === 'replace')) return patch.filter((item) => item['$patch'] !== 'replace').map(withoutDirectives);
  const out = [...target];
  for (const item of patch) {
    const index = out.findIndex((existing) => sameKey(existing[key], item[key]));
    if (item['$patch'] === 'delete') {
      if (index !== -1) out.splice(index, 1);
      continue;
    }
    if (index === -1) out.push(withoutDirectives(item));
    else out[index] = mergeValue(out[index], item, null) as Record<string, unknown>;
  }
  return out;
}

/** The key a list of objects merges by, or `null` when the patch replaces the list. */
function mergeKey(field: string | null, target: unknown[], patch: unknown[]): string | null {
  if (field !== null && ATOMIC.has(field)) return null;
  const items = [...target, ...patch];
  if (items.length === 0 || !items.every(isMap)) return null;
  const maps = items as Record<string, unknown>[];
  const declared = field !== null ? MERGE_KEYS[field] : undefined;
  if (declared !== undefined) {
    const key = typeof declared === 'string' ? declared : declared(maps);
    return patch.every((item) => isMap(item) && (item[key] !== undefined || item['$patch'] === 'replace')) ? key : null;
  }
  return target.length > 0 && maps.every((item) => typeof item['name'] === 'string') ? 'name' : null;
}

// YAML may give a port as a number in one file and a string in another.
function sameKey(a: unknown, b: unknown): boolean {
  if (a === undefined) return false;
  const text = scalarText(a);
  return a === b || (text !== null && text === scalarText(b));
}

function isDirective(key: string): boolean {
  return key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder') || key.startsWith('$deleteFromPrimitiveList');
}

/** A patch value used as is (nothing to merge into): directives are not data, and nulls mean "absent". */
function withoutDirectives(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    if (isDirective(key) || value === null) continue;
    out[key] = isMap(value) ? withoutDirectives(value) : Array.isArray(value) ? value.map((v) => (isMap(v) ? withoutDirectives(v) : v)) : value;
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
