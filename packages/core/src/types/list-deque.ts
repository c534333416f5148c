/**
 * A deque of latin1 strings with O(1) access by index: the storage of a Redis list.
 *
 * Redis's quicklist gives O(1) pushes and pops at both ends but O(n/node) access by index.
 * kv keeps the same end costs and makes LINDEX/LSET O(1): the elements form a ring buffer,
 * split into fixed-size chunks so that no single JS array ever gets large. A large array would
 * cost a full copy on every doubling (a latency spike at millions of elements), and V8 turns
 * big `new Array(n)` allocations into slow dictionary-backed arrays. With chunks, growing
 * doubles only the chunk directory (one pointer per 256 elements).
 *
 * Two layouts share one addressing scheme — ring position p lives in
 * `chunks[p >>> shift][p & slotMask]`, and element i sits at position `(head + i) & mask`:
 * - small: a single chunk of 4..256 slots that is itself the ring (elements may wrap around
 *   inside it). Short lists, the common case, cost one small array.
 * - chunked: 256-slot chunks in a power-of-two directory, allocated as elements reach them
 *   and dropped as they empty. Invariant: the live range never wraps back into the chunk
 *   where it starts, i.e. `(head & slotMask) + length <= capacity`, so a chunk never holds
 *   both the first and the last elements and can be released as soon as an end leaves it.
 *
 * In both layouts every slot outside the live range holds undefined, so removed strings are
 * not kept alive and an emptied chunk can be reused as is.
 *
 * Middle insertions and removals move the elements of the shorter side (LINSERT) or of the
 * scanned span (LREM): O(n), as their search already is in Redis.
 */

type Slot = string | undefined;

const SMALL_MIN_SHIFT = 2;
const CHUNK_SHIFT = 8;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
/** A chunked list that shrinks to this many elements goes back to the small layout. */
const SMALL_AGAIN = CHUNK_SIZE / 4;
/** Positions are computed with 32-bit bitwise operations, so capacity stays below 2^31. */
const MAX_CAPACITY = 2 ** 30;

export class ListDeque {
  private chunks: (Slot[] | undefined)[];
  /** log2 of the chunk size. */
  private shift: number;
  private slotMask: number;
  /** Capacity - 1; the capacity (all chunks together) is a power of two. */
  private mask: number;
  /** Ring position of element 0. */
  private head = 0;
  private chunked = false;
  /** An emptied chunk kept for the next allocation: queues cross a chunk boundary every 256 operations. */
  private spare: Slot[] | undefined = undefined;
  length = 0;

  constructor() {
    this.shift = SMALL_MIN_SHIFT;
    this.slotMask = (1 << SMALL_MIN_SHIFT) - 1;
    this.mask = this.slotMask;
    this.chunks = [new Array<Slot>(1 << SMALL_MIN_SHIFT)];
  }

  /** Element `index` (0 <= index < length). */
  at(index: number): string {
    const p = (this.head + index) & this.mask;
    return this.chunks[p >>> this.shift]![p & this.slotMask]!;
  }

  /** Replaces element `index` (0 <= index < length). */
  set(index: number, value: string): void {
    const p = (this.head + index) & this.mask;
    this.chunks[p >>> this.shift]![p & this.slotMask] = value;
  }

  pushBack(value: string): void {
    const length = this.length;
    if (this.chunked ? (this.head & this.slotMask) + length > this.mask : length > this.mask) this.grow();
    const p = (this.head + length) & this.mask;
    const c = p >>> this.shift;
    (this.chunks[c] ?? this.allocateChunk(c))[p & this.slotMask] = value;
    this.length = length + 1;
  }

  pushFront(value: string): void {
    const length = this.length;
    if (this.chunked ? ((this.head - 1) & this.slotMask) + length > this.mask : length > this.mask) this.grow();
    const p = (this.head - 1) & this.mask;
    const c = p >>> this.shift;
    (this.chunks[c] ?? this.allocateChunk(c))[p & this.slotMask] = value;
    this.head = p;
    this.length = length + 1;
  }

  popFront(): string | undefined {
    if (this.length === 0) return undefined;
    const p = this.head;
    const c = p >>> this.shift;
    const chunk = this.chunks[c]!;
    const slot = p & this.slotMask;
    const value = chunk[slot];
    chunk[slot] = undefined;
    this.head = (p + 1) & this.mask;
    this.length--;
    if (this.chunked) {
      if (slot === this.slotMask) this.releaseChunk(c, chunk);
    } else if (this.length * 8 <= this.mask && this.shift > SMALL_MIN_SHIFT) {
      this.shrinkSmall();
    }
    return value;
  }

