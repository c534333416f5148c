/**
 * Redis's glob matcher (util.c stringmatchlen), used by KEYS, SCAN MATCH and, through the
 * same function, anything else that takes a Redis pattern (PSUBSCRIBE, CONFIG GET, HSCAN...).
 *
 * Patterns and subjects are latin1 strings (one char per byte). The grammar is Redis's, quirks
 * included, because users' patterns must select exactly the keys redis-server would:
 *
 * - `*` any run of bytes, `?` any one byte, `\x` the byte x (a trailing `\` is a literal `\`).
 * - `[...]` a set; `[^...]` its complement (only `^`: `!` is an ordinary member). Inside, `\x`
 *   is the byte x, `a-z` a range whose ends may come in either order, and `]` right after `[`
 *   closes an empty set. A range is taken greedily, so in `[a-]` the range is `a` to `]`.
 *   An unterminated set runs to the end of the pattern.
 * - Range bounds compare bytes as C's signed `char`: a byte >= 0x80 sorts below `\0`, so
 *   `[a-\xff]` means bytes 0xff and 0x00..0x61, as on x86 Linux builds of Redis.
 * - The empty string matches only the empty pattern (Redis's loop never runs, so even `*`
 *   fails); KEYS * and SCAN MATCH * still list the empty key because they skip matching.
 *
 * Redis matches `*` by recursion. Here a single backtrack point (the latest `*`) is enough:
 * every other token consumes exactly one byte, so retrying an earlier `*` can never succeed
 * where the latest one failed. That makes the match O(pattern * subject) with no recursion,
 * so a pattern of thousands of `*` cannot overflow the stack.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  const patternLength = pattern.length;
  const subjectLength = subject.length;
  if (subjectLength === 0) return patternLength === 0;
  let p = 0;
  let s = 0;
  let starPattern = -1;
  let starSubject = 0;
  while (s < subjectLength) {
    if (p < patternLength) {
      const token = pattern.charCodeAt(p);
      if (token === STAR) {
        while (p + 1 < patternLength && pattern.charCodeAt(p + 1) === STAR) p++;
        // A trailing `*` swallows whatever is left (Redis returns at once here).
        if (p === patternLength - 1) return true;
        starPattern = p;
        starSubject = s;
        p++;
        continue;
      }
      const next = matchToken(pattern, p, subject.charCodeAt(s), nocase);
      if (next >= 0) {
        p = next;
        s++;
        continue;
      }
    }
    if (starPattern < 0) return false;
    // Let the latest `*` absorb one more byte; it never absorbs the last one (see above).
    starSubject++;
    if (starSubject >= subjectLength) return false;
    s = starSubject;
    p = starPattern + 1;
  }
  while (p < patternLength && pattern.charCodeAt(p) === STAR) p++;
  return p === patternLength;
}

/** True when the pattern has no special characters, so it can only match itself. */
export function isLiteralPattern(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    if (c === STAR || c === QUESTION || c === OPEN || c === BACKSLASH) return false;
  }
  return true;
}

const STAR = 0x2a;
const QUESTION = 0x3f;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const BACKSLASH = 0x5c;
const CARET = 0x5e;
const DASH = 0x2d;

/**
 * Matches the non-`*` token at `p` against one subject byte. Returns the index after the
 * token, or -1 when the byte does not match.
 */
function matchToken(pattern: string, p: number, byte: number, nocase: boolean): number {
  const length = pattern.length;
  const token = pattern.charCodeAt(p);
  if (token === QUESTION) return p + 1;
  if (token === OPEN) return matchSet(pattern, p + 1, byte, nocase);
  let literal = token;
  if (token === BACKSLASH && p + 1 < length) literal = pattern.charCodeAt(++p);
  return sameByte(literal, byte, nocase) ? p + 1 : -1;
}

/** `p` is just past the `[`; follows Redis's scan of the set byte for byte. */
function matchSet(pattern: string, p: number, byte: number, nocase: boolean): number {
  const length = pattern.length;
  const negated = p < length && pattern.charCodeAt(p) === CARET;
  if (negated) p++;
  let matched = false;
  for (;;) {
    if (p >= length) break; // unterminated: the set ran to the end of the pattern
    const c = pattern.charCodeAt(p);
    if (c === BACKSLASH && length - p >= 2) {
      p++;
      if (pattern.charCodeAt(p) === byte) matched = true;
    } else if (c === CLOSE) {
      p++;
      break;
    } else if (length - p >= 3 && pattern.charCodeAt(p + 1) === DASH) {
      let start = signedByte(c);
      let end = signedByte(pattern.charCodeAt(p + 2));
      let subject = signedByte(byte);
      if (start > end) [start, end] = [end, start];
      if (nocase) {
        start = lowerAscii(start);
        end = lowerAscii(end);
        subject = lowerAscii(subject);
      }
      if (subject >= start && subject <= end) matched = true;
      p += 2;
    } else if (sameByte(c, byte, nocase)) {
      matched = true;
    }
    p++;
  }
  return matched !== negated ? p : -1;
}

function sameByte(a: number, b: number, nocase: boolean): boolean {
  return a === b || (nocase && lowerAscii(a) === lowerAscii(b));
}

/** C's tolower in the "C" locale, which Redis runs in for character classes. */
function lowerAscii(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

function signedByte(c: number): number {
  return c >= 0x80 ? c - 0x100 : c;
}
