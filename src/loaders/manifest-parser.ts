import jsYaml from 'js-yaml';
import { LineCounter, isMap, parseAllDocuments, visit, type Document } from 'yaml';
import { groupOf, isUnknownBuiltinKind } from '../core/kinds.js';
import type { FieldPath, InputError, KubeObject, SourceLocation } from '../core/types.js';
import { yamlErrorText } from './yaml-errors.js';
import { locateInDocument } from './yaml-locate.js';

export interface ParsedObject {
  obj: KubeObject;
  docIndex: number;
  itemIndex: number | null;
  locate: (path: FieldPath) => SourceLocation | null;
}

export interface ParseOutcome {
  objects: ParsedObject[];
  errors: InputError[];
  warnings: InputError[];
}

// Aliases are legitimate in hand-written YAML, but thousands of them are the "billion laughs" attack.
const MAX_ALIAS_COUNT = 1000;
const MAX_DEPTH = 100;

// Helm's own vocabulary. A bare `{{ x }}` is often data (Grafana legends, Prometheus alert texts).
const HELM_ACTION = /\{\{-|-\}\}|\{\{\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\$\.|include\s|template\s|toYaml|tpl\s|define\s|if\s|else|end\s*\}\}|range\s|with\s|\/\*)/;
// kustomize vars (`$(kfp-namespace)`) and Kubeflow's `*_PLACEHOLDER` values; `$(POD_NAMESPACE)` in a
// container's args is Kubernetes' own env-var expansion and is left alone.
const KUSTOMIZE_VAR = /\$\((?![A-Z_][A-Z0-9_]*\))[A-Za-z][\w.-]*\)|\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_PLACEHOLDER\b/;

/**
 * Parses a manifest file's text into Kubernetes objects with positions. Broken documents become errors
 * and the documents around them are still returned. `precise` forces the position-keeping parser for
 * every document (tests compare both paths).
 */
export function parseManifests(text: string, file: string, options: { precise?: boolean } = {}): ParseOutcome {
  const outcome: ParseOutcome = { objects: [], errors: [], warnings: [] };
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const state: ParseState = { file, outcome, placeholderWarned: false, docIndex: 0, mayHoldTemplates: source.includes('{{') };
  for (const chunk of splitDocuments(source)) {
    if (options.precise) parseChunkPrecisely(chunk, state);
    else parseChunk(chunk, state);
  }
  return outcome;
}

interface ParseState {
  file: string;
  outcome: ParseOutcome;
  placeholderWarned: boolean;
  docIndex: number;
  mayHoldTemplates: boolean;
}

interface Chunk {
  text: string;
  /** Lines before this chunk in the file. */
  lineOffset: number;
}

/**
 * Cuts the text at `---` lines before parsing, so that a broken document (an unclosed quote, say) cannot
 * swallow the documents after it: YAML forbids `---` at the start of a line inside any scalar, so every
 * such line starts a new document anyway.
 */
function splitDocuments(source: string): Chunk[] {
  const chunks: Chunk[] = [];
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let start = 0;
  let lineOffset = 0;
  for (const match of source.matchAll(marker)) {
    if (match.index === 0) continue;
    const text = source.slice(start, match.index);
    chunks.push({ text, lineOffset });
    lineOffset += countNewlines(text);
    start = match.index;
  }
  chunks.push({ text: source.slice(start), lineOffset });
  return chunks;
}

