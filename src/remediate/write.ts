import { promises as fs } from 'node:fs';
import path from 'node:path';
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
      await fs.rm(path.join(dir, file), { force: true });
      outcome.removed.push(file);
    }
    await removeEmptyDirectories(dir);
    outcome.foreign = existing.filter((file) => !previous.includes(file) && !files.has(file));
  }
  for (const [file, content] of files) {
    const target = path.join(dir, file);
    await fs.mkdir(path.dirname(target), { recursive: true });
    await fs.writeFile(target, content);
  }
  return outcome;
}

/** Files below a directory (relative, forward slashes), or `null` when it is not a directory. */
async function listFiles(dir: string): Promise<string[] | null> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return null;
  }
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
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
