import { parseInteger } from "../util/redis-integer.js";
import { cString } from "../util/c-string.js";

/*
 * Stream entry IDs: two unsigned 64-bit halves, <ms>-<seq> (Redis's streamID).
 *
 * Each half is a U64: a JS number while it is at most 2^53 - 1 and a bigint above. The
 * representation is normalized (a bigint never holds a value a number could), so every
 * bigint is larger than every number and comparisons stay cheap in the common case —
 * real IDs are millisecond clocks and small sequences, and never touch BigInt.
 */

export type U64 = number | bigint;

export const U64_MAX = 18446744073709551615n;
const SAFE_MAX_BIG = 9007199254740991n;

/** A bigint as a normalized U64 (a number when exactly representable). */
export function u64(value: bigint): U64 {
  return value <= SAFE_MAX_BIG ? Number(value) : value;
}

export function compareU64(a: U64, b: U64): number {
  if (typeof a === "number") {
    if (typeof b === "number") return a < b ? -1 : a > b ? 1 : 0;
    return -1;
  }
  if (typeof b === "number") return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** a + 1, or undefined when a is 2^64 - 1. */
export function incrementU64(a: U64): U64 | undefined {
  if (typeof a === "number") return a < Number.MAX_SAFE_INTEGER ? a + 1 : 9007199254740992n;
  return a === U64_MAX ? undefined : a + 1n;
}

/** a - 1, or undefined when a is 0. */
export function decrementU64(a: U64): U64 | undefined {
  if (typeof a === "number") return a > 0 ? a - 1 : undefined;
  return u64(a - 1n);
}

/** (a - b) mod 2^64 read as a signed 64-bit integer: how a listpack stores an ID delta. */
export function deltaU64(a: U64, b: U64): number | bigint {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const delta = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return delta >= -SAFE_MAX_BIG && delta <= SAFE_MAX_BIG ? Number(delta) : delta;
}

/** Anything with an ID: entries, pending entries, parsed arguments. */
export interface StreamIdLike {
  readonly ms: U64;
  readonly seq: U64;
}

export class StreamId implements StreamIdLike {
  constructor(
    readonly ms: U64,
    readonly seq: U64,
  ) {}

  toString(): string {
    return `${this.ms}-${this.seq}`;
  }
}

export const MIN_ID = new StreamId(0, 0);
export const MAX_ID = new StreamId(U64_MAX, U64_MAX);

export function compareIds(a: StreamIdLike, b: StreamIdLike): number {
  return compareU64(a.ms, b.ms) || compareU64(a.seq, b.seq);
}

export function compareIdTo(a: StreamIdLike, ms: U64, seq: U64): number {
  return compareU64(a.ms, ms) || compareU64(a.seq, seq);
}

export function isZeroId(id: StreamIdLike): boolean {
  return id.ms === 0 && id.seq === 0;
}

export function formatId(id: StreamIdLike): string {
  return `${id.ms}-${id.seq}`;
}

/** The ID right after `id` (Redis's streamIncrID), or undefined when `id` is the last possible one. */
export function nextId(id: StreamIdLike): StreamId | undefined {
  const seq = incrementU64(id.seq);
  if (seq !== undefined) return new StreamId(id.ms, seq);
  const ms = incrementU64(id.ms);
  return ms === undefined ? undefined : new StreamId(ms, 0);
}

/** The ID right before `id` (Redis's streamDecrID), or undefined when `id` is 0-0. */
export function previousId(id: StreamIdLike): StreamId | undefined {
  const seq = decrementU64(id.seq);
  if (seq !== undefined) return new StreamId(id.ms, seq);
  const ms = decrementU64(id.ms);
  return ms === undefined ? undefined : new StreamId(ms, U64_MAX);
}

// ---------------------------------------------------------------------------------------
// Parsing (Redis's streamGenericParseIDOrReply and string2ull)
// ---------------------------------------------------------------------------------------

export const INVALID_STREAM_ID = "ERR Invalid stream ID specified as stream command argument";

/** A parsed ID argument; `seqGiven` is false only for XADD's `<ms>-*` form. */
export interface ParsedId extends StreamIdLike {
  seqGiven: boolean;
}

/**
 * Parses a stream ID argument like Redis: `-` and `+` (unless `strict`), `<ms>` (the
 * sequence is then `missingSeq`), `<ms>-<seq>`, and `<ms>-*` when `allowSeqStar` (XADD).
 * Each half goes through string2ull, which is more lenient than it looks: after a strict
 * string2ll attempt it falls back to strtoull, so " 5", "+5", "007" are 5 and "-0" is 0,
 * and a negative number that string2ll rejects wraps around ("-01" is 2^64 - 1).
 * The argument is seen as a C string (up to its first NUL) of at most 127 bytes.
 */
export function parseStreamId(text: string, missingSeq: U64, strict: boolean, allowSeqStar = false): ParsedId | undefined {
  if (text.length > 127) return undefined;
  const buf = cString(text);
  if (buf === "-") return strict ? undefined : { ms: 0, seq: 0, seqGiven: true };
  if (buf === "+") return strict ? undefined : { ms: U64_MAX, seq: U64_MAX, seqGiven: true };
  const dash = buf.indexOf("-");
  const ms = parseU64(dash < 0 ? buf : buf.slice(0, dash));
  if (ms === undefined) return undefined;
  if (dash < 0) return { ms, seq: missingSeq, seqGiven: true };
  const seqText = buf.slice(dash + 1);
  if (allowSeqStar && seqText === "*") return { ms, seq: 0, seqGiven: false };
  const seq = parseU64(seqText);
  return seq === undefined ? undefined : { ms, seq, seqGiven: true };
}

/** Redis's string2ull: string2ll's strict form first, then strtoull's lenient one. */
export function parseU64(text: string): U64 | undefined {
  const strict = parseInteger(text);
  if (strict !== undefined) {
    if (strict < 0) return undefined;
    return typeof strict === "bigint" ? u64(strict) : strict;
  }
  return strtoull(text);
}

const UINT64_MODULUS = 18446744073709551616n;

/** C's strtoull in base 10, requiring the whole (non-empty) text to be consumed. */
function strtoull(text: string): U64 | undefined {
  const length = text.length;
  let i = 0;
  // isspace in the C locale: space, \t, \n, \v, \f, \r.
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
    i++;
  }
  let negative = false;
  const sign = text.charCodeAt(i);
  if (sign === 0x2b || sign === 0x2d) {
    negative = sign === 0x2d;
    i++;
  }
  const digitsStart = i;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i++;
  }
  if (i === digitsStart || i !== length) return undefined;
  const magnitude = BigInt(text.slice(digitsStart, i));
  if (magnitude > U64_MAX) return undefined; // ERANGE, whatever the sign
  return u64(negative && magnitude !== 0n ? UINT64_MODULUS - magnitude : magnitude);
}

