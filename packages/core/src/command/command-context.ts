import type { ReplyWriter } from "@kv/protocol";
import type { ClientSession } from "../client-session.js";
import type { Engine } from "../engine.js";
import { Errors } from "../errors.js";
import type { Database } from "../keyspace/database.js";
import type { StoredValue, TypedValue } from "../keyspace/stored-value.js";
import { NotifyClass, type NotifyClassBit } from "./notify.js";
import type { CommandSpec } from "./command-spec.js";
import type { BlockedOnType } from "../blocking/blocking-registry.js";

/**
 * A value class, constructible or not (some keep their constructor private): `instanceof`
 * narrows through `prototype`.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type -- instanceof needs a Function operand
export type ValueClass<T> = Function & { readonly prototype: T };

/**
 * What a handler works with. One instance per client, reused for every command, so a
 * dispatch allocates nothing. Handlers change the keyspace, call `dirty`/`keyModified`/`notify`
 * and write a reply; they never touch persistence — the engine propagates afterwards.
 */
export class CommandContext {
  readonly engine: Engine;
  readonly client: ClientSession;
  /** The command being executed (for subcommands, the subcommand's spec). */
  spec!: CommandSpec;
  /** Replacement argv to log instead of the command as sent (e.g. relative TTL made absolute). */
  propagateArgv: readonly string[] | undefined = undefined;
  /** The arguments of the command being executed. */
  currentArgv: readonly string[] = [];

  constructor(engine: Engine, client: ClientSession) {
    this.engine = engine;
    this.client = client;
  }

  get reply(): ReplyWriter {
    return this.client.reply;
  }

  get db(): Database {
    return this.client.db;
  }

  /** The command's clock in unix ms: one reading per command, as Redis does. */
  get now(): number {
    return this.engine.keyspace.commandTime;
  }

  /** Replies with an error (full text with its code, e.g. "ERR syntax error"), counted in INFO errorstats. */
  error(text: string): void {
    this.engine.replyError(this.client, text);
  }

  /** Looks a key up for reading: counts keyspace hits/misses like Redis's lookupKeyRead. */
  lookupRead(key: string, db: Database = this.client.db, notifyMiss = true): StoredValue | undefined {
    const value = db.get(key);
    const stats = this.engine.stats;
    if (value === undefined) {
      stats.keyspaceMisses++;
      // Redis fires "keymiss" (class m) where it counts a read miss, unless the lookup says
      // LOOKUP_NONOTIFY (OBJECT's).
      if (notifyMiss) this.engine.notifyKeyspaceEvent(NotifyClass.KeyMiss, "keymiss", key, db.index);
    } else {
      stats.keyspaceHits++;
    }
    return value;
  }

  /** Looks a key up before changing it (expired keys are removed first; no hit/miss counting). */
  lookupWrite(key: string, db: Database = this.client.db): StoredValue | undefined {
    return db.get(key);
  }

  /**
   * Redis's checkType: `value` when it is a `type`, undefined when there is no value, and
   * null after replying WRONGTYPE — so a handler only decides what a missing key means.
   */
  ofType<T extends TypedValue>(value: StoredValue | undefined, type: ValueClass<T>): T | undefined | null {
    if (value === undefined) return undefined;
    // instanceof narrows only to TypedValue here; the check itself is against T's prototype.
    if (value instanceof type) return value as T;
    this.error(Errors.wrongType);
    return null;
  }

  /** Counts changes to the dataset; a write command that changed nothing is not propagated. */
  dirty(changes = 1): void {
    this.engine.dirty += changes;
  }

  /** Signals that `key` changed (Redis's signalModifiedKey): invalidates WATCH and client caches. */
  keyModified(key: string, db: Database = this.client.db): void {
    this.engine.keyModified(db, key);
  }

  notify(type: NotifyClassBit, event: string, key: string, db: Database = this.client.db): void {
    this.engine.notifyKeyspaceEvent(type, event, key, db.index);
  }

  /**
   * A blocking command found nothing: wait on `keys` until one holds a `type` value or
   * `deadline` (unix ms, 0 = forever) passes; the command is then run again with `retryArgv`
   * (default: as received). Where blocking is not allowed (inside EXEC) it replies
   * `deniedReply` itself: the null array, or for BLMOVE/BRPOPLPUSH the null bulk.
   */
  block(
    keys: readonly string[],
    type: BlockedOnType,
    deadline: number,
    retryArgv?: readonly string[],
    deniedReply: "nullArray" | "nullBulk" = "nullArray",
  ): void {
    this.engine.blockClient(this.client, keys, type, deadline, retryArgv ?? this.currentArgv, deniedReply);
  }

  /** True while a blocked command runs again because a key it waits on became ready. */
  get retrying(): boolean {
    return this.engine.retrying;
  }

  /**
   * During such a re-run, the key that became ready: Redis 7.0 serves a woken client from
   * that key only, even when an earlier key of its command also holds data by now.
   */
  get retryKey(): string | undefined {
    return this.engine.retryKey;
  }

  /** New data arrived under `key` (XADD on an existing stream): wake clients waiting on it. */
  signalKeyAsReady(key: string, db: Database = this.client.db): void {
    this.engine.blocking.signal(db, key);
  }

  /** Log these arguments instead of the command as received. */
  propagateAs(argv: readonly string[]): void {
    this.propagateArgv = argv;
  }

  /** Log an additional command now, in the given database (e.g. a DEL for a lazily expired key). */
  alsoPropagate(dbIndex: number, argv: readonly string[]): void {
    this.engine.propagate(dbIndex, argv);
  }
}
