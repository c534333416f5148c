const DIGIT_0 = 0x30;
const INT32_LIMIT = 2 ** 31;

/** Number of decimal digits of `n`, a non-negative safe integer. */
export function digitCount(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  if (n < 100000) return 5;
  let count = 6;
  for (let limit = 1000000; n >= limit; limit *= 10) count++;
  return count;
}

/**
 * Writes `n` (a non-negative safe integer of `count` digits) at `at` as ASCII, without
 * building a string: lengths and counters go straight into the output.
 */
export function writeDigits(buf: Buffer, at: number, n: number, count: number): void {
  let p = at + count;
  if (n < INT32_LIMIT) {
    do {
      const quotient = (n / 10) | 0;
      buf[--p] = DIGIT_0 + (n - quotient * 10);
      n = quotient;
    } while (n > 0);
  } else {
    do {
      const quotient = Math.floor(n / 10);
      buf[--p] = DIGIT_0 + (n - quotient * 10);
      n = quotient;
    } while (n > 0);
  }
}
