import { parseInteger } from "../util/redis-integer.js";
import { compareIdTo, compareIds, deltaU64, type StreamIdLike, type U64 } from "./stream-id.js";

/*
 * The entries of a stream, laid out the way Redis lays them out: a sequence of nodes (the
 * listpacks of Redis's radix tree), each holding up to stream-node-max-entries entries or
 * stream-node-max-bytes bytes. A deleted entry stays in its node as a tombstone until the
 * whole node goes.
 *
 * The layout is not an implementation detail kv could choose freely: it is observable.
 * XINFO STREAM reports radix-tree-keys (the node count) and radix-tree-nodes, and
 * approximate trimming (MAXLEN ~ / MINID ~) removes whole nodes only, so its result
 * depends on where the node boundaries fall. So each node tracks the exact byte size its
 * listpack would have (with listpack's integer and string encodings) and entries are
 * split into nodes by Redis's rule. Nothing else of the listpack is kept: an entry is one
 * object holding its ID and its reply bytes, found by binary search over nodes and then
 * within one — O(log n) seeks for XRANGE, O(1) amortized appends.
 */

/**
 * One stream entry, stored as the RESP it is replied with: `*2 $<id> *<2n> $<field> $<value>...`
 * (the same bytes in RESP2 and RESP3). One flat string per entry instead of an array of field
 * strings: replying is a single copy, and a range of a large stream touches one object per
 * entry rather than a handful scattered over the heap — reading cold entries dominated XRANGE.
 */
export class StreamEntry implements StreamIdLike {
  constructor(
    readonly ms: U64,
    readonly seq: U64,
    /** The entry's reply (see encodeEntry); entryFields decodes the fields back. */
    readonly encoded: string,
    /** A tombstone: XDEL or a trim marked it, its node still holds it. */
    public deleted = false,
  ) {}

  /** An entry of `fields[from..]` (field, value, field, value...). */
  static of(ms: U64, seq: U64, fields: readonly string[], from = 0): StreamEntry {
    return new StreamEntry(ms, seq, encodeEntry(ms, seq, fields, from));
  }
}

// Parts of the entry being encoded; join() makes one flat string (concatenation would make a rope).
const encodeParts: string[] = [];

export function encodeEntry(ms: U64, seq: U64, fields: readonly string[], from: number): string {
  const parts = encodeParts;
  const id = `${ms}-${seq}`;
  parts.push(`*2\r\n$${id.length}\r\n${id}\r\n*${fields.length - from}\r\n`);
  for (let i = from; i < fields.length; i++) {
    const field = fields[i]!;
    parts.push(`$${field.length}\r\n`, field, "\r\n");
  }
  const encoded = parts.join("");
  parts.length = 0;
  return encoded;
}

/** The field names and values of an entry, decoded from its reply. */
export function entryFields(entry: StreamEntry): string[] {
  const text = entry.encoded;
  let at = text.indexOf("\r\n", 4) + 2; // past "*2\r\n$<id length>\r\n"
  at = text.indexOf("\r\n", at) + 2; // past the ID
  const header = text.indexOf("\r\n", at);
  const count = Number(text.slice(at + 1, header));
  at = header + 2;
  const fields: string[] = [];
  for (let i = 0; i < count; i++) {
    const lengthEnd = text.indexOf("\r\n", at);
    const length = Number(text.slice(at + 1, lengthEnd));
    fields.push(text.slice(lengthEnd + 2, lengthEnd + 2 + length));
    at = lengthEnd + 4 + length;
  }
  return fields;
}

/** The configuration that shapes nodes (stream-node-max-bytes / -entries), read per command. */
export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** STREAM_LISTPACK_MAX_SIZE: nodes never grow past 1 GiB whatever the configuration. */
const LISTPACK_MAX_SIZE = 1 << 30;

class StreamNode {
  /** Every entry ever appended here, tombstones included, in ID order; entries[0] is the master entry. */
  readonly entries: StreamEntry[];
  /** The master entry's field names: entries with exactly these are stored without them (SAMEFIELDS). */
  readonly masterFields: readonly string[];
  /** Entries not deleted (the listpack's "count"); the rest of `entries` are tombstones. */
  live: number;
  /** What lpBytes would say of this node's listpack. */
  bytes: number;

