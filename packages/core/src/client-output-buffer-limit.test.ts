import { describe, expect, it } from "vitest";
import { mergeOutputBufferLimits, parseOutputBufferLimits } from "./client-output-buffer-limit.js";

const DEFAULT = "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60";
const BAD_LIMIT = { error: "Error in hard, soft or soft_seconds setting in buffer limit configuration." };

// Expected texts measured against redis-server 7.0.15's CONFIG SET / CONFIG GET.
describe("client-output-buffer-limit", () => {
  it("merges named classes into the current value, in bytes, in Redis's class order", () => {
    expect(mergeOutputBufferLimits(DEFAULT, "NORMAL 1K 2 3")).toEqual({ value: "normal 1000 2 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60" });
    expect(mergeOutputBufferLimits(DEFAULT, "pubsub 32mb 8mb 60")).toEqual({ value: DEFAULT });
    expect(mergeOutputBufferLimits(DEFAULT, "replica 1 2 +3 Pubsub 1 2 3 pubsub 4 5 6")).toEqual({ value: "normal 0 0 0 slave 1 2 3 pubsub 4 5 6" });
    expect(mergeOutputBufferLimits(DEFAULT, "")).toEqual({ value: DEFAULT });
  });

  it("rejects the whole value with Redis's messages", () => {
    expect(mergeOutputBufferLimits(DEFAULT, "normal 1k 2k")).toEqual({ error: "Wrong number of arguments in buffer limit configuration." });
    expect(mergeOutputBufferLimits(DEFAULT, "foo 1 2 3")).toEqual({ error: "Invalid client class specified in buffer limit configuration." });
    expect(mergeOutputBufferLimits(DEFAULT, "replica 1 2 3 master 4 5 6")).toEqual({ error: "Invalid client class specified in buffer limit configuration." });
    expect(mergeOutputBufferLimits(DEFAULT, "normal 1 2 x")).toEqual(BAD_LIMIT);
    expect(mergeOutputBufferLimits(DEFAULT, "normal 1 -2 3")).toEqual(BAD_LIMIT);
    expect(mergeOutputBufferLimits(DEFAULT, "normal 1 2 -3")).toEqual(BAD_LIMIT);
    expect(mergeOutputBufferLimits(DEFAULT, "normal 1.5k 2 3")).toEqual(BAD_LIMIT);
    expect(mergeOutputBufferLimits(DEFAULT, "replica 1 2 3 pubsub 1 2 3x")).toEqual(BAD_LIMIT);
  });

  it("parses the stored value into byte limits per class", () => {
    expect(parseOutputBufferLimits(DEFAULT).pubsub).toEqual({ hardBytes: 33554432, softBytes: 8388608, softSeconds: 60 });
    expect(parseOutputBufferLimits(DEFAULT).normal).toEqual({ hardBytes: 0, softBytes: 0, softSeconds: 0 });
  });
});
