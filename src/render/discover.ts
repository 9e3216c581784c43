import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { InputError } from '../core/types.js';
import { isPlainObject } from '../loaders/manifest-parser.js';
import { displayPath } from '../loaders/files.js';
import { isRemote, kustomizationFacts, type KustomizationFacts } from './kustomization-refs.js';
import type { InputDir, RenderRoot } from './types.js';

export const KUSTOMIZATION_NAMES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;
const MAX_KUSTOMIZATION_BYTES = 1024 * 1024;

export interface KustomizationNode {
  dir: string;
  file: string;
  facts: KustomizationFacts | null;
  /** Why the file could not be read as a kustomization; kustomize will say it too. */
  problem: string | null;
  document: Document | null;
  lineCounter: LineCounter;
}

/** Kustomization files by directory, read once; also those outside what the walk found (hidden, excluded). */
export class Kustomizations {
  private readonly nodes = new Map<string, Promise<KustomizationNode | null>>();

  /** The kustomization in a (real) directory, or `null` when it has none. */
  load(dir: string): Promise<KustomizationNode | null> {
    let node = this.nodes.get(dir);
    if (!node) this.nodes.set(dir, (node = readNode(dir)));
    return node;
  }
}

async function readNode(dir: string): Promise<KustomizationNode | null> {
  let file: string | null = null;
  for (const name of KUSTOMIZATION_NAMES) {
    const candidate = path.join(dir, name);
    if (await fs.lstat(candidate).then(() => true, () => false)) {
      file = candidate;
      break;
    }
  }
  if (file === null) return null;
  const lineCounter = new LineCounter();
  const node: KustomizationNode = { dir, file, facts: null, problem: null, document: null, lineCounter };
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { ...node, problem: 'is not a regular file' };
    if (stat.size > MAX_KUSTOMIZATION_BYTES) return { ...node, problem: 'is larger than 1 MB' };
    const document = parseDocument(await fs.readFile(file, 'utf8'), { lineCounter, prettyErrors: false, logLevel: 'silent' });
    const error = document.errors[0];
    if (error) return { ...node, problem: `is not valid YAML (line ${error.linePos?.[0]?.line ?? 1})` };
    const data = document.toJS({ maxAliasCount: 100 }) as unknown;
    if (!isPlainObject(data)) return { ...node, problem: 'is not a mapping' };
    return { ...node, facts: kustomizationFacts(data), document };
  } catch {
    return { ...node, problem: 'cannot be read' };
  }
}

export interface Discovery {
  roots: RenderRoot[];
  warnings: InputError[];
}

/**
 * The roots to render: kustomizations that no other kustomization of the input includes (a base or
 * component is rendered through its overlays), and Helm charts that are not another chart's subchart.
 * A Component on its own cannot be built, and a library chart renders nothing: neither is a root.
 */
export async function discoverRoots(
  kustomizationDirs: ReadonlyArray<{ dir: string; input: InputDir }>,
  chartDirs: ReadonlyArray<{ dir: string; input: InputDir }>,
  kustomizations: Kustomizations,
  cwd: string,
): Promise<Discovery> {
  const warnings: InputError[] = [];
  const found = new Map<string, { node: KustomizationNode; input: InputDir }>();
  for (const { dir, input } of kustomizationDirs) {
    const node = await kustomizations.load(dir);
    if (node && !found.has(dir)) found.set(dir, { node, input });
  }
  const included = new Set<string>();
  for (const { node } of found.values()) {
    for (const ref of node.facts?.refs ?? []) {
      if (ref.type !== 'resource' || isRemote(ref.value) || ref.field === 'helmCharts.repo') continue;
      const target = await fs.realpath(path.resolve(node.dir, ref.value)).catch(() => null);
      if (target !== null && target !== node.dir && found.has(target)) included.add(target);
    }
  }
  const roots: RenderRoot[] = [];
  for (const [dir, { node, input }] of [...found].sort(([a], [b]) => compare(a, b))) {
    if (included.has(dir)) continue;
    if (node.facts?.kind === 'Component') {
      warnings.push({ file: displayPath(node.file, cwd), message: 'a kustomize Component that no kustomization in the input uses: not rendered on its own, its YAML files are scanned as they are' });
      continue;
    }
    roots.push(makeRoot('kustomize', dir, node.file, input, cwd));
  }
  // Kustomizations that only include each other (a cycle) have no top: kustomize will say what is wrong.
  const reachable = await reachableFrom(roots.map((root) => root.dir), found, kustomizations);
  for (const [dir, { node, input }] of found) {
    if (!reachable.has(dir) && node.facts?.kind !== 'Component') roots.push(makeRoot('kustomize', dir, node.file, input, cwd));
  }

  const charts = [...new Map(chartDirs.map((chart) => [chart.dir, chart])).values()].sort((a, b) => compare(a.dir, b.dir));
  for (const chart of charts) {
    if (charts.some((outer) => outer !== chart && chart.dir.startsWith(`${outer.dir}${path.sep}`))) continue;
    const file = path.join(chart.dir, 'Chart.yaml');
    if (await isLibraryChart(file)) continue;
    roots.push(makeRoot('helm', chart.dir, file, chart.input, cwd));
  }
  roots.sort((a, b) => compare(a.display, b.display));
  return { roots, warnings };
}

async function reachableFrom(starts: readonly string[], found: ReadonlyMap<string, unknown>, kustomizations: Kustomizations): Promise<Set<string>> {
  const seen = new Set<string>();
  const queue = [...starts];
  while (queue.length > 0) {
    const dir = queue.pop()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const node = await kustomizations.load(dir);
    for (const ref of node?.facts?.refs ?? []) {
      if (ref.type !== 'resource' || isRemote(ref.value)) continue;
      const target = await fs.realpath(path.resolve(dir, ref.value)).catch(() => null);
      if (target !== null && found.has(target)) queue.push(target);
    }
  }
  return seen;
}

function makeRoot(type: RenderRoot['type'], dir: string, file: string, input: InputDir, cwd: string): RenderRoot {
  const label = path.relative(input.real, dir).split(path.sep).join('/') || '.';
  return { type, dir, file, input, label, display: displayPath(dir, cwd) };
}

async function isLibraryChart(file: string): Promise<boolean> {
  try {
    const text = await fs.readFile(file, 'utf8');
    return /^type:\s*["']?library["']?\s*$/m.test(text);
  } catch {
    return false;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
