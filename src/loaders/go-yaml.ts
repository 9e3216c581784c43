// YAML as the programs kfscan models read it. kubectl, Dex, Istio and Prometheus are Go programs whose YAML
// (go-yaml, the libyaml port) is more lenient than the `yaml` package in two ways that real files rely
// on, and stricter in one that matters for safety:
// - a quoted scalar may run over lines that are not indented (Grafana dashboards inlined as '{ ... }'
//   in Kubeflow v1.0): libyaml only looks for the closing quote;
// - a key written twice in one mapping is allowed, the last one wins (yaml.v2; Prometheus' strict mode
//   refuses it, yaml-cpp, Falco's parser, keeps the first);
// - aliases are bounded by how much they expand, not by how often they are used.
import { CST, LineCounter, Parser, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node, type YAMLError } from 'yaml';
import { yamlErrorText } from './yaml-errors.js';

type DocumentOptions = Parameters<typeof parseAllDocuments>[1];

export interface GoCompatibleDocuments {
  documents: Document.Parsed[];
  lineCounter: LineCounter;
  /** The text the documents were parsed from: the source, with under-indented quoted lines indented. */
  text: string;
  /** The column in the source of a column (1-based) on a line (1-based) of `text`. */
  sourceColumn(line: number, column: number): number;
  /** Where an error is best shown: an unclosed quote where it opens (the parser reports where it gave up). */
  errorOffset(error: YAMLError): number;
}

/**
 * Parses every document of `source`, first as it is, then, where the only obstacle is a quoted scalar
 * whose continuation lines are not indented, with those lines indented past the opening quote. Leading
 * white space of a continuation line is not part of a quoted scalar's value, so the values are unchanged,
 * and no line moves: positions stay those of the source (`sourceColumn` undoes the added columns).
 */
export function parseAllDocumentsLikeGo(source: string, options: DocumentOptions): GoCompatibleDocuments {
  let text = source;
  const added = new Map<number, number>();
  for (let attempt = 0; ; attempt++) {
    const lineCounter = new LineCounter();
    const documents = parseAllDocuments(text, { ...options, lineCounter }) as Document.Parsed[] | Document.Parsed;
    const list = Array.isArray(documents) ? documents : [documents];
    const unclosed = unclosedQuotes(text, list);
    const repaired = attempt < MAX_REPAIR_ROUNDS ? indentQuotedScalars(text, unclosed, lineCounter, added) : null;
    if (repaired === null) {
      return {
        documents: list,
        lineCounter,
        text,
        sourceColumn: (line, column) => {
          const shift = added.get(line) ?? 0;
          return column > shift ? column - shift : column;
        },
        errorOffset: (error) => unclosed.get(error.pos[0]) ?? error.pos[0],
      };
    }
    text = repaired;
  }
}

// Each round repairs every unclosed scalar the parser reported; a later one can only surface behind an
// earlier one, so a few rounds settle any real file.
const MAX_REPAIR_ROUNDS = 8;

/** The quoted scalars the parser could not close: where it gave up, and where each opens. */
function unclosedQuotes(text: string, documents: readonly Document.Parsed[]): Map<number, number> {
  const starts = new Map<number, number>();
  const ends = new Set<number>();
  for (const doc of documents) for (const error of doc.errors) if (error.code === 'MISSING_CHAR' && /quote/.test(error.message)) ends.add(error.pos[0]);
  if (ends.size === 0) return starts;
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      for (const part of [item.key, item.value]) {
        if (!part || (part.type !== 'single-quoted-scalar' && part.type !== 'double-quoted-scalar')) continue;
        const end = part.offset + part.source.length;
        if (ends.has(end)) starts.set(end, part.offset);
      }
    });
  }
  return starts;
}

/**
 * The text with the continuation lines of each quoted scalar the parser could not close indented, or
 * `null` when there is nothing a Go parser would accept either (no closing quote before a document
 * marker or the end).
 */
