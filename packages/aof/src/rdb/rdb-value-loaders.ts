import type { RdbInput } from "./rdb-input.js";
import { RdbType } from "./rdb-constants.js";

export type RdbEmit = (args: string[]) => void;

/**
 * Turns one RDB value into the commands that recreate it. `expireAtMs` is the
 * absolute unix time in milliseconds from a preceding EXPIRETIME(_MS) opcode.
 * Adding a type (lists, sets, listpack encodings, ...) means adding one function
 * here; the opcode loop does not change.
 */
export type RdbValueLoader = (input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit) => void;

function loadString(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): void {
  const value = input.string();
  // PXAT keeps the absolute deadline, as Redis propagates SET EX; a deadline already
  // past is the engine's to expire, exactly like Redis loading an AOF preamble.
  emit(expireAtMs === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAtMs)]);
}

export const RDB_VALUE_LOADERS: ReadonlyMap<number, RdbValueLoader> = new Map<number, RdbValueLoader>([
  [RdbType.String, loadString],
]);
