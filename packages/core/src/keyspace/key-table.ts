import { ByteArena } from "./byte-arena.js";

/**
 * A string-keyed table whose keys and small string values live outside V8's heap (see
 * ByteArena for why), with a hash index of its own.
 *
 * Layout: entries sit in numbered slots, one column per field (typed arrays, so a million
 * entries are a few arrays rather than millions of objects); an open-addressing index with
 * linear probing maps a key's hash to its slot. Numbers (the expiry table's deadlines) are
 * kept in the slot itself; collections, larger strings and the snapshot's tombstone stay JS
 * values in a side array, which a slot points into.
 *
 * Iteration follows slot order and gives what SCAN needs from Map's iterators: a slot never
 * moves while its key is present, so an entry present for the whole walk is visited exactly
 * once; an entry deleted before being reached is skipped; an entry added during the walk may
 * or may not be seen (it may reuse a free slot on either side). clear() ends live iterators.
 */
export class KeyTable<V> {
  private arena = new ByteArena();
  private kinds = new Uint8Array(0);
  private hashes = new Int32Array(0);
  /** Per slot, the key's block in the arena: chunk, offset. */
  private keyAt = new Int32Array(0);
  private keyLength = new Int32Array(0);
  /** Per slot, two words: the value's block (chunk, offset), or its index in `objects`. */
  private valueAt = new Int32Array(0);
  /** The same memory as valueAt, one double per slot: the value of a number slot. */
  private valueNumber = new Float64Array(0);
  private valueLength = new Int32Array(0);
  /** Per slot, the walk mark that markForWalk left (see TableCursor.takeMark). */
  private walkMarks = new Uint8Array(0);
  private walkMark = 0;
  private objects: unknown[] = [];
  private freeObjects: number[] = [];
  private freeSlots: number[] = [];
  /** Slots in use or freed: every entry has a slot below this. */
  private slotTop = 0;
  private live = 0;
  /** slot + 1 per position, 0 for an empty position. */
  private index = new Int32Array(MIN_INDEX);
  private mask = MIN_INDEX - 1;
  /** Present-keys cursors walking: while any is, new keys take fresh slots past their limit. */
  private holds = 0;
  /** Bumped by clear(), which ends every iterator begun before it. */
  private generation = 0;

  get size(): number {
    return this.live;
  }

  get(key: string): V | undefined {
    const position = this.find(key, hashKey(key));
    return position < 0 ? undefined : this.valueOf(this.index[position]! - 1);
  }

  has(key: string): boolean {
    return this.find(key, hashKey(key)) >= 0;
  }

  set(key: string, value: V): void {
    const hash = hashKey(key);
    let position = this.find(key, hash);
    if (position >= 0) {
      const slot = this.index[position]! - 1;
      this.releaseValue(slot);
      this.storeValue(slot, value);
      return;
    }
    if ((this.live + 1) > this.index.length * MAX_LOAD) {
      this.resizeIndex(this.index.length * 2);
      position = this.find(key, hash);
    }
    const slot = this.takeSlot();
    this.hashes[slot] = hash;
    this.walkMarks[slot] = 0;
    this.keyLength[slot] = key.length;
    this.placeString(this.keyAt, slot, key);
    this.storeValue(slot, value);
    this.index[-1 - position] = slot + 1;
    this.live++;
  }

  delete(key: string): boolean {
    const position = this.find(key, hashKey(key));
    if (position < 0) return false;
    const slot = this.index[position]! - 1;
    this.releaseValue(slot);
    const length = this.keyLength[slot]!;
    if (length !== 0) this.arena.release(this.keyAt[2 * slot]!, this.keyAt[2 * slot + 1]!, length);
    this.kinds[slot] = EMPTY;
    this.freeSlots.push(slot);
    this.removePosition(position);
    this.live--;
    return true;
  }

  clear(): void {
    this.generation++;
    this.holds = 0; // every cursor begun before has ended
    this.arena = new ByteArena();
    this.kinds = new Uint8Array(0);
    this.hashes = new Int32Array(0);
    this.keyAt = new Int32Array(0);
    this.keyLength = new Int32Array(0);
    this.valueAt = new Int32Array(0);
    this.valueNumber = new Float64Array(0);
    this.valueLength = new Int32Array(0);
    this.walkMarks = new Uint8Array(0);
    this.objects = [];
    this.freeObjects = [];
    this.freeSlots = [];
    this.slotTop = 0;
    this.live = 0;
    this.index = new Int32Array(MIN_INDEX);
    this.mask = MIN_INDEX - 1;
  }

