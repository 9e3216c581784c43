import { re2js } from './re2.js';

/**
 * A whole-text matcher for a regular expression built from manifest text (globs, wildcards, path
 * templates), or `null` when it does not compile. It runs on RE2, in time linear in the text: JavaScript's
 * backtracking engine takes minutes on `^(.*a){12}b$` against 40 characters, so a hostile Falco config or
 * AuthorizationPolicy could otherwise hang the scan.
 */
export function linearMatcher(source: string): ((text: string) => boolean) | null {
  try {
    const regex = re2js().RE2JS.compile(source);
    return (text) => regex.matches(text);
  } catch {
    return null;
  }
}
