// Chromium driven by playwright-core (which downloads no browser of its own). The browser comes from the
// lockfile: @sparticuz/chromium ships a headless Chromium for linux/x64 that is unpacked on first use. Elsewhere
// KFSCAN_CHROMIUM names a Chromium binary. The machines have no internet, so everything that would phone home
// at start-up is switched off; the profile is a fresh temp dir.
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from './cli.js';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Flags of @sparticuz/chromium's serverless set that would weaken what the test proves: the report must hold
 * up under the browser's normal same-origin and mixed-content rules.
 */
const WEAKENING = new Set(['--disable-web-security', '--allow-running-insecure-content']);

export interface ChromiumSource {
  executable: string;
  args: string[];
}

/**
 * Where the browser comes from, or why there is none: KFSCAN_CHROMIUM first, then the bundled build where it
 * runs. Decided without unpacking anything, so a test file can skip at collection time.
 */
export function chromiumAvailability(): { available: true } | { available: false; reason: string } {
  // A KFSCAN_CHROMIUM that does not run is a mistake to report, not a reason to skip: launching says why.
  if (process.env['KFSCAN_CHROMIUM']) return { available: true };
  if (process.platform === 'linux' && process.arch === 'x64') return { available: true };
  return {
    available: false,
    reason:
      `the bundled Chromium (@sparticuz/chromium) runs on linux/x64 only, this is ${process.platform}/${process.arch}: ` +
      'set KFSCAN_CHROMIUM to a Chromium or Chrome binary to run the browser test',
  };
}

async function chromiumSource(): Promise<ChromiumSource> {
  const configured = process.env['KFSCAN_CHROMIUM'];
  if (configured) {
    try {
      accessSync(configured, constants.X_OK);
    } catch {
      throw new Error(`KFSCAN_CHROMIUM=${configured} is not an executable file: point it at a Chromium or Chrome binary.`);
    }
    return { executable: configured, args: FLAGS };
  }
  const { default: bundled } = await import('@sparticuz/chromium');
  return {
    executable: await unpackBundled(bundled.executablePath.bind(bundled)),
    args: [...bundled.args.filter((flag) => !WEAKENING.has(flag)), ...FLAGS],
  };
}

/**
 * The package unpacks into os.tmpdir() and reuses whatever `chromium` it finds there, whichever version put it
 * there and even half-written. So it unpacks into a fresh folder that is renamed into a cache keyed by the
 * package version once complete: an interrupted run leaves no broken browser behind.
 */
async function unpackBundled(executablePath: () => Promise<string>): Promise<string> {
  const require = createRequire(import.meta.url);
  const manifest = path.join(path.dirname(require.resolve('@sparticuz/chromium')), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const cacheRoot = path.join(ROOT, 'node_modules', '.cache');
  const cache = path.join(cacheRoot, `kfscan-chromium-${version}`);
  const binary = path.join(cache, 'chromium');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheRoot, { recursive: true });
  const partial = mkdtempSync(`${cache}.partial-`);
  const tmpdir = process.env['TMPDIR'];
  process.env['TMPDIR'] = partial;
  try {
    const unpacked = await executablePath();
    if (path.dirname(unpacked) !== partial) throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not into ${partial}`);
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

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const { executable, args } = await chromiumSource();
  const profile = mkdtempSync(path.join(os.tmpdir(), 'kfscan-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface PageWatch {
  consoleErrors: string[];
  requests: string[];
}

/** Records console errors (CSP violations land there), uncaught page errors and every request made. */
export function watch(page: Page): PageWatch {
  const seen: PageWatch = { consoleErrors: [], requests: [] };
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.consoleErrors.push(`pageerror: ${error.message}`));
  page.on('request', (request) => seen.requests.push(request.url()));
  return seen;
}
