import { randomCase, randomInteger, randomKey } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD, BITFIELD_RO) for the
 * repo-wide differential test. Bitmaps are strings under the shared keys, so these meet the
 * string generators' values (and lists, sets... for WRONGTYPE). Every reply is
 * deterministic.
 *
 * Memory: a valid bit offset makes both servers allocate up to offset / 8 bytes, so written
 * offsets stay below 2^14 bits. Out-of-range offsets (>= 2^32 bits, negative, malformed)
 * are generated too, but they fail before anything is allocated — also after the runner's
 * arity mutation, which only drops the last argument or appends one.
 */

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

/** A bit offset for writes: small, or one Redis rejects before allocating. */
function writeOffset(r: Random): string {
  const roll = r.next();
  if (roll < 0.75) return String(r.int(0, 300));
  if (roll < 0.88) return String(r.int(0, 16_000));
  return r.pick(["-1", "4294967296", LLONG_MAX, LLONG_MIN, "abc", "", "1.5", "#3", " 1"]);
}

/** A bit offset for reads, which allocate nothing: anything up to the limit. */
function readOffset(r: Random): string {
  return r.chance(0.9) ? writeOffset(r) : r.pick(["4294967295", "4294967294", "100000000"]);
}

/** A start/end index of BITCOUNT and BITPOS. */
function index(r: Random): string {
  const roll = r.next();
  if (roll < 0.7) return String(r.int(-40, 40));
  if (roll < 0.82) return String(r.int(-400, 400));
  return randomInteger(r);
}

function unit(r: Random): string[] {
  const roll = r.next();
  if (roll < 0.45) return [];
  if (roll < 0.97) return [randomCase(r, r.pick(["BIT", "BYTE"]))];
  return [r.pick(["BITS", "x", ""])];
}

function bitfieldType(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return `${r.pick(["i", "u"])}${r.pick([1, 2, 3, 5, 8, 16, 31, 32, 33])}`;
  if (roll < 0.9) return `${r.pick(["i", "u"])}${r.int(1, 64)}`;
  return r.pick(["u64", "i65", "i0", "I8", "x8", "", "u", "u08"]);
}

/**
 * A BITFIELD offset. "#n" is n times the field width, so a large one is valid for narrow
 * fields ("#536870912" of an i1 is byte 2^26): writes only get offsets that fail whatever
 * the width, reads may get any.
 */
function bitfieldOffset(r: Random, forWrite: boolean): string {
  const roll = r.next();
  if (roll < 0.7) return String(r.int(0, 200));
  if (roll < 0.88) return `#${r.int(0, 30)}`;
  if (forWrite) return r.pick(["-1", "abc", "#", "#-1", "4294967296", "##1"]);
  return r.pick(["-1", "abc", "#", "#-1", "4294967296", "#536870912", "#536870911", "##1"]);
}

/** A BITFIELD SET value or INCRBY increment: small, near the 64-bit edges, or malformed. */
function bitfieldValue(r: Random): string {
  const roll = r.next();
  if (roll < 0.55) return String(r.int(-300, 300));
  if (roll < 0.7) return String(r.int(-(2 ** 40), 2 ** 40));
  if (roll < 0.93) return r.pick([LLONG_MAX, LLONG_MIN, "9007199254740993", "-9007199254740993", "4294967296", "-2147483649", "-9223372036854775681"]);
  return r.pick(["abc", "", "1.5", "9223372036854775808"]);
}

function bitfieldOperations(r: Random, readOnly: boolean): string[] {
  const args: string[] = [];
  for (let i = r.int(readOnly ? 0 : 1, 4); i > 0; i--) {
    const roll = r.next();
    if (readOnly || roll < 0.3) args.push(randomCase(r, "GET"), bitfieldType(r), bitfieldOffset(r, false));
    else if (roll < 0.55) args.push(randomCase(r, "SET"), bitfieldType(r), bitfieldOffset(r, true), bitfieldValue(r));
    else if (roll < 0.85) args.push(randomCase(r, "INCRBY"), bitfieldType(r), bitfieldOffset(r, true), bitfieldValue(r));
    else args.push(randomCase(r, "OVERFLOW"), r.chance(0.92) ? randomCase(r, r.pick(["WRAP", "SAT", "FAIL"])) : r.pick(["BAD", ""]));
  }
  // A write in BITFIELD_RO, or an unknown operation, now and then.
  if (r.chance(0.04)) args.push(...r.pick([["SET", "u8", "0", "1"], ["FOO"], ["GET", "u8"]]));
  return args;
}

export function registerBitmapsGenerators(add: AddGenerator): void {
  const named = (r: Random, name: string, ...args: string[]): { argv: string[] } => ({ argv: [randomCase(r, name), ...args] });

  add("SETBIT", 4, (r) => named(r, "SETBIT", randomKey(r), writeOffset(r), r.chance(0.93) ? r.pick(["0", "1"]) : r.pick(["2", "-1", "abc", ""])));
  add("GETBIT", 2.5, (r) => named(r, "GETBIT", randomKey(r), readOffset(r)));
  add("BITCOUNT", 2.5, (r) => {
    const roll = r.next();
    const args = roll < 0.3 ? [] : roll < 0.95 ? [index(r), index(r), ...unit(r)] : [index(r)];
    return named(r, "BITCOUNT", randomKey(r), ...args);
  });
  add("BITPOS", 2.5, (r) => {
    const bit = r.chance(0.94) ? r.pick(["0", "1"]) : r.pick(["2", "-1", "abc"]);
    const roll = r.next();
    const args = roll < 0.3 ? [] : roll < 0.55 ? [index(r)] : [index(r), index(r), ...unit(r)];
    return named(r, "BITPOS", randomKey(r), bit, ...args);
  });
  add("BITOP", 2, (r) => {
    const op = r.chance(0.95) ? randomCase(r, r.pick(["AND", "OR", "XOR", "NOT"])) : r.pick(["NAND", "", "ANDX"]);
    const sources = op.toUpperCase() === "NOT" && r.chance(0.9) ? [randomKey(r)] : Array.from({ length: r.int(1, 3) }, () => randomKey(r));
    return named(r, "BITOP", op, randomKey(r), ...sources);
  });
  add("BITFIELD", 3, (r) => named(r, "BITFIELD", randomKey(r), ...bitfieldOperations(r, false)));
  add("BITFIELD_RO", 1, (r) => named(r, "BITFIELD_RO", randomKey(r), ...bitfieldOperations(r, r.chance(0.9))));
}
