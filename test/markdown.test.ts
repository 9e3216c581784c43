import path from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import type { Finding, ScanResult } from '../src/core/types.js';
import { scanManifests } from '../src/engine/scan.js';
import { MAX_ROWS, markdownReport } from '../src/reporters/markdown.js';
import { markdownCode, markdownLink } from '../src/reporters/sanitize.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const context = { version: '0.0.0-test', color: false, width: 120 };

async function demoResult(): Promise<ScanResult> {
  return (await scanManifests(['fixtures/demo'], { cwd: ROOT, checks: builtinChecks })).result;
}

/** As GitHub would render it (GFM), with raw HTML let through so that any that leaks shows up. */
function render(markdown: string): string {
  return micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });
}

const EVIL = [
  '<img src=x onerror=alert(1)>',
  '[click me](https://evil.example/phish)',
  'https://evil.example/autolink www.evil.example',
  '@octocat #1 **bold** <script>alert(1)</script>',
  'pipe | in ``code` and \\ back\u001b[2Jslash',
].join(' ');

describe('markdown report', () => {
  it('matches the golden file for the demo', async () => {
    await expect(markdownReport(await demoResult(), context)).toMatchFileSnapshot('golden/demo.md');
  });

  it('keeps manifest text inert: no link, image, HTML or extra cell can come out of it', async () => {
    const result = await demoResult();
    const evil: Finding = {
      ...result.findings[0]!,
      resource: { apiVersion: 'v1', kind: 'Service', namespace: EVIL, name: EVIL },
      location: { file: `${EVIL}.yaml`, line: 1, column: 1 },
      message: EVIL,
    };
    const html = render(markdownReport({ ...result, findings: [evil] }, context));
    expect(html).not.toMatch(/<img|<script|evil\.example\/phish"|href="https:\/\/evil|href="http:\/\/www\.evil|<strong>bold/);
    // Links are only the check's documentation (in the table and under "How to fix").
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs).toEqual([evil.docsUrl, evil.docsUrl]);
    // One header row and one finding row, each with exactly six cells.
    const rows = [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => (m[1]!.match(/<t[dh]>/g) ?? []).length);
    expect(rows).toEqual([6, 6]);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('\\x1b[2J');
  });

  it('shows the most severe findings and says how many more there are', async () => {
    const result = await demoResult();
    const many = Array.from({ length: MAX_ROWS + 7 }, (_, i) => ({ ...result.findings[0]!, message: `finding ${i}` }));
    const text = markdownReport({ ...result, findings: many }, context);
    expect(text.match(/^\| `KF-[0-9a-f]+` \| critical \|/gm)).toHaveLength(MAX_ROWS);
    expect(text).toContain(`…and 7 more findings; the JSON and SARIF reports list all of them.`);
  });

  it('counts suppressed findings and lists them on request', async () => {
    const result = await demoResult();
    const [first, ...rest] = result.findings;
    const suppressed = [
      {
        ...first!,
        suppression: {
          kind: 'external' as const,
          via: 'config' as const,
          justification: 'behind the VPN',
          location: { file: '.kfscan.yaml', line: 3, column: 5 },
          resource: null,
          expires: '2031-01-31',
        },
      },
    ];
    const withSuppressed = { ...result, findings: rest, suppressed };
    expect(markdownReport(withSuppressed, context)).toContain('1 suppressed (--show-suppressed lists them).');
    const listed = markdownReport(withSuppressed, { ...context, showSuppressed: true });
    expect(listed).toContain('<details><summary>1 suppressed finding</summary>');
    expect(listed).toContain('`.kfscan.yaml:3: behind the VPN, until 2031-01-31`');
  });
});

describe('markdownCode', () => {
  it.each([
    ['plain', '`plain`'],
    ['a `tick`', '`` a `tick` ``'],
    ['`', '`` ` ``'],
    ['a | b', '`a | b`'],
  ])('%j', (text, expected) => {
    expect(markdownCode(text)).toBe(expected);
  });

  it('escapes pipes in table cells', () => {
    expect(markdownCode('a | b', { inTable: true })).toBe('`a \\| b`');
  });
});

describe('markdownLink', () => {
  it('links plain http(s) URLs only', () => {
    expect(markdownLink('docs', 'https://example.com/a.md')).toBe('[docs](https://example.com/a.md)');
    expect(markdownLink('docs', 'javascript:alert(1)')).toBe('docs');
    expect(markdownLink('docs', 'https://example.com/a) [x](https://evil.example')).toBe('docs');
  });
});
