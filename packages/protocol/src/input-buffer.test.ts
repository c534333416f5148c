import { describe, expect, it } from "vitest";
import { InputBuffer } from "./input-buffer.js";

const pending = (input: InputBuffer) => input.buf.toString("latin1", input.pos, input.end);

describe("InputBuffer", () => {
  it("adopts a chunk without copying when nothing is pending", () => {
    const input = new InputBuffer(true);
    const chunk = Buffer.from("hello");
    input.append(chunk);
    expect(input.buf).toBe(chunk);
    input.pos = input.end;
    const next = Buffer.from("world");
    input.append(next);
    expect(input.buf).toBe(next);
  });

  it("copies when a message is cut, then appends in place while there is room", () => {
    const input = new InputBuffer(true);
    input.append(Buffer.from("abc"));
    input.pos = 1;
    input.append(Buffer.from("def"));
    const own = input.buf;
    expect(pending(input)).toBe("bcdef");
    input.append(Buffer.from("gh"));
    expect(input.buf).toBe(own);
    expect(pending(input)).toBe("bcdefgh");
  });

  it("compacts in place only when allowed", () => {
    for (const compactInPlace of [true, false]) {
      const input = new InputBuffer(compactInPlace);
      input.append(Buffer.from("a"));
      input.append(Buffer.alloc(16 * 1024 * 2 - 1, "b"));
      const own = input.buf;
      const before = Buffer.from(own.subarray(0, 10));
      input.pos = input.end - 1;
      input.append(Buffer.alloc(own.length - input.end + 1, "c"));
      expect(input.buf === own).toBe(compactInPlace);
      if (!compactInPlace) expect(own.subarray(0, 10)).toEqual(before);
      expect(input.length).toBe(own.length - 16 * 1024 * 2 + 2);
    }
  });

  it("bounds indexOf by the end of the pending bytes", () => {
    const input = new InputBuffer(true);
    input.append(Buffer.from("ab"));
    input.pos = 1;
    input.append(Buffer.from("c\n"));
    input.end -= 1; // pretend the newline is stale
    expect(input.indexOf(0x0a, 0)).toBe(-1);
    expect(input.indexOf(0x63, 0)).toBe(1);
    expect(input.indexOf(0x63, 0, 1)).toBe(-1);
  });
});
