import { asArray, asObject, asString } from '../core/json.js';
import type { ContainerSite, Inventory } from '../core/types.js';
import { imageNameMatches } from './image-ref.js';

// Analyses that look for one product (Dex, oauth2-proxy, JupyterHub) or a few env variable names (a
// header, a client secret) ask the few dozen images and names a cluster's containers share, through an
// index built once per inventory, rather than each of its thousands of containers in turn.

interface ContainerIndex {
  /** Every container of every pod template, in the order of `podTemplates()`. */
  containers: ContainerSite[];
  /** Positions in `containers` by key (an image as written, an env name), ascending, each once. */
  byKey: Map<string, number[]>;
}

/** The containers whose image name (`registry/repository`, see `imageName`) matches `pattern`, in the order of `podTemplates()`. */
export function containersRunning(inventory: Inventory, pattern: RegExp): ContainerSite[] {
  const index = containerIndex(inventory, 'containersByImage', (container, add) => {
    const image = asString(container.container['image']);
    if (image !== null) add(image);
  });
  return selected(index, (image) => imageNameMatches(image, pattern));
}

/** The containers with an `env` entry named one of `names`, in the order of `podTemplates()`. */
export function containersSettingEnv(inventory: Inventory, names: readonly string[]): ContainerSite[] {
  const index = containerIndex(inventory, 'containersByEnvName', (container, add) => {
    for (const entry of asArray(container.container['env'])) {
      const name = asString(asObject(entry)?.['name']);
      if (name !== null) add(name);
    }
  });
  return selected(index, (name) => names.includes(name));
}

function containerIndex(inventory: Inventory, memoKey: string, keysOf: (container: ContainerSite, add: (key: string) => void) => void): ContainerIndex {
  return inventory.memo(memoKey, (): ContainerIndex => {
    const containers: ContainerSite[] = [];
    const byKey = new Map<string, number[]>();
    let position = -1;
    const add = (key: string): void => {
      const positions = byKey.get(key);
      if (!positions) byKey.set(key, [position]);
      else if (positions[positions.length - 1] !== position) positions.push(position);
    };
    for (const site of inventory.podTemplates()) {
      for (const container of site.containers) {
        position = containers.push(container) - 1;
        keysOf(container, add);
      }
    }
    return { containers, byKey };
  });
}

/** The containers under the keys that match, in index order, each once. */
function selected(index: ContainerIndex, matches: (key: string) => boolean): ContainerSite[] {
  const positions: number[] = [];
  let keys = 0;
  for (const [key, at] of index.byKey) {
    if (!matches(key)) continue;
    keys++;
    for (const position of at) positions.push(position);
  }
  if (keys > 1) positions.sort((a, b) => a - b);
  return positions.filter((position, i) => position !== positions[i - 1]).map((position) => index.containers[position]!);
}
