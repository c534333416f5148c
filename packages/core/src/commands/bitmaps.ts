import { constants as bufferConstants } from "node:buffer";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import { BITS_IN_BYTE, BitOp, bitop, bitpos, popcount, type BitOpCode } from "../util/bit-ops.js";
import { byteAt, forEachPiece, patchValue, ropeChunks } from "../util/bitmap-rope.js";
import { cString, optionIs } from "../util/c-string.js";
import { parseInteger } from "../util/redis-integer.js";
import { protoMaxBulkLen } from "./strings.js";

/*
 * The bitmap commands (Redis's bitops.c): SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD
 * and BITFIELD_RO, on ordinary string values. Bit 0 is the most significant bit of the
 * first byte. Replies, error texts, the order arguments are checked in, notifications and
 * what gets propagated follow redis-server 7.0.15 — including that a write which changes no
 * bit (SETBIT to the current value, a BITFIELD whose every write fails) is not propagated.
 *
 * Values are immutable latin1 strings, so a write makes a new string. Bitmaps of 96 KB and
 * more are edited as ropes of chunks (util/bitmap-rope.ts) and read here chunk by chunk,
 * which keeps SETBIT on a 1 MB bitmap from copying a megabyte per bit.
 */

const BIT_OFFSET_ERROR = "ERR bit offset is not an integer or out of range";
const BIT_VALUE_ERROR = "ERR bit is not an integer or out of range";
const BITFIELD_TYPE_ERROR = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";

/**
 * Redis's getBitOffsetFromArgument: a non-negative bit offset whose byte is below
 * proto-max-bulk-len (the AOF loader is exempt), or -1 after the error reply. With
 * `hashBits` > 0 (BITFIELD), "#n" means n * hashBits, multiplied in 64 bits that wrap as
 * Redis's long long does.
 */
function bitOffsetOrReply(ctx: CommandContext, text: string, hashBits: number): number {
  const useHash = hashBits > 0 && text.charCodeAt(0) === 0x23;
  const parsed = parseInteger(useHash ? text.slice(1) : text);
  if (parsed === undefined) {
    ctx.error(BIT_OFFSET_ERROR);
    return -1;
  }
  let offset: number | bigint = parsed;
  if (useHash) {
    const product = Number(parsed) * hashBits;
    offset = Number.isSafeInteger(product) ? product : BigInt.asIntN(64, BigInt(parsed) * BigInt(hashBits));
  }
  if (offset < 0 || (ctx.client.kind !== "aof-loader" && Number(offset) / 8 >= protoMaxBulkLen(ctx))) {
    ctx.error(BIT_OFFSET_ERROR);
    return -1;
  }
  return Number(offset);
}

/**
 * Refuses strings V8 cannot hold (2^29 - 24 bytes, a few bytes under the default
 * proto-max-bulk-len): Redis would build them, we cannot.
 */
function lengthOrReply(ctx: CommandContext, length: number): boolean {
  if (length <= bufferConstants.MAX_STRING_LENGTH) return true;
  ctx.error(Errors.stringTooLong);
  return false;
}

/** A string made of `length` zero bytes. */
function zeros(length: number): string {
  return "\0".repeat(length);
}

// ---------------------------------------------------------------------------------------
// SETBIT, GETBIT
// ---------------------------------------------------------------------------------------

function setbitCommand(ctx: CommandContext, argv: readonly string[]): void {
  const offset = bitOffsetOrReply(ctx, argv[2]!, 0);
  if (offset < 0) return;
  const on = parseInteger(argv[3]!);
  if (on !== 0 && on !== 1) {
    ctx.error(BIT_VALUE_ERROR);
    return;
  }
  const key = argv[1]!;
  const current = ctx.lookupWrite(key);
  if (current !== undefined && typeof current !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  const byte = Math.floor(offset / 8);
  const shift = 7 - (offset % 8);
  const db = ctx.db;
  let old = 0;
  let updated: string | undefined;
  if (current === undefined || byte >= current.length) {
    // A new or grown string is a change even when the bit stays 0, as in Redis.
    if (!lengthOrReply(ctx, byte + 1)) return;
    const head = current ?? "";
    updated = head + zeros(byte - head.length) + String.fromCharCode(on << shift);
    if (current === undefined) {
      db.set(key, updated);
      ctx.notify(NotifyClass.New, "new", key);
    } else {
      db.overwrite(key, updated);
    }
  } else {
    const currentByte = byteAt(current, ropeChunks(db, key, current), byte);
    old = (currentByte >> shift) & 1;
    if (old !== on) {
      updated = patchValue(db, key, current, byte, String.fromCharCode(currentByte ^ (1 << shift)));
      db.overwrite(key, updated);
    }
  }
  // Redis unshares the value (a private raw sds) even when no bit changes.
  db.encodingPins.set(key, "raw");
  if (updated !== undefined) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.String, "setbit", key);
    ctx.dirty();
  }
  ctx.reply.integer(old);
}

