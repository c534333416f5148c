import { formatDouble } from "@kv/protocol";
import { AofFormatProblem } from "../aof-load-error.js";
import { readIntset } from "./intset.js";
import { readListpack } from "./listpack.js";
import { RdbType } from "./rdb-constants.js";
import { emitExpire, readEncodedBlob, VariadicCommand, type RdbEmit } from "./rdb-emit.js";
import type { RdbInput } from "./rdb-input.js";
import { loadStream } from "./rdb-stream-loader.js";
import { readZiplist, readZipmap } from "./ziplist.js";

/**
 * Turns one RDB value into the commands that recreate it — those kv's own AOF rewrite (and
 * Redis's) writes for such a value: SET, then RPUSH/SADD/HMSET/ZADD batches of 64 items or
 * the stream commands of rdb-stream-loader.ts — followed by PEXPIREAT when `expireAtMs`
 * (absolute unix ms, from a preceding EXPIRETIME(_MS) opcode) is set. Returns false when the
 * value is empty and nothing was emitted: Redis skips empty keys when loading too.
 * Adding a type means adding one function here; the opcode loop does not change.
 */
export type RdbValueLoader = (input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit) => boolean;

/** Quicklist node containers of RDB_TYPE_LIST_QUICKLIST_2 (QUICKLIST_NODE_CONTAINER_*). */
const QuicklistContainer = { Plain: 1, Packed: 2 } as const;

// ---------------------------------------------------------------------------------------
// Strings
// ---------------------------------------------------------------------------------------

function loadString(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const value = input.string();
  // PXAT keeps the absolute deadline, as Redis propagates SET EX; a deadline already
  // past is the engine's to expire, exactly like Redis loading an AOF preamble.
  emit(expireAtMs === undefined ? ["SET", key, value] : ["SET", key, value, "PXAT", String(expireAtMs)]);
  return true;
}

// ---------------------------------------------------------------------------------------
// Lists: RPUSH batches, head to tail
// ---------------------------------------------------------------------------------------

function loadLinkedList(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const rpush = new VariadicCommand(emit, "RPUSH", key);
  for (let i = input.length(); i > 0; i--) rpush.add(input.string());
  return finish(rpush, key, expireAtMs, emit);
}

function loadZiplistList(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const rpush = new VariadicCommand(emit, "RPUSH", key);
  for (const element of readEncodedBlob(input, readZiplist)) rpush.add(element);
  return finish(rpush, key, expireAtMs, emit);
}

/** RDB_TYPE_LIST_QUICKLIST (Redis 3.2 - 6.2): a count of nodes, each a ziplist. */
function loadQuicklist(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const rpush = new VariadicCommand(emit, "RPUSH", key);
  for (let nodes = input.length(); nodes > 0; nodes--) {
    // Empty nodes are possible in files of some versions; Redis skips them too.
    for (const element of readEncodedBlob(input, readZiplist)) rpush.add(element);
  }
  return finish(rpush, key, expireAtMs, emit);
}

/**
 * RDB_TYPE_LIST_QUICKLIST_2 (Redis 7): each node is a container kind, then either a
 * listpack (PACKED) or one element too big for a listpack, stored as itself (PLAIN).
 */
function loadQuicklist2(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const rpush = new VariadicCommand(emit, "RPUSH", key);
  for (let nodes = input.length(); nodes > 0; nodes--) {
    const at = input.offset;
    const container = input.length();
    if (container === QuicklistContainer.Plain) {
      rpush.add(input.string());
    } else if (container === QuicklistContainer.Packed) {
      for (const element of readEncodedBlob(input, readListpack)) rpush.add(element);
    } else {
      throw new AofFormatProblem(at, `unknown quicklist node container ${container}`);
    }
  }
  return finish(rpush, key, expireAtMs, emit);
}

// ---------------------------------------------------------------------------------------
// Sets: SADD batches
// ---------------------------------------------------------------------------------------

