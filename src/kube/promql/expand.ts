import type { Expr } from './parse.js';

/** Recording rules by the metric name they record; one name may be recorded by several rules. */
export type RecordingRules = ReadonlyMap<string, readonly Expr[]>;

const MAX_DEPTH = 32;

/**
 * Replaces every recorded metric by the expressions that record it, recursively, so an alert on
 * `namespace:container_cpu_usage:sum_rate` is judged on the `container_cpu_usage_seconds_total` it
 * stands for. A name that is being expanded already (a cycle) or too deep stays a plain selector.
 */
export function expandRecordingRules(expr: Expr, rules: RecordingRules): Expr {
  if (rules.size === 0) return expr;
  return expand(expr, rules, []);
}

function expand(expr: Expr, rules: RecordingRules, stack: readonly string[]): Expr {
  switch (expr.type) {
    case 'number':
    case 'string':
      return expr;
    case 'selector':
      return definitionOf(expr, rules, stack) ?? expr;
    case 'matrix': {
      // `recorded[5m]` over an expression is a subquery.
      const inner = expr.expr.type === 'selector' ? definitionOf(expr.expr, rules, stack) : null;
      return inner ? { type: 'subquery', expr: inner, range: expr.range } : { ...expr, expr: expand(expr.expr, rules, stack) };
    }
    case 'subquery':
    case 'offset':
    case 'at':
    case 'unary':
      return { ...expr, expr: expand(expr.expr, rules, stack) };
    case 'call':
    case 'aggregate':
      return { ...expr, args: expr.args.map((arg) => expand(arg, rules, stack)) };
    case 'binary':
      return { ...expr, lhs: expand(expr.lhs, rules, stack), rhs: expand(expr.rhs, rules, stack) };
  }
}

function definitionOf(selector: Extract<Expr, { type: 'selector' }>, rules: RecordingRules, stack: readonly string[]): Expr | null {
  const name = selector.name;
  if (name === null || stack.includes(name) || stack.length >= MAX_DEPTH) return null;
  const definitions = rules.get(name);
  if (!definitions || definitions.length === 0) return null;
  const next = [...stack, name];
  return definitions
    .map((definition) => expand(definition, rules, next))
    .reduce((all, one) => ({ type: 'binary', op: 'or', lhs: all, rhs: one, bool: false, matching: null }));
}
