import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDouble } from "./format-double.js";
import type { Reply } from "./reply.js";
import { ReplyParser } from "./reply-parser.js";
import { ReplyWriter } from "./reply-writer.js";
import { SlabPool } from "./slab-pool.js";
import { decodeChunks, splitAt } from "./test-support/feed.js";

/** A reply as a command handler would produce it, independent of the protocol. */
type Model =
  | { kind: "simple" | "error" | "bulk" | "verbatim" | "bigNumber"; text: string }
  | { kind: "integer"; value: bigint }
  | { kind: "double"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "nullBulk" | "nullArray" }
  | { kind: "array" | "set" | "push"; items: Model[] }
  | { kind: "map"; pairs: [Model, Model][] };

function write(writer: ReplyWriter, model: Model): void {
  switch (model.kind) {
    case "simple":
      return writer.simple(model.text);
    case "error":
      return writer.error(model.text);
    case "bulk":
      return writer.bulk(model.text);
    case "verbatim":
      return writer.verbatim(model.text);
    case "bigNumber":
      return writer.bigNumber(model.text);
    case "integer":
      return writer.integer(model.value);
    case "double":
      return writer.double(model.value);
    case "boolean":
      return writer.boolean(model.value);
    case "nullBulk":
      return writer.nullBulk();
    case "nullArray":
      return writer.nullArray();
    case "array":
    case "set":
    case "push":
      writer[model.kind](model.items.length);
      for (const item of model.items) write(writer, item);
      return;
    case "map":
      writer.map(model.pairs.length);
      for (const [key, value] of model.pairs) {
        write(writer, key);
        write(writer, value);
      }
  }
}

/** What a client must decode from `model` as sent with `protocol`: Redis's RESP2 downgrades. */
function expected(model: Model, protocol: 2 | 3): Reply {
  const bulk = (text: string): Reply => ({ type: "bulk", value: Buffer.from(text, "latin1") });
  switch (model.kind) {
    case "simple":
      return { type: "simple", value: model.text };
    case "error":
      return { type: "error", value: model.text };
    case "bulk":
      return bulk(model.text);
    case "verbatim":
      return protocol === 2 ? bulk(model.text) : { type: "verbatim", format: "txt", value: Buffer.from(model.text, "latin1") };
    case "bigNumber":
      return protocol === 2 ? bulk(model.text) : { type: "bignumber", value: model.text };
    case "integer":
      return { type: "integer", value: model.value };
    case "double":
      return protocol === 2 ? bulk(formatDouble(model.value)) : { type: "double", value: formatDouble(model.value) };
    case "boolean":
      return protocol === 2 ? { type: "integer", value: model.value ? 1n : 0n } : { type: "boolean", value: model.value };
    case "nullBulk":
      return { type: "null" };
    case "nullArray":
      return protocol === 2 ? { type: "nullarray" } : { type: "null" };
    case "array":
    case "set":
    case "push":
      return { type: protocol === 2 ? "array" : model.kind, value: model.items.map((item) => expected(item, protocol)) };
    case "map":
      if (protocol === 2) return { type: "array", value: model.pairs.flat().map((item) => expected(item, protocol)) };
      return { type: "map", value: model.pairs.map(([key, value]) => [expected(key, protocol), expected(value, protocol)]) };
  }
}

const latin1Text = fc.uint8Array({ maxLength: 40 }).map((bytes) => Buffer.from(bytes).toString("latin1"));
const lineText = latin1Text.map((text) => text.replace(/[\r\n]/g, "_"));

const { model } = fc.letrec<{ model: Model; leaf: Model }>((tie) => ({
  leaf: fc.oneof(
    fc.record({ kind: fc.constantFrom("simple" as const, "error" as const), text: lineText }),
    fc.record({ kind: fc.constantFrom("bulk" as const, "verbatim" as const), text: latin1Text }),
    fc.record({ kind: fc.constant("bigNumber" as const), text: fc.bigInt().map(String) }),
    fc.record({ kind: fc.constant("integer" as const), value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) }),
    fc.record({ kind: fc.constant("double" as const), value: fc.double() }),
    fc.record({ kind: fc.constant("boolean" as const), value: fc.boolean() }),
    fc.record({ kind: fc.constantFrom("nullBulk" as const, "nullArray" as const) }),
  ),
  model: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    tie("leaf"),
    fc.record({ kind: fc.constantFrom("array" as const, "set" as const, "push" as const), items: fc.array(tie("model"), { maxLength: 5 }) }),
    fc.record({ kind: fc.constant("map" as const), pairs: fc.array(fc.tuple(tie("model"), tie("model")), { maxLength: 4 }) }),
  ),
}));

describe("ReplyWriter → ReplyParser", () => {
  it.each([2, 3] as const)("round-trips random replies in RESP%i, split at random points", (protocol) => {
    fc.assert(
      fc.property(
        fc.array(model, { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        fc.integer({ min: 16, max: 4096 }),
        (models, cuts, slabSize) => {
          const writer = new ReplyWriter({ protocol, pool: new SlabPool(slabSize) });
          const chunks: Buffer[] = [];
          for (const reply of models) {
            write(writer, reply);
            // Take after some replies, like a server flushing once per event-loop turn.
            if (cuts.length % 2 === 0) chunks.push(writer.take() ?? Buffer.alloc(0));
          }
          chunks.push(writer.take() ?? Buffer.alloc(0));
          const bytes = Buffer.concat(chunks);
          const offsets = cuts.map((cut) => cut % (bytes.length + 1));
          const parsed = decodeChunks(new ReplyParser(), splitAt(bytes, offsets));
          expect(parsed).toEqual(models.map((reply) => expected(reply, protocol)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
