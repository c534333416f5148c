import type { ClientSession } from "../client-session.js";
import type { CommandSpec } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import type { Engine } from "../engine.js";
import type { Database } from "../keyspace/database.js";
import type { Keyspace } from "../keyspace/keyspace.js";
import { commandKeyPositions } from "../util/command-keys.js";
import { AccessTracker, type AccessMode } from "./access-tracker.js";
import { KeySampler } from "./key-sampler.js";
import { keySizeEstimate } from "./key-size-estimate.js";
import { V8MemoryGauge, type MemoryGauge } from "./memory-gauge.js";

/*
 * maxmemory and its eviction policies (Redis's evict.c performEvictions, and processCommand's
 * OOM check).
 *
 * Before each command, while maxmemory is set, keys are evicted until the memory gauge says
 * the excess is freed, each evicted key counting as its estimated size (see memory-gauge.ts
 * for why not the heap itself). A run stops after maxmemory-eviction-tenacity's time budget,
 * checked every 16 keys as Redis does; the next command continues it (Redis also continues
 * from a timer; kv waits for the next command). When no key can be evicted (noeviction, or a
 * volatile-* policy with no key holding a TTL), commands flagged denyoom, and every command
 * queued in MULTI, are refused with Redis's -OOM text; reads keep working.
 *
 * LRU, LFU and TTL policies keep Redis's eviction pool: 16 best candidates, refilled on every
 * eviction with maxmemory-samples keys from each database, the best one still present is
 * evicted. The random policies take one sampled key, rotating over databases.
 */

export const OOM_ERROR = "OOM command not allowed when used memory > 'maxmemory'.";

export type EvictionPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-random"
  | "volatile-ttl";

export type EvictionResult = "ok" | "running" | "fail";

/** EVPOOL_SIZE. */
const POOL_SIZE = 16;
/** Commands Redis still runs when out of memory inside MULTI (processCommand's list). */
const ALLOWED_IN_MULTI_WHEN_OOM = new Set(["exec", "discard", "quit", "reset"]);
/** Commands whose lookups do not count as an access (Redis's LOOKUP_NOTOUCH callers). */
const NO_TOUCH = new Set([
  "object|encoding",
  "object|freq",
  "object|idletime",
  "object|refcount",
  "type",
  "exists",
  "ttl",
  "pttl",
  "expiretime",
  "pexpiretime",
  "debug",
  "memory|usage",
]);

interface PoolEntry {
  idle: number;
  key: string;
  db: Database;
}

/** Redis's evictionTimeLimitUs: linear up to 500 µs at tenacity 10, then +15% a step, unlimited at 100. */
export function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * Math.pow(1.15, tenacity - 10)) / 1000;
  return Number.POSITIVE_INFINITY;
}

export class MaxMemory {
  /** Bytes; 0 = no limit. Read before every command, so kept as a plain number. */
  limit = 0;
  policy: EvictionPolicy = "noeviction";
  /** True while an LRU/LFU policy is selected: call() then feeds the access tracker. */
  tracking = false;
  readonly tracker = new AccessTracker();
  private samples = 5;
  private timeLimitMs = evictionTimeLimitMs(10);
  private lazyEviction = false;
  private gauge: MemoryGauge;
  private readonly engine: Engine;
  private readonly sampler = new KeySampler();
  private readonly pool: PoolEntry[] = [];
  private nextRandomDb = 0;

  constructor(engine: Engine, gauge: MemoryGauge = new V8MemoryGauge()) {
    this.engine = engine;
    this.gauge = gauge;
  }

  /** Replaces the memory measure (unit tests use an exact one). */
  useGauge(gauge: MemoryGauge): void {
    this.gauge.setLimit(0);
    this.gauge = gauge;
    gauge.setLimit(this.limit);
  }

  /** Memory in use as eviction sees it (INFO's used_memory). */
  usedMemory(): number {
    return this.gauge.measure();
  }

