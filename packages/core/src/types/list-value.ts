import type { TypedValue } from "../keyspace/stored-value.js";
import { ListDeque } from "./list-deque.js";

/** Redis's AOF_REWRITE_ITEMS_PER_CMD: elements per RPUSH in the rewritten AOF. */
const REWRITE_ITEMS_PER_COMMAND = 64;

/**
 * A Redis list: a deque of latin1 strings (see list-deque.ts for the layout).
 *
 * Redis 7.0 stores every list as a quicklist — the listpack encoding for small lists came
 * in 7.2 — so OBJECT ENCODING always answers "quicklist", whatever the size or
 * list-max-listpack-size (checked against redis-server 7.0.15).
 */
export class ListValue extends ListDeque implements TypedValue {
  readonly type = "list" as const;
  snapshotEpoch = 0;

  objectEncoding(): string {
    return "quicklist";
  }

  duplicate(): ListValue {
    return this.copyInto(new ListValue());
  }

  /** As Redis's rewriteListObject: RPUSH with at most 64 elements per command. */
  *rewriteCommands(key: string): Iterable<string[]> {
    const length = this.length;
    for (let start = 0; start < length; start += REWRITE_ITEMS_PER_COMMAND) {
      const end = Math.min(start + REWRITE_ITEMS_PER_COMMAND, length);
      const argv = ["RPUSH", key];
      for (let i = start; i < end; i++) argv.push(this.at(i));
      yield argv;
    }
  }

  /** The elements head to tail (tests, DEBUG). */
  toArray(): string[] {
    const out = new Array<string>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.at(i);
    return out;
  }
}
