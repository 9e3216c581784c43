import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { didYouMean } from '../core/suggest.js';
import type { SourceLocation } from '../core/types.js';
import { displayPath } from '../loaders/files.js';
import { yamlErrorText } from '../loaders/yaml-errors.js';
import { CONFIG_SCHEMA } from './schema.js';

export const CONFIG_FILE_NAMES = ['.kfscan.yaml', '.kfscan.yml'] as const;

/** A configuration problem, with the file and line in its message; the CLI exits 2 on it. */
export class ConfigError extends Error {}

export interface IgnoreEntry {
  check: string | string[];
  namespace?: string | string[];
  resource?: string | string[];
  path?: string | string[];
  context?: string | string[];
  reason: string;
  expires?: string;
}

export type PluginEntry = string | { plugin: string; options?: Record<string, unknown> };

export interface ChartEntry {
  release?: string;
  namespace?: string;
  values?: string[];
  set?: string[];
}

export interface ConfigData {
  ignore?: IgnoreEntry[];
  plugins?: PluginEntry[];
  exclude?: string[];
  render?: { kustomizeBin?: string; helmBin?: string; kustomizeHelm?: boolean; timeout?: number; charts?: Record<string, ChartEntry> };
  views?: Array<{ name: string; roots: string[] }>;
  report?: { title?: string; customer?: string; assessor?: string };
}

export interface LoadedConfig {
  /** Absolute path of the file. */
  path: string;
  /** Path relative to the working directory, as reports show it. */
  file: string;
  data: ConfigData;
  /** Position of a value (or of the key, for `key: true`) in the file. */
  locate(at: readonly (string | number)[], key?: boolean): SourceLocation;
  /** `false` for a configuration found in the scanned tree under `--untrusted`: its waivers are reported, not applied. */
  trusted: boolean;
}

/**
 * `.kfscan.yaml` (or `.kfscan.yml`) in the working directory or the nearest parent that has one, up to the
 * root of the git repository that holds the working directory (a directory holding `.git`, which is a file
 * in worktrees and submodules); outside a repository, only the working directory itself. A file planted in
 * a shared parent directory (`/tmp`, a home directory) must never configure, or run plugins in, a scan.
 */
export async function findConfigFile(cwd: string): Promise<string | null> {
  const start = path.resolve(cwd);
  const repository = await repositoryRoot(start);
  const top = repository ?? start;
  for (let dir = start; ; dir = path.dirname(dir)) {
    const present: string[] = [];
    for (const name of CONFIG_FILE_NAMES) {
      if (await isFile(path.join(dir, name))) present.push(path.join(dir, name));
    }
    if (present.length > 1) throw new ConfigError(`both ${present.map((p) => displayPath(p, cwd)).join(' and ')} exist; keep one`);
    if (present.length === 1) return insideOrRefused(present[0]!, top, repository !== null ? 'the repository' : 'the working directory', cwd);
    if (dir === top || path.dirname(dir) === dir) return null;
  }
}

/** A configuration found by the search must be the repository's own, not a link to a file elsewhere. */
async function insideOrRefused(file: string, top: string, where: string, cwd: string): Promise<string> {
  const [real, realTop] = await Promise.all([fs.realpath(file).catch(() => file), fs.realpath(top).catch(() => top)]);
  if (real === realTop || real.startsWith(`${realTop}${path.sep}`)) return file;
  throw new ConfigError(`${displayPath(file, cwd)} is a symbolic link out of ${where}: not read; name a configuration with --config, or --no-config`);
}

/** The nearest directory at or above `dir` that holds `.git`, or `null` outside a repository. */
async function repositoryRoot(dir: string): Promise<string | null> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (await exists(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return null;
  }
}

/**
 * What `--untrusted` keeps of a configuration found in the scanned tree (not named with `--config`): the
 * rendering settings (charts' values, views, the timeout). Its plugins would run code, its `exclude`
 * would hide files, its binaries would run, so they go, and `skipped` says so; its `ignore` entries stay,
 * to be reported but not applied.
 */
export function distrustConfig(config: LoadedConfig): { config: LoadedConfig; skipped: string[] } {
  const { plugins, exclude, render, ...rest } = config.data;
  const skipped: string[] = [];
  if (plugins?.length) skipped.push(`its plugins are not run (${plugins.map((entry) => (typeof entry === 'string' ? entry : entry.plugin)).join(', ')})`);
  if (exclude?.length) skipped.push(`its exclude patterns are not used (${exclude.join(', ')})`);
  const { kustomizeBin, helmBin, ...renderRest } = render ?? {};
  const bins = [kustomizeBin !== undefined ? 'render.kustomizeBin' : '', helmBin !== undefined ? 'render.helmBin' : ''].filter(Boolean);
  if (bins.length) skipped.push(`its ${bins.join(' and ')} ${bins.length === 1 ? 'is' : 'are'} not used`);
  const data: ConfigData = { ...rest, ...(render ? { render: renderRest } : {}) };
  return { config: { ...config, data, trusted: false }, skipped };
}

