import { afterEach, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { Random, parseSeed } from "./differential/random.js";
import { baseFile, waitForRewrite } from "./support/background-jobs.js";
import { RespConnection } from "./support/resp-connection.js";
import { encodeCommand } from "./support/resp-reply.js";
import { asArray, callOk, callValue, replyToValue } from "./support/reply-value.js";
import { kvTargetKind, startKv, type ServerHandle } from "./support/server.js";
import { delay, pollUntil } from "./support/wait.js";

const cycles = Number(process.env.CRASH_CYCLES ?? 5);
const seed = parseSeed(process.env.CRASH_SEED);
const cleanups = new Cleanups();

afterEach(async () => {
  await cleanups.run();
});

/**
 * One connection's writes and what the server acknowledged. Each writer pipelines a few
 * commands at a time, so at a crash several may be in flight. Because one connection's
 * commands are applied and logged in order, what survives must be a prefix of what was
 * sent: everything acknowledged, then possibly some of the in-flight ones, then nothing.
 */
class Writer {
  /** Highest INCR result acknowledged; the counter may never be found below it. */
  counterAcked = 0;
  /** INCRs sent whose replies never came. */
  counterInFlight = 0;
  /** SET rec:<id>:<seq> <seq> acknowledged for every seq <= setAcked. */
  setAcked = 0;
  /** Highest seq sent (acknowledged or not). */
  setSent = 0;
  acknowledgedThisCycle = 0;

  constructor(
    readonly id: number,
    readonly db: number,
  ) {}

  get counterKey(): string {
    return `ctr:${this.id}`;
  }

  recordKey(seq: number): string {
    return `rec:${this.id}:${seq}`;
  }

  /** Writes until the connection dies (the server was killed) or `stop` says so. */
  async run(port: number, random: Random, stop: () => boolean): Promise<void> {
    let connection: RespConnection;
    try {
      connection = await RespConnection.open(port, { replyTimeoutMs: 30_000 });
      await callOk(connection, ["SELECT", String(this.db)]);
    } catch {
      return;
    }
    this.counterInFlight = 0;
    try {
      while (!stop()) {
        const batch: { kind: "incr" | "set"; seq: number }[] = [];
        for (let i = random.int(1, 6); i > 0; i--) {
          if (random.chance(0.4)) batch.push({ kind: "incr", seq: 0 });
          else batch.push({ kind: "set", seq: ++this.setSent });
        }
        const replies = batch.map(() => connection.readReply());
        // After a kill the later replies reject too; they are awaited only up to the first failure.
        for (const reply of replies) reply.catch(() => undefined);
        for (const command of batch) if (command.kind === "incr") this.counterInFlight++;
        connection.writeRaw(
          Buffer.concat(
            batch.map((command) =>
              encodeCommand(command.kind === "incr" ? ["INCR", this.counterKey] : ["SET", this.recordKey(command.seq), String(command.seq)]),
            ),
          ),
        );
        for (const [index, command] of batch.entries()) {
          const value = replyToValue(await replies[index]!);
          if (command.kind === "incr") {
            if (typeof value !== "number") throw new Error(`INCR replied ${String(value)}`);
            this.counterInFlight--;
            this.counterAcked = value;
          } else {
            if (value !== "OK") throw new Error(`SET replied ${String(value)}`);
            this.setAcked = command.seq;
          }
          this.acknowledgedThisCycle++;
        }
      }
    } catch (error) {
      // Connection loss is the expected end of a cycle; any other failure is a real one.
      if (!/closed|ECONNRESET|EPIPE/.test((error as Error).message)) throw error;
    } finally {
      // Replies still pending when the socket died are rejected; nobody waits for them.
      connection.close();
    }
  }

  /** Checks the survivors against what was acknowledged; returns problems, empty if none. */
  async verify(connection: RespConnection): Promise<string[]> {
    const problems: string[] = [];
    await callOk(connection, ["SELECT", String(this.db)]);
    const counter = Number((await callValue(connection, ["GET", this.counterKey])) ?? 0);
    if (counter < this.counterAcked) problems.push(`writer ${this.id}: counter ${counter} < acknowledged ${this.counterAcked} (lost an acknowledged INCR)`);
    if (counter > this.counterAcked + this.counterInFlight)
      problems.push(`writer ${this.id}: counter ${counter} > acknowledged ${this.counterAcked} + ${this.counterInFlight} in flight`);
    // The next cycle continues from what survived; acknowledged writes never go backwards.
    this.counterAcked = counter;
    this.counterInFlight = 0;

    let survivedUpTo = 0;
    for (let start = 1; start <= this.setSent; start += 1000) {
      const seqs = Array.from({ length: Math.min(1000, this.setSent - start + 1) }, (_, i) => start + i);
      const values = asArray(await callValue(connection, ["MGET", ...seqs.map((seq) => this.recordKey(seq))]));
      seqs.forEach((seq, i) => {
        const value = values[i];
        if (value === String(seq)) {
          if (survivedUpTo !== seq - 1) problems.push(`writer ${this.id}: rec ${seq} survived but rec ${survivedUpTo + 1} did not (not a prefix)`);
          survivedUpTo = seq;
        } else if (value !== null) {
          problems.push(`writer ${this.id}: rec ${seq} = ${JSON.stringify(value)}`);
        }
      });
    }
    if (survivedUpTo < this.setAcked) problems.push(`writer ${this.id}: acknowledged SETs up to ${this.setAcked} but only ${survivedUpTo} survived`);
    this.setAcked = survivedUpTo;
    this.setSent = survivedUpTo;
    return problems.slice(0, 10);
  }
}

/** kv's pino lines at level error (50) or fatal (60): a clean start logs none. */
function errorLogLines(server: ServerHandle): string[] {
  if (server.kind !== "kv") return [];
  return server
    .logs()
    .split("\n")
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return false;
      }
    });
}

