import { randomCase, randomInteger, randomKey, type GeneratorContext, type Generated } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * SORT and SORT_RO for the repo-wide differential test. Every form generated here must give
 * the same bytes on both servers whatever state the shared keys are in, and stay so after
 * the runner's arity mutation (last argument dropped, or "extra"/""/"1" appended). Three
 * things in Redis make that take care:
 *
 * 1. Hash-table order. A set or sorted set is loaded in its hash order; it shows when a set
 *    is not sorted (BY a constant, without STORE) and in the ties of an ALPHA sort BY a
 *    pattern. So sets are sorted BY a constant only with STORE (Redis then sorts them
 *    ALPHA), and ALPHA BY a pattern is used on lists only. A numeric sort breaks ties by the
 *    elements' bytes, and ALPHA without BY compares distinct members — deterministic. (ALPHA
 *    without STORE compares C strings, where members differing only after a NUL tie: so on
 *    keys of the shared pool, whose values may hold NULs, ALPHA comes with STORE, which
 *    compares whole strings.)
 * 2. errno. Redis does not reset errno before SORT's strtod, so an ERANGE left by an
 *    unrelated earlier command (ZADD 1e400, ZRANGEBYSCORE 1e400...) fails the next numeric
 *    sort of non-integer-encoded values. Numbers are therefore only ever read from values
 *    Redis keeps integer-encoded, which skip strtod: elements of the list SORT_INTS (canonical
 *    integers in a listpack), weight strings set here to canonical integers, and hash fields
 *    holding integers in small hashes. Elsewhere the sort is ALPHA or BY a pattern (weights
 *    that do not exist count as 0 without any conversion). SORT_INTS is only ever written by
 *    a SORT ... STORE of a sorted set of integers built by ZADD: an RPUSH could get a "" from
 *    the arity mutation, which is no integer, while ZADD and SORT reject anything appended.
 * 3. The mutation. Every form ends with an option that takes an argument (STORE, GET, BY,
 *    LIMIT), so dropping the last argument leaves that option dangling — a syntax error —
 *    and anything appended is an unknown option, another syntax error.
 *
 * The data for 1 and 2 lives under keys of its own ("sort:..."), which no other generator's
 * key pool produces, so their types and encodings stay known.
 */

const SORT_INTS = "sort:ints";
const SORT_WORDS = "sort:words";
const SORT_SET = "sort:set";
const SORT_INTSET = "sort:intset";
const SORT_ZSET = "sort:zset";
/** Integer members, the source of SORT_INTS. */
const SORT_ZINTS = "sort:zints";

/** Elements of the words list, the set and the sorted set; each may have weights. */
const words = ["apple", "Banana", "cherry", "date", "elder", "fig", "grape", "kiwi", "lime", "a", "b", "B", "10", "9"];

const WEIGHT = "sort:w:*";
const HASH_WEIGHT = "sort:h:*->f";
const HASH_LABEL = "sort:h:*->g";

function word(r: Random): string {
  return r.pick(words);
}

/** A canonical integer: listpacks and SET keep it integer-encoded. */
function integer(r: Random): string {
  return String(r.chance(0.8) ? r.int(-5, 5) : r.int(-100000, 100000));
}

/** A weight's target: a word, or an integer (elements of the intset and the integer list). */
function weightTarget(r: Random): string {
  return r.chance(0.6) ? word(r) : String(r.int(-5, 30));
}

function getPatterns(r: Random): string[][] {
  return Array.from({ length: r.int(0, 2) }, () => [randomCase(r, "GET"), r.pick(["#", WEIGHT, HASH_LABEL, HASH_WEIGHT, "sort:missing:*", "nostar"])]);
}

function limit(r: Random): string[][] {
  if (!r.chance(0.4)) return [];
  return [[randomCase(r, "LIMIT"), r.chance(0.9) ? String(r.int(-2, 12)) : randomInteger(r), r.chance(0.9) ? String(r.int(-2, 12)) : randomInteger(r)]];
}

