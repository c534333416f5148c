import type { AofFileSystem } from "./aof-file-system.js";

/** findLine results that are not a line length. */
export const LINE_INCOMPLETE = -1;
export const LINE_TOO_LONG = -2;
export const LINE_BARE_LF = -3;

/**
 * Sequential reader over a file descriptor with a refillable window, so replaying a
 * multi-gigabyte AOF needs memory for one chunk (or one large value), not the file.
 * Reads use explicit positions; the fd's own offset is never relied upon.
 */
export class FileCursor {
  private buffer: Buffer;
  private start = 0;
  private end = 0;
  /** File offset of buffer[0]. */
  private bufferOffset: number;
  private exhausted = false;

  constructor(
    private readonly fs: AofFileSystem,
    private readonly fd: number,
    startOffset = 0,
    private readonly chunkSize = 1024 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(chunkSize);
    this.bufferOffset = startOffset;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.bufferOffset + this.start;
  }

  get buffered(): number {
    return this.end - this.start;
  }

  /** Makes `count` bytes readable; false when the file ends first. */
  ensure(count: number): boolean {
    if (this.end - this.start >= count) return true;
    if (this.exhausted) return false;
    if (this.start > 0) {
      this.buffer.copy(this.buffer, 0, this.start, this.end);
      this.bufferOffset += this.start;
      this.end -= this.start;
      this.start = 0;
    }
    if (count > this.buffer.length) {
      this.resize(Math.max(count, this.buffer.length * 2));
    } else if (this.buffer.length > 4 * this.chunkSize && count <= this.chunkSize && this.end <= this.chunkSize) {
      // One huge value grew the window; do not keep it for the rest of the file.
      this.resize(this.chunkSize);
    }
    while (this.end < count) {
      const room = this.buffer.length - this.end;
      const read = this.fs.readSync(this.fd, this.buffer, this.end, room, this.bufferOffset + this.end);
      if (read === 0) {
        this.exhausted = true;
        return false;
      }
      this.end += read;
    }
    return true;
  }

  private resize(capacity: number): void {
    const next = Buffer.allocUnsafe(capacity);
    this.buffer.copy(next, 0, 0, this.end);
    this.buffer = next;
  }

  atEnd(): boolean {
    return !this.ensure(1);
  }

  /** Byte at `index` past the cursor; call ensure(index + 1) first. */
  peek(index = 0): number {
    return this.buffer[this.start + index]!;
  }

  skip(count: number): void {
    this.start += count;
  }

  /** Next `count` bytes as a view valid until the cursor moves again; call ensure(count) first. */
  take(count: number): Buffer {
    const view = this.buffer.subarray(this.start, this.start + count);
    this.start += count;
    return view;
  }

  takeLatin1(count: number): string {
    const text = this.buffer.toString("latin1", this.start, this.start + count);
    this.start += count;
    return text;
  }

  /** Reads the next `count` bytes as decimal digits (already ensured); NaN if any is not a digit. */
  parseDecimal(from: number, count: number): number {
    if (count === 0 || count > 16) return NaN;
    let value = 0;
    for (let i = 0; i < count; i++) {
      const digit = this.buffer[this.start + from + i]! - 0x30;
      if (digit < 0 || digit > 9) return NaN;
      value = value * 10 + digit;
    }
    return value;
  }

  /**
   * Length of the line at the cursor, excluding its CRLF, without consuming it.
   * LINE_INCOMPLETE when the file ends before CRLF, LINE_TOO_LONG when no CRLF
   * appears within `maxLength` bytes, LINE_BARE_LF for a LF not preceded by CR.
   */
  findLine(maxLength: number): number {
    let scanned = 0;
    for (;;) {
      const limit = Math.min(this.end - this.start, maxLength + 2);
      for (let i = scanned; i < limit; i++) {
        if (this.buffer[this.start + i] === 0x0a) {
          if (i === 0 || this.buffer[this.start + i - 1] !== 0x0d) return LINE_BARE_LF;
          return i - 1;
        }
      }
      scanned = limit;
      if (scanned >= maxLength + 2) return LINE_TOO_LONG;
      if (!this.ensure(scanned + 1)) return LINE_INCOMPLETE;
    }
  }
}