  /** A node started by `first`, whose fields are `fields[from..]`. */
  constructor(first: StreamEntry, fields: readonly string[], from: number) {
    this.entries = [first];
    this.live = 1;
    const names: string[] = [];
    for (let i = from; i < fields.length; i += 2) names.push(fields[i]!);
    this.masterFields = names;
    // Header and end byte, then the master entry: count, deleted, field count, field names, 0.
    let bytes = 7 + lpIntSize(1) + lpIntSize(0) + lpIntSize(names.length) + lpIntSize(0);
    for (const name of names) bytes += lpStringSize(name);
    this.bytes = bytes + entryBytes(first, first, true, fields, from);
  }

  /** A copy of `source` holding `entries` (COPY keeps the layout). */
  static restore(source: StreamNode, entries: StreamEntry[]): StreamNode {
    const node = new StreamNode(entries[0]!, source.masterFields.flatMap((name) => [name, ""]), 0);
    node.entries.length = 0;
    for (const entry of entries) node.entries.push(entry);
    node.live = source.live;
    node.bytes = source.bytes;
    return node;
  }

  get master(): StreamEntry {
    return this.entries[0]!;
  }

  get tombstones(): number {
    return this.entries.length - this.live;
  }

  /** Whether `fields[from..]` has exactly the master entry's field names (the SAMEFIELDS flag). */
  sameFieldsAsMaster(fields: readonly string[], from: number): boolean {
    const names = this.masterFields;
    if (names.length * 2 !== fields.length - from) return false;
    for (let i = 0; i < names.length; i++) if (names[i] !== fields[from + 2 * i]) return false;
    return true;
  }

  /** Rewrites the count/deleted header integers after `live` changed. */
  countsChanged(liveBefore: number, tombstonesBefore: number): void {
    this.bytes += lpIntSize(this.live) - lpIntSize(liveBefore) + lpIntSize(this.tombstones) - lpIntSize(tombstonesBefore);
  }

