/**
 * Redis's 64-bit integer arguments and values (util.c string2ll / ll2string semantics).
 *
 * Integers are JS numbers while they are exactly representable (|n| <= 2^53) and bigints
 * beyond, so counters and offsets — nearly every integer Redis sees — never touch BigInt.
 */

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;

const CHAR_0 = 0x30;
const CHAR_1 = 0x31;
const CHAR_9 = 0x39;
const CHAR_MINUS = 0x2d;

/**
 * Parses `text` with string2ll's strict rules: an optional '-', then "0" alone or a digit
 * 1-9 followed by digits; no '+', no spaces, no leading zeros, and "-0" is rejected. The
 * value must fit a signed 64-bit integer. Returns a number when exact (|n| <= 2^53), a
 * bigint otherwise, or undefined when Redis would reply "value is not an integer or out of range".
 */
export function parseInteger(text: string): number | bigint | undefined {
  const length = text.length;
  if (length === 0 || length > 20) return undefined;
  let i = 0;
  let negative = false;
  let c = text.charCodeAt(0);
  if (length === 1) return c >= CHAR_0 && c <= CHAR_9 ? c - CHAR_0 : undefined;
  if (c === CHAR_MINUS) {
    negative = true;
    i = 1;
    c = text.charCodeAt(1);
  }
  // The first digit must be 1-9: "0" alone was handled above, so a '0' here is a leading zero (or "-0").
  if (c < CHAR_1 || c > CHAR_9) return undefined;
  let value = c - CHAR_0;
  const digits = length - i;
  for (i++; i < length; i++) {
    c = text.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) return undefined;
    value = value * 10 + (c - CHAR_0);
  }
  // Up to 15 digits the accumulation above was exact; a few more may still be exact.
  if (digits <= 15 || value <= Number.MAX_SAFE_INTEGER) return negative ? -value : value;
  const big = BigInt(text);
  return big > LLONG_MAX || big < LLONG_MIN ? undefined : big;
}

/** A number when exactly representable, otherwise the bigint itself. */
export function normalizeInteger(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/**
 * a + b when the sum fits a signed 64-bit integer, otherwise undefined (Redis's
 * "increment or decrement would overflow" check). Both operands must themselves be in range.
 */
export function addIntegers(a: number | bigint, b: number | bigint): number | bigint | undefined {
  if (typeof a === "number" && typeof b === "number") {
    const sum = a + b;
    if (sum >= -Number.MAX_SAFE_INTEGER && sum <= Number.MAX_SAFE_INTEGER) return sum;
  }
  const sum = BigInt(a) + BigInt(b);
  return sum > LLONG_MAX || sum < LLONG_MIN ? undefined : normalizeInteger(sum);
}

/** -value, or undefined for LLONG_MIN, whose negation does not fit. */
export function negateInteger(value: number | bigint): number | bigint | undefined {
  if (typeof value === "number") return -value;
  return value === LLONG_MIN ? undefined : normalizeInteger(-value);
}
