/**
 * Well-formed Unicode: text with no lone surrogate (half of a UTF-16 pair).
 * JSON can carry one (`"\ud800"`), but it cannot be stored as UTF-8: SQLite
 * would turn it into U+FFFD and the text would silently change. Every text a
 * client sends is checked with this one rule (see `text()` in
 * server/contract.ts) and refused when it fails.
 */

/** In a `u` regex a lone surrogate is a code point of category Cs; a proper pair is one astral code point. */
const LONE_SURROGATE = /\p{Cs}/u;

export const NOT_WELL_FORMED = "not well-formed Unicode (a lone surrogate)";

export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** Length in code points, so an emoji counts once (as MAX_BODY does). */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
