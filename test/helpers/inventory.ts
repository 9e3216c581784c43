import { parseAllDocuments } from 'yaml';
import type { Inventory, KubeObject } from '../../src/core/types.js';
import { buildInventory, type InventoryOptions } from '../../src/inventory/inventory.js';
import { createResource } from '../../src/inventory/resource.js';
import { parseManifests } from '../../src/loaders/manifest-parser.js';

/** An inventory from inline multi-document YAML, for unit tests of shared analyses. */
export function inventoryFromYaml(text: string, options: Partial<InventoryOptions> = {}): Inventory {
  const resources = parseAllDocuments(text)
    .map((doc) => doc.toJS() as KubeObject | null)
    .filter((obj): obj is KubeObject => obj !== null)
    .map((obj) => createResource({ obj: { ...obj, metadata: obj.metadata ?? {} }, origin: { type: 'cluster', context: 'test' } }));
  return buildInventory(resources, { mode: 'manifests', wholeCluster: true, ...options });
}

/**
 * An inventory from YAML text, as an offline scan of `file` would build it, or as live mode would
 * (objects from a context, without file positions).
 */
export function scannedInventory(text: string, options: { file?: string; context?: string; wholeCluster?: boolean } = {}): Inventory {
  const file = options.file ?? 'manifests.yaml';
  const parsed = parseManifests(text, file);
  if (parsed.errors.length > 0) throw new Error(`fixture does not parse: ${JSON.stringify(parsed.errors)}`);
  const live = options.context !== undefined;
  const resources = parsed.objects.map((object) =>
    createResource({
      obj: object.obj,
      origin: live ? { type: 'cluster', context: options.context! } : { type: 'file', file, docIndex: object.docIndex, itemIndex: object.itemIndex },
      ...(live ? {} : { locate: object.locate }),
    }),
  );
  return buildInventory(resources, live ? { mode: 'cluster', context: options.context! } : { mode: 'manifests', wholeCluster: options.wholeCluster === true });
}
