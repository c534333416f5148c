import { digitCount, writeDigits } from "./ascii-digits.js";
import { latin1Write } from "./latin1.js";
import { RespType } from "./resp-type.js";

const CR = 0x0d;
const LF = 0x0a;

/** A command as RESP: `*<n>\r\n` then `$<len>\r\n<arg>\r\n` per argument (strings are latin1). */
export function encodeCommand(args: readonly (string | Buffer)[]): Buffer {
  let size = digitCount(args.length) + 3;
  for (const arg of args) size += arg.length + digitCount(arg.length) + 5;
  const out = Buffer.allocUnsafe(size);
  let p = header(out, 0, RespType.Array, args.length);
  for (const arg of args) {
    p = header(out, p, RespType.BulkString, arg.length);
    p += typeof arg === "string" ? latin1Write(out, arg, p) : arg.copy(out, p);
    out[p++] = CR;
    out[p++] = LF;
  }
  return out;
}

/** Appends the RESP text of a command (latin1 arguments) to `out`, for callers that batch strings. */
export function appendCommand(out: string[], args: readonly string[]): void {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${arg.length}\r\n${arg}\r\n`;
  out.push(text);
}

function header(out: Buffer, at: number, type: number, n: number): number {
  const digits = digitCount(n);
  out[at] = type;
  writeDigits(out, at + 1, n, digits);
  let p = at + 1 + digits;
  out[p++] = CR;
  out[p++] = LF;
  return p;
}
