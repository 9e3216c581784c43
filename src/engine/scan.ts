import type { Check, InputError, Inventory, ScanResult } from '../core/types.js';
import { buildInventory } from '../inventory/inventory.js';
import { createResource } from '../inventory/resource.js';
import { DEFAULT_MAX_FILE_BYTES, loadManifests, type FileReport } from '../loaders/files.js';
import { analyseInventory } from './analyse.js';
import type { SuppressionOptions } from './suppress.js';

export interface ManifestScanOptions {
  cwd: string;
  checks: readonly Check[];
  /** The input is a whole cluster's objects, so absence checks apply. */
  wholeCluster?: boolean;
  maxFileBytes?: number;
  readStdin?: () => Promise<Buffer>;
  checkOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  suppression?: SuppressionOptions;
}

export interface ManifestScan {
  result: ScanResult;
  files: FileReport[];
  outOfScope: string[];
  /** Problems with suppressions (also in `result.warnings`): worth showing even without --verbose. */
  suppressionWarnings: InputError[];
  /** The objects scanned, for commands that work on them further (`remediate`). */
  inventory: Inventory;
}

export async function scanManifests(inputs: readonly string[], options: ManifestScanOptions): Promise<ManifestScan> {
  const loaded = await loadManifests(inputs, {
    cwd: options.cwd,
    maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    ...(options.readStdin ? { readStdin: options.readStdin } : {}),
  });
  const resources = loaded.objects.map((object) =>
    createResource({
      obj: object.obj,
      origin: { type: 'file', file: object.file, docIndex: object.docIndex, itemIndex: object.itemIndex },
      defaultNamespace: object.namespaceHint,
      locate: object.locate,
    }),
  );
  const inventory = buildInventory(resources, { mode: 'manifests', wholeCluster: options.wholeCluster ?? false });
  const run = analyseInventory(inventory, {
    checks: options.checks,
    ...(options.checkOptions ? { checkOptions: options.checkOptions } : {}),
    ...(options.suppression ? { suppression: options.suppression } : {}),
  });
  return {
    result: {
      target: { mode: 'manifests', paths: [...inputs] },
      findings: run.findings,
      errors: [...loaded.errors, ...run.errors],
      warnings: [...loaded.warnings, ...run.warnings],
      coverage: { unreadable: [], undecided: run.undecided },
      checks: options.checks.map((check) => check.meta),
      scanned: {
        resources: resources.length,
        files: loaded.files.filter((file) => !file.skipped).length,
        contexts: 0,
      },
      anchorFile: loaded.files.find((file) => !file.skipped && file.file !== '<stdin>')?.file ?? null,
      outOfScope: run.outOfScope,
      suppressed: run.suppressed,
    },
    files: loaded.files,
    outOfScope: run.outOfScope,
    suppressionWarnings: run.warnings,
    inventory,
  };
}
