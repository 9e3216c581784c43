import { groupOf } from '../core/kinds.js';
import type { Check, Finding, Inventory, KubeObject, Origin, Resource } from '../core/types.js';
import { analyseInventory } from '../engine/analyse.js';
import type { SuppressionOptions } from '../engine/suppress.js';
import { buildInventory } from '../inventory/inventory.js';
import { createResource } from '../inventory/resource.js';
import { strategicMerge } from './strategic-merge.js';
import type { KitManifest } from './types.js';

export interface Rescan<C extends Check = Check> {
  checks: readonly C[];
  suppression?: SuppressionOptions;
}

/**
 * The objects once the manifests are applied as kustomize or kubectl would: new objects added (an object
 * of the same kind and name replaces the old one), strategic-merge patches merged into their targets.
 * Patches whose target is missing are returned, so that callers can tell.
 */
export function applyManifests(objects: readonly KubeObject[], manifests: readonly KitManifest[]): { objects: KubeObject[]; unmatched: KitManifest[] } {
  const out = [...objects];
  const unmatched: KitManifest[] = [];
  const indexOf = (object: KubeObject): number => out.findIndex((candidate) => sameObject(candidate, object));
  for (const manifest of manifests) {
    for (const object of manifest.objects) {
      const index = indexOf(object);
      if (manifest.role === 'resource') {
        if (index === -1) out.push(object);
        else out[index] = object;
        continue;
      }
      if (index === -1) {
        unmatched.push(manifest);
        continue;
      }
      const merged = strategicMerge(out[index], object) as KubeObject | null;
      if (merged === null) out.splice(index, 1);
      else out[index] = merged;
    }
  }
  return { objects: out, unmatched };
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  return (
    groupOf(String(a.apiVersion)) === groupOf(String(b.apiVersion)) &&
    a.kind === b.kind &&
    a.metadata?.name === b.metadata?.name &&
    (a.metadata?.namespace ?? 'default') === (b.metadata?.namespace ?? 'default')
  );
}

/** The same inventory with the manifests applied: mode, context, scope and unreadable kinds kept. */
export function inventoryWith(inventory: Inventory, manifests: readonly KitManifest[], checks: readonly Check[]): Inventory {
  const resources: Resource[] = inventory.all().map((resource) => resource);
  const byObject = new Map<KubeObject, Resource>(resources.map((resource) => [withNamespace(resource), resource]));
  const { objects } = applyManifests([...byObject.keys()], manifests);
  const rebuilt = objects.map((object) => {
    const original = byObject.get(object);
    if (original) return original;
    const before = [...byObject.entries()].find(([candidate]) => sameObject(candidate, object))?.[1];
    const origin: Origin = before?.origin ?? (inventory.mode === 'cluster' ? { type: 'cluster', context: inventory.context ?? '' } : { type: 'file', file: '<kfscan remediation kit>', docIndex: 0, itemIndex: null });
    return createResource({
      obj: object,
      origin,
      defaultNamespace: before?.ref.namespace ?? null,
      ...(before ? { locate: before.locate, clusterScoped: before.ref.namespace === null } : {}),
    });
  });
  const kinds = new Set<string>(['Secret', ...checks.flatMap((check) => check.meta.needs)]);
  const forbidden = new Map<string, string>();
  const notInstalled = new Set<string>();
  for (const kind of kinds) {
    const readability = inventory.readability(kind);
    if (readability.state === 'forbidden') forbidden.set(kind, readability.reason);
    else if (readability.state === 'not-installed') notInstalled.add(kind);
  }
  return buildInventory(rebuilt, { mode: inventory.mode, context: inventory.context, wholeCluster: inventory.wholeCluster, forbidden, notInstalled });
}

/** The objects as the API server would name them: offline ones without a namespace get their effective one. */
function withNamespace(resource: Resource): KubeObject {
  const namespace = resource.ref.namespace;
  if (namespace === null || resource.obj.metadata?.namespace === namespace) return resource.obj;
  return { ...resource.obj, metadata: { ...resource.obj.metadata, namespace } };
}

/** Findings of a rescan of the inventory with the manifests applied. */
export function rescan(inventory: Inventory, manifests: readonly KitManifest[], options: Rescan): Finding[] {
  const after = inventoryWith(inventory, manifests, options.checks);
  return analyseInventory(after, { checks: options.checks, ...(options.suppression ? { suppression: options.suppression } : {}) }).findings;
}

