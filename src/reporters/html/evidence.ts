import type { Finding } from '../../core/types.js';
import { html, trusted, type Markup } from './markup.js';

// Interpolated text has its line breaks shown as spaces (markup.ts); the excerpt's own come from here.
const NEWLINE = trusted('\n');

/** The finding's excerpt: numbered source lines around the field, or the live object's fields, as the engine cut and redacted them. */
export function excerptBlock(finding: Finding): Markup | string {
  const excerpt = finding.excerpt;
  if (!excerpt || excerpt.lines.length === 0) return '';
  const width = String(Math.max(...excerpt.lines.map((l) => l.line))).length;
  const lines = excerpt.lines.map(
    (l) => html`<span class="${l.line === excerpt.highlight ? 'excerpt-line flagged' : 'excerpt-line'}"><span class="ln">${String(l.line).padStart(width, ' ')}</span> ${l.text}</span>`,
  );
  const caption = excerpt.kind === 'source' ? (excerpt.file ?? 'source') : `the object as the API server returned it${finding.context ? ` (${finding.context})` : ''}, relevant fields only`;
  return html`<figure class="excerpt" data-excerpt="${excerpt.kind}"><figcaption class="wrap-any">${caption}</figcaption><pre>${lines.map((line, i) => html`${i ? NEWLINE : ''}${line}`)}</pre></figure>`;
}
