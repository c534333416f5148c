import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export function hasRedisServer(): boolean {
  return spawnSync("redis-server", ["--version"]).status === 0 && spawnSync("redis-cli", ["--version"]).status === 0;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  server.close();
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A real redis-server on a free loopback port with its own data directory, driven through redis-cli. */
export class RedisServerProcess {
  private constructor(
    private readonly process: ChildProcess,
    readonly port: number,
  ) {}

  static async start(dir: string, config: string[]): Promise<RedisServerProcess> {
    const port = await freePort();
    const child = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--daemonize", "no", "--logfile", "", ...config],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const server = new RedisServerProcess(child, port);
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    for (let attempt = 0; attempt < 100; attempt++) {
      if (child.exitCode !== null) throw new Error(`redis-server exited: ${output}`);
      const ping = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), "PING"], { encoding: "latin1" });
      if (ping.stdout.trim() === "PONG") return server;
      await sleep(50);
    }
    child.kill("SIGKILL");
    throw new Error(`redis-server did not start: ${output}`);
  }

  /** Runs one command (or, with `stdin` lines, a whole session on one connection); returns raw output. */
  cli(args: string[], options: { db?: number; input?: Buffer | string; lastArgFromStdin?: boolean } = {}): string {
    const cliArgs = ["-h", "127.0.0.1", "-p", String(this.port), "-n", String(options.db ?? 0)];
    if (options.lastArgFromStdin) cliArgs.push("-x");
    const result = spawnSync("redis-cli", [...cliArgs, ...args], { input: options.input, encoding: "latin1" });
    if (result.status !== 0) throw new Error(`redis-cli ${args.join(" ")} failed: ${result.stderr}`);
    const output = result.stdout.replace(/\n$/, "");
    if (output.startsWith("ERR") || output.includes("\nERR")) throw new Error(`redis-cli ${args.join(" ")}: ${output}`);
    return output;
  }

  async waitFor(predicate: () => boolean, what: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      if (predicate()) return;
      await sleep(50);
    }
    throw new Error(`timed out waiting for ${what}`);
  }

  async shutdown(): Promise<void> {
    const exited = once(this.process, "exit");
    spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(this.port), "SHUTDOWN"]);
    await exited;
  }

  kill(): void {
    if (this.process.exitCode === null) this.process.kill("SIGKILL");
  }
}