function direction(r: Random): string[][] {
  const roll = r.next();
  if (roll < 0.35) return [[randomCase(r, "DESC")]];
  if (roll < 0.45) return [[randomCase(r, "ASC")]];
  return [];
}

/**
 * Assembles SORT's arguments: flags (no argument) first in any order, then the options with
 * arguments in any order, and `last` (if given) at the very end; when nothing with an
 * argument ends the command, a GET # is added so the mutation cannot leave a valid command.
 */
function assemble(r: Random, name: string, key: string, flags: string[][], withArguments: string[][], last?: string[]): string[] {
  const tail = r.shuffle(withArguments);
  if (last !== undefined) tail.push(last);
  if (tail.length === 0) tail.push([randomCase(r, "GET"), "#"]);
  return [randomCase(r, name), key, ...r.shuffle(flags).flat(), ...tail.flat()];
}

function store(r: Random): string[] {
  return [randomCase(r, "STORE"), r.chance(0.7) ? randomKey(r) : "sort:dst"];
}

/** SORT or SORT_RO: the latter only when nothing is stored. */
function sortName(r: Random, storing: boolean): string {
  return storing || r.chance(0.6) ? "SORT" : "SORT_RO";
}

function sortOwnKey(r: Random): string[] {
  const storing = r.chance(0.25);
  const name = sortName(r, storing);
  const last = storing ? store(r) : undefined;
  const flags = direction(r);
  const options = [...limit(r), ...getPatterns(r)];
  switch (r.int(0, 6)) {
    case 0:
      // Numbers read straight from integer-encoded list elements.
      return assemble(r, name, SORT_INTS, flags, options, last);
    case 1:
      // A list, ALPHA, by itself or BY a pattern: ties keep list order in both servers.
      if (r.chance(0.5)) options.push([randomCase(r, "BY"), r.pick([WEIGHT, HASH_LABEL, "sort:missing:*"])]);
      return assemble(r, name, r.pick([SORT_WORDS, SORT_INTS]), [...flags, [randomCase(r, "ALPHA")]], options, last);
    case 2:
      // Distinct members without NULs, ALPHA without BY.
      return assemble(r, name, r.pick([SORT_SET, SORT_ZSET]), [...flags, [randomCase(r, "ALPHA")]], options, last);
    case 3:
      // Numeric BY integer weights (or none): ties broken by the elements' bytes.
      options.push([randomCase(r, "BY"), r.pick([WEIGHT, HASH_WEIGHT, "sort:missing:*"])]);
      return assemble(r, name, r.pick([SORT_SET, SORT_INTSET, SORT_ZSET, SORT_WORDS]), flags, options, last);
    case 4:
      // A sorted set BY a constant keeps its score order.
      options.push([randomCase(r, "BY"), r.pick(["nosort", "constant"])]);
      return assemble(r, name, r.pick([SORT_ZSET, SORT_INTS, SORT_WORDS]), flags, options, last);
    case 5:
      // A set BY a constant is sorted ALPHA when stored.
      options.push([randomCase(r, "BY"), "nosort"]);
      return assemble(r, "SORT", r.pick([SORT_SET, SORT_INTSET]), r.chance(0.3) ? [...flags, [randomCase(r, "ALPHA")]] : flags, options, store(r));
    default:
      // The sorted set's members are words: a numeric sort of them is an error in both.
      return assemble(r, name, SORT_ZSET, flags, options, last);
  }
}

/** Keys of the shared pool, in any state: only forms that are deterministic for every type. */
function sortSharedKey(r: Random): string[] {
  const key = randomKey(r);
  const flags = direction(r);
  const options = [...limit(r), ...getPatterns(r)];
  switch (r.int(0, 2)) {
    case 0:
      options.push([randomCase(r, "BY"), r.pick([WEIGHT, HASH_WEIGHT])]);
      return assemble(r, sortName(r, false), key, flags, options);
    case 1:
      return assemble(r, "SORT", key, [...flags, [randomCase(r, "ALPHA")]], options, store(r));
    default:
      options.push([randomCase(r, "BY"), "nosort"]);
      return assemble(r, "SORT", key, flags, options, store(r));
  }
}

