import { latin1Slice, latin1Write } from "@kv/protocol";

/**
 * Memory for keys and small string values outside V8's heap: Buffers carved into blocks.
 *
 * Why: every V8 heap object costs the garbage collector time, and a keyspace of JS strings is
 * two objects per key. At 10M keys the heap was 1 GB, a scavenge took 7-10 ms (it grows with
 * the old generation, measured 2 ms at 100k entries) and a full mark-compact paused the
 * server for about a second. Bytes in Buffers are one external allocation per chunk, which
 * neither collector walks: a bare 10M-key table here scavenged in 3.8 ms (median), the same
 * as at 100k keys, against 17.9 ms for a Map of strings in the same run.
 *
 * Blocks come in size classes (multiples of 8 up to 128 bytes, then four per power of two up
 * to 64 KiB), each with a free list, bump-allocated from chunks that double from 16 KiB to
 * 1 MiB. A larger block gets a Buffer of its own. A block is named by two small integers,
 * its chunk and its offset there, which a table keeps in an Int32Array: a double address
 * would be boxed into a new heap number wherever it is passed to a call V8 does not inline.
 */
export class ByteArena {
  private chunks: Buffer[] = [];
  /** Per size class, freed blocks as chunk * 2^32 + offset (doubles in a packed array, never passed to calls). */
  private readonly freeBlocks: number[][] = [];
  private readonly freeChunkIds: number[] = [];
  private current: Buffer = NO_CHUNK;
  private currentId = -1;
  private top = 0;
  /** The offset of the block alloc() returned last (alloc returns its chunk). */
  offset = 0;
  private nextChunkSize = FIRST_CHUNK;
  readonly usage: ArenaUsage = { reserved: 0, used: 0 };

  constructor() {
    for (let c = 0; c <= LARGEST_CLASS; c++) this.freeBlocks.push([]);
    ARENA_USAGE.add(this.usage);
    usageRegistry.register(this, this.usage);
  }

  /** A block of at least `length` (> 0) bytes: returns its chunk, and leaves its offset in `offset`. */
  alloc(length: number): number {
    if (length > LARGEST_BLOCK) return this.allocLarge(length);
    const sizeClass = classOf(length);
    const size = classSize(sizeClass);
    this.usage.used += size;
    const free = this.freeBlocks[sizeClass]!;
    if (free.length !== 0) {
      const block = free.pop()!;
      this.offset = block % CHUNK_STRIDE;
      return (block - this.offset) / CHUNK_STRIDE;
    }
    if (this.top + size > this.current.length) this.addChunk();
    this.offset = this.top;
    this.top += size;
    return this.currentId;
  }

  /** Gives back a block from alloc(length). */
  release(chunk: number, offset: number, length: number): void {
    if (length > LARGEST_BLOCK) {
      this.usage.reserved -= this.chunks[chunk]!.length;
      this.usage.used -= length;
      this.chunks[chunk] = NO_CHUNK;
      this.freeChunkIds.push(chunk);
      return;
    }
    const sizeClass = classOf(length);
    this.usage.used -= classSize(sizeClass);
    this.freeBlocks[sizeClass]!.push(chunk * CHUNK_STRIDE + offset);
  }

  /** Stores a latin1 string (one byte per char) in a block. */
  write(chunk: number, offset: number, value: string): void {
    latin1Write(this.chunks[chunk]!, value, offset);
  }

  read(chunk: number, offset: number, length: number): string {
    if (length === 0) return "";
    return latin1Slice(this.chunks[chunk]!, offset, offset + length);
  }

  /** Copies `length` bytes of a block into `target` at `at`. */
  copy(chunk: number, offset: number, length: number, target: Buffer, at: number): void {
    const bytes = this.chunks[chunk]!;
    // Buffer#copy is a C++ call: for the short keys and values that make up most of a
    // keyspace, a loop in JS is cheaper than crossing into it.
    if (length <= 32) for (let i = 0; i < length; i++) target[at + i] = bytes[offset + i]!;
    else bytes.copy(target, at, offset, offset + length);
  }

  /** Whether the block's first `value.length` bytes are `value`'s chars. */
  equals(chunk: number, offset: number, value: string): boolean {
    const bytes = this.chunks[chunk]!;
    for (let i = 0; i < value.length; i++) if (bytes[offset + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  private addChunk(): void {
    const size = this.nextChunkSize;
    if (size < MAX_CHUNK) this.nextChunkSize = size * 2;
    // The tail of the old chunk is lost (under one block of the largest class); it stays
    // counted as reserved, so the memory gauge sees it as the fragmentation it is.
    this.current = Buffer.allocUnsafeSlow(size);
    this.currentId = this.takeChunkId(this.current);
    this.top = 0;
    this.usage.reserved += size;
  }

  private allocLarge(length: number): number {
    const chunk = Buffer.allocUnsafeSlow(length);
    this.usage.reserved += length;
    this.usage.used += length;
    this.offset = 0;
    return this.takeChunkId(chunk);
  }

  private takeChunkId(chunk: Buffer): number {
    const reused = this.freeChunkIds.pop();
    if (reused !== undefined) {
      this.chunks[reused] = chunk;
      return reused;
    }
    this.chunks.push(chunk);
    return this.chunks.length - 1;
  }
}

export interface ArenaUsage {
  /** Bytes of Buffers the arena holds (all counted in V8's external memory). */
  reserved: number;
  /** Bytes of blocks handed out and not yet released. */
  used: number;
}

/**
 * Bytes the live arenas hold but do not use: free blocks and chunk tails. The memory gauge
 * subtracts them, so a key deleted from the arena counts as freed at once (as in Redis, where
 * the allocator's freed bytes stop counting as used).
 */
export function arenaSlackBytes(): number {
  let slack = 0;
  for (const usage of ARENA_USAGE) slack += usage.reserved - usage.used;
  return slack;
}

const ARENA_USAGE = new Set<ArenaUsage>();
// A table dropped whole (FLUSHALL during a rewrite, a test's Database) takes its arena with
// it; its usage leaves the sum once V8 has collected the chunks.
const usageRegistry = new FinalizationRegistry<ArenaUsage>((usage) => ARENA_USAGE.delete(usage));

const NO_CHUNK = Buffer.alloc(0);
const CHUNK_STRIDE = 2 ** 32;
const FIRST_CHUNK = 16 * 1024;
const MAX_CHUNK = 1024 * 1024;
const LARGEST_BLOCK = 64 * 1024;

/** Size classes: 8, 16, ..., 128 (1-16), then 160, 192, 224, 256, 320, ... (four per doubling). */
function classOf(length: number): number {
  if (length <= 128) return (length + 7) >>> 3;
  const log = 31 - Math.clz32(length - 1);
  return 17 + (log - 7) * 4 + ((length - 1 - (1 << log)) >>> (log - 2));
}

function classSize(sizeClass: number): number {
  if (sizeClass <= 16) return sizeClass << 3;
  const log = ((sizeClass - 17) >> 2) + 7;
  return (1 << log) + (((sizeClass - 17) & 3) + 1) * (1 << (log - 2));
}

const LARGEST_CLASS = classOf(LARGEST_BLOCK);
