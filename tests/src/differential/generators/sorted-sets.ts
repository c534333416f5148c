import { randomCase, randomInteger, randomKey, randomValue } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Sorted-set commands for the repo-wide differential test. Keys mostly come from the shared
 * pool, so sorted sets meet strings and the other families (WRONGTYPE paths, sets as
 * ZUNION/ZINTER/ZDIFF inputs).
 *
 * Every command here is deterministic on both servers, even after the runner's arity
 * mutation (an argument dropped or "extra"/""/"1" appended):
 * - ZRANDMEMBER only as "key N WITHSCORES" with N = 0 or N at least the set's size (the whole
 *   set, in a fixed order), or forms that fail; any other draw is random. Its sampled forms
 *   are checked by their properties in core's sorted-sets.differential.test.ts.
 * - ZSCAN only with COUNT 1000 and a literal MATCH, so that a skiplist-encoded set (listed
 *   in Redis's dict order otherwise) gives at most one member in a single page.
 * - Lex ranges (BYLEX, ZLEXCOUNT, ZREMRANGEBYLEX) only on LEX_KEYS, which are only ever given
 *   score 0: over mixed scores, Redis's skiplist answers depend on its random node levels.
 *   Nothing else writes those keys but deletions.
 */

const LEX_KEYS = ["zlex", "zlex2"];

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

function randomMember(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return r.pick(["a", "b", "c", "d", "e", "f", "g", "member", ""]);
  if (roll < 0.75) return String(r.int(-5, 20));
  return randomValue(r);
}

function members(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => randomMember(r));
}

/** A score: mostly small integers (ties are common), sometimes a quirky double or a bad one. */
function randomScore(r: Random): string {
  const roll = r.next();
  if (roll < 0.75) return String(r.int(-5, 10));
  if (roll < 0.95) return r.pick(["0.1", "-0", "2.5", "-3.75", "1e17", "inf", "-inf", "+inf", "4.9e-324", "123456789.123456789", "0x10", ".5"]);
  return r.pick(["nan", "abc", "", " 1", "1e400", "1e-400", "1 ", "1\x00", "0x", LLONG_MAX]);
}

function scoreBound(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return (r.chance(0.3) ? "(" : "") + String(r.int(-5, 10));
  if (roll < 0.85) return r.pick(["-inf", "+inf", "inf", "(inf", "(-inf", "2.5", "(0.1", "", "(", "1e400"]);
  return r.pick(["nan", "abc", "((1", "[1", " 1", "1\x00x"]);
}

function lexBound(r: Random): string {
  const roll = r.next();
  if (roll < 0.3) return r.pick(["-", "+"]);
  if (roll < 0.85) return r.pick(["[", "("]) + r.pick(["a", "b", "c", "d", "", "member", "z"]);
  return r.pick(["a", "", "+x", "-\x00", "[\x00"]);
}

function rankArgument(r: Random): string {
  return r.chance(0.8) ? String(r.int(-8, 8)) : randomInteger(r);
}

function limitOption(r: Random): string[] {
  if (!r.chance(0.3)) return [];
  return [randomCase(r, "LIMIT"), r.chance(0.8) ? String(r.int(-1, 4)) : randomInteger(r), r.chance(0.8) ? String(r.int(-1, 4)) : randomInteger(r)];
}

function withScores(r: Random): string[] {
  return r.chance(0.4) ? [randomCase(r, "WITHSCORES")] : [];
}

/** numkeys and keys for the multi-key commands: mostly right, sometimes a bad or short count. */
function numkeysAndKeys(r: Random): string[] {
  const chosen = Array.from({ length: r.int(1, 3) }, () => randomKey(r));
  const numkeys = r.chance(0.9) ? String(chosen.length) : r.pick(["0", "-1", "abc", String(chosen.length + 1), "9223372036854775808"]);
  return [numkeys, ...chosen];
}