  popBack(): string | undefined {
    if (this.length === 0) return undefined;
    const p = (this.head + this.length - 1) & this.mask;
    const c = p >>> this.shift;
    const chunk = this.chunks[c]!;
    const slot = p & this.slotMask;
    const value = chunk[slot];
    chunk[slot] = undefined;
    this.length--;
    if (this.chunked) {
      if (slot === 0) this.releaseChunk(c, chunk);
    } else if (this.length * 8 <= this.mask && this.shift > SMALL_MIN_SHIFT) {
      this.shrinkSmall();
    }
    return value;
  }

  /** Inserts `value` so that it becomes element `index` (0 <= index <= length), moving the shorter side. */
  insertAt(index: number, value: string): void {
    if (index < this.length - index) {
      this.pushFront(value);
      for (let i = 0; i < index; i++) this.set(i, this.at(i + 1));
    } else {
      this.pushBack(value);
      for (let i = this.length - 1; i > index; i--) this.set(i, this.at(i - 1));
    }
    this.set(index, value);
  }

  /** Removes the first `count` elements (count <= length). */
  removeFront(count: number): void {
    if (count <= 0) return;
    if (count >= this.length) {
      this.clear();
      return;
    }
    if (!this.chunked) {
      const chunk = this.chunks[0]!;
      for (let i = 0; i < count; i++) chunk[(this.head + i) & this.mask] = undefined;
      this.head = (this.head + count) & this.mask;
      this.length -= count;
      this.shrinkIfSparse();
      return;
    }
    // Chunk by chunk: a chunk the range leaves at its end is dropped whole, only a partly
    // emptied one (the new first chunk) needs clearing.
    let p = this.head;
    let remaining = count;
    while (remaining > 0) {
      const c = p >>> CHUNK_SHIFT;
      const slot = p & this.slotMask;
      const n = Math.min(CHUNK_SIZE - slot, remaining);
      if (slot + n === CHUNK_SIZE) this.chunks[c] = undefined;
      else this.chunks[c]!.fill(undefined, slot, slot + n);
      p = (p + n) & this.mask;
      remaining -= n;
    }
    this.head = p;
    this.length -= count;
    this.shrinkIfSparse();
  }

  /** Removes the last `count` elements (count <= length). */
  removeBack(count: number): void {
    if (count <= 0) return;
    if (count >= this.length) {
      this.clear();
      return;
    }
    const first = this.length - count;
    if (!this.chunked) {
      const chunk = this.chunks[0]!;
      for (let i = first; i < this.length; i++) chunk[(this.head + i) & this.mask] = undefined;
      this.length = first;
      this.shrinkIfSparse();
      return;
    }
    let p = (this.head + first) & this.mask;
    let remaining = count;
    while (remaining > 0) {
      const c = p >>> CHUNK_SHIFT;
      const slot = p & this.slotMask;
      const n = Math.min(CHUNK_SIZE - slot, remaining);
      // Starting at slot 0 means no element of this chunk survives (later ones were past the end).
      if (slot === 0) this.chunks[c] = undefined;
      else this.chunks[c]!.fill(undefined, slot, slot + n);
      p = (p + n) & this.mask;
      remaining -= n;
    }
    this.length = first;
    this.shrinkIfSparse();
  }

  /**
   * Removes elements equal to `value`: the first `limit` found scanning from the head (or from
   * the tail when `fromTail`), every one when `limit` is 0. Returns how many were removed.
   * Only the span up to the last removed element is moved, so removing near an end is cheap.
   */
  removeMatching(value: string, limit: number, fromTail: boolean): number {
    const length = this.length;
    let removed = 0;
    if (!fromTail) {
      let end = length;
      for (let i = 0; i < length; i++) {
        if (this.at(i) === value && ++removed === limit) {
          end = i + 1;
          break;
        }
      }
      if (removed === 0) return 0;
      // Slide the survivors of [0, end) toward the tail, then drop the vacated head.
      let w = end - 1;
      for (let r = end - 1; r >= 0; r--) {
        const element = this.at(r);
        if (element === value) continue;
        if (w !== r) this.set(w, element);
        w--;
      }
      this.removeFront(removed);
    } else {
      let start = 0;
      for (let i = length - 1; i >= 0; i--) {
        if (this.at(i) === value && ++removed === limit) {
          start = i;
          break;
        }
      }
      if (removed === 0) return 0;
      let w = start;
      for (let r = start; r < length; r++) {
        const element = this.at(r);
        if (element === value) continue;
        if (w !== r) this.set(w, element);
        w++;
      }
      this.removeBack(removed);
    }
    return removed;
  }

