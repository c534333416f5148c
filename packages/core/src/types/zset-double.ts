/**
 * Doubles as Redis reads and prints them for sorted sets.
 *
 * Reading. Redis parses scores with C's strtod in the "C" locale, then applies one of two
 * sets of checks:
 * - string2d (ZADD/ZINCRBY scores, WEIGHTS): the whole argument must be consumed, no
 *   leading space, not NaN, and no range error that produced ±inf or 0 — so "1e400" and
 *   "1e-400" are "not a valid float" while "inf", "4.9e-324" and hex "0x1p3" are fine;
 * - zslParseRange (score range bounds): only "not NaN" and "the C string ends where strtod
 *   stopped" — so " 1", "1e400" (inf), "" (0) and "1\0junk" (1, the NUL ends the C string)
 *   are all accepted bounds.
 *
 * Printing. Replies use %.17g (`formatDouble` of @kv/protocol); ZSCAN of a listpack prints
 * what the listpack stores: integral values within ±2^62 as integers (so 1e17 is
 * "100000000000000000" there but "1e+17" in ZSCORE), other values with %.17g.
 */

import { formatDouble } from "@kv/protocol";

const CHAR_PLUS = 0x2b;
const CHAR_MINUS = 0x2d;
const CHAR_DOT = 0x2e;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;

/** Value of the last `strtod` call (0 when nothing was converted). */
let scannedValue = 0;
/** Whether the last `strtod` call over- or underflowed to ±inf or 0 (C's ERANGE in those cases). */
let scannedRangeError = false;

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= CHAR_0 && c <= CHAR_9;
}

function hexDigitValue(c: number): number {
  if (c >= CHAR_0 && c <= CHAR_9) return c - CHAR_0;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Whether `text` has `lowerWord` (lowercase letters) at `at`, ignoring case. */
function hasWordAt(text: string, at: number, lowerWord: string): boolean {
  if (at + lowerWord.length > text.length) return false;
  for (let i = 0; i < lowerWord.length; i++) if ((text.charCodeAt(at + i) | 0x20) !== lowerWord.charCodeAt(i)) return false;
  return true;
}

/**
 * C's strtod over `text` from `start`, as glibc does it in the "C" locale: leading spaces,
 * a sign, then "inf"/"infinity", "nan"/"nan(chars)", a hex float (0x...p...) or a decimal.
 * Returns the index where conversion stopped (`start` when nothing was converted); the value
 * is left in `scannedValue`. A NUL byte stops it like any other character, which is what a
 * C string ending there means.
 */
function strtod(text: string, start: number): number {
  const length = text.length;
  let i = start;
  while (i < length && isCSpace(text.charCodeAt(i))) i++;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === CHAR_PLUS || c === CHAR_MINUS) {
    negative = c === CHAR_MINUS;
    c = text.charCodeAt(++i);
  }
  scannedRangeError = false;
  if ((c | 0x20) === 0x69 /* i */ && hasWordAt(text, i, "inf")) {
    scannedValue = negative ? -Infinity : Infinity;
    return hasWordAt(text, i, "infinity") ? i + 8 : i + 3;
  }
  if ((c | 0x20) === 0x6e /* n */ && hasWordAt(text, i, "nan")) {
    scannedValue = NaN;
    let end = i + 3;
    if (text.charCodeAt(end) === 0x28 /* ( */) {
      let j = end + 1;
      for (; j < length; j++) {
        const d = text.charCodeAt(j);
        if (!(isDigit(d) || ((d | 0x20) >= 0x61 && (d | 0x20) <= 0x7a) || d === 0x5f)) break;
      }
      if (text.charCodeAt(j) === 0x29 /* ) */) end = j + 1;
    }
    return end;
  }
  if (c === CHAR_0 && (text.charCodeAt(i + 1) | 0x20) === 0x78 /* x */) {
    const end = scanHex(text, i + 2, negative);
    if (end >= 0) return end;
    // "0x" without hex digits: strtod converts the "0" and stops at the 'x'.
    scannedValue = negative ? -0 : 0;
    return i + 1;
  }
  return scanDecimal(text, start, i, negative);
}

