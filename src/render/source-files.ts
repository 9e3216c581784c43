import { scalarText } from '../core/json.js';
import { promises as fs } from 'node:fs';
import type { FieldPath, KubeObject, SourceLocation } from '../core/types.js';
import { displayPath } from '../loaders/files.js';
import { parseManifests, type ParsedObject } from '../loaders/manifest-parser.js';

export interface SourceFile {
  file: string;
  display: string;
  text: string;
  objects: ParsedObject[];
}

/** Source files of rendered objects, read and parsed once each, for locating what kustomize built from them. */
export class SourceFiles {
  private readonly cache = new Map<string, Promise<SourceFile | null>>();

  constructor(
    private readonly cwd: string,
    private readonly maxBytes: number,
  ) {}

  load(file: string): Promise<SourceFile | null> {
    let loaded = this.cache.get(file);
    if (!loaded) this.cache.set(file, (loaded = this.read(file)));
    return loaded;
  }

  private async read(file: string): Promise<SourceFile | null> {
    try {
      const stat = await fs.stat(file);
      if (!stat.isFile() || stat.size > this.maxBytes) return null;
      const text = await fs.readFile(file, 'utf8');
      const display = displayPath(file, this.cwd);
      // Objects only: problems in the file are reported once, by the render or the plain scan.
      return { file, display, text, objects: text.includes('\0') ? [] : parseManifests(text, display).objects };
    } catch {
      return null;
    }
  }
}

/** The source object a rendered one came from: same kind, and the name kustomize kept or decorated. */
export function matchSource(rendered: KubeObject, candidates: readonly ParsedObject[]): ParsedObject | null {
  const sameKind = candidates.filter((candidate) => candidate.obj.kind === rendered.kind);
  if (sameKind.length <= 1) return sameKind[0] ?? null;
  const name = String(rendered.metadata.name ?? '');
  const exact = sameKind.find((candidate) => candidate.obj.metadata.name === name);
  if (exact) return exact;
  // namePrefix / nameSuffix keep the original name inside the new one: the longest such name wins.
  let best: ParsedObject | null = null;
  for (const candidate of sameKind) {
    const original = String(candidate.obj.metadata.name ?? '');
    if (original !== '' && name.includes(original) && original.length > String(best?.obj.metadata.name ?? '').length) best = candidate;
  }
  return best ?? sameKind[0]!;
}

/** A document that patches objects: where a field it sets is located. */
export interface PatchDocument {
  obj: KubeObject;
  locate(path: FieldPath): SourceLocation | null;
}

export const OBJECT_LINE_NOTE = "line of the object: kustomize sets this field, not this file";

/**
 * Locates a field of a rendered object: in its source file when the source holds that field with the same
 * value (or, for a map or list, holds it at all); else in a patch that sets it to the rendered value; else
 * at the object's own line, with a note saying so.
 */
export function renderedLocator(rendered: KubeObject, source: ParsedObject | null, patches: readonly PatchDocument[], fallback: SourceLocation): (path: FieldPath) => SourceLocation | null {
  const objectLine = (): SourceLocation => ({ ...(source?.locate([]) ?? fallback), note: OBJECT_LINE_NOTE });
  return (fullPath) => {
    if (fullPath.length === 0) return source?.locate([]) ?? fallback;
    // A path may go on inside a string that holds YAML (a ConfigMap's config file): compare that string.
    const path = embeddingPrefix(rendered, fullPath);
    const value = valueAt(rendered, path);
    if (source && agrees(valueAt(source.obj, path), value)) return source.locate(fullPath) ?? objectLine();
    for (let index = patches.length - 1; index >= 0; index--) {
      const patch = patches[index]!;
      if (agrees(valueAt(patch.obj, path), value)) {
        const at = patch.locate(fullPath);
        if (at) return at;
      }
    }
    return objectLine();
  };
}

function embeddingPrefix(value: unknown, path: FieldPath): FieldPath {
  let node = value;
  for (let index = 0; index < path.length; index++) {
    if (typeof node === 'string') return path.slice(0, index);
    if (node === null || typeof node !== 'object') return path;
    node = (node as Record<string | number, unknown>)[path[index]!];
  }
  return path;
}

export function valueAt(value: unknown, path: FieldPath): unknown {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function agrees(found: unknown, wanted: unknown): boolean {
  if (found === undefined || wanted === undefined) return false;
  if (typeof found === 'object' && found !== null) return typeof wanted === 'object' && wanted !== null && Array.isArray(found) === Array.isArray(wanted);
  return scalarText(found) === scalarText(wanted);
}
