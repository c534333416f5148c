import { mkdirSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { DirectoryLockedError, readDirectoryLock, type DirectoryLockOwner } from "@kv/aof";
import { CliError, type CommandRunner, type SessionOptions } from "./command-runner.js";
import { NetworkClient, type ServerAddress } from "./network-client.js";

/** kv-server's defaults (core's `bind` and `port`). */
export const defaultServerAddress: ServerAddress = { host: "127.0.0.1", port: 9999 };

export interface RunnerTarget {
  /** -h / -p: always use the network, even if the directory is free. */
  host?: string | undefined;
  port?: number | undefined;
  /** Absolute path of the data directory, for when no address was given. */
  dir: string;
  session: SessionOptions;
}

/*
 * How long to wait for a directory held by another embedded kv (no server to talk to):
 * long enough for a one-shot command in another process to finish, short enough that a
 * REPL holding the directory turns into a clear error.
 */
const LOCK_WAIT_MS = 3000;
const LOCK_RETRY_MS = 50;

/**
 * Chooses how to run commands. An address on the command line means the network. Otherwise
 * the data directory decides: if a live server holds it, talk to that server, so only one
 * process ever appends to the directory's AOF; if nobody does, open it in this process.
 */
export async function openRunner(target: RunnerTarget): Promise<CommandRunner> {
  const { dir, session } = target;
  if (target.host !== undefined || target.port !== undefined) {
    return NetworkClient.connect({ host: target.host ?? defaultServerAddress.host, port: target.port ?? defaultServerAddress.port }, session);
  }
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    const owner = readDirectoryLock(dir);
    let holder: DirectoryLockOwner | undefined = owner;
    if (owner !== undefined && reachable(owner)) return connectToOwner(owner, session);
    if (owner === undefined) {
      try {
        mkdirSync(dir, { recursive: true });
        // Loaded only here: network mode starts without loading the engine and the AOF code.
        const { EmbeddedClient } = await import("./embedded-client.js");
        return await EmbeddedClient.open(dir, session);
      } catch (error) {
        // A server may have taken the directory between reading the lock and opening it.
        if (!(error instanceof DirectoryLockedError)) throw error;
        holder = error.owner;
        if (reachable(holder)) return connectToOwner(holder, session);
      }
    }
    if (Date.now() >= deadline) {
      throw new CliError(`Data directory ${dir} is in use by process ${holder?.pid ?? "?"}, which does not serve clients (another kv working on it directly?)`);
    }
    await sleep(LOCK_RETRY_MS);
  }
}

/** A server records where it listens; an embedded kv (or a server still starting) has no port. */
function reachable(owner: DirectoryLockOwner): owner is DirectoryLockOwner & { port: number } {
  return owner.port !== null && owner.port > 0;
}

function connectToOwner(owner: DirectoryLockOwner & { port: number }, session: SessionOptions): Promise<NetworkClient> {
  return NetworkClient.connect({ host: connectableHost(owner.host), port: owner.port }, session);
}

/**
 * A server bound to every interface records the wildcard address; the loopback address of
 * the same family reaches it. A `-` prefix marks an optional bind address in redis.conf.
 */
function connectableHost(host: string | null): string {
  const address = (host ?? "").replace(/^-/, "");
  if (address === "" || address === "*" || address === "0.0.0.0") return "127.0.0.1";
  if (address === "::" || address === "::*") return "::1";
  return address;
}
