import type { Random } from "../differential/random.js";
import { RespConnection } from "./resp-connection.js";
import { encodeCommand, formatArgv } from "./resp-reply.js";
import { asArray, callOk, describeValue, replyToValue, type ReplyValue } from "./reply-value.js";
import { delay } from "./wait.js";

/*
 * The mixed write load of the crash tests, and the exact check of what survives a SIGKILL.
 *
 * Every write a writer sends is an effect with its own number n (1, 2, 3, ... per writer,
 * never reused), and n is written into the data: list element n, hash field f<n>, set and
 * sorted-set member m<n>, stream ID 1-<n>, string slot value n. A MULTI/EXEC block is one
 * operation made of several consecutive effects. One connection's commands are applied and
 * logged in order, so after a crash the surviving effects must be exactly 1..N for one N:
 * everything acknowledged, then possibly some that were in flight, then nothing; and N must
 * fall on an operation boundary, or an EXEC was half applied. The writer keeps a model of
 * its keys, finds the N the server's state corresponds to and compares the whole state.
 */

const STRING_SLOTS = 8;

export type EffectKind = "incr" | "set" | "rpush" | "hset" | "hincrby" | "zadd" | "sadd" | "xadd";

interface Effect {
  n: number;
  kind: EffectKind;
  /** ZADD score or HINCRBY increment. */
  amount: number;
}

/** What one writer's command(s) did: a single write or a whole MULTI/EXEC block. */
export interface WorkloadOp {
  /** First and last effect number. */
  first: number;
  last: number;
  transaction: boolean;
  /** Date.now() when the reply (EXEC's, for a block) arrived; undefined while in flight. */
  ackedAt: number | undefined;
  effects: Effect[];
}

/** Keys that live in the writer's first database; the others live in its second. */
const FIRST_DB_KINDS: ReadonlySet<EffectKind> = new Set(["incr", "rpush", "zadd"]);

/** A data type is "observable" when its effect leaves its number in the data; counters do not. */
function observable(kind: EffectKind): boolean {
  return kind !== "incr" && kind !== "hincrby";
}

/** The state of one writer's keys, as the model computes it. */
class WriterState {
  counter: number | undefined;
  readonly slots: (number | undefined)[] = new Array<number | undefined>(STRING_SLOTS).fill(undefined);
  readonly list: number[] = [];
  readonly hashFields: number[] = [];
  hits: number | undefined;
  readonly zset = new Map<number, number>();
  readonly set: number[] = [];
  readonly stream: number[] = [];

  /** Applies one effect; returns the reply Redis gives the command that makes it. */
  apply(effect: Effect): ReplyValue {
    const { n } = effect;
    switch (effect.kind) {
      case "incr":
        this.counter = (this.counter ?? 0) + 1;
        return this.counter;
      case "set":
        this.slots[n % STRING_SLOTS] = n;
        return "OK";
      case "rpush":
        this.list.push(n);
        return this.list.length;
      case "hset":
        this.hashFields.push(n);
        return 1;
      case "hincrby":
        this.hits = (this.hits ?? 0) + effect.amount;
        return this.hits;
      case "zadd":
        this.zset.set(n, effect.amount);
        return 1;
      case "sadd":
        this.set.push(n);
        return 1;
      case "xadd":
        this.stream.push(n);
        return `1-${n}`;
    }
  }

  /** Canonical text per key, in the form `readWriterSnapshot` produces from the server. */
  snapshot(): WriterSnapshot {
    const zsetEntries = [...this.zset].map(([n, score]) => ({ member: `m${n}`, score }));
    // ZRANGE's order: by score, then by member bytes (plain string order for ASCII).
    zsetEntries.sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    const hash = this.hashFields.map((n) => `f${n}=${n}`);
    if (this.hits !== undefined) hash.push(`hits=${this.hits}`);
    return {
      counter: this.counter === undefined ? [] : [String(this.counter)],
      strings: this.slots.map((n) => (n === undefined ? "nil" : String(n))),
      list: this.list.map(String),
      hash: hash.sort(),
      zset: zsetEntries.map(({ member, score }) => `${member}:${score}`),
      set: this.set.map((n) => `m${n}`).sort(),
      stream: this.stream.map((n) => `1-${n}:${n}`),
    };
  }
}