function indentQuotedScalars(text: string, unclosed: ReadonlyMap<number, number>, lineCounter: LineCounter, added: Map<number, number>): string | null {
  const insertions: Array<{ at: number; spaces: number; line: number }> = [];
  for (const start of unclosed.values()) {
    const end = closingQuote(text, start);
    if (end === null) continue;
    const indent = lineCounter.linePos(start).col + 1;
    for (let newline = text.indexOf('\n', start); newline !== -1 && newline < end; newline = text.indexOf('\n', newline + 1)) {
      const lineStart = newline + 1;
      let spaces = 0;
      while (text[lineStart + spaces] === ' ') spaces++;
      const next = text[lineStart + spaces];
      if (next === '\n' || next === '\r' || next === undefined || spaces >= indent) continue;
      insertions.push({ at: lineStart, spaces: indent - spaces, line: lineCounter.linePos(lineStart).line });
    }
  }
  if (insertions.length === 0) return null;
  insertions.sort((a, b) => a.at - b.at);
  let out = '';
  let from = 0;
  for (const { at, spaces, line } of insertions) {
    out += text.slice(from, at) + ' '.repeat(spaces);
    from = at;
    added.set(line, (added.get(line) ?? 0) + spaces);
  }
  return out + text.slice(from);
}

/** Offset of the quote that closes the scalar opening at `start`, as libyaml finds it, or `null`. */
function closingQuote(text: string, start: number): number | null {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i];
    if (char === '\n' && /^(?:---|\.\.\.)(?:[ \t\r\n]|$)/.test(text.slice(i + 1, i + 5))) return null;
    if (quote === '"' && char === '\\') {
      i++;
      continue;
    }
    if (char !== quote) continue;
    if (quote === "'" && text[i + 1] === "'") {
      i++;
      continue;
    }
    return i;
  }
  return null;
}

/**
 * go-yaml's guard against alias bombs ("document contains excessive aliasing"): it counts the nodes it
 * decodes and those it decodes through aliases, and refuses when more than 100 of them come from aliases,
 * more than 1,000 are decoded, and the share from aliases passes 99% (falling to 10% from 400,000 to
 * 4,000,000 nodes). A Dex configuration that uses an anchor two hundred times is fine; a billion laughs is
 * not. Returns why the document is refused, or `null`. Linear in the document: expansions are counted,
 * never made.
 */
export function excessiveAliasing(doc: Document.Parsed): string | null {
  const targets = new Map<Node, Node>();
  const anchors = new Map<string, Node>();
  const order: Node[] = [];
  // Document order, as go-yaml decodes (and resolves each alias to the last anchor of its name before it).
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!isNode(node)) continue;
    order.push(node);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target) targets.set(node, target);
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    const children = childrenOf(node);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }

  const sizes = expandedSizes(order, targets);
  if (sizes === null) return 'an anchor contains an alias of itself';
  let decoded = 1;
  let throughAliases = 0;
  for (const node of order) {
    decoded += 1;
    const target = targets.get(node);
    if (target) {
      const size = sizes.get(target)!;
      decoded += size;
      throughAliases += size;
    }
    if (throughAliases > 100 && decoded > 1000 && throughAliases / decoded > allowedAliasRatio(decoded)) {
      return 'Excessive alias count indicates a resource exhaustion attack';
    }
  }
  return null;
}

function allowedAliasRatio(decoded: number): number {
  if (decoded <= 400_000) return 0.99;
  if (decoded >= 4_000_000) return 0.1;
  return 0.99 - 0.89 * ((decoded - 400_000) / 3_600_000);
}

/** Nodes each node stands for once its aliases are expanded, or `null` when an anchor holds an alias of itself. */
function expandedSizes(order: readonly Node[], targets: ReadonlyMap<Node, Node>): Map<Node, number> | null {
  const sizes = new Map<Node, number>();
  const open = new Set<Node>();
  for (const root of order) {
    if (sizes.has(root)) continue;
    const stack: Array<{ node: Node; expanded: boolean }> = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const frame = stack[stack.length - 1]!;
      const { node } = frame;
      if (sizes.has(node)) {
        stack.pop();
        continue;
      }
      const parts = isAlias(node) ? [targets.get(node)].filter(isNode) : childrenOf(node);
      if (!frame.expanded) {
        frame.expanded = true;
        open.add(node);
        for (const part of parts) {
          if (open.has(part)) return null;
          if (!sizes.has(part)) stack.push({ node: part, expanded: false });
        }
        continue;
      }
      stack.pop();
      open.delete(node);
      sizes.set(node, parts.reduce((sum, part) => sum + (sizes.get(part) ?? 0), 1));
    }
  }
  return sizes;
}

function childrenOf(node: Node): Node[] {
  if (isMap(node)) return node.items.flatMap((pair) => [pair.key, pair.value].filter(isNode));
  if (isSeq(node)) return node.items.flatMap((item) => (isPair(item) ? [item.key, item.value] : [item])).filter(isNode);
  return [];
}

function isNode(value: unknown): value is Node {
  return isAlias(value) || isMap(value) || isSeq(value) || isScalar(value);
}

