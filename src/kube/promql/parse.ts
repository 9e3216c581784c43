import type { SyntaxNode } from '@lezer/common';
import { lazyModule } from '../../core/lazy-module.js';

// The parser's tables are large and most scans hold no alert rule: loaded on the first expression.
const promql = lazyModule<typeof import('@prometheus-io/lezer-promql')>('@prometheus-io/lezer-promql');

// PromQL is parsed with Prometheus' own grammar (the one its web UI uses) and turned into this small
// typed tree, which is all the alert classifier needs: names, groupings, offsets, ranges and operators.

export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export type Grouping = { mode: 'by' | 'without'; labels: string[] };
export type VectorMatching = { mode: 'on' | 'ignoring'; labels: string[]; group: 'left' | 'right' | null };

export type Expr =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  /** `name{matchers}`; `name` is `null` when the selector has no metric name (`{job="x"}`). */
  | { type: 'selector'; name: string | null; matchers: LabelMatcher[] }
  | { type: 'matrix'; expr: Expr; range: number | null }
  | { type: 'subquery'; expr: Expr; range: number | null }
  /** `offset` in seconds; `null` when it is not a literal duration. */
  | { type: 'offset'; expr: Expr; seconds: number | null }
  /** `@` modifier: pins the evaluation time. */
  | { type: 'at'; expr: Expr }
  | { type: 'call'; name: string; args: Expr[] }
  | { type: 'aggregate'; op: string; grouping: Grouping | null; args: Expr[] }
  | { type: 'binary'; op: string; lhs: Expr; rhs: Expr; bool: boolean; matching: VectorMatching | null }
  | { type: 'unary'; op: '-' | '+'; expr: Expr };

export type ParseResult = { ok: true; expr: Expr } | { ok: false; error: string };

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800, y: 31536000 };