type WriterSnapshot = Record<"counter" | "strings" | "list" | "hash" | "zset" | "set" | "stream", string[]>;

function firstDifference(expected: WriterSnapshot, actual: WriterSnapshot): string | undefined {
  for (const key of Object.keys(expected) as (keyof WriterSnapshot)[]) {
    const want = expected[key];
    const got = actual[key];
    if (want.length === got.length && want.every((item, i) => item === got[i])) continue;
    let index = 0;
    while (index < want.length && index < got.length && want[index] === got[index]) index++;
    return (
      `${key}: expected ${want.length} items, found ${got.length}; first difference at index ${index}: ` +
      `expected ${want[index] ?? "(end)"}, found ${got[index] ?? "(end)"}`
    );
  }
  return undefined;
}

/** The largest effect number visible in the data (0 when none is). */
function highestVisibleEffect(snapshot: WriterSnapshot): number {
  let highest = 0;
  const consider = (text: string, pattern: RegExp): void => {
    const match = pattern.exec(text);
    if (match !== null) highest = Math.max(highest, Number(match[1]));
  };
  for (const text of snapshot.strings) consider(text, /^(\d+)$/);
  for (const text of snapshot.list) consider(text, /^(\d+)$/);
  for (const text of snapshot.hash) consider(text, /^f(\d+)=/);
  for (const text of snapshot.zset) consider(text, /^m(\d+):/);
  for (const text of snapshot.set) consider(text, /^m(\d+)$/);
  for (const text of snapshot.stream) consider(text, /^1-(\d+):/);
  return highest;
}

/** The outcome of checking one writer after a restart. */
export interface WriterVerdict {
  problems: string[];
  /** Operations acknowledged before the kill that are not in the data. */
  lostAcknowledged: WorkloadOp[];
  /** Operations sent in the last cycle, never acknowledged, that survived anyway. */
  inFlightSurvived: number;
  /** Operations sent in the last cycle and never acknowledged. */
  inFlight: number;
}

/** A reply the model did not predict: a real failure, never mistaken for the kill's connection loss. */
class UnexpectedReplyError extends Error {}

interface PlannedCommand {
  argv: string[];
  expected: ReplyValue;
  /** The operation this reply acknowledges (the last command of a write or of a MULTI block). */
  acknowledges?: WorkloadOp;
}

/**
 * One client connection's share of the load: its own keys in two databases, pipelined
 * batches of single writes and MULTI/EXEC blocks, every reply checked against the model.
 */
export class CrashWriter {
  /** Every operation whose effects are, or may be, in the data: verified ones and the last cycle's. */
  private readonly log: WorkloadOp[] = [];
  /** Index in `log` of the first operation sent in the current cycle. */
  private cycleStart = 0;
  private nextEffect = 1;
  /** The model after every operation sent so far; gives each command's expected reply. */
  private sent = new WriterState();
  acknowledgedThisCycle = 0;
  /** How often each kind of write is picked (tests of the checker narrow it). */
  mix: { weight: number; item: EffectKind }[] = [
    { weight: 3, item: "incr" },
    { weight: 3, item: "set" },
    { weight: 3, item: "rpush" },
    { weight: 2, item: "hset" },
    { weight: 1, item: "hincrby" },
    { weight: 2, item: "zadd" },
    { weight: 2, item: "sadd" },
    { weight: 2, item: "xadd" },
  ];

  constructor(
    readonly id: number,
    readonly databases: readonly [number, number],
    /**
     * A cap on operations per second. Everything sent stays in the data and in the model, and
     * each check reads it all back, so an uncapped writer would make a 100-kill soak quadratic.
     */
    readonly opsPerSecond = Infinity,
  ) {}

  /** The operations the model holds: every verified one and those sent since. */
  get operations(): readonly WorkloadOp[] {
    return this.log;
  }

