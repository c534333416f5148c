/**
 * Exact emulation of the C `long double` Redis uses for INCRBYFLOAT and HINCRBYFLOAT on
 * x86-64: the x87 80-bit extended format (64-bit significand with an explicit integer bit,
 * 15-bit exponent, subnormals), round-to-nearest-even, as glibc's strtold/printf see it.
 *
 * JS doubles cannot stand in: Redis adds in extended precision and prints with "%.17Lf", so
 * `INCRBYFLOAT k 0.1` then `0.2` shows "0.3" where doubles give 0.30000000000000004. Every
 * operation here is exact BigInt arithmetic followed by one correct rounding, which is what
 * the hardware and glibc do; the cost is fine for these non-hot commands.
 */

/** A value (-1)^negative · significand · 2^exponent. Zero has significand 0n. */
export type LongDouble =
  | { readonly kind: "finite"; readonly negative: boolean; readonly significand: bigint; readonly exponent: number }
  | { readonly kind: "infinity"; readonly negative: boolean }
  | { readonly kind: "nan" };

const SIGNIFICAND_BITS = 64;
const SIGNIFICAND_LIMIT = 1n << 64n;
const INTEGER_BIT = 1n << 63n;
/** Weight of the lowest significand bit of subnormals: 2^-16445 is the least positive value. */
const MIN_EXPONENT = -16445;
/** Largest finite value is (2^64 - 1) · 2^16320, just under 2^16384. */
const MAX_EXPONENT = 16320;
/** strtold's input buffer in Redis (MAX_LONG_DOUBLE_CHARS): longer texts are not floats. */
const MAX_TEXT_LENGTH = 5 * 1024;
/** "%.17Lf": digits after the decimal point. */
const FRACTION_DIGITS = 17;
const FRACTION_SCALE = 10n ** 17n;
/** Guard bits kept beyond the significand when dividing, so rounding sees the half bit. */
const GUARD_BITS = 3;

export const LONG_DOUBLE_ZERO: LongDouble = { kind: "finite", negative: false, significand: 0n, exponent: 0 };

function zero(negative: boolean): LongDouble {
  return negative ? { kind: "finite", negative: true, significand: 0n, exponent: 0 } : LONG_DOUBLE_ZERO;
}

function infinity(negative: boolean): LongDouble {
  return { kind: "infinity", negative };
}

function bitLength(n: bigint): number {
  if (n === 0n) return 0;
  const hex = n.toString(16);
  return hex.length * 4 - Math.clz32(parseInt(hex[0]!, 16)) + 28;
}

/**
 * Rounds n · 2^e (plus, when `sticky`, a positive amount below 2^e) to the nearest
 * representable value, ties to even, with gradual underflow and overflow to infinity.
 */
function round(negative: boolean, n: bigint, e: number, sticky: boolean): LongDouble {
  if (n === 0n) return zero(negative);
  let shift = bitLength(n) - SIGNIFICAND_BITS;
  if (e + shift < MIN_EXPONENT) shift = MIN_EXPONENT - e;
  if (shift > 0) {
    const bits = BigInt(shift);
    let kept = n >> bits;
    const dropped = n - (kept << bits);
    const half = 1n << (bits - 1n);
    if (dropped > half || (dropped === half && (sticky || (kept & 1n) === 1n))) kept += 1n;
    n = kept;
    e += shift;
    if (n === SIGNIFICAND_LIMIT) {
      n = INTEGER_BIT;
      e += 1;
    }
  } else if (shift < 0) {
    n <<= BigInt(-shift);
    e += shift;
  }
  if (n === 0n) return zero(negative);
  if (e > MAX_EXPONENT) return infinity(negative);
  return { kind: "finite", negative, significand: n, exponent: e };
}

function isSpace(c: number): boolean {
  // C isspace in the "C" locale: space, \t, \n, \v, \f, \r.
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}

/** Exponents beyond this are clamped: the value has long since overflowed or underflowed. */
const EXPONENT_CLAMP = 100_000_000;

