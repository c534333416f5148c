const MINUS = 0x2d;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;
/** LONG_STR_SIZE in Redis's util.h: longer strings are rejected before looking at them. */
const LONG_STRING_SIZE = 21;
const LLONG_MAX = 2n ** 63n - 1n;

/**
 * Redis's string2ll over bytes [start, end): optional '-', no '+', no spaces, no leading zeros
 * ("0" alone is fine, "-0" is not), fewer than 21 bytes, within a signed 64-bit integer.
 * Returns undefined where string2ll fails. Only the slow paths use it, so BigInt is fine.
 */
export function parseLongLong(buf: Uint8Array, start: number, end: number): bigint | undefined {
  const length = end - start;
  if (length === 0 || length >= LONG_STRING_SIZE) return undefined;
  if (length === 1 && buf[start] === DIGIT_0) return 0n;
  let p = start;
  const negative = buf[p] === MINUS;
  if (negative && ++p === end) return undefined;
  const first = buf[p]!;
  if (first < DIGIT_1 || first > DIGIT_9) return undefined;
  let value = 0n;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
    value = value * 10n + BigInt(c - DIGIT_0);
  }
  if (negative) return value > LLONG_MAX + 1n ? undefined : -value;
  return value > LLONG_MAX ? undefined : value;
}