  /** Index of the first element equal to `value`, or -1. */
  indexOf(value: string): number {
    const length = this.length;
    for (let i = 0; i < length; i++) if (this.at(i) === value) return i;
    return -1;
  }

  /** An independent copy with the same elements. */
  protected copyInto<T extends ListDeque>(target: T): T {
    target.chunks = this.chunks.map((chunk) => chunk?.slice());
    target.shift = this.shift;
    target.slotMask = this.slotMask;
    target.mask = this.mask;
    target.head = this.head;
    target.chunked = this.chunked;
    target.length = this.length;
    return target;
  }

  // -------------------------------------------------------------------------------------
  // Layout changes
  // -------------------------------------------------------------------------------------

  private clear(): void {
    this.shift = SMALL_MIN_SHIFT;
    this.slotMask = (1 << SMALL_MIN_SHIFT) - 1;
    this.mask = this.slotMask;
    this.chunks = [new Array<Slot>(1 << SMALL_MIN_SHIFT)];
    this.head = 0;
    this.chunked = false;
    this.spare = undefined;
    this.length = 0;
  }

  private allocateChunk(c: number): Slot[] {
    const chunk = this.spare ?? new Array<Slot>(CHUNK_SIZE);
    this.spare = undefined;
    this.chunks[c] = chunk;
    return chunk;
  }

  /** Makes room for one more element at either end. */
  private grow(): void {
    if (!this.chunked) {
      if (this.shift < CHUNK_SHIFT) this.relayout(this.shift + 1, 1);
      else this.relayout(CHUNK_SHIFT, 4);
      return;
    }
    // Keep the chunks in order from the first live one; only pointers move.
    this.resizeDirectory(this.chunks.length * 2);
  }

  /** Rebuilds the directory with `size` entries, the live chunks first, in order. */
  private resizeDirectory(size: number): void {
    if (size * CHUNK_SIZE > MAX_CAPACITY) throw new RangeError("list too long");
    const old = this.chunks;
    const oldMask = old.length - 1;
    const offset = this.head & this.slotMask;
    const used = (offset + this.length + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
    const first = this.head >>> CHUNK_SHIFT;
    const chunks = new Array<Slot[] | undefined>(size).fill(undefined);
    for (let k = 0; k < used; k++) chunks[k] = old[(first + k) & oldMask];
    this.chunks = chunks;
    this.head = offset;
    this.mask = size * CHUNK_SIZE - 1;
  }

  /** Copies every element into a fresh layout: one chunk of 2^shift slots, or `chunkCount` 256-slot chunks. */
  private relayout(shift: number, chunkCount: number): void {
    const size = 1 << shift;
    const chunks = new Array<Slot[] | undefined>(chunkCount).fill(undefined);
    const length = this.length;
    for (let i = 0; i < length; i++) {
      const c = i >>> shift;
      (chunks[c] ??= new Array<Slot>(size))[i & (size - 1)] = this.at(i);
    }
    chunks[0] ??= new Array<Slot>(size);
    this.chunks = chunks;
    this.shift = shift;
    this.slotMask = size - 1;
    this.mask = chunkCount * size - 1;
    this.head = 0;
    this.chunked = chunkCount > 1;
    this.spare = undefined;
  }

  private releaseChunk(c: number, chunk: Slot[]): void {
    this.chunks[c] = undefined;
    this.spare = chunk;
    if (this.length <= SMALL_AGAIN || this.chunks.length > 4) this.shrinkIfSparse();
  }

  private shrinkSmall(): void {
    let shift = SMALL_MIN_SHIFT;
    while (1 << shift < this.length * 2) shift++;
    this.relayout(shift, 1);
  }

  /** Gives memory back after removals: small lists shrink their ring, chunked ones their directory or layout. */
  private shrinkIfSparse(): void {
    if (!this.chunked) {
      if (this.length * 8 <= this.mask && this.shift > SMALL_MIN_SHIFT) this.shrinkSmall();
      return;
    }
    if (this.length <= SMALL_AGAIN) {
      this.shrinkSmall();
      return;
    }
    const used = ((this.head & this.slotMask) + this.length + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
    let size = this.chunks.length;
    while (size > 4 && used * 4 <= size) size /= 2;
    if (size !== this.chunks.length) this.resizeDirectory(size);
  }
}
