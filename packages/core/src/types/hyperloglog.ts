import { hashHigh, hashLow, murmurHash64A } from "../util/murmurhash64a.js";

/*
 * Redis's HyperLogLog (hyperloglog.c), byte for byte. An HLL is an ordinary string value:
 *
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (u64 LE)
 *
 * followed by the registers: 16384 6-bit registers packed LSB first (dense, 12288 bytes), or
 * the run-length opcodes ZERO (00xxxxxx: 1-64 zero registers), XZERO (01xxxxxx yyyyyyyy:
 * 1-16384 zero registers) and VAL (1vvvvvxx: 1-4 registers of value 1-32) (sparse). The top
 * bit of the cached cardinality marks it stale.
 *
 * GET of an HLL key must equal redis-server's bytes, so every update here follows Redis's
 * own algorithm — where a sparse opcode is split, which adjacent VALs merge, when the value
 * is promoted to dense — not just an equivalent register state. The same goes for corrupt
 * values (a user may SET anything that starts with "HYLL"): reads past the last byte see a
 * zero, as Redis sees its sds terminator.
 */

export const HLL_REGISTERS = 16384;
export const HLL_HDR_SIZE = 16;
export const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
export const HLL_DENSE = 0;
export const HLL_SPARSE = 1;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_Q = 50;
const HLL_REGISTER_MAX = 63;
const HLL_SPARSE_VAL_MAX_VALUE = 32;
const HLL_SPARSE_VAL_MAX_LEN = 4;
const HLL_SPARSE_ZERO_MAX_LEN = 64;
// 0.5 / ln(2), written as Redis writes it (0.721347520444481703680) rounded to the double C uses.
const HLL_ALPHA_INF = 0.7213475204444817;
const HLL_HASH_SEED = 0xadc83b19;
const ENCODING_OFFSET = 4;
const CARD_OFFSET = 8;
const CARD_STALE_BYTE = CARD_OFFSET + 7;

/** The index of the register an element hashes to, set by the last patternLength call. */
export let patternIndex = 0;

/**
 * Redis's hllPatLen: hashes `element`, leaves its register index (the low 14 bits) in
 * `patternIndex` and returns the length of the 000..1 pattern in the 50 bits above them
 * (1 to 51: a 1 is assumed past the last bit).
 */
export function patternLength(element: string): number {
  murmurHash64A(element, HLL_HASH_SEED);
  const low = hashLow;
  patternIndex = low & HLL_P_MASK;
  const pattern = ((low >>> 14) | (hashHigh << 18)) >>> 0; // hash bits 14..45
  if (pattern !== 0) return 32 - Math.clz32(pattern & -pattern);
  const rest = (hashHigh >>> 14) | (1 << 18); // hash bits 46..63, then the terminating 1
  return 64 - Math.clz32(rest & -rest);
}

/**
 * Redis's isHLLObjectOrReply test on a string value: header magic, a known encoding, and the
 * exact size when dense. A sparse body is only validated when walked.
 */
export function isHllString(value: string): boolean {
  if (value.length < HLL_HDR_SIZE) return false;
  if (value.charCodeAt(0) !== 0x48 || value.charCodeAt(1) !== 0x59 || value.charCodeAt(2) !== 0x4c || value.charCodeAt(3) !== 0x4c) return false;
  const encoding = value.charCodeAt(ENCODING_OFFSET);
  if (encoding > HLL_SPARSE) return false;
  return encoding !== HLL_DENSE || value.length === HLL_DENSE_SIZE;
}

// ---------------------------------------------------------------------------------------
// A mutable HLL
// ---------------------------------------------------------------------------------------

/**
 * An HLL value being updated: its bytes with room to grow, as Redis's sds. The byte at
 * `length` is always zero (the terminator Redis's macros read past the end).
 */
export class HllBuffer {
  constructor(
    public bytes: Buffer,
    public length: number,
  ) {}

  /** An empty HLL, as createHLLObject makes it: sparse, one XZERO covering every register. */
  static empty(): HllBuffer {
    const bytes = Buffer.alloc(64);
    bytes.write("HYLL", 0, 4, "latin1");
    bytes[ENCODING_OFFSET] = HLL_SPARSE;
    const length = HLL_HDR_SIZE + 2;
    setXzero(bytes, HLL_HDR_SIZE, HLL_REGISTERS);
    return new HllBuffer(bytes, length);
  }

