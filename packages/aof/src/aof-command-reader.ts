import { constants as bufferConstants } from "node:buffer";
import { RespType } from "@kv/protocol";
import { AofFormatProblem } from "./aof-load-error.js";
import { LINE_BARE_LF, LINE_INCOMPLETE, LINE_TOO_LONG, type FileCursor } from "./file-cursor.js";

/** The file ended cleanly between two commands. */
export const AOF_END = Symbol("aof-end");
/** The file ended inside a command: what a crash during write(2) leaves behind. */
export const AOF_TRUNCATED = Symbol("aof-truncated");

export type AofReadResult = string[] | typeof AOF_END | typeof AOF_TRUNCATED;

const ANNOTATION = 0x23; // '#'
/** Redis's AOF_ANNOTATION_LINE_MAX_LEN. */
const MAX_ANNOTATION_LENGTH = 1024;
/** "*<count>" and "$<length>" lines: a prefix byte and at most 16 digits. */
const MAX_NUMBER_LINE_LENGTH = 17;
const MAX_ARGUMENT_LENGTH = bufferConstants.MAX_STRING_LENGTH;
/** Redis only bounds it by memory; INT_MAX is far beyond any real command and keeps the count exact. */
const MAX_ARGUMENT_COUNT = 0x7fffffff;

/**
 * Reads the next command of an AOF (RESP multibulk, as Redis's loadSingleAppendOnlyFile
 * expects it). Deliberately stricter than a client request parser: no inline commands,
 * CRLF verified after every bulk string, so damage is reported where it is instead of
 * desynchronising and surfacing later as a bogus "truncated tail". `#...` annotation
 * lines (Redis's aof-timestamp-enabled) are skipped like Redis does.
 * Throws AofFormatProblem with the offset of the offending byte.
 */
export function readAofCommand(cursor: FileCursor): AofReadResult {
  for (;;) {
    if (!cursor.ensure(1)) return AOF_END;
    if (cursor.peek() !== ANNOTATION) break;
    const length = cursor.findLine(MAX_ANNOTATION_LENGTH);
    if (length === LINE_INCOMPLETE) return AOF_TRUNCATED;
    if (length < 0) throw lineProblem(cursor, length, "annotation");
    cursor.skip(length + 2);
  }

  const commandAt = cursor.offset;
  const argc = readNumberLine(cursor, RespType.Array, "'*' starting a command");
  if (argc === AOF_TRUNCATED) return AOF_TRUNCATED;
  if (argc < 1 || argc > MAX_ARGUMENT_COUNT) throw new AofFormatProblem(commandAt, `invalid argument count ${argc}`);

  // Pushed rather than preallocated: a damaged count must not allocate, and packed arrays stay fast downstream.
  const args: string[] = [];
  for (let i = 0; i < argc; i++) {
    const lengthAt = cursor.offset;
    const length = readNumberLine(cursor, RespType.BulkString, "'$' starting a bulk string");
    if (length === AOF_TRUNCATED) return AOF_TRUNCATED;
    if (length > MAX_ARGUMENT_LENGTH) {
      throw new AofFormatProblem(lengthAt, `bulk string of ${length} bytes exceeds the largest supported argument`);
    }
    if (!cursor.ensure(length + 2)) return AOF_TRUNCATED;
    if (cursor.peek(length) !== 0x0d || cursor.peek(length + 1) !== 0x0a) {
      throw new AofFormatProblem(cursor.offset + length, `expected CRLF after a bulk string of ${length} bytes`);
    }
    args.push(cursor.takeLatin1(length));
    cursor.skip(2);
  }
  return args;
}

function readNumberLine(cursor: FileCursor, prefix: number, expected: string): number | typeof AOF_TRUNCATED {
  if (!cursor.ensure(1)) return AOF_TRUNCATED;
  const first = cursor.peek();
  if (first !== prefix) {
    throw new AofFormatProblem(cursor.offset, `expected ${expected}, found ${describeByte(first)}`);
  }
  const length = cursor.findLine(MAX_NUMBER_LINE_LENGTH);
  if (length === LINE_INCOMPLETE) return AOF_TRUNCATED;
  if (length < 0) throw lineProblem(cursor, length, expected);
  const value = cursor.parseDecimal(1, length - 1);
  if (Number.isNaN(value)) {
    throw new AofFormatProblem(cursor.offset, `invalid number in ${JSON.stringify(cursor.take(length).toString("latin1"))}`);
  }
  cursor.skip(length + 2);
  return value;
}

function lineProblem(cursor: FileCursor, code: number, what: string): AofFormatProblem {
  if (code === LINE_TOO_LONG) return new AofFormatProblem(cursor.offset, `line too long (${what})`);
  if (code === LINE_BARE_LF) return new AofFormatProblem(cursor.offset, `line ended by LF without CR (${what})`);
  return new AofFormatProblem(cursor.offset, `malformed line (${what})`);
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `byte 0x${byte.toString(16).padStart(2, "0")}`;
}
