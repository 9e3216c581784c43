// `--report pdf=FILE`: the HTML report printed by a headless Chromium through playwright-core. Both are
// optional: playwright-core is an optional peer dependency (most runs never print, and CI installs stay
// small), loaded only here, and the browser is the user's (chromium.ts). The page is printed with scripts
// off and every request refused: the HTML report loads nothing anyway, and a PDF needs no filter controls.
import { escapeHtml } from '../reporters/html/markup.js';
import { HOW_TO_GET_CHROMIUM, PdfError, findChromium } from './chromium.js';

export { PdfError } from './chromium.js';

const PLAYWRIGHT = 'playwright-core@^1.65.1';
const TIMEOUT_MS = 120_000;

export interface PrintOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Shown in each page's footer with the page number. */
  title: string | null;
}

export async function printPdf(page: string, { env, title }: PrintOptions): Promise<Buffer> {
  const playwright = await loadPlaywright();
  const browserSource = await findChromium(env);
  let browser: import('playwright-core').Browser;
  try {
    browser = await playwright.chromium.launch({ executablePath: browserSource.executable, args: browserSource.args, headless: true, timeout: TIMEOUT_MS });
  } catch (error) {
    throw new PdfError(`could not start the browser ${browserSource.origin} to print the PDF report: ${firstLine(error)}; ${HOW_TO_GET_CHROMIUM}`);
  }
  try {
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const tab = await context.newPage();
    tab.setDefaultTimeout(TIMEOUT_MS);
    await tab.route('**/*', (route) => route.abort());
    await tab.setContent(page, { waitUntil: 'load' });
    return await tab.pdf({
      format: 'A4',
      printBackground: true,
      preferCSSPageSize: true,
      outline: true,
      tagged: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: `<div style="width:100%;font-size:8px;color:#555;text-align:center;font-family:sans-serif">${title ? `${escapeHtml(title)} &middot; ` : ''}page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
    });
  } catch (error) {
    if (error instanceof PdfError) throw error;
    throw new PdfError(`cannot print the PDF report: ${firstLine(error)}`);
  } finally {
    await browser.close();
  }
}

async function loadPlaywright(): Promise<typeof import('playwright-core')> {
  try {
    return await import('playwright-core');
  } catch {
    throw new PdfError(
      `--report pdf needs the package playwright-core, which kfscan does not install by itself: install ${PLAYWRIGHT} where kfscan is installed (npm install --global ${PLAYWRIGHT} for a global kfscan), and a browser: ${HOW_TO_GET_CHROMIUM}. Or write --report html=FILE and print it from a browser.`,
    );
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.trim();
}
