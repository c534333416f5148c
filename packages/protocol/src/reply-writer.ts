import { digitCount, writeDigits } from "./ascii-digits.js";
import { formatDouble } from "./format-double.js";
import { latin1Write } from "./latin1.js";
import { RespType } from "./resp-type.js";
import { defaultSlabPool, type Slab, type SlabPool } from "./slab-pool.js";

const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;
const SPACE = 0x20;
/**
 * Below this length a JS loop copies a string faster than the latin1Write binding, whose call
 * overhead dominates for the short keys and values most replies carry.
 */
const SHORT_STRING = 24;

export interface ReplyWriterOptions {
  /** 2 (default) until the client sends HELLO 3. */
  protocol?: 2 | 3;
  /** Where the bytes go; the process-wide pool unless a test wants a small one. */
  pool?: SlabPool;
}

/** Where a writer with nothing pending points: its next write moves it onto the pool's slab. */
const DETACHED: Slab = { buf: Buffer.alloc(0), used: 0 };

/**
 * Encodes the replies of one client into pooled slabs (see SlabPool). Bytes written since the
 * last take() are [start, pos) of `slab`; while nothing was written after them (slab.used ===
 * pos) the writer appends in place, otherwise it first moves just those pending bytes to free
 * space. The RESP2/RESP3 differences follow Redis 7.0's addReply* functions byte for byte.
 */
export class ReplyWriter {
  /** Switches encodings: RESP2 downgrades map, set, push, null, double, boolean, verbatim and big number. */
  protocol: 2 | 3;

  private readonly pool: SlabPool;
  private slab: Slab = DETACHED;
  private buf: Buffer = DETACHED.buf;
  private start = 0;
  private pos = 0;

  constructor(options: ReplyWriterOptions = {}) {
    this.protocol = options.protocol ?? 2;
    this.pool = options.pool ?? defaultSlabPool;
  }

  /** +OK */
  simple(text: string): void {
    this.statusLine(RespType.SimpleString, text);
  }

  /** -ERR ... (text includes the code, e.g. "ERR syntax error"). */
  error(text: string): void {
    this.statusLine(RespType.Error, text);
  }

  integer(n: number | bigint): void {
    if (typeof n === "number" && Number.isSafeInteger(n)) {
      const negative = n < 0;
      const magnitude = negative ? -n : n;
      const digits = digitCount(magnitude);
      const sign = negative ? 1 : 0;
      let p = this.reserve(digits + sign + 3);
      const buf = this.buf;
      buf[p++] = RespType.Integer;
      if (negative) buf[p++] = MINUS;
      writeDigits(buf, p, magnitude, digits);
      p += digits;
      buf[p++] = CR;
      buf[p] = LF;
      return;
    }
    // BigInt() throws on a fractional number, which is a bug in the caller worth surfacing.
    this.line(RespType.Integer, (typeof n === "bigint" ? n : BigInt(n)).toString());
  }

  /** A bulk string: a latin1 string (one char per byte) or bytes. */
  bulk(value: string | Buffer): void {
    const length = value.length;
    const digits = digitCount(length);
    let p = this.reserve(length + digits + 5);
    const buf = this.buf;
    buf[p++] = RespType.BulkString;
    writeDigits(buf, p, length, digits);
    p += digits;
    buf[p++] = CR;
    buf[p++] = LF;
    if (typeof value !== "string") {
      value.copy(buf, p);
    } else if (length < SHORT_STRING) {
      for (let i = 0; i < length; i++) buf[p + i] = value.charCodeAt(i);
    } else {
      latin1Write(buf, value, p);
    }
    p += length;
    buf[p++] = CR;
    buf[p] = LF;
  }

  /** RESP2 `$-1`, RESP3 `_` (addReplyNull). */
  nullBulk(): void {
    if (this.protocol === 2) this.line(RespType.BulkString, "-1");
    else this.line(RespType.Null, "");
  }

  /** RESP2 `*-1`, RESP3 `_` (addReplyNullArray). */
  nullArray(): void {
    if (this.protocol === 2) this.line(RespType.Array, "-1");
    else this.line(RespType.Null, "");
  }

  /** Array header; `length` replies follow. */
  array(length: number): void {
    this.header(RespType.Array, length);
  }

  /** RESP3 `%n`, RESP2 a flat array of 2n; `pairs` key/value replies follow. */
  map(pairs: number): void {
    if (this.protocol === 2) this.header(RespType.Array, pairs * 2);
    else this.header(RespType.Map, pairs);
  }

  /** RESP3 `~n`, RESP2 `*n`. */
  set(length: number): void {
    this.header(this.protocol === 2 ? RespType.Array : RespType.Set, length);
  }

  /** RESP3 `>n`, RESP2 `*n` (what pub/sub messages look like to a RESP2 client). */
  push(length: number): void {
    this.header(this.protocol === 2 ? RespType.Array : RespType.Push, length);
  }

  /** RESP3 `,<%.17g>`, RESP2 a bulk string of the same text; inf, -inf and nan as Redis prints them. */
  double(value: number): void {
    const text = formatDouble(value);
    if (this.protocol === 2) this.bulk(text);
    else this.line(RespType.Double, text);
  }