  /** Re-reads the memory parameters (their CONFIG SET hooks call this). */
  configure(): void {
    const config = this.engine.config;
    const number = (name: string, fallback: number): number => Number(config.lookup(name)?.value ?? fallback);
    const limit = number("maxmemory", 0);
    this.policy = (config.lookup("maxmemory-policy")?.value ?? "noeviction") as EvictionPolicy;
    this.samples = number("maxmemory-samples", 5);
    this.timeLimitMs = evictionTimeLimitMs(number("maxmemory-eviction-tenacity", 10));
    this.tracker.lfu.logFactor = number("lfu-log-factor", 10);
    this.tracker.lfu.decayTime = number("lfu-decay-time", 1);
    this.lazyEviction = config.lookup("lazyfree-lazy-eviction")?.value === "yes";
    const mode: AccessMode = this.policy.endsWith("-lru") ? "lru" : this.policy.endsWith("-lfu") ? "lfu" : "none";
    this.tracker.setMode(mode, Date.now());
    this.tracking = mode !== "none";
    if (limit !== this.limit) this.gauge.setLimit(limit);
    if (limit !== this.limit || this.policy === "noeviction") {
      this.pool.length = 0;
      if (limit === 0) this.sampler.reset();
    }
    this.limit = limit;
  }

  /**
   * processCommand's maxmemory step: evict what is needed, then say whether `spec` may run.
   * Called only while a limit is set, never while loading.
   */
  admits(client: ClientSession, spec: CommandSpec): boolean {
    if (this.performEvictions() !== "fail") return true;
    if (spec.flags.has("denyoom")) return false;
    if (client.transaction === undefined) return true;
    // Queuing in MULTI takes memory, so it is refused too; EXEC only if it would run a denyoom command.
    if (spec.fullName !== "exec") return ALLOWED_IN_MULTI_WHEN_OOM.has(spec.fullName);
    return !client.transaction.queue.some((queued) => queued.spec.flags.has("denyoom"));
  }

  /** performEvictions: "fail" when over the limit with nothing left to evict. */
  performEvictions(): EvictionResult {
    const limit = this.limit;
    if (limit === 0) return "ok";
    const gauge = this.gauge;
    if (gauge.used() <= limit) return "ok";
    // The cheap reading said "over": confirm with a fresh one before evicting anything.
    if (gauge.settle(limit) <= limit) return "ok";
    if (this.policy === "noeviction") return gauge.lastResort() <= limit ? "ok" : "fail";
    const keyspace = this.engine.keyspace as Keyspace | undefined;
    if (keyspace === undefined) return "ok";
    const started = performance.now();
    let evicted = 0;
    // Redis frees a precomputed amount, counting each key's allocator delta; re-measuring after
    // each key is the same with a gauge that counts evicted keys as freed at once.
    do {
      const victim = this.policy.endsWith("-random") ? this.randomVictim(keyspace) : this.pooledVictim(keyspace);
      if (victim === undefined) return gauge.lastResort() <= limit ? "ok" : "fail";
      gauge.released(this.evict(victim.db, victim.key));
      evicted++;
      if (evicted % 16 === 0 && performance.now() - started > this.timeLimitMs) return "running";
    } while (gauge.measure() > limit);
    return "ok";
  }

  /** Feeds the access tracker with the keys `argv` names (call() runs this after the handler). */
  touchKeys(db: Database, spec: CommandSpec, argv: readonly string[]): void {
    if (NO_TOUCH.has(spec.fullName)) return;
    const now = this.engine.keyspace.commandTime;
    const tracker = this.tracker;
    if (spec.flags.has("movablekeys") || spec.firstKey <= 0) {
      if (spec.firstKey <= 0 && !spec.flags.has("movablekeys")) return;
      for (const position of commandKeyPositions(spec, argv)) tracker.touch(db, argv[position.index]!, now);
      return;
    }
    const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
    const step = spec.keyStep > 0 ? spec.keyStep : 1;
    for (let i = spec.firstKey; i <= last && i < argv.length; i += step) tracker.touch(db, argv[i]!, now);
  }

  /** Redis's eviction of one key: delete, count, notify "evicted", propagate DEL (UNLINK with lazyfree-lazy-eviction). */
  private evict(db: Database, key: string): number {
    const value = db.peek(key);
    if (value === undefined) return 0;
    const bytes = keySizeEstimate(key, value) + (this.tracking ? TRACKER_ENTRY_BYTES : 0);
    const engine = this.engine;
    db.delete(key);
    this.tracker.forget(db, key);
    engine.stats.evictedKeys++;
    engine.keyModified(db, key);
    engine.notifyKeyspaceEvent(NotifyClass.Evicted, "evicted", key, db.index);
    engine.propagate(db.index, [this.lazyEviction ? "UNLINK" : "DEL", key]);
    return bytes;
  }

