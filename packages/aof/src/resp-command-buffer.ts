import type { StoredStringBytes } from "@kv/core";
import { RespType } from "@kv/protocol";

const CR = 0x0d;
const LF = 0x0a;

/**
 * Encodes commands as RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) into one
 * growing Buffer. AOF appends sit on the write hot path, so encoding writes bytes
 * in place instead of building a Buffer (or string) per command; the buffer is
 * handed to write(2) once per event-loop turn and then reused.
 */
export class RespCommandBuffer {
  private buffer: Buffer;
  private used = 0;

  constructor(
    private readonly initialCapacity = 16 * 1024,
    /** Above this the buffer is dropped after a flush, so one burst does not pin memory (Redis does the same with aof_buf). */
    private readonly retainCapacity = 4 * 1024 * 1024,
  ) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  get length(): number {
    return this.used;
  }

  appendCommand(args: readonly string[]): void {
    let size = 3 + decimalLength(args.length);
    for (const arg of args) size += 5 + decimalLength(arg.length) + arg.length;
    this.reserve(size);

    const buffer = this.buffer;
    let at = this.used;
    buffer[at++] = RespType.Array;
    at = writeDecimal(buffer, at, args.length);
    buffer[at++] = CR;
    buffer[at++] = LF;
    for (const arg of args) {
      buffer[at++] = RespType.BulkString;
      at = writeDecimal(buffer, at, arg.length);
      buffer[at++] = CR;
      buffer[at++] = LF;
      at += writeLatin1(buffer, at, arg);
      buffer[at++] = CR;
      buffer[at++] = LF;
    }
    this.used = at;
  }

  /** Appends bytes already encoded (a short command such as a cached SELECT). */
  appendBytes(bytes: Buffer): void {
    const length = bytes.length;
    this.reserve(length);
    const buffer = this.buffer;
    const at = this.used;
    for (let i = 0; i < length; i++) buffer[at + i] = bytes[i]!;
    this.used = at + length;
  }

  /**
   * `SET key value [PXAT expireAt]`, written without building an argv array: the rewrite
   * encodes millions of these and the arrays would be garbage that outlives young GCs.
   */
  appendSet(key: string, value: string, expireAt: number | undefined): void {
    const deadline = expireAt === undefined ? undefined : String(expireAt);
    let at = this.beginSet(key.length, value.length, deadline);
    const buffer = this.buffer;
    at = writeBulk(buffer, at, key);
    at = writeBulk(buffer, at, value);
    this.endSet(at, deadline);
  }

  /** appendSet with the key and value copied from where their owner keeps them (no strings made). */
  appendSetFrom(entry: StoredStringBytes, expireAt: number | undefined): void {
    const deadline = expireAt === undefined ? undefined : String(expireAt);
    const keyLength = entry.keyLength;
    const valueLength = entry.valueLength;
    let at = this.beginSet(keyLength, valueLength, deadline);
    const buffer = this.buffer;
    at = writeBulkHeader(buffer, at, keyLength);
    entry.copyKey(buffer, at);
    at = writeCrlf(buffer, at + keyLength);
    at = writeBulkHeader(buffer, at, valueLength);
    entry.copyValue(buffer, at);
    at = writeCrlf(buffer, at + valueLength);
    this.endSet(at, deadline);
  }

  /** Reserves room for a whole SET and writes up to its name; returns where the key goes. */
  private beginSet(keyLength: number, valueLength: number, deadline: string | undefined): number {
    let size = 4 + 9 + 5 + decimalLength(keyLength) + keyLength + 5 + decimalLength(valueLength) + valueLength;
    if (deadline !== undefined) size += 10 + 5 + decimalLength(deadline.length) + deadline.length;
    this.reserve(size);
    const buffer = this.buffer;
    let at = this.used;
    buffer[at++] = RespType.Array;
    buffer[at++] = deadline === undefined ? 0x33 : 0x35; // *3 or *5
    buffer[at++] = CR;
    buffer[at++] = LF;
    return at + buffer.write("$3\r\nSET\r\n", at, "latin1");
  }

  private endSet(at: number, deadline: string | undefined): void {
    if (deadline !== undefined) {
      at += this.buffer.write("$4\r\nPXAT\r\n", at, "latin1");
      at = writeBulk(this.buffer, at, deadline);
    }
    this.used = at;
  }

  /** The encoded bytes; a view that is only valid until the next append/consume/clear. */
  view(): Buffer {
    return this.buffer.subarray(0, this.used);
  }

  /**
   * The buffer the bytes are encoded into, from its start (`length` of them): for the AOF's
   * per-turn write, where a view() was one more object allocated per write. Valid until the
   * next append/consume/clear.
   */
  backing(): Buffer {
    return this.buffer;
  }

  /** Drops the first `count` bytes (after a partial write the rest stays pending). */
  consume(count: number): void {
    if (count >= this.used) {
      this.clear();
      return;
    }
    this.buffer.copy(this.buffer, 0, count, this.used);
    this.used -= count;
  }

  clear(): void {
    this.used = 0;
    if (this.buffer.length > this.retainCapacity) this.buffer = Buffer.allocUnsafe(this.initialCapacity);
  }

  private reserve(extra: number): void {
    const needed = this.used + extra;
    if (needed <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.used);
    this.buffer = grown;
  }
}

function decimalLength(value: number): number {
  if (value < 10) return 1;
  if (value < 100) return 2;
  if (value < 1000) return 3;
  if (value < 10000) return 4;
  return String(value).length;
}

function writeDecimal(buffer: Buffer, at: number, value: number): number {
  if (value < 10) {
    buffer[at] = 0x30 + value;
    return at + 1;
  }
  const digits = decimalLength(value);
  let end = at + digits;
  let rest = value;
  while (end > at) {
    buffer[--end] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

function writeBulk(buffer: Buffer, at: number, value: string): number {
  at = writeBulkHeader(buffer, at, value.length);
  return writeCrlf(buffer, at + writeLatin1(buffer, at, value));
}

function writeBulkHeader(buffer: Buffer, at: number, length: number): number {
  buffer[at++] = RespType.BulkString;
  at = writeDecimal(buffer, at, length);
  return writeCrlf(buffer, at);
}

function writeCrlf(buffer: Buffer, at: number): number {
  buffer[at] = CR;
  buffer[at + 1] = LF;
  return at + 2;
}

/** Short arguments (keys, command names) are cheaper to copy by hand than through the string-encoding binding. */
function writeLatin1(buffer: Buffer, at: number, value: string): number {
  const length = value.length;
  if (length <= 16) {
    for (let i = 0; i < length; i++) buffer[at + i] = value.charCodeAt(i);
    return length;
  }
  return buffer.write(value, at, length, "latin1");
}