  /**
   * Replaces this writer's keys with the model's state after effect `upTo`, as a server that
   * kept exactly that much would hold them: how the checker's own tests fake a lossy server.
   */
  async replaceDataWithPrefix(connection: RespConnection, upTo: number): Promise<void> {
    const state = new WriterState();
    for (const op of this.log) for (const effect of op.effects) if (effect.n <= upTo) state.apply(effect);
    const [firstDb, secondDb] = this.databases;
    const slotKeys = Array.from({ length: STRING_SLOTS }, (_, slot) => this.keyOf("set", slot));
    const commands: string[][] = [
      ["SELECT", String(firstDb)],
      ["DEL", this.keyOf("incr", 0), this.keyOf("rpush", 0), this.keyOf("zadd", 0)],
      ["SELECT", String(secondDb)],
      ["DEL", ...slotKeys, this.keyOf("hset", 0), this.keyOf("sadd", 0), this.keyOf("xadd", 0)],
    ];
    for (const [slot, n] of state.slots.entries()) if (n !== undefined) commands.push(["SET", slotKeys[slot]!, String(n)]);
    for (const n of state.hashFields) commands.push(["HSET", this.keyOf("hset", n), `f${n}`, String(n)]);
    if (state.hits !== undefined) commands.push(["HSET", this.keyOf("hincrby", 0), "hits", String(state.hits)]);
    for (const n of state.set) commands.push(["SADD", this.keyOf("sadd", n), `m${n}`]);
    for (const n of state.stream) commands.push(["XADD", this.keyOf("xadd", n), `1-${n}`, "n", String(n)]);
    commands.push(["SELECT", String(firstDb)]);
    if (state.counter !== undefined) commands.push(["SET", this.keyOf("incr", 0), String(state.counter)]);
    for (const n of state.list) commands.push(["RPUSH", this.keyOf("rpush", n), String(n)]);
    for (const [n, score] of state.zset) commands.push(["ZADD", this.keyOf("zadd", n), String(score), `m${n}`]);
    for (const reply of await connection.pipeline(commands)) {
      if (reply[0] === 0x2d) throw new Error(`replacing writer ${this.id}'s data failed: ${reply.toString("latin1")}`);
    }
  }

  private keyOf(kind: EffectKind, n: number): string {
    switch (kind) {
      case "incr":
        return `ctr:${this.id}`;
      case "set":
        return `str:${this.id}:${n % STRING_SLOTS}`;
      case "rpush":
        return `list:${this.id}`;
      case "hset":
      case "hincrby":
        return `hash:${this.id}`;
      case "zadd":
        return `zset:${this.id}`;
      case "sadd":
        return `set:${this.id}`;
      case "xadd":
        return `stream:${this.id}`;
    }
  }

  private databaseOf(kind: EffectKind): number {
    return FIRST_DB_KINDS.has(kind) ? this.databases[0] : this.databases[1];
  }

  private commandOf(effect: Effect): string[] {
    const key = this.keyOf(effect.kind, effect.n);
    const n = String(effect.n);
    switch (effect.kind) {
      case "incr":
        return ["INCR", key];
      case "set":
        return ["SET", key, n];
      case "rpush":
        return ["RPUSH", key, n];
      case "hset":
        return ["HSET", key, `f${n}`, n];
      case "hincrby":
        return ["HINCRBY", key, "hits", String(effect.amount)];
      case "zadd":
        return ["ZADD", key, String(effect.amount), `m${n}`];
      case "sadd":
        return ["SADD", key, `m${n}`];
      case "xadd":
        return ["XADD", key, `1-${n}`, "n", n];
    }
  }

  private randomEffect(random: Random): Effect {
    const kind = random.weighted(this.mix);
    const amount = kind === "zadd" ? random.int(-50, 50) : kind === "hincrby" ? random.int(1, 9) : 0;
    return { n: this.nextEffect++, kind, amount };
  }

