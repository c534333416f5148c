#!/usr/bin/env node
// kv vs redis-server 7, side by side on this machine: throughput and latency (redis-benchmark),
// memory per key, and AOF load time. Plain Node (no build step) so it runs as `node bench/run.mjs`;
// `pnpm bench` builds the server first.
//
// Environment: BENCH_REQUESTS (default 100000) requests per redis-benchmark run,
// BENCH_KEYS (default 1000000) keys for the memory and load-time rounds,
// BENCH_RUNS (default 2) measured runs per server and setting (the best is reported),
// BENCH_KV=redis to put a second redis-server in kv's place (a self-test of this script),
// BENCH_SECTIONS (default "throughput,types,memory") to run only some rounds.

import { execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { descendants, findFreePort } from "./support.mjs";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const kvBinary = process.env.KV_SERVER_BIN ?? path.join(benchDir, "..", "apps", "server", "dist", "main.js");
const requests = Number(process.env.BENCH_REQUESTS ?? 100_000);
const keyCount = Number(process.env.BENCH_KEYS ?? 1_000_000);
const kvIsRedis = process.env.BENCH_KV === "redis";
const runs = Number(process.env.BENCH_RUNS ?? 2);
const benchmarkTimeoutMs = 180_000;
const sections = new Set((process.env.BENCH_SECTIONS ?? "throughput,types,memory").split(",").map((name) => name.trim()));
/** redis-benchmark's data-type tests (issue kv 0.2), each compared with SET of the same run. */
const typeTests = "set,lpush,lpop,sadd,hset,zadd,lrange_100";

if (!Number.isInteger(requests) || requests < 100_000) throw new Error("BENCH_REQUESTS must be an integer >= 100000");
if (!kvIsRedis && !existsSync(kvBinary)) {
  console.error(`kv server not built: ${kvBinary} is missing (run pnpm bench from the repository root, which builds first)`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Processes: every child is killed (with whatever it forked) however this script ends.

const children = new Set();
const tempDirs = new Set();


function killTree(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  for (const pid of [child.pid, ...descendants(child.pid)]) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

process.on("exit", () => {
  for (const child of children) killTree(child, "SIGKILL");
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping servers`);
    process.exit(130);
  });
}


const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends PING on a fresh connection; resolves with the reply line, rejects on connection errors. */
function ping(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let data = "";
    const timer = setTimeout(() => (socket.destroy(), reject(new Error("PING timed out"))), 2_000);
    socket.on("connect", () => socket.write("*1\r\n$4\r\nPING\r\n"));
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.includes("\r\n")) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.slice(0, data.indexOf("\r\n")));
      }
    });
    socket.on("error", (error) => (clearTimeout(timer), reject(error)));
  });
}

class Server {
  constructor(kind, label, fsync) {
    this.kind = kind; // "kv" | "redis"
    this.label = label; // what the tables call it
    this.fsync = fsync;
    this.output = "";
  }

  async start(dir) {
    this.dir = dir ?? (await mkdtemp(path.join(os.tmpdir(), `bench-${this.label}-`)));
    tempDirs.add(this.dir);
    this.port ??= await findFreePort();
    const flags = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir, "--appendonly", "yes", "--appendfsync", this.fsync];
    const [command, args] =
      this.kind === "kv"
        ? [process.execPath, ["--v8-pool-size=0", kvBinary, ...flags, "--loglevel", "warning"]]
        : ["redis-server", [...flags, "--save", "", "--daemonize", "no", "--loglevel", "warning"]];
    const started = process.hrtime.bigint();
    this.child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    children.add(this.child);
    this.output = "";
    const keep = (chunk) => (this.output = (this.output + chunk.toString()).slice(-20_000));
    this.child.stdout.on("data", keep);
    this.child.stderr.on("data", keep);
    this.exited = new Promise((resolve) => this.child.once("exit", resolve));
    // Ready means PING answered with something other than -LOADING: Redis accepts
    // connections while it replays the AOF, so an open port is not enough for load timing.
    const deadline = Date.now() + 300_000;
    for (;;) {
      if (this.child.exitCode !== null || this.child.signalCode !== null) throw new Error(`${this.label} exited during start-up:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`${this.label} not ready after 300 s:\n${this.output}`);
      const reply = await ping(this.port).catch(() => undefined);
      if (reply !== undefined && !reply.startsWith("-LOADING")) break;
      await delay(reply === undefined ? 5 : 2);
    }
    this.startupMs = Number(process.hrtime.bigint() - started) / 1e6;
    return this;
  }

  rssBytes() {
    const status = readFileSync(`/proc/${this.child.pid}/status`, "latin1");
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : NaN;
  }

  aofBytes() {
    const aofDir = path.join(this.dir, "appendonlydir");
    if (!existsSync(aofDir)) return 0;
    return readdirSync(aofDir).reduce((sum, name) => sum + statSync(path.join(aofDir, name)).size, 0);
  }

  /** Graceful stop: both servers flush the AOF on SIGTERM. SIGKILL if that takes too long. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGTERM");
    const timeout = delay(60_000).then(() => "timeout");
    if ((await Promise.race([this.exited, timeout])) === "timeout") killTree(this.child, "SIGKILL");
    await this.exited;
    children.delete(this.child);
  }

  async dispose() {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
    tempDirs.delete(this.dir);
  }
}

function pair(fsync) {
  return [new Server(kvIsRedis ? "redis" : "kv", "kv", fsync), new Server("redis", "redis", fsync)];
}

// ---------------------------------------------------------------------------------------------
// redis-benchmark

function redisBenchmark(port, pipeline, count = requests, tests = "set,get") {
  const args = ["-h", "127.0.0.1", "-p", String(port), "-c", "50", "-n", String(count), "-r", "100000", "-d", "16", "-t", tests, "-P", String(pipeline), "--csv"];
  return new Promise((resolve, reject) => {
    execFile("redis-benchmark", args, { timeout: benchmarkTimeoutMs, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`redis-benchmark ${args.join(" ")} failed: ${error.message}\n${stderr}`));
      // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
      const rows = stdout
        .trim()
        .split("\n")
        .map((line) => line.split(",").map((cell) => cell.replace(/^"|"$/g, "")));
      const header = rows.shift();
      if (header?.[0] !== "test") return reject(new Error(`unexpected redis-benchmark output:\n${stdout}`));
      const column = (name) => header.indexOf(name);
      resolve(
        Object.fromEntries(
          rows.map((row) => [row[0], { rps: Number(row[column("rps")]), p50: Number(row[column("p50_latency_ms")]), p99: Number(row[column("p99_latency_ms")]) }]),
        ),
      );
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Loading keys: pipelined SETs over one socket, with a bounded window of unanswered commands.

function loadKeys(port, count) {
  const window = 20_000;
  const chunk = 5_000;
  const value = "v".repeat(16);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let sent = 0;
    let answered = 0;
    let pendingBytes = 0;
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`loading stalled at ${answered}/${count}`))), 600_000);
    const pump = () => {
      while (sent < count && sent - answered < window) {
        const n = Math.min(chunk, count - sent);
        let text = "";
        for (let i = sent; i < sent + n; i++) {
          const key = `key:${String(i).padStart(12, "0")}`;
          text += `*3\r\n$3\r\nSET\r\n$${key.length}\r\n${key}\r\n$16\r\n${value}\r\n`;
        }
        sent += n;
        socket.write(text);
      }
    };
    socket.on("connect", pump);
    socket.on("data", (data) => {
      // Every reply to SET is "+OK\r\n"; anything else (an error) is a failure.
      if (data.includes(0x2d)) return (socket.destroy(), clearTimeout(timer), reject(new Error(`error while loading: ${data.toString().slice(0, 200)}`)));
      pendingBytes += data.length;
      answered += Math.floor(pendingBytes / 5);
      pendingBytes %= 5;
      if (answered >= count) {
        clearTimeout(timer);
        socket.end();
        resolve();
      } else pump();
    });
    socket.on("error", (error) => (clearTimeout(timer), reject(error)));
  });
}

function command(port, argv) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    let data = "";
    socket.on("connect", () => socket.write(`*${argv.length}\r\n${argv.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join("")}`));
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
      if (data.endsWith("\r\n")) (socket.destroy(), resolve(data.trim()));
    });
    socket.on("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Rounds

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits }) : "n/a");
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : "n/a");
const mib = (bytes) => `${fmt(bytes / 1048576, 1)} MiB`;

/** The run with the higher ops/s for each test, so one unlucky run (a disk stall, a GC) does not decide. */
function best(results) {
  const out = {};
  for (const result of results) {
    for (const [test, row] of Object.entries(result)) if (!out[test] || row.rps > out[test].rps) out[test] = row;
  }
  return out;
}

async function throughputRound(fsync) {
  const [kv, redis] = pair(fsync);
  const rows = [];
  try {
    await kv.start();
    await redis.start();
    // Warm-up: the first run after start pays for connection setup, page faults and JIT.
    await redisBenchmark(kv.port, 1, 20_000);
    await redisBenchmark(redis.port, 1, 20_000);
    for (const pipeline of [1, 16]) {
      // One server at a time (on two cores, running both at once would measure contention),
      // in ABBA order so drift over time (disk cache, thermal) does not favour either.
      const measured = { kv: [], redis: [] };
      for (let run = 0; run < runs; run++) {
        const order = run % 2 === 0 ? [kv, redis] : [redis, kv];
        for (const server of order) {
          console.error(`  fsync ${fsync}, -P ${pipeline}, run ${run + 1}/${runs}: ${server.label}`);
          measured[server.label].push(await redisBenchmark(server.port, pipeline));
        }
      }
      const kvBest = best(measured.kv);
      const redisBest = best(measured.redis);
      for (const test of ["SET", "GET"]) rows.push({ test, pipeline, fsync, kv: kvBest[test], redis: redisBest[test] });
    }
  } finally {
    await kv.dispose();
    await redis.dispose();
  }
  return rows;
}

/** redis-benchmark's CSV names its tests with notes ("LRANGE_100 (first 100 elements)"); the first word is enough. */
function shortTestName(name) {
  return name.split(" ")[0];
}

async function dataTypesRound() {
  const [kv, redis] = pair("everysec");
  const rows = [];
  try {
    await kv.start();
    await redis.start();
    await redisBenchmark(kv.port, 1, 20_000, typeTests);
    await redisBenchmark(redis.port, 1, 20_000, typeTests);
    for (const pipeline of [1, 16]) {
      const measured = { kv: [], redis: [] };
      for (let run = 0; run < runs; run++) {
        const order = run % 2 === 0 ? [kv, redis] : [redis, kv];
        for (const server of order) {
          console.error(`  data types, -P ${pipeline}, run ${run + 1}/${runs}: ${server.label}`);
          // FLUSHALL first so every run's LPOP and LRANGE see the same list lengths.
          await command(server.port, ["FLUSHALL"]);
          const result = await redisBenchmark(server.port, pipeline, requests, typeTests);
          measured[server.label].push(Object.fromEntries(Object.entries(result).map(([name, row]) => [shortTestName(name), row])));
        }
      }
      const kvBest = best(measured.kv);
      const redisBest = best(measured.redis);
      for (const test of ["SET", "LPUSH", "LPOP", "SADD", "HSET", "ZADD", "LRANGE_100"]) {
        rows.push({ test, pipeline, kv: kvBest[test], redis: redisBest[test], kvSet: kvBest.SET, redisSet: redisBest.SET });
      }
    }
  } finally {
    await kv.dispose();
    await redis.dispose();
  }
  return rows;
}

async function memoryAndLoadRound() {
  const servers = pair("everysec");
  const results = {};
  try {
    for (const server of servers) {
      await server.start();
      const before = server.rssBytes();
      console.error(`  loading ${fmt(keyCount)} keys into ${server.label}...`);
      const started = Date.now();
      await loadKeys(server.port, keyCount);
      const loadSeconds = (Date.now() - started) / 1000;
      const dbsize = Number((await command(server.port, ["DBSIZE"])).slice(1));
      if (dbsize !== keyCount) throw new Error(`${server.label} has ${dbsize} keys after loading ${keyCount}`);
      const after = server.rssBytes();
      await server.stop();
      const aofBytes = server.aofBytes();
      console.error(`  restarting ${server.label} on its AOF...`);
      await server.start(server.dir);
      const reloaded = Number((await command(server.port, ["DBSIZE"])).slice(1));
      if (reloaded !== keyCount) throw new Error(`${server.label} has ${reloaded} keys after reloading its AOF`);
      results[server.label] = { before, after, perKey: (after - before) / keyCount, loadSeconds, aofBytes, startupMs: server.startupMs, rssAfterReload: server.rssBytes() };
      await server.dispose();
    }
  } finally {
    for (const server of servers) if (server.child) await server.dispose();
  }
  return results;
}

function versionOf(commandLine) {
  return new Promise((resolve) => execFile(commandLine[0], commandLine.slice(1), (error, stdout) => resolve(error ? "unknown" : stdout.trim())));
}

async function main() {
  const began = Date.now();
  const redisVersion = await versionOf(["redis-server", "--version"]);
  console.error(`bench: ${requests} requests per run, ${keyCount} keys for memory/load${kvIsRedis ? " (BENCH_KV=redis: self-test, kv is a redis-server)" : ""}`);
  const throughput = [];
  if (sections.has("throughput")) {
    for (const fsync of ["everysec", "always"]) {
      console.error(`throughput with appendfsync ${fsync}`);
      throughput.push(...(await throughputRound(fsync)));
    }
  }
  let dataTypes = [];
  if (sections.has("types")) {
    console.error("data types");
    dataTypes = await dataTypesRound();
  }
  let memory;
  if (sections.has("memory")) {
    console.error("memory and AOF load time");
    memory = await memoryAndLoadRound();
  }

  const lines = [];
  lines.push(`# kv vs redis-server benchmark`);
  lines.push("");
  lines.push(`${new Date().toISOString()} · ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"} · Node ${process.version} · ${redisVersion.split(" ").slice(0, 3).join(" ")}${kvIsRedis ? " · SELF-TEST: kv column is a second redis-server" : ""}`);
  lines.push("");
  if (throughput.length > 0) {
    lines.push(`redis-benchmark -c 50 -n ${requests} -r 100000 -d 16 -t set,get; both servers with appendonly yes; one server benchmarked at a time, after a warm-up; best of ${runs} runs (alternating order) per cell.`);
    lines.push("");
    lines.push("| test | pipeline | fsync | kv ops/s | redis ops/s | kv/redis | kv p50 ms | kv p99 ms | redis p50 ms | redis p99 ms |");
    lines.push("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of throughput) {
      lines.push(
        `| ${row.test} | ${row.pipeline} | ${row.fsync} | ${fmt(row.kv?.rps)} | ${fmt(row.redis?.rps)} | ${ratio(row.kv?.rps, row.redis?.rps)} | ${fmt(row.kv?.p50, 3)} | ${fmt(row.kv?.p99, 3)} | ${fmt(row.redis?.p50, 3)} | ${fmt(row.redis?.p99, 3)} |`,
      );
    }
    lines.push("");
  }
  if (dataTypes.length > 0) {
    lines.push(`Data types: redis-benchmark -c 50 -n ${requests} -r 100000 -d 16 -t ${typeTests}, appendfsync everysec, FLUSHALL before each run; best of ${runs} runs per cell. "vs SET" is (kv/redis for the test) ÷ (kv/redis for SET in the same runs): below 1 means the family is relatively slower in kv than SET is; the target is ≥ 0.5 (no family more than 2× slower relative to SET than in Redis).`);
    lines.push("");
    lines.push("| test | pipeline | kv ops/s | redis ops/s | kv/redis | vs SET | kv p99 ms | redis p99 ms |");
    lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const row of dataTypes) {
      const relative = row.kv && row.redis && row.kvSet && row.redisSet ? row.kv.rps / row.redis.rps / (row.kvSet.rps / row.redisSet.rps) : undefined;
      lines.push(`| ${row.test} | ${row.pipeline} | ${fmt(row.kv?.rps)} | ${fmt(row.redis?.rps)} | ${ratio(row.kv?.rps, row.redis?.rps)} | ${relative === undefined ? "—" : relative.toFixed(2)} | ${fmt(row.kv?.p99, 3)} | ${fmt(row.redis?.p99, 3)} |`);
    }
    lines.push("");
  }
  if (memory !== undefined) {
  lines.push(`Memory: ${fmt(keyCount)} keys (\`key:%012d\` → 16-byte value) loaded by pipelined SET; resident memory (VmRSS) before and after.`);
  lines.push("");
  lines.push("| server | RSS before | RSS after | bytes/key | load time | AOF size | AOF load (start → PONG) | RSS after reload |");
  lines.push("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const label of ["kv", "redis"]) {
    const m = memory[label];
    lines.push(`| ${label} | ${mib(m.before)} | ${mib(m.after)} | ${fmt(m.perKey, 1)} | ${fmt(m.loadSeconds, 2)} s | ${mib(m.aofBytes)} | ${fmt(m.startupMs)} ms | ${mib(m.rssAfterReload)} |`);
  }
  lines.push("");
  lines.push(`kv/redis: bytes per key ${ratio(memory.kv.perKey, memory.redis.perKey)}, AOF load time ${ratio(memory.kv.startupMs, memory.redis.startupMs)}.`);
  lines.push("");
  }
  lines.push(`Total bench time ${fmt((Date.now() - began) / 1000, 0)} s.`);
  const report = lines.join("\n");
  console.log(report);
  // Only a full run replaces the recorded results; a partial one is printed only.
  if (["throughput", "types", "memory"].every((name) => sections.has(name))) {
    const resultsDir = path.join(benchDir, "results");
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(path.join(resultsDir, "latest.md"), `${report}\n`);
    console.error(`written to ${path.relative(process.cwd(), path.join(resultsDir, "latest.md"))}`);
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);
