import { promises as fs } from 'node:fs';
import path from 'node:path';
import { re2js } from '../kube/re2.js';
import type { FieldPath, InputError, KubeObject, SourceLocation } from '../core/types.js';
import type { LoadedObject } from './files.js';
import { rel, type GeneratorSource, type Kustomization, type KustomizeIndex, type PatchSource } from './kustomize.js';
import { isPlainObject, parseManifests, type ParsedObject } from './manifest-parser.js';
import { pathInPatch, strategicMerge } from './strategic-merge.js';

/**
 * Applies the parts of raw kustomizations that are cheap to get right, innermost kustomization first
 * as `kustomize build` does: ConfigMap/Secret generators (from env files and literals, without the name
 * hash so that raw references still match), strategic-merge patches that name their target, commonLabels
 * (labels, selectors and pod template labels), and vars (`$(NAME)` from a field of a named object).
 * Fields a patch set are located in the patch file. What is not applied is said in a warning.
 */
export async function applyKustomizations(objects: readonly LoadedObject[], index: KustomizeIndex, cwd: string): Promise<{ objects: LoadedObject[]; warnings: InputError[] }> {
  if (index.kustomizations.length === 0) return { objects: [...objects], warnings: [] };
  const warnings: InputError[] = [];
  const items: Item[] = objects.map((object) => ({ object, source: path.resolve(cwd, object.file), owner: null }));
  for (const k of index.kustomizations) {
    for (const generator of k.generators) {
      const generated = await generate(generator, k, cwd, warnings);
      if (generated) items.push({ object: generated, source: null, owner: k });
    }
  }
  const inScope = (item: Item, k: Kustomization): boolean =>
    item.source !== null ? k.scope.has(item.source) : item.owner !== null && (item.owner === k || contains(k, item.owner));

  for (const k of index.kustomizations) {
    for (const patch of k.patches) await applyPatch(patch, k, items, inScope, cwd, warnings);
    if (Object.keys(k.commonLabels).length > 0) {
      for (const item of items) if (!item.deleted && inScope(item, k)) item.object = { ...item.object, obj: withCommonLabels(item.object.obj, k.commonLabels) };
    }
  }
  for (const k of index.kustomizations) {
    if (k.vars.length === 0) continue;
    const scope = k.root ?? k;
    const values = new Map<string, string>();
    for (const variable of k.vars) {
      const holder = items.find((item) => !item.deleted && inScope(item, scope) && item.object.obj.kind === variable.kind && item.object.obj.metadata.name === variable.objectName);
      const value = holder ? fieldValue(holder.object, variable.fieldPath) : null;
      if (value !== null) values.set(variable.name, value);
    }
    if (values.size === 0) continue;
    for (const item of items) {
      if (!item.deleted && inScope(item, scope)) item.object = { ...item.object, obj: substitute(item.object.obj, values) as KubeObject };
    }
  }
  return { objects: items.filter((item) => !item.deleted).map((item) => item.object), warnings };
}

interface Item {
  object: LoadedObject;
  /** Absolute file the object was read from; null for generated objects. */
  source: string | null;
  /** The kustomization that generated the object. */
  owner: Kustomization | null;
  deleted?: boolean;
}

function contains(outer: Kustomization, inner: Kustomization): boolean {
  return outer.children.some((child) => child === inner || contains(child, inner));
}

