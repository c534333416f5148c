import { OFF_HEAP_STRING_MAX } from "../keyspace/key-table.js";
import type { StoredValue, TypedValue } from "../keyspace/stored-value.js";

/*
 * What dropping a key gives back to the V8 heap once it collects, estimated (Redis's MEMORY
 * USAGE idea: exact for strings, sampled for collections). The key, and a string value up to
 * OFF_HEAP_STRING_MAX, live in the table's arena, whose freed bytes the memory gauge stops
 * counting at once: they are not part of it. Constants are V8 64-bit layouts measured with
 * Node 20 (--expose-gc, 200k keys): a sequential one-byte string is a 16-byte header plus its
 * bytes rounded up to 8; a Map or Set entry with its share of the hash table is ~37 bytes.
 */

const STRING_HEADER = 16;
/** Per element beyond its strings: array slot (list), Map/Set entry (set, hash), entry + tree node + score (zset), entry object (stream). */
const ELEMENT_OVERHEAD: Record<TypedValue["type"], number> = { list: 12, set: 37, hash: 37, zset: 90, stream: 80 };
/** Arguments per element in the first rewrite command (RPUSH/SADD: 1, HSET/ZADD: 2; XADD: the whole entry). */
const ARGS_PER_ELEMENT: Record<TypedValue["type"], number> = { list: 1, set: 1, hash: 2, zset: 2, stream: 0 };

function stringBytes(length: number): number {
  return STRING_HEADER + ((length + 7) & ~7);
}

/** V8 heap bytes held by `key`'s value (the value's own structures included). */
export function keySizeEstimate(key: string, value: StoredValue): number {
  if (typeof value === "string") return value.length <= OFF_HEAP_STRING_MAX ? 0 : stringBytes(value.length);
  return collectionEstimate(key, value);
}

/**
 * Element count times the average element, sampled from the first command that would rebuild
 * the value (at most 64 elements, like MEMORY USAGE's default of 5 samples but cheaper to get
 * generically: every type already yields it for the AOF rewrite).
 */
function collectionEstimate(key: string, value: TypedValue): number {
  const count = elementCount(value);
  if (count === 0) return 64;
  const first = value.rewriteCommands(key)[Symbol.iterator]().next();
  if (first.done === true) return 64;
  const argv = first.value;
  const perElement = ARGS_PER_ELEMENT[value.type];
  let bytes = 0;
  for (let i = 2; i < argv.length; i++) bytes += stringBytes(argv[i]!.length);
  const sampled = perElement === 0 ? 1 : Math.max(1, (argv.length - 2) / perElement);
  return 64 + Math.round(count * (bytes / sampled + ELEMENT_OVERHEAD[value.type]));
}

function elementCount(value: TypedValue): number {
  const sized = value as unknown as { size?: unknown; length?: unknown };
  if (typeof sized.size === "number") return sized.size;
  if (typeof sized.length === "number") return sized.length;
  return 0;
}
