import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { InputError } from '../core/types.js';
import { isPlainObject } from './manifest-parser.js';
import { yamlErrorText } from './yaml-errors.js';

/** A strategic-merge patch a kustomization applies: a file (`patchesStrategicMerge`, `patches[].path`) or inline. */
export interface PatchSource {
  file: string | null;
  inline: string | null;
  /** `patches[].target`: which objects, when the patch itself does not say. */
  target: { kind: string | null; name: string | null; namespace: string | null } | null;
}

export interface GeneratorSource {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  namespace: string | null;
  /** `envs`/`env` files: KEY=VALUE lines. */
  envFiles: string[];
  /** `literals`: KEY=VALUE. */
  literals: string[];
  /** `files`: `path` or `key=path`. */
  files: string[];
  /** Line of the generator in the kustomization, for locating generated objects. */
  line: number;
}

export interface VarSource {
  name: string;
  kind: string;
  objectName: string;
  fieldPath: string;
}

export interface Kustomization {
  file: string;
  dir: string;
  namespace: string | null;
  resources: string[];
  patches: PatchSource[];
  /** Patches kfscan cannot apply (JSON 6902): their files are still left out of the scan. */
  unsupportedPatches: string[];
  commonLabels: Record<string, string>;
  vars: VarSource[];
  generators: GeneratorSource[];
  /** Kustomizations this one includes as resources (bases, components). */
  children: Kustomization[];
  /** Files of resources this one includes, directly or through its children. */
  scope: Set<string>;
  /** The namespace its objects end up in: the outermost kustomization's that sets one. */
  effectiveNamespace: string | null;
  /** The outermost kustomization that includes this one (itself when none does). */
  root: Kustomization | null;
}

export interface KustomizeIndex {
  /** Absolute file -> namespace that the outermost kustomization including it sets. */
  namespaces: Map<string, string>;
  /** Absolute patch file -> the kustomization (display path) that patches with it. */
  patches: Map<string, string>;
  warnings: InputError[];
  /** Innermost first, the order in which `kustomize build` transforms. */
  kustomizations: Kustomization[];
}

/**
 * Raw kustomize sources are not what runs: patches change types (Kubeflow's ingress gateway is
 * LoadBalancer in install.yaml and NodePort or ClusterIP after its patch), namespaces and labels are set
 * by the kustomization, and vars fill placeholders. kfscan reads the kustomizations so that the cheap,
 * safe parts can be applied (see kustomize-apply.ts), and says that rendered output is exact.
 */
export async function readKustomizations(files: readonly string[], cwd: string): Promise<KustomizeIndex> {
  const index: KustomizeIndex = { namespaces: new Map(), patches: new Map(), warnings: [], kustomizations: [] };
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
      'namespaces, commonLabels, strategic-merge patches, vars and ConfigMap/Secret generators are applied; ' +
      'JSON patches, replacements, images, Helm charts and remote bases are not. Scan rendered output for exact results: `kustomize build DIR | kfscan scan -`',
  });

  const referenced = new Set<string>();
  for (const k of byDir.values()) {
    for (const resource of k.resources) {
      const target = path.resolve(k.dir, resource);
      referenced.add(target);
      const child = byDir.get(target);
      if (child) k.children.push(child);
    }
    for (const patch of k.patches) if (patch.file) index.patches.set(patch.file, rel(k.file, cwd));
    for (const file of k.unsupportedPatches) {
      index.patches.set(file, rel(k.file, cwd));
      index.warnings.push({ file: rel(file, cwd), message: `JSON patch of ${rel(k.file, cwd)} not applied: only \`kustomize build\` applies it` });
    }
  }
  // Outermost first, so an overlay's namespace wins over its base's, as `kustomize build` does.
  const roots = dirs.filter((dir) => !referenced.has(dir));
  const order: Kustomization[] = [];
  const visit = (k: Kustomization, inherited: string | null, root: Kustomization, seen: Set<string>): void => {
    if (seen.has(k.dir)) return;
    seen.add(k.dir);
    const namespace = inherited ?? k.namespace;
    k.effectiveNamespace ??= namespace;
    k.root ??= root;
    for (const resource of k.resources) {
      const target = path.resolve(k.dir, resource);
      const nested = byDir.get(target);
      if (nested) visit(nested, namespace, root, seen);
      else if (namespace && !index.namespaces.has(target)) index.namespaces.set(target, namespace);
    }
    order.push(k);
  };
  for (const root of roots.length > 0 ? roots : dirs) visit(byDir.get(root)!, null, byDir.get(root)!, new Set());
  const scopeOf = (k: Kustomization, stack: Set<Kustomization>): Set<string> => {
    if (k.scope.size > 0 || stack.has(k)) return k.scope;
    stack.add(k);
    for (const resource of k.resources) {
      const target = path.resolve(k.dir, resource);
      const nested = byDir.get(target);
      if (nested) for (const file of scopeOf(nested, stack)) k.scope.add(file);
      else k.scope.add(target);
    }
    return k.scope;
  };
  for (const k of order) scopeOf(k, new Set());
  index.kustomizations = order;
  return index;
}

