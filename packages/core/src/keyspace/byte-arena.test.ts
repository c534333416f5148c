import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteArena, arenaSlackBytes } from "./byte-arena.js";

const latin1 = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 300 });

describe("ByteArena", () => {
  it("keeps every live block's bytes intact while others are freed and reused", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(latin1.map((s) => ({ add: s })), fc.nat(50).map((n) => ({ drop: n }))), { maxLength: 300 }), (ops) => {
        const arena = new ByteArena();
        const live: { chunk: number; offset: number; value: string }[] = [];
        for (const op of ops) {
          if ("add" in op) {
            const chunk = arena.alloc(op.add.length);
            arena.write(chunk, arena.offset, op.add);
            live.push({ chunk, offset: arena.offset, value: op.add });
          } else if (live.length !== 0) {
            const [gone] = live.splice(op.drop % live.length, 1);
            arena.release(gone!.chunk, gone!.offset, gone!.value.length);
          }
          for (const block of live) {
            expect(arena.read(block.chunk, block.offset, block.value.length)).toBe(block.value);
            expect(arena.equals(block.chunk, block.offset, block.value)).toBe(true);
            const copied = Buffer.alloc(block.value.length + 1);
            arena.copy(block.chunk, block.offset, block.value.length, copied, 1);
            expect(copied.subarray(1).toString("latin1")).toBe(block.value);
          }
        }
        const used = live.reduce((sum, block) => sum + block.value.length, 0);
        expect(arena.usage.used).toBeGreaterThanOrEqual(used);
        expect(arena.usage.reserved).toBeGreaterThanOrEqual(arena.usage.used);
      }),
    );
  });

  it("gives a block larger than the biggest size class a Buffer of its own, and drops it on release", () => {
    const arena = new ByteArena();
    const big = "x".repeat(200_000) + "\u00ff";
    const chunk = arena.alloc(big.length);
    arena.write(chunk, arena.offset, big);
    expect(arena.read(chunk, arena.offset, big.length)).toBe(big);
    expect(arena.usage.reserved).toBe(big.length);
    arena.release(chunk, arena.offset, big.length);
    expect(arena.usage).toEqual({ reserved: 0, used: 0 });
  });

  it("reuses a freed block of the same size class before carving new space", () => {
    const arena = new ByteArena();
    const chunk = arena.alloc(20);
    const first = arena.offset;
    arena.release(chunk, first, 20);
    arena.alloc(17);
    expect(arena.offset).toBe(first);
    arena.alloc(17);
    expect(arena.offset).not.toBe(first);
  });

  it("reports its free space to the memory gauge's slack total", () => {
    const before = arenaSlackBytes();
    const arena = new ByteArena();
    const chunk = arena.alloc(100);
    const slackWithBlock = arenaSlackBytes() - before;
    expect(slackWithBlock).toBe(arena.usage.reserved - arena.usage.used);
    arena.release(chunk, arena.offset, 100);
    expect(arenaSlackBytes() - before).toBe(arena.usage.reserved);
  });
});