  static fromString(value: string): HllBuffer {
    const length = value.length;
    // Sparse values grow by at most 3 bytes per update; leave room for a few before copying.
    const bytes = Buffer.alloc(length + (length === HLL_DENSE_SIZE ? 1 : 64));
    bytes.write(value, 0, length, "latin1");
    return new HllBuffer(bytes, length);
  }

  get encoding(): number {
    return this.bytes[ENCODING_OFFSET]!;
  }

  toString(): string {
    return this.bytes.toString("latin1", 0, this.length);
  }

  /** sdsMakeRoomFor: capacity for `extra` more bytes plus the terminator. */
  ensureRoom(extra: number): void {
    if (this.length + extra + 1 <= this.bytes.length) return;
    const grown = Buffer.alloc(Math.max(this.bytes.length * 2, this.length + extra + 64));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }

  /** sdsIncrLen: changes the length and writes the terminator. */
  private resize(delta: number): void {
    this.length += delta;
    this.bytes[this.length] = 0;
  }

  invalidateCache(): void {
    this.bytes[CARD_STALE_BYTE]! |= 0x80;
  }

  /** The cached cardinality is the 64-bit little-endian integer at byte 8, kept below 2^63. */
  setCachedCardinality(card: number | bigint): void {
    if (typeof card === "number") {
      for (let i = 0; i < 8; i++) {
        this.bytes[CARD_OFFSET + i] = card % 256;
        card = Math.floor(card / 256);
      }
      return;
    }
    for (let i = 0; i < 8; i++) {
      this.bytes[CARD_OFFSET + i] = Number(card & 0xffn);
      card >>= 8n;
    }
  }

  /**
   * Redis's hllAdd: 1 when a register grew, 0 when none did, -1 for a corrupt sparse
   * body (possibly after earlier elements already changed the value, as in Redis).
   */
  add(element: string, sparseMaxBytes: number): number {
    const count = patternLength(element);
    if (this.bytes[ENCODING_OFFSET] === HLL_DENSE) return denseSet(this.bytes, patternIndex, count);
    return this.sparseSet(patternIndex, count, sparseMaxBytes);
  }

  /**
   * Redis's hllSparseToDense: false (nothing changed) when the sparse body is corrupt —
   * with the CVE-2025-32023 fix's rule for runs crossing the end (see mergeInto).
   */
  toDense(): boolean {
    const sparse = this.bytes;
    if (sparse[ENCODING_OFFSET] === HLL_DENSE) return true;
    const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
    // The header is copied whole: magic, unused bytes and the cached cardinality survive.
    sparse.copy(dense, 0, 0, HLL_HDR_SIZE);
    dense[ENCODING_OFFSET] = HLL_DENSE;
    const end = this.length;
    let index = 0;
    let p = HLL_HDR_SIZE;
    while (p < end) {
      const op = sparse[p]!;
      if ((op & 0xc0) === 0) {
        index += (op & 0x3f) + 1;
        p++;
      } else if ((op & 0x80) === 0) {
        index += (((op & 0x3f) << 8) | sparse[p + 1]!) + 1;
        p += 2;
      } else {
        let runLength = (op & 3) + 1;
        const value = ((op >> 2) & 0x1f) + 1;
        if (runLength + index > HLL_REGISTERS) return false;
        while (runLength-- > 0) setDenseRegister(dense, index++, value);
        p++;
      }
    }
    if (index !== HLL_REGISTERS) return false;
    this.bytes = dense;
    this.length = HLL_DENSE_SIZE;
    return true;
  }

