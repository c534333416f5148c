/**
 * The ordered half of a sorted set: (score, member) pairs sorted by score, then by member
 * bytes (memcmp; on latin1 strings `<` compares the same way), with rank lookups in
 * O(log n) — what Redis's zskiplist gives with its span counts.
 *
 * It is a counted B+tree rather than a skip list. Leaves hold up to LEAF_CAPACITY pairs in
 * two parallel arrays (strings, and doubles V8 keeps unboxed), linked both ways for range
 * walks; branches hold their children, each child's element count, and a separator key per
 * child. A pair costs ~16 bytes here instead of a node object with per-level arrays (~130
 * bytes in V8), and walks read contiguous arrays.
 *
 * Separator invariant: for child i > 0 of a branch, every key in child i-1 is < sep[i] <=
 * every key in child i. A separator is set from the first key of a node when the node is
 * created by a split or refilled by a merge/redistribution; deletions may leave it smaller
 * than the child's current first key, which keeps the invariant. sep[0] travels with the
 * child and is only meaningful as the separator the parent uses for the branch itself.
 *
 * Searches are "lower bounds" for a monotone predicate (see Bound): the rank of the first
 * pair that satisfies it. Mutations record the descent path in module-level arrays, so
 * neither searches nor updates allocate.
 */

const LEAF_CAPACITY = 64;
const LEAF_MINIMUM = 16;
const BRANCH_CAPACITY = 64;
const BRANCH_MINIMUM = 16;
const MAX_DEPTH = 32;

export class ZsetLeaf {
  members: string[] = [];
  scores: number[] = [];
  prev: ZsetLeaf | null = null;
  next: ZsetLeaf | null = null;
}

class Branch {
  children: TreeNode[] = [];
  sizes: number[] = [];
  sepScores: number[] = [];
  sepMembers: string[] = [];
  size = 0;
}

type TreeNode = ZsetLeaf | Branch;

/**
 * What a lower-bound search looks for, given a target score and/or member:
 * the first pair with (score, member) >= target (or > with `exclusive`), the first with
 * score >= target (>), or the first with member >= target (>) — the last only meaningful
 * when the members are in order, i.e. all scores are equal.
 */
export const Bound = { Key: 0, Score: 1, Member: 2 } as const;
export type BoundKind = (typeof Bound)[keyof typeof Bound];

function satisfies(kind: BoundKind, exclusive: boolean, score: number, member: string, targetScore: number, targetMember: string): boolean {
  if (kind === Bound.Score) return exclusive ? score > targetScore : score >= targetScore;
  if (kind === Bound.Member) return exclusive ? member > targetMember : member >= targetMember;
  if (score !== targetScore) return score > targetScore;
  return exclusive ? member > targetMember : member >= targetMember;
}

/** Whether (aScore, aMember) sorts before (bScore, bMember). */
function keyLess(aScore: number, aMember: string, bScore: number, bMember: string): boolean {
  return aScore < bScore || (aScore === bScore && aMember < bMember);
}

// Descent path of the last search: the branches passed and the child index taken in each.
const pathBranches: Branch[] = new Array<Branch>(MAX_DEPTH);
const pathIndexes: number[] = new Array<number>(MAX_DEPTH).fill(0);
let pathDepth = 0;

/** A position: a leaf and an index in it, as set by the last search or seek. */
export let foundLeaf: ZsetLeaf = new ZsetLeaf();
export let foundIndex = 0;

export class ZsetTree {
  private root: TreeNode = new ZsetLeaf();
  private head: ZsetLeaf;
  private tail: ZsetLeaf;
  private count = 0;

  constructor() {
    this.head = this.tail = this.root as ZsetLeaf;
  }

  get size(): number {
    return this.count;
  }

  get firstLeaf(): ZsetLeaf {
    return this.head;
  }

  get lastLeaf(): ZsetLeaf {
    return this.tail;
  }

  /** Score of the lowest pair (the tree must not be empty). */
  get minScore(): number {
    return this.head.scores[0]!;
  }

  get maxScore(): number {
    const scores = this.tail.scores;
    return scores[scores.length - 1]!;
  }

