import type { ScanCursorRegistry } from "../commands/scan-cursor.js";
import type { TypedValue } from "../keyspace/stored-value.js";
import { parseInteger } from "../util/redis-integer.js";

/** A member of an intset: a JS number while exact (|n| <= 2^53 - 1), a bigint beyond (parseInteger's canonical form). */
export type SetInteger = number | bigint;

/**
 * A Redis set of latin1 strings, in one of Redis 7.0's two encodings.
 *
 * - intset: while every member is an integer in string2ll's canonical form and there are at
 *   most `set-max-intset-entries`, the members live in an ascending array, as Redis's intset
 *   does. The order is observable: SMEMBERS, SSCAN, SINTER... of such a set list members
 *   sorted numerically, so it is reproduced. Lookups are binary searches and insertions shift
 *   the array, which is Redis's own complexity for intsets.
 * - hashtable: a JS Set. Redis's dict order cannot be reproduced, so the insertion order a
 *   JS Set keeps is as good as any.
 *
 * Redis converts intset -> hashtable once (a non-integer member, or too many entries) and
 * never back while the object lives; a set is built anew (a new key, a STORE result, SPOP's
 * rebuild) to start over. `intset` is that flag.
 */
export class SetValue implements TypedValue {
  readonly type = "set" as const;
  snapshotEpoch = 0;
  /** Ascending members while intset-encoded; undefined once converted. */
  private ints: SetInteger[] | undefined;
  /** Members once hashtable-encoded; undefined while an intset. */
  private table: Set<string> | undefined;
  /**
   * Positional index for O(1) uniform picks (SPOP, SRANDMEMBER) from a hashtable, built on
   * the first pick and then kept up to date. Sets that are never sampled pay nothing for it.
   */
  private sampler: MemberSampler | undefined = undefined;
  /** Live SSCAN walks over a hashtable-encoded set (created on the first one). */
  scanCursors: ScanCursorRegistry<string> | undefined = undefined;

  private constructor(ints: SetInteger[] | undefined, table: Set<string> | undefined) {
    this.ints = ints;
    this.table = table;
  }

  /** An empty set in the given encoding (Redis's createIntsetObject / createSetObject). */
  static empty(intset: boolean): SetValue {
    return intset ? new SetValue([], undefined) : new SetValue(undefined, new Set<string>());
  }

  /** An empty set able to hold `firstMember` (Redis's setTypeCreate): an intset if it is an integer. */
  static forMember(firstMember: string): SetValue {
    return SetValue.empty(parseInteger(firstMember) !== undefined);
  }

  get size(): number {
    return this.ints !== undefined ? this.ints.length : this.table!.size;
  }

  get isIntset(): boolean {
    return this.ints !== undefined;
  }

  objectEncoding(): string {
    return this.ints !== undefined ? "intset" : "hashtable";
  }

  /** A deep copy in the same encoding (Redis's setTypeDup, for COPY). */
  duplicate(): SetValue {
    return this.ints !== undefined ? new SetValue(this.ints.slice(), undefined) : new SetValue(undefined, new Set(this.table));
  }

  /** As Redis's rewriteSetObject: SADD with at most 64 members per command, in iteration order. */
  *rewriteCommands(key: string): Iterable<string[]> {
    let argv: string[] = ["SADD", key];
    for (const member of this) {
      argv.push(member);
      if (argv.length === 2 + REWRITE_ITEMS_PER_COMMAND) {
        yield argv;
        argv = ["SADD", key];
      }
    }
    if (argv.length > 2) yield argv;
  }

  /** Members in iteration order: ascending while an intset. */
  *[Symbol.iterator](): Iterator<string> {
    if (this.ints !== undefined) {
      for (const value of this.ints) yield String(value);
    } else {
      yield* this.table!;
    }
  }

  /** The ascending integers while an intset, else undefined (for fast paths between intsets). */
  integers(): readonly SetInteger[] | undefined {
    return this.ints;
  }

  /** The members while a hashtable, else undefined. */
  strings(): ReadonlySet<string> | undefined {
    return this.table;
  }

  has(member: string): boolean {
    const ints = this.ints;
    if (ints === undefined) return this.table!.has(member);
    const value = parseInteger(member);
    return value !== undefined && search(ints, value) >= 0;
  }

  /** Membership of an integer member (what an intset iteration yields), without formatting it unless needed. */
  hasInteger(value: SetInteger): boolean {
    const ints = this.ints;
    return ints !== undefined ? search(ints, value) >= 0 : this.table!.has(String(value));
  }

