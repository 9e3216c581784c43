import { promises as fs, type Dirent } from 'node:fs';
import path from 'node:path';
import pLimit from 'p-limit';
import type { InputError } from '../core/types.js';
import { parseManifests, type ParsedObject } from './manifest-parser.js';
import { readKustomizations, type KustomizeIndex } from './kustomize.js';
import { applyKustomizations } from './kustomize-apply.js';

export interface LoadedObject extends ParsedObject {
  file: string;
  /** Namespace the file's kustomization sets, applied to objects that have none. */
  namespaceHint: string | null;
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
}

export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
export const STDIN_NAME = '<stdin>';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);
const READ_CONCURRENCY = 16;

/**
 * Reads files, directories (recursively) and `-` (stdin) into parsed objects. Every problem becomes an
 * error or warning with its file and line; nothing here throws for bad input.
 */
export async function loadManifests(inputs: readonly string[], options: LoadOptions): Promise<LoadedManifests> {
  const result: LoadedManifests = { objects: [], errors: [], warnings: [], files: [] };
  const files: string[] = [];
  const seenFiles = new Set<string>();
  const kustomizationFiles: string[] = [];

  for (const input of inputs) {
    if (input === '-') {
      files.push(STDIN_NAME);
      continue;
    }
    const absolute = path.resolve(options.cwd, input);
    await collect(absolute, true, new Set(), { files, seenFiles, kustomizationFiles, result, options });
  }

  const kustomize = await readKustomizations(kustomizationFiles, options.cwd);
  result.warnings.push(...kustomize.warnings);

  const limit = pLimit(READ_CONCURRENCY);
  const loaded = await Promise.all(files.map((file) => limit(() => loadOne(file, options, kustomize))));
  const objects: LoadedObject[] = [];
  for (const one of loaded) {
    objects.push(...one.objects);
    result.errors.push(...one.errors);
    result.warnings.push(...one.warnings);
    result.files.push(one.report);
  }
  const transformed = await applyKustomizations(objects, kustomize, options.cwd);
  result.objects.push(...transformed.objects);
  result.warnings.push(...transformed.warnings);
  return result;
}

interface CollectState {
  files: string[];
  seenFiles: Set<string>;
  kustomizationFiles: string[];
  result: LoadedManifests;
  options: LoadOptions;
}

async function collect(absolute: string, explicit: boolean, ancestors: Set<string>, state: CollectState): Promise<void> {
  const display = displayPath(absolute, state.options.cwd);
  let stat;
  try {
    stat = await fs.stat(absolute);
  } catch (error) {
    state.result.errors.push({ file: display, message: `cannot read: ${systemReason(error)}` });
    return;
  }
  if (stat.isDirectory()) {
    const real = await fs.realpath(absolute).catch(() => absolute);
    if (ancestors.has(real)) {
      state.result.warnings.push({ file: display, message: 'skipped: symbolic link loop back to a parent directory' });
      return;
    }
    let entries: Dirent[];
    try {
      entries = await fs.readdir(absolute, { withFileTypes: true });
    } catch (error) {
      state.result.errors.push({ file: display, message: `cannot read directory: ${systemReason(error)}` });
      return;
    }
    const nextAncestors = new Set(ancestors).add(real);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
      const child = path.join(absolute, entry.name);
      if (isKustomization(entry.name)) {
        state.kustomizationFiles.push(child);
        continue;
      }
      if (entry.isDirectory() || entry.isSymbolicLink()) {
        await collect(child, false, nextAncestors, state);
      } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        addFile(child, state);
      }
    }
    return;
  }
  if (!stat.isFile()) {
    if (explicit) state.result.errors.push({ file: display, message: 'cannot read: not a regular file or directory' });
    return;
  }
  if (!explicit && !MANIFEST_EXTENSIONS.has(path.extname(absolute).toLowerCase())) return;
  if (isKustomization(path.basename(absolute))) {
    state.kustomizationFiles.push(absolute);
    return;
  }
  addFile(absolute, state);
}

function addFile(absolute: string, state: CollectState): void {
  if (state.seenFiles.has(absolute)) return;
  state.seenFiles.add(absolute);
  state.files.push(absolute);
}

interface OneFile {
  objects: LoadedObject[];
  errors: InputError[];
  warnings: InputError[];
  report: FileReport;
}

async function loadOne(file: string, options: LoadOptions, kustomize: KustomizeIndex): Promise<OneFile> {
  const display = file === STDIN_NAME ? STDIN_NAME : displayPath(file, options.cwd);
  // Whole-file problems point at line 1, or at the line of the first NUL byte for binary files.
  const fail = (message: string, line = 1): OneFile => ({
    objects: [],
    errors: [{ file: display, line, message }],
    warnings: [],
    report: { file: display, objects: 0, errors: 1, warnings: 0, skipped: true },
  });

  const patchOf = file === STDIN_NAME ? undefined : kustomize.patches.get(file);
  if (patchOf) {
    // Applied to its targets (kustomize-apply.ts) rather than scanned as objects of its own.
    return {
      objects: [],
      errors: [],
      warnings: [],
      report: { file: display, objects: 0, errors: 0, warnings: 0, skipped: true },
    };
  }

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
  const namespaceHint = file === STDIN_NAME ? null : (kustomize.namespaces.get(file) ?? null);
  return {
    objects: parsed.objects.map((object) => ({ ...object, file: display, namespaceHint })),
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

function isKustomization(name: string): boolean {
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
