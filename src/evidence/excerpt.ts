// Excerpts for the customer report: a few numbered lines of a finding's source around the flagged field,
// or, for live findings, the fields of the object that the finding is about. Bounded in lines and line
// length, and redacted (redact.ts) before they leave this module.
import { stringify, parseDocument, LineCounter, isMap, isSeq, type Node } from 'yaml';
import type { Excerpt, FieldPath, KubeObject } from '../core/types.js';
import { isPlainObject } from '../loaders/manifest-parser.js';
import { REDACTED, isSecretName, lineRedactor, type LineRedactor } from './redact.js';

/** Lines either side of the flagged one. */
export const CONTEXT_LINES = 3;
export const MAX_LINE = 160;
export const MAX_OBJECT_LINES = 24;

/** Numbered lines of `text` around `line`, redacted; `null` when the line is not in the text. */
export function sourceExcerpt(file: string, text: string, line: number, column: number, redact: LineRedactor): Excerpt | null {
  const lines = text.split(/\r?\n/);
  if (line < 1 || line > lines.length) return null;
  const first = Math.max(1, line - CONTEXT_LINES);
  const last = Math.min(lines.length, line + CONTEXT_LINES);
  const redacted = redact(lines.slice(first - 1, last), first);
  return {
    kind: 'source',
    file,
    lines: redacted.map((content, index) => ({ line: first + index, text: cut(content, first + index === line ? column : 1) })),
    highlight: line,
  };
}

/**
 * A redactor for a file. In YAML and JSON, Secret documents are found and their data redacted; any other
 * file a finding points at (the env file of a secretGenerator, say) keeps its keys only.
 */
export function fileRedactor(file: string, text: string, knownValues: readonly string[]): LineRedactor {
  const structured = /\.(ya?ml|json|tpl)$/i.test(file) || file === '<stdin>';
  return lineRedactor({ text, knownValues, allValues: !structured });
}

/**
 * The fields of a live object that a finding is about: its kind and name, and the flagged field with its
 * siblings (nested values summarised), as YAML, the flagged field marked; Secret data and values under
 * secret names are redacted before the YAML is written.
 */
export function objectExcerpt(obj: KubeObject, path: FieldPath, knownValues: readonly string[]): Excerpt {
  const shown: Record<string, unknown> = { apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) } };
  const parentPath = path.slice(0, -1);
  const parent = dig(obj, parentPath);
  if (path.length > 0 && parent !== undefined) setAt(shown, parentPath, summarise(parent, 2));
  const secret = obj.kind === 'Secret';
  const text = stringify(redactObject(shown, secret), { lineWidth: 0 });
  const counter = new LineCounter();
  const document = parseDocument(text, { lineCounter: counter });
  const node = path.length > 0 ? (document.getIn(compactPath(path, parentPath), true) as Node | undefined) : undefined;
  const highlight = node?.range ? counter.linePos(keyStart(document, compactPath(path, parentPath)) ?? node.range[0]).line : null;
  const redact = lineRedactor({ text, knownValues, allValues: false });
  const lines = redact(text.replace(/\n$/, '').split('\n'), 1).map((content, index) => ({ line: index + 1, text: cut(content, 1) }));
  const window = windowAround(lines, highlight);
  return { kind: 'object', file: null, lines: window, highlight };
}

/** Objects, like files, are cut to a window around the flagged line. */
function windowAround(lines: Array<{ line: number; text: string }>, highlight: number | null): Array<{ line: number; text: string }> {
  if (lines.length <= MAX_OBJECT_LINES) return lines;
  const center = highlight ?? 1;
  const start = Math.max(0, Math.min(lines.length - MAX_OBJECT_LINES, center - Math.floor(MAX_OBJECT_LINES / 2)));
  return lines.slice(start, start + MAX_OBJECT_LINES);
}

/** Arrays keep only the element on the path, so indexes in the excerpt are 0. */
function compactPath(path: FieldPath, parentPath: FieldPath): (string | number)[] {
  return path.map((part, index) => (typeof part === 'number' && index < parentPath.length ? 0 : part));
}

function keyStart(document: ReturnType<typeof parseDocument>, path: (string | number)[]): number | null {
  const parent: unknown = path.length > 1 ? document.getIn(path.slice(0, -1), true) : document.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find((item) => (item.key as { value?: unknown } | null)?.value === last);
    return (pair?.key as Node | undefined)?.range?.[0] ?? null;
  }
  if (isSeq(parent) && typeof last === 'number') return (parent.items[last] as Node | undefined)?.range?.[0] ?? null;
  return null;
}

function dig(root: unknown, path: FieldPath): unknown {
  let node = root;
  for (const part of path) {
    if (Array.isArray(node) && typeof part === 'number') node = node[part];
    else if (isPlainObject(node) && typeof part === 'string') node = node[part];
    else return undefined;
  }
  return node;
}

/** Writes `value` at `path` into `target`, keeping only the path's element of each array on the way. */
function setAt(target: Record<string, unknown>, path: FieldPath, value: unknown): void {
  if (path.length === 0) {
    if (isPlainObject(value)) Object.assign(target, value);
    return;
  }
  let node: Record<string, unknown> | unknown[] = target;
  path.forEach((part, index) => {
    const last = index === path.length - 1;
    const next = path[index + 1];
    const child = last ? value : typeof next === 'number' ? [] : {};
    if (Array.isArray(node)) {
      if (node.length === 0) node.push(child);
      node = node[0] as Record<string, unknown> | unknown[];
    } else {
      const existing = node[String(part)];
      if (existing === undefined || last) node[String(part)] = child;
      node = node[String(part)] as Record<string, unknown> | unknown[];
    }
  });
}

/** Nested mappings and lists below `depth` become `{...}` and `[N items]`, so the excerpt stays short. */
function summarise(value: unknown, depth: number): unknown {
  if (Array.isArray(value)) return depth <= 0 ? `[${value.length} items]` : value.slice(0, 6).map((item) => summarise(item, depth - 1));
  if (isPlainObject(value)) {
    if (depth <= 0) return '{...}';
    return Object.fromEntries(Object.entries(value).slice(0, 16).map(([key, item]) => [key, summarise(item, depth - 1)]));
  }
  return typeof value === 'string' && value.length > MAX_LINE ? `${value.slice(0, MAX_LINE - 1)}…` : value;
}

/** Secret data and values under secret names are replaced before anything is written. */
function redactObject(value: unknown, secret: boolean, key: string | null = null): unknown {
  if (secret && (key === 'data' || key === 'stringData') && isPlainObject(value)) return Object.fromEntries(Object.keys(value).map((k) => [k, REDACTED]));
  if (Array.isArray(value)) return value.map((item) => redactObject(item, secret));
  if (isPlainObject(value)) {
    const named = typeof value['name'] === 'string' && isSecretName(value['name']) && 'value' in value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, (named && k === 'value') || (typeof v === 'string' && isSecretName(k)) ? REDACTED : redactObject(v, secret, k)]));
  }
  return value;
}

/** A long line is cut to MAX_LINE characters around the flagged column. */
function cut(text: string, column: number): string {
  if (text.length <= MAX_LINE) return text;
  const start = Math.max(0, Math.min(text.length - MAX_LINE, column - 1 - Math.floor(MAX_LINE / 3)));
  return `${start > 0 ? '…' : ''}${text.slice(start, start + MAX_LINE)}${start + MAX_LINE < text.length ? '…' : ''}`;
}
