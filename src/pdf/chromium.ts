// Which Chromium prints the PDF report. kfscan ships no browser: KFSCAN_CHROMIUM names one, else a Chrome
// or Chromium installed where systems put them, else @sparticuz/chromium when it is installed next to
// kfscan (the tests use it; it runs on linux/x64). Nothing is looked up in the working directory or the
// scanned repository: a browser found there would be code the scanned files chose.
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export class PdfError extends Error {}

export interface ChromiumSource {
  executable: string;
  args: string[];
  /** Where it was found, for messages: `KFSCAN_CHROMIUM`, the path, or `@sparticuz/chromium`. */
  origin: string;
}

const USUAL_PATHS: Readonly<Record<string, readonly string[]>> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/usr/bin/microsoft-edge',
    '/snap/bin/chromium',
    '/opt/google/chrome/chrome',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    '/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge',
  ],
  win32: [
    'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Google\\Chrome\\Application\\chrome.exe',
    'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe',
  ],
};

/** Flags for a headless print of a local page: no first-run, sync, updates or other calls home. */
export const QUIET_FLAGS = [
  '--headless',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Flags of @sparticuz/chromium's serverless set that would weaken the browser's same-origin and
 * mixed-content rules: left out.
 */
const WEAKENING = new Set(['--disable-web-security', '--allow-running-insecure-content']);

export const HOW_TO_GET_CHROMIUM =
  'install Google Chrome or Chromium (e.g. apt-get install chromium), or set KFSCAN_CHROMIUM to the path of a Chrome or Chromium binary';

export async function findChromium(env: Readonly<Record<string, string | undefined>>): Promise<ChromiumSource> {
  // Chromium refuses to start as root with its sandbox (containers, CI); elsewhere the sandbox stays on.
  const sandbox = typeof process.getuid === 'function' && process.getuid() === 0 ? ['--no-sandbox'] : [];
  const configured = env['KFSCAN_CHROMIUM'];
  if (configured) {
    if (!isExecutable(configured)) throw new PdfError(`KFSCAN_CHROMIUM=${configured} is not an executable file: point it at a Chrome or Chromium binary`);
    return { executable: configured, args: [...QUIET_FLAGS, ...sandbox], origin: 'KFSCAN_CHROMIUM' };
  }
  const usual = (USUAL_PATHS[process.platform] ?? []).find(isExecutable);
  if (usual) return { executable: usual, args: [...QUIET_FLAGS, ...sandbox], origin: usual };
  const bundled = await bundledChromium();
  if (bundled) return bundled;
  throw new PdfError(`no Chrome or Chromium found to print the PDF report: ${HOW_TO_GET_CHROMIUM}`);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** @sparticuz/chromium, when installed next to kfscan and this is linux/x64; `null` otherwise. */
async function bundledChromium(): Promise<ChromiumSource | null> {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  } catch {
    return null;
  }
  const { default: bundled } = (await import(pathToFileURL(entry).href)) as { default: { executablePath(): Promise<string>; args: string[] } };
  const executable = await unpackBundledChromium(entry, bundled.executablePath.bind(bundled));
  return { executable, args: bundledChromiumArgs(bundled.args), origin: '@sparticuz/chromium' };
}

/** @sparticuz/chromium's own flags (it needs them to start), without those that weaken the page's rules. */
export function bundledChromiumArgs(args: readonly string[]): string[] {
  return [...args.filter((flag) => !WEAKENING.has(flag)), ...QUIET_FLAGS, '--no-sandbox'];
}

/**
 * @sparticuz/chromium unpacks into os.tmpdir() and reuses whatever `chromium` it finds there, whichever
 * version put it there and even half-written. So it unpacks into a fresh folder that is renamed into a cache
 * keyed by the package version (node_modules/.cache) once complete: an interrupted run leaves no broken
 * browser behind, and the tests and kfscan share one copy.
 */
export async function unpackBundledChromium(entry: string, executablePath: () => Promise<string>): Promise<string> {
  const packageDir = packageRoot(entry);
  const { version } = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const cacheRoot = path.join(packageDir, '..', '..', '.cache');
  const cache = path.join(cacheRoot, `kfscan-chromium-${version}`);
  const binary = path.join(cache, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const partial = mkdtempSync(`${cache}.partial-`);
  const tmpdir = process.env['TMPDIR'];
  process.env['TMPDIR'] = partial;
  try {
    const unpacked = await executablePath();
    if (path.dirname(unpacked) !== partial) throw new PdfError(`@sparticuz/chromium unpacked to ${unpacked}, not into ${partial}`);
  } finally {
    if (tmpdir === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = tmpdir;
  }
  try {
    renameSync(partial, cache);
  } catch (error) {
    // Another run finished first: keep its copy.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(binary)) throw error;
  }
  return binary;
}

/** The package folder (`node_modules/@sparticuz/chromium`) of a file inside it. */
function packageRoot(entry: string): string {
  let dir = path.dirname(entry);
  while (!existsSync(path.join(dir, 'package.json')) || path.basename(path.dirname(dir)) !== '@sparticuz') {
    const parent = path.dirname(dir);
    if (parent === dir) throw new PdfError(`cannot find the package folder of ${entry}`);
    dir = parent;
  }
  return dir;
}
