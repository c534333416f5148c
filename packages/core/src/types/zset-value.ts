import { formatDouble } from "@kv/protocol";
import type { TypedValue } from "../keyspace/stored-value.js";
import { ZsetTree } from "./zset-tree.js";

/**
 * A sorted set: a Map member → score (Redis's dict, for O(1) ZSCORE and membership) and a
 * ZsetTree ordered by (score, member) for ranks and ranges (Redis's zskiplist).
 *
 * Encoding. Redis keeps small sorted sets in a listpack and converts to a skiplist once
 * they outgrow zset-max-listpack-entries / zset-max-listpack-value, never back (only a
 * value built from scratch — a *STORE result, an AOF/RDB load — starts small again). kv
 * uses the same structures for both and tracks the name in `listpack`, because the two
 * behave the same except where Redis's are observably different:
 * - a listpack stores integral scores as integers, so -0 becomes 0 there (`ZADD z -0 m`
 *   then ZSCORE says "0"), while a skiplist keeps -0;
 * - ZSCAN returns a listpack whole, in order, with cursor 0;
 * - ZRANDMEMBER's sampling order differs (see the command).
 */

/** ZADD's input flags (Redis's ZADD_IN_*). */
export const ZaddIn = { NX: 1, XX: 2, GT: 4, LT: 8, INCR: 16 } as const;
/** zsetAdd's outcome flags (Redis's ZADD_OUT_*): 0 means "existed, score unchanged". */
export const ZaddOut = { NOP: 1, NAN: 2, ADDED: 4, UPDATED: 8 } as const;

/** The encoding thresholds from the configuration, read once per command. */
export interface ZsetLimits {
  /** zset-max-listpack-entries */
  readonly maxListpackEntries: number;
  /** zset-max-listpack-value (bytes of a member) */
  readonly maxListpackValue: number;
}

/** Members per ZADD in the AOF rewrite (Redis's AOF_REWRITE_ITEMS_PER_CMD). */
const REWRITE_BATCH = 64;

/** The score `add` settled on (Redis's *newscore), valid when it did not report NOP or NAN. */
export let lastAddedScore = 0;

export class ZsetValue implements TypedValue {
  readonly type = "zset" as const;
  snapshotEpoch = 0;
  readonly scores: Map<string, number>;
  tree: ZsetTree;
  /** "listpack" while true, "skiplist" once converted. */
  listpack: boolean;

  constructor(listpack: boolean, scores = new Map<string, number>(), tree = new ZsetTree()) {
    this.listpack = listpack;
    this.scores = scores;
    this.tree = tree;
  }

  /**
   * A sorted set built from scratch out of pairs already in order (ZRANGESTORE, ZUNIONSTORE
   * and the like): listpack-encoded when it fits, as Redis's zsetConvertToListpackIfNeeded.
   */
  static fromSorted(members: string[], scores: number[], limits: ZsetLimits): ZsetValue {
    let longest = 0;
    for (const member of members) if (member.length > longest) longest = member.length;
    const listpack = members.length <= limits.maxListpackEntries && longest <= limits.maxListpackValue;
    if (listpack) for (let i = 0; i < scores.length; i++) if (scores[i] === 0) scores[i] = 0; // -0 → 0
    const map = new Map<string, number>();
    for (let i = 0; i < members.length; i++) map.set(members[i]!, scores[i]!);
    return new ZsetValue(listpack, map, ZsetTree.fromSorted(members, scores));
  }

  /**
   * The encoding a new key starts with: Redis's ZADD looks at the first member only (the
   * others convert it as they are added, if need be).
   */
  static startsAsListpack(firstMember: string, limits: ZsetLimits): boolean {
    return limits.maxListpackEntries !== 0 && firstMember.length <= limits.maxListpackValue;
  }

  get size(): number {
    return this.scores.size;
  }

  objectEncoding(): string {
    return this.listpack ? "listpack" : "skiplist";
  }

  duplicate(): ZsetValue {
    const members: string[] = [];
    const scores: number[] = [];
    for (const [member, score] of this.tree.entries()) {
      members.push(member);
      scores.push(score);
    }
    // Redis's zsetDup keeps the encoding: a copy of a small skiplist is still a skiplist.
    return new ZsetValue(this.listpack, new Map(this.scores), ZsetTree.fromSorted(members, scores));
  }

