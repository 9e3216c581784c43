// Every string in the report may come from a manifest an attacker wrote (a resource name, a file path, a
// kube context name). Markup is therefore built only through the `html` tag below, which escapes every
// interpolated value unless it is already markup made by this tag; there is no other way to concatenate
// text into the page.
import { terminalSafe } from '../sanitize.js';

/** Markup produced by the `html` tag (or `trusted` for constants): safe to insert as is. */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Interpolation = Markup | string | number | null | undefined | false | readonly Interpolation[];

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Escapes text for HTML element content and double-quoted attribute values (also inside inline SVG).
 * Control characters and bidi overrides are shown as `\xNN` escapes, as in the table, so a name cannot
 * hide or reorder what the reader sees.
 */
export function escapeHtml(text: string): string {
  return terminalSafe(text).replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

/** Tagged template: `html\`<td>${name}</td>\`` escapes `name`; nested `html` results and arrays are kept. */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Markup {
  let out = strings[0]!;
  values.forEach((value, index) => {
    out += render(value) + strings[index + 1]!;
  });
  return new Markup(out);
}

function render(value: Interpolation): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof Markup) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** Markup written by kfscan itself (the stylesheet, the script): never pass text from a result here. */
export function trusted(value: string): Markup {
  return new Markup(value);
}

/**
 * A docs link target, or `null` when it is not plain http(s): `docsUrl` comes from check metadata, which a
 * plugin supplies, and a `javascript:` URL must not become a link.
 */
export function safeHref(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** Remediation text uses Markdown backticks for commands; show those as code, everything else as text. */
export function inlineCode(text: string): Markup {
  const parts = text.split('`');
  // An odd number of backticks leaves one unmatched: keep the text as written rather than guess.
  if (parts.length % 2 === 0) return html`${text}`;
  return html`${parts.map((part, index) => (index % 2 === 1 ? html`<code>${part}</code>` : html`${part}`))}`;
}

/**
 * Paths and object names break after `/` and `_` (browsers already break after `-`) rather than in the
 * middle of a word when a table column is narrow.
 */
export function breakable(text: string): Markup {
  return html`${text.split(/(?<=[/_])/).map((part, index) => (index === 0 ? html`${part}` : html`<wbr>${part}`))}`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