function loadHashtableSet(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const sadd = new VariadicCommand(emit, "SADD", key);
  for (let i = input.length(); i > 0; i--) sadd.add(input.string());
  return finish(sadd, key, expireAtMs, emit);
}

function compactSetLoader(decode: (blob: Buffer) => string[]): RdbValueLoader {
  return (input, key, expireAtMs, emit) => {
    const sadd = new VariadicCommand(emit, "SADD", key);
    for (const member of readEncodedBlob(input, decode)) sadd.add(member);
    return finish(sadd, key, expireAtMs, emit);
  };
}

// ---------------------------------------------------------------------------------------
// Hashes: HMSET batches (what Redis's and kv's rewrites write), in stored order
// ---------------------------------------------------------------------------------------

function loadHashtableHash(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  const hmset = new VariadicCommand(emit, "HMSET", key);
  for (let i = input.length(); i > 0; i--) {
    const field = input.string();
    hmset.addPair(field, input.string());
  }
  return finish(hmset, key, expireAtMs, emit);
}

function compactHashLoader(decode: (blob: Buffer) => string[]): RdbValueLoader {
  return (input, key, expireAtMs, emit) => {
    const at = input.offset;
    const flat = readEncodedBlob(input, decode);
    if (flat.length % 2 !== 0) throw new AofFormatProblem(at, `hash with an odd number of elements (${flat.length})`);
    const hmset = new VariadicCommand(emit, "HMSET", key);
    for (let i = 0; i < flat.length; i += 2) hmset.addPair(flat[i]!, flat[i + 1]!);
    return finish(hmset, key, expireAtMs, emit);
  };
}

// ---------------------------------------------------------------------------------------
// Sorted sets: ZADD batches, scores as %.17g so every double comes back bit for bit
// ---------------------------------------------------------------------------------------

function loadSkiplistZset(readScore: (input: RdbInput) => number): RdbValueLoader {
  return (input, key, expireAtMs, emit) => {
    const zadd = new ZsetCommands(emit, key);
    for (let i = input.length(); i > 0; i--) {
      const member = input.string();
      const at = input.offset;
      const score = readScore(input);
      if (Number.isNaN(score)) throw new AofFormatProblem(at, "sorted set with a NaN score");
      zadd.add(member, score);
    }
    return zadd.finish(expireAtMs);
  };
}

function compactZsetLoader(decode: (blob: Buffer) => string[]): RdbValueLoader {
  return (input, key, expireAtMs, emit) => {
    const at = input.offset;
    const flat = readEncodedBlob(input, decode);
    if (flat.length % 2 !== 0) throw new AofFormatProblem(at, `sorted set with an odd number of elements (${flat.length})`);
    const zadd = new ZsetCommands(emit, key);
    for (let i = 0; i < flat.length; i += 2) {
      const score = parseStoredScore(flat[i + 1]!);
      if (Number.isNaN(score)) throw new AofFormatProblem(at, `sorted set with an invalid score ${JSON.stringify(flat[i + 1])}`);
      zadd.add(flat[i]!, score);
    }
    return zadd.finish(expireAtMs);
  };
}

/**
 * A score as a compact encoding stores it: an integer when integral and in range, otherwise
 * Redis's d2string text, which writes the infinities as "inf" and "-inf" (strtod reads them).
 */
function parseStoredScore(text: string): number {
  switch (text.toLowerCase()) {
    case "inf":
    case "+inf":
    case "infinity":
    case "+infinity":
      return Infinity;
    case "-inf":
    case "-infinity":
      return -Infinity;
    default:
      return text.trim() === "" ? NaN : Number(text);
  }
}

/**
 * ZADD batches in stored order. A listpack stores -0 as the integer 0 while a skiplist keeps
 * -0, and Redis decides the encoding of a loaded set from its final size, whereas replayed
 * ZADDs fill a listpack first and convert it once it overflows (at limits the loader does
 * not know). So members scored -0 are set again at the end, via another score (a ZADD of -0
 * over 0 changes nothing, as they compare equal): that yields -0 if the set ended up a
 * skiplist and 0 if it is still a listpack, as Redis's own load does.
 */
