import type { Database } from "../keyspace/database.js";

/*
 * Cheap in-place edits of big string values, for SETBIT and BITFIELD.
 *
 * Values are immutable JS strings, so flipping one bit of a bitmap makes a new string. For
 * bitmaps of 128 KB and more that is slow beyond the copy itself: V8 allocates such strings
 * in its large-object space, one fresh mapping each, measured at ~0.6 ms per 128 KB string
 * and ~0.8 ms per MB (SETBIT at ~1-5k ops/s). So a big bitmap being edited is kept as a
 * rope: a V8 cons-string tree over 32 KB chunks, which concatenation builds in O(chunks)
 * without copying. An edit rebuilds only its chunk (a small young-generation string) and
 * the tree above it; the bitmap commands read bytes, counts and positions chunk by chunk so
 * that they never flatten the rope. Everything else sees an ordinary string (V8 flattens
 * it on the first whole-string read, such as GET, once per edit at worst).
 *
 * The chunks of each rope are remembered here by database and key, and trusted only while
 * the key still holds that very string: any other write to the key replaces the value and
 * the entry is dropped on next use. Entries are evicted oldest first beyond a byte budget,
 * since an entry keeps its rope alive after the key has moved on.
 */

/** Chunk length: well under V8's large-object threshold (128 KB), so rebuilding one is a fast allocation. */
const CHUNK_LENGTH = 32 * 1024;
/** Values at least this long are edited as ropes; shorter ones are cheaper to copy whole. */
export const ROPE_MIN_LENGTH = 96 * 1024;
/** Total length of the ropes remembered at once. */
const ROPE_CACHE_BUDGET = 64 * 1024 * 1024;

interface Rope {
  /** The string the key held when the chunks were made (a cons tree over them). */
  value: string;
  chunks: string[];
}

/** By "db index NUL key", oldest first (a use moves an entry to the end). */
const ropes = new Map<string, Rope>();
let cachedLength = 0;

function cacheKey(db: Database, key: string): string {
  return `${db.index}\0${key}`;
}

/** The chunks of `value` if it is the rope last made for `key`, else undefined. */
export function ropeChunks(db: Database, key: string, value: string): readonly string[] | undefined {
  if (value.length < ROPE_MIN_LENGTH || ropes.size === 0) return undefined;
  const id = cacheKey(db, key);
  const rope = ropes.get(id);
  if (rope === undefined) return undefined;
  // Usually the very same object; a different string of the same length is compared once
  // (then forgotten unless equal, in which case the chunks still spell it).
  if (rope.value !== value) {
    forget(id, rope);
    return undefined;
  }
  return rope.chunks;
}

function forget(id: string, rope: Rope): void {
  ropes.delete(id);
  cachedLength -= rope.value.length;
}

function remember(id: string, rope: Rope): void {
  const previous = ropes.get(id);
  if (previous !== undefined) forget(id, previous);
  ropes.set(id, rope);
  cachedLength += rope.value.length;
  for (const [oldestId, oldest] of ropes) {
    if (cachedLength <= ROPE_CACHE_BUDGET || oldestId === id) break;
    forget(oldestId, oldest);
  }
}

/** Concatenates chunks pairwise, so the cons tree stays log-deep. */
function concatenate(chunks: readonly string[]): string {
  let level: string[] = chunks.slice();
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? level[i]! + level[i + 1]! : level[i]!);
    level = next;
  }
  return level[0] ?? "";
}

/**
 * `value` (held by `key`) with the bytes at `start` replaced by `replacement`, which must
 * lie within it. Long values come back as a rope remembered for the next edit.
 */
export function patchValue(db: Database, key: string, value: string, start: number, replacement: string): string {
  const end = start + replacement.length;
  if (value.length < ROPE_MIN_LENGTH) return value.slice(0, start) + replacement + value.slice(end);
  const id = cacheKey(db, key);
  let chunks = ropeChunks(db, key, value)?.slice();
  if (chunks === undefined) {
    // Slicing flattens `value` once, if it is not flat already.
    chunks = [];
    for (let i = 0; i < value.length; i += CHUNK_LENGTH) chunks.push(value.slice(i, i + CHUNK_LENGTH));
  }
  for (let c = Math.floor(start / CHUNK_LENGTH); c * CHUNK_LENGTH < end; c++) {
    const chunkStart = c * CHUNK_LENGTH;
    const chunk = chunks[c]!;
    const from = Math.max(start, chunkStart) - chunkStart;
    const to = Math.min(end, chunkStart + chunk.length) - chunkStart;
    const part = replacement.slice(from + chunkStart - start, to + chunkStart - start);
    chunks[c] = chunk.slice(0, from) + part + chunk.slice(to);
  }
  const patched = concatenate(chunks);
  remember(id, { value: patched, chunks });
  return patched;
}

/** The byte at `index` (< value.length), read from the chunks when `value` is a rope. */
export function byteAt(value: string, chunks: readonly string[] | undefined, index: number): number {
  if (chunks === undefined) return value.charCodeAt(index);
  const c = Math.floor(index / CHUNK_LENGTH);
  return chunks[c]!.charCodeAt(index - c * CHUNK_LENGTH);
}

/**
 * Calls `visit(chunk, from, to, offset)` for the pieces of bytes [start, end) of the value,
 * in order (`offset` = where the piece starts in the value); stops when it returns true.
 */
export function forEachPiece(
  value: string,
  chunks: readonly string[] | undefined,
  start: number,
  end: number,
  visit: (text: string, from: number, to: number, offset: number) => boolean,
): void {
  if (chunks === undefined) {
    if (start < end) visit(value, start, end, start);
    return;
  }
  for (let c = Math.floor(start / CHUNK_LENGTH); c * CHUNK_LENGTH < end; c++) {
    const chunkStart = c * CHUNK_LENGTH;
    const from = Math.max(start, chunkStart) - chunkStart;
    const to = Math.min(end, chunkStart + CHUNK_LENGTH) - chunkStart;
    if (visit(chunks[c]!, from, to, chunkStart + from)) return;
  }
}

/** Forgets every rope (tests). */
export function clearRopes(): void {
  ropes.clear();
  cachedLength = 0;
}
