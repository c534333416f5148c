import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { globMatch, isLiteralPattern } from "./glob-match.js";

/**
 * [pattern, keys KEYS returned] as recorded from redis-server 7.0.15 over one keyspace
 * (the "*" row lists that keyspace: KEYS * skips matching, so it includes the empty key).
 */
const redisTable = JSON.parse(readFileSync(new URL("./glob-match.redis-7.0.15.json", import.meta.url), "latin1")) as [string, string[]][];

describe("globMatch against redis-server 7.0.15's KEYS", () => {
  const universe = redisTable[0]![1];

  it.each(redisTable.slice(1).map(([pattern, expected]) => [JSON.stringify(pattern), pattern, expected] as const))(
    "pattern %s",
    (_name, pattern, expected) => {
      expect(universe.filter((key) => globMatch(pattern, key)).sort()).toEqual(expected);
    },
  );

  it("matches the empty subject only with the empty pattern (even * fails, as in stringmatchlen)", () => {
    expect(globMatch("*", "")).toBe(false);
    expect(globMatch("", "")).toBe(true);
    expect(globMatch("", "a")).toBe(false);
  });
});

describe("globMatch", () => {
  it.each([
    ["h?llo", "hello", true],
    ["h*llo", "hllo", true],
    ["h[ae]llo", "hillo", false],
    ["h[^e]llo", "hallo", true],
    ["h[!e]llo", "hallo", false], // only ^ negates; ! is a member
    ["h[a-b]llo", "hbllo", true],
    ["h\\*llo", "h*llo", true],
    ["h\\*llo", "hello", false],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXbYY", false],
    ["*", "anything", true],
    ["a\\", "a\\", true], // a trailing backslash is literal
    ["[a-\xff]", "\x00", true], // signed-char range: 0xff..'a' includes NUL
    ["[a-\xff]", "b", false],
  ])("%j vs %j → %s", (pattern, subject, expected) => {
    expect(globMatch(pattern, subject)).toBe(expected);
  });

  it("nocase folds ASCII letters in literals and ranges, not inside escapes", () => {
    expect(globMatch("HeLLo", "hello", true)).toBe(true);
    expect(globMatch("h[A-Z]llo", "hello", true)).toBe(true);
    expect(globMatch("h[E]llo", "hello", true)).toBe(true);
    expect(globMatch("h[\\E]llo", "hello", true)).toBe(false);
    expect(globMatch("HeLLo", "hello")).toBe(false);
  });

  it("handles thousands of stars without recursion", () => {
    const pattern = "a*".repeat(5000) + "b";
    expect(globMatch(pattern, "a".repeat(6000))).toBe(false);
    expect(globMatch(pattern, "a".repeat(5000) + "b")).toBe(true);
  });

  it("isLiteralPattern spots patterns that can only match themselves", () => {
    expect(isLiteralPattern("user:1000")).toBe(true);
    for (const p of ["a*", "a?", "a[b]", "a\\b"]) expect(isLiteralPattern(p)).toBe(false);
  });

  it("agrees with a transliteration of Redis's recursive stringmatchlen on random inputs", () => {
    const patternChar = fc.constantFrom("a", "b", "*", "?", "[", "]", "^", "-", "\\", "!", "\xff");
    const subjectChar = fc.constantFrom("a", "b", "*", "?", "[", "]", "^", "-", "\\", "!", "\xff", "\x00");
    fc.assert(
      fc.property(fc.array(patternChar, { maxLength: 10 }), fc.array(subjectChar, { maxLength: 10 }), fc.boolean(), (p, s, nocase) => {
        const pattern = p.join("");
        const subject = s.join("");
        expect(globMatch(pattern, subject, nocase)).toBe(redisStringMatch(pattern, subject, nocase));
      }),
      { numRuns: 20000 },
    );
  });
});

/**
 * Redis 7.0's util.c stringmatchlen_impl, transliterated statement by statement (reading
 * past the end yields 0, like the NUL terminator of an sds) — the reference for the
 * iterative implementation.
 */
function redisStringMatch(pattern: string, subject: string, nocase: boolean): boolean {
  const skip = { longer: false };
  return impl(0, pattern.length, 0, subject.length);

  function pc(i: number): number {
    return i < pattern.length ? pattern.charCodeAt(i) : 0;
  }
  function sc(i: number): number {
    return i < subject.length ? subject.charCodeAt(i) : 0;
  }
  function lower(c: number): number {
    return c >= 65 && c <= 90 ? c + 32 : c;
  }
  function signed(c: number): number {
    return c >= 128 ? c - 256 : c;
  }
  function impl(p: number, patternLen: number, s: number, stringLen: number): boolean {
    while (patternLen > 0 && stringLen > 0) {
      switch (pc(p)) {
        case 0x2a: // *
          while (patternLen > 0 && pc(p + 1) === 0x2a) {
            p++;
            patternLen--;
          }
          if (patternLen === 1) return true;
          while (stringLen > 0) {
            if (impl(p + 1, patternLen - 1, s, stringLen)) return true;
            if (skip.longer) return false;
            s++;
            stringLen--;
          }
          skip.longer = true;
          return false;
        case 0x3f: // ?
          s++;
          stringLen--;
          break;
        case 0x5b: {
          // [
          p++;
          patternLen--;
          const not = pc(p) === 0x5e;
          if (not) {
            p++;
            patternLen--;
          }
          let match = false;
          for (;;) {
            if (pc(p) === 0x5c && patternLen >= 2) {
              p++;
              patternLen--;
              if (pc(p) === sc(s)) match = true;
            } else if (pc(p) === 0x5d) {
              break;
            } else if (patternLen === 0) {
              p--;
              patternLen++;
              break;
            } else if (patternLen >= 3 && pc(p + 1) === 0x2d) {
              let start = signed(pc(p));
              let end = signed(pc(p + 2));
              let c = signed(sc(s));
              if (start > end) [start, end] = [end, start];
              if (nocase) {
                start = lower(start);
                end = lower(end);
                c = lower(c);
              }
              p += 2;
              patternLen -= 2;
              if (c >= start && c <= end) match = true;
            } else if (!nocase ? pc(p) === sc(s) : lower(pc(p)) === lower(sc(s))) {
              match = true;
            }
            p++;
            patternLen--;
          }
          if (not) match = !match;
          if (!match) return false;
          s++;
          stringLen--;
          break;
        }
        default:
          if (pc(p) === 0x5c && patternLen >= 2) {
            // backslash: the next byte is literal
            p++;
            patternLen--;
          }
          if (!nocase ? pc(p) !== sc(s) : lower(pc(p)) !== lower(sc(s))) return false;
          s++;
          stringLen--;
          break;
      }
      p++;
      patternLen--;
      if (stringLen === 0) {
        while (pc(p) === 0x2a) {
          p++;
          patternLen--;
        }
        break;
      }
    }
    return patternLen === 0 && stringLen === 0;
  }
}
