import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { lastHash, murmurHash64A } from "./murmurhash64a.js";

/** MurmurHash64A written directly with 64-bit BigInt arithmetic, as the C source reads. */
function reference(data: string, seed: bigint): bigint {
  const m = 0xc6a4a7935bd1e995n;
  const mask = (1n << 64n) - 1n;
  let h = (seed ^ (BigInt(data.length) * m)) & mask;
  const blocksEnd = data.length - (data.length & 7);
  let i = 0;
  for (; i < blocksEnd; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(data.charCodeAt(i + j));
    k = (k * m) & mask;
    k ^= k >> 47n;
    k = (k * m) & mask;
    h ^= k;
    h = (h * m) & mask;
  }
  const tail = data.length & 7;
  if (tail !== 0) {
    for (let j = tail - 1; j >= 0; j--) h ^= BigInt(data.charCodeAt(i + j)) << BigInt(8 * j);
    h = (h * m) & mask;
  }
  h ^= h >> 47n;
  h = (h * m) & mask;
  h ^= h >> 47n;
  return h;
}

describe("murmurHash64A", () => {
  it("matches 64-bit arithmetic on any bytes and seed", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat({ max: 0xffffffff }), (bytes, seed) => {
        const data = Buffer.from(bytes).toString("latin1");
        murmurHash64A(data, seed);
        expect(lastHash()).toBe(reference(data, BigInt(seed)));
      }),
      { numRuns: 2000 },
    );
  });

  it("hashes the empty string", () => {
    murmurHash64A("", 0xadc83b19);
    expect(lastHash()).toBe(reference("", 0xadc83b19n));
  });
});