  keys(): IterableIterator<string> {
    return new SlotIterator(this, false) as IterableIterator<string>;
  }

  entries(): IterableIterator<[string, V]> {
    return new SlotIterator(this, true) as IterableIterator<[string, V]>;
  }

  /**
   * A cursor over the keys present now, for a walk that spans many event-loop turns while
   * writes go on. Until it ends (or is released), new keys go to slots past the ones present
   * now, so it never reaches them. Valid only while nothing is deleted from the table before
   * the walk ends (the live snapshot turns deletions into tombstones for that reason).
   */
  cursorOverPresentKeys(): TableCursor<V> {
    this.holds++;
    if (this.walkMark === 255) {
      this.walkMarks.fill(0);
      this.walkMark = 0;
    }
    // A fresh mark value per walk: marks an earlier walk left where it had passed mean nothing.
    return new TableCursor(this, this.slotTop, this.generation, ++this.walkMark);
  }

  /**
   * Flags `key` for the latest present-keys walk, so that it makes the key a string when it
   * gets there (the snapshot remembered something for it). Keys without a flag it copies out
   * as bytes, never making their key a string.
   */
  markForWalk(key: string): void {
    const position = this.find(key, hashKey(key));
    if (position >= 0) this.walkMarks[this.index[position]! - 1] = this.walkMark;
  }

  // ---- slot access for the iterators and cursor -------------------------------------------

  /** @internal */
  slotLimit(): number {
    return this.slotTop;
  }

  /** @internal */
  generationNow(): number {
    return this.generation;
  }

  /** @internal */
  isOccupied(slot: number): boolean {
    return this.kinds[slot] !== EMPTY;
  }

  /** @internal */
  keyOf(slot: number): string {
    return this.arena.read(this.keyAt[2 * slot]!, this.keyAt[2 * slot + 1]!, this.keyLength[slot]!);
  }

  /** @internal */
  valueOf(slot: number): V {
    const kind = this.kinds[slot];
    if (kind === STRING) return this.arena.read(this.valueAt[2 * slot]!, this.valueAt[2 * slot + 1]!, this.valueLength[slot]!) as V;
    if (kind === NUMBER) return this.valueNumber[slot] as V;
    return this.objects[this.valueAt[2 * slot]!] as V;
  }

  /** @internal Whether the slot carries `mark` (see markForWalk); clears it. */
  takeWalkMark(slot: number, mark: number): boolean {
    const marks = this.walkMarks;
    const marked = marks[slot] === mark;
    // Stored whether marked or not: a store only on the rare marked path had no type feedback
    // when the walk was compiled, and its first run deoptimised the walk.
    marks[slot] = 0;
    return marked;
  }

  /** @internal Whether the slot's value is a string in the arena (copyValueOf can write it out). */
  holdsArenaString(slot: number): boolean {
    return this.kinds[slot] === STRING;
  }

  /** @internal */
  keyLengthOf(slot: number): number {
    return this.keyLength[slot]!;
  }

  /** @internal */
  valueLengthOf(slot: number): number {
    return this.valueLength[slot]!;
  }

  /** @internal */
  copyKeyOf(slot: number, target: Buffer, at: number): void {
    this.arena.copy(this.keyAt[2 * slot]!, this.keyAt[2 * slot + 1]!, this.keyLength[slot]!, target, at);
  }

  /** @internal */
  copyValueOf(slot: number, target: Buffer, at: number): void {
    this.arena.copy(this.valueAt[2 * slot]!, this.valueAt[2 * slot + 1]!, this.valueLength[slot]!, target, at);
  }

  /** @internal */
  releaseHold(): void {
    this.holds--;
  }

  // ---- internals ------------------------------------------------------------------------

  /** The index position holding `key`, or -1 - (the empty position where it would go). */
  private find(key: string, hash: number): number {
    const index = this.index;
    const mask = this.mask;
    const hashes = this.hashes;
    const length = key.length;
    for (let position = hash & mask; ; position = (position + 1) & mask) {
      const entry = index[position]!;
      if (entry === 0) return -1 - position;
      const slot = entry - 1;
      if (hashes[slot] === hash && this.keyLength[slot] === length && this.arena.equals(this.keyAt[2 * slot]!, this.keyAt[2 * slot + 1]!, key)) {
        return position;
      }
    }
  }

