import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors, sanitizeErrorText } from "../errors.js";
import type { StoredValue } from "../keyspace/stored-value.js";
import {
  cachedCardinality,
  decodeSparse,
  estimate,
  getDenseRegister,
  HLL_DENSE,
  HLL_REGISTERS,
  HLL_SPARSE,
  HllBuffer,
  isHllString,
  mergeInto,
  newHistogram,
  patternIndex,
  patternLength,
  rawHistogram,
  scratchBytes,
  selfTest,
  setDenseRegisters,
  valueHistogram,
} from "../types/hyperloglog.js";
import { cString, optionIs } from "../util/c-string.js";

/*
 * The HyperLogLog family (Redis's hyperloglog.c commands). HLLs are plain strings whose
 * bytes follow Redis's format exactly (see types/hyperloglog.ts), so GET, DUMP-like reads
 * and the AOF see what redis-server would hold.
 */

const NOT_AN_HLL = "WRONGTYPE Key is not a valid HyperLogLog string value.";
const CORRUPT_HLL = "INVALIDOBJ Corrupted HLL object detected";

const histogram = newHistogram();
/** Merged registers, one per byte (PFCOUNT of several keys, PFMERGE). */
const mergedRegisters = new Uint8Array(HLL_REGISTERS);

function sparseMaxBytes(ctx: CommandContext): number {
  return Number(ctx.engine.config.get("hll-sparse-max-bytes"));
}

/** Redis's isHLLObjectOrReply: the value as a string, or undefined after the error reply. */
function hllOrReply(ctx: CommandContext, value: StoredValue): string | undefined {
  if (typeof value !== "string") {
    ctx.error(Errors.wrongType);
    return undefined;
  }
  if (!isHllString(value)) {
    ctx.error(NOT_AN_HLL);
    return undefined;
  }
  return value;
}

/**
 * dbUnshareStringValue: Redis turns the value into a private raw sds before changing it —
 * and before merely reading it in PFCOUNT and PFDEBUG — which OBJECT ENCODING shows.
 */
function unshare(ctx: CommandContext, key: string): void {
  ctx.db.encodingPins.set(key, "raw");
}

/** Writes an updated HLL back: a new key (no TTL) or the same key keeping its TTL. */
function store(ctx: CommandContext, key: string, value: string, created: boolean): void {
  if (created) ctx.db.set(key, value);
  else ctx.db.overwrite(key, value);
  unshare(ctx, key);
}

/** A cardinality as Redis replies it: the uint64 cast to long long. */
function replyCardinality(ctx: CommandContext, card: number | bigint): void {
  ctx.reply.integer(typeof card === "bigint" ? BigInt.asIntN(64, card) : card);
}

// ---------------------------------------------------------------------------------------
// PFADD
// ---------------------------------------------------------------------------------------

/** Whether any element would raise a register of the dense HLL `value` (read in place). */
function denseWouldChange(value: string, argv: readonly string[]): boolean {
  for (let j = 2; j < argv.length; j++) {
    const count = patternLength(argv[j]!);
    const byte = 16 + ((patternIndex * 6) >> 3);
    const shift = (patternIndex * 6) & 7;
    const next = byte + 1 < value.length ? value.charCodeAt(byte + 1) : 0;
    if (count > (((value.charCodeAt(byte) >> shift) | (next << (8 - shift))) & 63)) return true;
  }
  return false;
}

