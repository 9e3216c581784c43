import { parseAllDocuments } from 'yaml';
import type { Inventory, KubeObject } from '../../src/core/types.js';
import { buildInventory, type InventoryOptions } from '../../src/inventory/inventory.js';
import { createResource } from '../../src/inventory/resource.js';

/** An inventory from inline multi-document YAML, for unit tests of shared analyses. */
export function inventoryFromYaml(text: string, options: Partial<InventoryOptions> = {}): Inventory {
  const resources = parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null)
    .map((obj) => createResource({ obj: { ...obj, metadata: obj.metadata ?? {} }, origin: { type: 'cluster', context: 'test' } }));
  return buildInventory(resources, { mode: 'manifests', wholeCluster: true, ...options });
}
