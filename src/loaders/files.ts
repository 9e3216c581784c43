import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import picomatch from 'picomatch';
import type { InputError } from '../core/types.js';
import { parseManifests, type ParsedObject } from './manifest-parser.js';
import { append } from '../core/arrays.js';
import { trimEnd } from '../core/text-scan.js';

export interface LoadedObject extends ParsedObject {
  file: string;
  /** Namespace for objects that set none (a Helm release's); `null` for `default`. */
  namespaceHint: string | null;
  /** The rendered root the object came from, relative to its input; absent for plain files. */
  root?: string;
}

export interface FileReport {
  file: string;
  objects: number;
  errors: number;
  warnings: number;
  skipped: boolean;
}

export interface LoadedManifests {
  objects: LoadedObject[];
  errors: InputError[];
  warnings: InputError[];
  files: FileReport[];
}

export interface LoadOptions {
  cwd: string;
  maxFileBytes: number;
  readStdin?: () => Promise<Buffer>;
  /** Gitignore-style patterns, relative to each input, of paths left out of the scan. */
  exclude?: readonly string[];
}

/** A directory input by its real path, so that symbolic links can be kept inside it. */
export interface InputDirectory {
  real: string;
  given: string;
  /**
   * How far a kustomization of the input may reach for its bases: the git work tree that holds the input
   * (so that `kfscan scan overlays/prod` builds with `../../base`), or the input itself outside git.
   */
  boundary: string;
}

/** What the inputs hold, before anything is parsed or rendered. */
export interface CollectedInputs {
  /** Manifest files (absolute), and `<stdin>`. */
  files: string[];
  /** Directories holding a kustomization file. */
  kustomizations: Array<{ dir: string; input: InputDirectory }>;
  /** Directories holding a Chart.yaml (their templates/ and charts/ are never read as manifests). */
  charts: Array<{ dir: string; input: InputDirectory }>;
  inputs: InputDirectory[];
  errors: InputError[];
  warnings: InputError[];
}

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
/** Left out unless an input names them; `--exclude` adds to these. */
export const DEFAULT_EXCLUDES = ['.git', 'node_modules'] as const;
const READ_CONCURRENCY = 16;
// A chart's own files that are not manifests: its templates are rendered by Helm, never parsed as YAML.
const CHART_FILES = /^(?:Chart\.ya?ml|Chart\.lock|values[\w.-]*\.ya?ml|values\.schema\.json)$/;
const CHART_DIRECTORIES = new Set(['templates', 'charts']);

/**
 * Reads files, directories (recursively) and `-` (stdin) into parsed objects, without rendering: every
 * manifest file is scanned as it is. Every problem becomes an error or warning with its file and line;
 * nothing here throws for bad input.
 */
export async function loadManifests(inputs: readonly string[], options: LoadOptions): Promise<LoadedManifests> {
  const collected = await collectInputs(inputs, options);
  const loaded = await loadFiles(collected.files, options);
  return { ...loaded, errors: [...collected.errors, ...loaded.errors], warnings: [...collected.warnings, ...loaded.warnings] };
}

/** Parses manifest files (and `<stdin>`) into objects. */
export async function loadFiles(files: readonly string[], options: LoadOptions): Promise<LoadedManifests> {
  const result: LoadedManifests = { objects: [], errors: [], warnings: [], files: [] };
  const limit = pLimit(READ_CONCURRENCY);
  const loaded = await Promise.all(files.map((file) => limit(() => loadIsolated(file, options))));
  for (const one of loaded) {
    append(result.objects, one.objects);
    append(result.errors, one.errors);
    append(result.warnings, one.warnings);
    result.files.push(one.report);
  }
  return result;
}

/**
 * Walks the inputs: manifest files, kustomization directories and Helm charts. Symbolic links are
 * followed only while they stay inside the input they were found in; excluded paths (gitignore-style,
 * relative to each input) are not entered.
 */
