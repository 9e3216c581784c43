import ipaddr from 'ipaddr.js';

// A reader for Falco rule conditions, for tests: no Falco binary runs here, so the kit's rules are parsed
// with Falco's condition grammar (and/or/not, parentheses, comparison operators, lists, macros) and
// evaluated against synthetic events. Written from the Falco documentation "Conditions and filtering".

export type Condition =
  | { type: 'and' | 'or'; left: Condition; right: Condition }
  | { type: 'not'; operand: Condition }
  | { type: 'macro'; name: string }
  | { type: 'check'; field: string; operator: string; values: string[] };

const BINARY_OPERATORS = new Set(['=', '==', '!=', '<', '<=', '>', '>=', 'contains', 'icontains', 'bcontains', 'startswith', 'bstartswith', 'endswith', 'in', 'intersects', 'pmatch', 'glob', 'iglob', 'regex']);
const UNARY_OPERATORS = new Set(['exists']);

type Token = { kind: 'word' | 'string' | 'symbol'; text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (/\s/.test(char)) {
      i++;
    } else if (char === '(' || char === ')' || char === ',') {
      tokens.push({ kind: 'symbol', text: char });
      i++;
    } else if (char === '"' || char === "'") {
      const end = text.indexOf(char, i + 1);
      if (end === -1) throw new Error(`unterminated string at ${i}`);
      tokens.push({ kind: 'string', text: text.slice(i + 1, end) });
      i = end + 1;
    } else if (/[=<>!]/.test(char)) {
      const two = text.slice(i, i + 2);
      const op = ['==', '!=', '<=', '>='].includes(two) ? two : char;
      if (op === '!') throw new Error(`stray ! at ${i}`);
      tokens.push({ kind: 'symbol', text: op });
      i += op.length;
    } else {
      const match = /^[^\s(),=<>!"']+/.exec(text.slice(i))!;
      tokens.push({ kind: 'word', text: match[0] });
      i += match[0].length;
    }
  }
  return tokens;
}

