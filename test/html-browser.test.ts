// The HTML report as a client sees it: opened from a file in headless Chromium, with its filters clicked,
// printed, and checked for script execution and network access. The reports land in test-artifacts/ for a
// person to look at; with KFSCAN_TEST_ARTIFACTS=1 also screenshots and a PDF print of the page (a few
// seconds of CPU that check nothing, so not on every run).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEVERITIES, type SeverityCounts } from '../src/core/severity.js';
import { htmlReport } from '../src/reporters/html/report.js';
import { chromiumAvailability, launchChromium, watch, type Browser, type PageWatch } from './helpers/browser.js';
import { ROOT } from './helpers/cli.js';
import { runCli } from './helpers/in-process.js';
import { pdfPageCount } from './helpers/pdf.js';
import { ATTACK_PATH, HOSTILE, liveTwoClusters } from './helpers/results.js';

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kfscan-browser-'));
const context = { version: '0.0.0-test', color: false, width: 120, generatedAt: new Date('2026-03-14T09:26:53Z'), attackPath: ATTACK_PATH };

const availability = chromiumAvailability();
const keepPictures = process.env['KFSCAN_TEST_ARTIFACTS'] === '1';
let browser: Browser | undefined;

/** The browser the tests below drive; beforeAll has launched it by the time any test runs. */
function launched(): Browser {
  if (!browser) throw new Error('Chromium was not launched');
  return browser;
}

interface Opened {
  page: Page;
  seen: PageWatch;
  /** Requests to anything but the report file itself; each is aborted. */
  outside: string[];
  url: string;
}