  /** Backward-shift deletion: later entries of the probe run move up, so no tombstones pile up. */
  private removePosition(position: number): void {
    const index = this.index;
    const mask = this.mask;
    let hole = position;
    for (let next = (hole + 1) & mask; ; next = (next + 1) & mask) {
      const entry = index[next]!;
      if (entry === 0) break;
      const home = this.hashes[entry - 1]! & mask;
      // The entry may fill the hole unless its home lies cyclically in (hole, next].
      const stays = hole <= next ? home > hole && home <= next : home > hole || home <= next;
      if (!stays) {
        index[hole] = entry;
        hole = next;
      }
    }
    index[hole] = 0;
  }

  private resizeIndex(capacity: number): void {
    const index = new Int32Array(capacity);
    const mask = capacity - 1;
    const kinds = this.kinds;
    const hashes = this.hashes;
    for (let slot = 0; slot < this.slotTop; slot++) {
      if (kinds[slot] === EMPTY) continue;
      let position = hashes[slot]! & mask;
      while (index[position] !== 0) position = (position + 1) & mask;
      index[position] = slot + 1;
    }
    this.index = index;
    this.mask = mask;
  }

  private takeSlot(): number {
    if (this.holds === 0 && this.freeSlots.length !== 0) return this.freeSlots.pop()!;
    if (this.slotTop === this.kinds.length) this.growSlots();
    return this.slotTop++;
  }

  private growSlots(): void {
    const capacity = Math.max(MIN_SLOTS, this.kinds.length * 2);
    this.kinds = grown(new Uint8Array(capacity), this.kinds);
    this.hashes = grown(new Int32Array(capacity), this.hashes);
    this.keyAt = grown(new Int32Array(2 * capacity), this.keyAt);
    this.keyLength = grown(new Int32Array(capacity), this.keyLength);
    this.valueAt = grown(new Int32Array(2 * capacity), this.valueAt);
    this.valueNumber = new Float64Array(this.valueAt.buffer);
    this.valueLength = grown(new Int32Array(capacity), this.valueLength);
    this.walkMarks = grown(new Uint8Array(capacity), this.walkMarks);
  }

  private storeValue(slot: number, value: V): void {
    if (typeof value === "string" && value.length <= OFF_HEAP_STRING_MAX) {
      this.kinds[slot] = STRING;
      this.valueLength[slot] = value.length;
      this.placeString(this.valueAt, slot, value);
    } else if (typeof value === "number") {
      this.kinds[slot] = NUMBER;
      this.valueNumber[slot] = value;
    } else {
      this.kinds[slot] = OBJECT;
      const reused = this.freeObjects.pop();
      if (reused === undefined) {
        this.valueAt[2 * slot] = this.objects.length;
        this.objects.push(value);
      } else {
        this.valueAt[2 * slot] = reused;
        this.objects[reused] = value;
      }
    }
  }

  /** Copies `value` into a new arena block and records it as the slot's (chunk, offset) in `at`. */
  private placeString(at: Int32Array, slot: number, value: string): void {
    if (value.length === 0) return;
    const arena = this.arena;
    const chunk = arena.alloc(value.length);
    arena.write(chunk, arena.offset, value);
    at[2 * slot] = chunk;
    at[2 * slot + 1] = arena.offset;
  }

  private releaseValue(slot: number): void {
    const kind = this.kinds[slot];
    if (kind === STRING) {
      const length = this.valueLength[slot]!;
      if (length !== 0) this.arena.release(this.valueAt[2 * slot]!, this.valueAt[2 * slot + 1]!, length);
    } else if (kind === OBJECT) {
      const at = this.valueAt[2 * slot]!;
      this.objects[at] = undefined;
      this.freeObjects.push(at);
    }
  }
}

/**
 * A key and string value as bytes where the table keeps them, so that a writer can copy them
 * out without making a JS string of either (the AOF rewrite at millions of keys).
 */
export interface StoredStringBytes {
  readonly keyLength: number;
  readonly valueLength: number;
  copyKey(target: Buffer, at: number): void;
  copyValue(target: Buffer, at: number): void;
}

