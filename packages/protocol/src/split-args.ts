import { latin1Slice } from "./latin1.js";

const NUL = 0x00;
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;
const LOWER_X = 0x78;

/** C's isspace in the "C" locale: space, \t, \n, \v, \f, \r. */
function isSpace(c: number): boolean {
  return c === SPACE || (c >= TAB && c <= CR);
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

function unescape(c: number): number {
  switch (c) {
    case 0x6e: return LF; // n
    case 0x72: return CR; // r
    case 0x74: return TAB; // t
    case 0x62: return 0x08; // b
    case 0x61: return 0x07; // a
    default: return c;
  }
}

/**
 * Redis's sdssplitargs over bytes [start, end), the way inline commands are split.
 * Returns undefined for "unbalanced quotes" (an unterminated quote, or a closing quote followed
 * by something other than a space). Quirks kept on purpose, since clients may rely on them:
 * - blanks between arguments are any isspace() byte, but inside an unquoted argument only
 *   space, \t, \r and \n end it (\v and \f are kept as data);
 * - a quote may open in the middle of an argument: a"b c"d is not allowed, but a"b c" is "ab c";
 * - in double quotes \n \r \t \b \a and \xHH are escapes and \<other> is <other>; in single
 *   quotes only \' is.
 * The caller has already cut the line at the first NUL (Redis works on C strings), so the
 * end of the range plays the part of the terminating NUL.
 */
export function splitArgs(buf: Buffer, start: number, end: number): string[] | undefined {
  const args: string[] = [];
  const at = (i: number): number => (i < end ? buf[i]! : NUL);
  // Plain arguments are sliced straight from the line. Once quotes or escapes are involved the
  // bytes go through a scratch buffer; an argument is never longer than the line, so one serves all.
  let scratch: Buffer | undefined;
  let p = start;
  for (;;) {
    while (p < end && isSpace(buf[p]!)) p++;
    if (at(p) === NUL) return args;
    const argumentStart = p;
    let length = 0;
    let copying = false;
    let inDouble = false;
    let inSingle = false;
    let done = false;
    while (!done) {
      const c = at(p);
      if (inDouble) {
        if (c === BACKSLASH && at(p + 1) === LOWER_X && hexValue(at(p + 2)) >= 0 && hexValue(at(p + 3)) >= 0) {
          scratch![length++] = hexValue(at(p + 2)) * 16 + hexValue(at(p + 3));
          p += 3;
        } else if (c === BACKSLASH && at(p + 1) !== NUL) {
          p++;
          scratch![length++] = unescape(at(p));
        } else if (c === DOUBLE_QUOTE) {
          const next = at(p + 1);
          if (next !== NUL && !isSpace(next)) return undefined;
          done = true;
        } else if (c === NUL) {
          return undefined;
        } else {
          scratch![length++] = c;
        }
      } else if (inSingle) {
        if (c === BACKSLASH && at(p + 1) === SINGLE_QUOTE) {
          p++;
          scratch![length++] = SINGLE_QUOTE;
        } else if (c === SINGLE_QUOTE) {
          const next = at(p + 1);
          if (next !== NUL && !isSpace(next)) return undefined;
          done = true;
        } else if (c === NUL) {
          return undefined;
        } else {
          scratch![length++] = c;
        }
      } else {
        switch (c) {
          case SPACE:
          case LF:
          case CR:
          case TAB:
          case NUL:
            done = true;
            break;
          case DOUBLE_QUOTE:
          case SINGLE_QUOTE:
            if (!copying) {
              scratch ??= Buffer.allocUnsafe(end - start);
              buf.copy(scratch, 0, argumentStart, argumentStart + length);
              copying = true;
            }
            if (c === DOUBLE_QUOTE) inDouble = true;
            else inSingle = true;
            break;
          default:
            if (copying) scratch![length] = c;
            length++;
        }
      }
      if (at(p) !== NUL) p++;
    }
    args.push(copying ? latin1Slice(scratch!, 0, length) : latin1Slice(buf, argumentStart, argumentStart + length));
  }
}
