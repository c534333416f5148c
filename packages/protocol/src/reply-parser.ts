import { InputBuffer } from "./input-buffer.js";
import { latin1Slice } from "./latin1.js";
import { ProtocolError } from "./protocol-error.js";
import type { Reply } from "./reply.js";
import { RespType } from "./resp-type.js";

const CR = 0x0d;
const LF = 0x0a;
const MINUS = 0x2d;
const COLON = 0x3a;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

type AggregateType = "array" | "set" | "push" | "map" | "attribute";

/** An aggregate whose elements are still arriving. */
interface Frame {
  readonly type: AggregateType;
  /** Elements still to come; twice the pair count for maps and attributes. */
  left: number;
  readonly items: Reply[];
}

/** Returned by readElement when it opened an aggregate instead of finishing a value. */
const OPENED = Symbol("opened");

const KNOWN_TYPES: ReadonlySet<number> = new Set(Object.values(RespType));
const DOUBLE_TEXT = /^[+-]?(?:inf|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)$/i;
const BIG_NUMBER_TEXT = /^[+-]?\d+$/;

/**
 * Incremental parser of RESP2 and RESP3 replies, for clients: the CLI, tests, AOF tools.
 * Aggregates are built on a stack, so a reply of a million elements cut into many chunks
 * resumes where it stopped instead of being parsed again from its first byte.
 *
 * Bulk values are views of the input, not copies: they stay valid as long as the caller does
 * not overwrite a Buffer it fed (socket chunks are never reused, so clients need not care).
 *
 * Attributes (`|`) at the top level come out as their own reply, before the reply they
 * describe (Redis sends them only there: DEBUG PROTOCOL attrib). Inside aggregates they are
 * skipped, so element counts stay what the aggregate header says.
 * RESP3 streamed strings and aggregates (`$?`, `*?`) are not supported; Redis never sends them.
 */
export class ReplyParser {
  // Views of the input are handed out, so it must never be compacted in place.
  private readonly input = new InputBuffer(false);
  private readonly stack: Frame[] = [];
  private failure: ProtocolError | undefined = undefined;

  /** Adds received bytes; like the bulk values taken from it, the chunk must not be modified afterwards. */
  feed(chunk: Buffer): void {
    if (this.failure === undefined) this.input.append(chunk);
  }

  /** The next complete reply, or undefined when more bytes are needed. Throws ProtocolError on garbage. */
  next(): Reply | undefined {
    if (this.failure !== undefined) throw this.failure;
    for (;;) {
      const element = this.readElement();
      if (element === undefined) return undefined;
      if (element === OPENED) continue;
      const reply = this.complete(element);
      if (reply !== undefined) {
        // Do not pin the last chunk once everything in it was handed out.
        if (this.input.length === 0) this.input.clear();
        return reply;
      }
    }
  }

  /** Adds a finished value to the open aggregates; returns the top-level reply it completes, if any. */
  private complete(value: Reply): Reply | undefined {
    let finished = value;
    for (;;) {
      const frame = this.stack[this.stack.length - 1];
      if (frame === undefined) return finished;
      if (finished.type === "attribute") return undefined;
      frame.items.push(finished);
      if (--frame.left > 0) return undefined;
      this.stack.pop();
      finished = aggregate(frame.type, frame.items);
    }
  }

