import type { ClientSession } from "../client-session.js";
import type { CommandSpec } from "../command/command-spec.js";
import type { Database } from "../keyspace/database.js";

/** The value type a blocked command waits for: a key of another type does not wake it (Redis 7.0). */
export type BlockedOnType = "list" | "zset" | "stream";

/** What a client blocked by BLPOP, BZPOPMIN, XREAD... waits for (Redis's bpop state). */
export interface BlockedState {
  readonly db: Database;
  readonly keys: readonly string[];
  readonly type: BlockedOnType;
  /** Unix ms; 0 waits forever. */
  readonly deadline: number;
  /** The command to run again when a key is ready (XREAD's `$` already resolved). */
  readonly spec: CommandSpec;
  readonly argv: readonly string[];
}

/**
 * Which clients wait on which keys, in arrival order, and which keys became ready during the
 * current command. Redis serves a ready key's waiters first-blocked first-served, after the
 * command (or whole EXEC) that made it ready, so a transaction's intermediate states are
 * never seen by a blocked client.
 */
export class BlockingRegistry {
  private readonly waiters = new Map<Database, Map<string, ClientSession[]>>();
  private readonly blocked = new Set<ClientSession>();
  private readyKeys: [Database, string][] = [];
  private readonly readySet = new Map<Database, Set<string>>();

  /** Bumped whenever a client blocks or unblocks, so a timer over deadlines knows when to look again. */
  changes = 0;

  get size(): number {
    return this.blocked.size;
  }

  get hasReadyKeys(): boolean {
    return this.readyKeys.length !== 0;
  }

  clients(): IterableIterator<ClientSession> {
    return this.blocked.values();
  }

  add(client: ClientSession, state: BlockedState): void {
    this.changes++;
    client.blocked = state;
    this.blocked.add(client);
    let byKey = this.waiters.get(state.db);
    if (byKey === undefined) this.waiters.set(state.db, (byKey = new Map<string, ClientSession[]>()));
    for (const key of state.keys) {
      const queue = byKey.get(key);
      if (queue === undefined) byKey.set(key, [client]);
      else if (!queue.includes(client)) queue.push(client);
    }
  }

  remove(client: ClientSession): void {
    const state = client.blocked;
    if (state === undefined) return;
    this.changes++;
    client.blocked = undefined;
    this.blocked.delete(client);
    const byKey = this.waiters.get(state.db);
    if (byKey === undefined) return;
    for (const key of state.keys) {
      const queue = byKey.get(key);
      if (queue === undefined) continue;
      const index = queue.indexOf(client);
      if (index !== -1) queue.splice(index, 1);
      if (queue.length === 0) byKey.delete(key);
    }
    if (byKey.size === 0) this.waiters.delete(state.db);
  }

  /** Redis's signalKeyAsReady: remembered only when someone waits on the key. */
  signal(db: Database, key: string): void {
    if (this.blocked.size === 0 || this.waiters.get(db)?.has(key) !== true) return;
    let seen = this.readySet.get(db);
    if (seen === undefined) this.readySet.set(db, (seen = new Set<string>()));
    if (seen.has(key)) return;
    seen.add(key);
    this.readyKeys.push([db, key]);
  }

  /** Takes the keys signalled so far; keys signalled while serving them are collected anew. */
  takeReadyKeys(): [Database, string][] {
    const ready = this.readyKeys;
    this.readyKeys = [];
    this.readySet.clear();
    return ready;
  }

  /** A snapshot of the clients waiting on `key`, oldest first. */
  waitersOf(db: Database, key: string): ClientSession[] {
    return [...(this.waiters.get(db)?.get(key) ?? [])];
  }

  /** The earliest deadline of any blocked client, or undefined when none has one. */
  nextDeadline(): number | undefined {
    let earliest: number | undefined;
    for (const client of this.blocked) {
      const deadline = client.blocked!.deadline;
      if (deadline !== 0 && (earliest === undefined || deadline < earliest)) earliest = deadline;
    }
    return earliest;
  }

  /** Blocked clients with a timeout (INFO clients_in_timeout_table). */
  timedCount(): number {
    let count = 0;
    for (const client of this.blocked) if (client.blocked!.deadline !== 0) count++;
    return count;
  }

  /** Clients whose deadline has passed at `now`, oldest deadline first. */
  expired(now: number): ClientSession[] {
    const due: ClientSession[] = [];
    for (const client of this.blocked) {
      const deadline = client.blocked!.deadline;
      if (deadline !== 0 && deadline <= now) due.push(client);
    }
    return due.sort((a, b) => a.blocked!.deadline - b.blocked!.deadline);
  }
}
