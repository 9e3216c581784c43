// Reports, baselines and remediation kits are written where the user says, often inside the scanned
// repository, which may hold symbolic links a pull request put there (`kfscan.sarif -> ~/.bashrc`,
// `kit/ -> /etc`). kfscan never writes through one: it refuses, and says which link is in the way.
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

export class OutputFileError extends Error {}

/**
 * Creates or replaces `file` with `text`. Refused when the file is a symbolic link, or when a directory
 * on its way below `root` is one (the directories above `root`, such as a home directory that is a link,
 * are the user's own). Missing directories are created.
 */
export async function writeOutputFile(file: string, text: string | Uint8Array, root: string): Promise<void> {
  const absolute = path.resolve(root, file);
  await ensureDirectory(path.dirname(absolute), root);
  // O_NOFOLLOW: the open itself fails on a link, so nothing can swap one in between a check and the write.
  const noFollow = constants.O_NOFOLLOW ?? 0;
  let handle: fs.FileHandle;
  try {
    if (noFollow === 0 && (await isLink(absolute))) throw linkError(absolute, absolute);
    handle = await fs.open(absolute, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | noFollow, 0o666);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOOP' || (await isLink(absolute))) throw linkError(absolute, absolute);
    throw error;
  }
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

/** Creates `dir` and its missing parents, refusing a symbolic link among those below `root`. */
export async function ensureDirectory(dir: string, root: string): Promise<void> {
  const absoluteRoot = path.resolve(root);
  const absolute = path.resolve(root, dir);
  const relative = path.relative(absoluteRoot, absolute);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  if (inside) {
    const link = await linkOnTheWay(absolute, absoluteRoot);
    if (link !== null) throw linkError(link, absolute);
  } else if (absolute !== absoluteRoot && (await isLink(absolute))) {
    throw linkError(absolute, absolute);
  }
  await fs.mkdir(absolute, { recursive: true });
}

/** The first symbolic link among `file` and the directories between `root` and it, or `null`. */
export async function linkOnTheWay(file: string, root: string): Promise<string | null> {
  const absoluteRoot = path.resolve(root);
  const relative = path.relative(absoluteRoot, path.resolve(root, file));
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  let current = absoluteRoot;
  for (const part of relative.split(path.sep)) {
    current = path.join(current, part);
    if (await isLink(current)) return current;
  }
  return null;
}

export async function isLink(file: string): Promise<boolean> {
  return fs.lstat(file).then((stat) => stat.isSymbolicLink(), () => false);
}

function linkError(link: string, target: string): OutputFileError {
  const where = link === target ? `${target} is a symbolic link` : `${link} (on the way to ${target}) is a symbolic link`;
  return new OutputFileError(`refusing to write through a symbolic link: ${where}; remove it or choose another path`);
}