export async function collectInputs(inputs: readonly string[], options: LoadOptions): Promise<CollectedInputs> {
  const collected: CollectedInputs = { files: [], kustomizations: [], charts: [], inputs: [], errors: [], warnings: [] };
  const excluded = excludeMatcher([...DEFAULT_EXCLUDES, ...(options.exclude ?? [])]);
  const state: CollectState = { collected, seenFiles: new Set(), options, excluded };
  for (const input of inputs) {
    if (input === '-') {
      collected.files.push(STDIN_NAME);
      continue;
    }
    const absolute = path.resolve(options.cwd, input);
    const real = await fs.realpath(absolute).catch(() => null);
    const stat = real ? await fs.stat(real).catch(() => null) : null;
    // A file input is its own small input: the directory around it is not scanned.
    const dir = stat?.isDirectory() ? real! : path.dirname(real ?? absolute);
    const inputDir: InputDirectory = { real: dir, given: input, boundary: await workTreeOf(dir) };
    if (stat?.isDirectory() || isKustomization(path.basename(absolute))) collected.inputs.push(inputDir);
    await collect(absolute, true, new Set(), inputDir, state);
  }
  return collected;
}

interface CollectState {
  collected: CollectedInputs;
  seenFiles: Set<string>;
  options: LoadOptions;
  excluded: (relative: string, directory: boolean) => boolean;
}

async function collect(absolute: string, explicit: boolean, ancestors: Set<string>, input: InputDirectory, state: CollectState): Promise<void> {
  const { collected } = state;
  const display = displayPath(absolute, state.options.cwd);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    collected.errors.push({ file: display, message: `cannot read: ${systemReason(error)}` });
    return;
  }
  const real = await fs.realpath(absolute).catch(() => absolute);
  if (!explicit && !isWithin(real, input.real)) {
    collected.warnings.push({ file: display, message: 'skipped: symbolic link out of the scanned input' });
    return;
  }
  if (stat.isDirectory()) {
    if (ancestors.has(real)) {
      collected.warnings.push({ file: display, message: 'skipped: symbolic link loop back to a parent directory' });
      return;
    }
    let entries: Dirent[];
    try {
      entries = await fs.readdir(absolute, { withFileTypes: true });
    } catch (error) {
      collected.errors.push({ file: display, message: `cannot read directory: ${systemReason(error)}` });
      return;
    }
    const nextAncestors = new Set(ancestors).add(real);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const isChart = entries.some((entry) => entry.name === 'Chart.yaml');
    if (isChart) collected.charts.push({ dir: real, input });
    if (entries.some((entry) => isKustomization(entry.name))) collected.kustomizations.push({ dir: real, input });
    for (const entry of entries) {
      if (entry.name.startsWith('.') || isKustomization(entry.name)) continue;
      if (isChart && (CHART_DIRECTORIES.has(entry.name) || CHART_FILES.test(entry.name))) continue;
      const child = path.join(absolute, entry.name);
      const relative = path.relative(input.real, path.join(real, entry.name)).split(path.sep).join('/');
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        if (state.excluded(relative, true)) continue;
        await collect(child, false, nextAncestors, input, state);
      } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        if (state.excluded(relative, false)) continue;
        addFile(child, state);
      }
    }
    return;
  }
  if (!stat.isFile()) {
    if (explicit) collected.errors.push({ file: display, message: 'cannot read: not a regular file or directory' });
    return;
  }
  if (!explicit && !MANIFEST_EXTENSIONS.has(path.extname(absolute).toLowerCase())) return;
  if (isKustomization(path.basename(absolute))) {
    collected.kustomizations.push({ dir: path.dirname(real), input });
    return;
  }
  addFile(absolute, state);
}

/** The nearest directory at or above `dir` that holds `.git` (a directory, or a file in worktrees), else `dir`. */
async function workTreeOf(dir: string): Promise<string> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (await fs.lstat(path.join(current, '.git')).then(() => true, () => false)) return current;
    if (path.dirname(current) === current) return dir;
  }
}

function addFile(absolute: string, state: CollectState): void {
  if (state.seenFiles.has(absolute)) return;
  state.seenFiles.add(absolute);
  state.collected.files.push(absolute);
}

/**
 * Gitignore-style matching of paths relative to an input: a pattern without a slash matches a name at
 * any depth (`testdata`, `*.bak`), one with a slash is anchored at the input (`apps/**`, `/build`), and a
 * trailing slash matches directories only. Whatever is below a matched directory is left out with it.
 */
export function excludeMatcher(patterns: readonly string[]): (relative: string, directory: boolean) => boolean {
  const matchers = patterns
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '' && !pattern.startsWith('#'))
    .map((pattern) => {
      const directoryOnly = pattern.endsWith('/');
      const body = trimEnd(pattern, '/');
      const anchored = body.includes('/');
      const glob = anchored ? body.replace(/^\//, '') : `**/${body}`;
      return { directoryOnly, match: picomatch(glob, { dot: true }) };
    });
  return (relative, directory) => matchers.some(({ directoryOnly, match }) => (directory || !directoryOnly) && match(relative));
}

