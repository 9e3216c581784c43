// Resource names, images and annotations come from manifests an attacker may have written. A name like
// "\u001b[2J" must not clear a consultant's screen, and bidi overrides must not reorder what they read.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Makes text safe for a terminal or Markdown: control characters are shown as `\xNN` escapes. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => {
    if (char === '\n' || char === '\t') return ' ';
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

// JSON.stringify escapes only C0 controls; C1 controls (U+009B is a one-byte CSI), DEL, bidi overrides and
// the line separators pass raw. In a JSON string they can only sit inside a string literal.
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON (or SARIF) as `JSON.stringify` writes it, with every character a terminal would act on escaped. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Several lines of text for a terminal: each line made safe, the line breaks kept. */
export function terminalSafeLines(text: string): string {
  return text.split('\n').map(terminalSafe).join('\n');
}

/**
 * Markdown inline code that shows `text` verbatim. Manifest text goes into pull-request comments only
 * this way: inside a code span no link, image, HTML, mention or emphasis can come out of it. In a table
 * cell, pipes are escaped as GFM requires (`\|` is honoured inside code spans there).
 */
export function markdownCode(text: string, { inTable = false }: { inTable?: boolean } = {}): string {
  let safe = terminalSafe(text);
  if (inTable) safe = safe.replace(/\|/g, '\\|');
  if (safe === '') return '';
  const longestRun = Math.max(0, ...(safe.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  // A space on both sides is stripped by the renderer; it is needed when the text itself starts or ends
  // with a backtick, or starts and ends with a space.
  const pad = /^`|`$/.test(safe) || (/^ /.test(safe) && / $/.test(safe)) || safe.trim() === '' ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

/** Text from check metadata for Markdown, also in table cells: characters with Markdown meaning are escaped. */
export function markdownText(text: string): string {
  return terminalSafe(text).replace(/[\\`*_{}[\]<>#+!~&|]/g, (char) => `\\${char}`);
}

/** A link for Markdown; URLs come from check metadata (plugins too), so only plain http(s) ones link. */
export function markdownLink(text: string, url: string): string {
  return /^https?:\/\/[^\s<>()[\]`]+$/.test(url) ? `[${text}](${url})` : text;
}
