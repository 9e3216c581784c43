import { asString } from '../core/json.js';
import type { ContainerSite, Inventory } from '../core/types.js';
import { imageNameMatches } from './image-ref.js';

interface ImageIndex {
  /** Every container of every pod template, in the order of `podTemplates()`. */
  containers: ContainerSite[];
  /** Positions in `containers` by image reference as written, ascending. */
  byImage: Map<string, number[]>;
}

/**
 * The containers whose image name (`registry/repository`, see `imageName`) matches `pattern`, in the
 * order of `podTemplates()`. Analyses that look for one product (Dex, oauth2-proxy, JupyterHub) test
 * the few dozen images a cluster runs rather than each of its thousands of containers.
 */
export function containersRunning(inventory: Inventory, pattern: RegExp): ContainerSite[] {
  const index = inventory.memo('containersByImage', (): ImageIndex => {
    const containers: ContainerSite[] = [];
    const byImage = new Map<string, number[]>();
    for (const site of inventory.podTemplates()) {
      for (const container of site.containers) {
        const position = containers.push(container) - 1;
        const image = asString(container.container['image']);
        if (image === null) continue;
        const positions = byImage.get(image);
        if (positions) positions.push(position);
        else byImage.set(image, [position]);
      }
    }
    return { containers, byImage };
  });
  const positions: number[] = [];
  let images = 0;
  for (const [image, at] of index.byImage) {
    if (!imageNameMatches(image, pattern)) continue;
    images++;
    for (const position of at) positions.push(position);
  }
  if (images > 1) positions.sort((a, b) => a - b);
  return positions.map((position) => index.containers[position]!);
}