  /**
   * Redis's hllSparseSet: raises register `index` to `count` if lower, editing the opcodes
   * in place; promotes to dense when `count` exceeds what VAL can hold or the value would
   * outgrow hll-sparse-max-bytes. Returns 1 (updated), 0 (unchanged) or -1 (corrupt).
   */
  sparseSet(index: number, count: number, sparseMaxBytes: number): number {
    if (count > HLL_SPARSE_VAL_MAX_VALUE) return this.promote(index, count);
    // The worst split (XZERO into XZERO-VAL-XZERO) adds 3 bytes.
    this.ensureRoom(3);
    const bytes = this.bytes;
    const sparse = HLL_HDR_SIZE;
    let end = this.length;

    // Step 1: find the opcode covering `index`.
    let p = sparse;
    let first = 0;
    let prev = -1;
    let span = 0;
    while (p < end) {
      const op = bytes[p]!;
      let opLength = 1;
      if ((op & 0xc0) === 0) {
        span = (op & 0x3f) + 1;
      } else if ((op & 0x80) !== 0) {
        span = (op & 3) + 1;
      } else {
        span = (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
        opLength = 2;
      }
      if (index <= first + span - 1) break;
      prev = p;
      p += opLength;
      first += span;
    }
    if (span === 0 || p >= end) return -1;

    const op = bytes[p]!;
    const isXzero = (op & 0xc0) === 0x40;
    const isZero = (op & 0xc0) === 0;
    let next = isXzero ? p + 2 : p + 1;
    if (next >= end) next = -1;
    const runLength = isZero ? (op & 0x3f) + 1 : isXzero ? (((op & 0x3f) << 8) | bytes[p + 1]!) + 1 : (op & 3) + 1;

    // Step 2: the trivial cases, then the general split into up to 5 bytes.
    updated: {
      if (!isZero && !isXzero) {
        const oldCount = ((op >> 2) & 0x1f) + 1;
        if (oldCount >= count) return 0;
        if (runLength === 1) {
          bytes[p] = valOpcode(count, 1);
          break updated;
        }
      }
      if (isZero && runLength === 1) {
        bytes[p] = valOpcode(count, 1);
        break updated;
      }

      const sequence = splitSequence;
      let n = 0;
      const last = first + span - 1;
      if (isZero || isXzero) {
        if (index !== first) n = putZeros(sequence, n, index - first);
        sequence[n++] = valOpcode(count, 1);
        if (index !== last) n = putZeros(sequence, n, last - index);
      } else {
        const current = ((op >> 2) & 0x1f) + 1;
        if (index !== first) sequence[n++] = valOpcode(current, index - first);
        sequence[n++] = valOpcode(count, 1);
        if (index !== last) sequence[n++] = valOpcode(current, last - index);
      }

      // Step 3: substitute the new sequence for the old opcode.
      const delta = n - (isXzero ? 2 : 1);
      if (delta > 0 && this.length + delta > sparseMaxBytes) return this.promote(index, count);
      if (delta !== 0 && next >= 0) bytes.copyWithin(next + delta, next, end);
      this.resize(delta);
      for (let i = 0; i < n; i++) bytes[p + i] = sequence[i]!;
      end += delta;
    }

    // Step 4: merge adjacent VALs of equal value, scanning up to 5 opcodes from `prev`.
    p = prev >= 0 ? prev : sparse;
    let scanLength = 5;
    while (p < end && scanLength-- > 0) {
      const current = bytes[p]!;
      if ((current & 0xc0) === 0x40) {
        p += 2;
        continue;
      }
      if ((current & 0xc0) === 0) {
        p++;
        continue;
      }
      const following = bytes[p + 1]!;
      if (p + 1 < end && (following & 0x80) !== 0) {
        const value = ((current >> 2) & 0x1f) + 1;
        if (value === ((following >> 2) & 0x1f) + 1) {
          const merged = (current & 3) + (following & 3) + 2;
          if (merged <= HLL_SPARSE_VAL_MAX_LEN) {
            bytes[p + 1] = valOpcode(value, merged);
            // memmove(p, p+1, end-p): the terminator at `end` moves down with the rest.
            bytes.copyWithin(p, p + 1, end + 1);
            this.resize(-1);
            end--;
            continue; // try the merged opcode against its right neighbour too
          }
        }
      }
      p++;
    }
    this.invalidateCache();
    return 1;
  }

  /** The promote label of hllSparseSet: to dense, then the register update (which must change it). */
  private promote(index: number, count: number): number {
    if (!this.toDense()) return -1;
    denseSet(this.bytes, index, count);
    return 1;
  }

  /** Registers of this HLL as a 16384-byte array (tests, PFDEBUG on dense values). */
  registers(): Uint8Array {
    const out = new Uint8Array(HLL_REGISTERS);
    if (!mergeInto(out, this.bytes, this.length)) throw new Error("corrupt HLL");
    return out;
  }
}

const splitSequence = new Uint8Array(5);

function valOpcode(value: number, runLength: number): number {
  return 0x80 | ((value - 1) << 2) | (runLength - 1);
}

function setXzero(bytes: Uint8Array, at: number, runLength: number): void {
  const encoded = runLength - 1;
  bytes[at] = (encoded >> 8) | 0x40;
  bytes[at + 1] = encoded & 0xff;
}

/** A run of zero registers as ZERO (up to 64) or XZERO; returns the next write position. */
function putZeros(sequence: Uint8Array, n: number, runLength: number): number {
  if (runLength > HLL_SPARSE_ZERO_MAX_LEN) {
    setXzero(sequence, n, runLength);
    return n + 2;
  }
  sequence[n] = runLength - 1;
  return n + 1;
}

// ---------------------------------------------------------------------------------------
// Dense registers
// ---------------------------------------------------------------------------------------

/** HLL_DENSE_GET_REGISTER on a whole value (registers start after the header). */
export function getDenseRegister(bytes: Uint8Array, register: number): number {
  const byte = HLL_HDR_SIZE + ((register * 6) >> 3);
  const shift = (register * 6) & 7;
  return ((bytes[byte]! >> shift) | (bytes[byte + 1]! << (8 - shift))) & HLL_REGISTER_MAX;
}

/** HLL_DENSE_SET_REGISTER; the last register touches the terminator byte, harmlessly, as in Redis. */
function setDenseRegister(bytes: Uint8Array, register: number, value: number): void {
  const byte = HLL_HDR_SIZE + ((register * 6) >> 3);
  const shift = (register * 6) & 7;
  bytes[byte] = (bytes[byte]! & ~(HLL_REGISTER_MAX << shift)) | (value << shift);
  bytes[byte + 1] = (bytes[byte + 1]! & ~(HLL_REGISTER_MAX >> (8 - shift))) | (value >> (8 - shift));
}

/**
 * Sets every dense register from `registers` (one per byte), four registers per three bytes.
 * What PFMERGE's register-by-register hllDenseSet ends with, since its maxima include the
 * destination's own registers.
 */
export function setDenseRegisters(bytes: Uint8Array, registers: Uint8Array): void {
  for (let i = 0, r = HLL_HDR_SIZE; i < HLL_REGISTERS; i += 4, r += 3) {
    const r0 = registers[i]!;
    const r1 = registers[i + 1]!;
    const r2 = registers[i + 2]!;
    const r3 = registers[i + 3]!;
    bytes[r] = r0 | (r1 << 6);
    bytes[r + 1] = (r1 >> 2) | (r2 << 4);
    bytes[r + 2] = (r2 >> 4) | (r3 << 2);
  }
}

/** Redis's hllDenseSet: 1 when the register grew to `count`. */
export function denseSet(bytes: Uint8Array, register: number, count: number): number {
  if (count <= getDenseRegister(bytes, register)) return 0;
  setDenseRegister(bytes, register, count);
  return 1;
}

// ---------------------------------------------------------------------------------------
// Reading values: histograms, merge, the estimator
// ---------------------------------------------------------------------------------------

/**
 * Register histograms have 64 slots, as Redis's: a corrupt dense value may hold registers
 * up to 63, which land in slots the estimator never reads.
 */
export function newHistogram(): Int32Array {
  return new Int32Array(64);
}

function denseHistogram(bytes: Uint8Array, histogram: Int32Array): void {
  // Four registers per three bytes.
  for (let r = HLL_HDR_SIZE, end = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8; r < end; r += 3) {
    const b0 = bytes[r]!;
    const b1 = bytes[r + 1]!;
    const b2 = bytes[r + 2]!;
    histogram[b0 & 63]!++;
    histogram[((b0 >> 6) | (b1 << 2)) & 63]!++;
    histogram[((b1 >> 4) | (b2 << 4)) & 63]!++;
    histogram[b2 >> 2]!++;
  }
}

/** Sparse histogram; false when the opcodes do not cover exactly 16384 registers. */
function sparseHistogram(bytes: Uint8Array, length: number, histogram: Int32Array): boolean {
  let index = 0;
  let p = HLL_HDR_SIZE;
  while (p < length) {
    const op = bytes[p]!;
    if ((op & 0xc0) === 0) {
      const runLength = (op & 0x3f) + 1;
      index += runLength;
      histogram[0]! += runLength;
      p++;
    } else if ((op & 0x80) === 0) {
      const runLength = (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
      index += runLength;
      histogram[0]! += runLength;
      p += 2;
    } else {
      const runLength = (op & 3) + 1;
      index += runLength;
      histogram[((op >> 2) & 0x1f) + 1]! += runLength;
      p++;
    }
  }
  return index === HLL_REGISTERS;
}

/** Histogram of registers held one per byte (PFCOUNT of several keys merges into these). */
export function rawHistogram(registers: Uint8Array, histogram: Int32Array): void {
  for (let i = 0; i < HLL_REGISTERS; i++) histogram[registers[i]!]!++;
}

/**
 * Histogram of an HLL value's registers; false for a corrupt sparse body (the histogram is
 * still filled, as Redis's is).
 */
export function valueHistogram(bytes: Uint8Array, length: number, histogram: Int32Array): boolean {
  if (bytes[ENCODING_OFFSET] === HLL_DENSE) {
    denseHistogram(bytes, histogram);
    return true;
  }
  return sparseHistogram(bytes, length, histogram);
}

/**
 * Redis's hllMerge: max[i] = MAX(max[i], register i). False for a corrupt sparse body
 * (registers merged before the corruption stay merged). As in the reference server, which
 * carries the CVE-2025-32023 fix, a run crossing register 16384 is corrupt even when the
 * registers before it add up exactly (7.0.15 as released accepted that case here and in
 * hllSparseToDense).
 */
export function mergeInto(max: Uint8Array, bytes: Uint8Array, length: number): boolean {
  if (bytes[ENCODING_OFFSET] === HLL_DENSE) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = getDenseRegister(bytes, i);
      if (value > max[i]!) max[i] = value;
    }
    return true;
  }
  let i = 0;
  let p = HLL_HDR_SIZE;
  while (p < length) {
    const op = bytes[p]!;
    if ((op & 0xc0) === 0) {
      i += (op & 0x3f) + 1;
      p++;
    } else if ((op & 0x80) === 0) {
      i += (((op & 0x3f) << 8) | bytes[p + 1]!) + 1;
      p += 2;
    } else {
      let runLength = (op & 3) + 1;
      const value = ((op >> 2) & 0x1f) + 1;
      if (runLength + i > HLL_REGISTERS) return false;
      while (runLength-- > 0) {
        if (value > max[i]!) max[i] = value;
        i++;
      }
      p++;
    }
  }
  return i === HLL_REGISTERS;
}

