// Values the objects themselves show to be secret, wherever they are written: the data of Secrets (as
// written and decoded), values under keys that name a credential, environment values whose variable names
// one, and the words after password flags in commands. An excerpt redacts each wherever it appears.
import type { Inventory } from '../core/types.js';
import { isPlainObject } from '../loaders/manifest-parser.js';
import { isSecretName } from './redact.js';

const PASSWORD_FLAGS = new Set(['-p', '--pass', '-P']);
/** Shorter values are too common to be told from ordinary text (a password of "x" would blank every x). */
const MIN_LENGTH = 6;

export function secretValues(inventories: readonly Inventory[]): string[] {
  const values = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value !== 'string') return;
    for (const piece of [value, ...value.split(/\r?\n/)]) {
      const trimmed = piece.trim();
      if (trimmed.length >= MIN_LENGTH && !/^(?:true|false|null|\d+)$/i.test(trimmed)) values.add(trimmed);
    }
  };
  for (const inventory of inventories) {
    for (const resource of inventory.all()) {
      const obj = resource.obj as Record<string, unknown>;
      if (resource.ref.kind === 'Secret' && resource.group === '') {
        for (const field of ['data', 'stringData']) {
          const map = obj[field];
          if (!isPlainObject(map)) continue;
          for (const raw of Object.values(map)) {
            add(raw);
            if (field === 'data' && typeof raw === 'string') add(Buffer.from(raw, 'base64').toString('utf8'));
          }
        }
      }
      walk(obj, add);
    }
  }
  return [...values].filter((value) => !value.includes('\uFFFD'));
}

function walk(root: unknown, add: (value: unknown) => void): void {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        // A flag and its value as two words: [--password, x], [-p, x].
        if (typeof item === 'string' && (PASSWORD_FLAGS.has(item) || (item.startsWith('-') && isSecretName(item)))) add(node[index + 1]);
        if (typeof item === 'string') {
          const flag = /^(--?[\w-]+)=(.+)$/.exec(item);
          if (flag && isSecretName(flag[1]!)) add(flag[2]);
        }
        stack.push(item);
      });
    } else if (isPlainObject(node)) {
      const name = node['name'];
      if (typeof name === 'string' && isSecretName(name) && 'value' in node) add(node['value']);
      for (const [key, value] of Object.entries(node)) {
        if (typeof value === 'string' && isSecretName(key)) add(value);
        else stack.push(value);
      }
    }
  }
}
