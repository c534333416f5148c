import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Cleanups } from "./support/cleanups.js";
import { readManifest } from "./support/aof-files.js";
import { callOk, callValue } from "./support/reply-value.js";
import { kvTargetKind, startKv } from "./support/server.js";
import { pollUntil } from "./support/wait.js";

/*
 * A kill in the middle of an AOF rewrite, at each of its steps, on the real server process:
 * DEBUG AOF-REWRITE-PAUSE (kv's own) holds the rewrite right after a step while clients keep
 * writing, then the process is SIGKILLed. The restart must use a consistent set of files,
 * hold every acknowledged write (appendfsync always) and nothing twice, and leave no
 * temp file behind; a rewrite then runs to the end.
 */

const STEPS = ["incr-opened", "base-partial", "base-written", "base-synced", "base-installed", "history-deleted"] as const;
const cleanups = new Cleanups();
afterEach(async () => {
  await cleanups.run();
});

describe.skipIf(kvTargetKind !== "kv")("a SIGKILL at each step of an AOF rewrite", () => {
  for (const step of STEPS) {
    it(`after ${step}: restarts on a consistent set of files with every acknowledged write`, async () => {
      const server = await startKv({ appendonly: true, appendfsync: "always" });
      cleanups.add(() => server.dispose());
      const client = await server.connect();
      // Enough keys for the walk to take several slices, and collections changed during it.
      for (let batch = 0; batch < 10; batch++) {
        const pairs: string[] = [];
        for (let i = 0; i < 1000; i++) pairs.push(`key:${batch * 1000 + i}`, `value:${i}`);
        await callOk(client, ["MSET", ...pairs]);
      }
      await Promise.all(Array.from({ length: 100 }, (_, i) => callValue(client, ["RPUSH", `list:${i}`, "a", "b"])));
      await callOk(client, ["DEBUG", "AOF-REWRITE-PAUSE", step]);
      const manifestBefore = await readManifest(path.join(server.dir, "appendonlydir"));

      expect(String(await callValue(client, ["BGREWRITEAOF"]))).toMatch(/^Background append only file rewriting started/);
      await pollUntil(() => Promise.resolve(server.logs().includes(`paused after step ${step}`) ? true : undefined), {
        timeoutMs: 20_000,
        intervalMs: 20,
        description: `the rewrite to pause after ${step}`,
      });
      // Acknowledged while the rewrite is held: strings changed and deleted, lists grown in place.
      // Pipelined: each reply is an acknowledgement (group commit keeps it quick under always).
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 200; i++) {
        writes.push(callValue(client, ["SET", `key:${i * 37}`, `changed:${i}`]));
        writes.push(callValue(client, ["DEL", `key:${i * 41 + 7}`]));
        writes.push(callValue(client, ["RPUSH", `list:${i % 100}`, `during:${i}`]));
        writes.push(callValue(client, ["INCR", "counter"]));
      }
      await Promise.all(writes);
      const digest = await callValue(client, ["DEBUG", "DIGEST"]);
      const keys = await callValue(client, ["DBSIZE"]);
      await server.kill();

      await server.restart();
      const after = await server.connect();
      expect(await callValue(after, ["DEBUG", "DIGEST"])).toBe(digest);
      expect(await callValue(after, ["DBSIZE"])).toBe(keys);
      expect(await callValue(after, ["GET", "counter"])).toBe("200");
      expect(await callValue(after, ["LRANGE", "list:3", "0", "-1"])).toEqual(["a", "b", "during:3", "during:103"]);
      const files = await readdir(path.join(server.dir, "appendonlydir"));
      expect(files.filter((name) => name.startsWith("temp-"))).toEqual([]);
      const manifest = await readManifest(path.join(server.dir, "appendonlydir"));
      // Every file the manifest lists exists, and nothing but them (and the manifest) remains.
      expect(files.sort()).toEqual([...manifest.entries.map((entry) => entry.file), manifest.name].sort());
      if (step === "incr-opened" || step === "base-partial" || step === "base-written" || step === "base-synced") {
        expect(manifest.entries.find((entry) => entry.type === "b")?.file).toBe(manifestBefore.entries.find((entry) => entry.type === "b")?.file);
      } else {
        expect(manifest.entries.find((entry) => entry.type === "b")?.file).not.toBe(manifestBefore.entries.find((entry) => entry.type === "b")?.file);
      }

      // And the next rewrite (no pause now: a fresh process) completes, keeping the data.
      expect(String(await callValue(after, ["BGREWRITEAOF"]))).toMatch(/^Background append only file rewriting started/);
      await pollUntil(
        async () => {
          const info = String(await callValue(after, ["INFO", "persistence"]));
          return info.includes("aof_rewrite_in_progress:0") ? true : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 20, description: "the rewrite after restart" },
      );
      expect(await callValue(after, ["DEBUG", "DIGEST"])).toBe(digest);
    });
  }
});
