import { describe, expect, it } from "vitest";
import { digitCount, writeDigits } from "./ascii-digits.js";

describe("digitCount / writeDigits", () => {
  const samples = [0, 1, 9, 10, 99, 100, 12345, 99999, 100000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 + 7, 1e15, 1e15 - 1, Number.MAX_SAFE_INTEGER];
  for (let power = 1; power <= 15; power++) samples.push(10 ** power - 1, 10 ** power);

  it.each(samples)("%d", (n) => {
    const text = String(n);
    expect(digitCount(n)).toBe(text.length);
    const buf = Buffer.alloc(text.length + 2, "#");
    writeDigits(buf, 1, n, text.length);
    expect(buf.toString()).toBe(`#${text}#`);
  });
});