  /**
   * ZADD batches of 64 pairs, as Redis's rewriteSortedSetObject. Replayed, they build a
   * listpack first and convert when it overflows, and a listpack turns -0 into 0; Redis's own
   * reload (DEBUG RELOAD reads an RDB) keeps -0 in a set that stays a skiplist. So a skiplist
   * is written longest member first (a member too long for a listpack makes the replayed set
   * a skiplist from its first ZADD) and its -0 scores last (after the listpack has overflowed,
   * when it does by count).
   */
  *rewriteCommands(key: string): Iterable<string[]> {
    let command: string[] = [];
    const emit = (member: string, score: number): string[] | undefined => {
      if (command.length === 0) command.push("ZADD", key);
      // %.17g round-trips every double, and ZADD reads "inf"/"-inf" back.
      command.push(formatDouble(score), member);
      if (command.length < 2 + 2 * REWRITE_BATCH) return undefined;
      const full = command;
      command = [];
      return full;
    };
    if (this.listpack) {
      for (const [member, score] of this.tree.entries()) {
        const full = emit(member, score);
        if (full !== undefined) yield full;
      }
    } else {
      let longest = "";
      for (const member of this.scores.keys()) if (member.length > longest.length) longest = member;
      const negativeZeros: string[] = [];
      let full = emit(longest, this.scores.get(longest)!);
      if (full !== undefined) yield full;
      for (const [member, score] of this.tree.entries()) {
        if (Object.is(score, -0)) negativeZeros.push(member);
        if (member !== longest && (full = emit(member, score)) !== undefined) yield full;
      }
      if (command.length > 0) yield command;
      command = [];
      /*
       * A listpack stores -0 as 0, and the replayed set is a listpack until it outgrows one,
       * so -0 members added before that come back as 0. Once everything is in (and the set
       * is a skiplist again) they are moved off and back to -0: a plain ZADD -0 would be a
       * no-op, as -0 == 0 for Redis's "score changed" check.
       */
      for (let i = 0; i < negativeZeros.length; i += REWRITE_BATCH) {
        const batch = negativeZeros.slice(i, i + REWRITE_BATCH);
        yield ["ZADD", key, ...batch.flatMap((member) => ["1", member])];
        yield ["ZADD", key, ...batch.flatMap((member) => ["-0", member])];
      }
    }
    if (command.length > 0) yield command;
  }

  score(member: string): number | undefined {
    return this.scores.get(member);
  }

  /**
   * Redis's zsetAdd: adds or updates one member under ZADD's flags (ZaddIn), converting the
   * encoding when the new member does not fit a listpack. Returns ZaddOut flags; the score
   * settled on is left in `lastAddedScore` (before any -0 normalization, as Redis replies it).
   */
  add(score: number, member: string, flags: number, limits: ZsetLimits): number {
    if (score !== score) return ZaddOut.NAN;
    const current = this.scores.get(member);
    if (current !== undefined) {
      if ((flags & ZaddIn.NX) !== 0) return ZaddOut.NOP;
      if ((flags & ZaddIn.INCR) !== 0) {
        score += current;
        if (score !== score) return ZaddOut.NAN;
      }
      if (((flags & ZaddIn.LT) !== 0 && score >= current) || ((flags & ZaddIn.GT) !== 0 && score <= current)) return ZaddOut.NOP;
      lastAddedScore = score;
      // -0 and 0 compare equal, so neither replaces the other.
      if (score === current) return 0;
      const stored = this.listpack && score === 0 ? 0 : score;
      this.scores.set(member, stored);
      this.tree.updateScore(current, member, stored);
      return ZaddOut.UPDATED;
    }
    if ((flags & ZaddIn.XX) !== 0) return ZaddOut.NOP;
    this.insert(score, member, limits);
    lastAddedScore = score;
    return ZaddOut.ADDED;
  }

  /** Adds a member known to be absent. */
  insert(score: number, member: string, limits: ZsetLimits): void {
    if (this.listpack && (this.scores.size + 1 > limits.maxListpackEntries || member.length > limits.maxListpackValue)) this.listpack = false;
    const stored = this.listpack && score === 0 ? 0 : score;
    this.scores.set(member, stored);
    this.tree.insert(stored, member);
  }

  /** Removes a member; false when it was not there. */
  delete(member: string): boolean {
    const score = this.scores.get(member);
    if (score === undefined) return false;
    this.tree.remove(score, member);
    this.scores.delete(member);
    return true;
  }

  /** Removes the member of this rank (which must exist) and returns it. */
  deleteRank(rank: number, member: string): void {
    this.tree.removeRank(rank);
    this.scores.delete(member);
  }

  /** 0-based rank of a member in ascending order, or -1. */
  rank(member: string): number {
    const score = this.scores.get(member);
    return score === undefined ? -1 : this.tree.rankOf(score, member);
  }
}
