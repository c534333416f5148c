import { randomCase, randomInteger, randomKey, type Generated } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Random hash commands. Hashes live under the same keys as strings and lists, so every
 * command also meets WRONGTYPE, and the generic commands (TYPE, OBJECT ENCODING, RENAME,
 * COPY, DEBUG RELOAD...) meet hashes.
 *
 * Everything here must give the same bytes on both servers, so generated hashes stay
 * listpack-encoded, whose order (insertion order) kv reproduces exactly: fields come from a
 * pool far smaller than hash-max-listpack-entries, and fields and values never exceed
 * hash-max-listpack-value (64 bytes) — including HINCRBYFLOAT results, whose increments and
 * starting values are kept small. A hashtable-encoded hash would come back in Redis's dict
 * order, which cannot be matched (hashes.differential.test.ts covers conversions).
 *
 * HRANDFIELD is random unless the count covers the whole hash: only such counts (at least
 * the field pool's size) are generated, always with a trailing argument, so that the 4% of
 * commands whose arity is mutated (last argument dropped) still give a deterministic form.
 * No large negative counts: both servers would build a reply that long.
 */

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

const fieldPool = ["f1", "f2", "f3", "name", "count", "", "1", "-1", "bin\x00\xff", "sp ace", "x".repeat(64)];

const valuePool = [
  "v", "", "0", "1", "-5", "42", "10", "1.5", "0.1", "-0", "007", " 1", "1e3", "inf", "abc", "a\r\nb",
  LLONG_MAX, LLONG_MIN, "z".repeat(64), "3.0000000000000000001", "\x00\xff",
];

function field(r: Random): string {
  return r.chance(0.9) ? r.pick(fieldPool) : r.bytes(r.int(0, 8));
}

function value(r: Random): string {
  return r.chance(0.85) ? r.pick(valuePool) : r.bytes(r.int(0, 20));
}

function fieldValuePairs(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => [field(r), value(r)]).flat();
}

/** Increments that keep every result short: |value| stays far below 10^20 over a whole run. */
function floatIncrement(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return r.pick(["0.1", "-0.1", "1", "-1", "2.5", "1.5e-3", "-3.75", "100", "0", "1e10", "-0"]);
  if (roll < 0.75) return (r.next() * 2000 - 1000).toFixed(r.int(0, 6));
  return r.pick(["inf", "-inf", "nan", "abc", "", " 1", "1 ", "1e400x", "0x10", "+1.5", "1,5", "1e5000"]);
}

/** Counts that cover any generated hash (or fail to parse): HRANDFIELD's deterministic forms. */
function coveringCount(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return String(r.int(fieldPool.length + 10, 200));
  if (roll < 0.75) return r.pick([LLONG_MAX, "4611686018427387903", "4611686018427387904", "0"]);
  return r.pick([LLONG_MIN, "abc", "1.5", "", "-0", "+20"]);
}

function globPattern(r: Random): string {
  return r.pick(["*", "f*", "f[12]", "?", "*\x00*", "nomatch", "", "[", "\\*", "*a*", "F*"]);
}

export function registerHashesGenerators(add: AddGenerator): void {
  const argv = (r: Random, name: string, ...args: string[]): Generated => ({ argv: [randomCase(r, name), ...args] });

  add("HSET", 5, (r) => argv(r, "HSET", randomKey(r), ...fieldValuePairs(r, 1, 4), ...(r.chance(0.04) ? ["dangling"] : [])));
  add("HMSET", 1.5, (r) => argv(r, "HMSET", randomKey(r), ...fieldValuePairs(r, 1, 3)));
  add("HSETNX", 1.5, (r) => argv(r, "HSETNX", randomKey(r), field(r), value(r)));
  add("HGET", 4, (r) => argv(r, "HGET", randomKey(r), field(r)));
  add("HMGET", 2, (r) => argv(r, "HMGET", randomKey(r), ...Array.from({ length: r.int(1, 4) }, () => field(r))));
  add("HDEL", 2.5, (r) => argv(r, "HDEL", randomKey(r), ...Array.from({ length: r.int(1, 3) }, () => field(r))));
  add("HLEN", 1.5, (r) => argv(r, "HLEN", randomKey(r)));
  add("HSTRLEN", 1, (r) => argv(r, "HSTRLEN", randomKey(r), field(r)));
  add("HEXISTS", 1.5, (r) => argv(r, "HEXISTS", randomKey(r), field(r)));
  add("HKEYS/HVALS/HGETALL", 3, (r) => argv(r, r.pick(["HKEYS", "HVALS", "HGETALL", "HGETALL"]), randomKey(r)));
  add("HINCRBY", 2.5, (r) => argv(r, "HINCRBY", randomKey(r), field(r), randomInteger(r, [-1000, 1000])));
  add("HINCRBYFLOAT", 2, (r) => argv(r, "HINCRBYFLOAT", randomKey(r), field(r), floatIncrement(r)));
  add("HRANDFIELD", 1.5, (r) => {
    const option = r.chance(0.8) ? randomCase(r, "WITHVALUES") : r.pick(["WITHVALUE", "x", "withvalues\x00x"]);
    const extra = r.chance(0.05) ? ["extra"] : [];
    return argv(r, "HRANDFIELD", randomKey(r), coveringCount(r), option, ...extra);
  });
  add("HSCAN", 1.5, (r) => {
    // A listpack hash comes whole whatever the cursor, so any cursor is deterministic.
    const cursor = r.chance(0.8) ? "0" : r.pick(["abc", "-1", "", "18446744073709551616", "12345", "1.5"]);
    const options: string[][] = [];
    if (r.chance(0.5)) options.push([randomCase(r, "MATCH"), globPattern(r)]);
    if (r.chance(0.4)) options.push([randomCase(r, "COUNT"), r.pick(["1", "2", "10", "0", "-1", "abc", LLONG_MAX])]);
    if (r.chance(0.04)) options.push([r.pick(["TYPE", "NOVALUES", "MATCH"])]);
    return argv(r, "HSCAN", randomKey(r), cursor, ...r.shuffle(options).flat());
  });
}