function getbitCommand(ctx: CommandContext, argv: readonly string[]): void {
  const offset = bitOffsetOrReply(ctx, argv[2]!, 0);
  if (offset < 0) return;
  const value = ctx.lookupRead(argv[1]!);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  const byte = Math.floor(offset / 8);
  if (byte >= value.length) {
    ctx.reply.integer(0);
    return;
  }
  ctx.reply.integer((byteAt(value, ropeChunks(ctx.db, argv[1]!, value), byte) >> (7 - (offset % 8))) & 1);
}

// ---------------------------------------------------------------------------------------
// BITCOUNT, BITPOS
// ---------------------------------------------------------------------------------------

/** BYTE or BIT (C-string compare); undefined after a syntax error reply. */
function unitIsBitOrReply(ctx: CommandContext, text: string): boolean | undefined {
  if (optionIs(text, "bit")) return true;
  if (optionIs(text, "byte")) return false;
  ctx.error(Errors.syntax);
  return undefined;
}

/** Redis's index normalization: negatives count from `total`, then clamped to [0, ...]. */
function fromEnd(index: number | bigint, total: number): number {
  // Beyond 2^53 an index is far outside any string; only its sign matters then.
  const n = Number(index);
  const adjusted = n < 0 ? n + total : n;
  return adjusted < 0 ? 0 : adjusted;
}

/** A resolved BITCOUNT/BITPOS range: byte bounds, and the bits to leave out of the end bytes. */
const range = { start: 0, end: 0, firstMask: 0, lastMask: 0 };

/**
 * Redis's range arithmetic shared by BITCOUNT and BITPOS: negative bounds count from the end,
 * the end is clamped to the value, and a BIT range becomes whole bytes plus masks of the
 * bits before `start` in the first byte and after `end` in the last. Fills `range`.
 */
function resolveRange(parsedStart: number | bigint, parsedEnd: number | bigint, length: number, isBit: boolean): void {
  const total = isBit ? length * 8 : length;
  let start = fromEnd(parsedStart, total);
  let end = fromEnd(parsedEnd, total);
  if (end >= total) end = total - 1;
  range.firstMask = 0;
  range.lastMask = 0;
  if (isBit && start <= end) {
    range.firstMask = ~((1 << (8 - (start % 8))) - 1) & 0xff;
    range.lastMask = (1 << (7 - (end % 8))) - 1;
    start = Math.floor(start / 8);
    end = Math.floor(end / 8);
  }
  range.start = start;
  range.end = end;
}

