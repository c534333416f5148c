/** A region of memory replies are written into; bytes below `used` belong to someone. */
export interface Slab {
  readonly buf: Buffer;
  used: number;
}

export const DEFAULT_SLAB_SIZE = 64 * 1024;

/**
 * Shared slabs for ReplyWriters, like Node's own Buffer pool: writers append at the end of the
 * current slab and hand out views of what they wrote, so thousands of clients share a few
 * 64 KiB allocations instead of each owning an output buffer. A slab is never rewound below
 * bytes that were handed out, so a taken Buffer is never overwritten; the slab is freed by
 * the GC once no view of it is left.
 */
export class SlabPool {
  readonly slabSize: number;
  private current: Slab;

  constructor(slabSize = DEFAULT_SLAB_SIZE) {
    if (!Number.isInteger(slabSize) || slabSize < 16) throw new RangeError(`slab size must be an integer >= 16, got ${slabSize}`);
    this.slabSize = slabSize;
    this.current = { buf: Buffer.alloc(0), used: 0 };
  }

  /**
   * A slab with at least `needed` free bytes after its `used` mark. Beyond a slab's size the
   * writer gets a buffer of its own, sized `preferred` so a reply that keeps growing is
   * copied O(log n) times, not once per write.
   */
  claim(needed: number, preferred: number): Slab {
    const current = this.current;
    const free = current.buf.length - current.used;
    if (free >= needed) return current;
    const size = needed <= this.slabSize ? this.slabSize : Math.max(needed, preferred);
    const slab: Slab = { buf: Buffer.allocUnsafeSlow(size), used: 0 };
    // Whichever has more room left serves the next writers.
    if (size - needed >= free) this.current = slab;
    return slab;
  }
}

/** The pool ReplyWriters use unless given another one. */
export const defaultSlabPool = new SlabPool();