/** A decimal mantissa and exponent from `digitsStart`; `start` when there are no digits. */
function scanDecimal(text: string, start: number, digitsStart: number, negative: boolean): number {
  let i = digitsStart;
  let digits = 0;
  let nonzero = false;
  // Short integers (the common score) are accumulated exactly and need no Number() call.
  let integer = 0;
  let c = text.charCodeAt(i);
  while (isDigit(c)) {
    if (c !== CHAR_0) nonzero = true;
    integer = integer * 10 + (c - CHAR_0);
    digits++;
    c = text.charCodeAt(++i);
  }
  let simple = digits <= 15;
  if (c === CHAR_DOT) {
    c = text.charCodeAt(++i);
    while (isDigit(c)) {
      if (c !== CHAR_0) nonzero = true;
      digits++;
      simple = false;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0) {
    scannedValue = 0;
    return start;
  }
  if ((c | 0x20) === 0x65 /* e */) {
    let j = i + 1;
    let e = text.charCodeAt(j);
    if (e === CHAR_PLUS || e === CHAR_MINUS) e = text.charCodeAt(++j);
    if (isDigit(e)) {
      while (isDigit(text.charCodeAt(j))) j++;
      i = j;
      simple = false;
    }
  }
  let value: number;
  if (simple) {
    value = integer;
  } else {
    // The scanned text is a valid JS numeric literal too (JS also allows "5." and ".5"), and
    // Number() rounds correctly, as glibc's strtod does.
    value = Number(text.slice(digitsStart, i));
    scannedRangeError = value === Infinity || (value === 0 && nonzero);
  }
  scannedValue = negative ? -value : value;
  return i;
}

/** A hex float's digits from `from` (just after "0x"); -1 when there is no hex digit. */
function scanHex(text: string, from: number, negative: boolean): number {
  let i = from;
  let mantissa = "";
  let fractionDigits = 0;
  let c = text.charCodeAt(i);
  while (hexDigitValue(c) >= 0) {
    mantissa += text[i];
    c = text.charCodeAt(++i);
  }
  if (c === CHAR_DOT) {
    c = text.charCodeAt(++i);
    while (hexDigitValue(c) >= 0) {
      mantissa += text[i];
      fractionDigits++;
      c = text.charCodeAt(++i);
    }
  }
  if (mantissa === "") return -1;
  let exponent = 0;
  if ((c | 0x20) === 0x70 /* p */) {
    let j = i + 1;
    let e = text.charCodeAt(j);
    let negativeExponent = false;
    if (e === CHAR_PLUS || e === CHAR_MINUS) {
      negativeExponent = e === CHAR_MINUS;
      e = text.charCodeAt(++j);
    }
    if (isDigit(e)) {
      let value = 0;
      while (isDigit(text.charCodeAt(j))) {
        if (value < 1e6) value = value * 10 + (text.charCodeAt(j) - CHAR_0);
        j++;
      }
      exponent = negativeExponent ? -value : value;
      i = j;
    }
  }
  const bits = BigInt("0x" + mantissa);
  let value = 0;
  if (bits !== 0n) {
    // Number(bigint) rounds to nearest; the power-of-two scaling is exact except in the
    // subnormal range (where glibc rounds once and this may round twice).
    value = Number(bits);
    let scale = exponent - 4 * fractionDigits;
    while (scale > 1000 && value !== Infinity) {
      value *= 2 ** 1000;
      scale -= 1000;
    }
    while (scale < -1000 && value !== 0) {
      value *= 2 ** -1000;
      scale += 1000;
    }
    value *= 2 ** scale;
    scannedRangeError = value === Infinity || value === 0;
  }
  scannedValue = negative ? -value : value;
  return i;
}

/**
 * A score or weight argument with Redis's string2d rules, or undefined for "not a valid
 * float" (see the module comment).
 */
export function parseScore(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || isCSpace(text.charCodeAt(0))) return undefined;
  const end = strtod(text, 0);
  if (end !== length) return undefined;
  const value = scannedValue;
  if (value !== value) return undefined;
  if (scannedRangeError && (value === 0 || value === Infinity || value === -Infinity)) return undefined;
  return value;
}

/**
 * strtod from `start` for a score range bound (zslParseRange): accepted when the C string
 * ends where the conversion stopped and the value is not NaN. Undefined otherwise.
 */
export function parseRangeNumber(text: string, start: number): number | undefined {
  const end = strtod(text, start);
  if (end < text.length && text.charCodeAt(end) !== 0) return undefined;
  const value = scannedValue;
  return value !== value ? undefined : value;
}

/** (double)(LLONG_MAX / 2): double2ll lets a listpack store integral doubles within it as integers. */
const INTEGER_PRINT_LIMIT = 4611686018427387904;

/** What a listpack stores for a score (zzlInsertAt: an integer when double2ll allows, else %.17g). */
export function scoreToListpackText(value: number): string {
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  if (Number.isInteger(value) && value >= -INTEGER_PRINT_LIMIT && value <= INTEGER_PRINT_LIMIT) {
    // Exact digits: beyond 2^53, String() would print the shortest round-trip form instead.
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return formatDouble(value);
}