interface CrashOptions {
  /** Runs once the writers are going, before the wait for the kill (e.g. starts BGREWRITEAOF). */
  beforeKill?: () => Promise<void>;
  /** Range of the random wait before SIGKILL, in ms. */
  killWindow?: [number, number];
  /**
   * Describes, from the killed process's output, what it was doing (reported, not asserted).
   * Asking the server instead would delay the kill until its event loop answers.
   */
  describeKill?: (killedOutput: string) => string;
}

async function crashCycles(server: ServerHandle, random: Random, writers: Writer[], count: number, options: CrashOptions = {}): Promise<number> {
  const [minWait, maxWait] = options.killWindow ?? [30, 400];
  let acknowledged = 0;
  for (let cycle = 0; cycle < count; cycle++) {
    let stopping = false;
    for (const writer of writers) writer.acknowledgedThisCycle = 0;
    const running = writers.map((writer) => writer.run(server.port, random.fork(cycle * 100 + writer.id), () => stopping));
    await options.beforeKill?.();
    // A random moment: the point is to land anywhere in the write path, not at a safe spot.
    await delay(random.int(minWait, maxWait));
    await server.kill();
    const state = options.describeKill?.(server.process.output()) ?? "";
    stopping = true;
    await Promise.all(running);
    const cycleAcks = writers.reduce((sum, writer) => sum + writer.acknowledgedThisCycle, 0);
    acknowledged += cycleAcks;
    console.log(`crash ${cycle + 1}/${count}: ${cycleAcks} writes acknowledged before SIGKILL${state === "" ? "" : ` (${state})`}`);

    await server.restart();
    const errors = errorLogLines(server);
    expect(errors, `error logs on restart after crash ${cycle + 1}`).toEqual([]);
    const connection = await server.connect();
    const problems: string[] = [];
    for (const writer of writers) problems.push(...(await writer.verify(connection)));
    connection.close();
    expect(problems, `after crash ${cycle + 1} of ${count} (seed ${seed}, ${cycleAcks} writes acknowledged this cycle)\n${server.describe(20)}`).toEqual([]);
  }
  return acknowledged;
}

