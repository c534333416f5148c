import { randomCase, randomInteger, randomKey, type Generated } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Random stream commands (the non-blocking forms). Streams live under the same keys as the
 * other types, so every command also meets WRONGTYPE, and the generic commands (TYPE, COPY,
 * RENAME, DEBUG RELOAD...) meet streams.
 *
 * Everything here must give the same bytes on both servers:
 * - XADD gets explicit IDs from a shared, mostly increasing clock (`<ms>-<seq>` or
 *   `<ms>-*`), never `*`, whose ID would be each server's own time;
 * - nothing replies a clock: no XPENDING extended form (idle times), no XINFO CONSUMERS
 *   (idle), no XINFO STREAM (FULL has delivery and seen times, and both forms report the
 *   radix tree's shape, which DEBUG RELOAD rebuilds differently: Redis reloads its listpacks
 *   from an RDB, kv replays the AOF rewrite). streams.differential.test.ts covers those;
 * - idle-time thresholds are 0, or far above any delivery made during the run, or met by
 *   entries claimed with TIME 1000 (delivered in 1970): never near a real idle time;
 * - no approximate trims (see `trim`);
 * - no BLOCK: a blocked connection would stall the run.
 */

const groupPool = ["g1", "g2", "grp"];
const consumerPool = ["alice", "bob", "carol", "", "c\x00x"];
const fieldPool = ["f", "g", "name", "", "1", "bin\x00\xff", "x".repeat(70)];
const valuePool = ["v", "", "0", "1", "127", "128", "-4096", "40000", "9223372036854775807", "007", "1.5", "a\r\nb", "z".repeat(64), "y".repeat(150)];
const malformedIds = ["abc", "", "1-", "-1", "1-2-3", "18446744073709551616", " 5", "+5", "007", "-0", "1-*", "(", "1\x00junk"];