async function applyPatch(
  patch: PatchSource,
  k: Kustomization,
  items: Item[],
  inScope: (item: Item, k: Kustomization) => boolean,
  cwd: string,
  warnings: InputError[],
): Promise<void> {
  const display = patch.file ? rel(patch.file, cwd) : rel(k.file, cwd);
  let text: string;
  try {
    text = patch.inline ?? (await fs.readFile(patch.file!, 'utf8'));
  } catch {
    warnings.push({ file: display, message: `kustomize patch not applied: cannot read it` });
    return;
  }
  const parsed = parseManifests(text, display);
  const documents: ParsedObject[] = parsed.objects.length > 0 ? parsed.objects : [];
  if (documents.length === 0) {
    warnings.push({ file: display, message: 'kustomize patch not applied: not a strategic-merge patch (JSON patches are not applied)' });
    return;
  }
  for (const document of documents) {
    const kind = patch.target?.kind ?? document.obj.kind;
    const name = patch.target?.name ?? document.obj.metadata.name;
    const namespace = patch.target?.namespace ?? (typeof document.obj.metadata.namespace === 'string' ? document.obj.metadata.namespace : null);
    const targets = items.filter((item) => {
      if (item.deleted || !inScope(item, k)) return false;
      const obj = item.object.obj;
      if (obj.kind !== kind || !nameMatches(name, obj.metadata.name)) return false;
      const objectNamespace = typeof obj.metadata.namespace === 'string' ? obj.metadata.namespace : item.object.namespaceHint;
      return namespace === null || objectNamespace === null || objectNamespace === namespace;
    });
    if (targets.length === 0) {
      warnings.push({ file: display, line: document.locate([])?.line ?? 1, message: `kustomize patch not applied: no ${kind} ${name ?? ''} in the input` });
      continue;
    }
    for (const item of targets) {
      const patchBody = patch.target ? { ...document.obj, metadata: { ...document.obj.metadata, name: item.object.obj.metadata.name } } : document.obj;
      const merged = strategicMerge(item.object.obj, patchBody);
      if (merged === null) {
        item.deleted = true;
        continue;
      }
      const base = item.object;
      const mergedObj = merged as KubeObject;
      const locate = (fieldPath: FieldPath): SourceLocation | null => {
        const inPatch = pathInPatch(fieldPath, mergedObj, patchBody);
        return inPatch && !isIdentity(fieldPath) ? document.locate(inPatch) : base.locate(fieldPath);
      };
      item.object = { ...base, obj: mergedObj, locate };
    }
  }
}

// The patch repeats apiVersion, kind and name to find its target: those still belong to the resource.
function isIdentity(fieldPath: FieldPath): boolean {
  const joined = fieldPath.join('.');
  return joined === 'apiVersion' || joined === 'kind' || joined.startsWith('metadata.name') || joined.startsWith('metadata.namespace');
}

function nameMatches(pattern: string | undefined, name: string | undefined): boolean {
  if (pattern === undefined || name === undefined) return pattern === name;
  if (pattern === name) return true;
  try {
    // kustomize's regexes are Go's (RE2): linear time, so a hostile pattern cannot hang the scan.
    return re2js().RE2JS.compile(`^(?:${pattern})$`).matches(name);
  } catch {
    return false;
  }
}

// Where kustomize's commonLabels go besides metadata.labels: selectors and pod templates.
const SELECTOR_MAP_KINDS = new Set(['Service', 'ReplicationController']);
const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

function withCommonLabels(obj: KubeObject, labels: Record<string, string>): KubeObject {
  const out: KubeObject = { ...obj, metadata: { ...obj.metadata, labels: { ...(isPlainObject(obj.metadata.labels) ? obj.metadata.labels : {}), ...labels } } };
  const spec = isPlainObject(obj['spec']) ? { ...obj['spec'] } : null;
  if (!spec) return out;
  if (SELECTOR_MAP_KINDS.has(obj.kind)) {
    spec['selector'] = { ...(isPlainObject(spec['selector']) ? spec['selector'] : {}), ...labels };
  } else if (WORKLOAD_KINDS.has(obj.kind) || obj.kind === 'CronJob') {
    if (WORKLOAD_KINDS.has(obj.kind)) {
      const selector = isPlainObject(spec['selector']) ? spec['selector'] : {};
      spec['selector'] = { ...selector, matchLabels: { ...(isPlainObject(selector['matchLabels']) ? selector['matchLabels'] : {}), ...labels } };
    }
    const template = isPlainObject(spec['template']) ? spec['template'] : null;
    if (template) {
      const metadata = isPlainObject(template['metadata']) ? template['metadata'] : {};
      spec['template'] = { ...template, metadata: { ...metadata, labels: { ...(isPlainObject(metadata['labels']) ? metadata['labels'] : {}), ...labels } } };
    }
  }
  out['spec'] = spec;
  return out;
}

