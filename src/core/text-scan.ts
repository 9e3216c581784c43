// Small text operations that regexes would do in quadratic time on hostile input (`/\/+$/` tries every
// slash of a long run as a start, `/a.*b/` scans to the end of the text from every `a`): written as
// loops that read each character once.

/** `text` without the characters of `chars` at its end (`trimEnd(url, '/')`). */
export function trimEnd(text: string, chars: string): string {
  let end = text.length;
  while (end > 0 && chars.includes(text[end - 1]!)) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** `text` without the characters of `chars` at either end (`trimBoth(name, '-.')`). */
export function trimBoth(text: string, chars: string): string {
  let start = 0;
  while (start < text.length && chars.includes(text[start]!)) start++;
  return trimEnd(text.slice(start), chars);
}

/**
 * Whether some match of `first` is followed, later on the same line, by `then`: what `/first.*then/`
 * asks, in one pass. Only the first match on each line needs looking at: a later one sees less of it.
 */
export function followedOnLine(text: string, first: RegExp, then: string): boolean {
  const pattern = new RegExp(first.source, first.flags.includes('g') ? first.flags : `${first.flags}g`);
  let match = pattern.exec(text);
  while (match !== null) {
    const end = match.index + match[0].length;
    const lineEnd = text.indexOf('\n', end);
    const stop = lineEnd === -1 ? text.length : lineEnd;
    const found = text.indexOf(then, end);
    if (found !== -1 && found + then.length <= stop) return true;
    if (lineEnd === -1) return false;
    pattern.lastIndex = lineEnd + 1;
    match = pattern.exec(text);
  }
  return false;
}
