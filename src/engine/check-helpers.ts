import type { CheckHelpers, ContainerSite, ImageReference, Inventory } from '../core/types.js';
import { matchesLabelSelector } from '../inventory/selectors.js';
import { workloadContainers } from '../kube/containers.js';
import { parseImageRef } from '../kube/image-ref.js';
import { mlImageFamily } from '../kube/ml-images.js';
import { underlyingInventory } from '../plugins/provenance.js';

/**
 * The helpers every check receives in its context. They are part of the plugin API (version 1): a
 * change to what one of them means is a new API version, so keep this list short.
 */
export const CHECK_HELPERS: CheckHelpers = Object.freeze({
  parseImage(image: string): ImageReference | null {
    if (typeof image !== 'string') return null;
    const ref = parseImageRef(image);
    return ref && { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest };
  },
  isMlImage(image: string | ImageReference): boolean {
    const ref = typeof image === 'string' ? parseImageRef(image) : image;
    if (!ref || typeof ref.registry !== 'string' || typeof ref.repository !== 'string') return false;
    return mlImageFamily({ raw: '', registry: ref.registry, repository: ref.repository, tag: null, digest: null }) !== null;
  },
  matchesLabelSelector,
  containers(inventory: Inventory): readonly ContainerSite[] {
    // On the inventory behind a plugin's view: computed once, shared with the built-in checks that read containers.
    const shared = underlyingInventory(inventory);
    return shared.memo('helpers.containers', () => Object.freeze(workloadContainers(shared).map((container) => container.site)));
  },
});
