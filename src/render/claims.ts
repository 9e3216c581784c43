import path from 'node:path';
import type { LoadedObject } from '../loaders/files.js';
import type { ParsedObject } from '../loaders/manifest-parser.js';
import { isPlainObject } from '../loaders/manifest-parser.js';

/** Every scalar value of the rendered objects, as text. */
export function renderedValues(objects: readonly LoadedObject[]): Set<string> {
  const values = new Set<string>();
  for (const object of objects) forEachValue(object.obj, [], (value) => values.add(value));
  return values;
}

/**
 * Whether a file's objects are already in the rendered output: every value they hold (names and
 * `$patch` directives aside, which kustomize changes or consumes) is among the rendered values. A patch
 * that kustomize applied passes; a file that a kustomization names but whose content never reached the
 * output (a patch whose target selects nothing, a resource that another patch deletes) does not, and is
 * scanned as it is: no file drops out of the scan because a kustomization names it.
 */
export function alreadyRendered(objects: readonly ParsedObject[], values: ReadonlySet<string>): boolean {
  if (objects.length === 0) return false;
  for (const object of objects) {
    let missing = false;
    forEachValue(object.obj, [], (value) => {
      if (!values.has(value)) missing = true;
    });
    if (missing) return false;
  }
  return true;
}

const IDENTITY = new Set(['apiVersion', 'kind', 'metadata.name', 'metadata.namespace']);

function forEachValue(node: unknown, at: string[], visit: (value: string) => void): void {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
    if (!IDENTITY.has(at.join('.'))) visit(String(node));
    return;
  }
  if (Array.isArray(node)) {
    for (const item of node) forEachValue(item, at, visit);
    return;
  }
  if (!isPlainObject(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('$')) continue;
    forEachValue(value, at.length < 2 ? [...at, key] : at, visit);
  }
}

export function isBelow(file: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => file.startsWith(`${dir}${path.sep}`));
}
