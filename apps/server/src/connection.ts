import type { Socket } from "node:net";
import { RequestParser } from "@kv/protocol";
import type { ClientSession } from "@kv/core";

interface HeldOutput {
  readonly data: Buffer;
  /** AOF position that must be on disk before this output may leave (appendfsync always). */
  readonly syncedAt: number;
}

/**
 * One client socket: its request parser, its session and its output. Output is ordered:
 * once something is held back for an fsync, everything after it waits behind it.
 */
export class Connection {
  readonly socket: Socket;
  readonly client: ClientSession;
  readonly parser: RequestParser;
  /** Set when a command of this turn changed the dataset (its reply must wait for fsync under `always`). */
  wrote = false;
  /** Listed in the server's pendingFlush (its output goes out at the end of this turn). */
  flushPending = false;
  closing = false;
  /** When pending output first went over the soft output-buffer limit (0 = not over it). */
  softLimitReachedAt = 0;
  private readonly held: HeldOutput[] = [];

  constructor(socket: Socket, client: ClientSession, maxBulkLength: number) {
    this.socket = socket;
    this.client = client;
    this.parser = new RequestParser({ maxBulkLength });
  }

  get hasHeldOutput(): boolean {
    return this.held.length > 0;
  }

  heldBytes(): number {
    let total = 0;
    for (const item of this.held) total += item.data.length;
    return total;
  }

  /** Sends now, or queues behind held output to keep replies in order. Returns bytes handed to the socket. */
  send(data: Buffer, syncedAt = 0): number {
    if (syncedAt > 0 || this.held.length > 0) {
      this.held.push({ data, syncedAt });
      return 0;
    }
    this.write(data);
    return data.length;
  }

  /** Releases held output whose fsync has completed. Returns bytes handed to the socket. */
  release(syncedUpTo: number): number {
    let sent = 0;
    while (this.held.length > 0 && this.held[0]!.syncedAt <= syncedUpTo) {
      const item = this.held.shift()!;
      this.write(item.data);
      sent += item.data.length;
    }
    if (this.held.length === 0 && this.closing) this.socket.end();
    return sent;
  }

  /** Ends the connection once everything queued has been written. */
  closeAfterOutput(): void {
    this.closing = true;
    if (this.held.length === 0) this.socket.end();
  }

  private write(data: Buffer): void {
    if (this.socket.destroyed) return;
    // Redis counts a write as interaction too, so `timeout` only closes clients idle both ways.
    this.client.lastInteraction = Date.now();
    // Flow control: stop reading from a client that does not read its replies, so its
    // pipeline cannot make the server buffer without bound.
    if (!this.socket.write(data) && !this.socket.isPaused()) {
      this.socket.pause();
      this.socket.once("drain", () => this.socket.resume());
    }
  }
}
