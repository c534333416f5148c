import type { AofCommandSink } from "../aof-replay.js";

export interface ModelEntry {
  value: string;
  /** Absolute unix ms, or undefined for no expiry. */
  expireAt?: number;
}

/**
 * A tiny stand-in for the server engine: enough of SET/DEL/INCR/expiry/SELECT/MULTI
 * to replay what tests and redis-server write, and to snapshot itself for rewrites.
 * Expiry is recorded, never enforced, so comparisons are deterministic.
 */
export class ModelEngine implements AofCommandSink {
  readonly dbs = new Map<number, Map<string, ModelEntry>>();
  readonly log: string[][] = [];
  db = 0;
  private queue: string[][] | undefined;

  command(args: string[]): void {
    this.log.push(args);
    const name = args[0]!.toUpperCase();
    if (this.queue !== undefined && name !== "EXEC" && name !== "DISCARD") {
      this.queue.push(args);
      return;
    }
    switch (name) {
      case "MULTI":
        this.queue = [];
        return;
      case "EXEC": {
        const queued = this.queue ?? [];
        this.queue = undefined;
        for (const command of queued) this.execute(command);
        return;
      }
      case "DISCARD":
        this.queue = undefined;
        return;
      default:
        this.execute(args);
    }
  }

  /** Runs a command "from a client" on `db`, returning what the server would log. */
  run(db: number, args: string[]): string[] {
    const saved = this.db;
    this.db = db;
    this.execute(args);
    this.db = saved;
    return args;
  }

  snapshot(emit: (args: readonly string[]) => void): void {
    for (const [db, keys] of [...this.dbs].sort((a, b) => a[0] - b[0])) {
      if (keys.size === 0) continue;
      emit(["SELECT", String(db)]);
      for (const [key, entry] of keys) {
        emit(entry.expireAt === undefined ? ["SET", key, entry.value] : ["SET", key, entry.value, "PXAT", String(entry.expireAt)]);
      }
    }
  }

  /** Plain, order-independent view for toEqual. */
  state(): Record<string, Record<string, ModelEntry>> {
    const out: Record<string, Record<string, ModelEntry>> = {};
    for (const [db, keys] of this.dbs) {
      if (keys.size === 0) continue;
      out[db] = Object.fromEntries([...keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return out;
  }

  private keys(): Map<string, ModelEntry> {
    let keys = this.dbs.get(this.db);
    if (keys === undefined) {
      keys = new Map();
      this.dbs.set(this.db, keys);
    }
    return keys;
  }

  private execute(args: string[]): void {
    const name = args[0]!.toUpperCase();
    const keys = this.keys();
    switch (name) {
      case "SELECT":
        this.db = Number(args[1]);
        return;
      case "SET": {
        const [, key, value, ...options] = args;
        let expireAt: number | undefined;
        let keepTtl = false;
        for (let i = 0; i < options.length; i++) {
          const option = options[i]!.toUpperCase();
          if (option === "PXAT") expireAt = Number(options[++i]);
          else if (option === "EXAT") expireAt = Number(options[++i]) * 1000;
          else if (option === "KEEPTTL") keepTtl = true;
          else throw new Error(`model engine: unsupported SET option ${option}`);
        }
        if (keepTtl) expireAt = keys.get(key!)?.expireAt;
        keys.set(key!, expireAt === undefined ? { value: value! } : { value: value!, expireAt });
        return;
      }
      case "DEL":
        for (const key of args.slice(1)) keys.delete(key);
        return;
      case "INCR":
      case "INCRBY": {
        const key = args[1]!;
        const entry = keys.get(key);
        const next = BigInt(entry?.value ?? "0") + BigInt(name === "INCR" ? "1" : args[2]!);
        keys.set(key, { ...entry, value: String(next) });
        return;
      }
      case "PEXPIREAT": {
        const entry = keys.get(args[1]!);
        if (entry) entry.expireAt = Number(args[2]);
        return;
      }
      case "PERSIST": {
        const entry = keys.get(args[1]!);
        if (entry) delete entry.expireAt;
        return;
      }
      case "FLUSHALL":
        this.dbs.clear();
        return;
      default:
        throw new Error(`model engine: unsupported command ${name}`);
    }
  }
}
