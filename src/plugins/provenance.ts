// Which plugin a check came from. Kept beside the checks rather than in their metadata, so that the
// public `CheckMeta` stays what check authors write and a plugin cannot claim to be built in.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Check, Inventory } from '../core/types.js';

export interface PluginOrigin {
  name: string;
  version: string | null;
  /** The path or package as given (`--plugin` or `.kfscan.yaml`). */
  source: string;
  /** URL of the module that was imported. */
  url: string;
  /** The plugin's Markdown pages for `kfscan explain`: absolute paths by check id. */
  docs: Readonly<Record<string, string>>;
}

const origins = new WeakMap<Check, PluginOrigin>();

export function markPluginCheck(check: Check, origin: PluginOrigin): void {
  origins.set(check, origin);
}

/** The plugin a check came from, or `null` for a built-in check. */
export function pluginOf(check: Check): PluginOrigin | null {
  return origins.get(check) ?? null;
}

/** `plugin acme-policies (./plugins/acme.mjs)`: how messages name a plugin. */
export function describePlugin(origin: Pick<PluginOrigin, 'name' | 'source'>): string {
  return origin.name === origin.source ? `plugin ${origin.name}` : `plugin ${origin.name} (${origin.source})`;
}

/** `check acme-x of plugin acme-policies (./plugins/acme.mjs)`, or `check <id>` for a built-in one. */
export function describeCheck(check: Check): string {
  const origin = pluginOf(check);
  return origin ? `check ${check.meta.id} of ${describePlugin(origin)}` : `check ${check.meta.id}`;
}

/**
 * Where in the plugin's own files an error was thrown (`at index.mjs:12:7`), from its stack, so that the
 * plugin's author can find the line without KFSCAN_DEBUG.
 */
export function pluginFrame(error: unknown, origin: PluginOrigin): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const dir = path.dirname(fileURLToPath(origin.url));
  // A syntax error names the file and line (no column) on the first line of its stack.
  for (const match of stack.matchAll(/(?<![^\s(])(file:\/\/[^\s()]+?|\/[^\s():]+):(\d+)(?::(\d+))?(?=[\s)]|$)/g)) {
    const file = match[1]!.startsWith('file:') ? safeFilePath(match[1]!) : match[1]!;
    if (file === null || !file.startsWith(`${dir}${path.sep}`) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    return ` (at ${path.relative(dir, file).split(path.sep).join('/')}:${match[2]}${match[3] ? `:${match[3]}` : ''})`;
  }
  return '';
}

function safeFilePath(url: string): string | null {
  try {
    return fileURLToPath(url);
  } catch {
    return null;
  }
}

const scoped = new WeakMap<Inventory, Map<string, Inventory>>();
const underlyingOf = new WeakMap<Inventory, Inventory>();

/**
 * The inventory as one plugin's checks see it: `memo` keys of their own, so that a plugin can never hand
 * a built-in check (or another plugin) a value of the wrong shape under a shared key, and lists that
 * cannot be changed in place. Plugin checks run after the built-in ones, so freezing the shared lists
 * then changes nothing for those.
 */
export function pluginInventory(inventory: Inventory, plugin: string): Inventory {
  let byPlugin = scoped.get(inventory);
  if (!byPlugin) scoped.set(inventory, (byPlugin = new Map<string, Inventory>()));
  const existing = byPlugin.get(plugin);
  if (existing) return existing;
  const frozen = <A extends unknown[], T>(query: (...args: A) => readonly T[]) => (...args: A): readonly T[] => Object.freeze(query(...args));
  const view: Inventory = Object.freeze({
    mode: inventory.mode,
    context: inventory.context,
    wholeCluster: inventory.wholeCluster,
    all: frozen(() => inventory.all()),
    ofKind: frozen((kind: string) => inventory.ofKind(kind)),
    inNamespace: frozen((kind: string, namespace: string) => inventory.inNamespace(kind, namespace)),
    get: (kind: string, namespace: string | null, name: string) => inventory.get(kind, namespace, name),
    podTemplates: frozen(() => inventory.podTemplates()),
    podTemplatesMatching: frozen((namespace: string | null, selector: Parameters<Inventory['podTemplatesMatching']>[1]) => inventory.podTemplatesMatching(namespace, selector)),
    servicesSelecting: frozen((site: Parameters<Inventory['servicesSelecting']>[0]) => inventory.servicesSelecting(site)),
    readability: (kind: string) => inventory.readability(kind),
    memo: <T>(key: string, compute: () => T): T => inventory.memo(`plugin\0${plugin}\0${String(key)}`, compute),
  });
  byPlugin.set(plugin, view);
  underlyingOf.set(view, inventory);
  return view;
}

/** The inventory behind a plugin's view, for helpers that share kfscan's own memoised analyses. */
export function underlyingInventory(inventory: Inventory): Inventory {
  return underlyingOf.get(inventory) ?? inventory;
}
