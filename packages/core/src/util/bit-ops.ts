/*
 * Bit-level reads of latin1 strings (one char per byte) for the bitmap commands: population
 * count and first-bit search, with Redis's bit numbering — bit 0 is the most significant
 * bit of the first byte.
 *
 * Long ranges are copied into a reusable scratch buffer and processed 32 bits at a time:
 * one memcpy plus a word loop measured ~3x faster than charCodeAt per byte on 1 MB.
 */

/** Bits set in each byte value. */
export const BITS_IN_BYTE: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 1; i < 256; i++) table[i] = (i & 1) + table[i >> 1]!;
  return table;
})();

/** Below this many bytes a charCodeAt loop beats copying into the scratch buffer. */
const WORD_LOOP_THRESHOLD = 256;
/** The scratch buffer is kept for reuse up to this size; longer strings get a temporary one. */
const SCRATCH_KEEP_LIMIT = 8 * 1024 * 1024;

interface WordBuffer {
  /** The bytes (a Buffer, for latin1 writes), at offset 0 of their ArrayBuffer. */
  bytes: Buffer;
  /** The same memory as 32-bit words (host byte order: only bit counts and equality are read). */
  words: Int32Array;
}

function wordBuffer(size: number): WordBuffer {
  const buffer = new ArrayBuffer((size + 7) - ((size + 7) % 4));
  return { bytes: Buffer.from(buffer), words: new Int32Array(buffer) };
}

let scratch = wordBuffer(0);

/** Bytes [start, end) of `text` copied to the start of a word buffer, valid until the next call. */
function copyToScratch(text: string, start: number, end: number): WordBuffer {
  const length = end - start;
  let target = scratch;
  if (length > target.bytes.length) {
    target = wordBuffer(Math.max(length, target.bytes.length * 2));
    if (target.bytes.length <= SCRATCH_KEEP_LIMIT) scratch = target;
  }
  target.bytes.write(start === 0 && end === text.length ? text : text.slice(start, end), 0, length, "latin1");
  return target;
}

/** Set bits in bytes [start, end) of `text` (Redis's redisPopcount). */
export function popcount(text: string, start: number, end: number): number {
  let bits = 0;
  if (end - start < WORD_LOOP_THRESHOLD) {
    for (let i = start; i < end; i++) bits += BITS_IN_BYTE[text.charCodeAt(i)]!;
    return bits;
  }
  const length = end - start;
  const { bytes, words } = copyToScratch(text, start, end);
  const wordCount = length >> 2;
  for (let i = 0; i < wordCount; i++) {
    let v = words[i]!;
    v -= (v >>> 1) & 0x55555555;
    v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
    bits += Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  for (let i = wordCount << 2; i < length; i++) bits += BITS_IN_BYTE[bytes[i]!]!;
  return bits;
}

/** Position (0-7, MSB first) of the first bit equal to `bit` in `byte`, which must hold one. */
function firstBitInByte(byte: number, bit: number): number {
  const ones = bit === 1 ? byte : ~byte & 0xff;
  return Math.clz32(ones) - 24;
}

/**
 * Redis's redisBitpos over bytes [start, start + count) of `text`: the position, relative
 * to `start`, of the first bit equal to `bit`. Looking for 0 in all-ones bytes answers
 * count * 8 (the string is taken as zero-padded on the right); looking for 1 in all-zero
 * bytes answers -1.
 */
export function bitpos(text: string, start: number, count: number, bit: number): number {
  const skip = bit === 1 ? 0 : 0xff;
  const end = start + count;
  if (count < WORD_LOOP_THRESHOLD) {
    for (let i = start; i < end; i++) {
      const byte = text.charCodeAt(i);
      if (byte !== skip) return (i - start) * 8 + firstBitInByte(byte, bit);
    }
    return bit === 1 ? -1 : count * 8;
  }
  const { bytes, words } = copyToScratch(text, start, end);
  const skipWord = bit === 1 ? 0 : -1;
  const wordCount = count >> 2;
  let i = 0;
  while (i < wordCount && words[i] === skipWord) i++;
  for (let j = i << 2; j < count; j++) {
    const byte = bytes[j]!;
    if (byte !== skip) return j * 8 + firstBitInByte(byte, bit);
  }
  return bit === 1 ? -1 : count * 8;
}

/** The bitwise operations of BITOP. */
export const BitOp = { And: 0, Or: 1, Xor: 2, Not: 3 } as const;
export type BitOpCode = (typeof BitOp)[keyof typeof BitOp];

/**
 * BITOP's result: sources shorter than the longest read as zero-padded; NOT takes one
 * source. Each source is given as its pieces in order (a whole string is one piece).
 * Returns a latin1 string of `maxLength` bytes.
 */
export function bitop(op: BitOpCode, sources: readonly (readonly string[])[], maxLength: number): string {
  const result = wordBuffer(maxLength);
  const resultWords = result.words;
  const words = resultWords.length;
  writePieces(result.bytes, sources[0]!);
  if (op === BitOp.Not) {
    for (let i = 0; i < words; i++) resultWords[i] = ~resultWords[i]!;
  } else if (sources.length > 1) {
    // Missing bytes read as zero: the first source's tail already is; clear the others' too.
    const source = wordBuffer(maxLength);
    const sourceWords = source.words;
    for (let k = 1; k < sources.length; k++) {
      if (k > 1) source.bytes.fill(0);
      writePieces(source.bytes, sources[k]!);
      if (op === BitOp.And) for (let i = 0; i < words; i++) resultWords[i] = resultWords[i]! & sourceWords[i]!;
      else if (op === BitOp.Or) for (let i = 0; i < words; i++) resultWords[i] = resultWords[i]! | sourceWords[i]!;
      else for (let i = 0; i < words; i++) resultWords[i] = resultWords[i]! ^ sourceWords[i]!;
    }
  }
  return result.bytes.toString("latin1", 0, maxLength);
}

function writePieces(target: Buffer, pieces: readonly string[]): void {
  let offset = 0;
  for (const piece of pieces) offset += target.write(piece, offset, piece.length, "latin1");
}