export function registerSortedSetsGenerators(add: AddGenerator): void {
  const argv = (r: Random, name: string, ...args: string[]): { argv: string[] } => ({ argv: [randomCase(r, name), ...args] });

  add("ZADD", 4, (r) => {
    const options = r.shuffle(["NX", "XX", "CH", "GT", "LT", "INCR"]).filter(() => r.chance(0.15));
    const pairs = members(r, 1, options.includes("INCR") && r.chance(0.8) ? 1 : 4).flatMap((member) => [randomScore(r), member]);
    return argv(r, "ZADD", randomKey(r), ...options.map((option) => randomCase(r, option)), ...pairs);
  });
  add("ZADD many", 0.3, (r) => {
    // Enough members to cross zset-max-listpack-entries (128) now and then.
    const count = r.int(100, 160);
    return argv(r, "ZADD", randomKey(r), ...Array.from({ length: count }, (_, i) => [String(r.int(0, 50)), `m${i}`]).flat());
  });
  add("ZADD lex", 1, (r) => argv(r, "ZADD", r.pick(LEX_KEYS), ...members(r, 1, 5).flatMap((member) => ["0", member])));
  add("ZINCRBY", 1.5, (r) => argv(r, "ZINCRBY", randomKey(r), randomScore(r), randomMember(r)));
  add("ZREM", 1.5, (r) => argv(r, "ZREM", r.chance(0.8) ? randomKey(r) : r.pick(LEX_KEYS), ...members(r, 1, 3)));
  add("ZCARD", 1, (r) => argv(r, "ZCARD", randomKey(r)));
  add("ZSCORE", 1.5, (r) => argv(r, "ZSCORE", randomKey(r), randomMember(r)));
  add("ZMSCORE", 1, (r) => argv(r, "ZMSCORE", randomKey(r), ...members(r, 1, 3)));
  for (const name of ["ZRANK", "ZREVRANK"]) add(name, 1, (r) => argv(r, name, randomKey(r), randomMember(r)));
  add("ZCOUNT", 1, (r) => argv(r, "ZCOUNT", randomKey(r), scoreBound(r), scoreBound(r)));
  add("ZLEXCOUNT", 0.8, (r) => argv(r, "ZLEXCOUNT", r.pick(LEX_KEYS), lexBound(r), lexBound(r)));
  add("ZRANGE", 2.5, (r) => {
    const roll = r.next();
    const rev = r.chance(0.3) ? [randomCase(r, "REV")] : [];
    if (roll < 0.5) return argv(r, "ZRANGE", randomKey(r), rankArgument(r), rankArgument(r), ...rev, ...withScores(r), ...(r.chance(0.05) ? limitOption(r) : []));
    if (roll < 0.8) return argv(r, "ZRANGE", randomKey(r), scoreBound(r), scoreBound(r), randomCase(r, "BYSCORE"), ...rev, ...withScores(r), ...limitOption(r));
    return argv(r, "ZRANGE", r.pick(LEX_KEYS), lexBound(r), lexBound(r), randomCase(r, "BYLEX"), ...rev, ...limitOption(r), ...(r.chance(0.05) ? ["WITHSCORES"] : []));
  });
  add("ZRANGESTORE", 1, (r) => {
    const source = randomKey(r);
    const range = r.chance(0.6) ? [rankArgument(r), rankArgument(r)] : [scoreBound(r), scoreBound(r), randomCase(r, "BYSCORE"), ...limitOption(r)];
    return argv(r, "ZRANGESTORE", randomKey(r), source, ...range, ...(r.chance(0.3) ? [randomCase(r, "REV")] : []));
  });
  add("ZREVRANGE", 0.8, (r) => argv(r, "ZREVRANGE", randomKey(r), rankArgument(r), rankArgument(r), ...withScores(r)));
  for (const name of ["ZRANGEBYSCORE", "ZREVRANGEBYSCORE"]) {
    add(name, 0.8, (r) => argv(r, name, randomKey(r), scoreBound(r), scoreBound(r), ...r.shuffle([withScores(r), limitOption(r)]).flat()));
  }
  for (const name of ["ZRANGEBYLEX", "ZREVRANGEBYLEX"]) add(name, 0.6, (r) => argv(r, name, r.pick(LEX_KEYS), lexBound(r), lexBound(r), ...limitOption(r)));
  add("ZREMRANGEBYRANK", 0.6, (r) => argv(r, "ZREMRANGEBYRANK", randomKey(r), rankArgument(r), rankArgument(r)));
  add("ZREMRANGEBYSCORE", 0.6, (r) => argv(r, "ZREMRANGEBYSCORE", randomKey(r), scoreBound(r), scoreBound(r)));
  add("ZREMRANGEBYLEX", 0.4, (r) => argv(r, "ZREMRANGEBYLEX", r.pick(LEX_KEYS), lexBound(r), lexBound(r)));
  for (const name of ["ZPOPMIN", "ZPOPMAX"]) {
    add(name, 0.8, (r) => argv(r, name, randomKey(r), ...(r.chance(0.6) ? [r.chance(0.8) ? String(r.int(0, 4)) : randomInteger(r)] : [])));
  }
  add("ZMPOP", 0.8, (r) => {
    const where = r.chance(0.95) ? randomCase(r, r.pick(["MIN", "MAX"])) : r.pick(["MID", ""]);
    const count = r.chance(0.5) ? [randomCase(r, "COUNT"), r.chance(0.8) ? String(r.int(1, 4)) : randomInteger(r)] : [];
    return argv(r, "ZMPOP", ...numkeysAndKeys(r), where, ...count);
  });
  for (const name of ["ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"]) {
    add(name, 0.7, (r) => {
      const store = name.endsWith("STORE") ? [randomKey(r)] : [];
      const inputs = numkeysAndKeys(r);
      const options: string[][] = [];
      if (r.chance(0.3)) options.push([randomCase(r, "WEIGHTS"), ...inputs.slice(1).map(() => r.pick(["1", "2", "-1", "0.5", "0", "inf", "abc"]))]);
      if (r.chance(0.3)) options.push([randomCase(r, "AGGREGATE"), r.pick(["SUM", "MIN", "MAX", "max", "AVG"])]);
      if (r.chance(0.4)) options.push([randomCase(r, "WITHSCORES")]);
      if (name === "ZINTERCARD" && r.chance(0.5)) options.push([randomCase(r, "LIMIT"), r.pick(["0", "1", "2", "-1", "abc"])]);
      return argv(r, name, ...store, ...inputs, ...r.shuffle(options).flat());
    });
  }
  add("ZRANDMEMBER", 0.5, (r) =>
    argv(r, "ZRANDMEMBER", randomKey(r), ...r.pick([["0", "WITHSCORES"], ["100000", "WITHSCORES"], ["100000", "WITHSCORES"], ["1000", "withscores"], [LLONG_MAX, "WITHSCORES"], ["abc", "WITHSCORES"], [LLONG_MIN, "WITHSCORES"], ["0", "BADOPT"]])),
  );
  add("ZSCAN", 0.5, (r) => {
    const cursor = r.chance(0.9) ? "0" : r.pick(["abc", "-1x", ""]);
    return argv(r, "ZSCAN", randomKey(r), cursor, randomCase(r, "COUNT"), "1000", randomCase(r, "MATCH"), r.pick(["a", "b", "member", "m1", "nomatch"]));
  });
}
