import * as nodeFs from "node:fs";
import { cpSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { AppendOnlyFile, type AofRewriteStep, type AppendOnlyFileOptions } from "./append-only-file.js";
import type { AofFileSystem } from "./aof-file-system.js";
import { ModelEngine, type ModelEntry } from "./test-support/model-engine.js";
import { RecordingLogger } from "./test-support/recording-logger.js";
import { resp } from "./test-support/resp.js";
import { makeTempDir } from "./test-support/temp-dir.js";

/** A server in miniature: the model engine executes, then the command is logged and flushed. */
class MiniServer {
  readonly engine = new ModelEngine();
  readonly aof: AppendOnlyFile;

  constructor(
    readonly dir: string,
    options: Partial<AppendOnlyFileOptions> = {},
  ) {
    this.aof = new AppendOnlyFile({ dir, appendFsync: "no", logger: new RecordingLogger(), ...options });
    this.aof.load(this.engine);
  }

  write(db: number, ...args: string[]): void {
    this.aof.append(db, this.engine.run(db, args));
    this.aof.flush();
  }

  rewrite(): Promise<void> {
    return this.aof.rewrite((emit) => this.engine.snapshot(emit));
  }
}

function loadState(dir: string): Record<string, Record<string, ModelEntry>> {
  const engine = new ModelEngine();
  const aof = new AppendOnlyFile({ dir, appendFsync: "no", logger: new RecordingLogger() });
  aof.load(engine);
  aof.close();
  return engine.state();
}

/** Real files; the rewrite's fdatasync of the new base waits until `release()`. */
function gatedFs() {
  let open: () => void = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let gated = false;
  const fileSystem: AofFileSystem = {
    ...nodeFs,
    fdatasync(fd, callback) {
      if (!gated) return nodeFs.fdatasync(fd, callback);
      void gate.then(() => nodeFs.fdatasync(fd, callback));
    },
  };
  return {
    fileSystem,
    arm: () => (gated = true),
    release: () => open(),
  };
}

const aofFiles = (dir: string) => readdirSync(join(dir, "appendonlydir")).sort();
const readAof = (dir: string, name: string) => readFileSync(join(dir, "appendonlydir", name), "latin1");

describe("AppendOnlyFile.rewrite", () => {
  it("writes a new base, keeps writes made during the rewrite in the new incr, and deletes the old files", async () => {
    const dir = makeTempDir();
    const gate = gatedFs();
    const server = new MiniServer(dir, { fileSystem: gate.fileSystem });
    server.write(0, "SET", "a", "1");
    server.write(0, "SET", "a", "2");
    server.write(2, "SET", "b", "x", "PXAT", "4102444800000");
    server.write(0, "DEL", "gone");

    gate.arm();
    const rewriting = server.rewrite();
    expect(server.aof.info().aof_rewrite_in_progress).toBe(1);
    // The switch to incr 2 happened synchronously; the manifest still lists the old files too.
    expect(readAof(dir, "appendonly.aof.manifest")).toBe(
      "file appendonly.aof.1.base.aof seq 1 type b\n" +
        "file appendonly.aof.1.incr.aof seq 1 type i\n" +
        "file appendonly.aof.2.incr.aof seq 2 type i\n",
    );
    server.write(2, "SET", "during", "1");
    server.write(2, "INCR", "counter");
    await expect(server.rewrite()).rejects.toThrow("Background append only file rewriting already in progress");
    gate.release();
    await rewriting;
    server.write(0, "SET", "after", "1");

    expect(readAof(dir, "appendonly.aof.manifest")).toBe(
      "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n",
    );
    expect(aofFiles(dir)).toEqual(["appendonly.aof.2.base.aof", "appendonly.aof.2.incr.aof", "appendonly.aof.manifest"]);
    // The base is exactly the snapshot taken when rewrite() was called.
    expect(readAof(dir, "appendonly.aof.2.base.aof")).toBe(
      resp(["SELECT", "0"], ["SET", "a", "2"], ["SELECT", "2"], ["SET", "b", "x", "PXAT", "4102444800000"]).toString("latin1"),
    );
    // The new incr starts with a SELECT even though db 2 was the last one logged before the switch.
    expect(readAof(dir, "appendonly.aof.2.incr.aof")).toBe(
      resp(["SELECT", "2"], ["SET", "during", "1"], ["INCR", "counter"], ["SELECT", "0"], ["SET", "after", "1"]).toString(
        "latin1",
      ),
    );

    const info = server.aof.info();
    expect(info).toMatchObject({ aof_rewrite_in_progress: 0, aof_last_bgrewrite_status: "ok", aof_rewrites: 1 });
    expect(info.aof_base_size).toBeGreaterThan(0);
    expect(info.aof_current_size).toBe(
      statSync(join(dir, "appendonlydir", "appendonly.aof.2.base.aof")).size +
        statSync(join(dir, "appendonlydir", "appendonly.aof.2.incr.aof")).size,
    );
    server.aof.close();
    expect(loadState(dir)).toEqual(server.engine.state());
  });

  it("chains rewrites and keeps numbering like Redis", async () => {
    const dir = makeTempDir();
    const server = new MiniServer(dir);
    for (let round = 1; round <= 3; round++) {
      server.write(0, "SET", `k${round}`, String(round));
      await server.rewrite();
    }
    expect(readAof(dir, "appendonly.aof.manifest")).toBe(
      "file appendonly.aof.4.base.aof seq 4 type b\nfile appendonly.aof.4.incr.aof seq 4 type i\n",
    );
    server.aof.close();
    expect(loadState(dir)).toEqual(server.engine.state());
  });

  it("leaves a loadable, complete set after a crash at every step", async () => {
    const dir = makeTempDir();
    const crashCopies = new Map<AofRewriteStep, { path: string; expected: ReturnType<ModelEngine["state"]> }>();
    const gate = gatedFs();
    const server: MiniServer = new MiniServer(dir, {
      fileSystem: gate.fileSystem,
      onRewriteStep(step) {
        // Everything flushed is in the page cache, so a copy now is what a killed process leaves behind.
        const path = makeTempDir("kv-aof-crash-");
        cpSync(join(dir, "appendonlydir"), join(path, "appendonlydir"), { recursive: true });
        crashCopies.set(step, { path, expected: server.engine.state() });
      },
    });
    server.write(0, "SET", "a", "1");
    server.write(1, "SET", "b", "2");
    gate.arm();
    const rewriting = server.rewrite();
    server.write(1, "SET", "c", "3"); // after incr-opened and base-written, before base-synced
    server.write(0, "DEL", "a");
    gate.release();
    await rewriting;

    expect([...crashCopies.keys()]).toEqual(["incr-opened", "base-written", "base-synced", "base-installed", "history-deleted"]);
    for (const [step, copy] of crashCopies) {
      expect({ step, state: loadState(copy.path) }).toEqual({ step, state: copy.expected });
    }
    // The copy taken with the temp base in place must not keep it around after a restart.
    expect(aofFiles(crashCopies.get("base-written")!.path)).not.toContainEqual(expect.stringMatching(/^temp-/));
    server.aof.close();
  });

  it("keeps a loadable set and reports err when the snapshot throws", async () => {
    const dir = makeTempDir();
    const server = new MiniServer(dir);
    server.write(0, "SET", "a", "1");
    await expect(
      server.aof.rewrite(() => {
        throw new Error("snapshot exploded");
      }),
    ).rejects.toThrow("snapshot exploded");
    expect(server.aof.info()).toMatchObject({
      aof_last_bgrewrite_status: "err",
      aof_rewrite_in_progress: 0,
      aof_rewrites_consecutive_failures: 1,
    });
    // Like a failed Redis AOFRW: an extra incr file, no temp file.
    expect(aofFiles(dir)).toEqual([
      "appendonly.aof.1.base.aof",
      "appendonly.aof.1.incr.aof",
      "appendonly.aof.2.incr.aof",
      "appendonly.aof.manifest",
    ]);
    server.write(0, "SET", "b", "2");
    expect(loadState(dir)).toEqual(server.engine.state());

    await server.rewrite();
    expect(aofFiles(dir)).toEqual(["appendonly.aof.2.base.aof", "appendonly.aof.3.incr.aof", "appendonly.aof.manifest"]);
    expect(server.aof.info()).toMatchObject({ aof_last_bgrewrite_status: "ok", aof_rewrites_consecutive_failures: 0 });
    server.aof.close();
    expect(loadState(dir)).toEqual(server.engine.state());
  });

  it("fails the rewrite when the base cannot be fdatasync'ed, removing its temp file", async () => {
    const dir = makeTempDir();
    let failFdatasync = false;
    const fileSystem: AofFileSystem = {
      ...nodeFs,
      fdatasync(fd, callback) {
        if (failFdatasync) callback(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }));
        else nodeFs.fdatasync(fd, callback);
      },
    };
    const server = new MiniServer(dir, { fileSystem });
    server.write(0, "SET", "a", "1");
    failFdatasync = true;
    await expect(server.rewrite()).rejects.toThrow("EIO");
    expect(aofFiles(dir).some((name) => name.startsWith("temp-"))).toBe(false);
    expect(server.aof.info().aof_last_bgrewrite_status).toBe("err");
    expect(loadState(dir)).toEqual(server.engine.state());
  });

  it("abandons a rewrite cut short by close() and leaves a loadable set", async () => {
    const dir = makeTempDir();
    const gate = gatedFs();
    const server = new MiniServer(dir, { fileSystem: gate.fileSystem });
    server.write(0, "SET", "a", "1");
    gate.arm();
    const rewriting = server.rewrite();
    server.write(0, "SET", "b", "2");
    server.aof.close();
    gate.release();
    await expect(rewriting).rejects.toThrow("closed during the rewrite");
    expect(aofFiles(dir).some((name) => name.startsWith("temp-"))).toBe(false);
    expect(loadState(dir)).toEqual(server.engine.state());
  });

  it("rejects use of the snapshot emitter after the snapshot returned", async () => {
    const dir = makeTempDir();
    const server = new MiniServer(dir);
    let leaked: ((args: readonly string[]) => void) | undefined;
    await server.aof.rewrite((emit) => (leaked = emit));
    expect(() => leaked!(["SET", "late", "1"])).toThrow("used after the snapshot returned");
    server.aof.close();
  });

  it("shouldAutoRewrite follows auto-aof-rewrite-percentage and -min-size", async () => {
    const dir = makeTempDir();
    const server = new MiniServer(dir, { autoRewriteMinSize: 1000, autoRewritePercentage: 100 });
    const value = "v".repeat(100);
    let writes = 0;
    while (server.aof.info().aof_current_size <= 1000) {
      expect(server.aof.shouldAutoRewrite()).toBe(false);
      server.write(0, "SET", `k${writes++ % 3}`, value);
    }
    // Base size is 0 after a fresh start: any growth past min-size triggers.
    expect(server.aof.shouldAutoRewrite()).toBe(true);
    await server.rewrite();
    const { aof_base_size: base } = server.aof.info();
    expect(server.aof.shouldAutoRewrite()).toBe(false);
    const grownEnough = () => server.aof.info().aof_current_size >= 2 * base && server.aof.info().aof_current_size > 1000;
    while (!grownEnough()) {
      expect(server.aof.shouldAutoRewrite()).toBe(false);
      server.write(0, "SET", `k${writes++ % 3}`, value);
    }
    expect(server.aof.shouldAutoRewrite()).toBe(true);
    server.aof.autoRewritePercentage = 0;
    expect(server.aof.shouldAutoRewrite()).toBe(false);
    server.aof.close();
  });

  it("does not block the event loop while the new base is fdatasync'ed", async () => {
    const dir = makeTempDir();
    const gate = gatedFs();
    const server = new MiniServer(dir, { fileSystem: gate.fileSystem });
    server.write(0, "SET", "a", "1");
    gate.arm();
    const rewriting = server.rewrite();
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    await sleep(30);
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(3);
    gate.release();
    await rewriting;
    server.aof.close();
  });
});