/** Ertl's sigma (arXiv:1702.01284), as hllSigma. */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let zPrime;
  let y = 1;
  let z = x;
  do {
    x *= x;
    zPrime = z;
    z += x * y;
    y += y;
  } while (zPrime !== z);
  return z;
}

/** Ertl's tau, as hllTau (pow(1 - x, 2) is what gcc compiles to (1 - x) * (1 - x)). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let zPrime;
  let y = 1;
  let z = 1 - x;
  do {
    x = Math.sqrt(x);
    zPrime = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrime !== z);
  return z / 3;
}

const TWO_POW_63 = 9223372036854775808;

/**
 * Redis 7.0's hllCount estimator (Ertl's improved raw estimator) from a register histogram,
 * as the uint64 Redis computes. An estimate that llroundl cannot fit in 64 bits (only from
 * corrupt registers) comes out as 2^63, as the x86 conversion does.
 */
export function estimate(histogram: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * tau((m - histogram[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; --j) {
    z += histogram[j]!;
    z *= 0.5;
  }
  z += m * sigma(histogram[0]! / m);
  const raw = (HLL_ALPHA_INF * m * m) / z;
  if (!(raw < TWO_POW_63)) return 1n << 63n;
  const rounded = Math.round(raw); // positive: ties away from zero, as llroundl
  return rounded <= Number.MAX_SAFE_INTEGER ? rounded : BigInt(rounded);
}

/** The cached cardinality of an HLL string, or undefined when marked stale. */
export function cachedCardinality(value: string): number | bigint | undefined {
  const top = value.charCodeAt(CARD_STALE_BYTE);
  if ((top & 0x80) !== 0) return undefined;
  let low = 0;
  for (let i = 3; i >= 0; i--) low = low * 256 + value.charCodeAt(CARD_OFFSET + i);
  let high = 0;
  for (let i = 7; i >= 4; i--) high = high * 256 + value.charCodeAt(CARD_OFFSET + i);
  if (high < 0x200000) return high * 0x100000000 + low;
  return (BigInt(high) << 32n) | BigInt(low);
}

// ---------------------------------------------------------------------------------------
// Reading string values without copying them each time
// ---------------------------------------------------------------------------------------

let scratch = Buffer.alloc(HLL_DENSE_SIZE + 1);

/**
 * The bytes of `value` in a shared scratch buffer followed by a zero byte, for read-only
 * walks (merge, histogram). Valid until the next call.
 */
export function scratchBytes(value: string): Buffer {
  if (value.length + 1 > scratch.length) scratch = Buffer.alloc(Math.max(value.length + 1, scratch.length * 2));
  scratch.write(value, 0, value.length, "latin1");
  scratch[value.length] = 0;
  return scratch;
}

/** PFDEBUG DECODE's text for a sparse body. */
export function decodeSparse(bytes: Uint8Array, length: number): string {
  const parts: string[] = [];
  let p = HLL_HDR_SIZE;
  while (p < length) {
    const op = bytes[p]!;
    if ((op & 0xc0) === 0) {
      parts.push(`z:${(op & 0x3f) + 1}`);
      p++;
    } else if ((op & 0x80) === 0) {
      parts.push(`Z:${(((op & 0x3f) << 8) | bytes[p + 1]!) + 1}`);
      p += 2;
    } else {
      parts.push(`v:${((op >> 2) & 0x1f) + 1},${(op & 3) + 1}`);
      p++;
    }
  }
  return parts.join(" ");
}

// ---------------------------------------------------------------------------------------
// PFSELFTEST
// ---------------------------------------------------------------------------------------

/**
 * Redis's pfselftestCommand: register access on a dense array, then 10 million elements
 * added to a dense and a sparse HLL side by side, checking that small cardinalities stay
 * sparse, that both agree, and the error at each power of ten. Returns an error text, or
 * undefined when every check passed.
 */
export function selfTest(sparseMaxBytes: number, random: () => number = Math.random): string | undefined {
  const dense = Buffer.alloc(HLL_DENSE_SIZE + 1);
  const expected = new Uint8Array(HLL_REGISTERS);
  for (let cycle = 0; cycle < 1000; cycle++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = Math.floor(random() * 64);
      expected[i] = value;
      setDenseRegister(dense, i, value);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const value = getDenseRegister(dense, i);
      if (value !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${value}`;
    }
  }

  dense.fill(0, HLL_HDR_SIZE);
  const sparse = HllBuffer.empty();
  const relativeError = 1.04 / Math.sqrt(HLL_REGISTERS);
  let checkpoint = 1;
  const seedLow = Math.floor(random() * 0x100000000) >>> 0;
  const seedHigh = String.fromCharCode(...Array.from({ length: 4 }, () => Math.floor(random() * 256)));
  const histogram = newHistogram();
  const count = (bytes: Uint8Array, length: number): number | bigint => {
    histogram.fill(0);
    valueHistogram(bytes, length, histogram);
    return estimate(histogram);
  };
  for (let j = 1; j <= 10_000_000; j++) {
    const low = (j ^ seedLow) >>> 0;
    const element = String.fromCharCode(low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24) + seedHigh;
    const length = patternLength(element);
    denseSet(dense, patternIndex, length);
    if (sparse.encoding === HLL_DENSE) denseSet(sparse.bytes, patternIndex, length);
    else sparse.sparseSet(patternIndex, length, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== HLL_SPARSE) return "TESTFAILED sparse encoding not used";
    const denseCount = count(dense, HLL_DENSE_SIZE);
    if (denseCount !== count(sparse.bytes, sparse.length)) return "TESTFAILED dense/sparse disagree";
    let absoluteError = checkpoint - Number(denseCount);
    let maxError = Math.ceil(relativeError * 6 * checkpoint);
    if (j === 10) maxError = 1;
    if (absoluteError < 0) absoluteError = -absoluteError;
    if (absoluteError > maxError) return `TESTFAILED Too big error. card:${checkpoint} abserr:${absoluteError}`;
    checkpoint *= 10;
  }
  return undefined;
}