/**
 * See KeyTable.cursorOverPresentKeys. A plain object with a next method rather than a
 * generator: called once per key of a whole-dataset walk, it allocates nothing per key when
 * used through advance() and the StoredStringBytes view of the current entry.
 */
export class TableCursor<V> implements StoredStringBytes {
  private readonly table: KeyTable<V>;
  private readonly limit: number;
  private readonly generation: number;
  private readonly mark: number;
  private next = 0;
  private slot = -1;
  private held = true;

  constructor(table: KeyTable<V>, limit: number, generation: number, mark: number) {
    this.table = table;
    this.limit = limit;
    this.generation = generation;
    this.mark = mark;
  }

  /** Moves to the next key present at the start; false once every one was visited. */
  advance(): boolean {
    const table = this.table;
    if (table.generationNow() === this.generation) {
      while (this.next < this.limit) {
        const slot = this.next++;
        if (table.isOccupied(slot)) {
          this.slot = slot;
          return true;
        }
      }
    }
    this.slot = -1;
    this.release();
    return false;
  }

  /** Whether markForWalk flagged the current key since this walk began (the flag is cleared). */
  takeMark(): boolean {
    return this.table.takeWalkMark(this.slot, this.mark);
  }

  /** The current key (a new string per call). */
  key(): string {
    return this.table.keyOf(this.slot);
  }

  /** The value of the current key, as it is now. */
  currentValue(): V | undefined {
    return this.slot < 0 ? undefined : this.table.valueOf(this.slot);
  }

  /** Whether the current value is a string the StoredStringBytes view can copy out. */
  holdsStoredString(): boolean {
    return this.table.holdsArenaString(this.slot);
  }

  get keyLength(): number {
    return this.table.keyLengthOf(this.slot);
  }

  get valueLength(): number {
    return this.table.valueLengthOf(this.slot);
  }

  copyKey(target: Buffer, at: number): void {
    this.table.copyKeyOf(this.slot, target, at);
  }

  copyValue(target: Buffer, at: number): void {
    this.table.copyValueOf(this.slot, target, at);
  }

  /** Ends the walk early: the table may reuse free slots again. Idempotent. */
  release(): void {
    if (!this.held) return;
    this.held = false;
    // After a clear() the table no longer counts this cursor.
    if (this.table.generationNow() === this.generation) this.table.releaseHold();
  }
}

/** keys() and entries(): slot order, ended by clear() (see KeyTable). */
class SlotIterator<V> implements IterableIterator<string | [string, V]> {
  private readonly table: KeyTable<V>;
  private readonly withValues: boolean;
  private readonly generation: number;
  private position = 0;
  private done = false;

  constructor(table: KeyTable<V>, withValues: boolean) {
    this.table = table;
    this.withValues = withValues;
    this.generation = table.generationNow();
  }

  next(): IteratorResult<string | [string, V]> {
    const table = this.table;
    if (!this.done && table.generationNow() === this.generation) {
      const limit = table.slotLimit();
      while (this.position < limit) {
        const slot = this.position++;
        if (!table.isOccupied(slot)) continue;
        const key = table.keyOf(slot);
        return { value: this.withValues ? [key, table.valueOf(slot)] : key, done: false };
      }
    }
    this.done = true;
    return { value: undefined, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

const EMPTY = 0;
const STRING = 1;
const NUMBER = 2;
const OBJECT = 3;

const MIN_INDEX = 16;
const MIN_SLOTS = 8;
/** Linear probing stays short below this load (2.2 probes per hit on average at 0.7). */
const MAX_LOAD = 0.7;
/**
 * Longer strings stay JS strings: few enough that the collector does not notice them, and a
 * read of one would otherwise copy it out of the arena every time.
 */
export const OFF_HEAP_STRING_MAX = 16 * 1024;

/**
 * A per-process seed, so that which keys collide cannot be worked out in advance (the index
 * is linear probing: a run of colliding keys makes each lookup walk it).
 */
const SEED = (Math.random() * 2 ** 32) | 0;

/** FNV-1a over the key's bytes, then murmur3's finaliser so sequential keys spread over the index. */
function hashKey(key: string): number {
  let h = SEED ^ 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function grown<T extends { set(array: ArrayLike<number>): void }>(into: T, from: ArrayLike<number>): T {
  into.set(from);
  return into;
}
