import { ReplyParser, type Reply } from "@kv/protocol";
import type { EngineOptions } from "../engine.js";
import { TestHarness } from "./harness.js";
import type { RealRedis, RedisConnection } from "./real-redis.js";

/** Decodes one complete reply from its raw latin1 bytes. */
export function decodeRawReply(raw: string): Reply {
  const parser = new ReplyParser();
  parser.feed(Buffer.from(raw, "latin1"));
  const reply = parser.next();
  if (reply === undefined) throw new Error(`incomplete reply ${JSON.stringify(raw)}`);
  return reply;
}

/**
 * One client on a fresh kv engine and one on a flushed real redis-server, in the same
 * protocol and configuration, for family differential tests: `both` runs a command on each
 * and returns the two raw replies for the family's own comparison.
 */
export class DifferentialSession {
  protected constructor(
    readonly h: TestHarness,
    readonly real: RedisConnection,
    readonly resp3: boolean,
  ) {}

  static async open(redis: RealRedis, resp3: boolean, config: [string, string][] = [], harness: Partial<EngineOptions> = {}): Promise<DifferentialSession> {
    const [h, real] = await DifferentialSession.connect(redis, resp3, config, harness);
    return new DifferentialSession(h, real, resp3);
  }

  /**
   * Connects both sides; `config` pairs are set on redis (kv starts from the same defaults),
   * `harness` options on kv (a family's commands before commands/index.ts lists them).
   */
  protected static async connect(
    redis: RealRedis,
    resp3: boolean,
    config: [string, string][],
    harness: Partial<EngineOptions> = {},
  ): Promise<[TestHarness, RedisConnection]> {
    const real = await redis.connect();
    await real.send(["FLUSHALL"], ...config.map(([name, value]) => ["CONFIG", "SET", name, value]));
    const h = new TestHarness(harness);
    if (resp3) {
      await real.send(["HELLO", "3"]);
      h.raw("HELLO", "3");
    }
    return [h, real];
  }

  /** Runs `argv` on redis, then on kv: [kv reply, redis reply]. */
  async both(argv: readonly string[]): Promise<[string, string]> {
    const [expected] = await this.real.send(argv);
    return [this.h.raw(...argv), expected!];
  }

  close(): void {
    this.real.close();
  }
}

/** One line naming the command and both raw replies, each cut to `maxChars` (binary-heavy families keep reports readable). */
export function describeMismatch(argv: readonly string[], actual: string, expected: string, maxChars = Infinity): string {
  const cut = (value: unknown): string => JSON.stringify(value).slice(0, maxChars);
  return `${cut(argv)}: kv ${cut(actual)} vs redis ${cut(expected)}`;
}

/**
 * mulberry32: a small seeded generator, so the same seed gives the same random commands on
 * every machine and a failing sequence can be replayed.
 */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
