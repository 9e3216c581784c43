import { scalarText } from '../core/json.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import picomatch from 'picomatch';
import { groupOf, isClusterScoped } from '../core/kinds.js';
import type { InputError } from '../core/types.js';
import type { LoadedObject } from '../loaders/files.js';
import type { RenderRoot } from './types.js';
import { append } from '../core/arrays.js';
import { trimEnd } from '../core/text-scan.js';

/** Roots judged together, with the plain files; one view when no two roots render the same object. */
export interface View {
  /** `null` when there is only one view. */
  name: string | null;
  roots: RenderRoot[];
  /** The roots that set this view apart from the others (alternatives picked for it). */
  distinct: RenderRoot[];
}

export interface RootObjects {
  root: RenderRoot;
  objects: readonly LoadedObject[];
}

/** The identity two roots collide on: the same object, as the API server would name it. */
export function objectKey(object: LoadedObject): string {
  const { obj } = object;
  const namespace = isClusterScoped(obj.kind) ? '' : typeof obj.metadata.namespace === 'string' && obj.metadata.namespace !== '' ? obj.metadata.namespace : (object.namespaceHint ?? 'default');
  return `${groupOf(String(obj.apiVersion))}\0${obj.kind}\0${namespace}\0${scalarText(obj.metadata.name) ?? scalarText(obj.metadata['generateName']) ?? ''}`;
}

/**
 * What deploys together is judged together; alternatives apart. Roots that render different versions of
 * one object (overlays of one base) are alternatives: within each group of colliding roots, each alternative goes to
 * a view of its own, the other roots to every view. Alternatives of different groups that sit at the same
 * path below their group (`a/overlays/prod`, `b/overlays/prod`) share a view, so that ten apps with prod
 * and staging overlays give two views, not 2^10; a group without that path lends its first alternative.
 */
export function automaticViews(rendered: readonly RootObjects[]): View[] {
  if (rendered.length === 0) return [{ name: null, roots: [], distinct: [] }];
  // Two roots are alternatives when they render one object from the same source (overlays of one base), or
  // different versions of it. The same object declared alike in two independent places (a Namespace that
  // two apps both create) deploys the same either way and joins nothing.
  const byKey = new Map<string, Array<{ index: number; version: Version }>>();
  rendered.forEach(({ objects }, index) => {
    for (const [key, version] of versions(objects)) {
      let list = byKey.get(key);
      if (!list) byKey.set(key, (list = []));
      list.push({ index, version });
    }
  });
  const neighbours = rendered.map(() => new Set<number>());
  for (const list of byKey.values()) {
    for (const [i, a] of list.entries()) {
      for (const b of list.slice(i + 1)) {
        if (a.index === b.index || !conflict(a.version, b.version)) continue;
        neighbours[a.index]!.add(b.index);
        neighbours[b.index]!.add(a.index);
      }
    }
  }
  const shared: RenderRoot[] = [];
  const groups: Array<Array<{ tag: string; roots: RenderRoot[] }>> = [];
  const seen = new Set<number>();
  rendered.forEach((_, start) => {
    if (seen.has(start)) return;
    const component: number[] = [];
    const stack = [start];
    while (stack.length > 0) {
      const index = stack.pop()!;
      if (seen.has(index)) continue;
      seen.add(index);
      component.push(index);
      append(stack, neighbours[index]!);
    }
    if (component.length === 1) {
      shared.push(rendered[start]!.root);
      return;
    }
    component.sort((a, b) => compare(rendered[a]!.root.display, rendered[b]!.root.display));
    // Greedy colouring: each colour is a set of roots of the group that collide with none of each other.
    const colours: number[][] = [];
    for (const index of component) {
      const colour = colours.find((members) => members.every((member) => !neighbours[index]!.has(member)));
      if (colour) colour.push(index);
      else colours.push([index]);
    }
    const base = commonDir(component.map((index) => rendered[index]!.root.dir));
    groups.push(
      colours
        .map((members) => {
          const roots = members.map((index) => rendered[index]!.root);
          return { tag: roots.map((root) => path.relative(base, root.dir).split(path.sep).join('/') || '.').join(' + '), roots };
        })
        .sort((a, b) => compare(a.tag, b.tag)),
    );
  });
  if (groups.length === 0) return [{ name: null, roots: shared, distinct: [] }];

  const tags = [...new Set(groups.flatMap((group) => group.map((alternative) => alternative.tag)))].sort(compare);
  return tags.map((tag) => {
    const picked = groups.map((group) => group.find((alternative) => alternative.tag === tag) ?? group[0]!);
    const distinct = groups.flatMap((group) => group.filter((alternative) => alternative.tag === tag)).flatMap((alternative) => alternative.roots);
    return { name: tag, roots: sortRoots([...shared, ...picked.flatMap((alternative) => alternative.roots)]), distinct: sortRoots(distinct) };
  });
}

