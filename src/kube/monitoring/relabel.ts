import { re2js } from '../re2.js';
import { asArray, asObject, asString, scalarText } from '../../core/json.js';

/** One `relabel_configs` entry, from plain config (snake_case) or a CR (camelCase). */
export interface RelabelRule {
  sourceLabels: string[];
  separator: string;
  targetLabel: string | null;
  regex: string;
  replacement: string;
  action: string;
}

export type Labels = Record<string, string>;

export function readRelabelRules(value: unknown): RelabelRule[] {
  return asArray(value).flatMap((entry) => {
    const rule = asObject(entry);
    if (!rule) return [];
    const sources = rule['source_labels'] ?? rule['sourceLabels'];
    return [
      {
        sourceLabels: asArray(sources).map(String),
        separator: asString(rule['separator']) ?? ';',
        targetLabel: asString(rule['target_label'] ?? rule['targetLabel']),
        regex: scalarText(rule['regex']) ?? '(.*)',
        replacement: scalarText(rule['replacement']) ?? '$1',
        action: (asString(rule['action']) ?? 'replace').toLowerCase(),
      },
    ];
  });
}

/**
 * Prometheus target relabelling (`relabel_configs`): the label set that survives, `null` when a keep or
 * drop rule removes the target, or `'unknown'` for a regex RE2 cannot read. Regexes are RE2 and
 * anchored at both ends, as in Prometheus.
 */
export function relabel(input: Labels, rules: readonly RelabelRule[]): Labels | null | 'unknown' {
  // Without a prototype: a rule naming the label `constructor` must read nothing, not a function.
  let labels: Labels = Object.assign(Object.create(null) as Labels, input);
  for (const rule of rules) {
    const regex = compile(rule.regex);
    if (regex === null) return 'unknown';
    const value = rule.sourceLabels.map((name) => labels[name] ?? '').join(rule.separator);
    switch (rule.action) {
      case 'keep':
        if (!regex.test(value)) return null;
        break;
      case 'drop':
        if (regex.test(value)) return null;
        break;
      case 'keepequal':
        if (rule.targetLabel === null || value !== (labels[rule.targetLabel] ?? '')) return null;
        break;
      case 'dropequal':
        if (rule.targetLabel !== null && value === (labels[rule.targetLabel] ?? '')) return null;
        break;
      case 'replace': {
        const match = regex.exec(value);
        if (!match || rule.targetLabel === null) break;
        const target = expand(rule.targetLabel, match);
        const replaced = expand(rule.replacement, match);
        if (replaced === '') delete labels[target];
        else labels[target] = replaced;
        break;
      }
      case 'lowercase':
      case 'uppercase':
        if (rule.targetLabel !== null) labels[rule.targetLabel] = rule.action === 'lowercase' ? value.toLowerCase() : value.toUpperCase();
        break;
      case 'labelmap': {
        const next: Labels = Object.assign(Object.create(null) as Labels, labels);
        for (const [name, labelValue] of Object.entries(labels)) {
          const match = regex.exec(name);
          if (match) next[expand(rule.replacement, match)] = labelValue;
        }
        labels = next;
        break;
      }
      case 'labeldrop':
      case 'labelkeep':
        labels = Object.fromEntries(Object.entries(labels).filter(([name]) => regex.test(name) === (rule.action === 'labelkeep') || name.startsWith('__')));
        break;
      // hashmod shards targets over several servers; every target is scraped by one of them.
      default:
        break;
    }
  }
  return labels;
}

/** Prometheus' label-name sanitising for meta labels: `app.kubernetes.io/name` -> `app_kubernetes_io_name`. */
export function sanitizeLabelName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_]/g, '_');
}

/** A group of a match by number or name; `undefined` when there is none. */
type Match = (key: string) => string | undefined;

interface Pattern {
  test(text: string): boolean;
  exec(text: string): Match | null;
}

const cache = new Map<string, Pattern | null>();

/**
 * A relabel regex as Prometheus compiles it: RE2, anchored at both ends, `.` matching newlines. RE2 runs in
 * linear time, as in Prometheus; JavaScript's backtracking engine would hang on `(a+)+b` in a hostile
 * ServiceMonitor against a long annotation.
 */
function compile(source: string): Pattern | null {
  let pattern = cache.get(source);
  if (pattern !== undefined) return pattern;
  try {
    const { RE2JS } = re2js();
    const regex = RE2JS.compile(`^(?:${source})$`, RE2JS.DOTALL);
    pattern = {
      test: (text) => regex.matches(text),
      exec: (text) => {
        const matcher = regex.matcher(text);
        if (!matcher.matches()) return null;
        return (key) => {
          try {
            return (/^\d+$/.test(key) ? matcher.group(Number(key)) : matcher.group(key)) ?? undefined;
          } catch {
            return undefined; // no such group
          }
        };
      },
    };
  } catch {
    pattern = null;
  }
  cache.set(source, pattern);
  return pattern;
}

function expand(template: string, match: Match): string {
  return template.replace(/\$(?:\{(\w+)\}|(\w+))/g, (_, braced: string | undefined, bare: string | undefined) => match(braced ?? bare ?? '') ?? '');
}