function fieldValue(object: LoadedObject, fieldPath: string): string | null {
  if (fieldPath === 'metadata.namespace') {
    const ns = object.obj.metadata.namespace;
    return typeof ns === 'string' && ns !== '' ? ns : (object.namespaceHint ?? 'default');
  }
  let value: unknown = object.obj;
  for (const key of fieldPath.split('.')) value = isPlainObject(value) ? value[key] : undefined;
  if (object.obj.kind === 'Secret' && fieldPath.startsWith('data.') && typeof value === 'string') return Buffer.from(value, 'base64').toString('utf8');
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : null;
}

const VAR = /\$\(([A-Za-z_][\w.-]*)\)/g;

function substitute(value: unknown, values: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') return value.includes('$(') ? value.replace(VAR, (whole, name: string) => values.get(name) ?? whole) : value;
  if (Array.isArray(value)) return value.map((item) => substitute(item, values));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = substitute(item, values);
    return out;
  }
  return value;
}

/** A generated ConfigMap or Secret, located at its keys' lines in the env file (or the generator's line). */
async function generate(generator: GeneratorSource, k: Kustomization, cwd: string, warnings: InputError[]): Promise<LoadedObject | null> {
  const data: Record<string, string> = {};
  const lines = new Map<string, { file: string; line: number }>();
  for (const file of generator.envFiles) {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch {
      warnings.push({ file: rel(k.file, cwd), line: generator.line, message: `${generator.kind} generator ${generator.name}: cannot read ${rel(file, cwd)}` });
      continue;
    }
    text.split(/\r?\n/).forEach((line, index) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const equals = trimmed.indexOf('=');
      const key = equals === -1 ? trimmed : trimmed.slice(0, equals);
      data[key] = equals === -1 ? '' : trimmed.slice(equals + 1);
      lines.set(key, { file: rel(file, cwd), line: index + 1 });
    });
  }
  for (const literal of generator.literals) {
    const equals = literal.indexOf('=');
    if (equals > 0) data[literal.slice(0, equals)] = literal.slice(equals + 1);
  }
  for (const entry of generator.files) {
    const equals = entry.indexOf('=');
    const key = equals > 0 ? entry.slice(0, equals) : path.basename(entry);
    const file = path.resolve(k.dir, equals > 0 ? entry.slice(equals + 1) : entry);
    try {
      data[key] = await fs.readFile(file, 'utf8');
      lines.set(key, { file: rel(file, cwd), line: 1 });
    } catch {
      warnings.push({ file: rel(k.file, cwd), line: generator.line, message: `${generator.kind} generator ${generator.name}: cannot read ${rel(file, cwd)}` });
    }
  }
  const kustomizationFile = rel(k.file, cwd);
  const obj: KubeObject =
    generator.kind === 'Secret'
      ? { apiVersion: 'v1', kind: 'Secret', metadata: { name: generator.name }, data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, Buffer.from(value).toString('base64')])) }
      : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data };
  if (generator.namespace) obj.metadata.namespace = generator.namespace;
  const locate = (fieldPath: FieldPath): SourceLocation => {
    const at = fieldPath[0] === 'data' && typeof fieldPath[1] === 'string' ? lines.get(fieldPath[1]) : undefined;
    return at ? { file: at.file, line: at.line, column: 1 } : { file: kustomizationFile, line: generator.line, column: 1 };
  };
  return { obj, docIndex: 0, itemIndex: null, locate, file: kustomizationFile, namespaceHint: k.effectiveNamespace };
}
