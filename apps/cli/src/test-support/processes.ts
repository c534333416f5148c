import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encodeCommand, ReplyParser, type Reply } from "@kv/protocol";

/*
 * Real processes for the CLI's tests: the built `kv` binary, redis-server as the oracle
 * and kv's own server. Everything listens on a free loopback port with its own temp dir.
 */

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));
export const cliBinary = path.join(packageRoot, "dist/main.js");
export const kvServerBinary = path.join(packageRoot, "../server/dist/main.js");

export function tempDir(prefix = "kv-cli-"): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ProcessResult {
  status: number | null;
  /** Output as latin1 strings, byte for byte. */
  stdout: string;
  stderr: string;
}

/** Runs a program to completion, feeding `input` on stdin (closed at once when absent). */
export function runProgram(
  command: string,
  args: readonly string[],
  options: { input?: string | Buffer; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? testEnv(), stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 15_000);
    child.once("error", reject);
    child.once("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString("latin1"), stderr: Buffer.concat(stderr).toString("latin1") });
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input);
  });
}

/**
 * The environment for child processes: without INIT_CWD, which pnpm sets for the test run
 * and the CLI would otherwise resolve relative directories against.
 */
export function testEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!("INIT_CWD" in extra)) delete env.INIT_CWD;
  return env;
}

/** Runs the built kv binary. */
export function runKv(args: readonly string[], options: Parameters<typeof runProgram>[2] = {}): Promise<ProcessResult> {
  return runProgram(process.execPath, [cliBinary, ...args], options);
}

export function requireBuiltCli(): void {
  if (!existsSync(cliBinary)) throw new Error(`${cliBinary} is missing: build the CLI first (pnpm --filter cli build)`);
}

export interface ServerProcess {
  port: number;
  dir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** A private redis-server: the oracle for rendering, and a server for network mode. */
export async function startRedisServer(): Promise<ServerProcess> {
  const port = await freePort();
  const temp = tempDir("kv-cli-redis-");
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", temp.dir, "--enable-debug-command", "yes", "--logfile", ""],
    { stdio: "ignore" },
  );
  return waitForServer(child, port, temp);
}

/** kv's own server on a data directory (it writes DIR/kv.lock with its address). */
export async function startKvServer(dir: string): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [kvServerBinary, "--port", String(port), "--dir", dir], { stdio: "ignore", env: testEnv() });
  return waitForServer(child, port, { dir, remove: () => undefined });
}

async function waitForServer(child: ChildProcess, port: number, temp: { dir: string; remove(): void }): Promise<ServerProcess> {
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`))));
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const reply = await Promise.race([sendCommand(port, ["PING"]), exited]);
      if (reply.type === "simple") break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  exited.catch(() => undefined);
  return {
    port,
    dir: temp.dir,
    process: child,
    stop: async () => {
      if (child.exitCode === null) {
        const gone = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await gone;
      }
      temp.remove();
    },
  };
}

/**
 * Sends commands over a fresh connection and returns the last reply, parsed, with its exact
 * bytes: the input for comparing our renderer with redis-cli on the very same reply.
 */
export async function sendCommands(port: number, commands: readonly (readonly (string | Buffer)[])[]): Promise<{ reply: Reply; bytes: Buffer }> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  try {
    let last: { reply: Reply; bytes: Buffer } | undefined;
    for (const argv of commands) last = await roundTrip(socket, argv);
    return last!;
  } finally {
    socket.destroy();
  }
}

export async function sendCommand(port: number, argv: readonly (string | Buffer)[]): Promise<Reply> {
  return (await sendCommands(port, [argv])).reply;
}

function roundTrip(socket: net.Socket, argv: readonly (string | Buffer)[]): Promise<{ reply: Reply; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const parser = new ReplyParser();
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer): void => {
      chunks.push(chunk);
      try {
        parser.feed(chunk);
        const reply = parser.next();
        if (reply === undefined) return;
        socket.off("data", onData);
        socket.off("error", reject);
        resolve({ reply, bytes: Buffer.concat(chunks) });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    };
    socket.on("data", onData);
    socket.once("error", reject);
    socket.write(encodeCommand(argv.map((arg) => (typeof arg === "string" ? Buffer.from(arg, "latin1") : arg))));
  });
}
