import type { TypedValue } from "../keyspace/stored-value.js";
import type { ScanCursorRegistry } from "../commands/scan-cursor.js";

/**
 * A Redis hash: field → value, both latin1 strings.
 *
 * One JS Map serves both of Redis's encodings. A Map iterates in insertion order, keeps an
 * overwritten field in its place and appends a re-added one — exactly how a listpack orders
 * its entries, which is observable in HGETALL/HKEYS/HVALS/HSCAN of small hashes. Redis's
 * hashtable order (its dict's bucket order) cannot be reproduced, so once converted only the
 * encoding name changes; the layout does not need to.
 */
export class HashValue implements TypedValue {
  readonly type = "hash" as const;
  snapshotEpoch = 0;
  /** Read freely; change only through `set` and `delete`, which keep the sampler in step. */
  readonly entries: Map<string, string>;
  /**
   * Whether Redis would still hold this hash as a listpack. Redis converts to a hashtable
   * once (too many entries, or a field or value too long) and never back, even when the
   * hash shrinks again; only recreating the key starts over.
   */
  listpack: boolean;
  /** Live HSCAN walks over a hashtable-encoded hash (created on the first one). */
  scanCursors: ScanCursorRegistry<string> | undefined = undefined;
  /**
   * Positional index for O(1) uniform picks (HRANDFIELD), built on the first pick from a
   * large hash and then kept up to date by every insertion and deletion. Most hashes are
   * never sampled and pay nothing for it.
   */
  private sampler: FieldSampler | undefined = undefined;

  constructor(entries: Map<string, string> = new Map<string, string>(), listpack = true) {
    this.entries = entries;
    this.listpack = listpack;
  }

  get size(): number {
    return this.entries.size;
  }

  objectEncoding(): string {
    return this.listpack ? "listpack" : "hashtable";
  }

  duplicate(): HashValue {
    return new HashValue(new Map(this.entries), this.listpack);
  }

  /** As Redis's rewriteHashObject: HMSET with at most 64 field/value pairs per command. */
  *rewriteCommands(key: string): Iterable<string[]> {
    let argv: string[] = ["HMSET", key];
    for (const [field, value] of this.entries) {
      argv.push(field, value);
      if (argv.length === 2 + 2 * REWRITE_PAIRS_PER_COMMAND) {
        yield argv;
        argv = ["HMSET", key];
      }
    }
    if (argv.length > 2) yield argv;
  }

  /**
   * Sets a field (Redis's hashTypeSet), converting to a hashtable when the field or value
   * is longer than `limits.maxValueLength` or the hash outgrows `limits.maxEntries`.
   * Returns whether the field is new.
   */
  set(field: string, value: string, limits: ListpackLimits): boolean {
    if (this.listpack && (field.length > limits.maxValueLength || value.length > limits.maxValueLength)) this.listpack = false;
    const entries = this.entries;
    const before = entries.size;
    entries.set(field, value);
    if (entries.size === before) return false;
    if (this.listpack && entries.size > limits.maxEntries) this.listpack = false;
    this.sampler?.add(field);
    return true;
  }

  delete(field: string): boolean {
    if (!this.entries.delete(field)) return false;
    this.sampler?.remove(field);
    return true;
  }

  /** A uniformly random field; the hash must not be empty. */
  randomField(): string {
    const size = this.entries.size;
    const index = randomIndex(size);
    if (size <= WALK_PICK_LIMIT) return fieldAt(this.entries, index);
    return this.indexed().fields[index]!;
  }

  /** All fields in an array addressable by position (for picking several at random). */
  indexedFields(): readonly string[] {
    return this.indexed().fields;
  }

  private indexed(): FieldSampler {
    return (this.sampler ??= new FieldSampler(this.entries));
  }
}

/** Limits on a listpack-encoded hash (hash-max-listpack-entries / -value). */
export interface ListpackLimits {
  maxEntries: number;
  maxValueLength: number;
}

/** For hashes already converted: nothing can convert them again. */
export const NO_LISTPACK_LIMITS: ListpackLimits = { maxEntries: Infinity, maxValueLength: Infinity };

/** AOF_REWRITE_ITEMS_PER_CMD. */
const REWRITE_PAIRS_PER_COMMAND = 64;

/** Up to this size a random pick walks the Map, which is cheaper than keeping an index. */
const WALK_PICK_LIMIT = 128;

export function randomIndex(length: number): number {
  return Math.floor(Math.random() * length);
}

function fieldAt(entries: Map<string, string>, index: number): string {
  let i = 0;
  for (const field of entries.keys()) if (i++ === index) return field;
  throw new RangeError(`no field at ${index}`);
}

/** Fields in a dense array with each field's position, so deletion is a swap with the last. */
class FieldSampler {
  readonly fields: string[];
  private readonly positions = new Map<string, number>();

  constructor(entries: Map<string, string>) {
    this.fields = [...entries.keys()];
    for (let i = 0; i < this.fields.length; i++) this.positions.set(this.fields[i]!, i);
  }

  add(field: string): void {
    this.positions.set(field, this.fields.length);
    this.fields.push(field);
  }

  remove(field: string): void {
    const position = this.positions.get(field);
    if (position === undefined) return;
    this.positions.delete(field);
    const last = this.fields.pop()!;
    if (position < this.fields.length) {
      this.fields[position] = last;
      this.positions.set(last, position);
    }
  }
}
