import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isLink, linkOnTheWay, OutputFileError, writeOutputFile } from '../core/output-file.js';
import { INDEX_FILE } from './render.js';

export class KitDirectoryError extends Error {}

export interface WriteOutcome {
  /** Files of an earlier kit that were removed (with --force). */
  removed: string[];
  /** Files in the directory that are not kfscan's and were left alone. */
  foreign: string[];
}

/**
 * Writes the kit into `dir`. A directory that holds anything is refused, unless `force`: then the files an
 * earlier kit listed in its index are removed first (a kit from another scan must not leave stale
 * manifests behind) and anything else is left in place and reported.
 */
export async function writeKit(dir: string, files: ReadonlyMap<string, string>, { force }: { force: boolean }): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { removed: [], foreign: [] };
  if (await isLink(dir)) throw new KitDirectoryError(`${dir} is a symbolic link: kfscan never writes through one; choose a real directory`);
  const existing = await listFiles(dir);
  if (existing === null) {
    // Not a directory: a file of that name, or nothing at all.
    try {
      await fs.stat(dir);
      throw new KitDirectoryError(`${dir} exists and is not a directory`);
    } catch (error) {
      if (error instanceof KitDirectoryError) throw error;
    }
  } else if (existing.length > 0) {
    if (!force) throw new KitDirectoryError(`${dir} is not empty: choose an empty or new directory, or add --force to replace a kit kfscan wrote there before`);
    const previous = await previousKitFiles(dir);
    for (const file of previous) {
      if (!existing.includes(file)) continue;
      // Removing `resources/x` where `resources` links to /etc would remove /etc/x.
      const link = await linkOnTheWay(path.join(dir, path.dirname(file)), dir);
      if (link !== null) throw new KitDirectoryError(`${link} is a symbolic link: kfscan never removes or writes through one; remove it first`);
      await fs.rm(path.join(dir, file), { force: true });
      outcome.removed.push(file);
    }
    await removeEmptyDirectories(dir);
    outcome.foreign = existing.filter((file) => !previous.includes(file) && !files.has(file));
  }
  for (const [file, content] of files) {
    try {
      await writeOutputFile(path.join(dir, file), content, dir);
    } catch (error) {
      if (error instanceof OutputFileError) throw new KitDirectoryError(error.message);
      throw error;
    }
  }
  return outcome;
}

/**
 * Files below a directory (relative, forward slashes), or `null` when it is not a directory. Symbolic
 * links are listed as files, never entered: Node's own recursive listing follows them, and a link to `/`
 * would walk the whole file system.
 */
async function listFiles(dir: string): Promise<string[] | null> {
  const files: string[] = [];
  const pending = [''];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    let entries;
    try {
      entries = await fs.readdir(path.join(dir, relative), { withFileTypes: true });
    } catch {
      if (relative === '') return null;
      continue;
    }
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) pending.push(child);
      else files.push(child);
    }
  }
  return files.sort();
}

/** The files an earlier kit wrote, from its index; only paths that stay inside the directory. */
async function previousKitFiles(dir: string): Promise<string[]> {
  let listed: unknown;
  try {
    listed = (JSON.parse(await fs.readFile(path.join(dir, INDEX_FILE), 'utf8')) as { files?: unknown }).files;
  } catch {
    return [];
  }
  if (!Array.isArray(listed)) return [];
  return listed.filter((file): file is string => typeof file === 'string' && isInside(file));
}

function isInside(file: string): boolean {
  const normal = path.posix.normalize(file);
  return normal !== '' && !normal.startsWith('../') && normal !== '..' && !path.posix.isAbsolute(normal) && !normal.includes('\0');
}

async function removeEmptyDirectories(dir: string): Promise<void> {
  for (const sub of ['resources', 'patches', 'falco', 'prometheus']) {
    try {
      const target = path.join(dir, sub);
      if ((await fs.readdir(target)).length === 0) await fs.rmdir(target);
    } catch {
      // not there
    }
  }
}
