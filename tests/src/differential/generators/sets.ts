import { randomCase, randomInteger, randomKey, randomValue, type Generated, type GeneratorContext } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Set commands for the repo-wide differential test. Keys come from the shared pool, so sets
 * meet strings (and the other families) and WRONGTYPE paths are exercised.
 *
 * Every command here is deterministic on both servers, even after the runner's arity
 * mutation (an argument dropped or "extra"/""/"1" appended). That rules out SPOP and
 * SRANDMEMBER: any of their forms can turn into a random draw ("SPOP key") or, for SADD into
 * a one-member set kept for drawing, grow the set. sets.differential.test.ts in core checks
 * them by their properties instead.
 *
 * Replies that list a hashtable-encoded set come in Redis's hash order, which kv cannot
 * reproduce: the commands in SETS_UNORDERED_REPLIES must be compared as multisets (intset
 * results are sorted on both servers, so they agree byte for byte anyway), and SSCAN, always
 * generated with a COUNT large enough to return every member in one page, as a cursor plus
 * a multiset of members.
 */

/** Commands whose reply is a set listed in hash order: compare the elements in any order. */
export const SETS_UNORDERED_REPLIES: ReadonlySet<string> = new Set(["SMEMBERS", "SINTER", "SUNION", "SDIFF"]);
/** Commands replying [cursor, members] where the members are in hash order (the cursor is always 0 here). */
export const SETS_UNORDERED_SCAN_REPLIES: ReadonlySet<string> = new Set(["SSCAN"]);

/** Members: mostly small integers, so that many sets stay intsets, plus what breaks an intset. */
function randomMember(r: Random): string {
  const roll = r.next();
  if (roll < 0.5) return String(r.int(-20, 60));
  if (roll < 0.6) return r.pick(["9223372036854775807", "-9223372036854775808", "9007199254740993", "9223372036854775808", "-0", "01", "+1", "1.0"]);
  if (roll < 0.75) return r.pick(["a", "b", "c", "member", ""]);
  return randomValue(r);
}

function members(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => randomMember(r));
}

function keys(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => randomKey(r));
}

export function registerSetsGenerators(add: AddGenerator): void {
  /** A set command, or GET when the kv under test has no sets (as the shared SADD generator does). */
  const command = (name: string, build: (r: Random) => string[]) => (r: Random, ctx: GeneratorContext): Generated =>
    ctx.extraTypes.has("set") ? { argv: [randomCase(r, name), ...build(r)] } : { argv: [randomCase(r, "GET"), randomKey(r)] };

  add("SADD (sets)", 4, command("SADD", (r) => [randomKey(r), ...members(r, 1, 6)]));
  add("SADD many", 0.3, command("SADD", (r) => [randomKey(r), ...Array.from({ length: r.int(500, 530) }, (_, i) => String(i - r.int(0, 3)))]));
  add("SREM", 2.5, command("SREM", (r) => [randomKey(r), ...members(r, 1, 4)]));
  add("SCARD", 1, command("SCARD", (r) => [randomKey(r)]));
  add("SISMEMBER", 1.5, command("SISMEMBER", (r) => [randomKey(r), randomMember(r)]));
  add("SMISMEMBER", 1, command("SMISMEMBER", (r) => [randomKey(r), ...members(r, 1, 4)]));
  add("SMOVE", 1.5, command("SMOVE", (r) => [randomKey(r), randomKey(r), randomMember(r)]));
  add("SMEMBERS", 1.5, command("SMEMBERS", (r) => [randomKey(r)]));
  for (const name of ["SINTER", "SUNION", "SDIFF"]) add(name, 1, command(name, (r) => keys(r, 1, 4)));
  for (const name of ["SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"]) add(name, 1, command(name, (r) => [randomKey(r), ...keys(r, 1, 4)]));
  add(
    "SINTERCARD",
    1,
    command("SINTERCARD", (r) => {
      const chosen = keys(r, 1, 3);
      const roll = r.next();
      const numkeys = roll < 0.85 ? String(chosen.length) : r.pick(["0", "-1", "abc", String(chosen.length + 1), "9223372036854775808"]);
      const limit = r.chance(0.4) ? [randomCase(r, "LIMIT"), r.chance(0.8) ? String(r.int(0, 5)) : randomInteger(r)] : [];
      return [numkeys, ...chosen, ...limit, ...(r.chance(0.03) ? ["BADOPT"] : [])];
    }),
  );
  add(
    "SSCAN",
    0.8,
    command("SSCAN", (r) => {
      const options: string[][] = [[randomCase(r, "COUNT"), "1000"]];
      if (r.chance(0.5)) options.push([randomCase(r, "MATCH"), r.pick(["*", "1*", "*1", "?", "[a-c]", "-*", "*\\**", ""])]);
      if (r.chance(0.05)) options.push(r.pick([["TYPE", "set"], ["COUNT", "0"], ["COUNT", "abc"], ["BADOPT"]]));
      // Only cursors that start a walk or are rejected: a resumed walk's page is hash-order specific.
      const cursor = r.chance(0.9) ? "0" : r.pick(["abc", "18446744073709551616", "", "1.5", "0x1"]);
      return [randomKey(r), cursor, ...r.shuffle(options).flat()];
    }),
  );
}