function pfaddCommand(ctx: CommandContext, argv: readonly string[]): void {
  const key = argv[1]!;
  const current = ctx.lookupWrite(key);
  let hll: HllBuffer;
  let updated = 0;
  const created = current === undefined;
  if (created) {
    hll = HllBuffer.empty();
    ctx.notify(NotifyClass.New, "new", key);
    updated++;
  } else {
    const value = hllOrReply(ctx, current);
    if (value === undefined) return;
    // Most adds to a big (dense) HLL change nothing: answer those without copying 12 KB.
    if (value.charCodeAt(4) === HLL_DENSE && !denseWouldChange(value, argv)) {
      unshare(ctx, key);
      ctx.reply.integer(0);
      return;
    }
    hll = HllBuffer.fromString(value);
  }
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 2; j < argv.length; j++) {
    const result = hll.add(argv[j]!, maxBytes);
    if (result === 1) {
      updated++;
    } else if (result === -1) {
      // Registers updated before the corruption was found stay updated, unpropagated, as in Redis.
      store(ctx, key, hll.toString(), created);
      ctx.error(CORRUPT_HLL);
      return;
    }
  }
  if (updated !== 0) {
    hll.invalidateCache();
    store(ctx, key, hll.toString(), created);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.String, "pfadd", key);
    ctx.dirty(updated);
  } else {
    unshare(ctx, key);
  }
  ctx.reply.integer(updated !== 0 ? 1 : 0);
}

// ---------------------------------------------------------------------------------------
// PFCOUNT
// ---------------------------------------------------------------------------------------

/** The 8 bytes of a cached cardinality, little-endian. */
function cardinalityBytes(card: number | bigint): string {
  let text = "";
  if (typeof card === "number") {
    for (let i = 0; i < 8; i++) {
      text += String.fromCharCode(card % 256);
      card = Math.floor(card / 256);
    }
    return text;
  }
  for (let i = 0; i < 8; i++) {
    text += String.fromCharCode(Number(card & 0xffn));
    card >>= 8n;
  }
  return text;
}

function pfcountCommand(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length > 2) {
    // The cardinality of the union, computed without storing anything.
    mergedRegisters.fill(0);
    for (let j = 1; j < argv.length; j++) {
      const found = ctx.lookupRead(argv[j]!);
      if (found === undefined) continue;
      const value = hllOrReply(ctx, found);
      if (value === undefined) return;
      if (!mergeInto(mergedRegisters, scratchBytes(value), value.length)) {
        ctx.error(CORRUPT_HLL);
        return;
      }
    }
    histogram.fill(0);
    rawHistogram(mergedRegisters, histogram);
    replyCardinality(ctx, estimate(histogram));
    return;
  }

  const key = argv[1]!;
  const found = ctx.lookupRead(key);
  if (found === undefined) {
    ctx.reply.integer(0);
    return;
  }
  const value = hllOrReply(ctx, found);
  if (value === undefined) return;
  unshare(ctx, key);
  const cached = cachedCardinality(value);
  if (cached !== undefined) {
    replyCardinality(ctx, cached);
    return;
  }
  histogram.fill(0);
  if (!valueHistogram(scratchBytes(value), value.length, histogram)) {
    ctx.error(CORRUPT_HLL);
    return;
  }
  const card = estimate(histogram);
  ctx.db.overwrite(key, value.slice(0, 8) + cardinalityBytes(card) + value.slice(16));
  unshare(ctx, key);
  // Refreshing the cache changes the string: Redis counts it as a change and propagates the
  // PFCOUNT itself, although the command is flagged read-only (which our engine's automatic
  // propagation skips).
  ctx.keyModified(key);
  ctx.dirty();
  ctx.alsoPropagate(ctx.db.index, argv);
  replyCardinality(ctx, card);
}

// ---------------------------------------------------------------------------------------
// PFMERGE
// ---------------------------------------------------------------------------------------