export function registerStreamsGenerators(add: AddGenerator): void {
  // The ID clock every generated XADD draws from: deterministic for a run, so both servers see the same IDs.
  let clock = 1;

  const argv = (r: Random, name: string, ...args: string[]): Generated => ({ argv: [randomCase(r, name), ...args] });
  const group = (r: Random): string => (r.chance(0.95) ? r.pick(groupPool) : "nogroup");
  const consumer = (r: Random): string => r.pick(consumerPool);

  /** An ID around the ones added so far, sometimes malformed or extreme. */
  const id = (r: Random): string => {
    const roll = r.next();
    if (roll < 0.05) return r.pick(malformedIds);
    if (roll < 0.08) return r.pick(["0", "0-0", "18446744073709551615-18446744073709551615", "18446744073709551615"]);
    if (roll < 0.3) return String(r.int(0, clock));
    return `${r.int(0, clock)}-${r.int(0, 3)}`;
  };
  const ids = (r: Random, min: number, max: number): string[] => Array.from({ length: r.int(min, max) }, () => id(r));
  const bound = (r: Random, start: boolean): string => {
    const roll = r.next();
    if (roll < 0.3) return start ? "-" : "+";
    if (roll < 0.45) return `(${id(r)}`;
    return id(r);
  };
  const fields = (r: Random): string[] => {
    if (r.chance(0.6)) return ["f", r.pick(valuePool), "g", r.pick(valuePool)];
    return Array.from({ length: r.int(1, 3) }, () => [r.pick(fieldPool), r.pick(valuePool)]).flat();
  };
  /**
   * A trim option. Exact trims only (or `~` with an argument that fails to parse): what an
   * approximate trim removes depends on where the nodes split, and after DEBUG RELOAD Redis
   * keeps its old nodes (tombstones included) while kv rebuilds them.
   */
  const trim = (r: Random): string[] => {
    const strategy = r.chance(0.6) ? "MAXLEN" : "MINID";
    const out = [randomCase(r, strategy)];
    if (r.chance(0.1)) return [...out, "~", r.pick(["x", "-1", ""])];
    if (r.chance(0.3)) out.push("=");
    out.push(strategy === "MAXLEN" ? (r.chance(0.85) ? String(r.int(0, 12)) : randomInteger(r)) : id(r));
    if (r.chance(0.1)) out.push(randomCase(r, "LIMIT"), r.pick(["0", "5", "-1", "x"]));
    return out;
  };
  const count = (r: Random): string => (r.chance(0.85) ? String(r.int(0, 4)) : r.pick(["-1", "x", "9223372036854775807"]));

  add("XADD", 6, (r) => {
    const options: string[] = [];
    if (r.chance(0.05)) options.push(randomCase(r, "NOMKSTREAM"));
    if (r.chance(0.25)) options.push(...trim(r));
    let entryId: string;
    const roll = r.next();
    if (roll < 0.75) {
      clock += r.int(0, 2);
      entryId = `${clock}-${r.int(0, 3)}`;
    } else if (roll < 0.9) {
      clock += r.int(0, 1);
      entryId = `${clock}-*`;
    } else {
      entryId = id(r);
    }
    return argv(r, "XADD", randomKey(r), ...options, entryId, ...fields(r), ...(r.chance(0.02) ? ["dangling"] : []));
  });
  add("XLEN", 1, (r) => argv(r, "XLEN", randomKey(r)));
  add("XRANGE/XREVRANGE", 3, (r) => {
    const reverse = r.chance(0.3);
    const args = [randomKey(r), bound(r, !reverse), bound(r, reverse)];
    if (r.chance(0.4)) args.push(randomCase(r, "COUNT"), count(r));
    return argv(r, reverse ? "XREVRANGE" : "XRANGE", ...args);
  });
  add("XDEL", 1.5, (r) => argv(r, "XDEL", randomKey(r), ...ids(r, 1, 3)));
  add("XTRIM", 1, (r) => argv(r, "XTRIM", randomKey(r), ...trim(r)));
  add("XSETID", 0.5, (r) => {
    const args = [randomKey(r), id(r)];
    if (r.chance(0.3)) args.push(randomCase(r, "ENTRIESADDED"), r.pick(["0", "5", "1000", "-1", "x"]));
    if (r.chance(0.3)) args.push(randomCase(r, "MAXDELETEDID"), id(r));
    return argv(r, "XSETID", ...args);
  });
  add("XGROUP CREATE", 1.5, (r) => {
    const args = [randomCase(r, "CREATE"), randomKey(r), group(r), r.chance(0.2) ? "$" : id(r)];
    if (r.chance(0.3)) args.push(randomCase(r, "MKSTREAM"));
    if (r.chance(0.2)) args.push(randomCase(r, "ENTRIESREAD"), r.pick(["0", "2", "-1", "-2", "x"]));
    return argv(r, "XGROUP", ...args);
  });
  add("XGROUP other", 1, (r) => {
    const key = randomKey(r);
    const roll = r.next();
    if (roll < 0.3) return argv(r, "XGROUP", randomCase(r, "SETID"), key, group(r), r.chance(0.2) ? "$" : id(r), ...(r.chance(0.3) ? ["ENTRIESREAD", r.pick(["0", "3", "-1"])] : []));
    if (roll < 0.5) return argv(r, "XGROUP", randomCase(r, "DESTROY"), key, group(r));
    if (roll < 0.75) return argv(r, "XGROUP", randomCase(r, "CREATECONSUMER"), key, group(r), consumer(r));
    if (roll < 0.95) return argv(r, "XGROUP", randomCase(r, "DELCONSUMER"), key, group(r), consumer(r));
    return argv(r, "XGROUP", r.pick(["HELP", "FOO", "help"]));
  });
  add("XREADGROUP", 3, (r) => {
    const args = [randomCase(r, "GROUP"), group(r), consumer(r)];
    if (r.chance(0.4)) args.push(randomCase(r, "COUNT"), count(r));
    if (r.chance(0.2)) args.push(randomCase(r, "NOACK"));
    const keys = r.chance(0.85) ? [randomKey(r)] : [randomKey(r), randomKey(r)];
    args.push(randomCase(r, "STREAMS"), ...keys, ...keys.map(() => (r.chance(0.75) ? ">" : r.pick(["0", "0-0", id(r), "$"]))));
    return argv(r, "XREADGROUP", ...args);
  });
  add("XREAD", 1.5, (r) => {
    const args: string[] = [];
    if (r.chance(0.4)) args.push(randomCase(r, "COUNT"), count(r));
    const keys = r.chance(0.8) ? [randomKey(r)] : [randomKey(r), randomKey(r)];
    args.push(randomCase(r, "STREAMS"), ...keys, ...keys.map(() => (r.chance(0.2) ? "$" : id(r))));
    return argv(r, "XREAD", ...args);
  });
  add("XACK", 1.5, (r) => argv(r, "XACK", randomKey(r), group(r), ...ids(r, 1, 3)));
  add("XPENDING", 1, (r) => argv(r, "XPENDING", randomKey(r), group(r)));
  add("XCLAIM", 1.5, (r) => {
    const args = [randomKey(r), group(r), consumer(r), r.pick(["0", "0", "1000000", "999999999999999", "-5", "x"]), ...ids(r, 1, 3)];
    if (r.chance(0.4)) args.push(randomCase(r, "TIME"), r.pick(["1000", "5000", "-1", "99999999999999999"]));
    if (r.chance(0.1)) args.push(randomCase(r, "IDLE"), r.pick(["999999999999", "-3"]));
    if (r.chance(0.2)) args.push(randomCase(r, "RETRYCOUNT"), r.pick(["0", "5", "-1"]));
    if (r.chance(0.3)) args.push(randomCase(r, "FORCE"));
    if (r.chance(0.3)) args.push(randomCase(r, "JUSTID"));
    if (r.chance(0.15)) args.push(randomCase(r, "LASTID"), id(r));
    return argv(r, "XCLAIM", ...args);
  });
  add("XAUTOCLAIM", 1, (r) => {
    const args = [randomKey(r), group(r), consumer(r), r.pick(["0", "1000000", "999999999999999"]), bound(r, true)];
    if (r.chance(0.5)) args.push(randomCase(r, "COUNT"), r.pick(["1", "2", "3", "100", "0", "x"]));
    if (r.chance(0.3)) args.push(randomCase(r, "JUSTID"));
    return argv(r, "XAUTOCLAIM", ...args);
  });
  add("XINFO GROUPS", 0.7, (r) => argv(r, "XINFO", randomCase(r, "GROUPS"), randomKey(r)));
  add("XINFO HELP", 0.1, (r) => argv(r, "XINFO", randomCase(r, "HELP")));
}
