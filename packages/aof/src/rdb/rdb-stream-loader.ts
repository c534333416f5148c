import { AofFormatProblem } from "../aof-load-error.js";
import { readListpack } from "./listpack.js";
import { emitExpire, readEncodedBlob, type RdbEmit } from "./rdb-emit.js";
import type { RdbInput } from "./rdb-input.js";

/**
 * Streams (RDB_TYPE_STREAM_LISTPACKS, _2 of Redis 7.0, _3 of 7.2) replayed as the commands
 * of Redis's rewriteStreamObject:
 *
 *   XADD key <id> field value ...             every live entry, in order
 *   XADD key MAXLEN 0 0-1 x y                 instead, when the stream is empty
 *   XSETID key <last-id> ENTRIESADDED <n> MAXDELETEDID <id>
 *   XGROUP CREATE key <group> <last-delivered-id> ENTRIESREAD <n>
 *   XCLAIM key <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> JUSTID FORCE
 *   XGROUP CREATECONSUMER key <group> <consumer>    (consumers with nothing pending)
 *
 * One thing that sequence loses: XCLAIM skips an ID that is no longer in the stream, so a
 * pending entry whose message was deleted or trimmed away (common with MAXLEN) would vanish,
 * while Redis restarting from the same file keeps it. Such IDs are XADDed as placeholders in
 * their place in the order, claimed, then removed again; the XSETID, moved to the end, puts
 * back the counters those placeholders moved. No command sets a consumer's seen-time (or
 * 7.2's active-time): they become the load time.
 */

/** Stream item flags in a listpack node (STREAM_ITEM_FLAG_*). */
const ItemFlag = { Deleted: 1, SameFields: 2 } as const;

/** Consumer group entries-read when unknown: -1, stored by Redis as an unsigned 64-bit length. */
const UNKNOWN_ENTRIES_READ = -1n;
const UINT64_MAX = (1n << 64n) - 1n;

interface StreamId {
  ms: bigint;
  seq: bigint;
}

interface StreamEntry {
  id: StreamId;
  /** field, value, field, value... */
  fieldsAndValues: string[];
}

interface PendingEntry {
  deliveryTime: number;
  deliveryCount: bigint;
}

const ZERO_ID: StreamId = { ms: 0n, seq: 0n };

function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

function readId(input: RdbInput): StreamId {
  const ms = input.bigLength();
  return { ms, seq: input.bigLength() };
}

/** A 128-bit ID stored raw (big endian ms, then seq), as in PELs and node keys. */
function rawId(bytes: Buffer): StreamId {
  return { ms: bytes.readBigUInt64BE(0), seq: bytes.readBigUInt64BE(8) };
}

