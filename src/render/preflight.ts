import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import { displayPath } from '../loaders/files.js';
import type { Kustomizations, KustomizationNode } from './discover.js';
import { isRemote } from './kustomization-refs.js';
import type { InputDir, RenderRoot } from './types.js';

export interface PreflightOptions {
  inputs: readonly InputDir[];
  allowRemote: boolean;
  kustomizeHelm: boolean;
  cwd: string;
}

export interface KustomizePlan {
  /** Every kustomization the root includes, itself first. */
  nodes: KustomizationNode[];
}

/**
 * Reads what a kustomization root would make kustomize read, before kustomize runs: a remote base or chart
 * (unless allowed), a file outside the kustomization's own directory (kustomize's root-only rule, here
 * with symbolic links resolved), a base outside the scanned input, a special file (a FIFO or device would
 * hang or flood the build), or Helm inflation that was not asked for all refuse the root. kustomize's own
 * load restrictor and the child's sandbox stay in place behind this.
 */
export async function preflightKustomize(root: RenderRoot, kustomizations: Kustomizations, options: PreflightOptions): Promise<KustomizePlan | { refused: string }> {
  const nodes: KustomizationNode[] = [];
  const seen = new Set<string>();
  const queue = [root.dir];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    if (seen.has(dir)) continue;
    seen.add(dir);
    const node = await kustomizations.load(dir);
    if (!node) continue;
    nodes.push(node);
    const where = displayPath(node.file, options.cwd);
    const kustomizationFile = await fs.realpath(node.file).catch(() => node.file);
    if (!within(kustomizationFile, node.dir)) return { refused: `${where} is a symbolic link out of its directory` };
    // kustomize quotes what it cannot parse, and a broken kustomization is where a secret may sit.
    if (node.problem !== null) return { refused: `${where} ${node.problem}` };
    if (!node.facts) continue;
    if (node.facts.inflatesHelm && !options.kustomizeHelm) {
      return { refused: `${where} inflates Helm charts (helmCharts), which kfscan leaves off unless the configuration sets render.kustomizeHelm: true` };
    }
    for (const ref of node.facts.refs) {
      const entry = `${ref.field} entry "${ref.value}" of ${where}`;
      if (ref.field === 'helmCharts.repo' || isRemote(ref.value)) {
        if (!options.allowRemote) return { refused: `${entry} is remote: remote bases and charts are fetched only with --allow-remote-resources` };
        continue;
      }
      const target = path.resolve(node.dir, ref.value);
      const real = await fs.realpath(target).catch(() => null);
      if (real === null) {
        // Missing (kustomize will say so), or not a path at all (/dev/stdin of a pipe): judged by its name.
        if (ref.type === 'file' && !within(target, node.dir)) return { refused: `${entry} is outside the kustomization's directory (kustomize's root-only rule)` };
        if (!insideScanned(target, options.inputs)) return { refused: `${entry} is outside the scanned input${OUTSIDE_HINT}` };
        continue;
      }
      if (ref.type === 'file' && !within(real, node.dir)) return { refused: `${entry} is outside the kustomization's directory (kustomize's root-only rule)` };
      if (!insideScanned(real, options.inputs)) return { refused: `${entry} is outside the scanned input${OUTSIDE_HINT}` };
      const stat = await fs.stat(real).catch(() => null);
      if (stat === null) continue;
      if (stat.isDirectory()) {
        if (ref.type === 'resource') queue.push(real);
        else return { refused: `${entry} is a directory` };
      } else if (!stat.isFile()) {
        return { refused: `${entry} is not a regular file` };
      }
    }
  }
  return { nodes };
}

/**
 * Helm reads every file of a chart (`.Files.Get`) and follows symbolic links: a chart whose tree holds a
 * link out of the scanned input, or a special file, is not rendered. Values files named in the
 * configuration (which a pull request can change) must be regular files inside the input.
 */
export async function preflightChart(root: RenderRoot, valuesFromConfig: readonly string[], options: PreflightOptions): Promise<{ refused: string } | null> {
  const hazard = await hazardIn(root.dir, options.inputs);
  if (hazard) return { refused: `${displayPath(hazard.file, options.cwd)} ${hazard.reason}` };
  for (const file of valuesFromConfig) {
    const real = await fs.realpath(file).catch(() => null);
    const stat = real ? await fs.stat(real).catch(() => null) : null;
    if (real === null || !insideScanned(real, options.inputs)) return { refused: `values file ${displayPath(file, options.cwd)} from the configuration is outside the scanned input` };
    if (!stat?.isFile()) return { refused: `values file ${displayPath(file, options.cwd)} from the configuration is not a regular file` };
  }
  return null;
}

async function hazardIn(dir: string, inputs: readonly InputDir[]): Promise<{ file: string; reason: string } | null> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return null;
  }
  for (const entry of entries) {
    const file = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      const real = await fs.realpath(file).catch(() => null);
      if (real === null) continue;
      if (!insideScanned(real, inputs)) return { file, reason: 'is a symbolic link out of the scanned input' };
      const stat = await fs.stat(real).catch(() => null);
      if (stat && !stat.isFile() && !stat.isDirectory()) return { file, reason: 'links to a special file' };
    } else if (entry.isDirectory()) {
      const inner = await hazardIn(file, inputs);
      if (inner) return inner;
    } else if (!entry.isFile()) {
      return { file, reason: 'is a special file (FIFO, socket or device)' };
    }
  }
  return null;
}

const OUTSIDE_HINT = ' (nor in the git work tree that holds it: scan a directory that holds both)';

/** In an input, or in the git work tree that holds one. */
function insideScanned(file: string, inputs: readonly InputDir[]): boolean {
  return inputs.some((input) => within(file, input.real) || within(file, input.boundary));
}

/** `file` is `dir` or below it; an empty `dir` means anywhere. */
export function within(file: string, dir: string): boolean {
  if (dir === '') return true;
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`);
}