  /** The next operation and its commands (SELECTs included where its keys are in the other database). */
  private planOp(random: Random, connectionDb: { current: number }): PlannedCommand[] {
    const transaction = random.chance(0.2);
    const effects = Array.from({ length: transaction ? random.int(2, 5) : 1 }, () => this.randomEffect(random));
    const op: WorkloadOp = { first: effects[0]!.n, last: effects.at(-1)!.n, transaction, ackedAt: undefined, effects };
    this.log.push(op);
    const commands: PlannedCommand[] = [];
    const execReplies: ReplyValue[] = [];
    if (transaction) commands.push({ argv: ["MULTI"], expected: "OK" });
    for (const effect of effects) {
      const db = this.databaseOf(effect.kind);
      if (db !== connectionDb.current) {
        // Inside MULTI the SELECT is queued too, and the AOF must log it where it ran.
        commands.push({ argv: ["SELECT", String(db)], expected: transaction ? "QUEUED" : "OK" });
        if (transaction) execReplies.push("OK");
        connectionDb.current = db;
      }
      const reply = this.sent.apply(effect);
      commands.push({ argv: this.commandOf(effect), expected: transaction ? "QUEUED" : reply });
      if (transaction) execReplies.push(reply);
    }
    if (transaction) commands.push({ argv: ["EXEC"], expected: execReplies });
    commands.at(-1)!.acknowledges = op;
    return commands;
  }

  /**
   * Writes until the connection dies (the server was killed) or `stop` says so. A reply
   * other than the model's throws: the load itself is a check of every command it sends.
   */
  async run(port: number, random: Random, stop: () => boolean): Promise<void> {
    this.cycleStart = this.log.length;
    let opsSent = 0;
    this.acknowledgedThisCycle = 0;
    let connection: RespConnection;
    const connectionDb = { current: this.databases[0] };
    try {
      connection = await RespConnection.open(port, { replyTimeoutMs: 30_000 });
      await callOk(connection, ["SELECT", String(connectionDb.current)]);
    } catch {
      return;
    }
    const started = Date.now();
    try {
      while (!stop()) {
        const batch: PlannedCommand[] = [];
        const ops = random.int(1, 8);
        for (let i = 0; i < ops; i++) batch.push(...this.planOp(random, connectionDb));
        const replies = batch.map(() => connection.readReply());
        // After a kill every later reply rejects too; they are awaited only up to the first failure.
        for (const reply of replies) reply.catch(() => undefined);
        connection.writeRaw(Buffer.concat(batch.map((command) => encodeCommand(command.argv))));
        for (const [index, command] of batch.entries()) {
          const value = replyToValue(await replies[index]!);
          if (describeValue(value) !== describeValue(command.expected)) {
            throw new UnexpectedReplyError(
              `writer ${this.id}: unexpected reply to ${formatArgv(command.argv)}: ${describeValue(value)}, the model says ${describeValue(command.expected)}`,
            );
          }
          if (command.acknowledges !== undefined) {
            command.acknowledges.ackedAt = Date.now();
            this.acknowledgedThisCycle++;
          }
        }
        opsSent += ops;
        const due = started + (opsSent * 1000) / this.opsPerSecond;
        if (due > Date.now()) await delay(due - Date.now());
      }
    } catch (error) {
      // Connection loss is the expected end of a cycle; any other failure is a real one.
      if (error instanceof UnexpectedReplyError || !/closed|ECONNRESET|EPIPE/.test((error as Error).message)) throw error;
    } finally {
      connection.close();
    }
  }

