/*
 * Redis 7.0's addReplyDouble prints with snprintf("%.17g"). JavaScript has no printf, and
 * Number#toExponential differs from glibc in one place: on an exact tie it rounds half up,
 * while glibc rounds half to even (1000000000000000.25 → "1000000000000000.2" in C,
 * "…0.3" from V8). So we ask V8 for 18 significant digits, which are exact enough to tell
 * whether the 17-digit rounding is a tie, and only then settle it by exact arithmetic.
 */

const ZERO = 0x30;
const FIVE = 0x35;
const NINE = 0x39;

/** Redis's `%.17g` text for a double: "inf", "-inf" and "nan" for the non-finite values. */
export function formatDouble(value: number): string {
  if (value !== value) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  // Safe integers, and short binary fractions below 10^6 (x·1024 an integer), have an exact
  // decimal form of at most 17 digits, so %.17g prints exactly what String() prints. Scores
  // and counters are mostly like that.
  if (Number.isSafeInteger(value) || (value < 1e6 && value > -1e6 && Number.isInteger(value * 1024))) {
    return String(value);
  }
  return value < 0 ? "-" + formatMagnitude(-value) : formatMagnitude(value);
}

function formatMagnitude(x: number): string {
  const scientific = roundTo17Digits(x);
  const e = scientific.indexOf("e");
  const exponent = Number(scientific.slice(e + 1));
  // %g drops trailing zeros of the significand (no '#' flag).
  let last = e - 1;
  while (last > 1 && scientific.charCodeAt(last) === ZERO) last--;
  const fraction = last > 1 ? scientific.slice(2, last + 1) : "";

  // %g picks %e when the exponent is < -4 or >= the precision (17).
  if (exponent < -4 || exponent >= 17) {
    const magnitude = exponent < 0 ? -exponent : exponent;
    return (
      scientific[0]! +
      (fraction === "" ? "" : "." + fraction) +
      (exponent < 0 ? "e-" : "e+") +
      (magnitude < 10 ? "0" : "") +
      String(magnitude)
    );
  }
  const digits = scientific[0]! + fraction;
  if (exponent < 0) return "0." + "0".repeat(-exponent - 1) + digits;
  const integerDigits = exponent + 1;
  if (digits.length <= integerDigits) return digits + "0".repeat(integerDigits - digits.length);
  return digits.slice(0, integerDigits) + "." + digits.slice(integerDigits);
}

/** `x` (> 0, finite) as "d.dddddddddddddddde±X": 17 significant digits, ties to even. */
function roundTo17Digits(x: number): string {
  const wide = x.toExponential(17);
  const eighteenth = wide.charCodeAt(18);
  const truncated = wide.slice(0, 18) + wide.slice(19);
  // Rounding the 18-digit form once more gives the right 17 digits unless its last digit
  // is a 5, which may itself be rounded (…4|96 → …5) or be an exact tie.
  if (eighteenth < FIVE) return truncated;
  if (eighteenth > FIVE) return roundUp(truncated);
  const rounded = x.toExponential(16);
  if ((rounded.charCodeAt(17) & 1) === 1 && isExactly(x, wide)) return truncated;
  return rounded;
}

/** "d.ddd…e±X" with its last digit incremented, carrying into the exponent on 9.99… */
function roundUp(scientific: string): string {
  const e = scientific.indexOf("e");
  let i = e - 1;
  while (i >= 0 && (scientific.charCodeAt(i) === NINE || i === 1)) i--;
  if (i < 0) return "1." + "0".repeat(e - 2) + "e" + formatExponent(Number(scientific.slice(e + 1)) + 1);
  const zeros = e - 1 - i;
  const tail = i < 1 ? "." + "0".repeat(zeros - 1) : "0".repeat(zeros);
  return scientific.slice(0, i) + String.fromCharCode(scientific.charCodeAt(i) + 1) + tail + scientific.slice(e);
}

function formatExponent(exponent: number): string {
  return (exponent < 0 ? "-" : "+") + String(Math.abs(exponent));
}

/**
 * Whether the 18-digit decimal `wide` is exactly `x`, i.e. the 17-digit rounding is a tie.
 * A tie needs an odd 18-digit significand D with x = D·10^k exactly; that is impossible
 * for k >= 0 (D·5^k would exceed 2^53) and for k < -25 (5^-k would have to divide D < 10^18),
 * which bounds the exponents worth the BigInt check.
 */
function isExactly(x: number, wide: string): boolean {
  const e = wide.indexOf("e");
  const k = Number(wide.slice(e + 1)) - 17;
  if (k >= 0 || k < -25) return false;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const high = view.getUint32(0);
  const biased = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(view.getUint32(4));
  let binaryExponent: number;
  if (biased === 0) {
    binaryExponent = -1074;
  } else {
    mantissa |= 1n << 52n;
    binaryExponent = biased - 1075;
  }
  // x = mantissa·2^binaryExponent, the decimal is D·10^k with k < 0.
  let left = mantissa * 10n ** BigInt(-k);
  let right = BigInt(wide[0]! + wide.slice(2, e));
  if (binaryExponent >= 0) left <<= BigInt(binaryExponent);
  else right <<= BigInt(-binaryExponent);
  return left === right;
}
