// Manifests are untrusted: any field may hold any type. These narrow unknown values without throwing.

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : null;
}

// Shared by every non-array asArray is given: analyses ask for absent lists (env, envFrom, volumes) of
// every container of a large cluster, and a new empty array each time was a good part of their garbage.
const NO_ITEMS: readonly unknown[] = Object.freeze([]);

/** The value if it is an array, else an empty one (shared and frozen: never to be changed). */
export function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : NO_ITEMS;
}

export function asString(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Follows object keys from a root, returning `undefined` as soon as a step is not an object. */
export function dig(root: unknown, ...keys: string[]): unknown {
  let current: unknown = root;
  for (const key of keys) {
    const object = asObject(current);
    if (!object) return undefined;
    current = object[key];
  }
  return current;
}

/**
 * The text of a label-like value: strings as they are, numbers and booleans as YAML wrote them, anything
 * else `null`. Never calls String() on an object, which throws for objects without a prototype.
 */
export function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return null;
}