  /** Reads this writer's keys from the server in the model's canonical form. */
  private async readSnapshot(connection: RespConnection): Promise<WriterSnapshot> {
    const [firstDb, secondDb] = this.databases;
    const slotKeys = Array.from({ length: STRING_SLOTS }, (_, slot) => this.keyOf("set", slot));
    const replies = (
      await connection.pipeline([
        ["SELECT", String(firstDb)],
        ["GET", this.keyOf("incr", 0)],
        ["LRANGE", this.keyOf("rpush", 0), "0", "-1"],
        ["ZRANGE", this.keyOf("zadd", 0), "0", "-1", "WITHSCORES"],
        ["SELECT", String(secondDb)],
        ["MGET", ...slotKeys],
        ["HGETALL", this.keyOf("hset", 0)],
        ["SMEMBERS", this.keyOf("sadd", 0)],
        ["XRANGE", this.keyOf("xadd", 0), "-", "+"],
      ])
    ).map(replyToValue);
    const text = (value: ReplyValue): string => (typeof value === "string" ? value : describeValue(value));
    const pairs = (value: ReplyValue): [string, string][] => {
      const items = asArray(value).map(text);
      return Array.from({ length: items.length / 2 }, (_, i) => [items[2 * i]!, items[2 * i + 1]!]);
    };
    const counter = replies[1]!;
    return {
      counter: counter === null ? [] : [text(counter)],
      list: asArray(replies[2]!).map(text),
      zset: pairs(replies[3]!).map(([member, score]) => `${member}:${score}`),
      strings: asArray(replies[5]!).map((value) => (value === null ? "nil" : text(value))),
      hash: pairs(replies[6]!)
        .map(([field, value]) => `${field}=${value}`)
        .sort(),
      set: asArray(replies[7]!).map(text).sort(),
      stream: asArray(replies[8]!).map((entry) => {
        const [id, fields] = asArray(entry);
        return `${text(id!)}:${asArray(fields!).map(text).slice(1).join(",")}`;
      }),
    };
  }

  /**
   * Finds the N the server's state corresponds to, checks that it is a whole-operation
   * prefix of what was sent, and makes it the starting point of the next cycle.
   */
  async verify(connection: RespConnection): Promise<WriterVerdict> {
    const actual = await this.readSnapshot(connection);
    const visible = highestVisibleEffect(actual);
    const effects = this.log.flatMap((op) => op.effects);
    const opEnds = new Set(this.log.map((op) => op.last));
    const state = new WriterState();
    let index = 0;
    for (; index < effects.length && effects[index]!.n <= visible; index++) state.apply(effects[index]!);
    // Counters leave no number behind, so N may be any effect before the next visible kind of
    // write. Candidates are the effects themselves, not consecutive numbers: lost effects leave
    // gaps in the numbering.
    let candidate = visible;
    let survivedUpTo: number | undefined;
    let difference: string | undefined;
    for (;;) {
      const mismatch = firstDifference(state.snapshot(), actual);
      if (mismatch === undefined) {
        survivedUpTo = candidate;
        break;
      }
      difference ??= mismatch;
      const next = effects[index];
      if (next === undefined || observable(next.kind)) break;
      state.apply(next);
      candidate = next.n;
      index++;
    }

    const problems: string[] = [];
    const cycleOps = this.log.slice(this.cycleStart);
    const inFlight = cycleOps.filter((op) => op.ackedAt === undefined);
    if (survivedUpTo === undefined) {
      problems.push(`writer ${this.id}: the data is no prefix of the writes sent (highest visible write ${visible}): ${difference}`);
      return { problems, lostAcknowledged: [], inFlightSurvived: 0, inFlight: inFlight.length };
    }
    if (survivedUpTo !== 0 && !opEnds.has(survivedUpTo)) {
      const torn = this.log.find((op) => op.first <= survivedUpTo && survivedUpTo < op.last)!;
      problems.push(`writer ${this.id}: MULTI/EXEC block of writes ${torn.first}..${torn.last} survived only up to write ${survivedUpTo} (not atomic)`);
    }
    const earlierLost = this.log.slice(0, this.cycleStart).filter((op) => op.last > survivedUpTo);
    if (earlierLost.length > 0) {
      problems.push(`writer ${this.id}: ${earlierLost.length} operations that were in the data after an earlier restart are gone (from write ${earlierLost[0]!.first})`);
    }
    const lostAcknowledged = cycleOps.filter((op) => op.ackedAt !== undefined && op.last > survivedUpTo);
    const inFlightSurvived = inFlight.filter((op) => op.last <= survivedUpTo).length;

    // What did not survive is forgotten; its numbers are never reused, so it cannot reappear unnoticed.
    const kept = this.log.filter((op) => op.last <= survivedUpTo);
    this.log.splice(0, this.log.length, ...kept);
    this.cycleStart = this.log.length;
    this.sent = new WriterState();
    for (const op of this.log) for (const effect of op.effects) this.sent.apply(effect);
    return { problems, lostAcknowledged, inFlightSurvived, inFlight: inFlight.length };
  }
}
