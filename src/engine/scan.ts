import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Check, InputError, Inventory, Resource, ScanResult } from '../core/types.js';
import { withSourceExcerpts, type SourceReader } from '../evidence/attach.js';
import { secretValues } from '../evidence/secret-values.js';
import { buildInventory } from '../inventory/inventory.js';
import { createResource } from '../inventory/resource.js';
import { collectInputs, DEFAULT_MAX_FILE_BYTES, loadFiles, STDIN_NAME, type CollectedInputs, type FileReport, type LoadedObject } from '../loaders/files.js';
import { isBelow } from '../render/claims.js';
import { renderInputs, type RenderedRoot, type RenderOptions } from '../render/index.js';
import { redactor } from '../render/redact.js';
import { analyseInventory } from './analyse.js';
import { mergeViews, type ViewFacts } from './merge-views.js';
import { namespacesOf, provenance } from './provenance.js';
import { withReportIds } from './report-ids.js';
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
  /** Gitignore-style patterns, relative to each input, left out of the scan. */
  exclude?: readonly string[];
  /** How to render kustomizations and charts; absent: they are not rendered (plain files only). */
  render?: Omit<RenderOptions, 'maxOutputBytes'>;
  /** The clock for `provenance.scannedAt`; injected by tests and for reproducible reports. */
  now?: () => Date;
  /** Give findings an excerpt of their source (for the HTML report); files are read again, only inside the inputs. */
  excerpts?: boolean;
}

export interface ScannedView extends ViewFacts {
  inventory: Inventory;
}

export interface ManifestScan {
  result: ScanResult;
  files: FileReport[];
  /** Every kustomization root and Helm chart found, rendered or not. */
  roots: RenderedRoot[];
  /** The render tools used, for --verbose. */
  tools: string[];
  outOfScope: string[];
  /** Problems with suppressions (also in `result.warnings`): worth showing even without --verbose. */
  suppressionWarnings: InputError[];
  /** The objects scanned in the first view, for commands that work on them further (`remediate`). */
  inventory: Inventory;
  /** Every view with its objects: one unless rendered roots are alternatives to each other. */
  views: ScannedView[];
}

/**
 * Offline scan: collect the inputs, render kustomizations and charts, scan what no root accounts for as
 * plain files, and judge each view (plain files plus the roots that deploy together) on its own, merging
 * the findings.
 */
