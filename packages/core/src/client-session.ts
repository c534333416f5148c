import { ReplyWriter } from "@kv/protocol";
import type { CommandSpec } from "./command/command-spec.js";
import type { Database } from "./keyspace/database.js";
import type { BlockedState } from "./blocking/blocking-registry.js";
import type { AclUser } from "./acl/acl-user.js";

export interface QueuedTransaction {
  readonly queue: { readonly spec: CommandSpec; readonly argv: readonly string[] }[];
  /** A command was rejected while queueing: EXEC will answer EXECABORT (CLIENT_DIRTY_EXEC). */
  failed: boolean;
}

export type ClientKind = "normal" | "aof-loader" | "embedded";

/**
 * Per-connection state the commands see. The server keeps the socket; core keeps what
 * Redis keeps on its client struct that affects command semantics and CLIENT LIST.
 */
export class ClientSession {
  readonly id: number;
  readonly kind: ClientKind;
  readonly reply = new ReplyWriter();
  db: Database;
  name = "";
  libName = "";
  libVersion = "";
  /** The ACL user the connection runs as (the default user until AUTH); set by Engine.createClient. */
  aclUser!: AclUser;
  authenticated: boolean;
  /** CLIENT NO-EVICT ON: exempt from client eviction (CLIENT LIST flag `e`). */
  noEvict = false;
  /** QUIT (and CLIENT KILL of oneself): the server closes the connection after writing the pending replies. */
  closeAfterReply = false;
  /** Commands queued since MULTI, or undefined outside a transaction. */
  transaction: QueuedTransaction | undefined = undefined;
  /** Waiting in a blocking command (BLPOP, XREAD BLOCK...): its pipeline is not read meanwhile. */
  blocked: BlockedState | undefined = undefined;
  /** A WATCHed key changed: the next EXEC replies with a null array (Redis's CLIENT_DIRTY_CAS). */
  watchInvalidated = false;
  readonly createdAt = Date.now();
  lastInteraction = Date.now();
  lastCommand = "NULL";
  remoteAddress = "";
  localAddress = "";
  fd = -1;
  /** Filled in by the server for CLIENT LIST/INFO (qbuf, omem...). */
  bufferStats: () => { queryBuffer: number; outputBuffer: number } = () => ({ queryBuffer: 0, outputBuffer: 0 });

  constructor(id: number, kind: ClientKind, db: Database, authenticated: boolean) {
    this.id = id;
    this.kind = kind;
    this.db = db;
    this.authenticated = authenticated;
  }

  /** The user's name, as CLIENT LIST and ACL WHOAMI show it. */
  get user(): string {
    return this.aclUser.name;
  }

  get protocol(): 2 | 3 {
    return this.reply.protocol;
  }
}
