import { randomCase, randomInteger, randomKey, randomValue, type GeneratorContext, type Generated } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Random list commands (the non-blocking ones). Lists live under the same keys as strings,
 * so every command also meets WRONGTYPE. Elements come mostly from a small pool, so that
 * LREM/LPOS/LINSERT find their pivots, and otherwise from the shared value generator. Every
 * list reply is deterministic, so everything here is compared byte for byte. Pushes add at
 * most a handful of elements, which keeps lists short enough for the dataset dumps.
 */

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

const elementPool = ["a", "b", "c", "1", "-1", "007", "", "x".repeat(70)];

function element(r: Random): string {
  return r.chance(0.7) ? r.pick(elementPool) : randomValue(r);
}

function elements(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => element(r));
}

/** An index argument: mostly small and in range of short lists, sometimes extreme or malformed. */
function index(r: Random): string {
  return r.chance(0.85) ? String(r.int(-8, 8)) : randomInteger(r);
}

/** A count argument: mostly small and non-negative. */
function count(r: Random): string {
  const roll = r.next();
  if (roll < 0.75) return String(r.int(0, 6));
  if (roll < 0.85) return r.pick(["-1", LLONG_MAX, LLONG_MIN]);
  return randomInteger(r);
}

function side(r: Random): string {
  return r.chance(0.95) ? randomCase(r, r.pick(["LEFT", "RIGHT"])) : r.pick(["UP", "", "LEFTX"]);
}

export function registerListsGenerators(add: AddGenerator): void {
  /** Without the list type on the kv side, a harmless read takes the command's place. */
  const listCommand =
    (build: (r: Random) => string[]) =>
    (r: Random, ctx: GeneratorContext): Generated =>
      ctx.extraTypes.has("list") ? { argv: build(r) } : { argv: [randomCase(r, "GET"), randomKey(r)] };
  const named = (r: Random, name: string, ...args: string[]): string[] => [randomCase(r, name), ...args];

  add("LPUSH/RPUSH", 6, listCommand((r) => named(r, r.pick(["LPUSH", "RPUSH"]), randomKey(r), ...elements(r, 1, 5))));
  add("LPUSHX/RPUSHX", 2, listCommand((r) => named(r, r.pick(["LPUSHX", "RPUSHX"]), randomKey(r), ...elements(r, 1, 3))));
  add("LPOP/RPOP", 4, listCommand((r) => named(r, r.pick(["LPOP", "RPOP"]), randomKey(r), ...(r.chance(0.5) ? [] : r.chance(0.97) ? [count(r)] : ["1", "2"]))));
  add("LMPOP", 2, listCommand((r) => {
    const keys = Array.from({ length: r.int(1, 3) }, () => randomKey(r));
    const numkeys = r.chance(0.9) ? String(keys.length) : r.pick(["0", "-1", "abc", String(keys.length + 1), LLONG_MAX]);
    const options: string[] = [];
    if (r.chance(0.5)) options.push(randomCase(r, "COUNT"), r.chance(0.85) ? String(r.int(1, 5)) : r.pick(["0", "-1", "abc", LLONG_MAX]));
    if (r.chance(0.04)) options.push(r.pick(["COUNT", "BAD"]));
    return named(r, "LMPOP", numkeys, ...keys, side(r), ...options);
  }));
  add("LLEN", 2, listCommand((r) => named(r, "LLEN", randomKey(r))));
  add("LINDEX", 3, listCommand((r) => named(r, "LINDEX", randomKey(r), index(r))));
  add("LSET", 2, listCommand((r) => named(r, "LSET", randomKey(r), index(r), element(r))));
  add("LRANGE", 4, listCommand((r) => named(r, "LRANGE", randomKey(r), index(r), index(r))));
  add("LTRIM", 1.5, listCommand((r) => named(r, "LTRIM", randomKey(r), index(r), index(r))));
  add("LINSERT", 2, listCommand((r) => {
    const where = r.chance(0.95) ? randomCase(r, r.pick(["BEFORE", "AFTER"])) : r.pick(["MIDDLE", "", "before\x00x"]);
    return named(r, "LINSERT", randomKey(r), where, element(r), element(r));
  }));
  add("LPOS", 2.5, listCommand((r) => {
    const options: string[][] = [];
    if (r.chance(0.4)) options.push([randomCase(r, "RANK"), r.chance(0.8) ? r.pick(["1", "2", "3", "-1", "-2"]) : r.pick(["0", LLONG_MIN, "-9223372036854775807", LLONG_MAX, "abc"])]);
    if (r.chance(0.4)) options.push([randomCase(r, "COUNT"), count(r)]);
    if (r.chance(0.3)) options.push([randomCase(r, "MAXLEN"), count(r)]);
    if (r.chance(0.04)) options.push([r.pick(["BAD", "COUNT"])]);
    return named(r, "LPOS", randomKey(r), element(r), ...r.shuffle(options).flat());
  }));
  add("LREM", 2, listCommand((r) => named(r, "LREM", randomKey(r), r.chance(0.85) ? String(r.int(-3, 3)) : randomInteger(r), element(r))));
  add("LMOVE", 2, listCommand((r) => named(r, "LMOVE", randomKey(r), randomKey(r), side(r), side(r))));
  add("RPOPLPUSH", 1, listCommand((r) => named(r, "RPOPLPUSH", randomKey(r), randomKey(r))));
}
