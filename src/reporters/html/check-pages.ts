// The check pages (checks/<id>/README.md) inside the report, so that "check documentation" works offline:
// Markdown rendered by micromark with GitHub's extensions, which escapes any HTML written in a page and
// drops dangerous link protocols. What micromark writes is then narrowed further: links go to another
// bundled page, or to an http(s) page upstream; images become their text (the report loads nothing), and
// headings move below the section's own.
import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { html, safeHref, trusted, type Markup } from './markup.js';

/** The anchor of a check's bundled page. */
export function checkPageAnchor(checkId: string): string {
  return `check-${checkId}`;
}

/**
 * A page as report markup. `bundled` says which checks have a page in this report, for links between pages
 * (`../other-check/README.md`).
 */
export function renderCheckPage(markdown: string, bundled: ReadonlySet<string>): Markup {
  const narrowed = markdownHtml(markdown)
    // The page's title is the section's heading already.
    .replace(/<h1>[\s\S]*?<\/h1>\n?/, '')
    .replace(/<(\/?)h([1-6])>/g, (_match, slash: string, level: string) => `<${slash}h${Math.min(6, Number(level) + 2)}>`)
    .replace(/<img src="[^"]*" alt="([^"]*)"(?: title="[^"]*")? \/>/g, (_match, alt: string) => `<span class="image-text">[${alt}]</span>`)
    .replace(/<a href="([^"]*)"((?: title="[^"]*")?)>([\s\S]*?)<\/a>/g, (_match, href: string, title: string, text: string) => link(decodeEntities(href), title, text, bundled));
  return trusted(narrowed);
}

// The same few pages go into every report a process writes (a server, a scan with several HTML and PDF
// reports); micromark is the costly part, and its output depends on the page alone.
const renderedPages = new Map<string, string>();
function markdownHtml(markdown: string): string {
  let rendered = renderedPages.get(markdown);
  if (rendered === undefined) {
    rendered = micromark(markdown, { extensions: [gfm()], htmlExtensions: [gfmHtml()], allowDangerousHtml: false, allowDangerousProtocol: false });
    // Plugin pages are text from outside: a process that renders many distinct ones does not keep them all.
    if (renderedPages.size < 256) renderedPages.set(markdown, rendered);
  }
  return rendered;
}

function link(href: string, title: string, text: string, bundled: ReadonlySet<string>): string {
  const sibling = /^\.\.\/([a-z0-9][a-z0-9-]*)\/(?:README\.md)?(?:#.*)?$/.exec(href);
  if (sibling && bundled.has(sibling[1]!)) return html`<a href="${`#${checkPageAnchor(sibling[1]!)}`}"`.value + `${title}>${text}</a>`;
  const external = /^https?:\/\//i.test(href) ? safeHref(href) : null;
  if (external) return html`<a href="${external}" rel="noopener noreferrer" target="_blank"`.value + `${title}>${text}</a>`;
  // Links into the repository (other docs, fixtures) and in-page anchors do not exist in a single file.
  return text;
}

/** micromark writes `&amp;` and `&quot;` in attributes; the URL is checked and written again by `html`. */
function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x27;/g, "'").replace(/&amp;/g, '&');
}
