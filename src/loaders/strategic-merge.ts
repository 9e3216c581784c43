import type { FieldPath } from '../core/types.js';

// A subset of Kubernetes strategic-merge patching, enough for kustomize patches that change a field,
// add a container or delete an object: maps merge (null deletes a key), `$patch: replace|delete` are
// honoured, lists of objects that all have a `name` merge by name, other lists are replaced.

const DELETE = Symbol('delete');

/** The patched object, or `null` when the patch deletes it (`$patch: delete` at the top). */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  const merged = mergeValue(target, patch);
  return merged === DELETE ? null : merged;
}

function mergeValue(target: unknown, patch: unknown): unknown {
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
      const merged = mergeValue(out[key], value);
      if (merged === DELETE) delete out[key];
      else out[key] = merged;
    }
    return out;
  }
  if (Array.isArray(patch) && Array.isArray(target) && mergeableByName(target) && mergeableByName(patch)) {
    const out = [...target] as Array<Record<string, unknown>>;
    for (const item of patch as Array<Record<string, unknown>>) {
      const index = out.findIndex((existing) => existing['name'] === item['name']);
      if (item['$patch'] === 'delete') {
        if (index !== -1) out.splice(index, 1);
        continue;
      }
      if (index === -1) out.push(withoutDirectives(item));
      else out[index] = mergeValue(out[index], item) as Record<string, unknown>;
    }
    return out;
  }
  return patch;
}

function mergeableByName(list: unknown[]): boolean {
  return list.length > 0 && list.every((item) => isMap(item) && typeof item['name'] === 'string');
}

function isDirective(key: string): boolean {
  return key === '$patch' || key === '$retainKeys' || key.startsWith('$setElementOrder') || key.startsWith('$deleteFromPrimitiveList');
}

/** A patch value used as is (nothing to merge into): directives are not data. */
function withoutDirectives(map: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    if (isDirective(key)) continue;
    out[key] = isMap(value) ? withoutDirectives(value) : Array.isArray(value) ? value.map((v) => (isMap(v) ? withoutDirectives(v) : v)) : value;
  }
  return out;
}

/**
 * The path in the patch document that set the field at `path` of the merged object, or `null` when the
 * patch did not set it. List indices are translated by element name, as the merge matched them.
 */
export function pathInPatch(path: FieldPath, merged: unknown, patch: unknown): FieldPath | null {
  if (path.length === 0) return null;
  const out: Array<string | number> = [];
  let inMerged: unknown = merged;
  let inPatch: unknown = patch;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (!Array.isArray(inMerged) || !Array.isArray(inPatch)) return null;
      const element = inMerged[segment];
      const name = isMap(element) ? element['name'] : undefined;
      const index = typeof name === 'string' ? inPatch.findIndex((item) => isMap(item) && item['name'] === name) : -1;
      if (index === -1) return null;
      out.push(index);
      inMerged = element;
      inPatch = inPatch[index];
    } else {
      if (!isMap(inPatch) || !(segment in inPatch)) return null;
      out.push(segment);
      inMerged = isMap(inMerged) ? inMerged[segment] : undefined;
      inPatch = inPatch[segment];
    }
  }
  return out;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
