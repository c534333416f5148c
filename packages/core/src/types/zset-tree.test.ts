import { describe, expect, it } from "vitest";
import { Bound, ZsetTree, foundIndex, foundLeaf } from "./zset-tree.js";

/** A plain sorted array model of the tree. */
class Model {
  pairs: [number, string][] = [];

  private index(score: number, member: string): number {
    return this.pairs.findIndex(([s, m]) => s === score && m === member);
  }

  insert(score: number, member: string): void {
    this.pairs.push([score, member]);
    this.pairs.sort(([as, am], [bs, bm]) => (as !== bs ? as - bs : am < bm ? -1 : am > bm ? 1 : 0));
  }

  remove(score: number, member: string): void {
    this.pairs.splice(this.index(score, member), 1);
  }

  rank(score: number, member: string): number {
    return this.index(score, member);
  }
}

/** Deterministic xorshift, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

function contents(tree: ZsetTree): [number, string][] {
  return [...tree.entries()].map(([member, score]) => [score, member]);
}

describe("ZsetTree", () => {
  it("keeps order, ranks and invariants through random inserts, updates and removals", () => {
    for (const seed of [1, 2, 3]) {
      const next = random(seed);
      const tree = new ZsetTree();
      const model = new Model();
      const scores = new Map<string, number>();
      for (let step = 0; step < 6000; step++) {
        const roll = next();
        const member = `m${Math.floor(next() * 900)}`;
        const score = Math.floor(next() * 50) - 25;
        const current = scores.get(member);
        if (current === undefined && roll < 0.6) {
          tree.insert(score, member);
          model.insert(score, member);
          scores.set(member, score);
        } else if (current !== undefined && roll < 0.75) {
          tree.updateScore(current, member, score);
          model.remove(current, member);
          model.insert(score, member);
          scores.set(member, score);
        } else if (current !== undefined) {
          if (roll < 0.9) tree.remove(current, member);
          else tree.removeRank(tree.rankOf(current, member));
          model.remove(current, member);
          scores.delete(member);
        }
        if (step % 500 === 0) {
          tree.verify();
          expect(contents(tree)).toEqual(model.pairs);
        }
      }
      tree.verify();
      expect(contents(tree)).toEqual(model.pairs);
      for (const [member, score] of scores) expect(tree.rankOf(score, member)).toBe(model.rank(score, member));
      for (let rank = 0; rank < tree.size; rank++) {
        tree.seek(rank);
        expect([foundLeaf.scores[foundIndex], foundLeaf.members[foundIndex]]).toEqual(model.pairs[rank]);
      }
    }
  });

  it("empties down to nothing and grows again", () => {
    const tree = new ZsetTree();
    for (let i = 0; i < 20000; i++) tree.insert(i % 7, `k${i}`);
    tree.verify();
    for (let i = 0; i < 20000; i += 2) tree.remove(i % 7, `k${i}`);
    tree.verify();
    while (tree.size > 0) tree.removeRank(Math.floor(tree.size / 2));
    tree.verify();
    tree.insert(1, "a");
    expect(contents(tree)).toEqual([[1, "a"]]);
  });

  it("builds balanced trees from sorted input", () => {
    for (const total of [0, 1, 47, 48, 49, 3000, 100_000]) {
      const members = Array.from({ length: total }, (_, i) => `m${String(i).padStart(6, "0")}`);
      const scores = members.map(() => 1);
      const tree = ZsetTree.fromSorted(members, scores);
      tree.verify();
      expect(tree.size).toBe(total);
      // Deleting from a bulk-loaded tree exercises its nodes' minimums.
      for (let i = 0; i < total; i += 3) tree.remove(1, members[i]!);
      tree.verify();
    }
  });

  it("finds lower bounds by key, score and member", () => {
    const tree = ZsetTree.fromSorted(["a", "b", "c", "d"], [1, 2, 2, 3]);
    expect(tree.lowerBound(Bound.Score, false, 2, "")).toBe(1);
    expect(tree.lowerBound(Bound.Score, true, 2, "")).toBe(3);
    expect(tree.lowerBound(Bound.Score, false, 4, "")).toBe(4);
    expect(tree.lowerBound(Bound.Key, false, 2, "c")).toBe(2);
    expect(tree.lowerBound(Bound.Key, true, 2, "c")).toBe(3);
    const lex = ZsetTree.fromSorted(["a", "b", "c", "d"], [0, 0, 0, 0]);
    expect(lex.lowerBound(Bound.Member, false, 0, "b")).toBe(1);
    expect(lex.lowerBound(Bound.Member, true, 0, "b")).toBe(2);
    expect(lex.lowerBound(Bound.Member, false, 0, "bb")).toBe(2);
  });
});
