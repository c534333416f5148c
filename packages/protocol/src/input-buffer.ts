const MIN_CAPACITY = 16 * 1024;
const SHORT_SEARCH = 64;
const EMPTY = Buffer.alloc(0);

/**
 * Unconsumed input of a streaming parser: bytes [pos, end) of `buf`.
 *
 * Most reads end on a message boundary, so a chunk that arrives while nothing is pending is
 * adopted as is, without a copy. Only a message cut by a chunk boundary forces a copy, into a
 * buffer of our own that grows geometrically and is compacted lazily (when it is full, not on
 * every consume), so a long message trickling in costs amortized O(n), not O(n^2).
 */
export class InputBuffer {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;
  /**
   * Bumped whenever the bytes move (a new buffer, or compaction), so a parser can tell that a
   * remembered absolute position no longer refers to the same bytes.
   */
  epoch = 0;
  /** Whether `buf` is ours, so bytes past `end` may be overwritten. Chunks from callers are not. */
  private owned = false;

  /**
   * @param compactInPlace reuse our own buffer by moving pending bytes to its start. Only safe
   *   when nothing handed out still views the consumed bytes (parsers returning strings).
   */
  constructor(private readonly compactInPlace: boolean) {}

  get length(): number {
    return this.end - this.pos;
  }

  append(chunk: Buffer): void {
    const added = chunk.length;
    if (added === 0) return;
    const pending = this.end - this.pos;
    if (pending === 0) {
      this.buf = chunk;
      this.pos = 0;
      this.end = added;
      this.owned = false;
      this.epoch++;
      return;
    }
    if (this.owned && this.end + added <= this.buf.length) {
      chunk.copy(this.buf, this.end);
      this.end += added;
      return;
    }
    const needed = pending + added;
    if (this.owned && this.compactInPlace && needed <= this.buf.length) {
      this.buf.copyWithin(0, this.pos, this.end);
    } else {
      const grown = Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY, needed * 2));
      this.buf.copy(grown, 0, this.pos, this.end);
      this.buf = grown;
      this.owned = true;
    }
    chunk.copy(this.buf, pending);
    this.pos = 0;
    this.end = needed;
    this.epoch++;
  }

  /** Index of the first `byte` in [from, to), or -1. `to` defaults to the end of the input. */
  indexOf(byte: number, from: number, to = this.end): number {
    if (from >= to) return -1;
    // A short range (a count line, a NUL check of an inline command) is cheaper to walk here
    // than to cross into C++ for.
    if (to - from <= SHORT_SEARCH) {
      const buf = this.buf;
      for (let i = from; i < to; i++) if (buf[i] === byte) return i;
      return -1;
    }
    // Buffer#indexOf has no end bound. Past `end` our own buffer holds stale bytes that a
    // failed search would scan on every call, so search a view that stops at `to` instead.
    if (to < this.buf.length) {
      const at = this.buf.subarray(from, to).indexOf(byte);
      return at === -1 ? -1 : from + at;
    }
    return this.buf.indexOf(byte, from);
  }

  /** Drops everything pending (after a protocol error, to free memory). */
  clear(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.end = 0;
    this.owned = false;
    this.epoch++;
  }
}