  /** RESP3 `#t`/`#f`, RESP2 `:1`/`:0`. */
  boolean(value: boolean): void {
    if (this.protocol === 2) this.line(RespType.Integer, value ? "1" : "0");
    else this.line(RespType.Boolean, value ? "t" : "f");
  }

  /** RESP3 `=<len>\r\n<fmt>:<text>`, RESP2 a bulk string of the text alone. `format` has 3 chars. */
  verbatim(text: string, format = "txt"): void {
    if (this.protocol === 2) {
      this.bulk(text);
      return;
    }
    if (format.length !== 3) throw new RangeError(`verbatim format must be 3 characters, got "${format}"`);
    const length = text.length + 4;
    const digits = digitCount(length);
    let p = this.reserve(length + digits + 5);
    const buf = this.buf;
    buf[p++] = RespType.VerbatimString;
    writeDigits(buf, p, length, digits);
    p += digits;
    buf[p++] = CR;
    buf[p++] = LF;
    p += latin1Write(buf, format, p);
    buf[p++] = 0x3a; // ':'
    p += latin1Write(buf, text, p);
    buf[p++] = CR;
    buf[p] = LF;
  }

  /** RESP3 `(<digits>`, RESP2 a bulk string. */
  bigNumber(digits: string): void {
    if (this.protocol === 2) this.bulk(digits);
    else this.line(RespType.BigNumber, digits);
  }

  /** Pre-encoded latin1 bytes, written verbatim. */
  raw(bytes: string): void {
    const at = this.reserve(bytes.length);
    latin1Write(this.buf, bytes, at);
  }

  /** Bytes pending since the last take(). */
  get length(): number {
    return this.pos - this.start;
  }

  /** Bytes written since the last take(), or undefined if none. The returned Buffer is never reused. */
  take(): Buffer | undefined {
    if (this.pos === this.start) return undefined;
    const taken = this.buf.subarray(this.start, this.pos);
    // Let go of the slab: an idle client must not pin 64 KiB (or a huge reply's buffer) once
    // the socket is done with what we handed out. The next write finds the pool's current slab.
    this.slab = DETACHED;
    this.buf = DETACHED.buf;
    this.start = this.pos = 0;
    return taken;
  }

  /** A position to rewind() to, valid until the next take(). */
  mark(): number {
    return this.pos - this.start;
  }

  /** Drops what was written since the last take() from position `mark` on (undoes a partial reply). */
  rewind(mark: number): void {
    if (!Number.isInteger(mark) || mark < 0 || mark > this.pos - this.start) {
      throw new RangeError(`rewind(${mark}) outside the ${this.pos - this.start} pending bytes`);
    }
    const pos = this.start + mark;
    if (this.slab.used === this.pos) this.slab.used = pos;
    this.pos = pos;
  }

  /** `<type><n>\r\n` for a non-negative count. */
  private header(type: number, n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`invalid reply length ${n}`);
    const digits = digitCount(n);
    let p = this.reserve(digits + 3);
    const buf = this.buf;
    buf[p++] = type;
    writeDigits(buf, p, n, digits);
    p += digits;
    buf[p++] = CR;
    buf[p] = LF;
  }

  /** `<type><text>\r\n`. */
  private line(type: number, text: string): void {
    const length = text.length;
    let p = this.reserve(length + 3);
    const buf = this.buf;
    buf[p++] = type;
    if (length < SHORT_STRING) {
      for (let i = 0; i < length; i++) buf[p + i] = text.charCodeAt(i);
    } else {
      latin1Write(buf, text, p);
    }
    p += length;
    buf[p++] = CR;
    buf[p] = LF;
  }

  /**
   * A status or error line. A CR or LF in it would end the line early and desynchronize the
   * client; addReplyErrorFormat turns them into spaces, and so do we for every status and error.
   */
  private statusLine(type: number, text: string): void {
    const length = text.length;
    if (length >= SHORT_STRING) {
      const clean = text.indexOf("\r") === -1 && text.indexOf("\n") === -1;
      this.line(type, clean ? text : text.replace(/[\r\n]/g, " "));
      return;
    }
    let p = this.reserve(length + 3);
    const buf = this.buf;
    buf[p++] = type;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      buf[p + i] = c === CR || c === LF ? SPACE : c;
    }
    p += length;
    buf[p++] = CR;
    buf[p] = LF;
  }

  /** Room for `n` more bytes; returns where to write them. */
  private reserve(n: number): number {
    const pos = this.pos;
    const slab = this.slab;
    if (slab.used === pos && pos + n <= this.buf.length) {
      this.pos = slab.used = pos + n;
      return pos;
    }
    return this.relocate(n);
  }

  /** Moves the pending bytes to where `n` more fit after them. */
  private relocate(n: number): number {
    const pending = this.pos - this.start;
    const needed = pending + n;
    // Nobody wrote after our pending bytes: give their space back before moving them.
    if (this.slab.used === this.pos) this.slab.used = this.start;
    const target = this.pool.claim(needed, pending * 2);
    const at = target.used;
    if (pending > 0) this.buf.copy(target.buf, at, this.start, this.pos);
    this.slab = target;
    this.buf = target.buf;
    this.start = at;
    this.pos = target.used = at + needed;
    return at + pending;
  }
}