/** BITCOUNT key [start end [BYTE|BIT]]. A missing key answers 0 before the arguments are checked (7.0). */
function bitcountCommand(ctx: CommandContext, argv: readonly string[]): void {
  const value = ctx.lookupRead(argv[1]!);
  if (value === undefined) {
    ctx.reply.integer(0);
    return;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  const length = value.length;
  let start = 0;
  let end = length - 1;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length === 4 || argv.length === 5) {
    const parsedStart = parseInteger(argv[2]!);
    if (parsedStart === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    const parsedEnd = parseInteger(argv[3]!);
    if (parsedEnd === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    // Checked before the unit, so "-1 -2 FOO" answers 0 rather than a syntax error.
    if (parsedStart < 0 && parsedEnd < 0 && parsedStart > parsedEnd) {
      ctx.reply.integer(0);
      return;
    }
    let isBit = false;
    if (argv.length === 5) {
      const unit = unitIsBitOrReply(ctx, argv[4]!);
      if (unit === undefined) return;
      isBit = unit;
    }
    resolveRange(parsedStart, parsedEnd, length, isBit);
    ({ start, end, firstMask, lastMask } = range);
  } else if (argv.length !== 2) {
    ctx.error(Errors.syntax);
    return;
  }
  if (start > end) {
    ctx.reply.integer(0);
    return;
  }
  const chunks = ropeChunks(ctx.db, argv[1]!, value);
  let count = 0;
  forEachPiece(value, chunks, start, end + 1, (text, from, to) => {
    count += popcount(text, from, to);
    return false;
  });
  // Bits of the edge bytes outside a BIT range were counted: take them back out.
  if (firstMask !== 0) count -= BITS_IN_BYTE[byteAt(value, chunks, start) & firstMask]!;
  if (lastMask !== 0) count -= BITS_IN_BYTE[byteAt(value, chunks, end) & lastMask]!;
  ctx.reply.integer(count);
}

/** redisBitpos on one byte. */
function bitposInByte(byte: number, bit: number): number {
  if (bit === 1) return byte === 0 ? -1 : Math.clz32(byte) - 24;
  return byte === 0xff ? 8 : Math.clz32(~byte & 0xff) - 24;
}

/** redisBitpos over bytes [start, start + count) of a value that may be a rope. */
function bitposOfPieces(value: string, chunks: readonly string[] | undefined, start: number, count: number, bit: number): number {
  if (chunks === undefined) return bitpos(value, start, count, bit);
  let found = -1;
  forEachPiece(value, chunks, start, start + count, (text, from, to, offset) => {
    const pos = bitpos(text, from, to - from, bit);
    if (pos === -1 || pos === (to - from) * 8) return false;
    found = (offset - start) * 8 + pos;
    return true;
  });
  if (found >= 0) return found;
  return bit === 1 ? -1 : count * 8;
}

/** BITPOS key bit [start [end [BYTE|BIT]]], with Redis's rules for a range's right end. */
function bitposCommand(ctx: CommandContext, argv: readonly string[]): void {
  const parsedBit = parseInteger(argv[2]!);
  if (parsedBit === undefined) {
    ctx.error(Errors.notInteger);
    return;
  }
  if (parsedBit !== 0 && parsedBit !== 1) {
    ctx.error("ERR The bit argument must be 1 or 0.");
    return;
  }
  const bit = parsedBit;
  // A missing key is an endless run of zeros.
  const value = ctx.lookupRead(argv[1]!);
  if (value === undefined) {
    ctx.reply.integer(bit === 1 ? -1 : 0);
    return;
  }
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return;
  }
  const length = value.length;
  let start = 0;
  let end = length - 1;
  let endGiven = false;
  let firstMask = 0;
  let lastMask = 0;
  if (argv.length >= 4 && argv.length <= 6) {
    const parsedStart = parseInteger(argv[3]!);
    if (parsedStart === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    let isBit = false;
    if (argv.length === 6) {
      const unit = unitIsBitOrReply(ctx, argv[5]!);
      if (unit === undefined) return;
      isBit = unit;
    }
    let parsedEnd: number | bigint = length - 1;
    if (argv.length >= 5) {
      const given = parseInteger(argv[4]!);
      if (given === undefined) {
        ctx.error(Errors.notInteger);
        return;
      }
      parsedEnd = given;
      endGiven = true;
    }
    resolveRange(parsedStart, parsedEnd, length, isBit);
    ({ start, end, firstMask, lastMask } = range);
  } else if (argv.length !== 3) {
    ctx.error(Errors.syntax);
    return;
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) {
    ctx.reply.integer(-1);
    return;
  }
  const chunks = ropeChunks(ctx.db, argv[1]!, value);
  let bytes = end - start + 1;
  let pos: number;
  search: {
    if (firstMask !== 0) {
      // The first byte with its out-of-range bits forced to the value not searched for.
      let first = byteAt(value, chunks, start);
      first = bit === 1 ? first & ~firstMask : first | firstMask;
      if (lastMask !== 0 && bytes === 1) first = bit === 1 ? first & ~lastMask : first | lastMask;
      pos = bitposInByte(first & 0xff, bit);
      if (bytes === 1 || (pos !== -1 && pos !== 8)) break search;
      start++;
      bytes--;
    }
    // A last byte that is only partly in range is searched on its own below.
    const middle = bytes - (lastMask !== 0 ? 1 : 0);
    if (middle > 0) {
      pos = bitposOfPieces(value, chunks, start, middle, bit);
      if (bytes === middle || (pos !== -1 && pos !== middle * 8)) break search;
      start += middle;
      bytes -= middle;
    }
    const last = byteAt(value, chunks, end);
    pos = bitposInByte((bit === 1 ? last & ~lastMask : last | lastMask) & 0xff, bit);
  }
  // With an explicit end, a 0 found only past the range (in the implied zero padding) is no answer.
  if (endGiven && bit === 0 && pos === bytes * 8) {
    ctx.reply.integer(-1);
    return;
  }
  ctx.reply.integer(pos === -1 ? -1 : pos + start * 8);
}

// ---------------------------------------------------------------------------------------
// BITOP
// ---------------------------------------------------------------------------------------

/** BITOP AND|OR|XOR|NOT destkey key [key ...]; missing keys are empty strings. */
function bitopCommand(ctx: CommandContext, argv: readonly string[]): void {
  const name = argv[1]!;
  let op: BitOpCode;
  if (optionIs(name, "and")) op = BitOp.And;
  else if (optionIs(name, "or")) op = BitOp.Or;
  else if (optionIs(name, "xor")) op = BitOp.Xor;
  else if (optionIs(name, "not")) op = BitOp.Not;
  else {
    ctx.error(Errors.syntax);
    return;
  }
  if (op === BitOp.Not && argv.length !== 4) {
    ctx.error("ERR BITOP NOT must be called with a single source key.");
    return;
  }
  const sources: (readonly string[])[] = [];
  let maxLength = 0;
  for (let j = 3; j < argv.length; j++) {
    const value = ctx.lookupRead(argv[j]!);
    if (value === undefined) {
      sources.push([]);
      continue;
    }
    if (typeof value !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    sources.push(ropeChunks(ctx.db, argv[j]!, value) ?? [value]);
    if (value.length > maxLength) maxLength = value.length;
  }
  const target = argv[2]!;
  const db = ctx.db;
  if (maxLength > 0) {
    const result = bitop(op, sources, maxLength);
    // Redis's setKey: a plain overwrite (any type, TTL cleared), "new" for a new key.
    const existed = ctx.lookupWrite(target) !== undefined;
    db.set(target, result);
    if (!existed) ctx.notify(NotifyClass.New, "new", target);
    db.encodingPins.set(target, "raw");
    ctx.keyModified(target);
    ctx.notify(NotifyClass.String, "set", target);
    ctx.dirty();
  } else if (db.delete(target)) {
    // dbDelete, without the expiry check a lookup would make: an expired target counts as deleted.
    ctx.keyModified(target);
    ctx.notify(NotifyClass.Generic, "del", target);
    ctx.dirty();
  }
  ctx.reply.integer(maxLength);
}

// ---------------------------------------------------------------------------------------
// BITFIELD, BITFIELD_RO
// ---------------------------------------------------------------------------------------

const OP_GET = 0;
const OP_SET = 1;
const OP_INCRBY = 2;

const OVERFLOW_WRAP = 0;
const OVERFLOW_SAT = 1;
const OVERFLOW_FAIL = 2;

interface BitfieldOp {
  opcode: number;
  overflow: number;
  signed: boolean;
  bits: number;
  offset: number;
  /** SET's value or INCRBY's increment (a long long). */
  argument: number | bigint;
}

/** Redis's getBitfieldTypeFromArgument: i1..i64 or u1..u63, lowercase sign letter only. */
function bitfieldTypeOrReply(ctx: CommandContext, text: string): { signed: boolean; bits: number } | undefined {
  const sign = text.charCodeAt(0);
  if (sign === 0x69 || sign === 0x75) {
    // strlen: the width ends at a NUL byte.
    const bits = parseInteger(cString(text.slice(1)));
    const signed = sign === 0x69;
    if (bits !== undefined && bits >= 1 && bits <= (signed ? 64 : 63)) return { signed, bits: Number(bits) };
  }
  ctx.error(BITFIELD_TYPE_ERROR);
  return undefined;
}

/** Field bits read by readField, right-aligned, as two unsigned 32-bit halves. */
let fieldHigh = 0;
let fieldLow = 0;

/** Reads `bits` bits at bit `offset` of `value`, MSB first; bytes past the end read as zero. */
function readField(value: string, chunks: readonly string[] | undefined, offset: number, bits: number): void {
  const firstByte = Math.floor(offset / 8);
  let position = offset - firstByte * 8;
  let high = 0;
  let low = 0;
  let byteIndex = firstByte;
  let byte = byteIndex < value.length ? byteAt(value, chunks, byteIndex) : 0;
  for (let j = 0; j < bits; j++) {
    if (position === 8) {
      position = 0;
      byteIndex++;
      byte = byteIndex < value.length ? byteAt(value, chunks, byteIndex) : 0;
    }
    const bit = (byte >> (7 - position)) & 1;
    high = ((high << 1) | (low >>> 31)) >>> 0;
    low = ((low << 1) | bit) >>> 0;
    position++;
  }
  fieldHigh = high;
  fieldLow = low;
}

/**
 * `value` (held by `key`) with `bits` bits at bit `offset` replaced by the low bits of
 * high:low; the string covers them.
 */
function writeField(db: Database, key: string, value: string, offset: number, bits: number, high: number, low: number): string {
  const chunks = ropeChunks(db, key, value);
  const firstByte = Math.floor(offset / 8);
  const lastByte = Math.floor((offset + bits - 1) / 8);
  const patch = fieldBytes;
  for (let i = firstByte; i <= lastByte; i++) patch[i - firstByte] = byteAt(value, chunks, i);
  let position = offset - firstByte * 8;
  for (let j = 0; j < bits; j++) {
    const k = bits - 1 - j;
    const bit = k < 32 ? (low >>> k) & 1 : (high >>> (k - 32)) & 1;
    const index = position >> 3;
    const mask = 1 << (7 - (position & 7));
    patch[index] = bit !== 0 ? patch[index]! | mask : patch[index]! & ~mask;
    position++;
  }
  let bytes = "";
  for (let i = 0; i <= lastByte - firstByte; i++) bytes += String.fromCharCode(patch[i]!);
  return patchValue(db, key, value, firstByte, bytes);
}

const fieldBytes = new Uint8Array(9);

const TWO_POW_32 = 4294967296;

/** The field just read as the signed or unsigned integer it holds (a bigint beyond 2^53). */
function fieldValue(signed: boolean, bits: number): number | bigint {
  if (bits <= 32) {
    if (signed && bits > 0 && fieldLow >= 2 ** (bits - 1)) return fieldLow - 2 ** bits;
    return fieldLow;
  }
  const unsigned = (BigInt(fieldHigh) << 32n) | BigInt(fieldLow);
  return signed ? BigInt.asIntN(bits, unsigned) : unsigned;
}

/** Outcome of an overflow check: the value to store (unless FAIL), and whether it overflowed. */
let checkedOverflow = 0;

/**
 * checkSignedBitfieldOverflow / checkUnsignedBitfieldOverflow with SET's (value, 0) or
 * INCRBY's (old, increment), for widths up to 32 bits and |operands| <= 2^53: exact with
 * Numbers there, since none of the C code's 64-bit wrap-arounds can happen. Returns the
 * resulting value (wrapped or saturated when `checkedOverflow` is non-zero).
 */
function smallBitfieldResult(signed: boolean, bits: number, value: number, increment: number, overflow: number): number {
  const range = 2 ** bits;
  const max = signed ? range / 2 - 1 : range - 1;
  const min = signed ? -range / 2 : 0;
  let direction = 0;
  if (signed) {
    if (value > max || increment > max - value) direction = 1;
    else if (value < min || increment < min - value) direction = -1;
  } else if (value < 0 || value > max || (increment > 0 && increment > max - value)) {
    // A negative SET value is a huge uint64 to Redis: an overflow, not an underflow.
    direction = 1;
  } else if (increment < 0 && increment < -value) {
    direction = -1;
  }
  checkedOverflow = direction;
  if (direction === 0) return value + increment;
  if (overflow === OVERFLOW_SAT) return direction > 0 ? max : min;
  // WRAP (and FAIL, whose value is unused): value + increment modulo 2^bits, kept exact.
  let wrapped = (value + (increment % range)) % range;
  if (wrapped < 0) wrapped += range;
  return signed && wrapped > max ? wrapped - range : wrapped;
}

const U64_MASK = (1n << 64n) - 1n;

/**
 * The same checks on any width, emulating Redis's C exactly with 64-bit wrap-around —
 * including its quirks: maxincr = (uint64)max - value wraps for SET values near LLONG_MIN,
 * which then saturate to the maximum instead of the minimum.
 */
function bigBitfieldResult(signed: boolean, bits: number, value: bigint, increment: bigint, overflow: number): bigint {
  const width = BigInt(bits);
  if (!signed) {
    const max = bits === 64 ? U64_MASK : (1n << width) - 1n;
    const maxIncrement = BigInt.asIntN(64, max - value);
    const minIncrement = BigInt.asIntN(64, -value);
    let direction = 0;
    if (value > max || (increment > 0n && increment > maxIncrement)) direction = 1;
    else if (increment < 0n && increment < minIncrement) direction = -1;
    checkedOverflow = direction;
    if (direction === 0) return value + increment;
    if (overflow === OVERFLOW_SAT) return direction > 0 ? max : 0n;
    return BigInt.asUintN(64, value + increment) & max;
  }
  const max = bits === 64 ? (1n << 63n) - 1n : (1n << (width - 1n)) - 1n;
  const min = -max - 1n;
  const maxIncrement = BigInt.asIntN(64, BigInt.asUintN(64, max) - BigInt.asUintN(64, value));
  const minIncrement = BigInt.asIntN(64, min - value);
  let direction = 0;
  if (value > max || (bits !== 64 && increment > maxIncrement) || (value >= 0n && increment > 0n && increment > maxIncrement)) direction = 1;
  else if (value < min || (bits !== 64 && increment < minIncrement) || (value < 0n && increment < 0n && increment < minIncrement)) direction = -1;
  checkedOverflow = direction;
  if (direction === 0) return value + increment;
  if (overflow === OVERFLOW_SAT) return direction > 0 ? max : min;
  return BigInt.asIntN(bits, BigInt.asUintN(64, value + increment));
}

/** BITFIELD and BITFIELD_RO (Redis's bitfieldGeneric). */
function bitfieldGeneric(ctx: CommandContext, argv: readonly string[], readOnlyCommand: boolean): void {
  const ops: BitfieldOp[] = [];
  let overflow = OVERFLOW_WRAP;
  let readOnly = true;
  let highestWriteOffset = 0;
  for (let j = 2; j < argv.length; j++) {
    const remaining = argv.length - j - 1;
    const subcommand = argv[j]!;
    let opcode: number;
    if (optionIs(subcommand, "get") && remaining >= 2) opcode = OP_GET;
    else if (optionIs(subcommand, "set") && remaining >= 3) opcode = OP_SET;
    else if (optionIs(subcommand, "incrby") && remaining >= 3) opcode = OP_INCRBY;
    else if (optionIs(subcommand, "overflow") && remaining >= 1) {
      const kind = argv[++j]!;
      if (optionIs(kind, "wrap")) overflow = OVERFLOW_WRAP;
      else if (optionIs(kind, "sat")) overflow = OVERFLOW_SAT;
      else if (optionIs(kind, "fail")) overflow = OVERFLOW_FAIL;
      else {
        ctx.error("ERR Invalid OVERFLOW type specified");
        return;
      }
      continue;
    } else {
      ctx.error(Errors.syntax);
      return;
    }
    const type = bitfieldTypeOrReply(ctx, argv[j + 1]!);
    if (type === undefined) return;
    const offset = bitOffsetOrReply(ctx, argv[j + 2]!, type.bits);
    if (offset < 0) return;
    let argument: number | bigint = 0;
    if (opcode !== OP_GET) {
      readOnly = false;
      if (highestWriteOffset < offset + type.bits - 1) highestWriteOffset = offset + type.bits - 1;
      const parsed = parseInteger(argv[j + 3]!);
      if (parsed === undefined) {
        ctx.error(Errors.notInteger);
        return;
      }
      argument = parsed;
    }
    ops.push({ opcode, overflow, signed: type.signed, bits: type.bits, offset, argument });
    j += opcode === OP_GET ? 2 : 3;
  }

  const key = argv[1]!;
  const db = ctx.db;
  let value: string;
  let grown = false;
  if (readOnly) {
    const found = ctx.lookupRead(key);
    if (found !== undefined && typeof found !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    value = found ?? "";
  } else {
    if (readOnlyCommand) {
      ctx.error("ERR BITFIELD_RO only supports the GET subcommand");
      return;
    }
    // Redis's lookupStringForBitCommand: the string is created or zero-padded up to the
    // farthest bit written before any operation runs, and stays so even if every write fails.
    const found = ctx.lookupWrite(key);
    if (found !== undefined && typeof found !== "string") {
      ctx.error(Errors.wrongType);
      return;
    }
    const needed = Math.floor(highestWriteOffset / 8) + 1;
    if (!lengthOrReply(ctx, needed)) return;
    if (found === undefined) {
      value = zeros(needed);
      db.set(key, value);
      ctx.notify(NotifyClass.New, "new", key);
      grown = true;
    } else {
      value = found;
      if (needed > found.length) {
        value = found + zeros(needed - found.length);
        db.overwrite(key, value);
        grown = true;
      }
    }
  }

  const reply = ctx.reply;
  reply.array(ops.length);
  let changes = 0;
  let written = false;
  for (const op of ops) {
    readField(value, ropeChunks(db, key, value), op.offset, op.bits);
    if (op.opcode === OP_GET) {
      reply.integer(fieldValue(op.signed, op.bits));
      continue;
    }
    const old = fieldValue(op.signed, op.bits);
    const argument = op.argument;
    let result: number | bigint;
    let changed: boolean;
    if (typeof old === "number" && typeof argument === "number") {
      result =
        op.opcode === OP_SET
          ? smallBitfieldResult(op.signed, op.bits, argument, 0, op.overflow)
          : smallBitfieldResult(op.signed, op.bits, old, argument, op.overflow);
      changed = result !== old;
    } else {
      // Unsigned SET sees its long long argument as a uint64, as Redis's assignment does.
      const setValue = op.signed ? BigInt(argument) : BigInt.asUintN(64, BigInt(argument));
      const big =
        op.opcode === OP_SET
          ? bigBitfieldResult(op.signed, op.bits, setValue, 0n, op.overflow)
          : bigBitfieldResult(op.signed, op.bits, BigInt(old), BigInt(argument), op.overflow);
      changed = big !== BigInt(old);
      result = big;
    }
    if (checkedOverflow !== 0 && op.overflow === OVERFLOW_FAIL) {
      reply.nullBulk();
      continue;
    }
    reply.integer(op.opcode === OP_SET ? old : result);
    // The field's new bits: the result modulo 2^bits (two's complement for negatives).
    let high: number;
    let low: number;
    if (typeof result === "number") {
      const unsigned = result < 0 ? result + 2 ** op.bits : result;
      high = Math.floor(unsigned / TWO_POW_32);
      low = unsigned % TWO_POW_32;
    } else {
      const unsigned = BigInt.asUintN(64, result);
      high = Number(unsigned >> 32n);
      low = Number(unsigned & 0xffffffffn);
    }
    value = writeField(db, key, value, op.offset, op.bits, high, low);
    written = true;
    if (grown || changed) changes++;
  }
  if (written) db.overwrite(key, value);
  // Redis unshared the value (a private raw sds) for writing, even if no write succeeded.
  if (!readOnly) db.encodingPins.set(key, "raw");
  if (changes !== 0) {
    ctx.keyModified(key);
    ctx.notify(NotifyClass.String, "setbit", key);
    ctx.dirty(changes);
  }
}

function bitfieldCommand(ctx: CommandContext, argv: readonly string[]): void {
  bitfieldGeneric(ctx, argv, false);
}

function bitfieldRoCommand(ctx: CommandContext, argv: readonly string[]): void {
  bitfieldGeneric(ctx, argv, true);
}

export const bitmapsCommands: CommandDefinition[] = [
  { name: "setbit", handler: setbitCommand },
  { name: "getbit", handler: getbitCommand },
  { name: "bitcount", handler: bitcountCommand },
  { name: "bitpos", handler: bitposCommand },
  { name: "bitop", handler: bitopCommand },
  { name: "bitfield", handler: bitfieldCommand },
  { name: "bitfield_ro", handler: bitfieldRoCommand },
];