// Both parsers read YAML 1.2's core schema plus merge keys: no timestamps turned into dates, no `yes`
// booleans, so that the fast and the precise path give the same objects.
const YAML_OPTIONS = { version: '1.2', merge: true, prettyErrors: false, logLevel: 'error' } as const;
// `types` exists at runtime but is missing from @types/js-yaml.
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend([(jsYaml as unknown as { types: { merge: jsYaml.Type } }).types.merge]);
// Anchors and aliases (alias bombs) and template braces go to the precise parser, which bounds alias
// expansion and can tell a Helm action from data.
const NEEDS_PRECISE_PARSER = /\{\{|(?:^|[\s[{,:-])[&*][^\s,[\]{}]/m;

function parseChunk(chunk: Chunk, state: ParseState): void {
  if (!NEEDS_PRECISE_PARSER.test(chunk.text) && parseChunkFast(chunk, state)) return;
  parseChunkPrecisely(chunk, state);
}

/**
 * Most documents are plain: js-yaml reads them about ten times faster than the position-keeping parser.
 * Positions are worked out later, and only for the documents that have findings (`lazyLocator`).
 * Returns false when the fast parser refuses the chunk, so the precise one reports the exact error.
 */
function parseChunkFast(chunk: Chunk, state: ParseState): boolean {
  let value: unknown;
  try {
    value = jsYaml.load(chunk.text, { schema: FAST_SCHEMA, json: false });
  } catch {
    return false;
  }
  const docIndex = state.docIndex++;
  if (value === null || value === undefined) return true;
  const locate = lazyLocator(chunk, state.file);
  acceptDocument(value, { docIndex, docSource: chunk.text, docLine: () => locate([])?.line ?? chunk.lineOffset + 1, locate }, state);
  return true;
}

function lazyLocator(chunk: Chunk, file: string): (path: FieldPath) => SourceLocation | null {
  let parsed: { doc: Document.Parsed; lineCounter: LineCounter } | null | undefined;
  return (path) => {
    if (parsed === undefined) {
      const lineCounter = new LineCounter();
      const doc = parseAllDocuments(chunk.text, { lineCounter, ...YAML_OPTIONS }).find((d) => d.contents !== null);
      parsed = doc ? { doc, lineCounter } : null;
    }
    if (!parsed) return null;
    const pos = locateInDocument(parsed.doc, parsed.lineCounter, path, chunk.text);
    return pos ? { file, line: pos.line + chunk.lineOffset, column: pos.column } : null;
  };
}

function parseChunkPrecisely(chunk: Chunk, state: ParseState): void {
  const { file, outcome } = state;
  const lineCounter = new LineCounter();
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + chunk.lineOffset, column: col };
  };
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(chunk.text, { lineCounter, ...YAML_OPTIONS }) as Document.Parsed[];
  } catch (error) {
    outcome.errors.push({ file, line: chunk.lineOffset + 1, column: 1, message: `cannot parse YAML: ${describe(error)}` });
    return;
  }
  if (!Array.isArray(documents)) documents = [documents];

  for (const doc of documents) {
    const docIndex = state.docIndex++;
    const docSource = chunk.text.slice(doc.range[0], doc.range[2]);
    const firstError = doc.errors[0];
    if (firstError) {
      const templateLine = state.mayHoldTemplates ? findLine(docSource, HELM_ACTION) : null;
      outcome.errors.push(
        templateLine !== null
          ? { file, line: position(doc.range[0]).line + templateLine - 1, column: 1, message: HELM_MESSAGE }
          : { file, ...position(firstError.pos[0]), message: `invalid YAML: ${/call stack/i.test(firstError.message) ? 'nested too deeply to parse' : firstLine(firstError.message)}` },
      );
      continue;
    }
    if (doc.contents === null) continue;
    if (state.mayHoldTemplates) {
      const templateOffset = templateActionOffset(doc, chunk.text);
      if (templateOffset !== null) {
        outcome.errors.push({ file, ...position(templateOffset), message: HELM_MESSAGE });
        continue;
      }
    }

    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      outcome.errors.push({ file, ...position(doc.contents.range?.[0] ?? 0), message: `document rejected: ${describe(error)}` });
      continue;
    }
    if (value === null || value === undefined) continue;

    const locate = (path: FieldPath): SourceLocation | null => {
      const pos = locateInDocument(doc, lineCounter, path, chunk.text);
      return pos ? { file, line: pos.line + chunk.lineOffset, column: pos.column } : null;
    };
    acceptDocument(value, { docIndex, docSource, docLine: () => position(doc.contents!.range?.[0] ?? doc.range[0]).line, locate }, state);
  }
}

