// Chromium driven by playwright-core (which downloads no browser of its own). The browser comes from the
// lockfile: @sparticuz/chromium ships a headless Chromium for linux/x64 that is unpacked on first use. Elsewhere
// KFSCAN_CHROMIUM names a Chromium binary. The machines have no internet, so everything that would phone home
// at start-up is switched off; the profile is a fresh temp dir.
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { QUIET_FLAGS, bundledChromiumArgs, unpackBundledChromium } from '../../src/pdf/chromium.js';

/** What a KFSCAN_CHROMIUM browser starts with: kfscan's own quiet flags, and no sandbox (tests run as root). */
const FLAGS = [...QUIET_FLAGS, '--no-sandbox'];

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
  // Unpacked once into node_modules/.cache, where kfscan's own `--report pdf` finds it too.
  const entry = createRequire(import.meta.url).resolve('@sparticuz/chromium');
  return {
    executable: await unpackBundledChromium(entry, bundled.executablePath.bind(bundled)),
    args: bundledChromiumArgs(bundled.args),
  };
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
