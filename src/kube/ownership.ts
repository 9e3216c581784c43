import { asArray, asObject, asString } from '../core/json.js';
import type { Inventory, Resource } from '../core/types.js';

// Controllers whose pod template already says what their children run. A child of one of these is a
// copy: reporting both would show one problem three times (Deployment, ReplicaSet, Pod).
const TEMPLATE_OWNERS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Notebook']);

/** The object's controller, when that controller is itself among the inputs and carries the same template. */
export function templateOwner(resource: Resource, inventory: Inventory): Resource | null {
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
  return asArray(resource.obj.metadata.ownerReferences).some((entry) => kinds.has(asString(asObject(entry)?.['kind']) ?? ''));
}