function isWithin(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`);
}

interface OneFile {
  objects: LoadedObject[];
  errors: InputError[];
  warnings: InputError[];
  report: FileReport;
}

/**
 * One file, whatever it holds: a failure of kfscan's own while reading it (a limit of the platform it
 * runs on, a parser bug) becomes an error of that file, and every other file is still scanned.
 */
async function loadIsolated(file: string, options: LoadOptions): Promise<OneFile> {
  try {
    return capWarnings(await loadOne(file, options));
  } catch (error) {
    const display = file === STDIN_NAME ? STDIN_NAME : displayPath(file, options.cwd);
    const reason = error instanceof RangeError ? 'the file is too large or too deeply structured to parse' : error instanceof Error ? error.message : String(error);
    return { objects: [], errors: [{ file: display, line: 1, message: `not scanned: ${reason}` }], warnings: [], report: { file: display, objects: 0, errors: 1, warnings: 0, skipped: true } };
  }
}

/** Enough warnings of one file to act on; a file of 100,000 stray documents must not flood the report. */
const MAX_WARNINGS_PER_FILE = 100;

function capWarnings(one: OneFile): OneFile {
  if (one.warnings.length <= MAX_WARNINGS_PER_FILE) return one;
  const shown = one.warnings.slice(0, MAX_WARNINGS_PER_FILE);
  const rest = one.warnings.length - shown.length;
  shown.push({ file: one.report.file, line: one.warnings[MAX_WARNINGS_PER_FILE]!.line ?? 1, message: `${rest} more warning${rest === 1 ? '' : 's'} in this file not listed` });
  return { ...one, warnings: shown, report: { ...one.report, warnings: shown.length } };
}

async function loadOne(file: string, options: LoadOptions): Promise<OneFile> {
  const display = file === STDIN_NAME ? STDIN_NAME : displayPath(file, options.cwd);
  // Whole-file problems point at line 1, or at the line of the first NUL byte for binary files.
  const fail = (message: string, line = 1): OneFile => ({
    objects: [],
    errors: [{ file: display, line, message }],
    warnings: [],
    report: { file: display, objects: 0, errors: 1, warnings: 0, skipped: true },
  });

  let buffer: Buffer;
  try {
    if (file === STDIN_NAME) {
      if (!options.readStdin) return fail('standard input is not available');
      buffer = await options.readStdin();
    } else {
      const stat = await fs.stat(file);
      if (stat.size > options.maxFileBytes) return fail(tooLarge(stat.size, options.maxFileBytes));
      buffer = await fs.readFile(file);
    }
  } catch (error) {
    return fail(`cannot read: ${systemReason(error)}`);
  }
  if (buffer.length > options.maxFileBytes) return fail(tooLarge(buffer.length, options.maxFileBytes));
  const nul = buffer.indexOf(0);
  if (nul !== -1) return fail('skipped: binary file (contains NUL bytes)', lineOfOffset(buffer, nul));

  const parsed = parseManifests(buffer.toString('utf8'), display);
  return {
    objects: parsed.objects.map((object) => ({ ...object, file: display, namespaceHint: null })),
    errors: parsed.errors,
    warnings: parsed.warnings,
    report: {
      file: display,
      objects: parsed.objects.length,
      errors: parsed.errors.length,
      warnings: parsed.warnings.length,
      skipped: false,
    },
  };
}

function lineOfOffset(buffer: Buffer, offset: number): number {
  let line = 1;
  for (let i = buffer.indexOf(10); i !== -1 && i < offset; i = buffer.indexOf(10, i + 1)) line++;
  return line;
}

export function isKustomization(name: string): boolean {
  return name === 'kustomization.yaml' || name === 'kustomization.yml' || name === 'Kustomization';
}

function tooLarge(size: number, limit: number): string {
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `skipped: file is ${mb(size)}, above the ${mb(limit)} limit (raise it with --max-file-size)`;
}

export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute) || '.';
  return relative.split(path.sep).join('/');
}

function systemReason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? (error instanceof Error ? error.message : String(error));
  }
}
