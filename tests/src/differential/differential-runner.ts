import { waitForBackgroundJobs } from "../support/background-jobs.js";
import { diffDatasets, dumpDataset } from "../support/dataset.js";
import { RespConnection } from "../support/resp-connection.js";
import { decodeReply, formatArgv, type RespNode } from "../support/resp-reply.js";
import type { ServerHandle } from "../support/server.js";
import { generateCommand, type GeneratorContext } from "./command-generators.js";
import { compareReplies, comparisonFor, showReply, type ComparisonKind, type Verdict } from "./compare-replies.js";
import { Random } from "./random.js";

export interface Difference {
  episode: number;
  index: number;
  connection: string;
  db: number;
  protocol: 2 | 3;
  mode: string;
  argv: readonly string[];
  kv?: Buffer;
  redis?: Buffer;
  reason: string;
}

/** Commands that change no data, so a differing reply does not make the two keyspaces diverge. */
const readOnly = new Set([
  "GET", "MGET", "STRLEN", "GETRANGE", "SUBSTR", "EXISTS", "TYPE", "KEYS", "SCAN", "RANDOMKEY", "TTL", "PTTL",
  "EXPIRETIME", "PEXPIRETIME", "OBJECT", "LCS", "PING", "ECHO", "DBSIZE", "TIME", "LASTSAVE", "INFO", "CONFIG",
  "COMMAND", "CLIENT", "AUTH", "TOUCH",
  "LLEN", "LINDEX", "LRANGE", "LPOS",
  "HGET", "HMGET", "HLEN", "HSTRLEN", "HEXISTS", "HKEYS", "HVALS", "HGETALL", "HRANDFIELD", "HSCAN",
  "SCARD", "SISMEMBER", "SMISMEMBER", "SMEMBERS", "SRANDMEMBER", "SINTER", "SINTERCARD", "SUNION", "SDIFF", "SSCAN",
  "ZCARD", "ZSCORE", "ZMSCORE", "ZRANK", "ZREVRANK", "ZCOUNT", "ZLEXCOUNT", "ZRANGE", "ZRANGEBYSCORE",
  "ZREVRANGEBYSCORE", "ZRANGEBYLEX", "ZREVRANGEBYLEX", "ZREVRANGE", "ZUNION", "ZINTER", "ZDIFF", "ZINTERCARD",
  "ZRANDMEMBER", "ZSCAN",
]);

/**
 * One logical connection, opened on both servers. The same commands go to both sides, so
 * their connection state (db, protocol, name) stays equal as long as the replies do.
 */
class ConnectionPair {
  kv!: RespConnection;
  redis!: RespConnection;
  db = 0;
  protocol: 2 | 3 = 2;

  constructor(
    readonly label: string,
    readonly nominalProtocol: 2 | 3,
  ) {}

  /** Opens both sides; a RESP3 pair switches with HELLO 3, whose replies are compared too. */
  async open(kvServer: ServerHandle, redisServer: ServerHandle): Promise<Verdict> {
    this.kv = await RespConnection.open(kvServer.port, { replyTimeoutMs: 10_000 });
    this.redis = await RespConnection.open(redisServer.port, { replyTimeoutMs: 10_000 });
    this.db = 0;
    this.protocol = 2;
    if (this.nominalProtocol === 3) {
      const [kv, redis] = await Promise.all([this.kv.call(["HELLO", "3"]), this.redis.call(["HELLO", "3"])]);
      this.protocol = 3;
      const verdict = compareReplies("hello", kv, redis);
      if (verdict !== undefined) return `HELLO 3 on a new connection: ${verdict}: kv ${showReply(kv)} redis ${showReply(redis)}`;
    }
    return undefined;
  }

  close(): void {
    this.kv?.close();
    this.redis?.close();
  }
}