class ZsetCommands {
  private readonly zadd: VariadicCommand;
  private readonly negativeZeros: string[] = [];

  constructor(
    private readonly emit: RdbEmit,
    private readonly key: string,
  ) {
    this.zadd = new VariadicCommand(emit, "ZADD", key);
  }

  add(member: string, score: number): void {
    if (Object.is(score, -0)) this.negativeZeros.push(member);
    this.zadd.addPair(formatDouble(score), member);
  }

  finish(expireAtMs: number | undefined): boolean {
    if (!this.zadd.flush()) return false;
    if (this.negativeZeros.length > 0) {
      const away = new VariadicCommand(this.emit, "ZADD", this.key);
      for (const member of this.negativeZeros) away.addPair("1", member);
      away.flush();
      const back = new VariadicCommand(this.emit, "ZADD", this.key);
      for (const member of this.negativeZeros) back.addPair("-0", member);
      back.flush();
    }
    emitExpire(this.key, expireAtMs, this.emit);
    return true;
  }
}

// ---------------------------------------------------------------------------------------
// Module values: refused by name
// ---------------------------------------------------------------------------------------

/** Redis's module type name charset: 9 of these, 6 bits each, in the top 54 bits of a module id. */
const MODULE_NAME_CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** "ReJSON-RL v3" from a 64-bit module type id (moduleTypeNameByID plus the 10-bit encoding version). */
export function describeModuleTypeId(id: bigint): string {
  let rest = id >> 10n;
  let name = "";
  for (let i = 0; i < 9; i++) {
    name = MODULE_NAME_CHARSET[Number(rest & 63n)]! + name;
    rest >>= 6n;
  }
  return `${name} v${id & 1023n}`;
}

function refuseModuleValue(input: RdbInput, key: string): boolean {
  const at = input.offset;
  const module = describeModuleTypeId(input.bigLength());
  throw new AofFormatProblem(
    at,
    `Unsupported RDB type 7 (value of Redis module type ${module}, key ${JSON.stringify(key)})`,
    "unsupported",
  );
}

function finish(command: VariadicCommand, key: string, expireAtMs: number | undefined, emit: RdbEmit): boolean {
  if (!command.flush()) return false;
  emitExpire(key, expireAtMs, emit);
  return true;
}

export const RDB_VALUE_LOADERS: ReadonlyMap<number, RdbValueLoader> = new Map<number, RdbValueLoader>([
  [RdbType.String, loadString],
  [RdbType.List, loadLinkedList],
  [RdbType.ListZiplist, loadZiplistList],
  [RdbType.ListQuicklist, loadQuicklist],
  [RdbType.ListQuicklist2, loadQuicklist2],
  [RdbType.Set, loadHashtableSet],
  [RdbType.SetIntset, compactSetLoader(readIntset)],
  [RdbType.SetListpack, compactSetLoader(readListpack)],
  [RdbType.Hash, loadHashtableHash],
  [RdbType.HashZipmap, compactHashLoader(readZipmap)],
  [RdbType.HashZiplist, compactHashLoader(readZiplist)],
  [RdbType.HashListpack, compactHashLoader(readListpack)],
  [RdbType.Zset, loadSkiplistZset((input) => input.textDouble())],
  [RdbType.Zset2, loadSkiplistZset((input) => input.binaryDouble())],
  [RdbType.ZsetZiplist, compactZsetLoader(readZiplist)],
  [RdbType.ZsetListpack, compactZsetLoader(readListpack)],
  [RdbType.StreamListpacks, (input, key, expireAtMs, emit) => loadStream(input, key, expireAtMs, emit, 1)],
  [RdbType.StreamListpacks2, (input, key, expireAtMs, emit) => loadStream(input, key, expireAtMs, emit, 2)],
  [RdbType.StreamListpacks3, (input, key, expireAtMs, emit) => loadStream(input, key, expireAtMs, emit, 3)],
  [RdbType.Module2, refuseModuleValue],
]);
