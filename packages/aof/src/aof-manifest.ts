/**
 * The manifest of a Redis 7 multi-part AOF (`appendonly.aof.manifest`): which files
 * make up the dataset and in which order. Format and validation follow Redis's
 * aof.c so that a directory written by either server is understood by the other:
 *
 *   file appendonly.aof.2.base.rdb seq 2 type b
 *   file appendonly.aof.1.incr.aof seq 1 type h
 *   file appendonly.aof.2.incr.aof seq 2 type i
 *
 * The base (at most one) comes first, then history files (superseded, waiting to be
 * deleted, never loaded), then incr files in replay order.
 */

import { AofLoadError } from "./aof-load-error.js";

export type AofFileType = "b" | "h" | "i";

export interface AofManifestEntry {
  readonly fileName: string;
  readonly seq: number;
  readonly type: AofFileType;
}

export interface AofManifest {
  readonly base: AofManifestEntry | undefined;
  readonly history: readonly AofManifestEntry[];
  readonly incrs: readonly AofManifestEntry[];
}

export const EMPTY_MANIFEST: AofManifest = { base: undefined, history: [], incrs: [] };

export type AofBaseFormat = "aof" | "rdb";

export function manifestFileName(appendFilename: string): string {
  return `${appendFilename}.manifest`;
}

/** Redis's name, so a leftover is recognisable; files starting with "temp-" are never referenced by a manifest. */
export function tempManifestFileName(appendFilename: string): string {
  return `temp-${appendFilename}.manifest`;
}

export function baseFileName(appendFilename: string, seq: number, format: AofBaseFormat): string {
  return `${appendFilename}.${seq}.base.${format}`;
}

export function incrFileName(appendFilename: string, seq: number): string {
  return `${appendFilename}.${seq}.incr.aof`;
}

/** Files replayed at start-up, in order: the base, then every incr file. */
export function loadOrder(manifest: AofManifest): AofManifestEntry[] {
  return manifest.base ? [manifest.base, ...manifest.incrs] : [...manifest.incrs];
}

export function formatManifest(manifest: AofManifest): string {
  let text = "";
  for (const entry of [...(manifest.base ? [manifest.base] : []), ...manifest.history, ...manifest.incrs]) {
    text += `file ${quoteIfNeeded(entry.fileName)} seq ${entry.seq} type ${entry.type}\n`;
  }
  return text;
}

/** A manifest that Redis would also refuse; `fileName` is the manifest's name. */
export class AofManifestError extends AofLoadError {
  override readonly name = "AofManifestError";
  constructor(
    message: string,
    manifestName: string,
    readonly line: number | undefined,
  ) {
    super(message, manifestName, undefined);
  }
}

/** Redis's MANIFEST_MAX_LINE: longer lines mean the file is not a manifest. */
const MAX_LINE_LENGTH = 1024;

export function parseManifest(text: string, manifestName: string): AofManifest {
  let base: AofManifestEntry | undefined;
  const history: AofManifestEntry[] = [];
  const incrs: AofManifestEntry[] = [];
  let lastIncrSeq = 0;

  if (text.length === 0) throw new AofManifestError(`Found an empty AOF manifest ${manifestName}`, manifestName, undefined);

  let lineNumber = 0;
  let position = 0;
  while (position < text.length) {
    lineNumber++;
    const newline = text.indexOf("\n", position);
    const rawLine = newline === -1 ? text.slice(position) : text.slice(position, newline);
    position = newline === -1 ? text.length : newline + 1;
    const problem = (reason: string): AofManifestError =>
      new AofManifestError(
        `${reason} in the AOF manifest ${manifestName} at line ${lineNumber}: '${rawLine.trim()}'`,
        manifestName,
        lineNumber,
      );

    if (rawLine.startsWith("#")) continue;
    // Manifests are only ever replaced whole, so a missing final newline means damage, as in Redis.
    if (newline === -1 || rawLine.length > MAX_LINE_LENGTH) throw problem("Invalid line (too long or not terminated)");
    const line = rawLine.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line.length === 0) throw problem("Invalid AOF manifest file format");

    const fields = splitArgs(line);
    // At least 6 fields and key/value pairs: unknown keys are allowed for forward compatibility.
    if (fields === undefined || fields.length < 6 || fields.length % 2 !== 0) {
      throw problem("Invalid AOF manifest file format");
    }
    let fileName: string | undefined;
    let seq = 0;
    let type: string | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const key = fields[i]!.toLowerCase();
      const value = fields[i + 1]!;
      if (key === "file") {
        if (value.includes("/")) throw problem("File can't be a path, just a filename");
        fileName = value;
      } else if (key === "seq") {
        seq = /^\d+$/.test(value) ? Number(value) : 0;
      } else if (key === "type") {
        type = value[0];
      }
    }
    if (fileName === undefined || fileName.length === 0 || seq <= 0 || !Number.isSafeInteger(seq) || type === undefined) {
      throw problem("Invalid AOF manifest file format");
    }

    if (type === "b") {
      if (base) throw problem("Found duplicate base file information");
      base = { fileName, seq, type };
    } else if (type === "h") {
      history.push({ fileName, seq, type });
    } else if (type === "i") {
      if (seq <= lastIncrSeq) throw problem("Found a non-monotonic sequence number");
      incrs.push({ fileName, seq, type });
      lastIncrSeq = seq;
    } else {
      throw problem("Unknown AOF file type");
    }
  }
  return { base, history, incrs };
}

/**
 * The argument splitting of Redis's sdssplitargs, which the manifest uses so file
 * names with spaces or odd bytes can be quoted. Returns undefined on unbalanced quotes.
 */
function splitArgs(line: string): string[] | undefined {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && isSpace(line[i]!)) i++;
    if (i >= line.length) break;
    let current = "";
    const quote = line[i] === '"' || line[i] === "'" ? line[i] : undefined;
    if (quote === undefined) {
      while (i < line.length && !isSpace(line[i]!)) current += line[i++];
    } else {
      i++;
      let closed = false;
      while (i < line.length) {
        const ch = line[i]!;
        if (ch === quote) {
          closed = true;
          i++;
          break;
        }
        if (ch === "\\" && i + 1 < line.length) {
          const next = line[i + 1]!;
          if (quote === '"' && next === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          if (quote === "'" ? next === "'" : true) {
            current += quote === '"' ? (DOUBLE_QUOTE_ESCAPES[next] ?? next) : next;
            i += 2;
            continue;
          }
        }
        current += ch;
        i++;
      }
      // As in sdssplitargs, a closing quote must be followed by a space or the end.
      if (!closed || (i < line.length && !isSpace(line[i]!))) return undefined;
    }
    args.push(current);
  }
  return args;
}

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };

function isSpace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r" || ch === "\v" || ch === "\f";
}

/** Mirrors Redis's sdsneedsrepr/sdscatrepr so file names that would break splitting stay readable. */
function quoteIfNeeded(name: string): string {
  if (!needsQuoting(name)) return name;
  let out = '"';
  for (const ch of name) {
    const code = ch.charCodeAt(0);
    if (ch === "\\" || ch === '"') out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (code < 0x20 || code >= 0x7f) out += `\\x${code.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

function needsQuoting(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code <= 0x20 || code >= 0x7f || code === 0x22 || code === 0x27 || code === 0x5c) return true;
  }
  return false;
}
