import { AofFormatProblem } from "../aof-load-error.js";
import { CompactEncodingError } from "./compact-encoding-error.js";
import type { RdbInput } from "./rdb-input.js";

/** Receives each command the RDB image replays as. */
export type RdbEmit = (args: string[]) => void;

/** Redis's AOF_REWRITE_ITEMS_PER_CMD: elements (or pairs) per variadic command. */
export const ITEMS_PER_COMMAND = 64;

/**
 * RPUSH/SADD/HMSET/ZADD arguments, cut into commands of ITEMS_PER_COMMAND items, so a huge
 * value never becomes one huge argv.
 */
export class VariadicCommand {
  private argv: string[] | undefined;
  private items = 0;
  /** Whether any command was emitted: false means the value was empty. */
  emitted = false;

  constructor(
    private readonly emit: RdbEmit,
    private readonly name: string,
    private readonly key: string,
  ) {}

  add(item: string): void {
    (this.argv ??= [this.name, this.key]).push(item);
    if (++this.items === ITEMS_PER_COMMAND) this.flush();
  }

  addPair(first: string, second: string): void {
    (this.argv ??= [this.name, this.key]).push(first, second);
    if (++this.items === ITEMS_PER_COMMAND) this.flush();
  }

  /** Emits what is pending; returns whether the key got any command at all. */
  flush(): boolean {
    if (this.argv !== undefined) {
      this.emit(this.argv);
      this.argv = undefined;
      this.items = 0;
      this.emitted = true;
    }
    return this.emitted;
  }
}

/** Emits the expiry after the commands that created a non-string key (as Redis's rewrite). */
export function emitExpire(key: string, expireAtMs: number | undefined, emit: RdbEmit): void {
  if (expireAtMs !== undefined) emit(["PEXPIREAT", key, String(expireAtMs)]);
}

/** Reads a string holding a compact encoding and decodes it, reporting corruption at the string's offset. */
export function readEncodedBlob<T>(input: RdbInput, decode: (blob: Buffer) => T): T {
  const at = input.offset;
  const blob = input.blob();
  try {
    return decode(blob);
  } catch (error) {
    if (error instanceof CompactEncodingError) throw new AofFormatProblem(at, error.message);
    throw error;
  }
}

