import type { KubeObject } from '../core/types.js';
import { re2js } from '../kube/re2.js';
import { isPlainObject } from '../loaders/manifest-parser.js';
import { append } from '../core/arrays.js';

/** Shorter values are too common to be told from ordinary text (and too weak to be worth hiding). */
const MIN_SECRET_LENGTH = 6;
export const REDACTED = '<redacted>';

/**
 * The Secret values that kustomize copied into other objects (`vars`, `replacements`): values of the
 * rendered Secrets (decoded and as base64) that appear in another object's fields although that object's
 * source file does not hold them. A value the user wrote into both files is theirs to see; a copied one
 * could have come from anywhere the Secret did.
 */
export function copiedSecretValues(objects: ReadonlyArray<{ obj: KubeObject; sourceText: string | null }>): string[] {
  const values = new Set<string>();
  for (const { obj } of objects) {
    if (obj.kind !== 'Secret') continue;
    for (const field of ['data', 'stringData'] as const) {
      const map = obj[field];
      if (!isPlainObject(map)) continue;
      for (const raw of Object.values(map)) {
        if (typeof raw !== 'string') continue;
        values.add(raw.trim());
        if (field === 'data') values.add(Buffer.from(raw, 'base64').toString('utf8').trim());
      }
    }
  }
  const candidates = [...values].filter((value) => value.length >= MIN_SECRET_LENGTH && !value.includes('\uFFFD'));
  if (candidates.length === 0) return [];
  const { RE2JS } = re2js();
  const pattern = RE2JS.compile(candidates.map((value) => RE2JS.quote(value)).join('|'));
  const copied = new Set<string>();
  for (const { obj, sourceText } of objects) {
    if (obj.kind === 'Secret') continue;
    forEachString(obj, (text) => {
      const matcher = pattern.matcher(text);
      while (matcher.find()) {
        const value = matcher.group();
        if (value !== null && !(sourceText ?? '').includes(value)) copied.add(value);
      }
    });
  }
  return [...copied];
}

function forEachString(value: unknown, visit: (text: string) => void): void {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node === 'string') visit(node);
    else if (Array.isArray(node)) append(stack, node as unknown[]);
    else if (isPlainObject(node)) append(stack, Object.values(node));
  }
}

/**
 * Replaces every occurrence of the values in every string of a report's data (messages, names, errors),
 * in one linear-time pass per string (RE2), whatever the values hold.
 */
export function redactor(values: readonly string[]): <T>(data: T) => T {
  const unique = [...new Set(values)].filter((value) => value.length > 0).sort((a, b) => b.length - a.length);
  if (unique.length === 0) return (data) => data;
  const { RE2JS } = re2js();
  const pattern = RE2JS.compile(unique.map((value) => RE2JS.quote(value)).join('|'));
  const redact = (node: unknown): unknown => {
    if (typeof node === 'string') return pattern.matcher(node).find() ? pattern.matcher(node).replaceAll(REDACTED) : node;
    if (Array.isArray(node)) return node.map(redact);
    if (isPlainObject(node)) return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, redact(value)]));
    return node;
  };
  return <T>(data: T) => redact(data) as T;
}