export interface DifferentialOptions {
  seed: number;
  commands: number;
  episodeLength: number;
  maxDifferences: number;
  /** Generator names (as in command-generators.ts) to leave out, e.g. to look past a known gap. */
  skip: ReadonlySet<string>;
  kvServer: ServerHandle;
  redisServer: ServerHandle;
  /** Receives one line per command and its replies (DIFF_TRACE), for replaying a failure by eye. */
  trace?: (line: string) => void;
}

export interface DifferentialResult {
  seed: number;
  executed: number;
  differences: Difference[];
  /** Commands sent, by name, so a report shows what was covered. */
  coverage: Map<string, number>;
  notes: string[];
  aborted?: string;
}

async function probeExtraTypes(kvServer: ServerHandle): Promise<{ types: Set<"list" | "set">; notes: string[] }> {
  const types = new Set<"list" | "set">();
  const notes: string[] = [];
  const connection = await kvServer.connect();
  try {
    for (const [type, command] of [["list", "LPUSH"], ["set", "SADD"]] as const) {
      const reply = (await connection.call([command, "__kv_diff_probe__", "x"])).toString("latin1");
      if (reply.startsWith("-ERR unknown command")) {
        notes.push(`kv has no ${command}: WRONGTYPE paths via ${type}s are not generated`);
      } else {
        types.add(type);
      }
      await connection.call(["DEL", "__kv_diff_probe__"]);
    }
  } finally {
    connection.close();
  }
  return { types, notes };
}

function isErrorReply(reply: Buffer): boolean {
  return reply[0] === 0x2d || reply[0] === 0x21;
}

function scanPage(reply: Buffer): { cursor: string; keys: string[] } | undefined {
  const node = decodeReply(reply);
  if (node.type !== "*" || node.items === null || node.items.length !== 2) return undefined;
  const [cursor, keys] = node.items as [RespNode, RespNode];
  if (cursor.type !== "$" || cursor.value === null || keys.type !== "*" || keys.items === null) return undefined;
  const names: string[] = [];
  for (const item of keys.items) {
    if (item.type !== "$" || item.value === null) return undefined;
    names.push(item.value.toString("latin1"));
  }
  return { cursor: cursor.value.toString("latin1"), keys: names };
}

/** A complete iteration from cursor 0 with the given options; bounded so a bad cursor cannot spin. */
async function scanToEnd(connection: RespConnection, options: readonly string[]): Promise<string[] | string> {
  const found = new Set<string>();
  let cursor = "0";
  for (let page = 0; page < 100_000; page++) {
    const reply = await connection.call(["SCAN", cursor, ...options]);
    const parsed = scanPage(reply);
    if (parsed === undefined) return `malformed SCAN page ${showReply(reply)}`;
    for (const key of parsed.keys) found.add(key);
    cursor = parsed.cursor;
    if (cursor === "0") return [...found].sort();
  }
  return "SCAN did not return to cursor 0 within 100000 pages";
}

function integerReply(reply: Buffer): number {
  const match = /^:(-?\d+)\r\n$/.exec(reply.toString("latin1"));
  return match ? Number(match[1]) : 0;
}

const inlineSafe = /^[\x21-\x7e]+$/;

