import { asArray, asObject, asString } from '../core/json.js';
import type { Inventory, Resource } from '../core/types.js';

// Controllers whose pod template already says what their children run. A child of one of these is a
// copy: reporting both would show one problem three times (Deployment, ReplicaSet, Pod).
const TEMPLATE_OWNERS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Notebook']);

/**
 * An object's controller, when that controller is itself among the inputs and carries the same template.
 * Five analyses ask it of every pod template: the owners of all of them are looked up once per inventory.
 */
export function templateOwners(inventory: Inventory): (resource: Resource) => Resource | null {
  const owners = inventory.memo('templateOwners', () => {
    const found = new Map<Resource, Resource | null>();
    for (const site of inventory.podTemplates()) if (!found.has(site.resource)) found.set(site.resource, findTemplateOwner(site.resource, inventory));
    return found;
  });
  return (resource) => {
    const owner = owners.get(resource);
    return owner !== undefined ? owner : findTemplateOwner(resource, inventory);
  };
}

function findTemplateOwner(resource: Resource, inventory: Inventory): Resource | null {
  for (const entry of asArray(resource.obj.metadata.ownerReferences)) {
    const owner = asObject(entry);
    const kind = asString(owner?.['kind']);
    const name = asString(owner?.['name']);
    if (!kind || !name || !TEMPLATE_OWNERS.has(kind) || owner?.['controller'] === false) continue;
    const found = inventory.get(kind, resource.ref.namespace, name);
    if (found) return found;
  }
  return null;
}

/** Any owner reference of the given kinds, whether or not the owner is among the inputs. */
export function ownedByKind(resource: Resource, kinds: ReadonlySet<string>): boolean {
  for (const entry of asArray(resource.obj.metadata.ownerReferences)) if (kinds.has(asString(asObject(entry)?.['kind']) ?? '')) return true;
  return false;
}