async function readOne(file: string, warnings: InputError[], cwd: string): Promise<Kustomization | null> {
  let text: string;
  let parsed: unknown;
  try {
    text = await fs.readFile(file, 'utf8');
    parsed = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch (error) {
    warnings.push({ file: rel(file, cwd), message: `cannot read kustomization: ${yamlErrorText((error as Error).message)}` });
    return null;
  }
  if (!isPlainObject(parsed)) return null;
  const dir = path.dirname(file);
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

  const patches: PatchSource[] = [];
  const unsupportedPatches: string[] = [];
  for (const entry of Array.isArray(parsed['patchesStrategicMerge']) ? parsed['patchesStrategicMerge'] : []) {
    if (typeof entry === 'string') {
      // An entry is a file, or (rarely) an inline patch document.
      if (entry.includes('\n')) patches.push({ file: null, inline: entry, target: null });
      else patches.push({ file: path.resolve(dir, entry), inline: null, target: null });
    }
  }
  for (const entry of Array.isArray(parsed['patches']) ? parsed['patches'] : []) {
    if (!isPlainObject(entry)) continue;
    const target = isPlainObject(entry['target'])
      ? { kind: str(entry['target']['kind']), name: str(entry['target']['name']), namespace: str(entry['target']['namespace']) }
      : null;
    const file = str(entry['path']);
    const inline = str(entry['patch']);
    if (file) patches.push({ file: path.resolve(dir, file), inline: null, target });
    else if (inline) patches.push({ file: null, inline, target });
  }
  for (const entry of Array.isArray(parsed['patchesJson6902']) ? parsed['patchesJson6902'] : []) {
    if (isPlainObject(entry) && typeof entry['path'] === 'string') unsupportedPatches.push(path.resolve(dir, entry['path']));
  }

  const commonLabels: Record<string, string> = {};
  for (const [key, value] of Object.entries(isPlainObject(parsed['commonLabels']) ? parsed['commonLabels'] : {})) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') commonLabels[key] = String(value);
  }

  const vars: VarSource[] = [];
  for (const entry of Array.isArray(parsed['vars']) ? parsed['vars'] : []) {
    if (!isPlainObject(entry) || !isPlainObject(entry['objref'])) continue;
    const fieldref = isPlainObject(entry['fieldref']) ? entry['fieldref'] : {};
    const name = str(entry['name']);
    const kind = str(entry['objref']['kind']);
    const objectName = str(entry['objref']['name']);
    const fieldPath = str(fieldref['fieldpath']) ?? str(fieldref['fieldPath']) ?? 'metadata.name';
    if (name && kind && objectName) vars.push({ name, kind, objectName, fieldPath });
  }

  const lines = text.split(/\r?\n/);
  const generators: GeneratorSource[] = [];
  for (const [field, kind] of [['configMapGenerator', 'ConfigMap'], ['secretGenerator', 'Secret']] as const) {
    for (const entry of Array.isArray(parsed[field]) ? parsed[field] : []) {
      if (!isPlainObject(entry) || typeof entry['name'] !== 'string') continue;
      const name = entry['name'];
      const line = lines.findIndex((l) => new RegExp(`^\\s*-?\\s*name:\\s*['"]?${escape(name)}['"]?\\s*$`).test(l)) + 1;
      generators.push({
        kind,
        name,
        namespace: str(entry['namespace']),
        envFiles: [...strings(entry['envs']), ...(typeof entry['env'] === 'string' ? [entry['env']] : [])].map((f) => path.resolve(dir, f)),
        literals: strings(entry['literals']),
        files: strings(entry['files']),
        line: line > 0 ? line : 1,
      });
    }
  }

  return {
    file,
    dir,
    namespace: str(parsed['namespace']),
    resources: [...strings(parsed['resources']), ...strings(parsed['bases']), ...strings(parsed['components'])],
    patches,
    unsupportedPatches,
    commonLabels,
    vars,
    generators,
    children: [],
    scope: new Set(),
    effectiveNamespace: null,
    root: null,
  };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function rel(file: string, cwd: string): string {
  return path.relative(cwd, file).split(path.sep).join('/');
}
