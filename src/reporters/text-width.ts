import { eastAsianWidth } from 'get-east-asian-width';

export const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Combining marks, zero-width joiners, variation selectors, controls: nothing of their own on screen.
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}]$/u;

/**
 * Columns a terminal gives the text: one per printable ASCII character, two per East Asian wide or fullwidth
 * character (and emoji), none for combining marks and invisible characters. string-width also joins
 * grapheme clusters (so an emoji ZWJ sequence counts once rather than per part), but building its
 * Intl.Segmenter cost a tenth of a short scan's start; table cells are names and messages, nearly always
 * ASCII, where both agree.
 */
export function textWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const character of text) {
    if (!ZERO_WIDTH.test(character)) width += eastAsianWidth(character.codePointAt(0)!);
  }
  return width;
}