  /** Index of the first entry >= id (entries.length when none). */
  lowerBound(ms: U64, seq: U64): number {
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareIdTo(entries[mid]!, ms, seq) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Bytes an entry with `fields[from..]` adds to its node's listpack (flags, ID deltas, fields, lp-count). */
function entryBytes(entry: StreamEntry, master: StreamEntry, sameFields: boolean, fields: readonly string[], from: number): number {
  const fieldCount = (fields.length - from) / 2;
  let bytes = lpIntSize(sameFields ? 2 : 0) + lpIntSize(deltaU64(entry.ms, master.ms)) + lpIntSize(deltaU64(entry.seq, master.seq));
  let pieces = fieldCount + 3;
  if (!sameFields) {
    bytes += lpIntSize(fieldCount);
    pieces += fieldCount + 1;
    for (let i = from; i < fields.length; i += 2) bytes += lpStringSize(fields[i]!);
  }
  for (let i = from + 1; i < fields.length; i += 2) bytes += lpStringSize(fields[i]!);
  return bytes + lpIntSize(pieces);
}

/** streamAppendItem's test for starting a new node. */
function tailIsFull(tail: StreamNode, fields: readonly string[], from: number, limits: NodeLimits): boolean {
  let elementBytes = 0;
  for (let i = from; i < fields.length; i++) elementBytes += fields[i]!.length;
  let maxBytes = limits.maxBytes;
  if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
  if (tail.bytes + elementBytes >= maxBytes) return true;
  return limits.maxEntries !== 0 && tail.entries.length >= limits.maxEntries;
}

// ---------------------------------------------------------------------------------------
// Listpack element sizes (listpack.c lpEncodeGetType / lpEncodeBacklen)
// ---------------------------------------------------------------------------------------

/** Size of an integer element: its encoding (1 to 9 bytes) plus a one-byte backlen. */
function lpIntSize(value: number | bigint): number {
  if (typeof value === "bigint") return 10; // beyond 2^53: a 64-bit integer
  if (value >= 0 && value <= 127) return 2;
  if (value >= -4096 && value <= 4095) return 3;
  if (value >= -32768 && value <= 32767) return 4;
  if (value >= -8388608 && value <= 8388607) return 5;
  if (value >= -2147483648 && value <= 2147483647) return 6;
  return 10;
}

/** Size of a string element: listpack stores strings that look like integers as integers. */
function lpStringSize(text: string): number {
  const asInteger = parseInteger(text);
  if (asInteger !== undefined) return lpIntSize(asInteger);
  const length = text.length;
  const encoded = length < 64 ? 1 + length : length < 4096 ? 2 + length : 5 + length;
  const backlen = encoded <= 127 ? 1 : encoded < 16383 ? 2 : encoded < 2097151 ? 3 : encoded < 268435455 ? 4 : 5;
  return encoded + backlen;
}

// ---------------------------------------------------------------------------------------
// The log
// ---------------------------------------------------------------------------------------

export const TrimStrategy = { None: 0, MaxLen: 1, MinId: 2 } as const;

export interface TrimArgs {
  strategy: number;
  /** MAXLEN's count (a number: anything beyond 2^53 keeps every entry anyway). */
  maxLen: number;
  minId: StreamIdLike;
  /** Only whole nodes go (`~`). */
  approx: boolean;
  /** At most this many entries (0: no limit). */
  limit: number;
}

/**
 * The nodes' master IDs as doubles in two contiguous arrays. A seek binary-searches these
 * instead of chasing node → entries → entry pointers, which on a large stream costs a cache
 * miss per probe (over 10k nodes, this search measured two to three times faster). Doubles
 * keep the order of U64s (never reverse it); where two compare equal and are beyond 2^53 the
 * seek asks the node for the exact ID.
 */
class NodeKeys {
  ms = new Float64Array(16);
  seq = new Float64Array(16);
  length = 0;

  push(id: StreamIdLike): void {
    if (this.length === this.ms.length) {
      const ms = new Float64Array(this.length * 2);
      const seq = new Float64Array(this.length * 2);
      ms.set(this.ms);
      seq.set(this.seq);
      this.ms = ms;
      this.seq = seq;
    }
    this.ms[this.length] = Number(id.ms);
    this.seq[this.length] = Number(id.seq);
    this.length++;
  }

  /** Removes `count` keys from `index` on. */
  remove(index: number, count: number): void {
    this.ms.copyWithin(index, index + count, this.length);
    this.seq.copyWithin(index, index + count, this.length);
    this.length -= count;
  }
}

export class StreamLog {
  private nodes: StreamNode[] = [];
  private readonly keys = new NodeKeys();
  /** Live entries. */
  length = 0;

  /** radix-tree-keys: one radix tree key per node. */
  get nodeCount(): number {
    return this.nodes.length;
  }

  /** Appends an entry whose ID is above every ID in the log (the caller checked); its fields are `fields[from..]`. */
  append(entry: StreamEntry, fields: readonly string[], from: number, limits: NodeLimits): void {
    const nodes = this.nodes;
    const tail = nodes[nodes.length - 1];
    if (tail !== undefined && !tailIsFull(tail, fields, from, limits)) {
      const liveBefore = tail.live;
      const tombstonesBefore = tail.tombstones;
      tail.bytes += entryBytes(entry, tail.master, tail.sameFieldsAsMaster(fields, from), fields, from);
      tail.entries.push(entry);
      tail.live++;
      tail.countsChanged(liveBefore, tombstonesBefore);
    } else {
      nodes.push(new StreamNode(entry, fields, from));
      this.keys.push(entry);
    }
    this.length++;
  }

  /** Index of the node that would hold `id`: the last one whose master ID is <= id, or -1. */
  nodeFor(ms: U64, seq: U64): number {
    const keys = this.keys;
    const keyMs = keys.ms;
    const keySeq = keys.seq;
    const msD = Number(ms);
    const seqD = Number(seq);
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const nodeMs = keyMs[mid]!;
      let order: number;
      if (nodeMs !== msD) order = nodeMs < msD ? -1 : 1;
      else if (nodeMs > Number.MAX_SAFE_INTEGER) order = compareIdTo(this.nodes[mid]!.master, ms, seq);
      else {
        const nodeSeq = keySeq[mid]!;
        if (nodeSeq !== seqD) order = nodeSeq < seqD ? -1 : 1;
        else order = nodeSeq > Number.MAX_SAFE_INTEGER ? compareIdTo(this.nodes[mid]!.master, ms, seq) : 0;
      }
      if (order <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The live entry with this ID, if any. */
  get(ms: U64, seq: U64): StreamEntry | undefined {
    const index = this.nodeFor(ms, seq);
    if (index < 0) return undefined;
    const node = this.nodes[index]!;
    const entry = node.entries[node.lowerBound(ms, seq)];
    if (entry === undefined || entry.deleted || compareIdTo(entry, ms, seq) !== 0) return undefined;
    return entry;
  }

  /**
   * Deletes a live entry (Redis's streamDeleteItem): it becomes a tombstone, and a node left
   * without live entries goes entirely. Returns whether the entry existed.
   */
  delete(ms: U64, seq: U64): boolean {
    const index = this.nodeFor(ms, seq);
    if (index < 0) return false;
    const node = this.nodes[index]!;
    const entry = node.entries[node.lowerBound(ms, seq)];
    if (entry === undefined || entry.deleted || compareIdTo(entry, ms, seq) !== 0) return false;
    entry.deleted = true;
    if (node.live === 1) {
      this.nodes.splice(index, 1);
      this.keys.remove(index, 1);
    } else {
      const tombstonesBefore = node.tombstones;
      node.live--;
      node.countsChanged(node.live + 1, tombstonesBefore);
    }
    this.length--;
    return true;
  }

  /** The first (or last) entry, tombstones included or not (Redis's streamGetEdgeID). */
  edge(first: boolean, skipTombstones: boolean): StreamEntry | undefined {
    const nodes = this.nodes;
    if (first) {
      for (const node of nodes) {
        for (const entry of node.entries) if (!skipTombstones || !entry.deleted) return entry;
      }
    } else {
      for (let n = nodes.length - 1; n >= 0; n--) {
        const entries = nodes[n]!.entries;
        for (let i = entries.length - 1; i >= 0; i--) {
          const entry = entries[i]!;
          if (!skipTombstones || !entry.deleted) return entry;
        }
      }
    }
    return undefined;
  }

  /** A cursor over live entries with start <= ID <= end, forward or in reverse. */
  range(start: StreamIdLike, end: StreamIdLike, reverse: boolean): StreamCursor {
    return new StreamCursor(this, this.nodes, start, end, reverse);
  }

  /**
   * Redis's streamTrim: drops entries from the head by MAXLEN or MINID. Whole nodes go when
   * they can; with `approx` that is all, otherwise the node at the boundary has entries
   * marked deleted one by one. `limit` caps the entries removed (approx only). Returns how
   * many entries went.
   */
  trim(args: TrimArgs): number {
    if (args.strategy === TrimStrategy.None) return 0;
    const nodes = this.nodes;
    const byLength = args.strategy === TrimStrategy.MaxLen;
    let removedNodes = 0;
    let deleted = 0;
    while (removedNodes < nodes.length) {
      if (byLength && this.length <= args.maxLen) break;
      const node = nodes[removedNodes]!;
      const entries = node.live;
      if (args.limit !== 0 && deleted + entries > args.limit) break;
      const removeNode = byLength
        ? this.length - entries >= args.maxLen
        : compareIds(node.entries[node.entries.length - 1]!, args.minId) < 0;
      if (removeNode) {
        removedNodes++;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (args.approx) break;
      const liveBefore = node.live;
      const tombstonesBefore = node.tombstones;
      for (const entry of node.entries) {
        const stop = byLength ? this.length <= args.maxLen : compareIds(entry, args.minId) >= 0;
        if (stop) break;
        if (!entry.deleted) {
          entry.deleted = true;
          node.live--;
          this.length--;
          deleted++;
        }
      }
      node.countsChanged(liveBefore, tombstonesBefore);
      break;
    }
    if (removedNodes > 0) {
      nodes.splice(0, removedNodes);
      this.keys.remove(0, removedNodes);
    }
    return deleted;
  }

  /** All node master IDs, in order (for the radix tree's node count). */
  nodeKeys(): StreamIdLike[] {
    return this.nodes.map((node) => node.master);
  }

  /** An independent copy with the same layout (COPY keeps the listpacks as they are). */
  duplicate(): StreamLog {
    const copy = new StreamLog();
    copy.length = this.length;
    for (const node of this.nodes) {
      const entries = node.entries.map((entry) => new StreamEntry(entry.ms, entry.seq, entry.encoded, entry.deleted));
      copy.nodes.push(StreamNode.restore(node, entries));
      copy.keys.push(node.master);
    }
    return copy;
  }
}

/**
 * Walks live entries of a range; cheap to create, reads the nodes as they are. The bounds are
 * kept as plain halves so that every comparison reads one object shape (StreamEntry): the
 * seek is the hot part of a short XRANGE.
 */
export class StreamCursor {
  private nodeIndex: number;
  private entryIndex: number;
  private readonly startMs: U64;
  private readonly startSeq: U64;
  private readonly endMs: U64;
  private readonly endSeq: U64;

  constructor(
    log: StreamLog,
    private readonly nodes: readonly StreamNode[],
    start: StreamIdLike,
    end: StreamIdLike,
    private readonly reverse: boolean,
  ) {
    this.startMs = start.ms;
    this.startSeq = start.seq;
    this.endMs = end.ms;
    this.endSeq = end.seq;
    const anchorMs = reverse ? this.endMs : this.startMs;
    const anchorSeq = reverse ? this.endSeq : this.startSeq;
    const index = log.nodeFor(anchorMs, anchorSeq);
    if (!reverse) {
      this.nodeIndex = index < 0 ? 0 : index;
      this.entryIndex = index < 0 ? 0 : nodes[index]!.lowerBound(anchorMs, anchorSeq);
    } else {
      this.nodeIndex = index;
      if (index < 0) {
        this.entryIndex = -1;
      } else {
        const entries = nodes[index]!.entries;
        let i = nodes[index]!.lowerBound(anchorMs, anchorSeq);
        // lowerBound finds the first entry >= end; step back unless it is end itself.
        if (i >= entries.length || compareIdTo(entries[i]!, anchorMs, anchorSeq) > 0) i--;
        this.entryIndex = i;
      }
    }
  }

  next(): StreamEntry | undefined {
    const nodes = this.nodes;
    if (!this.reverse) {
      while (this.nodeIndex < nodes.length) {
        const entries = nodes[this.nodeIndex]!.entries;
        while (this.entryIndex < entries.length) {
          const entry = entries[this.entryIndex++]!;
          if (entry.deleted) continue;
          if (compareIdTo(entry, this.endMs, this.endSeq) > 0) {
            this.nodeIndex = nodes.length;
            return undefined;
          }
          return entry;
        }
        this.nodeIndex++;
        this.entryIndex = 0;
      }
      return undefined;
    }
    while (this.nodeIndex >= 0) {
      const entries = nodes[this.nodeIndex]!.entries;
      while (this.entryIndex >= 0) {
        const entry = entries[this.entryIndex--]!;
        if (entry.deleted) continue;
        if (compareIdTo(entry, this.startMs, this.startSeq) < 0) {
          this.nodeIndex = -1;
          return undefined;
        }
        return entry;
      }
      this.nodeIndex--;
      if (this.nodeIndex >= 0) this.entryIndex = nodes[this.nodeIndex]!.entries.length - 1;
    }
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------
// radix-tree-nodes
// ---------------------------------------------------------------------------------------

/**
 * How many nodes Redis's rax holds for these keys (XINFO's radix-tree-nodes). Node keys are
 * IDs as 16 big-endian bytes, all the same length, and rax keeps them as a compressed trie:
 * one node per maximal run of bytes shared by all keys below it, one per branching byte
 * position, one empty leaf per key (an empty rax is its single head node). Its insertions
 * split and its removals re-compress, so the count depends only on the keys present.
 */
export function radixTreeNodeCount(keys: readonly StreamIdLike[]): number {
  if (keys.length === 0) return 1;
  const bytes = new Uint8Array(keys.length * 16);
  const view = new DataView(bytes.buffer);
  keys.forEach((key, i) => {
    view.setBigUint64(i * 16, BigInt(key.ms));
    view.setBigUint64(i * 16 + 8, BigInt(key.seq));
  });
  return countNodes(bytes, 0, keys.length, 0);
}

/** Nodes of the subtree holding keys [lo, hi) (sorted, distinct) from byte `depth` on. */
function countNodes(bytes: Uint8Array, lo: number, hi: number, depth: number): number {
  if (depth === 16) return 1;
  const first = lo * 16;
  const last = (hi - 1) * 16;
  let shared = 0;
  while (depth + shared < 16 && bytes[first + depth + shared] === bytes[last + depth + shared]) shared++;
  if (shared > 0) return 1 + countNodes(bytes, lo, hi, depth + shared);
  let nodes = 1;
  let groupStart = lo;
  for (let i = lo + 1; i <= hi; i++) {
    if (i === hi || bytes[i * 16 + depth] !== bytes[groupStart * 16 + depth]) {
      nodes += countNodes(bytes, groupStart, i, depth + 1);
      groupStart = i;
    }
  }
  return nodes;
}