/** Parses a condition; throws with the position of the first error. */
export function parseCondition(text: string): Condition {
  const tokens = tokenize(text);
  let position = 0;
  const peek = (): Token | undefined => tokens[position];
  const next = (): Token => {
    const token = tokens[position++];
    if (!token) throw new Error('unexpected end of condition');
    return token;
  };
  const isWord = (word: string): boolean => peek()?.kind === 'word' && peek()!.text === word;

  const parseOr = (): Condition => {
    let left = parseAnd();
    while (isWord('or')) {
      next();
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Condition => {
    let left = parseNot();
    while (isWord('and')) {
      next();
      left = { type: 'and', left, right: parseNot() };
    }
    return left;
  };
  const parseNot = (): Condition => {
    if (isWord('not')) {
      next();
      return { type: 'not', operand: parseNot() };
    }
    return parseAtom();
  };
  const parseAtom = (): Condition => {
    const token = next();
    if (token.kind === 'symbol' && token.text === '(') {
      const inner = parseOr();
      const close = next();
      if (close.text !== ')') throw new Error(`expected ) but found ${close.text}`);
      return inner;
    }
    if (token.kind !== 'word') throw new Error(`expected a field or macro, found ${token.text}`);
    const following = peek();
    const operator = following && (following.kind === 'symbol' ? following.text : following.text);
    if (following && (BINARY_OPERATORS.has(operator!) || UNARY_OPERATORS.has(operator!)) && following.text !== '(' && following.text !== ')') {
      next();
      if (UNARY_OPERATORS.has(operator!)) return { type: 'check', field: token.text, operator: operator!, values: [] };
      if (operator === 'in' || operator === 'intersects' || operator === 'pmatch') {
        const open = next();
        if (open.text !== '(') throw new Error(`expected ( after ${operator}`);
        const values: string[] = [];
        while (peek() && peek()!.text !== ')') {
          const value = next();
          if (value.text === ',') continue;
          values.push(value.text);
        }
        next();
        return { type: 'check', field: token.text, operator, values };
      }
      const value = next();
      if (value.kind === 'symbol' && value.text !== '<' && value.text !== '>') throw new Error(`expected a value after ${operator}, found ${value.text}`);
      return { type: 'check', field: token.text, operator: operator!, values: [value.text] };
    }
    if (token.text.includes('.')) throw new Error(`field ${token.text} has no operator`);
    return { type: 'macro', name: token.text };
  };

  const condition = parseOr();
  if (position !== tokens.length) throw new Error(`unexpected ${tokens[position]!.text} after the condition`);
  return condition;
}

export interface RuleSet {
  macros: Map<string, Condition>;
  lists: Map<string, string[]>;
}

/** Fields a condition reads and macro names it references, after expanding nothing. */
export function references(condition: Condition): { fields: string[]; macros: string[]; lists: string[] } {
  const out = { fields: [] as string[], macros: [] as string[], lists: [] as string[] };
  const walk = (c: Condition): void => {
    // A switch, not an if chain: `c.type === 'and' || c.type === 'or'` does not narrow the 'and' | 'or' member away.
    switch (c.type) {
      case 'and':
      case 'or':
        walk(c.left);
        walk(c.right);
        break;
      case 'not':
        walk(c.operand);
        break;
      case 'macro':
        out.macros.push(c.name);
        break;
      case 'check':
        out.fields.push(c.field);
        if (c.operator === 'in' || c.operator === 'intersects') out.lists.push(...c.values.filter((v) => /^[a-z_][a-z0-9_]*$/.test(v)));
        break;
    }
  };
  walk(condition);
  return out;
}

export type Event = Record<string, string | number>;

/** Evaluates a condition against an event (a map of field values), expanding macros and lists. */
export function evaluate(condition: Condition, event: Event, rules: RuleSet): boolean {
  switch (condition.type) {
    case 'and':
      return evaluate(condition.left, event, rules) && evaluate(condition.right, event, rules);
    case 'or':
      return evaluate(condition.left, event, rules) || evaluate(condition.right, event, rules);
    case 'not':
      return !evaluate(condition.operand, event, rules);
    case 'macro': {
      const macro = rules.macros.get(condition.name);
      if (!macro) throw new Error(`undefined macro ${condition.name}`);
      return evaluate(macro, event, rules);
    }
    case 'check':
      return check(condition, event, rules);
  }
}

function check(condition: Extract<Condition, { type: 'check' }>, event: Event, rules: RuleSet): boolean {
  const actual = event[condition.field];
  if (condition.operator === 'exists') return actual !== undefined;
  if (actual === undefined) return false;
  const values = condition.values.flatMap((value) => rules.lists.get(value) ?? [value]).map((value) => value.replace(/^"(.*)"$/, '$1'));
  const text = String(actual);
  switch (condition.operator) {
    case '=':
    case '==':
      return values.some((value) => equal(text, value, condition.field));
    case '!=':
      return !values.some((value) => equal(text, value, condition.field));
    case 'in':
      return values.some((value) => equal(text, value, condition.field));
    case 'contains':
      return text.includes(values[0]!);
    case 'icontains':
      return text.toLowerCase().includes(values[0]!.toLowerCase());
    case 'startswith':
      return text.startsWith(values[0]!);
    case 'endswith':
      return text.endsWith(values[0]!);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(condition.operator, Number(actual), numeric(values[0]!));
    default:
      throw new Error(`operator ${condition.operator} is not evaluated by this test helper`);
  }
}

// Network fields compare with CIDR values by membership, as Falco does.
const NETWORK_FIELDS = new Set(['fd.net', 'fd.snet', 'fd.cnet', 'fd.lnet', 'fd.rnet', 'fd.ip', 'fd.sip', 'fd.cip', 'fd.lip', 'fd.rip']);

function equal(actual: string, value: string, field: string): boolean {
  if (value.includes('/') && NETWORK_FIELDS.has(field)) {
    try {
      return ipaddr.parse(actual).match(ipaddr.parseCIDR(value));
    } catch {
      return false;
    }
  }
  return actual === value;
}

function numeric(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`${value} is not a number`);
  return number;
}

function compare(operator: string, a: number, b: number): boolean {
  return operator === '<' ? a < b : operator === '<=' ? a <= b : operator === '>' ? a > b : a >= b;
}
