import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { FieldPath } from '../core/types.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a field path sits in a parsed YAML document: the key of the last map entry found, or the
 * item of the last sequence index found. A path that leaves the document (a field the manifest does not
 * set) stops at its deepest existing parent, which is where a user would add the field.
 */
export function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  path: FieldPath,
): Position | null {
  let node: unknown = doc.contents;
  let offset = startOf(node);
  for (const segment of path) {
    node = resolveAlias(node, doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && keyMatches(item.key, segment));
      if (!pair) break;
      offset = startOf(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      offset = startOf(item) ?? offset;
      node = item;
    } else {
      break;
    }
  }
  if (offset === null) return null;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function keyMatches(key: unknown, segment: string | number): boolean {
  if (!isScalar(key)) return false;
  const value = key.value;
  return (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') && String(value) === String(segment);
}

function resolveAlias(node: unknown, doc: Document): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

function startOf(node: unknown): number | null {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : null;
}