interface DocumentFacts {
  docIndex: number;
  docSource: string;
  /** Line of the document's first node; a function so the fast path computes it only when needed. */
  docLine: () => number;
  locate: (path: FieldPath) => SourceLocation | null;
}

/** Turns a parsed document into objects, or a warning saying why it is not one. */
function acceptDocument(value: unknown, facts: DocumentFacts, state: ParseState): void {
  const { file, outcome } = state;
  const placeholder = !state.placeholderWarned && KUSTOMIZE_VAR.test(facts.docSource) ? placeholderField(value, [], 0) : null;
  if (placeholder) {
    state.placeholderWarned = true;
    const at = facts.locate(placeholder);
    outcome.warnings.push({
      file,
      line: at?.line ?? facts.docLine(),
      ...(at ? { column: at.column } : {}),
      message: 'holds kustomize placeholders ($(VAR) or *_PLACEHOLDER) but no kustomization of the input renders it: values may differ from what is deployed',
    });
  }
  if (nestingDepth(value, MAX_DEPTH) > MAX_DEPTH) {
    outcome.errors.push({ file, line: facts.docLine(), column: 1, message: `document rejected: nested more than ${MAX_DEPTH} levels deep` });
    return;
  }
  const problem = kubeObjectProblem(value);
  if (problem) {
    outcome.warnings.push({ file, line: facts.docLine(), column: 1, message: `skipped: ${problem}` });
    return;
  }
  const obj = value as KubeObject;
  if (isListKind(obj)) {
    unwrapList(obj, file, facts.docIndex, facts.locate, outcome);
    return;
  }
  if (isUnknownBuiltinKind(groupOf(obj.apiVersion), obj.kind)) {
    outcome.warnings.push({ file, line: facts.docLine(), column: 1, message: `unknown kind ${obj.kind} in ${obj.apiVersion} (a typo? the API server would reject it); scanned as it is` });
  }
  if (!hasName(obj)) {
    outcome.warnings.push({ file, line: facts.docLine(), column: 1, message: `skipped ${obj.kind}: no metadata.name (the API server would reject it)` });
    return;
  }
  outcome.objects.push({ obj, docIndex: facts.docIndex, itemIndex: null, locate: facts.locate });
}

/**
 * The first field Kubernetes reads whose value is an unrendered kustomize placeholder. Free text is left
 * out: ConfigMap and Secret data (often filled by a setup script later), annotations, and multi-line
 * values (scripts, embedded files).
 */
function placeholderField(value: unknown, path: FieldPath, depth: number): FieldPath | null {
  if (depth > MAX_DEPTH) return null;
  if (typeof value === 'string') return !value.includes('\n') && KUSTOMIZE_VAR.test(value) ? path : null;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      const found = placeholderField(value[index], [...path, index], depth + 1);
      if (found) return found;
    }
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const object = value as Record<string, unknown>;
  for (const [key, inner] of Object.entries(object)) {
    if (isFreeText(object, path, key)) continue;
    if (KUSTOMIZE_VAR.test(key)) return [...path, key];
    const found = placeholderField(inner, [...path, key], depth + 1);
    if (found) return found;
  }
  return null;
}

function isFreeText(object: Record<string, unknown>, path: FieldPath, key: string): boolean {
  if (key === 'annotations' && path[path.length - 1] === 'metadata') return true;
  const kind = object['kind'];
  const topLevel = typeof kind === 'string' && typeof object['apiVersion'] === 'string';
  if (!topLevel) return false;
  if (kind === 'ConfigMap') return key === 'data' || key === 'binaryData';
  if (kind === 'Secret') return key === 'data' || key === 'stringData';
  return false;
}

const HELM_MESSAGE = 'unrendered Helm template ({{ ... }}): render it with `helm template` and scan the output';