/**
 * Reads an optional sign and decimal digits at `i` (the exponent of "1e-5" or "0x1p+3").
 * Returns [value, next index], or undefined when there are no digits — strtold then stops
 * before the 'e'/'p', which leaves text unconsumed, which Redis rejects.
 */
function readExponent(text: string, i: number): [number, number] | undefined {
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    i++;
  }
  const start = i;
  let value = 0;
  for (; i < text.length && isDigit(text.charCodeAt(i)); i++) {
    if (value < EXPONENT_CLAMP) value = value * 10 + (text.charCodeAt(i) - 0x30);
  }
  if (i === start) return undefined;
  return [negative ? -value : value, i];
}

/**
 * Parses text as Redis's string2ld does (strtold, then rejecting leading whitespace,
 * trailing garbage, overflow, underflow to zero and NaN). Accepts what strtold accepts:
 * decimal with optional exponent, hexadecimal floats ("0x1.8p3") and "inf"/"infinity".
 * Returns undefined for "value is not a valid float".
 */
export function parseLongDouble(text: string): LongDouble | undefined {
  const length = text.length;
  if (length === 0 || length >= MAX_TEXT_LENGTH || isSpace(text.charCodeAt(0))) return undefined;
  let i = 0;
  let negative = false;
  const sign = text.charCodeAt(0);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    i = 1;
  }
  const first = text.charCodeAt(i) | 0x20;
  if (first === 0x69 /* i */) {
    const word = text.slice(i).toLowerCase();
    return word === "inf" || word === "infinity" ? infinity(negative) : undefined;
  }
  if (first === 0x6e /* n */) return undefined; // "nan", "nan(...)": NaN is refused
  if (text.charCodeAt(i) === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78 /* x */) {
    return parseHexadecimal(text, i + 2, negative);
  }
  return parseDecimal(text, i, negative);
}