async function open(file: string): Promise<Opened> {
  const url = pathToFileURL(file).href;
  const page = await launched().context.newPage();
  const seen = watch(page);
  const outside: string[] = [];
  await page.route('**/*', async (route) => {
    if (route.request().url() === url) return route.continue();
    outside.push(route.request().url());
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, seen, outside, url };
}

/** Nothing loaded but the file, nothing logged, nothing executed from the scan's text. */
async function expectQuietAndInert({ page, seen, outside, url }: Opened): Promise<void> {
  // Hover and click every row, so an injected event handler would have had its chance.
  for (const row of await page.locator('tr[data-severity]:visible').all()) await row.hover();
  expect(await page.evaluate(() => (globalThis as { __kfscanPwned?: unknown }).__kfscanPwned)).toBeUndefined();
  expect(seen.consoleErrors).toEqual([]);
  expect(seen.requests).toEqual([url]);
  expect(outside).toEqual([]);
}

const visible = (page: Page, selector: string): Promise<number> => page.locator(`${selector}:visible`).count();

// Where no browser can be had, say why in the test report rather than fail on a missing binary.
if (!availability.available) {
  console.warn(`HTML report browser test skipped: ${availability.reason}`);
  it.skip(`HTML report in Chromium (skipped: ${availability.reason})`);
}

describe.runIf(availability.available)('HTML report in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the right counts for a scan, filters by severity, prints everything, runs nothing from manifests', async () => {
    const hostile = path.join(tmp, 'hostile.json');
    writeFileSync(
      hostile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: HOSTILE.script, namespace: HOSTILE.attribute },
        spec: { containers: [{ name: HOSTILE.image, image: 'tensorflow/tensorflow:latest' }] },
      }),
    );
    const report = path.join(ARTIFACTS, 'html-report-demo.html');
    const json = path.join(tmp, 'demo.json');
    const run = await runCli(['scan', 'fixtures/demo', hostile, '--format', 'html', '-o', report, '--report', `json=${json}`, '--fail-on', 'none']);
    expect(run.stderr).toBe(`kfscan: wrote the HTML report to ${report}\nkfscan: wrote the JSON report to ${json}\n`);
    const summary = JSON.parse(readFileSync(json, 'utf8')).summary as SeverityCounts;
    expect(summary.high).toBeGreaterThan(0);
    expect(summary.critical).toBeGreaterThan(0);

    const opened = await open(report);
    const { page } = opened;
    // The filter panel is revealed by the inline script, so seeing it proves the CSP hash lets the script run.
    await expect.poll(() => page.locator('#filters').isVisible()).toBe(true);

    expect(await page.locator('[data-count="total"]').textContent()).toBe(String(summary.total));
    for (const severity of SEVERITIES) {
      expect(await page.locator(`[data-count="${severity}"]`).textContent()).toBe(String(summary[severity]));
      expect(await visible(page, `tr[data-severity="${severity}"]`)).toBe(summary[severity]);
    }
    expect(await page.locator('#filter-status').textContent()).toBe(`Showing ${summary.total} of ${summary.total} findings`);

    // The manifest's markup is on the page as text.
    const hostileRow = page.locator('tr[data-severity="high"]', { hasText: HOSTILE.script });
    await expect.poll(() => hostileRow.count()).toBe(1);
    expect(await hostileRow.textContent()).toContain(`Pod ${HOSTILE.attribute}/${HOSTILE.script}`);
    expect(await hostileRow.textContent()).toContain(HOSTILE.image);

    await page.locator('input[data-filter="severity"][value="high"]').click();
    expect(await visible(page, 'tr[data-severity="high"]')).toBe(0);
    expect(await visible(page, 'tr[data-severity="critical"]')).toBe(summary.critical);
    expect(await hostileRow.isVisible()).toBe(false);
    expect(await page.locator('#filter-status').textContent()).toBe(`Showing ${summary.total - summary.high} of ${summary.total} findings`);

    await page.locator('input[data-filter="severity"][value="critical"]').click();
    expect(await visible(page, 'tr[data-severity]')).toBe(summary.total - summary.high - summary.critical);
    // A category left with no visible finding disappears with its heading.
    expect(await page.locator('section.category[data-category="exposure"]').isVisible()).toBe(false);

    // On paper every finding is shown and the controls are not.
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('#filters').isVisible()).toBe(false);
    expect(await visible(page, 'tr[data-severity]')).toBe(summary.total);
    expect(await page.locator('svg.attack-path-narrow').first().isVisible()).toBe(true);
    if (keepPictures) await page.pdf({ path: path.join(ARTIFACTS, 'html-report-demo.pdf'), format: 'A4' });
    await page.emulateMedia({ media: 'screen' });

    await page.locator('#filter-reset').click();
    expect(await visible(page, 'tr[data-severity]')).toBe(summary.total);

    // The demo opens the first steps of the attack path.
    const wide = page.locator('svg.attack-path-wide');
    expect(await wide.locator('[data-step="entry"]').getAttribute('data-state')).toBe('open');
    expect(await wide.locator('[data-step="workloads"]').getAttribute('data-state')).toBe('open');

    if (keepPictures) await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-demo.png'), fullPage: true });
    await expectQuietAndInert(opened);
    await page.close();
  });

  it('renders a live two-cluster scan with one attack path each and filters by context', async () => {
    const report = path.join(ARTIFACTS, 'html-report-live.html');
    writeFileSync(report, htmlReport(liveTwoClusters(), context));
    const opened = await open(report);
    const { page } = opened;
    await expect.poll(() => page.locator('#filters').isVisible()).toBe(true);

    const states = async (ctx: string): Promise<string[]> =>
      page
        .locator(`[data-context-view="${ctx}"] svg.attack-path-wide g[data-state]`)
        .evaluateAll((nodes) => nodes.map((n) => `${n.getAttribute('data-step')}:${n.getAttribute('data-state')}`));
    expect(await states('prod-eu')).toEqual([
      'entry:open', 'gateway:open', 'dashboard:open', 'auth:open', 'workloads:open', 'detection:open', 'alerting:clear',
    ]);
    expect(await states('staging')).toEqual([
      'entry:clear', 'gateway:clear', 'dashboard:clear', 'auth:unknown', 'workloads:open', 'detection:clear', 'alerting:clear',
    ]);
    expect(await page.locator('[data-count="total"]').textContent()).toBe('8');
    expect(await visible(page, 'tr[data-context="prod-eu"]')).toBe(6);
    expect(await visible(page, 'tr[data-context="staging"]')).toBe(2);

    await page.locator('input[data-filter="context"][value="prod-eu"]').click();
    expect(await visible(page, 'tr[data-context="prod-eu"]')).toBe(0);
    expect(await visible(page, 'tr[data-context="staging"]')).toBe(2);
    expect(await page.locator('div.path-block[data-context-view="prod-eu"]').isVisible()).toBe(false);
    expect(await page.locator('div.path-block[data-context-view="staging"]').isVisible()).toBe(true);
    expect(await page.locator('#filter-status').textContent()).toBe('Showing 2 of 8 findings');

    await page.locator('input[data-filter="context"][value="staging"]').click();
    expect(await page.locator('#filter-empty').isVisible()).toBe(true);
    await page.locator('#filter-reset').click();
    expect(await visible(page, 'tr[data-severity]')).toBe(8);

    if (keepPictures) await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-live.png'), fullPage: true });
    await expectQuietAndInert(opened);
    await page.close();
  });

  it('a customer report: hostile engagement as text, every in-page link resolves, the plan leads to its findings, and a multi-page PDF', async () => {
    const title = `Q3 ${HOSTILE.script}`;
    const report = path.join(ARTIFACTS, 'html-report-customer.html');
    const pdf = path.join(ARTIFACTS, 'html-report-customer.pdf');
    const run = await runCli(
      ['scan', 'fixtures/demo', '-f', 'html', '-o', report, '--report', `pdf=${pdf}`, '--fail-on', 'none', '--no-config', '--title', title, '--customer', HOSTILE.attribute, '--assessor', HOSTILE.image],
      { env: { SOURCE_DATE_EPOCH: '1773480413' } },
    );
    expect(run.stderr).toBe(`kfscan: wrote the HTML report to ${report}\nkfscan: wrote the PDF report to ${pdf}\n`);
    expect(run.code).toBe(0);

    const opened = await open(report);
    const { page } = opened;
    expect(await page.locator('h1').textContent()).toBe(title);
    expect(await page.locator('.cover-meta dd').allTextContents()).toEqual(expect.arrayContaining([HOSTILE.attribute, HOSTILE.image]));
    for (const heading of ['Executive summary', 'Remediation plan', 'Provenance', 'Check documentation']) {
      expect(await page.locator('h2', { hasText: heading }).isVisible(), heading).toBe(true);
    }
    const hrefs = await page.locator('a[href]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
    const ids = new Set(await page.locator('[id]').evaluateAll((elements) => elements.map((e) => e.getAttribute('id') ?? '')));
    expect(hrefs.filter((href) => href.startsWith('#') && !ids.has(decodeURIComponent(href.slice(1))))).toEqual([]);
    const external = hrefs.filter((href) => !href.startsWith('#'));
    for (const href of external) expect(href).toMatch(/^https:\/\/microsoft\.github\.io\/Threat-Matrix-for-Kubernetes\//);

    // A finding id in the plan leads to its row.
    const link = page.locator('#remediation-plan a.badge-link').first();
    const id = (await link.textContent())!;
    await link.click();
    expect(page.url().endsWith(`#${id}`)).toBe(true);
    const row = page.locator(`tr[id="${id}"]`);
    expect(await row.isVisible()).toBe(true);
    const box = (await row.boundingBox())!;
    expect(box.y).toBeGreaterThanOrEqual(-1);
    expect(box.y).toBeLessThan(900);
    expect(await page.locator(`tr[id="${id}"] + tr.excerpt-row figure.excerpt`).count()).toBe(1);

    // Filtering hides a finding's excerpt with it.
    await page.locator('input[data-filter="severity"][value="critical"]').click();
    expect(await visible(page, 'tr.excerpt-row')).toBeLessThan(await page.locator('tr.excerpt-row').count());
    await page.locator('#filter-reset').click();

    // On paper each section starts a page, and the cover and contents have their own.
    await page.emulateMedia({ media: 'print' });
    type Styles = { getComputedStyle(element: unknown): { breakBefore: string; breakAfter: string } };
    const breaks = await page.locator('main > section').evaluateAll((sections) => sections.map((section) => (globalThis as unknown as Styles).getComputedStyle(section).breakBefore));
    expect(new Set(breaks)).toEqual(new Set(['page']));
    expect(await page.locator('.contents').evaluate((contents) => (globalThis as unknown as Styles).getComputedStyle(contents).breakAfter)).toBe('page');
    await page.emulateMedia({ media: 'screen' });
    if (keepPictures) await page.screenshot({ path: path.join(ARTIFACTS, 'html-report-customer.png'), fullPage: false });
    await expectQuietAndInert(opened);
    await page.close();

    const pages = pdfPageCount(readFileSync(pdf));
    expect(pages).toBeGreaterThan(breaks.length);
  });

  it('keeps hostile context names inert in the attributes the filter script reads', async () => {
    const name = `${HOSTILE.attribute}${HOSTILE.script}`;
    const report = path.join(tmp, 'hostile-context.html');
    writeFileSync(report, htmlReport(liveTwoClusters(name), context));
    const opened = await open(report);
    const { page } = opened;
    await expect.poll(() => page.locator('#filters').isVisible()).toBe(true);
    const boxes = page.locator('input[data-filter="context"]');
    expect(await boxes.evaluateAll((inputs) => inputs.map((i) => (i as { value: string }).value))).toEqual(['prod-eu', name]);
    await boxes.last().click();
    expect(await visible(page, 'tr[data-severity]')).toBe(6);
    expect(await page.locator('h3', { hasText: `Cluster context ${name}` }).count()).toBe(1);
    await expectQuietAndInert(opened);
    await page.close();
  });
});