  private randomVictim(keyspace: Keyspace): PoolEntry | undefined {
    const volatile = this.policy === "volatile-random";
    const databases = keyspace.databases;
    const picked: string[] = [];
    for (let i = 0; i < databases.length; i++) {
      const db = databases[(this.nextRandomDb = (this.nextRandomDb + 1) % databases.length)]!;
      if (this.sampler.sample(db, volatile, 1, picked) === 1) return { idle: 0, key: picked[0]!, db };
    }
    return undefined;
  }

  /** The pool's best candidate still present, refilling the pool from every database first. */
  private pooledVictim(keyspace: Keyspace): PoolEntry | undefined {
    const volatile = this.policy.startsWith("volatile-");
    const pool = this.pool;
    // Redis loops until a candidate turns up; a sampler that finds nothing live (a table being
    // replaced under it) gets a few rounds before the run gives up for this command.
    for (let round = 0; round < 8; round++) {
      let totalKeys = 0;
      for (const db of keyspace.databases) {
        const keys = volatile ? db.expiresSize : db.size;
        if (keys === 0) continue;
        totalKeys += keys;
        this.populatePool(db, volatile);
      }
      if (totalKeys === 0) return undefined;
      while (pool.length !== 0) {
        const best = pool.pop()!;
        const present = volatile ? best.db.getExpire(best.key) !== undefined : best.db.peek(best.key) !== undefined;
        if (present) return best;
      }
    }
    return undefined;
  }

  /** evictionPoolPopulate: the pool keeps the POOL_SIZE highest scores seen, in ascending order. */
  private populatePool(db: Database, volatile: boolean): void {
    const sampled: string[] = [];
    if (this.tracking) {
      // Uniform picks among tracked keys give the pool candidates of typical age; the rotating
      // sampler adds keys the tracker has not seen yet (they score as idle since tracking began).
      this.tracker.sample(db, this.samples, sampled);
      if (volatile) filterInPlace(sampled, (key) => db.getExpire(key) !== undefined);
      const rotating: string[] = [];
      this.sampler.sample(db, volatile, this.samples, rotating);
      for (const key of rotating) {
        this.tracker.adopt(db, key);
        sampled.push(key);
      }
    } else {
      this.sampler.sample(db, volatile, this.samples, sampled);
    }
    const now = this.engine.keyspace.commandTime;
    const pool = this.pool;
    for (const key of sampled) {
      const idle = this.score(db, key, now);
      // A key sampled again takes its new score (Redis would hold it twice; the second copy is a ghost).
      const existing = pool.findIndex((entry) => entry.key === key && entry.db === db);
      if (existing !== -1) pool.splice(existing, 1);
      let k = 0;
      while (k < pool.length && pool[k]!.idle < idle) k++;
      if (pool.length === POOL_SIZE) {
        if (k === 0) continue; // worse than every candidate in a full pool
        pool.splice(k, 0, { idle, key, db });
        pool.shift();
      } else {
        pool.splice(k, 0, { idle, key, db });
      }
    }
  }

  /** The pool's "idle" score: higher is evicted first. */
  private score(db: Database, key: string, now: number): number {
    switch (this.policy) {
      case "allkeys-lru":
      case "volatile-lru":
        return this.tracker.idleMs(db, key, now);
      case "allkeys-lfu":
      case "volatile-lfu":
        return 255 - this.tracker.frequency(db, key, now);
      default:
        // volatile-ttl: the sooner it expires, the better a candidate.
        return -(db.getExpire(key) ?? Number.POSITIVE_INFINITY);
    }
  }
}

/** An access-tracker entry, freed with its key (see access-tracker.ts). */
const TRACKER_ENTRY_BYTES = 53;

function filterInPlace(items: string[], keep: (item: string) => boolean): void {
  let kept = 0;
  for (const item of items) if (keep(item)) items[kept++] = item;
  items.length = kept;
}