export async function loadConfig(file: string, cwd: string): Promise<LoadedConfig> {
  const absolute = path.resolve(cwd, file);
  const display = displayPath(absolute, cwd);
  let text: string;
  try {
    text = await fs.readFile(absolute, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read configuration ${display}: ${code === 'ENOENT' ? 'no such file' : (code ?? String(error))}`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false, logLevel: 'error' });
  const locateOffset = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file: display, line, column: col };
  };
  const yamlError = document.errors[0];
  if (yamlError) {
    const at = locateOffset(yamlError.pos[0]);
    throw new ConfigError(`${at.file}:${at.line}:${at.column}: invalid YAML: ${yamlErrorText(yamlError.message)}`);
  }
  const data: unknown = document.toJS() ?? {};
  const locate = (at: readonly (string | number)[], key = false): SourceLocation => locateNode(document, at, key, locateOffset);
  await validate(data, locate);
  return { path: absolute, file: display, data: data as ConfigData, locate, trusted: true };
}

// Compiling the schema costs more than validating many configurations: once per process (a server, the tests,
// a scan with --config and a discovered file).
let compiled: Promise<ValidateFunction> | undefined;
function configValidator(): Promise<ValidateFunction> {
  compiled ??= import('ajv').then(({ default: AjvModule }) => new AjvModule.default({ allErrors: false, strict: true, allowUnionTypes: true, verbose: true }).compile(CONFIG_SCHEMA));
  return compiled;
}

async function validate(data: unknown, locate: LoadedConfig['locate']): Promise<void> {
  // Loaded only when a configuration exists, so that plain scans do not pay for the compiler.
  const validateConfig = await configValidator();
  const valid = validateConfig(data);
  const error = validateConfig.errors?.[0];
  if (valid || !error) return;
  const at = pointerToPath(error.instancePath);
  const unknownKey = error.keyword === 'additionalProperties' ? String(error.params['additionalProperty']) : null;
  const where = unknownKey !== null ? locate([...at, unknownKey], true) : locate(at);
  throw new ConfigError(`${where.file}:${where.line}:${where.column}: ${describeError(error, at, unknownKey)}`);
}

function describeError(error: ErrorObject, at: (string | number)[], unknownKey: string | null): string {
  const name = at.length === 0 ? 'the configuration' : `"${formatPath(at)}"`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const where = at.length === 0 ? 'unknown top-level key' : `unknown key in ${formatPath(at)}:`;
      return `${where} "${unknownKey}"${didYouMean(unknownKey!, allowed)}; allowed keys: ${allowed.join(', ')}`;
    }
    case 'required': {
      const missing = String(error.params['missingProperty']);
      const why =
        missing === 'reason'
          ? ': say why the finding is accepted'
          : missing === 'check'
            ? ': name the checks it suppresses (ids or aliases)'
            : missing === 'plugin'
              ? ': the path (relative to this file) or package of the plugin'
              : '';
      return `${name} needs "${missing}"${why}`;
    }
    case 'type': {
      const types = ([] as string[]).concat(error.params['type'] as string | string[]);
      const wanted = types.includes('string') && types.includes('array') ? 'a string or a list of strings' : types.map((t) => ({ object: 'a mapping', array: 'a list' })[t] ?? `a ${t}`).join(' or ');
      return `${name} must be ${at.length === 0 ? 'a mapping (e.g. ignore: [...])' : wanted}`;
    }
    case 'minLength':
    case 'minItems':
      return `${name} must not be empty`;
    case 'maxLength':
      return `${name} must be at most ${String(error.params['limit'])} characters long`;
    case 'pattern': {
      const last = at.at(-1);
      if (last === 'expires') return `${name} must be a date written YYYY-MM-DD`;
      if (last === 'kustomizeBin' || last === 'helmBin') return `${name} must be an absolute path`;
      if (last === 'release') return `${name} must be a Helm release name (lower case letters, digits and -)`;
      if (at.at(-2) === 'set') return `${name} must be written key=value`;
      return `${name} must not be blank`;
    }
    default:
      return `${name} ${error.message ?? 'is invalid'}`;
  }
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

export function formatPath(at: readonly (string | number)[]): string {
  return at.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${part}`)).join('');
}

function locateNode(
  document: Document,
  at: readonly (string | number)[],
  key: boolean,
  locateOffset: (offset: number) => SourceLocation,
): SourceLocation {
  // The nearest existing node on the path; for `key`, the key of the last step.
  for (let depth = at.length; depth >= 0; depth--) {
    const parentPath = at.slice(0, Math.max(0, depth - 1));
    const parent = depth === 0 ? document.contents : document.getIn(parentPath, true);
    if (depth > 0 && isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === at[depth - 1]);
      const node = pair ? (key && depth === at.length ? pair.key : pair.value) : undefined;
      const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
      if (range) return locateOffset(range[0]);
      continue;
    }
    const node = depth === 0 ? document.contents : document.getIn(at.slice(0, depth), true);
    const range = (node as { range?: [number, number, number] } | null | undefined)?.range;
    if (range) return locateOffset(range[0]);
  }
  return locateOffset(0);
}

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then((stat) => stat.isFile(), () => false);
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(() => true, () => false);
}