function inlineable(argv: readonly string[]): boolean {
  return argv.every((arg) => inlineSafe.test(arg) && !/["'\\]/.test(arg)) && argv.join(" ").length < 1000;
}

export class DifferentialRunner {
  private readonly options: DifferentialOptions;
  private readonly pairs = [new ConnectionPair("resp2", 2), new ConnectionPair("resp3", 3)];
  private readonly differences: Difference[] = [];
  private readonly coverage = new Map<string, number>();
  private readonly notes: string[] = [];
  private context!: GeneratorContext;
  private episode = 0;
  private executed = 0;

  constructor(options: DifferentialOptions) {
    this.options = options;
  }

  async run(): Promise<DifferentialResult> {
    const probe = await probeExtraTypes(this.options.kvServer);
    this.notes.push(...probe.notes);
    this.context = { extraTypes: probe.types, nowMs: () => Date.now() };
    const random = new Random(this.options.seed);
    let aborted: string | undefined;
    try {
      let index = 0;
      while (index < this.options.commands && this.differences.length < this.options.maxDifferences) {
        const length = Math.min(this.options.episodeLength, this.options.commands - index);
        await this.runEpisode(random.fork(this.episode), index, length);
        index += length;
        this.episode++;
      }
    } catch (error) {
      aborted = (error as Error).message;
    } finally {
      for (const pair of this.pairs) pair.close();
    }
    return { seed: this.options.seed, executed: this.executed, differences: this.differences, coverage: this.coverage, notes: this.notes, aborted };
  }

  /**
   * An episode starts from empty servers and fresh connections, so after a difference that
   * may have made the keyspaces diverge, the next episode still finds independent ones.
   */
  private async runEpisode(random: Random, firstIndex: number, length: number): Promise<void> {
    await this.resetServers();
    for (const pair of this.pairs) {
      pair.close();
      const verdict = await pair.open(this.options.kvServer, this.options.redisServer);
      if (verdict !== undefined) this.record({ index: firstIndex, pair, mode: "setup", argv: ["HELLO", "3"], reason: verdict });
    }
    for (let offset = 0; offset < length; offset++) {
      const index = firstIndex + offset;
      const pair = random.pick(this.pairs);
      const roll = random.next();
      let keepGoing: boolean;
      if (roll < 0.06) keepGoing = await this.stepPipeline(random, pair, index);
      else keepGoing = await this.stepSingle(random, pair, index, roll < 0.14 ? "fragmented" : roll < 0.2 ? "inline" : "single");
      if (!keepGoing || this.differences.length >= this.options.maxDifferences) return;
    }
    await this.compareFinalState(firstIndex + length);
  }

  /**
   * Active expiry stays off: SET ... PXAT <past> leaves a key that DBSIZE counts until
   * something deletes it, and the background cycle would do so at a different moment on each
   * server. With it off, only lazy expiry remains, and that is deterministic. The AOF is
   * switched off again too, in case a difference in BGREWRITEAOF turned it on in one server;
   * that would otherwise show up in every later episode.
   */
  private async resetServers(): Promise<void> {
    for (const server of [this.options.kvServer, this.options.redisServer]) {
      const connection = await RespConnection.open(server.port);
      try {
        await connection.pipeline([["FLUSHALL"], ["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["CONFIG", "SET", "appendonly", "no"]]);
      } finally {
        connection.close();
      }
    }
  }

  private nameOf(argv: readonly string[]): string {
    const name = (argv[0] ?? "").toUpperCase();
    const subcommands = new Set(["CLIENT", "CONFIG", "OBJECT", "DEBUG", "COMMAND"]);
    return subcommands.has(name) && argv[1] !== undefined ? `${name} ${argv[1].toUpperCase()}` : name;
  }

  private count(argv: readonly string[]): void {
    const name = this.nameOf(argv);
    this.coverage.set(name, (this.coverage.get(name) ?? 0) + 1);
    this.executed++;
  }

  private generate(random: Random, batchableOnly = false): string[] {
    for (let attempt = 0; attempt < 100; attempt++) {
      const generated = generateCommand(random, this.context, { batchableOnly });
      if (this.options.skip.has(this.nameOf(generated.argv)) || this.options.skip.has((generated.argv[0] ?? "").toUpperCase())) continue;
      if (batchableOnly && (generated.lcsKeys !== undefined || ["scan", "randomkey"].includes(comparisonFor(generated.argv)))) continue;
      return generated.argv;
    }
    return ["PING"];
  }

  private record(entry: { index: number; pair: ConnectionPair; mode: string; argv: readonly string[]; kv?: Buffer; redis?: Buffer; reason: string }): void {
    this.differences.push({
      episode: this.episode,
      index: entry.index,
      connection: entry.pair.label,
      db: entry.pair.db,
      protocol: entry.pair.protocol,
      mode: entry.mode,
      argv: entry.argv,
      kv: entry.kv,
      redis: entry.redis,
      reason: entry.reason,
    });
  }

  private traceReplies(index: number, pair: ConnectionPair, mode: string, argv: readonly string[], kv: Buffer, redis: Buffer): void {
    if (this.options.trace === undefined) return;
    const replies = kv.equals(redis) ? showReply(kv) : `kv ${showReply(kv)} | redis ${showReply(redis)}`;
    this.options.trace(`#${index} ${pair.label} db${pair.db} ${mode}: ${formatArgv(argv, Number.POSITIVE_INFINITY)} -> ${replies}`);
  }

  /** Sends to both servers at once, so relative TTLs start within a millisecond of each other. */
  private async both<T>(pair: ConnectionPair, send: (connection: RespConnection) => Promise<T>): Promise<[T, T]> {
    const [kv, redis] = await Promise.allSettled([send(pair.kv), send(pair.redis)]);
    if (redis.status === "rejected") throw new Error(`redis-server failed to answer: ${(redis.reason as Error).message}`);
    if (kv.status === "rejected") {
      const alive = this.options.kvServer.process.isRunning ? "still running" : "EXITED";
      throw new Error(`kv failed to answer (${(kv.reason as Error).message}); kv process ${alive}\n${this.options.kvServer.describe(40)}`);
    }
    return [kv.value, redis.value];
  }

  private async stepSingle(random: Random, pair: ConnectionPair, index: number, requestedMode: string): Promise<boolean> {
    let argv = this.generate(random);
    const lcs = (argv[0] ?? "").toUpperCase() === "LCS" && argv.length >= 3;
    if (lcs && !(await this.lcsIsCheap(pair, argv[1]!, argv[2]!))) argv = ["STRLEN", argv[1]!];
    if ((argv[0] ?? "").toUpperCase() === "DEBUG" && (argv[1] ?? "").toUpperCase() === "RELOAD") {
      await Promise.all([waitForBackgroundJobs(pair.kv), waitForBackgroundJobs(pair.redis)]);
    }
    const mode = requestedMode === "inline" && !inlineable(argv) ? "single" : requestedMode;
    this.count(argv);
    const cuts = mode === "fragmented" ? [random.int(1, 8), random.int(1, 40), random.int(1, 200)] : [];
    const [kv, redis] = await this.both(pair, (connection) => {
      if (mode === "inline") {
        const reply = connection.readReply();
        connection.writeRaw(`${argv.join(" ")}\r\n`);
        return reply;
      }
      return mode === "fragmented" ? connection.callFragmented(argv, cuts) : connection.call(argv);
    });
    this.traceReplies(index, pair, mode, argv, kv, redis);
    const kind = comparisonFor(argv);
    let verdict = compareReplies(kind, kv, redis);
    if (verdict === undefined && kind === "scan") verdict = await this.checkScan(pair, argv, kv, redis);
    if (verdict === undefined && kind === "randomkey") verdict = await this.checkRandomKey(pair, kv, redis);
    if (verdict !== undefined) {
      this.record({ index, pair, mode, argv, kv, redis, reason: verdict });
      return readOnly.has((argv[0] ?? "").toUpperCase()) || (isErrorReply(kv) && isErrorReply(redis));
    }
    return this.trackState(pair, argv, redis, index);
  }

  private async stepPipeline(random: Random, pair: ConnectionPair, index: number): Promise<boolean> {
    const batch = Array.from({ length: random.int(2, 8) }, () => this.generate(random, true));
    for (const argv of batch) this.count(argv);
    const [kvAll, redisAll] = await this.both(pair, (connection) => connection.pipeline(batch));
    let diverged = false;
    batch.forEach((argv, i) => {
      const kv = kvAll[i]!;
      const redis = redisAll[i]!;
      this.traceReplies(index, pair, `pipeline[${i}]`, argv, kv, redis);
      const kind = comparisonFor(argv);
      const verdict = compareReplies(kind === "scan" || kind === "randomkey" ? "shape" : kind, kv, redis);
      if (verdict !== undefined) {
        this.record({ index, pair, mode: `pipeline[${i}/${batch.length}]`, argv, kv, redis, reason: verdict });
        if (!readOnly.has((argv[0] ?? "").toUpperCase()) && !(isErrorReply(kv) && isErrorReply(redis))) diverged = true;
      }
    });
    return !diverged;
  }

  /** LCS builds an n*m table in Redis; long strings would cost gigabytes on both servers. */
  private async lcsIsCheap(pair: ConnectionPair, a: string, b: string): Promise<boolean> {
    const [kv, redis] = await Promise.all([
      pair.kv.pipeline([["STRLEN", a], ["STRLEN", b]]),
      pair.redis.pipeline([["STRLEN", a], ["STRLEN", b]]),
    ]);
    for (const [first, second] of [kv, redis]) {
      const product = integerReply(first!) * integerReply(second!);
      if (product > 250_000) return false;
    }
    return true;
  }

  /**
   * SCAN pages depend on hash-table layout, but a full iteration's key set must not. The full
   * iteration runs after every SCAN, whatever its cursor, for a second reason: SCAN deletes the
   * expired keys it visits, and a single page visits different keys on each server, so
   * without it DBSIZE would drift apart.
   */
  private async checkScan(pair: ConnectionPair, argv: readonly string[], kv: Buffer, redis: Buffer): Promise<Verdict> {
    if (isErrorReply(kv) || isErrorReply(redis)) return undefined; // already compared exactly
    if (scanPage(redis) === undefined) return "redis SCAN page has an unexpected shape";
    if (scanPage(kv) === undefined) return "kv SCAN page is not [cursor, [keys...]]";
    return this.compareFullScans(pair, argv.slice(2));
  }

  private async compareFullScans(pair: ConnectionPair, options: readonly string[]): Promise<Verdict> {
    const [kvKeys, redisKeys] = await Promise.all([scanToEnd(pair.kv, options), scanToEnd(pair.redis, options)]);
    if (typeof redisKeys === "string") return `redis: ${redisKeys}`;
    if (typeof kvKeys === "string") return `kv: ${kvKeys}`;
    if (JSON.stringify(kvKeys) === JSON.stringify(redisKeys)) return undefined;
    const show = (keys: string[]): string => keys.map((key) => JSON.stringify(key)).join(", ");
    return `full SCAN iteration found different keys: kv [${show(kvKeys)}] redis [${show(redisKeys)}]`;
  }

  /**
   * RANDOMKEY may return any key, so membership is what is checked. Redis deletes the expired
   * keys it happens to pick, so a full SCAN afterwards expires the rest on both servers alike.
   */
  private async checkRandomKey(pair: ConnectionPair, kv: Buffer, redis: Buffer): Promise<Verdict> {
    if (isErrorReply(kv) || isErrorReply(redis)) return undefined; // already compared exactly
    const kvNode = decodeReply(kv);
    const redisNode = decodeReply(redis);
    const isNull = (node: RespNode): boolean => node.type === "_" || (node.type === "$" && node.value === null);
    if (isNull(kvNode) !== isNull(redisNode)) return "one server has no keys";
    if (!isNull(kvNode)) {
      if (kvNode.type !== "$" || kvNode.value === null) return "kv RANDOMKEY reply is not a bulk string";
      const exists = await pair.kv.call(["EXISTS", kvNode.value]);
      if (integerReply(exists) !== 1) return "kv RANDOMKEY returned a key that EXISTS says is absent";
    }
    return this.compareFullScans(pair, []);
  }

  /** Follows SELECT/HELLO/RESET/QUIT so the runner knows each pair's db and protocol. */
  private async trackState(pair: ConnectionPair, argv: readonly string[], reply: Buffer, index: number): Promise<boolean> {
    const name = (argv[0] ?? "").toUpperCase();
    const ok = !isErrorReply(reply);
    if (name === "SELECT" && ok) pair.db = Number(argv[1]);
    if (name === "HELLO" && ok && argv[1] !== undefined) pair.protocol = Number(argv[1]) === 3 ? 3 : 2;
    if (name === "RESET" && ok) {
      pair.db = 0;
      pair.protocol = 2;
    }
    if (name === "QUIT" && ok) {
      const [kvClosed, redisClosed] = await Promise.allSettled([pair.kv.waitForClose(3_000), pair.redis.waitForClose(3_000)]);
      if (redisClosed.status === "fulfilled" && kvClosed.status === "rejected") {
        this.record({ index, pair, mode: "single", argv, reason: "kv did not close the connection after QUIT" });
        return false;
      }
      pair.close();
      const verdict = await pair.open(this.options.kvServer, this.options.redisServer);
      if (verdict !== undefined) {
        this.record({ index, pair, mode: "reconnect", argv: ["HELLO", "3"], reason: verdict });
        return false;
      }
    }
    return true;
  }

  private async compareFinalState(index: number): Promise<void> {
    const kvConnection = await RespConnection.open(this.options.kvServer.port);
    const redisConnection = await RespConnection.open(this.options.redisServer.port);
    try {
      const redisData = await dumpDataset(redisConnection);
      let problems: string[];
      try {
        problems = diffDatasets(redisData, await dumpDataset(kvConnection), { expireToleranceMs: 2_000, limit: 10 });
      } catch (error) {
        problems = [`could not dump kv's dataset: ${(error as Error).message}`];
      }
      if (problems.length > 0) {
        this.record({ index, pair: this.pairs[0]!, mode: "final state", argv: ["(dump of all databases)"], reason: `final keyspaces differ:\n      ${problems.join("\n      ")}` });
      }
    } finally {
      kvConnection.close();
      redisConnection.close();
    }
  }
}

export function formatReport(result: DifferentialResult, replay: string): string {
  const lines: string[] = [];
  lines.push(`differential kv vs redis-server: ${result.differences.length} difference(s) in ${result.executed} commands (seed ${result.seed})`);
  lines.push(`replay: ${replay}`);
  if (result.aborted !== undefined) lines.push(`ABORTED: ${result.aborted}`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  const byCommand = new Map<string, { count: number; first: number }>();
  for (const difference of result.differences) {
    const name = difference.argv[0] === "(dump of all databases)" ? "(final state)" : `${(difference.argv[0] ?? "").toUpperCase()}${["CLIENT", "CONFIG", "OBJECT", "DEBUG"].includes((difference.argv[0] ?? "").toUpperCase()) && difference.argv[1] ? ` ${difference.argv[1].toUpperCase()}` : ""}`;
    const entry = byCommand.get(name) ?? { count: 0, first: difference.index };
    entry.count++;
    byCommand.set(name, entry);
  }
  if (byCommand.size > 0) {
    lines.push("by command:");
    for (const [name, entry] of [...byCommand].sort((a, b) => b[1].count - a[1].count)) lines.push(`  ${name.padEnd(22)} ${entry.count}x (first at step #${entry.first})`);
  }
  for (const difference of result.differences.slice(0, 25)) {
    lines.push("");
    lines.push(`step #${difference.index} (episode ${difference.episode}, ${difference.connection} connection, RESP${difference.protocol}, db ${difference.db}, ${difference.mode}): ${difference.reason}`);
    lines.push(`  command: ${formatArgv(difference.argv)}`);
    if (difference.kv !== undefined || difference.redis !== undefined) {
      lines.push(`  kv:      ${showReply(difference.kv)}`);
      lines.push(`  redis:   ${showReply(difference.redis)}`);
    }
  }
  if (result.differences.length > 25) lines.push(`... ${result.differences.length - 25} more`);
  return lines.join("\n");
}

export type { ComparisonKind };