export function loadStream(input: RdbInput, key: string, expireAtMs: number | undefined, emit: RdbEmit, version: 1 | 2 | 3): boolean {
  const entries: StreamEntry[] = [];
  for (let nodes = input.length(); nodes > 0; nodes--) {
    const at = input.offset;
    const nodeKey = input.blob();
    if (nodeKey.length !== 16) throw new AofFormatProblem(at, `stream node key of ${nodeKey.length} bytes, expected a 128-bit ID`);
    const listpackAt = input.offset;
    const elements = readEncodedBlob(input, readListpack);
    readNode(rawId(nodeKey), elements, listpackAt, entries);
  }

  const length = input.bigLength();
  const lastId = readId(input);
  let firstId: StreamId;
  let maxDeletedId: StreamId;
  let entriesAdded: bigint;
  if (version >= 2) {
    firstId = readId(input);
    maxDeletedId = readId(input);
    entriesAdded = input.bigLength();
  } else {
    // Redis 7 upgrading a Redis 5/6 stream: every entry ever added is assumed still there.
    firstId = entries[0]?.id ?? ZERO_ID;
    maxDeletedId = ZERO_ID;
    entriesAdded = BigInt(entries.length);
  }
  if (length !== BigInt(entries.length)) {
    throw new AofFormatProblem(input.offset, `stream length ${length} but ${entries.length} entries in its nodes`);
  }
  const stream = { length, lastId, firstId, maxDeletedId, entriesAdded };

  const groupCommands: string[][] = [];
  /** Pending IDs missing from the stream, ascending once sorted. */
  const placeholders = new Map<string, StreamId>();
  const present = new Set<string>();
  for (const entry of entries) present.add(formatId(entry.id));

  for (let groups = input.length(); groups > 0; groups--) {
    const group = input.string();
    const groupLastId = readId(input);
    let entriesRead: bigint;
    if (version >= 2) {
      const stored = input.bigLength();
      entriesRead = stored === UINT64_MAX ? UNKNOWN_ENTRIES_READ : stored;
    } else {
      entriesRead = estimateEntriesRead(stream, groupLastId);
    }
    groupCommands.push(["XGROUP", "CREATE", key, group, formatId(groupLastId), "ENTRIESREAD", String(entriesRead)]);

    const pending = new Map<string, PendingEntry>();
    for (let count = input.length(); count > 0; count--) {
      const id = formatId(rawId(input.bytes(16)));
      const deliveryTime = input.int64LE();
      pending.set(id, { deliveryTime, deliveryCount: input.bigLength() });
    }
    for (let consumers = input.length(); consumers > 0; consumers--) {
      const consumer = input.string();
      input.int64LE(); // seen-time: no command sets it
      if (version >= 3) input.int64LE(); // active-time (7.2): likewise
      const owned = input.length();
      if (owned === 0) groupCommands.push(["XGROUP", "CREATECONSUMER", key, group, consumer]);
      for (let i = 0; i < owned; i++) {
        const at = input.offset;
        const raw = rawId(input.bytes(16));
        const id = formatId(raw);
        const nack = pending.get(id);
        if (nack === undefined) throw new AofFormatProblem(at, `pending entry ${id} of consumer ${JSON.stringify(consumer)} is not in the group's PEL`);
        if (!present.has(id)) placeholders.set(id, raw);
        groupCommands.push([
          "XCLAIM", key, group, consumer, "0", id,
          "TIME", String(nack.deliveryTime), "RETRYCOUNT", String(nack.deliveryCount), "JUSTID", "FORCE",
        ]);
      }
    }
  }

  const placeholderIds = [...placeholders.values()].sort(compareIds);
  emitEntries(key, entries, placeholderIds, emit);
  const setId = ["XSETID", key, formatId(lastId), "ENTRIESADDED", String(entriesAdded), "MAXDELETEDID", formatId(maxDeletedId)];
  if (placeholderIds.length === 0) {
    emit(setId);
    for (const command of groupCommands) emit(command);
  } else {
    for (const command of groupCommands) emit(command);
    removePlaceholders(key, entries[0]?.id, placeholderIds, emit);
    // Last: the XADDs counted the placeholders in entries-added, and an XDEL moved max-deleted-id.
    emit(setId);
  }
  emitExpire(key, expireAtMs, emit);
  return true;
}

/**
 * One listpack node: a master entry (live count, deleted count, the master fields, a 0),
 * then per entry its flags, ID relative to the node's key, fields (or only values, when it
 * has the master's fields) and a trailing element count used by backward iteration.
 */