  /**
   * Adds a member (Redis's setTypeAdd); returns whether it was new. An intset turns into a
   * hashtable for a non-integer member or when it grows past `maxIntsetEntries`.
   */
  add(member: string, maxIntsetEntries: number): boolean {
    if (this.ints !== undefined) {
      const value = parseInteger(member);
      if (value !== undefined) return this.addInteger(value, maxIntsetEntries);
      this.convert();
    }
    const table = this.table!;
    const before = table.size;
    table.add(member);
    if (table.size === before) return false;
    this.sampler?.add(member);
    return true;
  }

  /** Adds an integer member (already parsed, e.g. read from another intset); returns whether it was new. */
  addInteger(value: SetInteger, maxIntsetEntries: number): boolean {
    const ints = this.ints;
    if (ints === undefined) return this.add(String(value), maxIntsetEntries);
    // Appending in ascending order (union or copy of another intset) needs no search.
    const last = ints[ints.length - 1];
    if (last === undefined || value > last) {
      ints.push(value);
    } else {
      const position = search(ints, value);
      if (position >= 0) return false;
      ints.splice(-position - 1, 0, value);
    }
    if (ints.length > Math.min(maxIntsetEntries, INTSET_MAX_ENTRIES)) this.convert();
    return true;
  }

  /** Removes a member (Redis's setTypeRemove); returns whether it was there. */
  remove(member: string): boolean {
    const ints = this.ints;
    if (ints !== undefined) {
      const value = parseInteger(member);
      if (value === undefined) return false;
      const position = search(ints, value);
      if (position < 0) return false;
      ints.splice(position, 1);
      return true;
    }
    if (!this.table!.delete(member)) return false;
    this.sampler?.remove(member);
    return true;
  }

  /** A uniformly random member; the set must not be empty. */
  randomMember(): string {
    const ints = this.ints;
    if (ints !== undefined) return String(ints[randomIndex(ints.length)]!);
    return this.indexed().members[randomIndex(this.table!.size)]!;
  }

  /** Removes and returns a uniformly random member; the set must not be empty. */
  popRandom(): string {
    const ints = this.ints;
    if (ints !== undefined) {
      const value = ints.splice(randomIndex(ints.length), 1)[0]!;
      return String(value);
    }
    const member = this.indexed().members[randomIndex(this.table!.size)]!;
    this.table!.delete(member);
    this.sampler!.remove(member);
    return member;
  }

  /** All members in an array addressable by position (for drawing several at random); do not keep it. */
  membersByPosition(): readonly string[] {
    if (this.ints !== undefined) return this.ints.map(String);
    return this.indexed().members;
  }

  private indexed(): MemberSampler {
    return (this.sampler ??= new MemberSampler(this.table!));
  }

  /** Redis's setTypeConvert(OBJ_ENCODING_HT). */
  private convert(): void {
    const table = new Set<string>();
    for (const value of this.ints!) table.add(String(value));
    this.table = table;
    this.ints = undefined;
  }
}

/** Redis caps intsets at 2^30 entries whatever set-max-intset-entries says (intset internals). */
export const INTSET_MAX_ENTRIES = 1 << 30;

/** AOF_REWRITE_ITEMS_PER_CMD. */
const REWRITE_ITEMS_PER_COMMAND = 64;

export function randomIndex(length: number): number {
  return Math.floor(Math.random() * length);
}

/** Position of `value` in the ascending `ints`, or -(insertion point) - 1. Numbers and bigints compare exactly. */
function search(ints: readonly SetInteger[], value: SetInteger): number {
  let low = 0;
  let high = ints.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const probe = ints[middle]!;
    if (probe < value) low = middle + 1;
    else if (probe > value) high = middle - 1;
    else return middle;
  }
  return -low - 1;
}

/** Members in a dense array with each member's position, so deletion is a swap with the last. */
class MemberSampler {
  readonly members: string[];
  private readonly positions = new Map<string, number>();

  constructor(table: Set<string>) {
    this.members = [...table];
    for (let i = 0; i < this.members.length; i++) this.positions.set(this.members[i]!, i);
  }

  add(member: string): void {
    this.positions.set(member, this.members.length);
    this.members.push(member);
  }

  remove(member: string): void {
    const position = this.positions.get(member);
    if (position === undefined) return;
    this.positions.delete(member);
    const last = this.members.pop()!;
    if (position < this.members.length) {
      this.members[position] = last;
      this.positions.set(last, position);
    }
  }
}
