import { describe, expect, it } from "vitest";
import { detachedHost } from "./engine.js";
import { TestHarness } from "./test-support/harness.js";

/*
 * The dispatcher's refusal while the host cannot persist (Redis's writeCommandsDeniedByDiskError).
 * Replies checked against redis-server 7.0.15 with its AOF on a full tmpfs.
 */

const MISCONF = "MISCONF Errors writing to the AOF file: No space left on device";

function harness() {
  const state = { diskError: undefined as string | undefined };
  const h = new TestHarness({ host: { ...detachedHost, diskWriteError: () => state.diskError } });
  return { h, state };
}

describe("writes refused while the AOF cannot be written", () => {
  it("refuses write commands and PING, serves reads and the rest, and changes nothing", () => {
    const { h, state } = harness();
    expect(h.raw("SET", "k", "v")).toBe("+OK\r\n");
    const logged = h.propagated.length;
    state.diskError = MISCONF;
    expect(h.raw("SET", "k", "changed")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("DEL", "k")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("FLUSHALL")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("PING")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("GET", "k")).toBe("$1\r\nv\r\n");
    expect(h.raw("ECHO", "hi")).toBe("$2\r\nhi\r\n");
    expect(h.raw("PUBLISH", "ch", "m")).toBe(":0\r\n");
    expect(h.propagated).toHaveLength(logged);
    state.diskError = undefined;
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("SET", "k", "w")).toBe("+OK\r\n");
  });

  it("checks before subscriber mode, as Redis does", () => {
    const { h, state } = harness();
    h.raw("SUBSCRIBE", "c");
    state.diskError = MISCONF;
    expect(h.raw("PING")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("SET", "k", "v")).toBe(`-${MISCONF}\r\n`);
  });

  it("dooms a transaction that queues a write, and aborts EXEC of queued writes when the error came later", () => {
    const { h, state } = harness();
    state.diskError = MISCONF;
    expect(h.raw("MULTI")).toBe("+OK\r\n");
    expect(h.raw("SET", "x", "1")).toBe(`-${MISCONF}\r\n`);
    expect(h.raw("EXEC")).toBe("-EXECABORT Transaction discarded because of previous errors.\r\n");

    state.diskError = undefined;
    expect(h.raw("MULTI")).toBe("+OK\r\n");
    expect(h.raw("SET", "x", "1")).toBe("+QUEUED\r\n");
    state.diskError = MISCONF;
    expect(h.raw("EXEC")).toBe(`-EXECABORT Transaction discarded because of: ${MISCONF}\r\n`);
    expect(h.raw("GET", "x")).toBe("$-1\r\n"); // discarded: no longer in MULTI

    // A read-only transaction still runs.
    expect(h.raw("MULTI")).toBe("+OK\r\n");
    expect(h.raw("GET", "x")).toBe("+QUEUED\r\n");
    expect(h.raw("EXEC")).toBe("*1\r\n$-1\r\n");
  });
});
