import { append } from '../core/arrays.js';
import { PRINTABLE_ASCII, textWidth } from './text-width.js';

/**
 * Lines of at most `width` display columns: breaks at spaces, and words longer than a line after a `/`,
 * then a `-`, `_` or `,`, then a `.`, then a `:` past the first third of the line (paths, object names and
 * URLs stay readable; `file.yaml:12` keeps its line number), else at the width. Wide characters count two
 * columns. Linear in the text, however long a word.
 */
export function wrapText(text: string, width: number): string[] {
  const limit = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const word of text.split(' ')) {
    const size = textWidth(word);
    if (line !== '' && used + 1 + size <= limit) {
      line += ` ${word}`;
      used += 1 + size;
      continue;
    }
    if (line !== '') lines.push(line);
    const pieces = size > limit ? breakWord(word, limit) : [word];
    append(lines, pieces.slice(0, -1));
    line = pieces.at(-1)!;
    used = textWidth(line);
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

/** A paragraph with a first-line prefix and a hanging indent for the lines after it. */
export function wrapParagraph(text: string, width: number, first: string, rest = ' '.repeat(textWidth(first))): string[] {
  const indent = textWidth(first);
  return wrapText(text, width - indent).map((line, index) => `${index === 0 ? first : rest}${line}`);
}

const SEPARATOR_CLASSES = ['/', '-_,', '.', ':'];

/** A word cut into pieces of at most `limit` columns, each ending after the best separator it holds. */
function breakWord(word: string, limit: number): string[] {
  // Printable ASCII (nearly every name and path) is one column a character: cut the string itself, without
  // an array and a width per character, which for a word of a megabyte cost more in memory than in work.
  const ascii = PRINTABLE_ASCII.test(word);
  const split = ascii ? null : [...word];
  const characters: string | readonly string[] = split ?? word;
  const widths = split === null ? null : split.map((character) => textWidth(character));
  const widthAt = (index: number): number => (widths === null ? 1 : widths[index]!);
  const piece = (from: number, to: number): string => (typeof characters === 'string' ? characters.slice(from, to) : characters.slice(from, to).join(''));
  // Where the word's final run of digits starts: a `:` there is `file:line`'s, not a place to break.
  let digits = characters.length;
  while (digits > 0 && /\d/.test(characters[digits - 1]!)) digits--;
  const pieces: string[] = [];
  let start = 0;
  let remaining = widths === null ? characters.length : widths.reduce((sum, size) => sum + size, 0);
  while (remaining > limit) {
    let fits = 0;
    let used = 0;
    while (start + fits < characters.length && used + widthAt(start + fits) <= limit) used += widthAt(start + fits++);
    // A character wider than the whole line still has to go somewhere.
    if (fits === 0) fits = 1;
    let cut = fits;
    for (const separators of SEPARATOR_CLASSES) {
      const at = lastSeparator(characters, start, fits, separators, digits);
      if (at !== null) {
        cut = at;
        break;
      }
    }
    pieces.push(piece(start, start + cut));
    for (let i = start; i < start + cut; i++) remaining -= widthAt(i);
    start += cut;
  }
  pieces.push(piece(start, characters.length));
  return pieces;
}

/** Length of the piece if it ends after the last separator of the class past its first third, else `null`. */
function lastSeparator(characters: string | readonly string[], start: number, fits: number, separators: string, digits: number): number | null {
  for (let i = fits; i > fits / 3; i--) {
    const character = characters[start + i - 1]!;
    if (character === ':' && start + i === digits) continue;
    if (separators.includes(character)) return i;
  }
  return null;
}
