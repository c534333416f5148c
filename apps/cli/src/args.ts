/**
 * Splits a REPL line into arguments exactly as redis-cli does (Redis's sdssplitargs), so a
 * line pasted from a redis-cli session means the same thing here:
 *
 * - arguments are separated by spaces, tabs, CR and LF;
 * - "double quotes" understand \n \r \t \b \a, \xHH and a backslash before any other
 *   character;
 * - 'single quotes' only understand \' ;
 * - a quote can start in the middle of an argument (`a"b c"` is `ab c`), but a closing quote
 *   must be followed by whitespace or the end of the line.
 *
 * The line is a latin1 string (one char per byte) and so are the arguments, which keeps
 * `\xHH` and non-ASCII input binary-exact. Returns undefined for unbalanced quotes, where
 * redis-cli prints "Invalid argument(s)".
 */
export function splitArgs(input: string): string[] | undefined {
  // redis-cli works on a C string, so a NUL ends the line wherever it is.
  const nul = input.indexOf("\0");
  const line = nul === -1 ? input : input.slice(0, nul);
  const args: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    // Leading blanks are skipped with C's isspace(), which also knows \v and \f.
    while (i < n && isCSpace(line.charCodeAt(i))) i++;
    if (i >= n) return args;
    let current = "";
    let inDouble = false;
    let inSingle = false;
    for (let done = false; !done; ) {
      const c = line[i];
      if (inDouble) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "x" && isHexDigit(line[i + 2]) && isHexDigit(line[i + 3])) {
          current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === "\\" && i + 1 < n) {
          i++;
          current += doubleQuoteEscapes[line[i]!] ?? line[i]!;
        } else if (c === '"') {
          if (i + 1 < n && !isCSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          current += c;
        }
      } else if (inSingle) {
        if (c === undefined) return undefined;
        if (c === "\\" && line[i + 1] === "'") {
          i++;
          current += "'";
        } else if (c === "'") {
          if (i + 1 < n && !isCSpace(line.charCodeAt(i + 1))) return undefined;
          done = true;
        } else {
          current += c;
        }
      } else if (c === undefined || c === " " || c === "\n" || c === "\r" || c === "\t") {
        // Only these end an unquoted argument; \v and \f are ordinary characters inside one.
        done = true;
      } else if (c === '"') {
        inDouble = true;
      } else if (c === "'") {
        inSingle = true;
      } else {
        current += c;
      }
      if (i < n) i++;
    }
    args.push(current);
  }
}

const doubleQuoteEscapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };

function isCSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isHexDigit(c: string | undefined): boolean {
  return c !== undefined && /^[0-9a-fA-F]$/.test(c);
}