// ---------------------------------------------------------------------------------------
// Signed 64-bit counters (entries_added, entries_read, delivery counts)
// ---------------------------------------------------------------------------------------

/** A 64-bit counter: a number while exact, a bigint beyond (entries_added may be set to LLONG_MAX). */
export type Counter = number | bigint;

/** c + 1 with C's wrap-around at 2^64 for the unsigned counters Redis keeps. */
export function incrementCounter(c: Counter): Counter {
  if (typeof c === "number" && c < Number.MAX_SAFE_INTEGER) return c + 1;
  const next = BigInt.asUintN(64, BigInt(c) + 1n);
  return next <= SAFE_MAX_BIG ? Number(next) : next;
}

/** A counter as Redis replies it (addReplyLongLong of an unsigned or signed 64-bit value). */
export function counterAsLongLong(c: Counter): number | bigint {
  if (typeof c === "number") return c;
  const signed = BigInt.asIntN(64, c);
  return signed >= -SAFE_MAX_BIG && signed <= SAFE_MAX_BIG ? Number(signed) : signed;
}

/** a - b as signed 64-bit arithmetic (Redis's lag computation). */
export function subtractCounters(a: Counter, b: Counter): number | bigint {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return counterAsLongLong(BigInt.asIntN(64, BigInt(a) - BigInt(b)));
}
