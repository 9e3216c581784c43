import { LineCounter, Scalar, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node } from 'yaml';
import type { FieldPath } from '../core/types.js';

export interface Position {
  line: number;
  column: number;
}

/**
 * Finds where a field path sits in a parsed YAML document: the key of the last map entry found, or the
 * item of the last sequence index found. A path that leaves the document (a field the manifest does not
 * set) stops at its deepest existing parent, which is where a user would add the field.
 *
 * A path may go on into a literal block scalar that holds YAML itself (Dex's `config.yaml`, Istio's
 * `mesh` in a ConfigMap, a Falco rules file): with the source text, the rest of the path is located inside that block.
 */
export function locateInDocument(
  doc: Document,
  lineCounter: LineCounter,
  path: FieldPath,
  source?: string,
): Position | null {
  let node: unknown = doc.contents;
  let offset = startOf(node);
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]!;
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
      if (source !== undefined && isScalar(node)) {
        const inside = locateInBlockScalar(node, lineCounter, source, path.slice(index));
        if (inside) return inside;
      }
      break;
    }
  }
  if (offset === null) return null;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/**
 * A literal block (`|`) keeps its lines as they are, so line N of the embedded document is line N after
 * the block's indicator, shifted right by the block's indentation. Folded and quoted scalars do not keep
 * lines, and are located at the scalar itself.
 */
function locateInBlockScalar(node: Scalar, lineCounter: LineCounter, source: string, rest: FieldPath): Position | null {
  if (node.type !== Scalar.BLOCK_LITERAL || typeof node.value !== 'string' || !node.range) return null;
  const innerCounter = new LineCounter();
  const inner = parseDocument(node.value, { lineCounter: innerCounter, version: '1.1', prettyErrors: false, logLevel: 'error' });
  const contents = inner.contents;
  // A map that has the key, or a list (a Falco rules file) that has the item.
  const found = isMap(contents) ? contents.has(rest[0]) : isSeq(contents) && typeof rest[0] === 'number' && contents.items[rest[0]] !== undefined;
  if (inner.errors.length > 0 || !found) return null;
  const position = locateInDocument(inner, innerCounter, rest);
  if (!position) return null;

  const header = lineCounter.linePos(node.range[0]).line;
  const indent = blockIndent(source, node.range[0], node.value);
  return { line: header + position.line, column: position.column + indent };
}

/** Indentation of a block's content: leading spaces of its first non-blank source line, less any the value keeps. */
function blockIndent(source: string, start: number, value: string): number {
  const afterHeader = source.indexOf('\n', start);
  if (afterHeader === -1) return 0;
  const lines = source.slice(afterHeader + 1).split('\n');
  const first = lines.find((line) => line.trim() !== '') ?? '';
  const firstValue = value.split('\n').find((line) => line.trim() !== '') ?? '';
  return leadingSpaces(first) - leadingSpaces(firstValue);
}

function leadingSpaces(text: string): number {
  return text.length - text.trimStart().length;
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