  /** One value or aggregate header at the input position, consumed; undefined if it has not all arrived. */
  private readElement(): Reply | typeof OPENED | undefined {
    const input = this.input;
    const buf = input.buf;
    const pos = input.pos;
    const end = input.end;
    if (pos >= end) return undefined;
    const type = buf[pos]!;
    if (!KNOWN_TYPES.has(type)) throw this.fail(`Protocol error: unknown reply type '${String.fromCharCode(type)}'`);
    const cr = input.indexOf(CR, pos + 1);
    if (cr === -1 || cr + 1 >= end) return undefined;
    if (buf[cr + 1] !== LF) throw this.fail("Protocol error: expected '\\n' after '\\r'");
    const lineStart = pos + 1;
    const afterLine = cr + 2;
    switch (type) {
      case RespType.SimpleString:
        input.pos = afterLine;
        return { type: "simple", value: latin1Slice(buf, lineStart, cr) };
      case RespType.Error:
        input.pos = afterLine;
        return { type: "error", value: latin1Slice(buf, lineStart, cr) };
      case RespType.Integer: {
        if (!isInteger(buf, lineStart, cr)) throw this.fail("Protocol error: invalid integer");
        input.pos = afterLine;
        return { type: "integer", value: BigInt(latin1Slice(buf, lineStart, cr)) };
      }
      case RespType.BulkString:
      case RespType.BulkError:
      case RespType.VerbatimString: {
        const length = this.readLength(buf, lineStart, cr, type === RespType.BulkString);
        if (length === -1) {
          input.pos = afterLine;
          return { type: "null" };
        }
        const payloadEnd = afterLine + length;
        if (end - payloadEnd < 2) return undefined;
        if (buf[payloadEnd] !== CR || buf[payloadEnd + 1] !== LF) throw this.fail("Protocol error: bulk not followed by CRLF");
        if (type === RespType.BulkString) {
          input.pos = payloadEnd + 2;
          return { type: "bulk", value: buf.subarray(afterLine, payloadEnd) };
        }
        if (type === RespType.BulkError) {
          input.pos = payloadEnd + 2;
          return { type: "error", value: latin1Slice(buf, afterLine, payloadEnd) };
        }
        if (length < 4 || buf[afterLine + 3] !== COLON) throw this.fail("Protocol error: invalid verbatim string");
        input.pos = payloadEnd + 2;
        return { type: "verbatim", format: latin1Slice(buf, afterLine, afterLine + 3), value: buf.subarray(afterLine + 4, payloadEnd) };
      }
      case RespType.Array:
      case RespType.Set:
      case RespType.Push:
      case RespType.Map:
      case RespType.Attribute: {
        const count = this.readLength(buf, lineStart, cr, type === RespType.Array);
        input.pos = afterLine;
        if (count === -1) return { type: "nullarray" };
        const kind = aggregateType(type);
        if (count === 0) return aggregate(kind, []);
        const paired = kind === "map" || kind === "attribute";
        this.stack.push({ type: kind, left: paired ? count * 2 : count, items: [] });
        return OPENED;
      }
      case RespType.Null:
        if (cr !== lineStart) throw this.fail("Protocol error: invalid null");
        input.pos = afterLine;
        return { type: "null" };
      case RespType.Boolean: {
        const flag = cr === lineStart + 1 ? buf[lineStart] : undefined;
        if (flag !== 0x74 && flag !== 0x66) throw this.fail("Protocol error: invalid boolean");
        input.pos = afterLine;
        return { type: "boolean", value: flag === 0x74 };
      }
      case RespType.Double: {
        const text = latin1Slice(buf, lineStart, cr);
        if (!DOUBLE_TEXT.test(text)) throw this.fail("Protocol error: invalid double");
        input.pos = afterLine;
        return { type: "double", value: text };
      }
      case RespType.BigNumber: {
        const text = latin1Slice(buf, lineStart, cr);
        if (!BIG_NUMBER_TEXT.test(text)) throw this.fail("Protocol error: invalid big number");
        input.pos = afterLine;
        return { type: "bignumber", value: text };
      }
      default:
        throw this.fail(`Protocol error: unknown reply type '${String.fromCharCode(type)}'`);
    }
  }

  /** A length or count: digits, or -1 where a null is allowed. */
  private readLength(buf: Buffer, start: number, end: number, nullable: boolean): number {
    if (nullable && end - start === 2 && buf[start] === MINUS && buf[start + 1] === DIGIT_0 + 1) return -1;
    if (end === start || end - start > 15) throw this.fail("Protocol error: invalid length");
    let value = 0;
    for (let p = start; p < end; p++) {
      const c = buf[p]!;
      if (c < DIGIT_0 || c > DIGIT_9) throw this.fail("Protocol error: invalid length");
      value = value * 10 + (c - DIGIT_0);
    }
    return value;
  }

  private fail(message: string): ProtocolError {
    this.failure = new ProtocolError(message);
    this.input.clear();
    this.stack.length = 0;
    return this.failure;
  }
}

function isInteger(buf: Buffer, start: number, end: number): boolean {
  let p = buf[start] === MINUS ? start + 1 : start;
  if (p === end) return false;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < DIGIT_0 || c > DIGIT_9) return false;
  }
  return true;
}

function aggregateType(type: number): AggregateType {
  switch (type) {
    case RespType.Set:
      return "set";
    case RespType.Push:
      return "push";
    case RespType.Map:
      return "map";
    case RespType.Attribute:
      return "attribute";
    default:
      return "array";
  }
}

function aggregate(type: AggregateType, items: Reply[]): Reply {
  if (type !== "map" && type !== "attribute") return { type, value: items };
  const pairs: [Reply, Reply][] = [];
  for (let i = 0; i + 1 < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  return { type, value: pairs };
}
