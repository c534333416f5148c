import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PROTECTED_MODE_DENIED, isLoopbackAddress, protectedModeRefusal } from "./protected-mode.js";

describe("protected mode", () => {
  it("serves loopback clients only, while it is on and no password is set", () => {
    for (const address of ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"]) {
      expect(isLoopbackAddress(address)).toBe(true);
      expect(protectedModeRefusal(address, true, false)).toBeUndefined();
    }
    for (const address of ["10.0.0.5", "192.168.1.2", "::ffff:10.1.2.3", "fe80::1", "2001:db8::1", "128.0.0.1", undefined]) {
      expect(isLoopbackAddress(address)).toBe(false);
      expect(protectedModeRefusal(address, true, false)).toBe(PROTECTED_MODE_DENIED);
      expect(protectedModeRefusal(address, false, false)).toBeUndefined();
      expect(protectedModeRefusal(address, true, true)).toBeUndefined();
    }
  });

  it.skipIf(redisServerBinary() === undefined)("refuses with redis-server 7.0's exact text (found in its binary)", () => {
    const binary = readFileSync(redisServerBinary()!);
    expect(binary.includes(Buffer.from(PROTECTED_MODE_DENIED.slice(0, -2), "latin1"))).toBe(true);
  });
});

function redisServerBinary(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, "redis-server");
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}
