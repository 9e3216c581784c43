/**
 * The yaml library quotes the offending text in some of its messages: an alias name, a block scalar
 * header, an escape sequence, a tag, a stray token. In a Secret that text can be the secret value, and
 * kfscan prints these messages on stderr and in every report. Keep the library's wording, never the text
 * it quotes.
 */
const QUOTING: ReadonlyArray<[RegExp, string]> = [
  [/^(Unresolved alias \(the anchor must be set before the alias\)):[\s\S]*$/, '$1'],
  [/^(Block scalar header includes extra characters):[\s\S]*$/, '$1'],
  [/^Invalid escape sequence[\s\S]*$/, 'Invalid escape sequence in a double-quoted string'],
  [/^(Ordered maps must not include duplicate keys):[\s\S]*$/, '$1'],
  [/^(Not a valid tag|Could not resolve tag|Unresolved tag):[\s\S]*$/, '$1'],
  [/^The [\s\S]* tag has no suffix$/, 'A tag has no suffix'],
  [/^Verbatim tags aren't resolved, so [\s\S]* is invalid\.$/, "Verbatim tags aren't resolved"],
  [/^Unresolved plain scalar[\s\S]*$/, 'Unresolved plain scalar'],
  [/^(Not a YAML token): [\s\S]*$/, '$1'],
  [/^(Map items must all be pairs); found [\s\S]*$/, '$1'],
  // The lexer's own errors end in the token's source as JSON: `Unexpected scalar token in YAML stream: "..."`.
  [/^([^"]*?): "[\s\S]*$/, '$1'],
  [/^(Unsupported YAML version|Unknown directive) [\s\S]*$/, '$1'],
  [/^(Expected a flow scalar value, but found): [\s\S]*$/, '$1 something else'],
  // Indicators (`,` `:` `?` `-` and brackets) are safe to name; anything longer is source text.
  [/^Unexpected (?![,:?\-[\]{}]\s)[\s\S]+? in (flow map|flow sequence|flow collection|collection|[a-z ]+)$/, 'Unexpected text in $1'],
  [/^Anchors and tags must be after the (?![?:-]\s)[\s\S]+ indicator$/, 'Anchors and tags must be after the indicator'],
];

/** The first line of a YAML error message, without any text it quotes from the document. */
export function yamlErrorText(message: string): string {
  // The library's messages are short; one that quotes a long stretch of hostile source is cut before
  // the patterns below (some of which try every ` in `) look at it.
  const first = (message.split('\n')[0] ?? '').slice(0, 500).replace(/ at line \d+, column \d+:?$/, '').trim();
  for (const [pattern, replacement] of QUOTING) if (pattern.test(first)) return first.replace(pattern, replacement);
  return first;
}
