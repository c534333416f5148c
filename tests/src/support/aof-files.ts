import { readFile, readdir } from "node:fs/promises";
import path from "node:path";
import { findReplyEnd } from "./resp-reply.js";

/** One line of a Redis 7 AOF manifest: `file appendonly.aof.3.incr.aof seq 3 type i`. */
export interface ManifestEntry {
  file: string;
  seq: number;
  /** b = base, i = incremental, h = history (awaiting deletion). */
  type: string;
}

export async function readManifest(aofDir: string): Promise<{ name: string; entries: ManifestEntry[] }> {
  const names = (await readdir(aofDir)).filter((name) => name.endsWith(".manifest"));
  if (names.length !== 1) throw new Error(`expected one manifest in ${aofDir}, found ${JSON.stringify(names)}`);
  const name = names[0]!;
  const text = await readFile(path.join(aofDir, name), "latin1");
  const entries: ManifestEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 2) continue;
    const record = new Map<string, string>();
    for (let i = 0; i + 1 < fields.length; i += 2) record.set(fields[i]!, fields[i + 1]!);
    const file = record.get("file");
    if (file !== undefined) entries.push({ file, seq: Number(record.get("seq")), type: record.get("type") ?? "" });
  }
  return { name, entries };
}

/** The incremental file that receives new writes (the highest-numbered "i" entry). */
export async function currentIncrFile(aofDir: string): Promise<string> {
  const { entries } = await readManifest(aofDir);
  const incr = entries.filter((entry) => entry.type === "i").sort((a, b) => a.seq - b.seq);
  const last = incr.at(-1);
  if (last === undefined) throw new Error(`no incremental AOF in the manifest of ${aofDir}`);
  return path.join(aofDir, last.file);
}

/**
 * End offsets of the complete commands at the start of a RESP AOF (commands are arrays of
 * bulk strings, framed exactly like replies), and whether bytes follow the last one.
 */
export function commandBoundaries(bytes: Buffer): { ends: number[]; trailing: number } {
  const ends: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let end: number;
    try {
      end = findReplyEnd(bytes, offset);
    } catch {
      break;
    }
    if (end === -1) break;
    ends.push(end);
    offset = end;
  }
  return { ends, trailing: bytes.length - offset };
}
