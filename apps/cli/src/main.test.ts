import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { acquireDirectoryLock } from "@kv/aof";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cliBinary,
  freePort,
  kvServerBinary,
  requireBuiltCli,
  runKv,
  runProgram,
  sendCommand,
  sendCommands,
  startKvServer,
  startRedisServer,
  tempDir,
  testEnv,
  type ServerProcess,
} from "./test-support/processes.js";

/* End-to-end: the built binary (dist/main.js) in separate processes, as users run it. */

beforeAll(() => requireBuiltCli());

const bulk = (text: string) => ({ type: "bulk", value: Buffer.from(text, "latin1") });

describe("embedded mode (no server: the data directory is opened directly)", () => {
  const temp = tempDir();
  const dir = temp.dir;
  afterAll(() => temp.remove());

  it("--set then --get in two processes: the value persisted in the AOF", async () => {
    const set = await runKv(["--dir", dir, "--set", "mykey", "my value"]);
    expect(set).toEqual({ status: 0, stdout: "OK\n", stderr: "" });
    const get = await runKv(["--dir", dir, "--get", "mykey"]);
    expect(get).toEqual({ status: 0, stdout: '"my value"\n', stderr: "" });
    expect(readdirSync(dir)).not.toContain("kv.lock");
  });

  it("prints (nil) for a missing key and exits 0", async () => {
    expect(await runKv(["--dir", dir, "--get", "missing"])).toEqual({ status: 0, stdout: "(nil)\n", stderr: "" });
  });

  it("prints an error reply on stderr and exits 1", async () => {
    const unknown = await runKv(["--dir", dir, "NOSUCHCOMMAND", "a"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr).toBe("(error) ERR unknown command 'NOSUCHCOMMAND', with args beginning with: 'a' \n");
    const wrongType = await runKv(["--dir", dir, "INCR", "mykey"]);
    expect(wrongType.status).toBe(1);
    expect(wrongType.stderr).toBe("(error) ERR value is not an integer or out of range\n");
  });

  it("runs redis-cli style commands, negative numbers included", async () => {
    expect((await runKv(["--dir", dir, "SET", "n", "10"])).stdout).toBe("OK\n");
    expect((await runKv(["--dir", dir, "INCRBY", "n", "-15"])).stdout).toBe("(integer) -5\n");
    expect((await runKv(["--dir", dir, "--set", "neg", "--", "-1"])).stdout).toBe("OK\n");
    expect((await runKv(["--dir", dir, "--get", "neg"])).stdout).toBe('"-1"\n');
    expect((await runKv(["--dir", dir, "--del", "neg", "n", "nope"])).stdout).toBe("(integer) 2\n");
  });

  it("keeps bytes exact: -x reads the last argument from stdin", async () => {
    const value = Buffer.from([0x00, 0xff, 0x22, 0x0a, 0xc3, 0xa9]);
    expect((await runKv(["--dir", dir, "-x", "SET", "bin"], { input: value })).stdout).toBe("OK\n");
    expect((await runKv(["--dir", dir, "GET", "bin"])).stdout).toBe('"\\x00\\xff\\"\\n\\xc3\\xa9"\n');
    expect((await runKv(["--dir", dir, "--raw", "GET", "bin"])).stdout).toBe(`${value.toString("latin1")}\n`);
  });

  it("selects a database with -n", async () => {
    expect((await runKv(["--dir", dir, "-n", "2", "SET", "a", "in two"])).stdout).toBe("OK\n");
    expect((await runKv(["--dir", dir, "GET", "a"])).stdout).toBe("(nil)\n");
    expect((await runKv(["--dir", dir, "-n", "2", "GET", "a"])).stdout).toBe('"in two"\n');
  });

  it("speaks RESP3 with -3", async () => {
    await runKv(["--dir", dir, "SET", "three", "3"]);
    const result = await runKv(["--dir", dir, "-3", "GET", "missing"]);
    expect(result).toEqual({ status: 0, stdout: "(nil)\n", stderr: "" });
    expect((await runKv(["--dir", dir, "-3", "INCR", "three"])).stdout).toBe("(integer) 4\n");
  });

  it("resolves a relative --dir against INIT_CWD, where pnpm was run", async () => {
    const env = testEnv({ INIT_CWD: dir });
    expect((await runKv(["--dir", "nested/data", "--set", "k", "v"], { env, cwd: "/" })).stdout).toBe("OK\n");
    expect(existsSync(path.join(dir, "nested/data"))).toBe(true);
    expect((await runKv(["--dir", path.join(dir, "nested/data"), "--get", "k"])).stdout).toBe('"v"\n');
  });

  it("under pnpm exec (no INIT_CWD) resolves it against the shell's PWD, otherwise against the cwd", async () => {
    const underExec = testEnv({ npm_command: "exec", PWD: dir });
    expect((await runKv(["--dir", "from-pwd", "--set", "k", "v"], { env: underExec, cwd: os.tmpdir() })).stdout).toBe("OK\n");
    expect(existsSync(path.join(dir, "from-pwd"))).toBe(true);
    const plain = testEnv({ PWD: "/nonexistent" });
    delete plain.npm_command;
    expect((await runKv(["--dir", "from-cwd", "--set", "k", "v"], { env: plain, cwd: dir })).stdout).toBe("OK\n");
    expect(existsSync(path.join(dir, "from-cwd"))).toBe(true);
  });

  it("runs piped commands as a session: replies only, errors make the exit status 1", async () => {
    const input = 'SET s 1\nINCR s\n\n2 INCR s\nGET s\nGET "unbalanced\nNOSUCH\nquit\nGET s\n';
    const result = await runKv(["--dir", dir], { input });
    expect(result.stdout).toBe(
      'OK\n(integer) 2\n(integer) 3\n(integer) 4\n"4"\nInvalid argument(s)\n' +
        "(error) ERR unknown command 'NOSUCH', with args beginning with: \n",
    );
    expect(result.status).toBe(1);
    expect((await runKv(["--dir", dir], { input: "GET s\n" })).status).toBe(0);
  });

  it("waits for, then gives up on, a directory held by a process that serves no clients", async () => {
    const lock = acquireDirectoryLock(dir);
    try {
      const result = await runKv(["--dir", dir, "PING"]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`^Data directory .* is in use by process ${process.pid}, .*\\n$`));
    } finally {
      lock.release();
    }
  });
});

