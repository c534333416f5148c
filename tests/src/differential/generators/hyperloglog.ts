import { randomCase, randomKey, randomValue } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * HyperLogLog commands for the repo-wide differential test. HLLs are strings under the
 * shared keys, so PFADD meets plain strings (WRONGTYPE ... not a valid HyperLogLog) and
 * other types, and the string generators read (GET) and damage (APPEND, SETRANGE) HLLs —
 * which both servers must then reject or misread alike. Every reply is deterministic:
 * kv builds Redis's exact HLL bytes, so even GET of an HLL compares byte for byte.
 *
 * PFSELFTEST is left out (seconds of CPU on each server); PFDEBUG GETREG only rarely
 * (a 16384-element reply).
 *
 * One corner stays unmatched: when a damaged sparse HLL ends in half an XZERO opcode and
 * PFADD splits it, Redis writes a byte over its string terminator, past the value's end,
 * and later walks of that HLL read it; a string value cannot carry that hidden byte.
 */

function element(r: Random): string {
  const roll = r.next();
  if (roll < 0.75) return `e${r.int(0, 3000)}`;
  return randomValue(r);
}

function elements(r: Random): string[] {
  // Mostly a few; sometimes enough to outgrow the sparse encoding (dense is 12 KB).
  const count = r.chance(0.9) ? r.int(0, 6) : r.int(100, 800);
  return Array.from({ length: count }, () => element(r));
}

function keys(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => randomKey(r));
}

export function registerHyperloglogGenerators(add: AddGenerator): void {
  const named = (r: Random, name: string, ...args: string[]): { argv: string[] } => ({ argv: [randomCase(r, name), ...args] });

  add("PFADD", 4, (r) => named(r, "PFADD", randomKey(r), ...elements(r)));
  add("PFCOUNT", 3, (r) => named(r, "PFCOUNT", ...keys(r, 1, r.chance(0.7) ? 1 : 3)));
  add("PFMERGE", 1.5, (r) => named(r, "PFMERGE", randomKey(r), ...keys(r, 0, 3)));
  add("PFDEBUG", 0.4, (r) => {
    const subcommand = r.chance(0.95) ? randomCase(r, r.pick(["ENCODING", "DECODE", "TODENSE", "ENCODING", "DECODE", "GETREG"])) : r.pick(["NOPE", ""]);
    return named(r, "PFDEBUG", subcommand, randomKey(r));
  });
  add("CONFIG SET hll-sparse-max-bytes", 0.2, (r) => named(r, "CONFIG", "SET", "hll-sparse-max-bytes", r.pick(["0", "100", "3000", "3000", "10000"])), false);
}
