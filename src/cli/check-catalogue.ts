// The checks a command works with: the built-in ones, then those of the plugins named by `plugins:` in
// the configuration file and by `--plugin`, in that order. Every command that uses the catalogue
// (scan, cluster, checks, explain, rbac) gets it from here, so a plugin's check is everywhere or nowhere.
import path from 'node:path';
import type { Command } from 'commander';
import type { Check, InputError, PluginInfo } from '../core/types.js';
import { distrustConfig, findConfigFile, loadConfig, type LoadedConfig } from '../config/load.js';
import { selectChecks } from '../engine/select.js';
import { formatProblem } from '../reporters/describe.js';
import { terminalSafe } from '../reporters/sanitize.js';
import type { PluginRequest } from '../plugins/request.js';
import type { CliDependencies, CliIo } from './io.js';

export interface CatalogueOptions {
  /** `--plugin`, repeatable. */
  plugin?: string[];
  /** A file from `--config`, `false` for `--no-config`, `undefined` to search for `.kfscan.yaml`. */
  config?: string | false;
  /** `--untrusted`: the scanned tree may be hostile; what it says about kfscan is not acted on. */
  untrusted?: boolean;
  verbose?: boolean;
}

export interface CheckCatalogue {
  /** Built-in checks, then the plugins' checks in load order. */
  checks: Check[];
  plugins: PluginInfo[];
  /** Plugins or plugin checks that could not be loaded: the run is incomplete (exit 3). */
  errors: InputError[];
  /** Ids that plugins which failed declared, so that naming them is not mistaken for a typo. */
  failedIds: string[];
  /** Options of each plugin check, by id. */
  checkOptions: Record<string, Readonly<Record<string, unknown>>>;
  config: LoadedConfig | null;
}

/** `--plugin`, `--config` and `--no-config`: what decides the catalogue, for every command that uses it. */
export function addCatalogueOptions(command: Command): Command {
  return command
    .option(
      '--plugin <path-or-package>',
      'load checks from a plugin: a file (./acme.mjs), a directory or an installed package (repeatable; see docs/plugins.md)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--config <file>', 'configuration file (default: .kfscan.yaml found upward from the working directory, up to the repository root)')
    .option('--no-config', 'ignore any .kfscan.yaml (its plugins and ignore entries)')
    .option(
      '--untrusted',
      "the scanned tree may be hostile (a pull request): plugins its .kfscan.yaml names are not run, its waivers (kfscan.io/ignore annotations, ignore entries) are reported but not applied, its exclude and binaries are not used; --config and --plugin still apply",
    );
}

export async function loadCatalogue(options: CatalogueOptions, deps: CliDependencies): Promise<CheckCatalogue> {
  const { io } = deps;
  const configFile = options.config === false ? null : (options.config ?? (await findConfigFile(io.cwd)));
  let config = configFile === null ? null : await loadConfig(configFile, io.cwd);
  // A configuration the user named is theirs; one found in the tree is the tree's.
  if (config && options.untrusted && options.config === undefined) {
    const distrusted = distrustConfig(config);
    config = distrusted.config;
    const ignored = config.data.ignore?.length ?? 0;
    const notes = [...distrusted.skipped, ...(ignored ? [`its ${ignored} ignore entr${ignored === 1 ? 'y is' : 'ies are'} reported but not applied`] : [])];
    if (notes.length > 0) io.stderr.write(`kfscan: --untrusted: ${terminalSafe(`${config.file} comes from the scanned tree: ${notes.join('; ')} (name a configuration you trust with --config)`)}\n`);
  }
  const requests = pluginRequests(config, options.plugin ?? [], io.cwd);
  if (requests.length === 0) return { checks: [...deps.checks], plugins: [], errors: [], failedIds: [], checkOptions: {}, config };

  // Loaded only when a plugin is named: plain scans never pay for it.
  const { loadPlugins } = await import('../plugins/load.js');
  const loaded = await loadPlugins(requests, deps.checks);
  if (options.verbose) {
    for (const plugin of loaded.plugins) {
      const name = `${plugin.name}${plugin.version ? ` ${plugin.version}` : ''}`;
      io.stderr.write(`kfscan: ${terminalSafe(`plugin ${name} from ${plugin.source}: ${plugin.checks.join(', ') || 'no check loaded'}`)}\n`);
    }
  }
  return { checks: [...deps.checks, ...loaded.checks], plugins: loaded.plugins, errors: loaded.errors, failedIds: loaded.failedIds, checkOptions: loaded.checkOptions, config };
}

/** `plugins:` entries first (relative to the configuration file), then `--plugin` (relative to the working directory). */
function pluginRequests(config: LoadedConfig | null, cli: readonly string[], cwd: string): PluginRequest[] {
  const fromConfig = (config?.data.plugins ?? []).map((entry, index): PluginRequest => {
    const source = typeof entry === 'string' ? entry : entry.plugin;
    return {
      source,
      baseDir: path.dirname(config!.path),
      ...(typeof entry === 'object' && entry.options !== undefined ? { options: entry.options } : {}),
      location: config!.locate(['plugins', index]),
      locateOption: (at) => config!.locate(['plugins', index, 'options', ...at]),
    };
  });
  return [...fromConfig, ...cli.map((source): PluginRequest => ({ source, baseDir: cwd, location: null }))];
}

/**
 * `--checks` and `--skip-checks` against the catalogue. An unknown id is a usage error, except when a
 * plugin failed to load: then it may be one of that plugin's checks, and the run goes on (already
 * incomplete) with a warning instead of losing every other check's findings.
 */
export function selectFromCatalogue(catalogue: CheckCatalogue, only: readonly string[], skip: readonly string[], warnings: InputError[]): Check[] {
  const because = unknownIdReason(catalogue);
  if (!because) return selectChecks(catalogue.checks, only, skip);
  return selectChecks(catalogue.checks, only, skip, (id, option) => void warnings.push({ message: `${option} names "${id}": ${because(id)}` }));
}

/** When a plugin failed to load, why an id may be unknown; `undefined` when an unknown id can only be a typo. */
export function unknownIdReason(catalogue: CheckCatalogue): ((id: string) => string) | undefined {
  if (catalogue.errors.length === 0) return undefined;
  return (id) => (catalogue.failedIds.includes(id) ? 'its plugin check was not loaded' : 'no loaded check has this id, and a plugin that failed to load may define it');
}

/** Plugin errors for the commands that print no report (checks, explain, rbac). */
export function printCatalogueErrors(catalogue: CheckCatalogue, io: CliIo): void {
  for (const error of catalogue.errors) io.stderr.write(`kfscan: error: ${terminalSafe(formatProblem(error))}\n`);
}