describe(`crash safety with appendfsync always (seed ${seed})`, () => {
  it(`keeps every acknowledged write across ${cycles} SIGKILLs`, async () => {
    const server = await startKv({ appendonly: true, appendfsync: "always" });
    cleanups.add(() => server.dispose());
    const random = new Random(seed);
    const writers = [new Writer(0, 0), new Writer(1, 0), new Writer(2, 0), new Writer(3, 1)];
    const acknowledged = await crashCycles(server, random, writers, cycles);
    expect(acknowledged, "the writers got some writes acknowledged at all").toBeGreaterThan(0);
  }, 60_000 + cycles * 20_000);

  it("keeps every acknowledged write when killed during BGREWRITEAOF", async () => {
    const server = await startKv({ appendonly: true, appendfsync: "always", readyTimeoutMs: 120_000 });
    cleanups.add(() => server.dispose());
    // Enough data that the rewrite takes a while, so the kill can land inside it.
    const preload = 100_000;
    const loader = await server.connect({ replyTimeoutMs: 60_000 });
    for (let start = 0; start < preload; start += 2000) {
      const commands = Array.from({ length: 2000 }, (_, i) => ["SET", `bulk:${start + i}`, `value-${start + i}`]);
      await loader.pipeline(commands);
    }
    loader.close();
    const random = new Random(seed ^ 0x5bd1e995);
    // Time one rewrite first, so the kills below can be spread over how long one takes here.
    const timing = await server.connect();
    const timingBase = await baseFile(server);
    const rewriteStarted = Date.now();
    await callOk(timing, ["BGREWRITEAOF"]);
    await waitForRewrite(server, timing, timingBase);
    const rewriteMs = Date.now() - rewriteStarted;
    timing.close();
    console.log(`one BGREWRITEAOF of ${preload} keys took ${rewriteMs} ms`);
    const writers = [new Writer(10, 0), new Writer(11, 0), new Writer(12, 2)];
    const rewriteCycles = Math.max(2, Math.ceil(cycles / 2));
    let outputMark = 0;
    await crashCycles(server, random, writers, rewriteCycles, {
      beforeKill: async () => {
        // Writes must be flowing when the rewrite starts, or the kill tests nothing but the rewrite.
        await pollUntil(() => Promise.resolve(writers.every((writer) => writer.acknowledgedThisCycle > 0) ? true : undefined), {
          timeoutMs: 10_000,
          intervalMs: 2,
          description: "every writer to get a write acknowledged",
        });
        const control = await server.connect();
        outputMark = server.process.output().length;
        // Not waiting for the reply: a server that does part of the rewrite before answering
        // must be killable inside that part too.
        control.call(["BGREWRITEAOF"]).catch(() => undefined);
      },
      killWindow: [0, Math.max(10, 2 * rewriteMs)],
      describeKill: (output) => (/rewrite finished successfully/i.test(output.slice(outputMark)) ? "after the rewrite finished" : "before the rewrite finished"),
    });
    const check = await server.connect();
    expect(await callValue(check, ["DBSIZE"])).toBeGreaterThanOrEqual(preload);
    const sample = Array.from({ length: 200 }, () => random.int(0, preload - 1));
    expect(await callValue(check, ["MGET", ...sample.map((i) => `bulk:${i}`)])).toEqual(sample.map((i) => `value-${i}`));
    // A rewrite that is allowed to finish leaves a directory that still loads.
    const baseBefore = await baseFile(server);
    expect(String(await callValue(check, ["BGREWRITEAOF"]))).toMatch(/^Background append only file rewriting/);
    await waitForRewrite(server, check, baseBefore);
    check.close();
    await server.restart();
    const after = await server.connect();
    expect(await callValue(after, ["DBSIZE"])).toBeGreaterThanOrEqual(preload);
    for (const writer of writers) expect(await writer.verify(after)).toEqual([]);
    if (kvTargetKind === "kv") expect(errorLogLines(server)).toEqual([]);
  }, 120_000 + cycles * 30_000);
});
