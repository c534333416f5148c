import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcessOptions {
  /** Used in error messages ("kv", "redis-server"). */
  name: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Bytes of combined stdout+stderr kept for failure messages. */
  outputLimit?: number;
}

const running = new Set<ManagedProcess>();

function reapAll(): void {
  for (const managed of running) managed.killTreeNow("SIGKILL");
}

// A test that throws, or a worker that is torn down mid-test, must not leave servers
// listening behind it; "exit" handlers may only do synchronous work, and kill() is.
process.once("exit", reapAll);
// The test runner ends its workers with a signal, which skips "exit" handlers.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  process.once(signal, () => {
    reapAll();
    process.exit(128 + (signal === "SIGHUP" ? 1 : signal === "SIGINT" ? 2 : 15));
  });
}

/**
 * Children of `pid` and their children, read from /proc. Redis forks for BGREWRITEAOF and
 * BGSAVE; SIGKILLing only the parent would orphan the fork, which keeps writing into the
 * data directory a restarted server is about to read.
 */
export function descendantPids(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "latin1");
    } catch {
      continue;
    }
    // The command name is parenthesised and may itself contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const parent = Number(fields[1]);
    const list = childrenOf.get(parent) ?? [];
    list.push(Number(entry));
    childrenOf.set(parent, list);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift()!;
    for (const child of childrenOf.get(current) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** A spawned child whose output is kept for error messages and which is always reaped. */
export class ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | undefined;
  private readonly outputLimit: number;
  private outputChunks: Buffer[] = [];
  private outputBytes = 0;
  private droppedBytes = 0;

  constructor(options: ManagedProcessOptions) {
    this.name = options.name;
    this.outputLimit = options.outputLimit ?? 1 << 20;
    this.child = spawn(options.command, [...options.args], {
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
    });
    if (this.child.pid === undefined) throw new Error(`could not spawn ${options.command}`);
    this.pid = this.child.pid;
    running.add(this);
    this.child.stdout?.on("data", (chunk: Buffer) => this.record(chunk));
    this.child.stderr?.on("data", (chunk: Buffer) => this.record(chunk));
    this.exited = new Promise((resolve) => {
      this.child.once("exit", (code, signal) => {
        this.exit = { code, signal };
        running.delete(this);
        resolve(this.exit);
      });
    });
  }

  get isRunning(): boolean {
    return this.exit === undefined;
  }

  /** Everything the process printed so far (the oldest part dropped past the limit). */
  output(): string {
    const text = Buffer.concat(this.outputChunks).toString("utf8");
    return this.droppedBytes > 0 ? `[... ${this.droppedBytes} bytes dropped ...]\n${text}` : text;
  }

  /** The last lines of output, for error messages. */
  outputTail(lines = 40): string {
    return this.output().split("\n").slice(-lines).join("\n");
  }

  /** Sends `signal` to the process and everything it forked, without waiting. */
  killTreeNow(signal: NodeJS.Signals): void {
    if (!this.isRunning) return;
    const pids = [this.pid, ...descendantPids(this.pid)];
    for (const pid of pids) {
      try {
        process.kill(pid, signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** SIGKILL to the whole tree, as a crash would; resolves once the process is reaped. */
  async kill(): Promise<ProcessExit> {
    this.killTreeNow("SIGKILL");
    return this.exited;
  }

  /**
   * SIGTERM, then SIGKILL to whatever is left after `graceMs`. Forked children are
   * collected before the parent dies, because afterwards they are reparented and lost.
   */
  async stop(graceMs = 10_000): Promise<ProcessExit> {
    if (!this.isRunning) return this.exit!;
    const forks = descendantPids(this.pid);
    try {
      process.kill(this.pid, "SIGTERM");
    } catch {
      // Exited in the meantime.
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    const result = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (result === "timeout") this.killTreeNow("SIGKILL");
    const exit = await this.exited;
    for (const pid of forks) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Exited with its parent, as it should.
      }
    }
    return exit;
  }

  private record(chunk: Buffer): void {
    this.outputChunks.push(chunk);
    this.outputBytes += chunk.length;
    while (this.outputBytes > this.outputLimit && this.outputChunks.length > 1) {
      const dropped = this.outputChunks.shift()!;
      this.outputBytes -= dropped.length;
      this.droppedBytes += dropped.length;
    }
  }
}