export async function scanManifests(inputs: readonly string[], options: ManifestScanOptions): Promise<ManifestScan> {
  const scannedAt = options.now?.() ?? new Date();
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let stdinText: string | null = null;
  const readStdin = options.readStdin;
  const captured = readStdin ? async (): Promise<Buffer> => {
    const buffer = await readStdin();
    stdinText = buffer.toString('utf8');
    return buffer;
  } : undefined;
  const loadOptions = { cwd: options.cwd, maxFileBytes, ...(captured ? { readStdin: captured } : {}), ...(options.exclude ? { exclude: options.exclude } : {}) };
  const collected = await collectInputs(inputs, loadOptions);
  const stage = await renderInputs(collected, { ...(options.render ?? DISABLED), maxOutputBytes: maxFileBytes }, options.cwd);
  const plain = await loadFiles(stage.plainFiles, loadOptions);

  const plainResources = plain.objects.map(toResource);
  const rootResources = new Map(stage.rendered.map((rendered) => [rendered.root, rendered.objects.map(toResource)]));
  const views: ScannedView[] = stage.views.map((view) => {
    const resources: Resource[] = [...plainResources, ...view.roots.flatMap((root) => rootResources.get(root) ?? [])];
    return {
      name: view.name,
      roots: view.roots.map((root) => root.label),
      distinct: view.distinct.map((root) => root.label),
      inventory: buildInventory(resources, { mode: 'manifests', wholeCluster: options.wholeCluster ?? false }),
    };
  });
  const analyses = views.map((view) =>
    analyseInventory(view.inventory, {
      checks: options.checks,
      ...(options.checkOptions ? { checkOptions: options.checkOptions } : {}),
      ...(options.suppression ? { suppression: options.suppression } : {}),
    }),
  );
  const run = mergeViews(views, analyses);
  const scannedFiles = plain.files.filter((file) => !file.skipped);
  const renderedObjects = [...rootResources.values()].reduce((sum, list) => sum + list.length, 0);
  const redact = redactor(stage.secretValues);
  const warnings = redact([...collected.warnings, ...stage.warnings, ...plain.warnings, ...run.warnings]);
  const findings = options.excerpts
    ? await withSourceExcerpts(run.findings, inputReader(collected, options.cwd, maxFileBytes, () => stdinText), secretValues(views.map((view) => view.inventory)))
    : run.findings;
  const reported = redact(withReportIds({
    findings,
    errors: [...collected.errors, ...stage.errors, ...plain.errors, ...run.errors],
    undecided: run.undecided,
    suppressed: run.suppressed,
  }));
  return {
    result: {
      target: { mode: 'manifests', paths: [...inputs] },
      findings: reported.findings,
      errors: reported.errors,
      warnings,
      coverage: { unreadable: [], undecided: reported.undecided },
      checks: options.checks.map((check) => check.meta),
      scanned: {
        resources: plainResources.length + renderedObjects,
        files: scannedFiles.length + stage.rendered.reduce((sum, rendered) => sum + rendered.sourceFiles.size, 0),
        contexts: 0,
      },
      anchorFile: scannedFiles.find((file) => file.file !== '<stdin>')?.file ?? firstRenderedFile(stage.rendered),
      outOfScope: run.outOfScope,
      suppressed: reported.suppressed,
      provenance: redact(
        provenance({
          scannedAt,
          paths: inputs,
          roots: stage.rendered.map((rendered) => ({ path: rendered.root.display, type: rendered.root.type, rendered: rendered.failure === null })),
          namespaces: views.flatMap((view) => [...namespacesOf(view.inventory)]),
          checks: options.checks,
          outOfScope: run.outOfScope,
        }),
      ),
    },
    files: plain.files,
    roots: stage.rendered,
    tools: stage.tools,
    outOfScope: run.outOfScope,
    // The same objects as in `result.warnings`, which reporters tell apart by identity.
    suppressionWarnings: warnings.slice(warnings.length - run.warnings.length),
    inventory: views[0]!.inventory,
    views,
  };
}

const DISABLED: Omit<RenderOptions, 'maxOutputBytes'> = {
  enabled: false,
  kustomizeBin: null,
  helmBin: null,
  allowRemote: false,
  kustomizeHelm: false,
  timeoutMs: 0,
  helm: { release: null, namespace: null, valuesFiles: [], set: [] },
  charts: new Map(),
  views: null,
  configDir: null,
  env: {},
};

/**
 * Reads a file a finding points at, for its excerpt: only a regular file inside an input (or the git work
 * tree a kustomization of the input may build from), as the scan itself was allowed to read, and no larger
 * than the scan would have read.
 */
function inputReader(collected: CollectedInputs, cwd: string, maxBytes: number, stdin: () => string | null): SourceReader {
  const files = new Set(collected.files);
  const dirs = collected.inputs.flatMap((input) => [input.real, input.boundary]);
  return async (display) => {
    if (display === STDIN_NAME) return stdin();
    const absolute = path.resolve(cwd, display);
    const real = await fs.realpath(absolute).catch(() => null);
    if (real === null || !(files.has(absolute) || files.has(real) || isBelow(real, dirs))) return null;
    const stat = await fs.stat(real);
    if (!stat.isFile() || stat.size > maxBytes) return null;
    const text = await fs.readFile(real, 'utf8');
    return text.includes('\0') ? null : text;
  };
}

function toResource(object: LoadedObject): Resource {
  return createResource({
    obj: object.obj,
    origin: { type: 'file', file: object.file, docIndex: object.docIndex, itemIndex: object.itemIndex, ...(object.root !== undefined ? { root: object.root } : {}) },
    defaultNamespace: object.namespaceHint,
    locate: object.locate,
  });
}

function firstRenderedFile(rendered: readonly RenderedRoot[]): string | null {
  for (const root of rendered) {
    const object = root.objects[0];
    if (object) return object.file;
  }
  return null;
}
