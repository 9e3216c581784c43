import { groupOf, isClusterScoped } from '../core/kinds.js';
import type { FieldPath, KubeObject, Origin, Resource, SourceLocation } from '../core/types.js';

export interface ResourceInput {
  obj: KubeObject;
  origin: Origin;
  /** Namespace to use when the object has none (a kustomization's, or the context's default). */
  defaultNamespace?: string | null;
  locate?: (path: FieldPath) => SourceLocation | null;
  /** Scope from API discovery (live mode); offline it is inferred from the kind. */
  clusterScoped?: boolean;
}

const NO_LOCATION = (): null => null;

export function createResource({ obj, origin, defaultNamespace, locate, clusterScoped }: ResourceInput): Resource {
  const metadata = obj.metadata;
  const name = nonEmptyString(metadata.name) ?? nonEmptyString(metadata['generateName']) ?? '';
  const namespace = (clusterScoped ?? isClusterScoped(obj.kind))
    ? null
    : (nonEmptyString(metadata.namespace) ?? defaultNamespace ?? 'default');
  return {
    ref: { apiVersion: obj.apiVersion, kind: obj.kind, namespace, name },
    group: groupOf(obj.apiVersion),
    obj,
    origin,
    labels: stringMap(metadata.labels),
    annotations: stringMap(metadata.annotations),
    locate: locate ?? NO_LOCATION,
  };
}

/**
 * Labels and annotations as the API server would hold them: string values only. YAML can give numbers
 * or booleans (`version: 1`), which the API server rejects; they are kept as their text. A map that holds
 * only strings (every live object's) is used as it is: copying the labels of every object of a large
 * cluster costs memory for nothing.
 */
export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  if (onlyStrings(value as Record<string, unknown>)) return value as Record<string, string>;
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[key] = entry;
    else if (typeof entry === 'number' || typeof entry === 'boolean') out[key] = String(entry);
  }
  return out;
}

// Asked of the labels and annotations of every object: a plain loop, no array of the values.
function onlyStrings(value: Record<string, unknown>): boolean {
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return !Object.hasOwn(value, '__proto__');
}

function nonEmptyString(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
