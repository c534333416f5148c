import type { Reply } from "@kv/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CliError, ConnectionClosedError } from "./command-runner.js";
import { NetworkClient } from "./network-client.js";
import { freePort, sendCommand, startRedisServer, type ServerProcess } from "./test-support/processes.js";

const bulk = (text: string) => ({ type: "bulk", value: Buffer.from(text, "latin1") });

describe("NetworkClient against redis-server", () => {
  let redis: ServerProcess;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  const address = () => ({ host: "127.0.0.1", port: redis.port });

  it("sends byte strings as they are", async () => {
    const client = await NetworkClient.connect(address());
    try {
      expect(await client.run(["SET", "bytes", "\x00\xff\xc3\xa9"])).toEqual({ type: "simple", value: "OK" });
      expect(await client.run(["GET", "bytes"])).toEqual({ type: "bulk", value: Buffer.from([0x00, 0xff, 0xc3, 0xa9]) });
    } finally {
      await client.close();
    }
  });

  it("skips an attribute and hands over pushes that do not answer the command", async () => {
    const client = await NetworkClient.connect(address(), { protocol: 3 });
    const unsolicited: Reply[] = [];
    client.onUnsolicitedReply = (reply) => unsolicited.push(reply);
    try {
      expect(await client.run(["DEBUG", "PROTOCOL", "attrib"])).toEqual(bulk("Some real reply following the attribute"));
      expect(await client.run(["DEBUG", "PROTOCOL", "push"])).toEqual(bulk("Some real reply following the push reply"));
      expect(unsolicited).toEqual([{ type: "push", value: [bulk("server-cpu-usage"), { type: "integer", value: 42n }] }]);
    } finally {
      await client.close();
    }
  });

  it("answers SUBSCRIBE with its first confirmation and passes on the others (RESP3)", async () => {
    const client = await NetworkClient.connect(address(), { protocol: 3 });
    const unsolicited: Reply[] = [];
    client.onUnsolicitedReply = (reply) => unsolicited.push(reply);
    try {
      const first = await client.run(["SUBSCRIBE", "a", "b"]);
      expect(first).toEqual({ type: "push", value: [bulk("subscribe"), bulk("a"), { type: "integer", value: 1n }] });
      await expect.poll(() => unsolicited.length).toBe(1);
      expect(await client.run(["PING"])).toEqual({ type: "simple", value: "PONG" });
    } finally {
      await client.close();
    }
  });

  it("reconnects after the server closed the connection, back in the selected database", async () => {
    const client = await NetworkClient.connect(address(), { database: 1 });
    try {
      await client.run(["SELECT", "4"]);
      await client.run(["SET", "in-four", "yes"]);
      const closed = client.waitForClose();
      await client.run(["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"]).catch(() => undefined);
      await closed;
      expect(await client.run(["GET", "in-four"])).toEqual(bulk("yes"));
    } finally {
      await client.close();
    }
    expect(await sendCommand(redis.port, ["GET", "in-four"])).toEqual({ type: "null" });
  });

  it("rejects pending commands when the connection drops", async () => {
    const client = await NetworkClient.connect(address());
    const pending = client.run(["BLPOP", "never-pushed", "0"]);
    // Attach the expectation first: the kill can reject `pending` before sendCommand resolves.
    const rejected = expect(pending).rejects.toBeInstanceOf(ConnectionClosedError);
    await sendCommand(redis.port, ["CLIENT", "KILL", "TYPE", "normal"]);
    await rejected;
    await client.close();
  });

  it("fails to connect with redis-cli's message", async () => {
    const port = await freePort();
    const failure = NetworkClient.connect({ host: "127.0.0.1", port });
    await expect(failure).rejects.toBeInstanceOf(CliError);
    await expect(failure).rejects.toThrow(`Could not connect to kv at 127.0.0.1:${port}: Connection refused`);
  });
});