function readNode(master: StreamId, elements: string[], at: number, entries: StreamEntry[]): void {
  let next = 0;
  const take = (): string => {
    const element = elements[next++];
    if (element === undefined) throw new AofFormatProblem(at, "truncated stream listpack node");
    return element;
  };
  const integer = (): bigint => {
    const element = take();
    if (!/^-?\d+$/.test(element)) throw new AofFormatProblem(at, `stream listpack node holds ${JSON.stringify(element)} where an integer belongs`);
    return BigInt(element);
  };
  if (elements.length === 0) throw new AofFormatProblem(at, "empty listpack inside a stream");
  const liveCount = integer();
  const deletedCount = integer();
  const masterFields: string[] = [];
  for (let fields = integer(); fields > 0n; fields--) masterFields.push(take());
  if (integer() !== 0n) throw new AofFormatProblem(at, "stream listpack node without its master entry terminator");

  let live = 0n;
  let deleted = 0n;
  while (next < elements.length) {
    const flags = Number(integer());
    const id = { ms: master.ms + integer(), seq: master.seq + integer() };
    const fieldsAndValues: string[] = [];
    if (flags & ItemFlag.SameFields) {
      for (const field of masterFields) fieldsAndValues.push(field, take());
    } else {
      for (let fields = integer(); fields > 0n; fields--) fieldsAndValues.push(take(), take());
    }
    integer(); // element count of this entry, for iterating backwards
    if (flags & ItemFlag.Deleted) {
      deleted++;
    } else {
      live++;
      const previous = entries[entries.length - 1];
      if (previous !== undefined && compareIds(previous.id, id) >= 0) {
        throw new AofFormatProblem(at, `stream entry ${formatId(id)} does not follow ${formatId(previous.id)}`);
      }
      entries.push({ id, fieldsAndValues });
    }
  }
  if (live !== liveCount || deleted !== deletedCount) {
    throw new AofFormatProblem(at, `stream node counts ${liveCount} live, ${deletedCount} deleted; found ${live} and ${deleted}`);
  }
}

/** XADDs for the live entries, with the placeholders merged in by ID. */
function emitEntries(key: string, entries: StreamEntry[], placeholders: StreamId[], emit: RdbEmit): void {
  if (entries.length === 0 && placeholders.length === 0) {
    // An empty stream (every entry deleted, or made by XGROUP CREATE MKSTREAM) still exists.
    emit(["XADD", key, "MAXLEN", "0", "0-1", "x", "y"]);
    return;
  }
  let p = 0;
  for (const entry of entries) {
    while (p < placeholders.length && compareIds(placeholders[p]!, entry.id) < 0) emitPlaceholder(key, placeholders[p++]!, emit);
    emit(["XADD", key, formatId(entry.id), ...entry.fieldsAndValues]);
  }
  while (p < placeholders.length) emitPlaceholder(key, placeholders[p++]!, emit);
}

/**
 * Placeholders before the first live entry stand for messages trimmed away (or deleted) and
 * go the way trimmed ones went, by XTRIM, which leaves max-deleted-id alone; the others can
 * only have been XDELed, so the stream's max-deleted-id is at least theirs and the XSETID
 * that follows puts it back. (A Redis 5/6 file stores no max-deleted-id, and Redis 7 takes
 * 0-0 for it: there, an XDELed message still pending leaves max-deleted-id at its ID.)
 */
function removePlaceholders(key: string, firstLive: StreamId | undefined, placeholders: StreamId[], emit: RdbEmit): void {
  if (firstLive === undefined) {
    emit(["XTRIM", key, "MAXLEN", "0"]);
    return;
  }
  const middle = placeholders.filter((id) => compareIds(id, firstLive) > 0);
  if (middle.length < placeholders.length) emit(["XTRIM", key, "MINID", formatId(firstLive)]);
  if (middle.length > 0) emit(["XDEL", key, ...middle.map(formatId)]);
}

function emitPlaceholder(key: string, id: StreamId, emit: RdbEmit): void {
  emit(["XADD", key, formatId(id), "deleted", "pending"]);
}

/**
 * Entries-read of a group in a Redis 5/6 file, which did not store it: Redis 7's
 * streamEstimateDistanceFromFirstEverEntry on the stream as upgraded (nothing deleted).
 */
function estimateEntriesRead(
  stream: { length: bigint; lastId: StreamId; firstId: StreamId; entriesAdded: bigint },
  groupLastId: StreamId,
): bigint {
  if (stream.entriesAdded === 0n) return 0n;
  const versusLast = compareIds(groupLastId, stream.lastId);
  if (stream.length === 0n && versusLast <= 0) return stream.entriesAdded;
  if (versusLast === 0) return stream.entriesAdded;
  if (versusLast > 0) return UNKNOWN_ENTRIES_READ;
  const versusFirst = compareIds(groupLastId, stream.firstId);
  if (versusFirst < 0) return stream.entriesAdded - stream.length;
  if (versusFirst === 0) return stream.entriesAdded - stream.length + 1n;
  return UNKNOWN_ENTRIES_READ;
}