function parseDecimal(text: string, i: number, negative: boolean): LongDouble | undefined {
  const length = text.length;
  const intStart = i;
  while (i < length && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < length && text.charCodeAt(i) === 0x2e /* . */) {
    fracStart = ++i;
    while (i < length && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (intEnd === intStart && fracEnd === fracStart) return undefined;
  let exponent = 0;
  if (i < length && (text.charCodeAt(i) | 0x20) === 0x65 /* e */) {
    const read = readExponent(text, i + 1);
    if (read === undefined) return undefined;
    [exponent, i] = read;
  }
  if (i !== length) return undefined;

  let digits = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
  let scale = exponent - (fracEnd - fracStart);
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === 0x30) lead++;
  if (lead === digits.length) return zero(negative);
  let tail = digits.length;
  while (digits.charCodeAt(tail - 1) === 0x30) tail--;
  scale += digits.length - tail;
  digits = digits.slice(lead, tail);

  // Decide overflow and underflow from the magnitude alone, before building huge powers of ten.
  const decimalExponent = digits.length - 1 + scale;
  if (decimalExponent > 4933) return undefined; // beyond 1.19e4932: ERANGE, HUGE_VAL
  if (decimalExponent < -4952) return undefined; // below half the least subnormal: ERANGE, 0

  const mantissa = BigInt(digits);
  let value: LongDouble;
  if (scale >= 0) {
    value = round(negative, mantissa * 10n ** BigInt(scale), 0, false);
  } else {
    const divisor = 10n ** BigInt(-scale);
    const extra = Math.max(0, SIGNIFICAND_BITS + GUARD_BITS + bitLength(divisor) - bitLength(mantissa));
    const numerator = mantissa << BigInt(extra);
    const quotient = numerator / divisor;
    value = round(negative, quotient, -extra, numerator - quotient * divisor !== 0n);
  }
  return rangeChecked(value);
}

function parseHexadecimal(text: string, i: number, negative: boolean): LongDouble | undefined {
  const length = text.length;
  let mantissa = "";
  let fractionDigits = 0;
  while (i < length && hexValue(text.charCodeAt(i)) >= 0) mantissa += text[i++];
  if (i < length && text.charCodeAt(i) === 0x2e) {
    i++;
    while (i < length && hexValue(text.charCodeAt(i)) >= 0) {
      mantissa += text[i++];
      fractionDigits++;
    }
  }
  if (mantissa.length === 0) return undefined; // "0x" alone: strtold reads the "0" and stops at 'x'
  let exponent = 0;
  if (i < length && (text.charCodeAt(i) | 0x20) === 0x70 /* p */) {
    const read = readExponent(text, i + 1);
    if (read === undefined) return undefined;
    [exponent, i] = read;
  }
  if (i !== length) return undefined;
  const bits = BigInt("0x" + mantissa);
  if (bits === 0n) return zero(negative);
  const scale = exponent - 4 * fractionDigits;
  const topBit = bitLength(bits) - 1 + scale;
  if (topBit > 16384 || topBit < MIN_EXPONENT - 2) return undefined;
  return rangeChecked(round(negative, bits, scale, false));
}

/** strtold's ERANGE outcomes Redis refuses: overflow to infinity, or a nonzero input rounded to zero. */
function rangeChecked(value: LongDouble): LongDouble | undefined {
  if (value.kind !== "finite" || value.significand === 0n) return undefined;
  return value;
}

/** a + b in extended precision, rounded to nearest even; x + (-x) is +0 as in C. */
export function addLongDouble(a: LongDouble, b: LongDouble): LongDouble {
  if (a.kind === "nan" || b.kind === "nan") return { kind: "nan" };
  if (a.kind === "infinity") return b.kind === "infinity" && b.negative !== a.negative ? { kind: "nan" } : a;
  if (b.kind === "infinity") return b;
  if (a.significand === 0n) return b.significand === 0n ? zero(a.negative && b.negative) : b;
  if (b.significand === 0n) return a;
  const exponent = Math.min(a.exponent, b.exponent);
  const left = a.significand << BigInt(a.exponent - exponent);
  const right = b.significand << BigInt(b.exponent - exponent);
  const sum = (a.negative ? -left : left) + (b.negative ? -right : right);
  if (sum === 0n) return LONG_DOUBLE_ZERO;
  return sum < 0n ? round(true, -sum, exponent, false) : round(false, sum, exponent, false);
}

export function isFiniteLongDouble(value: LongDouble): boolean {
  return value.kind === "finite";
}

/**
 * Redis's ld2string in LD_STR_HUMAN mode: printf("%.17Lf") — exact binary-to-decimal
 * conversion rounded half to even, as glibc does — then trailing zeros and a trailing '.'
 * removed, and "-0" shown as "0".
 */
export function formatLongDouble(value: LongDouble): string {
  if (value.kind === "nan") return "nan";
  if (value.kind === "infinity") return value.negative ? "-inf" : "inf";
  let text: string;
  if (value.exponent >= 0) {
    text = (value.significand << BigInt(value.exponent)).toString();
  } else {
    const shift = BigInt(-value.exponent);
    const scaled = value.significand * FRACTION_SCALE;
    let fixed = scaled >> shift;
    const dropped = scaled - (fixed << shift);
    const half = 1n << (shift - 1n);
    if (dropped > half || (dropped === half && (fixed & 1n) === 1n)) fixed += 1n;
    const integerPart = fixed / FRACTION_SCALE;
    let fraction = (fixed % FRACTION_SCALE).toString().padStart(FRACTION_DIGITS, "0");
    let end = fraction.length;
    while (end > 0 && fraction.charCodeAt(end - 1) === 0x30) end--;
    fraction = fraction.slice(0, end);
    text = fraction.length > 0 ? `${integerPart}.${fraction}` : integerPart.toString();
  }
  if (!value.negative) return text;
  return text === "0" ? "0" : `-${text}`;
}
