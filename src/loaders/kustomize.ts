import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { InputError } from '../core/types.js';
import { isPlainObject } from './manifest-parser.js';

export interface KustomizeIndex {
  /** Absolute file -> namespace that the outermost kustomization including it sets. */
  namespaces: Map<string, string>;
  /** Absolute patch file -> the kustomization (display path) that patches with it. */
  patches: Map<string, string>;
  warnings: InputError[];
}

interface Kustomization {
  file: string;
  dir: string;
  namespace: string | null;
  resources: string[];
  patches: string[];
}

/**
 * Raw kustomize sources are not what runs: patches change types (Kubeflow's ingress gateway is
 * LoadBalancer in install.yaml and NodePort or ClusterIP after its patch) and namespaces are set by
 * the kustomization. kfscan reads the namespace and leaves patches out, and says to scan rendered output.
 */
export async function readKustomizations(files: readonly string[], cwd: string): Promise<KustomizeIndex> {
  const index: KustomizeIndex = { namespaces: new Map(), patches: new Map(), warnings: [] };
  const byDir = new Map<string, Kustomization>();
  for (const file of files) {
    const kustomization = await readOne(file, index.warnings, cwd);
    if (kustomization) byDir.set(kustomization.dir, kustomization);
  }
  if (byDir.size === 0) return index;

  const dirs = [...byDir.keys()].sort();
  index.warnings.push({
    file: rel(byDir.get(dirs[0]!)!.file, cwd),
    message:
      `${dirs.length} kustomize source ${dirs.length === 1 ? 'directory' : 'directories'} scanned as raw files: ` +
      'patches and generators are not applied. Scan rendered output for exact results: `kustomize build DIR | kfscan scan -`',
  });

  const referenced = new Set<string>();
  for (const k of byDir.values()) {
    for (const resource of k.resources) referenced.add(path.resolve(k.dir, resource));
    for (const patch of k.patches) index.patches.set(path.resolve(k.dir, patch), rel(k.file, cwd));
  }
  // Outermost first, so an overlay's namespace wins over its base's, as `kustomize build` does.
  const roots = dirs.filter((dir) => !referenced.has(dir));
  const visit = (k: Kustomization, inherited: string | null, seen: Set<string>): void => {
    if (seen.has(k.dir)) return;
    seen.add(k.dir);
    const namespace = inherited ?? k.namespace;
    for (const resource of k.resources) {
      const target = path.resolve(k.dir, resource);
      const nested = byDir.get(target);
      if (nested) visit(nested, namespace, seen);
      else if (namespace && !index.namespaces.has(target)) index.namespaces.set(target, namespace);
    }
  };
  for (const root of roots.length > 0 ? roots : dirs) visit(byDir.get(root)!, null, new Set());
  return index;
}

async function readOne(file: string, warnings: InputError[], cwd: string): Promise<Kustomization | null> {
  let parsed: unknown;
  try {
    parsed = parse(await fs.readFile(file, 'utf8'), { maxAliasCount: 100 });
  } catch (error) {
    warnings.push({ file: rel(file, cwd), message: `cannot read kustomization: ${(error as Error).message.split('\n')[0]}` });
    return null;
  }
  if (!isPlainObject(parsed)) return null;
  const strings = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  const patchPaths = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.flatMap((v) => (typeof v === 'string' ? [v] : isPlainObject(v) && typeof v['path'] === 'string' ? [v['path']] : []))
      : [];
  return {
    file,
    dir: path.dirname(file),
    namespace: typeof parsed['namespace'] === 'string' ? parsed['namespace'] : null,
    resources: [...strings(parsed['resources']), ...strings(parsed['bases']), ...strings(parsed['components'])],
    patches: [
      ...patchPaths(parsed['patchesStrategicMerge']),
      ...patchPaths(parsed['patches']),
      ...patchPaths(parsed['patchesJson6902']),
    ],
  };
}

function rel(file: string, cwd: string): string {
  return path.relative(cwd, file).split(path.sep).join('/');
}
