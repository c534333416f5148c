import { ReplyParser, type Reply } from "@kv/protocol";
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

  static async open(redis: RealRedis, resp3: boolean, config: [string, string][] = []): Promise<DifferentialSession> {
    const [h, real] = await DifferentialSession.connect(redis, resp3, config);
    return new DifferentialSession(h, real, resp3);
  }

  /** Connects both sides; `config` pairs are set on redis (kv starts from the same defaults). */
  protected static async connect(redis: RealRedis, resp3: boolean, config: [string, string][]): Promise<[TestHarness, RedisConnection]> {
    const real = await redis.connect();
    await real.send(["FLUSHALL"], ...config.map(([name, value]) => ["CONFIG", "SET", name, value]));
    const h = new TestHarness();
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
