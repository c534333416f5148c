import { hash } from "node:crypto";
import { formatDouble } from "@kv/protocol";
import type { Database } from "../keyspace/database.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import type { StoredValue, TypedValue } from "../keyspace/stored-value.js";
import { HashValue } from "../types/hash-value.js";
import { ListValue } from "../types/list-value.js";
import { SetValue } from "../types/set-value.js";
import { ZsetValue } from "../types/zset-value.js";

/*
 * DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's dataset fingerprint (debug.c,
 * computeDatasetDigest and xorObjectDigest), reproduced bit for bit so that a kv digest can
 * be compared with redis-server's for the same data, and with kv's own before and after a
 * restart, DEBUG RELOAD or an AOF rewrite.
 *
 * Two SHA1-based primitives build it:
 * - xor(d, data): d ^= SHA1(data). Commutative, so it "adds" unordered things (keys, set
 *   members, hash fields, sorted-set pairs) independently of iteration order;
 * - mix(d, data): d = SHA1(d ^ SHA1(data)). Order-sensitive, for sequences (list elements,
 *   the parts of one key's record).
 *
 * A key's record starts from zero: mix(key), mix(type code as a big-endian uint32), then the
 * value (strings mixed; list elements mixed in order; set members xored; hash fields and
 * sorted-set pairs each digested as mix(field), mix(value) — or mix(member), mix(score as
 * %.17g) — into a fresh record that is then xored in), and "!!expire!!" xored in when the
 * key has a TTL. The dataset digest mixes each non-empty database's index (big-endian uint32)
 * into the running result, then xors in every key record of that database. An empty dataset
 * digests to 20 zero bytes.
 *
 * Streams are digested as Redis does — each entry's ID (printed "ms.seq"), then its fields
 * and values, all mixed in order; consumer groups do not count — reading the entries from
 * the XADD commands of the stream's `rewriteCommands`, Redis's own AOF form, rather than from
 * the stream's internals. Any other value type (none yet) is digested over all of its
 * `rewriteCommands`: deterministic, so equal values give equal digests across restarts and
 * reloads, which is what the restart tests rely on.
 */

export const DIGEST_LENGTH = 20;

/** Redis's OBJ_* type codes (server.h), mixed into every key record. */
const TYPE_CODES: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };
/** OBJ_MODULE: what any other type counts as. */
const OTHER_TYPE_CODE = 5;

const EXPIRE_MARK = "!!expire!!";

/** SHA1 of latin1 text or bytes. The one-shot crypto.hash costs less than half of createHash per call. */
function sha1(data: string | Uint8Array): Buffer {
  // crypto.hash would encode a string as UTF-8; kv strings are latin1 bytes.
  return hash("sha1", typeof data === "string" ? Buffer.from(data, "latin1") : data, "buffer");
}

/** Redis's xorDigest: digest ^= SHA1(data). `data` is latin1 text (one char per byte) or bytes. */
export function xorDigest(digest: Buffer, data: string | Uint8Array): void {
  const hash = sha1(data);
  for (let i = 0; i < DIGEST_LENGTH; i++) digest[i]! ^= hash[i]!;
}

/** Redis's mixDigest: digest = SHA1(digest ^ SHA1(data)). */
export function mixDigest(digest: Buffer, data: string | Uint8Array): void {
  xorDigest(digest, data);
  sha1(digest).copy(digest);
}

/** A uint32 in network byte order, as Redis mixes type codes and database ids (htonl). */
function uint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value >>> 0);
  return bytes;
}

const typeCodeBytes = new Map<string, Buffer>();

function typeCodeOf(value: StoredValue): Buffer {
  const name = typeof value === "string" ? "string" : value.type;
  let bytes = typeCodeBytes.get(name);
  if (bytes === undefined) {
    bytes = uint32(TYPE_CODES[name] ?? OTHER_TYPE_CODE);
    typeCodeBytes.set(name, bytes);
  }
  return bytes;
}