/**
 * Views that the configuration declares: each names its roots (paths or globs relative to the
 * configuration file). A root that no declared view names joins every view it collides with nothing in;
 * one that collides everywhere is judged in a view of its own.
 */
export function declaredViews(
  declared: ReadonlyArray<{ name: string; roots: readonly string[] }>,
  rendered: readonly RootObjects[],
  configDir: string,
  warnings: InputError[],
): View[] {
  const relative = (root: RenderRoot): string => path.relative(configDir, root.dir).split(path.sep).join('/') || '.';
  const views: View[] = declared.map((view) => {
    const match = picomatch(view.roots.map((pattern) => trimEnd(pattern.replace(/^\.\//, ''), '/') || '.'), { dot: true });
    const roots = rendered.filter(({ root }) => match(relative(root))).map(({ root }) => root);
    if (roots.length === 0) warnings.push({ message: `view ${view.name} of the configuration names no rendered root (${view.roots.join(', ')})` });
    return { name: view.name, roots, distinct: roots };
  });
  const versionsOf = new Map(rendered.map(({ root, objects }) => [root, versions(objects)]));
  const collide = (a: RenderRoot, b: RenderRoot): boolean => {
    const mine = versionsOf.get(a)!;
    for (const [key, version] of versionsOf.get(b)!) {
      const other = mine.get(key);
      if (other && conflict(version, other)) return true;
    }
    return false;
  };
  const named = new Set(views.flatMap((view) => view.roots));
  for (const { root } of rendered) {
    if (named.has(root)) continue;
    const hosts = views.filter((view) => view.roots.every((other) => !collide(root, other)));
    if (hosts.length === 0) {
      warnings.push({ message: `rendered root ${root.label} is in no view of the configuration and collides with each: judged in a view of its own` });
      views.push({ name: root.label, roots: [root], distinct: [root] });
    } else {
      for (const view of hosts) view.roots = sortRoots([...view.roots, root]);
    }
  }
  return views;
}

interface Version {
  /** The file the object was written in. */
  file: string;
  /** A digest of the rendered object. */
  content: string;
}

function conflict(a: Version, b: Version): boolean {
  return a.file === b.file || a.content !== b.content;
}

/** Each object's identity, source file and content digest. */
function versions(objects: readonly LoadedObject[]): Map<string, Version> {
  const out = new Map<string, Version>();
  for (const object of objects) out.set(objectKey(object), { file: object.file, content: createHash('sha256').update(stableJson(object.obj)).digest('hex') });
  return out;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function commonDir(dirs: readonly string[]): string {
  let base = path.dirname(dirs[0]!);
  while (!dirs.every((dir) => dir === base || dir.startsWith(`${base}${path.sep}`))) {
    const parent = path.dirname(base);
    if (parent === base) break;
    base = parent;
  }
  return base;
}

function sortRoots(roots: readonly RenderRoot[]): RenderRoot[] {
  return [...new Set(roots)].sort((a, b) => compare(a.display, b.display));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
