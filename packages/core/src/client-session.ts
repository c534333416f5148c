import { ReplyWriter } from "@kv/protocol";
import type { Database } from "./keyspace/database.js";

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
  user = "default";
  authenticated: boolean;
  /** CLIENT NO-EVICT ON: exempt from client eviction (CLIENT LIST flag `e`). */
  noEvict = false;
  /** QUIT (and CLIENT KILL of oneself): the server closes the connection after writing the pending replies. */
  closeAfterReply = false;
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

  get protocol(): 2 | 3 {
    return this.reply.protocol;
  }
}
