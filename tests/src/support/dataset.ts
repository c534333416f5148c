import type { RespConnection } from "./resp-connection.js";
import { ReplyError, asArray, asString, callOk, replyToValue, describeValue, type ReplyValue } from "./reply-value.js";

/** What one key holds, in a form two servers' dumps can be compared by. */
export interface KeyState {
  type: string;
  /** latin1 text of the value; for collections a canonical (sorted where unordered) rendering. */
  value: string;
  /** Absolute expiry in ms, or -1 for none. */
  expireAtMs: number;
}

/** db index -> key (latin1) -> state. Empty databases are left out. */
export type Dataset = Map<number, Map<string, KeyState>>;

const readCommands: Record<string, (key: string) => string[]> = {
  string: (key) => ["GET", key],
  list: (key) => ["LRANGE", key, "0", "-1"],
  set: (key) => ["SMEMBERS", key],
  hash: (key) => ["HGETALL", key],
  zset: (key) => ["ZRANGE", key, "0", "-1", "WITHSCORES"],
  stream: (key) => ["XRANGE", key, "-", "+"],
};

function canonical(type: string, value: ReplyValue): string {
  if (value instanceof ReplyError) return value.toString();
  if (type === "set" && Array.isArray(value)) return JSON.stringify([...value.map(String)].sort());
  if (type === "hash" && Array.isArray(value)) {
    const pairs: string[] = [];
    for (let i = 0; i + 1 < value.length; i += 2) pairs.push(`${String(value[i])}=${String(value[i + 1])}`);
    return JSON.stringify(pairs.sort());
  }
  return typeof value === "string" ? value : describeValue(value);
}

/** Every key of one database, by a complete SCAN iteration (bounded, so a broken cursor cannot loop forever). */
export async function scanAllKeys(connection: RespConnection, extraArgs: string[] = [], maxPages = 100_000): Promise<string[]> {
  const keys = new Set<string>();
  let cursor = "0";
  for (let page = 0; page < maxPages; page++) {
    const reply = asArray(await callOk(connection, ["SCAN", cursor, ...extraArgs]));
    cursor = asString(reply[0] ?? null);
    for (const key of asArray(reply[1] ?? null)) keys.add(asString(key));
    if (cursor === "0") return [...keys];
  }
  throw new Error(`SCAN did not finish within ${maxPages} pages`);
}

/**
 * Reads every key of databases 0..databases-1 over a RESP2 connection (which it leaves on
 * db 0). Uses only read commands that do not change TTLs, so dumping does not disturb state.
 */
export async function dumpDataset(connection: RespConnection, databases = 16): Promise<Dataset> {
  const dataset: Dataset = new Map();
  for (let db = 0; db < databases; db++) {
    await callOk(connection, ["SELECT", String(db)]);
    const keys = await scanAllKeys(connection, ["COUNT", "1000"]);
    if (keys.length === 0) continue;
    const states = new Map<string, KeyState>();
    for (let start = 0; start < keys.length; start += 500) {
      const batch = keys.slice(start, start + 500);
      const types = (await connection.pipeline(batch.map((key) => ["TYPE", key]))).map(replyToValue);
      const reads = batch.map((key, i) => {
        const type = String(types[i]);
        return (readCommands[type] ?? ((k: string) => ["TYPE", k]))(key);
      });
      const values = (await connection.pipeline(reads)).map(replyToValue);
      const expiries = (await connection.pipeline(batch.map((key) => ["PEXPIRETIME", key]))).map(replyToValue);
      batch.forEach((key, i) => {
        const type = String(types[i]);
        if (type === "none") return; // expired between SCAN and TYPE
        states.set(key, { type, value: canonical(type, values[i] ?? null), expireAtMs: Number(expiries[i]) });
      });
    }
    dataset.set(db, states);
  }
  await callOk(connection, ["SELECT", "0"]);
  return dataset;
}

export interface DatasetDiffOptions {
  /** Allowed difference between absolute expiry times (relative TTLs set at slightly different moments). */
  expireToleranceMs?: number;
  /** Stop listing after this many differences. */
  limit?: number;
}

function show(key: string): string {
  return JSON.stringify(key);
}

/** Human-readable differences between two dumps, empty when they match. */
export function diffDatasets(expected: Dataset, actual: Dataset, options: DatasetDiffOptions = {}): string[] {
  const tolerance = options.expireToleranceMs ?? 0;
  const limit = options.limit ?? 20;
  const problems: string[] = [];
  const dbs = new Set([...expected.keys(), ...actual.keys()]);
  for (const db of [...dbs].sort((a, b) => a - b)) {
    const want = expected.get(db) ?? new Map<string, KeyState>();
    const got = actual.get(db) ?? new Map<string, KeyState>();
    for (const [key, state] of want) {
      const other = got.get(key);
      if (other === undefined) problems.push(`db ${db}: key ${show(key)} missing (expected ${state.type} ${show(state.value.slice(0, 80))})`);
      else if (other.type !== state.type) problems.push(`db ${db}: key ${show(key)} is ${other.type}, expected ${state.type}`);
      else if (other.value !== state.value)
        problems.push(`db ${db}: key ${show(key)} = ${show(other.value.slice(0, 200))}, expected ${show(state.value.slice(0, 200))}`);
      else if ((other.expireAtMs < 0 || state.expireAtMs < 0) && other.expireAtMs !== state.expireAtMs)
        problems.push(`db ${db}: key ${show(key)} expire-at ${other.expireAtMs}, expected ${state.expireAtMs}`);
      else if (Math.abs(other.expireAtMs - state.expireAtMs) > tolerance)
        problems.push(`db ${db}: key ${show(key)} expire-at ${other.expireAtMs}, expected ${state.expireAtMs} (tolerance ${tolerance} ms)`);
    }
    for (const key of got.keys()) if (!want.has(key)) problems.push(`db ${db}: unexpected key ${show(key)}`);
  }
  return problems.length > limit ? [...problems.slice(0, limit), `... and ${problems.length - limit} more`] : problems;
}

export function datasetSize(dataset: Dataset): number {
  let total = 0;
  for (const keys of dataset.values()) total += keys.size;
  return total;
}