function pfmergeCommand(ctx: CommandContext, argv: readonly string[]): void {
  mergedRegisters.fill(0);
  let useDense = false;
  // Sources start at argv[1]: the destination is merged too.
  for (let j = 1; j < argv.length; j++) {
    const found = ctx.lookupRead(argv[j]!);
    if (found === undefined) continue;
    const value = hllOrReply(ctx, found);
    if (value === undefined) return;
    if (value.charCodeAt(4) === HLL_DENSE) useDense = true;
    if (!mergeInto(mergedRegisters, scratchBytes(value), value.length)) {
      ctx.error(CORRUPT_HLL);
      return;
    }
  }

  const key = argv[1]!;
  const current = ctx.lookupWrite(key);
  const created = current === undefined;
  let hll: HllBuffer;
  if (created) {
    hll = HllBuffer.empty();
    ctx.notify(NotifyClass.New, "new", key);
  } else {
    // Validated above as a source.
    hll = HllBuffer.fromString(current as string);
  }
  if (useDense && !hll.toDense()) {
    store(ctx, key, hll.toString(), created);
    ctx.error(CORRUPT_HLL);
    return;
  }
  // Redis raises the registers one by one (hllSparseSet, hllDenseSet). While sparse, each
  // step decides the exact opcodes, so it is replayed; once dense (from the start, or
  // promoted midway), the result is just the maxima, which include the destination itself.
  const maxBytes = sparseMaxBytes(ctx);
  for (let j = 0; j < HLL_REGISTERS && hll.encoding === HLL_SPARSE; j++) {
    const register = mergedRegisters[j]!;
    if (register !== 0) hll.sparseSet(j, register, maxBytes);
  }
  if (hll.encoding === HLL_DENSE) setDenseRegisters(hll.bytes, mergedRegisters);
  hll.invalidateCache();
  store(ctx, key, hll.toString(), created);
  ctx.keyModified(key);
  // A merge is announced as "pfadd": in effect a mass add of elements.
  ctx.notify(NotifyClass.String, "pfadd", key);
  ctx.dirty();
  ctx.reply.simple("OK");
}

// ---------------------------------------------------------------------------------------
// PFDEBUG, PFSELFTEST
// ---------------------------------------------------------------------------------------

/** PFDEBUG GETREG|DECODE|ENCODING|TODENSE key (arity is exactly 3 in Redis 7.0). */
function pfdebugCommand(ctx: CommandContext, argv: readonly string[]): void {
  const subcommand = argv[1]!;
  const key = argv[2]!;
  const found = ctx.lookupWrite(key);
  if (found === undefined) {
    ctx.error("ERR The specified key does not exist");
    return;
  }
  const value = hllOrReply(ctx, found);
  if (value === undefined) return;
  unshare(ctx, key);
  const toDense = optionIs(subcommand, "todense");
  if (toDense || optionIs(subcommand, "getreg")) {
    const hll = HllBuffer.fromString(value);
    const converted = hll.encoding === HLL_SPARSE;
    if (converted) {
      if (!hll.toDense()) {
        ctx.error(CORRUPT_HLL);
        return;
      }
      store(ctx, key, hll.toString(), false);
      // Redis counts the conversion so that replicas and the AOF convert too.
      ctx.dirty();
    }
    if (toDense) {
      ctx.reply.integer(converted ? 1 : 0);
      return;
    }
    ctx.reply.array(HLL_REGISTERS);
    for (let j = 0; j < HLL_REGISTERS; j++) ctx.reply.integer(getDenseRegister(hll.bytes, j));
  } else if (optionIs(subcommand, "decode")) {
    if (value.charCodeAt(4) !== HLL_SPARSE) {
      ctx.error("ERR HLL encoding is not sparse");
      return;
    }
    ctx.reply.bulk(decodeSparse(scratchBytes(value), value.length));
  } else if (optionIs(subcommand, "encoding")) {
    ctx.reply.simple(value.charCodeAt(4) === HLL_DENSE ? "dense" : "sparse");
  } else {
    ctx.error(sanitizeErrorText(`ERR Unknown PFDEBUG subcommand '${cString(subcommand)}'`));
  }
}

function pfselftestCommand(ctx: CommandContext): void {
  const failure = selfTest(sparseMaxBytes(ctx));
  if (failure === undefined) ctx.reply.simple("OK");
  else ctx.error(failure);
}

export const hyperloglogCommands: CommandDefinition[] = [
  { name: "pfadd", handler: pfaddCommand },
  { name: "pfcount", handler: pfcountCommand },
  { name: "pfmerge", handler: pfmergeCommand },
  { name: "pfdebug", handler: pfdebugCommand },
  { name: "pfselftest", handler: pfselftestCommand },
];
