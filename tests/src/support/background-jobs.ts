import { readManifest } from "./aof-files.js";
import type { RespConnection } from "./resp-connection.js";
import type { ServerHandle } from "./server.js";
import { callValue } from "./reply-value.js";
import { pollUntil } from "./wait.js";

/** Fields of one INFO section as a map ("loading" -> "0"). */
export async function infoFields(connection: RespConnection, section: string): Promise<Map<string, string>> {
  const value = await callValue(connection, ["INFO", section]);
  const fields = new Map<string, string>();
  if (typeof value !== "string") return fields;
  for (const line of value.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0 && !line.startsWith("#")) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/**
 * Waits until no BGSAVE or AOF rewrite is running (or scheduled), as far as INFO persistence
 * says; a server whose INFO lacks the fields is taken to have nothing running. Redis needs
 * this before DEBUG RELOAD: a BGSAVE child that finishes in between renames its older snapshot
 * over the file DEBUG RELOAD just wrote, and the reload then loads stale data.
 */
export async function waitForBackgroundJobs(connection: RespConnection, timeoutMs = 20_000): Promise<void> {
  await pollUntil(
    async () => {
      const fields = await infoFields(connection, "persistence");
      const busy = ["rdb_bgsave_in_progress", "aof_rewrite_in_progress", "aof_rewrite_scheduled"].some(
        (field) => fields.get(field) !== undefined && fields.get(field) !== "0",
      );
      return busy ? undefined : true;
    },
    { timeoutMs, intervalMs: 10, description: "background save/rewrite to finish" },
  );
}

/** Waits for a BGREWRITEAOF to finish: by INFO when the server reports it, else by the manifest's base file changing. */
export async function waitForRewrite(server: ServerHandle, connection: RespConnection, baseBefore: string | undefined): Promise<void> {
  const fields = await infoFields(connection, "persistence");
  if (fields.has("aof_rewrite_in_progress")) {
    await waitForBackgroundJobs(connection, 60_000);
    return;
  }
  await pollUntil(
    async () => {
      const { entries } = await readManifest(server.aofDir);
      const base = entries.find((entry) => entry.type === "b")?.file;
      return base !== undefined && base !== baseBefore ? true : undefined;
    },
    { timeoutMs: 60_000, description: "the manifest to name a new base file after BGREWRITEAOF" },
  );
}

export async function baseFile(server: ServerHandle): Promise<string | undefined> {
  try {
    return (await readManifest(server.aofDir)).entries.find((entry) => entry.type === "b")?.file;
  } catch {
    return undefined;
  }
}