/** Parses a PromQL expression, or says where it is broken (Prometheus would refuse such a rule file). */
export function parsePromQL(source: string): ParseResult {
  const tree = promql().parser.parse(source);
  let errorAt = -1;
  tree.iterate({
    enter(node) {
      if (errorAt === -1 && node.type.isError) errorAt = node.from;
    },
  });
  if (errorAt !== -1) return { ok: false, error: `PromQL syntax error at offset ${errorAt}` };
  const root = children(tree.topNode)[0];
  if (!root) return { ok: false, error: 'empty PromQL expression' };
  try {
    return { ok: true, expr: convert(root, source) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `1h30m` -> 5400, `90` -> 90 (bare numbers are seconds), `null` for anything else. */
export function parseDuration(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const parts = [...trimmed.matchAll(/(?<!\d)(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return null;
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * DURATION_UNITS[unit!]!, 0);
}

function convert(node: SyntaxNode, src: string): Expr {
  const text = (n: SyntaxNode) => src.slice(n.from, n.to);
  const kids = children(node);
  switch (node.name) {
    case 'ParenExpr':
    case 'AnchoredExpr':
    case 'SmoothedExpr':
      return convert(expectChild(node), src);
    case 'StepInvariantExpr':
      return withPostfix(expectChild(node), src, (expr) => ({ type: 'at', expr }));
    case 'NumberDurationLiteral': {
      const raw = text(node);
      const value = Number(raw);
      return { type: 'number', value: Number.isNaN(value) ? (parseDuration(raw) ?? Number.NaN) : value };
    }
    case 'StringLiteral':
      return { type: 'string', value: unquote(text(node)) };
    case 'VectorSelector':
      return vectorSelector(node, src);
    case 'MatrixSelector':
      return { type: 'matrix', expr: convert(expectChild(node), src), range: durationOf(kids.find((k) => k.name === 'DurationExpr'), src) };
    case 'SubqueryExpr': {
      const range = durationOf(kids.find((k) => k.name === 'DurationExpr'), src);
      return withPostfix(expectChild(node), src, (expr) => ({ type: 'subquery', expr, range }));
    }
    case 'OffsetExpr': {
      const duration = kids.find((k) => k.name === 'OffsetDurationExpr');
      const seconds = duration ? offsetSeconds(duration, src) : null;
      return withPostfix(expectChild(node), src, (expr) => ({ type: 'offset', expr, seconds }));
    }
    case 'UnaryExpr':
      return withPostfix(node, src, (expr) => expr);
    case 'FunctionCall': {
      const name = text(kids.find((k) => k.name === 'FunctionIdentifier')!);
      const body = kids.find((k) => k.name === 'FunctionCallBody');
      return { type: 'call', name, args: body ? children(body).map((arg) => convert(arg, src)) : [] };
    }
    case 'AggregateExpr': {
      const op = text(kids.find((k) => k.name === 'AggregateOp')!);
      const modifier = kids.find((k) => k.name === 'AggregateModifier');
      const body = kids.find((k) => k.name === 'FunctionCallBody');
      let grouping: Grouping | null = null;
      if (modifier) {
        const parts = children(modifier);
        const labels = parts.find((p) => p.name === 'GroupingLabels');
        grouping = { mode: parts.some((p) => p.name === 'Without') ? 'without' : 'by', labels: labels ? labelNames(labels, src) : [] };
      }
      return { type: 'aggregate', op: op.toLowerCase(), grouping, args: body ? children(body).map((arg) => convert(arg, src)) : [] };
    }
    case 'BinaryExpr':
      return binary(node, src);
    default:
      throw new Error(`unsupported PromQL construct ${node.name}`);
  }
}

/**
 * The highlighting grammar attaches `offset`, `@` and `[range:step]` to a whole unparenthesised binary or
 * unary expression (`a / b offset 1d`); PromQL binds them to the last operand (`a / (b offset 1d)`).
 */
function withPostfix(node: SyntaxNode, src: string, wrap: (expr: Expr) => Expr): Expr {
  if (node.name === 'BinaryExpr') return binary(node, src, (rhs) => withPostfix(rhs, src, wrap));
  if (node.name === 'UnaryExpr') {
    const [op, operand] = children(node);
    if (!op || !operand) throw new Error('malformed unary expression');
    return { type: 'unary', op: src.slice(op.from, op.to) === '-' ? '-' : '+', expr: withPostfix(operand, src, wrap) };
  }
  return wrap(convert(node, src));
}

function binary(node: SyntaxNode, src: string, convertRhs: (rhs: SyntaxNode) => Expr = (rhs) => convert(rhs, src)): Expr {
  const kids = children(node);
  const operands = kids.filter((k) => !OPERATOR_NODES.has(k.name) && k.name !== 'BoolModifier' && k.name !== 'MatchingModifierClause' && k.name !== 'FillModifier');
  const operator = kids.find((k) => OPERATOR_NODES.has(k.name));
  if (operands.length !== 2 || !operator) throw new Error('malformed binary expression');
  const clause = kids.find((k) => k.name === 'MatchingModifierClause');
  let matching: VectorMatching | null = null;
  if (clause) {
    const parts = children(clause);
    const groups = parts.filter((p) => p.name === 'GroupingLabels');
    matching = {
      mode: parts.some((p) => p.name === 'Ignoring') ? 'ignoring' : 'on',
      labels: groups[0] ? labelNames(groups[0], src) : [],
      group: parts.some((p) => p.name === 'GroupLeft') ? 'left' : parts.some((p) => p.name === 'GroupRight') ? 'right' : null,
    };
  }
  return {
    type: 'binary',
    op: src.slice(operator.from, operator.to).toLowerCase(),
    lhs: convert(operands[0]!, src),
    rhs: convertRhs(operands[1]!),
    bool: kids.some((k) => k.name === 'BoolModifier'),
    matching,
  };
}

const OPERATOR_NODES = new Set(['Pow', 'Mul', 'Div', 'Mod', 'Add', 'Sub', 'Eql', 'Gte', 'Gtr', 'Lte', 'Lss', 'Neq', 'And', 'Or', 'Unless', 'Atan2', 'TrimUpper', 'TrimLower']);

function vectorSelector(node: SyntaxNode, src: string): Expr {
  let name: string | null = null;
  const matchers: LabelMatcher[] = [];
  for (const kid of children(node)) {
    if (kid.name === 'Identifier') name = src.slice(kid.from, kid.to);
    if (kid.name !== 'LabelMatchers') continue;
    for (const matcher of children(kid)) {
      const parts = children(matcher);
      const label = parts.find((p) => p.name === 'LabelName' || p.name === 'QuotedLabelName');
      const op = parts.find((p) => p.name === 'MatchOp');
      const value = parts.filter((p) => p.name === 'StringLiteral').at(-1);
      // `{"metric.name"}`: a quoted metric name alone.
      if (!label && !op && value) {
        name = unquote(src.slice(value.from, value.to));
        continue;
      }
      if (!label || !op || !value) continue;
      const labelText = label.name === 'QuotedLabelName' ? unquote(src.slice(label.from, label.to)) : src.slice(label.from, label.to);
      matchers.push({ name: labelText, op: src.slice(op.from, op.to) as LabelMatcher['op'], value: unquote(src.slice(value.from, value.to)) });
    }
  }
  const nameMatcher = matchers.find((m) => m.name === '__name__' && m.op === '=');
  return { type: 'selector', name: name ?? nameMatcher?.value ?? null, matchers: matchers.filter((m) => m !== nameMatcher) };
}

function offsetSeconds(node: SyntaxNode, src: string): number | null {
  const kids = children(node);
  if (kids[0]?.name === 'UnaryOp') {
    const inner = kids[1] ? offsetSeconds(kids[1], src) : null;
    return inner === null ? null : src.slice(kids[0].from, kids[0].to) === '-' ? -inner : inner;
  }
  return parseDuration(src.slice(node.from, node.to));
}

function durationOf(node: SyntaxNode | undefined, src: string): number | null {
  return node ? parseDuration(src.slice(node.from, node.to)) : null;
}

function labelNames(node: SyntaxNode, src: string): string[] {
  return children(node).map((label) => {
    const raw = src.slice(label.from, label.to);
    return label.name === 'QuotedLabelName' ? unquote(raw) : raw;
  });
}

function unquote(raw: string): string {
  const quote = raw[0];
  const body = raw.slice(1, -1);
  if (quote === '`') return body;
  return body.replace(/\\(.)/g, (_, char: string) => ({ n: '\n', t: '\t', r: '\r' })[char] ?? char);
}

function children(node: SyntaxNode): SyntaxNode[] {
  const list: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) if (child.name !== 'LineComment') list.push(child);
  return list;
}

function expectChild(node: SyntaxNode): SyntaxNode {
  const child = children(node)[0];
  if (!child) throw new Error(`empty ${node.name}`);
  return child;
}
