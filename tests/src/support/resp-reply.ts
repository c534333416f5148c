/**
 * A reply reader written independently of @kv/protocol on purpose: the harness judges the
 * server's bytes, so it must not share the server's parser and with it the server's bugs.
 */

export class RespFormatError extends Error {}

const CR = 0x0d;
const LF = 0x0a;

/** Type bytes whose payload is one CRLF-terminated line. */
const lineTypes = new Set(["+", "-", ":", "_", "#", ",", "("]);
/** Type bytes followed by a length and that many payload bytes. */
const blobTypes = new Set(["$", "!", "="]);
/** Type bytes followed by a count of nested replies (maps and attributes count pairs). */
const aggregateTypes = new Set(["*", "~", ">", "%", "|"]);

function lineEnd(buf: Buffer, from: number): number {
  const cr = buf.indexOf(CR, from);
  if (cr === -1 || cr + 1 >= buf.length) return -1;
  if (buf[cr + 1] !== LF) throw new RespFormatError(`CR not followed by LF at offset ${cr}`);
  return cr;
}

function parseLength(buf: Buffer, start: number, end: number): number {
  const text = buf.toString("latin1", start, end);
  if (!/^-?\d+$/.test(text)) throw new RespFormatError(`bad length ${JSON.stringify(text)} at offset ${start}`);
  return Number(text);
}

/**
 * Offset just past the complete reply starting at `start`, or -1 when more bytes are needed.
 * An attribute (|) belongs to the reply that follows it, so both are returned as one.
 */
export function findReplyEnd(buf: Buffer, start = 0): number {
  if (start >= buf.length) return -1;
  const type = String.fromCharCode(buf[start]!);
  const cr = lineEnd(buf, start + 1);
  if (cr === -1) return -1;
  const afterLine = cr + 2;
  if (lineTypes.has(type)) return afterLine;
  if (blobTypes.has(type)) {
    const length = parseLength(buf, start + 1, cr);
    if (length === -1 && type === "$") return afterLine;
    if (length < 0) throw new RespFormatError(`negative length for '${type}' at offset ${start}`);
    const end = afterLine + length + 2;
    if (end > buf.length) return -1;
    if (buf[end - 2] !== CR || buf[end - 1] !== LF) throw new RespFormatError(`blob at offset ${start} is not followed by CRLF`);
    return end;
  }
  if (aggregateTypes.has(type)) {
    const count = parseLength(buf, start + 1, cr);
    if (count === -1 && type === "*") return afterLine;
    if (count < 0) throw new RespFormatError(`negative count for '${type}' at offset ${start}`);
    const items = type === "%" || type === "|" ? count * 2 : count;
    let offset = afterLine;
    for (let i = 0; i < items; i++) {
      offset = findReplyEnd(buf, offset);
      if (offset === -1) return -1;
    }
    return type === "|" ? findReplyEnd(buf, offset) : offset;
  }
  throw new RespFormatError(`unknown reply type byte 0x${buf[start]!.toString(16)} at offset ${start}`);
}

/** A decoded reply that keeps the exact bytes of every node, so normalizers can re-encode. */
export type RespNode =
  | { type: "+" | "-" | ":" | "_" | "#" | "," | "("; raw: Buffer; text: string }
  | { type: "$" | "!" | "="; raw: Buffer; value: Buffer | null }
  | { type: "*" | "~" | ">" | "%"; raw: Buffer; items: RespNode[] | null }
  | { type: "|"; raw: Buffer; items: RespNode[]; target: RespNode };

/** Decodes one complete reply (the bytes `findReplyEnd` delimited). */
export function decodeReply(buf: Buffer): RespNode {
  const [node, end] = decodeAt(buf, 0);
  if (end !== buf.length) throw new RespFormatError(`${buf.length - end} trailing bytes after the reply`);
  return node;
}

function decodeAt(buf: Buffer, start: number): [RespNode, number] {
  const end = findReplyEnd(buf, start);
  if (end === -1) throw new RespFormatError(`incomplete reply at offset ${start}`);
  const raw = buf.subarray(start, end);
  const type = String.fromCharCode(buf[start]!);
  const cr = buf.indexOf(CR, start + 1);
  if (lineTypes.has(type)) {
    return [{ type: type as "+", raw, text: buf.toString("latin1", start + 1, cr) }, end];
  }
  if (blobTypes.has(type)) {
    const length = parseLength(buf, start + 1, cr);
    const value = length === -1 ? null : buf.subarray(cr + 2, cr + 2 + length);
    return [{ type: type as "$", raw, value }, end];
  }
  const count = parseLength(buf, start + 1, cr);
  if (count === -1) return [{ type: "*", raw, items: null }, end];
  const total = type === "%" || type === "|" ? count * 2 : count;
  const items: RespNode[] = [];
  let offset = cr + 2;
  for (let i = 0; i < total; i++) {
    const [item, next] = decodeAt(buf, offset);
    items.push(item);
    offset = next;
  }
  if (type === "|") {
    const [target] = decodeAt(buf, offset);
    return [{ type: "|", raw, items, target }, end];
  }
  return [{ type: type as "*", raw, items }, end];
}

/** Encodes a command the way every Redis client does: an array of bulk strings. */
export function encodeCommand(argv: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${argv.length}\r\n`, "latin1")];
  for (const arg of argv) {
    const bytes = typeof arg === "string" ? Buffer.from(arg, "latin1") : arg;
    parts.push(Buffer.from(`$${bytes.length}\r\n`, "latin1"), bytes, Buffer.from("\r\n", "latin1"));
  }
  return Buffer.concat(parts);
}

/**
 * Shows bytes the way redis-cli --no-raw would quote them: printable ASCII as is, the rest
 * escaped, so a difference in a CR or a high byte is visible in a failure message.
 */
export function escapeBytes(bytes: Buffer | string, limit = 2000): string {
  const buf = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : bytes;
  let out = "";
  for (let i = 0; i < buf.length && i < limit; i++) {
    const byte = buf[i]!;
    if (byte === 0x5c) out += "\\\\";
    else if (byte === 0x22) out += '\\"';
    else if (byte === 0x0d) out += "\\r";
    else if (byte === 0x0a) out += "\\n";
    else if (byte === 0x09) out += "\\t";
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, "0")}`;
  }
  if (buf.length > limit) out += `... (${buf.length - limit} more bytes)`;
  return `"${out}"`;
}

/** An argv for display: each argument escaped, as in a redis-cli session. */
export function formatArgv(argv: readonly (string | Buffer)[], limit = 200): string {
  return argv.map((arg) => escapeBytes(arg, limit)).join(" ");
}