/**
 * Option errors, which Redis reports before even looking the key up. Each form stays an
 * error, or becomes a deterministic sort, under the arity mutation.
 */
function sortError(r: Random): string[] {
  const key = r.chance(0.5) ? randomKey(r) : r.pick([SORT_INTS, SORT_SET, SORT_ZSET]);
  return r.pick([
    () => ["SORT_RO", key, "STORE", randomKey(r)],
    () => ["SORT", key, r.pick(["BADOPT", "NOSORT", "", "STORE\x00"]), "GET", "#"],
    () => ["SORT", key, "LIMIT", r.pick(["abc", "1.5", "", "9223372036854775808"]), "1", "GET", "#"],
    () => ["SORT", key, "LIMIT", "0", r.pick(["x", "-9223372036854775809"]), "BY", WEIGHT],
    () => ["SORT", key, "BY", WEIGHT, "LIMIT", "1"],
    () => ["SORT", key, "BY", WEIGHT, "GET"],
    // BY with nothing after it; "BY 1" (appended) sorts nothing, so only on the sorted set.
    () => [randomCase(r, "SORT_RO"), SORT_ZSET, "BY"],
  ])();
}

export function registerSortGenerators(add: AddGenerator): void {
  const ready = (ctx: GeneratorContext): boolean => ctx.extraTypes.has("list") && ctx.extraTypes.has("set");
  const sortCommand =
    (build: (r: Random) => string[]) =>
    (r: Random, ctx: GeneratorContext): Generated =>
      ready(ctx) ? { argv: build(r) } : { argv: [randomCase(r, "GET"), randomKey(r)] };

  // The data sorted above.
  const some = (r: Random, min: number, max: number, make: (r: Random) => string): string[] => Array.from({ length: r.int(min, max) }, () => make(r));
  add("RPUSH (sort data)", 0.8, sortCommand((r) => ["RPUSH", SORT_WORDS, ...some(r, 1, 6, (q) => (q.chance(0.7) ? word(q) : integer(q)))]));
  add("ZADD (sort integers)", 0.6, sortCommand((r) => ["ZADD", SORT_ZINTS, ...Array.from({ length: r.int(1, 4) }, () => [String(r.int(-3, 3)), integer(r)]).flat()]));
  add("SORT STORE (sort integers)", 0.4, sortCommand((r) => ["SORT", SORT_ZINTS, "BY", "nosort", ...(r.chance(0.3) ? ["DESC"] : []), "STORE", SORT_INTS]));
  add("LTRIM (sort data)", 0.2, sortCommand((r) => ["LTRIM", r.pick([SORT_INTS, SORT_WORDS]), "0", String(r.int(10, 40))]));
  add("SADD (sort data)", 0.8, sortCommand((r) => (r.chance(0.5) ? ["SADD", SORT_SET, ...some(r, 1, 4, word)] : ["SADD", SORT_INTSET, ...some(r, 1, 4, (q) => String(q.int(-5, 30)))])));
  add("ZADD (sort data)", 0.6, sortCommand((r) => ["ZADD", SORT_ZSET, ...Array.from({ length: r.int(1, 3) }, () => [String(r.int(-3, 3)), word(r)]).flat()]));
  add("SET (sort weight)", 1.2, sortCommand((r) => ["SET", `sort:w:${weightTarget(r)}`, integer(r)]));
  add("HSET (sort weight)", 0.8, sortCommand((r) => ["HSET", `sort:h:${weightTarget(r)}`, "f", integer(r), "g", word(r)]));
  add("SORT (own data)", 3, sortCommand(sortOwnKey));
  add("SORT (any key)", 1.5, sortCommand(sortSharedKey));
  add("SORT (option errors)", 0.5, sortCommand(sortError));
}
