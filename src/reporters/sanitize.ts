// Resource names, images and annotations come from manifests an attacker may have written. A name like
// "\u001b[2J" must not clear a consultant's screen, bidi controls must not reorder what they read, an
// invisible character must not hide text, and a line like "::add-mask::" or "##vso[...]" must not become
// a command of the CI runner that reads kfscan's output (GitHub Actions, Azure Pipelines, TeamCity).

// Controls (C0, C1, DEL), format characters (bidi marks, overrides and isolates, U+061C, zero-width
// characters, the soft hyphen, tag characters), line and paragraph separators, and every other default
// ignorable code point: what a terminal acts on, what hides or reorders text, and what .NET's
// culture-aware string search (which the runners use) skips over when it looks for a command.
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;

// Runner commands: `##[` (GitHub's old form), `##vso[` (Azure Pipelines), `##teamcity[`, anywhere in a
// line; `::name::` (GitHub) at the start of a line, also after white space, and after any white space,
// since a wrapped table cell or a joined line may start there.
const RUNNER_PREFIX = /##([a-z]*)\[/gi;
const RUNNER_LINE_COMMAND = /(^|\s)::/g;

// Escapes by character: text of a million bidi overrides needs one string per kind of character, not per character.
const ESCAPES = new Map<string, string>();

function codePointEscape(char: string): string {
  const known = ESCAPES.get(char);
  if (known !== undefined) return known;
  const escaped = escapeOf(char);
  if (ESCAPES.size < 4096) ESCAPES.set(char, escaped);
  return escaped;
}

function escapeOf(char: string): string {
  const code = char.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/**
 * Makes text safe for a terminal, a CI log or Markdown: control, format and invisible characters are
 * shown as `\xNN`/`\uNNNN` escapes (a newline or tab as a space), and runner commands are broken with a
 * visible backslash (`##\[error]`, `:\:add-mask::`).
 */
export function terminalSafe(text: string): string {
  const visible = text.replace(UNSAFE, (char) => (char === '\n' || char === '\t' ? ' ' : codePointEscape(char)));
  return neutraliseRunnerCommands(visible);
}

/**
 * Breaks CI runner commands in text that has no control characters left (`terminalSafe` output, or
 * text kfscan wrote itself): idempotent, and the text stays readable.
 */
export function neutraliseRunnerCommands(text: string): string {
  return text.replace(RUNNER_PREFIX, (_match, name: string) => `##${name}\\[`).replace(RUNNER_LINE_COMMAND, '$1:\\:');
}

// JSON.stringify escapes only C0 controls; C1 controls (U+009B is a one-byte CSI), DEL, format and
// invisible characters and the line separators pass raw. In JSON they can only sit inside a string
// literal, where `\uNNNN` keeps the value the same for a parser while nothing reaches a terminal raw.
// (The line breaks of the layout are the only raw controls `JSON.stringify` writes: kept.)
const JSON_UNSAFE = /(?!\n)[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/gu;
// `##` before `[` (or a runner's name and `[`) can only sit inside a string literal too: `#\u0023[` is
// the same string for a parser, and no runner command for a log.
const JSON_RUNNER_PREFIX = /##(?=[a-z]*\[)/gi;

function jsonEscape(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${char.charCodeAt(i).toString(16).padStart(4, '0')}`;
  return out;
}

/** JSON (or SARIF) as `JSON.stringify` writes it, with every character a terminal or a CI runner would act on escaped. */
export function terminalSafeJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, jsonEscape).replace(JSON_RUNNER_PREFIX, '#\\u0023');
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
  const fence = '`'.repeat(longestBacktickRun(safe) + 1);
  // A space on both sides is stripped by the renderer; it is needed when the text itself starts or ends
  // with a backtick, or starts and ends with a space.
  const pad = /^`|`$/.test(safe) || (/^ /.test(safe) && / $/.test(safe)) || safe.trim() === '' ? ' ' : '';
  return `${fence}${pad}${safe}${pad}${fence}`;
}

function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    run = text.charCodeAt(i) === 0x60 ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** Text from check metadata for Markdown, also in table cells: characters with Markdown meaning are escaped. */
export function markdownText(text: string): string {
  return terminalSafe(text).replace(/[\\`*_{}[\]<>#+!~&|]/g, (char) => `\\${char}`);
}

/** A link for Markdown; URLs come from check metadata (plugins too), so only plain http(s) ones link. */
export function markdownLink(text: string, url: string): string {
  return /^https?:\/\/[^\s<>()[\]`]+$/.test(url) ? `[${text}](${url})` : text;
}
