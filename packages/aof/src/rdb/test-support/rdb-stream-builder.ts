import type { RdbBuilder } from "../../test-support/rdb-builder.js";
import { encodeListpack, type CompactEntry } from "./compact-encoders.js";

/**
 * Writes stream values (RDB_TYPE_STREAM_LISTPACKS, _2, _3) by hand, in the layout of Redis's
 * rdbSaveObject: listpack nodes keyed by their master ID, the stream's metadata, then the
 * consumer groups with their PEL and consumers.
 */

export type Id = readonly [bigint, bigint];

export interface StreamEntrySpec {
  id: Id;
  fields: readonly [string, string][];
  deleted?: boolean;
}

export interface StreamNodeSpec {
  master: Id;
  masterFields: readonly string[];
  entries: readonly StreamEntrySpec[];
}

export interface StreamGroupSpec {
  name: string;
  lastId: Id;
  /** Stored from version 2 on; -1n is written as 2^64 - 1, as Redis does. */
  entriesRead?: bigint;
  pending: readonly { id: Id; deliveryTime: bigint; deliveryCount: bigint }[];
  consumers: readonly { name: string; seenTime: bigint; activeTime?: bigint; pending: readonly Id[] }[];
}

export interface StreamSpec {
  nodes: readonly StreamNodeSpec[];
  length: bigint;
  lastId: Id;
  /** Version 2 and 3 metadata. */
  firstId?: Id;
  maxDeletedId?: Id;
  entriesAdded?: bigint;
  groups: readonly StreamGroupSpec[];
}

const STREAM_ITEM_FLAG_DELETED = 1n;
const STREAM_ITEM_FLAG_SAMEFIELDS = 2n;

/** A length in Redis's encoding, using the 64-bit form when it must. */
export function length64(value: bigint): Buffer {
  if (value < 0n) value += 1n << 64n;
  if (value < 0x40n) return Buffer.from([Number(value)]);
  if (value < 0x4000n) return Buffer.from([0x40 | Number(value >> 8n), Number(value & 0xffn)]);
  if (value <= 0xffffffffn) {
    const out = Buffer.alloc(5);
    out[0] = 0x80;
    out.writeUInt32BE(Number(value), 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0x81;
  out.writeBigUInt64BE(value, 1);
  return out;
}

function rawId(id: Id): Buffer {
  const out = Buffer.alloc(16);
  out.writeBigUInt64BE(id[0], 0);
  out.writeBigUInt64BE(id[1], 8);
  return out;
}

function int64LE(value: bigint): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(value, 0);
  return out;
}

export function streamNodeListpack(node: StreamNodeSpec): Buffer {
  const live = node.entries.filter((entry) => !entry.deleted).length;
  const elements: CompactEntry[] = [BigInt(live), BigInt(node.entries.length - live), BigInt(node.masterFields.length), ...node.masterFields, 0n];
  for (const entry of node.entries) {
    const sameFields =
      entry.fields.length === node.masterFields.length && entry.fields.every(([field], i) => field === node.masterFields[i]);
    let flags = sameFields ? STREAM_ITEM_FLAG_SAMEFIELDS : 0n;
    if (entry.deleted) flags |= STREAM_ITEM_FLAG_DELETED;
    elements.push(flags, entry.id[0] - node.master[0], entry.id[1] - node.master[1]);
    if (sameFields) {
      for (const [, value] of entry.fields) elements.push(value);
      elements.push(BigInt(entry.fields.length + 3));
    } else {
      elements.push(BigInt(entry.fields.length));
      for (const [field, value] of entry.fields) elements.push(field, value);
      elements.push(BigInt(entry.fields.length * 2 + 4));
    }
  }
  return encodeListpack(elements);
}

/** Appends type byte, key and stream value to `builder`. */
export function writeStream(builder: RdbBuilder, key: string, version: 1 | 2 | 3, spec: StreamSpec): RdbBuilder {
  builder.byte(version === 1 ? 15 : version === 2 ? 19 : 21).string(key);
  builder.raw(length64(BigInt(spec.nodes.length)));
  for (const node of spec.nodes) {
    builder.string(rawId(node.master).toString("latin1"));
    builder.string(streamNodeListpack(node).toString("latin1"));
  }
  builder.raw(length64(spec.length)).raw(length64(spec.lastId[0])).raw(length64(spec.lastId[1]));
  if (version >= 2) {
    const firstId = spec.firstId ?? [0n, 0n];
    const maxDeletedId = spec.maxDeletedId ?? [0n, 0n];
    builder.raw(length64(firstId[0])).raw(length64(firstId[1]));
    builder.raw(length64(maxDeletedId[0])).raw(length64(maxDeletedId[1]));
    builder.raw(length64(spec.entriesAdded ?? spec.length));
  }
  builder.raw(length64(BigInt(spec.groups.length)));
  for (const group of spec.groups) {
    builder.string(group.name).raw(length64(group.lastId[0])).raw(length64(group.lastId[1]));
    if (version >= 2) builder.raw(length64(group.entriesRead ?? -1n));
    builder.raw(length64(BigInt(group.pending.length)));
    for (const nack of group.pending) builder.raw(rawId(nack.id)).raw(int64LE(nack.deliveryTime)).raw(length64(nack.deliveryCount));
    builder.raw(length64(BigInt(group.consumers.length)));
    for (const consumer of group.consumers) {
      builder.string(consumer.name).raw(int64LE(consumer.seenTime));
      if (version >= 3) builder.raw(int64LE(consumer.activeTime ?? consumer.seenTime));
      builder.raw(length64(BigInt(consumer.pending.length)));
      for (const id of consumer.pending) builder.raw(rawId(id));
    }
  }
  return builder;
}