  /** Builds a tree from pairs already in order. */
  static fromSorted(members: readonly string[], scores: readonly number[]): ZsetTree {
    const tree = new ZsetTree();
    const total = members.length;
    if (total === 0) return tree;
    // Evenly filled nodes, about 3/4 full, so that none starts below its minimum.
    const leafCount = Math.ceil(total / ((LEAF_CAPACITY * 3) >> 2));
    let level: TreeNode[] = [];
    let levelSizes: number[] = [];
    let levelSepScores: number[] = [];
    let levelSepMembers: string[] = [];
    let previous: ZsetLeaf | null = null;
    for (let n = 0; n < leafCount; n++) {
      const start = Math.floor((n * total) / leafCount);
      const end = Math.floor(((n + 1) * total) / leafCount);
      const leaf = new ZsetLeaf();
      leaf.members = members.slice(start, end);
      leaf.scores = scores.slice(start, end);
      leaf.prev = previous;
      if (previous !== null) previous.next = leaf;
      else tree.head = leaf;
      previous = leaf;
      level.push(leaf);
      levelSizes.push(end - start);
      levelSepScores.push(scores[start]!);
      levelSepMembers.push(members[start]!);
    }
    tree.tail = previous!;
    while (level.length > 1) {
      const branchCount = Math.ceil(level.length / ((BRANCH_CAPACITY * 3) >> 2));
      const upper: TreeNode[] = [];
      const upperSizes: number[] = [];
      const upperSepScores: number[] = [];
      const upperSepMembers: string[] = [];
      for (let n = 0; n < branchCount; n++) {
        const start = Math.floor((n * level.length) / branchCount);
        const end = Math.floor(((n + 1) * level.length) / branchCount);
        const branch = new Branch();
        branch.children = level.slice(start, end);
        branch.sizes = levelSizes.slice(start, end);
        branch.sepScores = levelSepScores.slice(start, end);
        branch.sepMembers = levelSepMembers.slice(start, end);
        for (const size of branch.sizes) branch.size += size;
        upper.push(branch);
        upperSizes.push(branch.size);
        upperSepScores.push(branch.sepScores[0]!);
        upperSepMembers.push(branch.sepMembers[0]!);
      }
      level = upper;
      levelSizes = upperSizes;
      levelSepScores = upperSepScores;
      levelSepMembers = upperSepMembers;
    }
    tree.root = level[0]!;
    tree.count = total;
    return tree;
  }