/**
 * How a program treats a key written twice in one mapping: go-yaml's `Unmarshal` keeps the last (Dex,
 * Istio, kubectl), its `UnmarshalStrict` and yaml.v3 refuse the file (Prometheus), yaml-cpp keeps the
 * first (Falco).
 */
export type DuplicateKeys = 'last' | 'refuse' | 'first';

export type EmbeddedParse = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * An embedded configuration (Dex's `config.yaml`, Falco's `falco.yaml` and rules, Prometheus' files) as
 * its program reads it: the first document; scalars as go-yaml resolves them for a typed field (YAML 1.1:
 * `yes`/`on` are true, `0755` is octal; timestamps stay text; `!!binary` is decoded to text); quoted
 * lines as libyaml reads them; duplicate keys as the program treats them; aliases bounded as go-yaml
 * bounds them. A configuration its program would refuse gives the reason, with the line in the text.
 */
export function parseEmbeddedYaml(text: string, duplicateKeys: DuplicateKeys): EmbeddedParse {
  const key = `${duplicateKeys}\n${text}`;
  const known = parsedTexts.get(key);
  // Each caller gets a value of its own, as from a parse.
  if (known) return known.ok ? { ok: true, value: structuredClone(known.value) } : known;
  const parsed = parseEmbeddedYamlText(text, duplicateKeys);
  if (text.length <= MAX_KEPT_TEXT) {
    if (keptText + text.length > MAX_KEPT_TEXTS) {
      parsedTexts.clear();
      keptText = 0;
    }
    parsedTexts.set(key, parsed.ok ? { ok: true, value: structuredClone(parsed.value) } : parsed);
    keptText += text.length;
  }
  return parsed;
}

// The clusters of a fleet often carry the same configuration (Istio's mesh config, Dex's, Falco's rules of
// one chart version): a text is parsed once per thread. What is kept is bounded (a hostile cluster's
// texts cannot grow it): small texts only, a few megabytes in all, and all of it dropped when full.
const MAX_KEPT_TEXT = 512 * 1024;
const MAX_KEPT_TEXTS = 2 * 1024 * 1024;
const parsedTexts = new Map<string, EmbeddedParse>();
let keptText = 0;

function parseEmbeddedYamlText(text: string, duplicateKeys: DuplicateKeys): EmbeddedParse {
  let parsed: GoCompatibleDocuments;
  try {
    parsed = parseAllDocumentsLikeGo(text, EMBEDDED_OPTIONS);
  } catch (error) {
    return { ok: false, reason: `cannot be parsed: ${yamlErrorText(error instanceof Error ? error.message : String(error))}` };
  }
  const doc = parsed.documents[0];
  if (!doc) return { ok: true, value: null };
  const at = (offset: number): string => `line ${parsed.lineCounter.linePos(offset).line}`;
  const error = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY' || duplicateKeys === 'refuse');
  if (error) return { ok: false, reason: `${at(parsed.errorOffset(error))}: ${error.code === 'DUPLICATE_KEY' ? 'a key is written twice in one mapping' : yamlErrorText(error.message)}` };
  if (duplicateKeys === 'first') keepFirstOfDuplicateKeys(doc);
  const aliasing = excessiveAliasing(doc);
  if (aliasing) return { ok: false, reason: aliasing };
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: -1 }) };
  } catch (error) {
    return { ok: false, reason: `cannot be read: ${error instanceof RangeError ? 'nested too deeply' : yamlErrorText(error instanceof Error ? error.message : String(error))}` };
  }
}

// go-yaml v2's resolver: YAML 1.1 booleans and integers, but neither timestamps nor sexagesimal numbers
// for an untyped value, and `!!binary` decoded to the text Go hands a string field.
const BINARY_AS_TEXT = {
  tag: 'tag:yaml.org,2002:binary',
  default: false,
  identify: () => false,
  resolve: (source: string) => Buffer.from(source.replace(/\s+/g, ''), 'base64').toString('utf8'),
};
const EMBEDDED_OPTIONS: DocumentOptions = {
  version: '1.1',
  merge: true,
  uniqueKeys: true,
  prettyErrors: false,
  logLevel: 'silent',
  customTags: (tags) => [...tags.filter((tag) => typeof tag === 'object' && tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.tag !== 'tag:yaml.org,2002:binary' && tag.format !== 'TIME'), BINARY_AS_TEXT],
};

function keepFirstOfDuplicateKeys(doc: Document.Parsed): void {
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      node.items = node.items.filter((pair) => {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    if (isNode(node)) stack.push(...childrenOf(node));
  }
}