/**
 * A template action outside any scalar (`name: {{ .Release.Name }}`) parses as a flow mapping that
 * starts with `{{`. Actions inside strings, such as Prometheus alert texts (`{{ $labels.pod }}`), are data.
 */
function templateActionOffset(doc: Document.Parsed, source: string): number | null {
  let found: number | null = null;
  visit(doc, {
    Map(_key, node) {
      const start = node.range?.[0];
      if (isMap(node) && node.flow && start !== undefined && source.startsWith('{{', start)) {
        found = start;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

function unwrapList(
  list: KubeObject,
  file: string,
  docIndex: number,
  locateDoc: (path: FieldPath) => SourceLocation | null,
  outcome: ParseOutcome,
): void {
  const items = list['items'];
  if (!Array.isArray(items)) {
    if (items !== undefined && items !== null) {
      outcome.warnings.push({ file, line: locateDoc(['items'])?.line ?? 1, message: `skipped ${list.kind}: items is not a list` });
    }
    return;
  }
  // `kubectl get pods -o yaml` prints a v1 List whose items carry their kind; typed lists (PodList) may not.
  const impliedKind = list.kind !== 'List' ? list.kind.slice(0, -'List'.length) : undefined;
  items.forEach((item: unknown, itemIndex) => {
    const itemPath = ['items', itemIndex];
    const locate = (path: FieldPath) => locateDoc([...itemPath, ...path]);
    const line = locate([])?.line ?? 1;
    if (isPlainObject(item)) {
      if (item['kind'] === undefined && impliedKind) item['kind'] = impliedKind;
      if (item['apiVersion'] === undefined) item['apiVersion'] = list.apiVersion;
    }
    const problem = kubeObjectProblem(item);
    if (problem) {
      outcome.warnings.push({ file, line, column: 1, message: `skipped list item ${itemIndex}: ${problem}` });
      return;
    }
    const obj = item as KubeObject;
    if (!hasName(obj)) {
      outcome.warnings.push({ file, line, column: 1, message: `skipped list item ${itemIndex} (${obj.kind}): no metadata.name` });
      return;
    }
    outcome.objects.push({ obj, docIndex, itemIndex, locate });
  });
}

function isListKind(obj: KubeObject): boolean {
  return obj.kind.endsWith('List') && Array.isArray(obj['items']);
}

/** Why a parsed value is not a Kubernetes object, or `null` when it is one. */
function kubeObjectProblem(value: unknown): string | null {
  if (!isPlainObject(value)) {
    const what = value === null || value === undefined ? 'null' : Array.isArray(value) ? 'a list' : `a ${typeof value}`;
    return `not a Kubernetes object (${what}, not a mapping)`;
  }
  const { apiVersion, kind } = value;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    return 'not a Kubernetes object (no apiVersion and kind)';
  }
  if (kind.endsWith('List') && Array.isArray(value['items'])) return null;
  const metadata = value['metadata'];
  if (!isPlainObject(metadata)) return `${kind} has no metadata mapping`;
  return null;
}

function hasName(obj: KubeObject): boolean {
  const { name, generateName } = obj.metadata;
  return (typeof name === 'string' && name !== '') || (typeof generateName === 'string' && generateName !== '');
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findLine(text: string, pattern: RegExp): number | null {
  const match = pattern.exec(text);
  return match ? lineAt(text, match.index) : null;
}

function countNewlines(text: string): number {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function lineAt(text: string, offset: number): number {
  return countNewlines(text.slice(0, offset)) + 1;
}

function firstLine(message: string): string {
  return yamlErrorText(message);
}

function describe(error: unknown): string {
  if (error instanceof RangeError && /call stack/i.test(error.message)) return 'nested too deeply to parse';
  return yamlErrorText(error instanceof Error ? error.message : String(error));
}

/**
 * Depth of nested objects and arrays, counted without recursion and stopping past `limit`. Real
 * Kubernetes objects stay far below it; deeper documents are hostile and would strain every check.
 */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return deepest;
}
