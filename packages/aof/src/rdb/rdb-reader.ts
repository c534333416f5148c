import { AofFormatProblem } from "../aof-load-error.js";
import type { FileCursor } from "../file-cursor.js";
import {
  RDB_MAX_KNOWN_VERSION,
  RDB_MIN_CHECKSUM_VERSION,
  RDB_TYPE_NAMES,
  RdbOpcode,
} from "./rdb-constants.js";
import { RdbInput } from "./rdb-input.js";
import type { RdbEmit } from "./rdb-emit.js";
import { describeModuleTypeId, RDB_VALUE_LOADERS } from "./rdb-value-loaders.js";

export const RDB_SIGNATURE = "REDIS";

export interface RdbReadHooks {
  emit: RdbEmit;
  /** Things the replay cannot represent but may safely pass over (e.g. function libraries). */
  warning(message: string): void;
  notice(message: string): void;
}

/**
 * Replays an RDB image (a Redis 7 `.base.rdb`, or the preamble of an old single-file
 * AOF) as commands: `SELECT db` for each SELECTDB, then one command per key.
 * Reads up to and including the checksum, leaving the cursor at whatever follows
 * (the AOF tail of an old-style preamble file).
 */
export function readRdb(cursor: FileCursor, hooks: RdbReadHooks): void {
  const input = new RdbInput(cursor);
  const headerAt = input.offset;
  const header = input.bytes(9).toString("latin1");
  if (!header.startsWith(RDB_SIGNATURE) || !/^\d{4}$/.test(header.slice(5))) {
    throw new AofFormatProblem(headerAt, `wrong RDB signature ${JSON.stringify(header)}`);
  }
  const version = Number(header.slice(5));
  if (version < 1 || version > RDB_MAX_KNOWN_VERSION) {
    throw new AofFormatProblem(headerAt, `can't handle RDB format version ${version}`);
  }

  let expireAtMs: number | undefined;
  let emptyKeysSkipped = 0;
  for (;;) {
    const typeAt = input.offset;
    const type = input.byte();
    switch (type) {
      case RdbOpcode.ExpireTimeMs:
        expireAtMs = input.int64LE();
        continue;
      case RdbOpcode.ExpireTime:
        expireAtMs = input.int32LE() * 1000;
        continue;
      case RdbOpcode.Freq:
        input.byte(); // LFU counter: eviction metadata, not data
        continue;
      case RdbOpcode.Idle:
        input.length(); // LRU idle time: eviction metadata, not data
        continue;
      case RdbOpcode.SelectDb:
        hooks.emit(["SELECT", String(input.length())]);
        continue;
      case RdbOpcode.ResizeDb:
        input.length();
        input.length();
        continue;
      case RdbOpcode.SlotInfo:
        input.length();
        input.length();
        input.length();
        continue;
      case RdbOpcode.Aux: {
        const field = input.string();
        const value = input.string();
        if (field === "redis-ver") hooks.notice(`Loading RDB produced by version ${value}`);
        continue;
      }
      case RdbOpcode.Function2:
        input.string();
        hooks.warning("Skipping a function library stored in the RDB data: kv does not support FUNCTION yet");
        continue;
      case RdbOpcode.FunctionPreGa:
        throw new AofFormatProblem(typeAt, "Unsupported RDB opcode 246 (function library of Redis 7.0 release candidates)", "unsupported");
      case RdbOpcode.ModuleAux: {
        const module = describeModuleTypeId(input.bigLength());
        throw new AofFormatProblem(
          typeAt,
          `Unsupported RDB opcode 247 (auxiliary data of Redis module type ${module})`,
          "unsupported",
        );
      }
      case RdbOpcode.Eof:
        if (version >= RDB_MIN_CHECKSUM_VERSION) input.verifyChecksum();
        // Redis logs the same count: an empty collection cannot exist, so it is not loaded.
        if (emptyKeysSkipped > 0) hooks.notice(`RDB: ${emptyKeysSkipped} empty keys skipped`);
        return;
      default: {
        const loader = RDB_VALUE_LOADERS.get(type);
        if (loader === undefined) {
          const name = RDB_TYPE_NAMES[type];
          throw new AofFormatProblem(
            typeAt,
            name === undefined ? `Unknown RDB type ${type}` : `Unsupported RDB type ${type} (${name})`,
            name === undefined ? "format" : "unsupported",
          );
        }
        const key = input.string();
        if (!loader(input, key, expireAtMs, hooks.emit)) emptyKeysSkipped++;
        expireAtMs = undefined;
      }
    }
  }
}