  /**
   * Rank of the first pair satisfying the bound (`size` when none does); `foundLeaf` and
   * `foundIndex` are left at that position (possibly one past the end of a leaf). Without
   * `withRank` the rank is not summed up (mutations only need the position).
   */
  lowerBound(kind: BoundKind, exclusive: boolean, score: number, member: string, withRank = true): number {
    let node = this.root;
    let rank = 0;
    pathDepth = 0;
    // By key, a separator equal to the target means the pair starts that child, so branches
    // route as for "> target": an existing pair is then always found inside its own leaf,
    // with the path to it, and a new one is inserted where the invariant keeps holding.
    const routeExclusive = kind === Bound.Key ? true : exclusive;
    while (node instanceof Branch) {
      // The last child whose separator fails the bound holds the first pair that satisfies it
      // (or that pair is the first of the next child, reached through the leaf links).
      const children = node.children;
      let low = 1;
      let high = children.length - 1;
      let chosen = 0;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (satisfies(kind, routeExclusive, node.sepScores[middle]!, node.sepMembers[middle]!, score, member)) high = middle - 1;
        else {
          chosen = middle;
          low = middle + 1;
        }
      }
      if (withRank) {
        const sizes = node.sizes;
        for (let i = 0; i < chosen; i++) rank += sizes[i]!;
      }
      pathBranches[pathDepth] = node;
      pathIndexes[pathDepth++] = chosen;
      node = children[chosen]!;
    }
    const scores = node.scores;
    const members = node.members;
    let low = 0;
    let high = scores.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (satisfies(kind, exclusive, scores[middle]!, members[middle]!, score, member)) high = middle;
      else low = middle + 1;
    }
    foundLeaf = node;
    foundIndex = low;
    return rank + low;
  }

  /** Moves `foundLeaf`/`foundIndex` to the pair of this 0-based rank (which must exist). */
  seek(rank: number): void {
    if (rank < this.head.members.length) {
      foundLeaf = this.head;
      foundIndex = rank;
      return;
    }
    const lastStart = this.count - this.tail.members.length;
    if (rank >= lastStart) {
      foundLeaf = this.tail;
      foundIndex = rank - lastStart;
      return;
    }
    let node = this.root;
    let remaining = rank;
    while (node instanceof Branch) {
      const sizes = node.sizes;
      let i = 0;
      while (remaining >= sizes[i]!) remaining -= sizes[i++]!;
      node = node.children[i]!;
    }
    foundLeaf = node;
    foundIndex = remaining;
  }

  /** 0-based rank of an existing pair. */
  rankOf(score: number, member: string): number {
    return this.lowerBound(Bound.Key, false, score, member);
  }

  /** Inserts a pair that is not in the tree. */
  insert(score: number, member: string): void {
    this.lowerBound(Bound.Key, false, score, member, false);
    const leaf = foundLeaf;
    insertAt(leaf.members, foundIndex, member);
    insertAt(leaf.scores, foundIndex, score);
    this.count++;
    for (let d = 0; d < pathDepth; d++) {
      const branch = pathBranches[d]!;
      branch.sizes[pathIndexes[d]!]!++;
      branch.size++;
    }
    if (leaf.members.length > LEAF_CAPACITY) this.splitLeaf(leaf);
  }

  /** Removes a pair that is in the tree. */
  remove(score: number, member: string): void {
    this.lowerBound(Bound.Key, false, score, member, false);
    this.removeFound();
  }

  /** Removes the pair of this rank. */
  removeRank(rank: number): void {
    // A rank descent that records the path, as lowerBound does.
    let node = this.root;
    let remaining = rank;
    pathDepth = 0;
    while (node instanceof Branch) {
      const sizes = node.sizes;
      let i = 0;
      while (remaining >= sizes[i]!) remaining -= sizes[i++]!;
      pathBranches[pathDepth] = node;
      pathIndexes[pathDepth++] = i;
      node = node.children[i]!;
    }
    foundLeaf = node;
    foundIndex = remaining;
    this.removeFound();
  }

  /** Changes the score of an existing pair. */
  updateScore(oldScore: number, member: string, newScore: number): void {
    this.lowerBound(Bound.Key, false, oldScore, member, false);
    const leaf = foundLeaf;
    const index = foundIndex;
    const scores = leaf.scores;
    const members = leaf.members;
    // In place when the order is kept (Redis's zslUpdateScore does the same), else re-insert.
    // The first pair of a leaf that has a predecessor may not move down in place, nor the
    // last pair of one with a successor move up: that could cross a separator.
    const last = scores.length - 1;
    const afterPrevious = index > 0 ? keyLess(scores[index - 1]!, members[index - 1]!, newScore, member) : leaf.prev === null;
    const beforeNext = index < last ? keyLess(newScore, member, scores[index + 1]!, members[index + 1]!) : leaf.next === null;
    if (afterPrevious && beforeNext) {
      scores[index] = newScore;
      return;
    }
    this.removeFound();
    this.insert(newScore, member);
  }

  /** Every pair in order. */
  *entries(): IterableIterator<[string, number]> {
    for (let leaf: ZsetLeaf | null = this.head; leaf !== null; leaf = leaf.next) {
      const members = leaf.members;
      const scores = leaf.scores;
      for (let i = 0; i < members.length; i++) yield [members[i]!, scores[i]!];
    }
  }

  /** Removes the pair at `foundLeaf`/`foundIndex` reached through the recorded path. */
  private removeFound(): void {
    const leaf = foundLeaf;
    removeAt(leaf.members, foundIndex);
    removeAt(leaf.scores, foundIndex);
    this.count--;
    for (let d = 0; d < pathDepth; d++) {
      const branch = pathBranches[d]!;
      branch.sizes[pathIndexes[d]!]!--;
      branch.size--;
    }
    if (pathDepth > 0 && leaf.members.length < LEAF_MINIMUM) this.rebalanceLeaf();
  }

  private splitLeaf(leaf: ZsetLeaf): void {
    const half = leaf.members.length >> 1;
    const right = new ZsetLeaf();
    right.members = leaf.members.splice(half);
    right.scores = leaf.scores.splice(half);
    right.prev = leaf;
    right.next = leaf.next;
    if (leaf.next !== null) leaf.next.prev = right;
    else this.tail = right;
    leaf.next = right;
    this.addSibling(pathDepth - 1, leaf, right, leaf.members.length, right.members.length, right.scores[0]!, right.members[0]!);
  }

  /**
   * Registers `right`, split off `left`, in the parent at path depth `depth` (-1: `left` is
   * the root, so a new root is made), splitting the parent in turn when it overflows.
   */
  private addSibling(depth: number, left: TreeNode, right: TreeNode, leftSize: number, rightSize: number, sepScore: number, sepMember: string): void {
    if (depth < 0) {
      const root = new Branch();
      root.children.push(left, right);
      root.sizes.push(leftSize, rightSize);
      // The root's first separator is never used for routing; keep the arrays aligned.
      root.sepScores.push(sepScore, sepScore);
      root.sepMembers.push(sepMember, sepMember);
      root.size = leftSize + rightSize;
      this.root = root;
      return;
    }
    const parent = pathBranches[depth]!;
    const index = pathIndexes[depth]! + 1;
    parent.sizes[index - 1] = leftSize;
    insertAt(parent.children, index, right);
    insertAt(parent.sizes, index, rightSize);
    insertAt(parent.sepScores, index, sepScore);
    insertAt(parent.sepMembers, index, sepMember);
    if (parent.children.length > BRANCH_CAPACITY) {
      const half = parent.children.length >> 1;
      const sibling = new Branch();
      sibling.children = parent.children.splice(half);
      sibling.sizes = parent.sizes.splice(half);
      sibling.sepScores = parent.sepScores.splice(half);
      sibling.sepMembers = parent.sepMembers.splice(half);
      let moved = 0;
      for (const size of sibling.sizes) moved += size;
      sibling.size = moved;
      parent.size -= moved;
      this.addSibling(depth - 1, parent, sibling, parent.size, sibling.size, sibling.sepScores[0]!, sibling.sepMembers[0]!);
    }
  }

  /** A leaf fell below its minimum: merge it with a sibling, or even the two out. */
  private rebalanceLeaf(): void {
    const depth = pathDepth - 1;
    const parent = pathBranches[depth]!;
    const index = pathIndexes[depth]!;
    if (parent.children.length < 2) return;
    const leftIndex = index > 0 ? index - 1 : index;
    const left = parent.children[leftIndex] as ZsetLeaf;
    const right = parent.children[leftIndex + 1] as ZsetLeaf;
    const total = left.members.length + right.members.length;
    if (total <= LEAF_CAPACITY) {
      for (let i = 0; i < right.members.length; i++) {
        left.members.push(right.members[i]!);
        left.scores.push(right.scores[i]!);
      }
      left.next = right.next;
      if (right.next !== null) right.next.prev = left;
      else this.tail = left;
      parent.sizes[leftIndex] = total;
      removeAt(parent.children, leftIndex + 1);
      removeAt(parent.sizes, leftIndex + 1);
      removeAt(parent.sepScores, leftIndex + 1);
      removeAt(parent.sepMembers, leftIndex + 1);
      this.afterChildRemoved(depth);
      return;
    }
    // Redistribute: both end up with about half, and the right one's separator is its new first key.
    const leftTarget = total >> 1;
    if (left.members.length > leftTarget) {
      const moved = left.members.length - leftTarget;
      right.members = left.members.splice(leftTarget, moved).concat(right.members);
      right.scores = left.scores.splice(leftTarget, moved).concat(right.scores);
    } else {
      const moved = leftTarget - left.members.length;
      const members = right.members.splice(0, moved);
      const scores = right.scores.splice(0, moved);
      for (let i = 0; i < moved; i++) {
        left.members.push(members[i]!);
        left.scores.push(scores[i]!);
      }
    }
    parent.sizes[leftIndex] = left.members.length;
    parent.sizes[leftIndex + 1] = right.members.length;
    parent.sepScores[leftIndex + 1] = right.scores[0]!;
    parent.sepMembers[leftIndex + 1] = right.members[0]!;
  }

  /** A child was removed from the branch at path depth `depth`: fix that branch if too small. */
  private afterChildRemoved(depth: number): void {
    const branch = pathBranches[depth]!;
    if (depth === 0) {
      // The root: collapse it while it has a single child.
      let root: TreeNode = branch;
      while (root instanceof Branch && root.children.length === 1) root = root.children[0]!;
      this.root = root;
      return;
    }
    if (branch.children.length >= BRANCH_MINIMUM) return;
    const parent = pathBranches[depth - 1]!;
    const index = pathIndexes[depth - 1]!;
    if (parent.children.length < 2) return;
    const leftIndex = index > 0 ? index - 1 : index;
    const left = parent.children[leftIndex] as Branch;
    const right = parent.children[leftIndex + 1] as Branch;
    const total = left.children.length + right.children.length;
    if (total <= BRANCH_CAPACITY) {
      for (let i = 0; i < right.children.length; i++) {
        left.children.push(right.children[i]!);
        left.sizes.push(right.sizes[i]!);
        left.sepScores.push(right.sepScores[i]!);
        left.sepMembers.push(right.sepMembers[i]!);
      }
      left.size += right.size;
      parent.sizes[leftIndex] = left.size;
      removeAt(parent.children, leftIndex + 1);
      removeAt(parent.sizes, leftIndex + 1);
      removeAt(parent.sepScores, leftIndex + 1);
      removeAt(parent.sepMembers, leftIndex + 1);
      this.afterChildRemoved(depth - 1);
      return;
    }
    const leftTarget = total >> 1;
    if (left.children.length > leftTarget) {
      const moved = left.children.length - leftTarget;
      right.children = left.children.splice(leftTarget, moved).concat(right.children);
      right.sizes = left.sizes.splice(leftTarget, moved).concat(right.sizes);
      right.sepScores = left.sepScores.splice(leftTarget, moved).concat(right.sepScores);
      right.sepMembers = left.sepMembers.splice(leftTarget, moved).concat(right.sepMembers);
    } else {
      const moved = leftTarget - left.children.length;
      left.children.push(...right.children.splice(0, moved));
      left.sizes.push(...right.sizes.splice(0, moved));
      left.sepScores.push(...right.sepScores.splice(0, moved));
      left.sepMembers.push(...right.sepMembers.splice(0, moved));
    }
    left.size = 0;
    for (const size of left.sizes) left.size += size;
    right.size = 0;
    for (const size of right.sizes) right.size += size;
    parent.sizes[leftIndex] = left.size;
    parent.sizes[leftIndex + 1] = right.size;
    parent.sepScores[leftIndex + 1] = right.sepScores[0]!;
    parent.sepMembers[leftIndex + 1] = right.sepMembers[0]!;
  }

  /** Checks every invariant (tests only): counts, order, separators, links. */
  verify(): void {
    let seen = 0;
    let previousScore = -Infinity;
    let previousMember: string | undefined;
    for (let leaf: ZsetLeaf | null = this.head; leaf !== null; leaf = leaf.next) {
      if (leaf.next !== null && leaf.next.prev !== leaf) throw new Error("broken leaf links");
      if (leaf.members.length !== leaf.scores.length) throw new Error("leaf arrays differ in length");
      for (let i = 0; i < leaf.members.length; i++) {
        const score = leaf.scores[i]!;
        const member = leaf.members[i]!;
        if (previousMember !== undefined && !keyLess(previousScore, previousMember, score, member)) throw new Error(`out of order at ${seen}`);
        previousScore = score;
        previousMember = member;
        seen++;
      }
      if (leaf.next === null && leaf !== this.tail) throw new Error("wrong tail");
    }
    if (seen !== this.count) throw new Error(`count ${this.count} but ${seen} pairs`);
    const check = (node: TreeNode, low: [number, string] | undefined, high: [number, string] | undefined): number => {
      if (!(node instanceof Branch)) {
        for (let i = 0; i < node.members.length; i++) {
          if (low !== undefined && keyLess(node.scores[i]!, node.members[i]!, low[0], low[1])) throw new Error("pair below its separator");
          if (high !== undefined && !keyLess(node.scores[i]!, node.members[i]!, high[0], high[1])) throw new Error("pair at or above the next separator");
        }
        return node.members.length;
      }
      let total = 0;
      for (let i = 0; i < node.children.length; i++) {
        const childLow: [number, string] | undefined = i === 0 ? low : [node.sepScores[i]!, node.sepMembers[i]!];
        const childHigh: [number, string] | undefined = i === node.children.length - 1 ? high : [node.sepScores[i + 1]!, node.sepMembers[i + 1]!];
        const size = check(node.children[i]!, childLow, childHigh);
        if (size !== node.sizes[i]) throw new Error("stale child size");
        total += size;
      }
      if (total !== node.size) throw new Error("stale branch size");
      return total;
    };
    if (check(this.root, undefined, undefined) !== this.count) throw new Error("tree size differs");
  }
}

/** Array insertion without splice's result allocation. */
function insertAt<T>(array: T[], index: number, value: T): void {
  let i = array.length;
  array.push(value);
  for (; i > index; i--) array[i] = array[i - 1]!;
  array[index] = value;
}

function removeAt<T>(array: T[], index: number): void {
  const last = array.length - 1;
  for (let i = index; i < last; i++) array[i] = array[i + 1]!;
  array.pop();
}