describe("usage errors exit 2 with one line on stderr", () => {
  it.each([
    [["--set", "onlykey"]],
    [["--set", "k", "v", "extra"]],
    [["--get", "a", "b"]],
    [["--get", "a", "--del", "b"]],
    [["--bogus"]],
    [["-p", "notaport", "PING"]],
    [["--set", "k", "-1"]],
  ])("kv %j", async (args) => {
    const result = await runKv(args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("--help shows the usage and exits 0", async () => {
    const result = await runKv(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: kv [options] [command [arg ...]]");
  });
});

describe("network mode against redis-server", () => {
  let redis: ServerProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  const p = () => ["-p", String(redis.port)];

  it("--set and --get go to the server", async () => {
    expect(await runKv([...p(), "--set", "mykey", "my value"])).toEqual({ status: 0, stdout: "OK\n", stderr: "" });
    expect(await sendCommand(redis.port, ["GET", "mykey"])).toEqual(bulk("my value"));
    expect(await runKv([...p(), "--get", "mykey"])).toEqual({ status: 0, stdout: '"my value"\n', stderr: "" });
    expect(await runKv([...p(), "GET", "missing"])).toEqual({ status: 0, stdout: "(nil)\n", stderr: "" });
  });

  it("-h and -p, with -n selecting a database", async () => {
    expect((await runKv(["-h", "127.0.0.1", ...p(), "-n", "3", "SET", "db3", "x"])).stdout).toBe("OK\n");
    const { reply } = await sendCommands(redis.port, [["SELECT", "3"], ["GET", "db3"]]);
    expect(reply).toEqual(bulk("x"));
  });

  it("-3 renders RESP3 maps", async () => {
    await sendCommand(redis.port, ["HSET", "h", "field", "value"]);
    expect((await runKv([...p(), "-3", "HGETALL", "h"])).stdout).toBe('1# "field" => "value"\n');
  });

  it("reports a failed AUTH and exits 1", async () => {
    const result = await runKv([...p(), "-a", "secret", "PING"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^AUTH failed: ERR AUTH <password> called without any password configured/);
  });

  it("reports an unreachable server in one line and exits 1", async () => {
    const port = await freePort();
    const result = await runKv(["-p", String(port), "PING"]);
    expect(result).toEqual({ status: 1, stdout: "", stderr: `Could not connect to kv at 127.0.0.1:${port}: Connection refused\n` });
  });

  it.each([["RESP2", []], ["RESP3", ["-3"]]])("prints a piped %s session exactly as redis-cli --no-raw does", async (_, protocol) => {
    const script = [
      "FLUSHALL",
      'SET k "my value"',
      "GET k",
      "GET missing",
      "INCR n",
      "3 INCR n",
      "RPUSH l a b c d e f g h i j k",
      "LRANGE l 0 -1",
      "LRANGE nothing 0 -1",
      "HSET h f v g w",
      "HGETALL h",
      "SADD s 1 2 3",
      "SMEMBERS s",
      "ZADD z 1.5 a 2 b",
      "ZRANGE z 0 -1 WITHSCORES",
      "CONFIG GET maxmemory*",
      "NOSUCHCMD x",
      'GET "unbalanced',
      "   ",
      "SELECT 2",
      "SET x y",
      "SELECT 0",
      "MULTI",
      "INCR n",
      "GET k",
      "EXEC",
      "EVAL \"return {1,{2,{3,'x'}},'a',redis.error_reply('E'),false}\" 0",
      'ECHO "\\xff\\x00\xc3\xa9 \\"q\\""',
      "PING",
      "exit",
      "PING",
    ].join("\n");
    const input = Buffer.from(`${script}\n`, "latin1");
    const expected = await runProgram("redis-cli", ["--no-raw", ...p(), ...protocol], { input });
    const ours = await runKv([...p(), ...protocol], { input });
    expect(ours.stdout).toBe(expected.stdout);
    expect(ours.stderr).toBe("");
    expect(ours.status).toBe(1);
  });

  it("keeps printing after SUBSCRIBE, as redis-cli does", async () => {
    const child = spawn(process.execPath, [cliBinary, ...p(), "SUBSCRIBE", "news"], { env: testEnv() });
    let stdout = "";
    const subscribed = new Promise<void>((resolve) =>
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("latin1");
        if (stdout.includes("(integer) 1")) resolve();
      }),
    );
    await subscribed;
    await sendCommand(redis.port, ["PUBLISH", "news", "hello"]);
    await expect.poll(() => stdout).toContain('"hello"');
    child.kill("SIGTERM");
    expect(stdout).toBe('Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1\n1) "message"\n2) "news"\n3) "hello"\n');
  });

  it("treats SHUTDOWN's hang-up as success", async () => {
    const doomed = await startRedisServer();
    try {
      expect(await runKv(["-p", String(doomed.port), "SHUTDOWN", "NOSAVE"])).toEqual({ status: 0, stdout: "", stderr: "" });
    } finally {
      await doomed.stop();
    }
  });
});

describe.skipIf(!existsSync(kvServerBinary))("against a kv server that holds the data directory", () => {
  const temp = tempDir();
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    server = await startKvServer(temp.dir);
  });
  afterAll(async () => {
    await server?.stop();
    temp.remove();
  });

  it("sends --dir commands to the server instead of opening its files", async () => {
    expect(await runKv(["--dir", temp.dir, "--set", "a", "b"])).toEqual({ status: 0, stdout: "OK\n", stderr: "" });
    expect(await sendCommand(server!.port, ["GET", "a"])).toEqual(bulk("b"));
    await sendCommand(server!.port, ["SET", "from-server", "yes"]);
    expect((await runKv(["--dir", temp.dir, "--get", "from-server"])).stdout).toBe('"yes"\n');
    const session = await runKv(["--dir", temp.dir], { input: "GET a\n" });
    expect(session.stdout).toBe('"b"\n');
  });

  it("opens the same AOF itself once the server is gone", async () => {
    await server!.stop();
    server = undefined;
    expect(await runKv(["--dir", temp.dir, "--get", "a"])).toEqual({ status: 0, stdout: '"b"\n', stderr: "" });
    expect((await runKv(["--dir", temp.dir, "--get", "from-server"])).stdout).toBe('"yes"\n');
  });
});
