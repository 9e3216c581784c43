// Loads plugins (`--plugin`, `plugins:` in .kfscan.yaml) safely: a plugin that cannot be imported, is
// written for another API, or declares a bad or clashing check becomes one error naming the plugin and
// the check, and every other check still runs. docs/plugins.md is the contract this enforces.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/load.js';
import { errorText } from '../core/error-text.js';
import { deepFreeze } from '../core/freeze.js';
import type { Check, CheckMeta, InputError, PluginInfo, SourceLocation } from '../core/types.js';
import { importHint, syntaxErrorLine } from './import-errors.js';
import { validOptions } from './options.js';
import { describePlugin, markPluginCheck, pluginFrame, pluginInventory, type PluginOrigin } from './provenance.js';
import type { PluginRequest } from './request.js';
import { PluginNotFound, resolvePlugin } from './resolve.js';
import { checkProblem, declaredId, isPlainObject, pluginProblem } from './validate.js';
import { append } from '../core/arrays.js';

export interface LoadedPlugins {
  /** The plugins' checks that passed every rule, in load order. */
  checks: Check[];
  plugins: PluginInfo[];
  /** Each plugin check's options, by check id. */
  checkOptions: Record<string, Readonly<Record<string, unknown>>>;
  /** Plugins or checks that were not loaded: the scan is incomplete. */
  errors: InputError[];
  /** Check ids named by plugins that failed, as far as they could be read. */
  failedIds: string[];
}

export async function loadPlugins(requests: readonly PluginRequest[], builtin: readonly Check[]): Promise<LoadedPlugins> {
  const loaded: LoadedPlugins = { checks: [], plugins: [], checkOptions: {}, errors: [], failedIds: [] };
  const owners = new Map<string, string>();
  for (const check of builtin) for (const id of [check.meta.id, ...(check.meta.aliases ?? [])]) owners.set(id, `built-in check ${check.meta.id}`);
  const seenUrls = new Set<string>();

  for (const request of requests) {
    const fail = (message: string): void => void loaded.errors.push(problemAt(request.location, message));
    const imported = await importPlugin(request, fail);
    // The same module given twice (configuration and --plugin) is loaded once, with the first entry's options.
    if (!imported || seenUrls.has(imported.url)) continue;
    seenUrls.add(imported.url);
    try {
      await registerPlugin(request, imported, loaded, owners, fail);
    } catch (error) {
      // A plugin object can still surprise (a getter that throws): it fails alone, like any other plugin error.
      if (error instanceof ConfigError) throw error;
      fail(`plugin ${request.source} cannot be loaded: ${errorText(error)}`);
    }
  }
  return loaded;
}

async function importPlugin(request: PluginRequest, fail: (message: string) => void): Promise<{ url: string; exported: unknown } | null> {
  let url: string;
  try {
    url = await resolvePlugin(request.source, request.baseDir);
  } catch (error) {
    fail(`plugin ${request.source} cannot be loaded: ${error instanceof PluginNotFound ? error.message : errorText(error)}`);
    return null;
  }
  try {
    const module = (await import(url)) as { default?: unknown };
    return { url, exported: module.default };
  } catch (error) {
    const origin = { name: request.source, version: null, source: request.source, url, docs: {} };
    fail(`plugin ${request.source} cannot be imported: ${errorText(error)}${pluginFrame(error, origin) || syntaxErrorLine(error, url)}${importHint(error, url)}`);
    return null;
  }
}

/** Validates the plugin and its options, then adds each of its checks that keeps every rule. */
async function registerPlugin(
  request: PluginRequest,
  { url, exported }: { url: string; exported: unknown },
  loaded: LoadedPlugins,
  owners: Map<string, string>,
  fail: (message: string) => void,
): Promise<void> {
  const declaredIds = (checks: unknown): string[] => (Array.isArray(checks) ? checks.map(declaredId).filter((id): id is string => id !== null) : []);
  const problem = pluginProblem(exported);
  if (problem) {
    const name = isPlainObject(exported) && typeof exported['name'] === 'string' && /^[\w@./-]{1,214}$/.test(exported['name']) ? exported['name'] : null;
    fail(`${name ? describePlugin({ name, source: request.source }) : `plugin ${request.source}`} ${problem}`);
    if (isPlainObject(exported)) append(loaded.failedIds, declaredIds(exported['checks']));
    return;
  }
  const plugin = exported as Record<string, unknown> & { name: string; checks: unknown[] };
  const origin: PluginOrigin = { name: plugin.name, version: typeof plugin['version'] === 'string' ? plugin['version'] : null, source: request.source, url, docs: docsPages(plugin['docs'], url) };
  const label = describePlugin(origin);

  let options: Readonly<Record<string, unknown>>;
  try {
    options = await validOptions(request, plugin['optionsSchema'], label);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    fail(`${label} has an invalid optionsSchema: ${errorText(error)}`);
    append(loaded.failedIds, declaredIds(plugin.checks));
    return;
  }

  const info: PluginInfo = { name: origin.name, version: origin.version, source: origin.source, checks: [] };
  plugin.checks.forEach((candidate, index) => {
    const id = declaredId(candidate);
    const invalid = checkProblem(candidate);
    if (invalid) {
      fail(`${label}: ${id !== null ? `check ${id}` : `checks[${index}]`} is not loaded: ${invalid}`);
      if (id !== null) loaded.failedIds.push(id);
      return;
    }
    const check = candidate as Check;
    const names = [check.meta.id, ...(check.meta.aliases ?? [])];
    const clash = names.find((name) => owners.has(name));
    if (clash !== undefined) {
      const what = clash === check.meta.id ? 'its id' : `its alias "${clash}"`;
      fail(`${label}: check ${check.meta.id} is not loaded: ${what} is already used by ${owners.get(clash)}; give the check another id (prefix it with your organisation's name)`);
      return;
    }
    for (const name of names) owners.set(name, `check ${check.meta.id} of ${label}`);
    loaded.checks.push(wrapCheck(check, origin));
    loaded.checkOptions[check.meta.id] = options;
    info.checks.push(check.meta.id);
  });
  loaded.plugins.push(info);
  const ids = declaredIds(plugin.checks);
  for (const id of Object.keys(origin.docs)) {
    if (!ids.includes(id)) fail(`${label}: "docs" names ${JSON.stringify(id)}, which is not one of its checks`);
  }
}

/**
 * The plugin's check as kfscan runs it: metadata copied (a plugin cannot change it later), `docsUrl`
 * made explicit (none is an empty string, never kfscan's own docs), and a view of the inventory of its own.
 */
function wrapCheck(check: Check, origin: PluginOrigin): Check {
  const meta = JSON.parse(JSON.stringify(check.meta)) as CheckMeta;
  meta.docsUrl ??= '';
  const secretsToRead = check.secretsToRead?.bind(check);
  const wrapped: Check = {
    meta: deepFreeze(meta),
    run: (inventory, context) => check.run.call(check, pluginInventory(inventory, origin.name), context),
    ...(secretsToRead ? { secretsToRead: (inventory) => secretsToRead(pluginInventory(inventory, origin.name)) } : {}),
  };
  markPluginCheck(wrapped, origin);
  return wrapped;
}

function docsPages(docs: unknown, moduleUrl: string): Record<string, string> {
  if (!isPlainObject(docs)) return {};
  const dir = path.dirname(fileURLToPath(moduleUrl));
  return Object.fromEntries(Object.entries(docs).map(([id, page]) => [id, path.resolve(dir, String(page))]));
}

function problemAt(location: SourceLocation | null, message: string): InputError {
  return location ? { file: location.file, line: location.line, column: location.column, message } : { message };
}