/**
 * Redis's xorObjectDigest: mixes `value` (and whether `key` has a TTL in `db`) into
 * `digest`, which is not reset first.
 */
export function mixValueDigest(digest: Buffer, db: Database, key: string, value: StoredValue): void {
  mixDigest(digest, typeCodeOf(value));
  if (typeof value === "string") {
    mixDigest(digest, value);
  } else if (value instanceof ListValue) {
    for (let i = 0; i < value.length; i++) mixDigest(digest, value.at(i));
  } else if (value instanceof SetValue) {
    for (const member of value) xorDigest(digest, member);
  } else if (value instanceof ZsetValue) {
    const pair = Buffer.alloc(DIGEST_LENGTH);
    for (const [member, score] of value.scores) {
      pair.fill(0);
      mixDigest(pair, member);
      // %.17g, as Redis 7.0 prints the score here (a listpack has already turned -0 into 0).
      mixDigest(pair, formatDouble(score));
      xorDigest(digest, pair);
    }
  } else if (value instanceof HashValue) {
    const pair = Buffer.alloc(DIGEST_LENGTH);
    for (const [field, fieldValue] of value.entries) {
      pair.fill(0);
      mixDigest(pair, field);
      mixDigest(pair, fieldValue);
      xorDigest(digest, pair);
    }
  } else if (value.type === "stream") {
    mixStreamDigest(digest, value);
  } else {
    mixRewriteDigest(digest, value);
  }
  if (db.getExpire(key) !== undefined) xorDigest(digest, EXPIRE_MARK);
}

/** Redis's stream digest: every entry's "ms.seq" ID, then its fields and values, in ID order. */
function mixStreamDigest(digest: Buffer, value: TypedValue): void {
  for (const argv of value.rewriteCommands("")) {
    if (argv[0]?.toUpperCase() !== "XADD") continue;
    // "XADD key MAXLEN 0 <last id> x y" is how an empty stream is recreated: no entry.
    const id = argv[2]!;
    if (id.toUpperCase() === "MAXLEN") continue;
    const dash = id.indexOf("-");
    mixDigest(digest, `${id.slice(0, dash)}.${id.slice(dash + 1)}`);
    for (let i = 3; i < argv.length; i++) mixDigest(digest, argv[i]!);
  }
}

/**
 * The fallback for types whose Redis digest kv does not reproduce: every argument of every
 * command that recreates the value, in order, with each command's length mixed in first so
 * that argument boundaries between commands count.
 */
function mixRewriteDigest(digest: Buffer, value: TypedValue): void {
  // The key name is a placeholder: the record already starts with the real key (DIGEST), and
  // DIGEST-VALUE must not depend on it.
  for (const argv of value.rewriteCommands("")) {
    mixDigest(digest, uint32(argv.length));
    for (const arg of argv) mixDigest(digest, arg);
  }
}

/** DEBUG DIGEST-VALUE of one key: 20 zero bytes when it does not exist. */
export function keyValueDigest(db: Database, key: string, value: StoredValue | undefined): Buffer {
  const digest = Buffer.alloc(DIGEST_LENGTH);
  if (value !== undefined) mixValueDigest(digest, db, key, value);
  return digest;
}

/**
 * Redis's computeDatasetDigest over every database. Keys whose TTL has passed but that are
 * not reclaimed yet are included, as Redis's walk over its dict includes them.
 */
export function datasetDigest(keyspace: Keyspace): Buffer {
  const result = Buffer.alloc(DIGEST_LENGTH);
  const record = Buffer.alloc(DIGEST_LENGTH);
  for (const db of keyspace.databases) {
    if (db.size === 0) continue;
    mixDigest(result, uint32(db.index));
    for (const [key, value] of db.entries()) {
      record.fill(0);
      mixDigest(record, key);
      mixValueDigest(record, db, key, value);
      xorDigest(result, record);
    }
  }
  return result;
}
