// The documentation a user can find things in: README.md short (at most 8,000 bytes) with the rest under
// docs/; every relative link and anchor in the project's Markdown resolves; the reference pages that mirror
// code (CLI flags from the commander program, the check list from the registry) are what `npm run docs`
// generates from it; no page sends readers to a project site that does not exist.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { describe, expect, it } from 'vitest';
import { builtinChecks } from '../checks/index.js';
import { buildProgram } from '../src/cli/main.js';
import { generatedPages } from '../scripts/docs.mjs';
import { TARGET_FORMAT_INFO } from '../src/cli/reports.js';
import { CONFIG_SCHEMA } from '../src/config/schema.js';
import { ROOT } from './helpers/cli.js';

/** The Markdown users read: the top-level pages, docs/, and each check's page. */
function markdownFiles(): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(path.join(ROOT, dir)).flatMap((name) => {
      const relative = `${dir}/${name}`;
      return statSync(path.join(ROOT, relative)).isDirectory() ? walk(relative) : name.endsWith('.md') ? [relative] : [];
    });
  const checks = readdirSync(path.join(ROOT, 'checks'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => `checks/${e.name}/README.md`);
  return ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'SECURITY.md', 'CHANGELOG.md', ...walk('docs'), ...checks].filter((file) => existsSync(path.join(ROOT, file)));
}

const html = (markdown: string): string => micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: true });

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to `-`, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const match of html(markdown).matchAll(/<h[1-6]>([\s\S]*?)<\/h[1-6]>/g)) {
    const text = match[1]!.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'");
    const base = text.trim().toLowerCase().replace(/[^\p{L}\p{N}\p{M} _-]/gu, '').replace(/ /g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    out.add(count === 0 ? base : `${base}-${count}`);
  }
  for (const match of markdown.matchAll(/<a (?:name|id)="([^"]+)"/g)) out.add(match[1]!);
  return out;
}

describe('documentation', () => {
  it('keeps README.md at most 8,000 bytes, with the two quick-start commands', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(8000);
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('npm test');
  });

  it('resolves every relative link and anchor', () => {
    const broken: string[] = [];
    const cache = new Map<string, Set<string>>();
    const anchorsOf = (file: string): Set<string> => {
      if (!cache.has(file)) cache.set(file, anchors(readFileSync(path.join(ROOT, file), 'utf8')));
      return cache.get(file)!;
    };
    for (const file of markdownFiles()) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const match of html(text).matchAll(/<a href="([^"]*)"/g)) {
        const href = match[1]!.replace(/&amp;/g, '&');
        if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue;
        const [target, anchor] = href.split('#') as [string, string | undefined];
        const resolved = target === '' ? file : path.posix.normalize(path.posix.join(path.posix.dirname(file), decodeURIComponent(target)));
        if (!existsSync(path.join(ROOT, resolved))) {
          broken.push(`${file}: ${href} (no ${resolved})`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchorsOf(resolved).has(decodeURIComponent(anchor))) broken.push(`${file}: ${href} (no heading #${anchor} in ${resolved})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('sends no reader to a project site that does not exist', () => {
    for (const file of markdownFiles().filter((f) => f !== 'CHANGELOG.md')) {
      expect(readFileSync(path.join(ROOT, file), 'utf8'), file).not.toMatch(/github\.com\/kfscan\/kfscan|raw\.githubusercontent\.com\/kfscan/);
    }
  });

  it('has reference pages that are what `npm run docs` generates from the code', () => {
    const program = buildProgram({ checks: builtinChecks, io: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: ROOT, env: {} } }, () => {});
    const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
    const pages = generatedPages({ program, metas: builtinChecks.map((check) => check.meta), formats: TARGET_FORMAT_INFO, configSchema: CONFIG_SCHEMA, read });
    expect(Object.keys(pages).sort()).toEqual(['docs/reference/checks.md', 'docs/reference/cli.md', 'docs/reference/configuration.md', 'docs/reference/output-formats.md']);
    for (const [file, text] of Object.entries(pages)) expect(read(file), `${file}: run \`npm run docs\``).toBe(text);
  });

  it('lists in the generated reference every flag, format, configuration key and check the code has', () => {
    const read = (file: string): string => readFileSync(path.join(ROOT, file), 'utf8');
    const cli = read('docs/reference/cli.md');
    for (const flag of ['--untrusted', '--probe-allow-local', '--no-exec-credentials', '--title', '--customer', '--assessor', '--compare', '--wide', '--report <format=file>']) expect(cli).toContain(flag);
    expect(cli).toContain('## kfscan diff');
    const formats = read('docs/reference/output-formats.md');
    for (const format of Object.keys(TARGET_FORMAT_INFO)) expect(formats).toContain(`| \`${format}\` |`);
    const configuration = read('docs/reference/configuration.md');
    for (const key of [...Object.keys(CONFIG_SCHEMA.properties), 'render.charts.<key>.values', 'ignore[].expires', 'report.assessor']) expect(configuration).toContain(`| \`${key}\` |`);
    const checks = read('docs/reference/checks.md');
    for (const check of builtinChecks) expect(checks).toContain(`## ${check.meta.id}`);
  });
});
