import { describe, expect, it } from "vitest";
import type { ClientSession } from "../client-session.js";
import { detachedHost } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

/** A harness whose host lists several connected clients and records kills. */
function withClients(count: number): { h: TestHarness; others: ClientSession[]; killed: ClientSession[] } {
  const h = new TestHarness();
  const others: ClientSession[] = [];
  const killed: ClientSession[] = [];
  for (let i = 0; i < count; i++) {
    const client = h.engine.createClient();
    client.remoteAddress = `10.0.0.${i + 1}:5000`;
    client.localAddress = "127.0.0.1:6379";
    others.push(client);
  }
  h.client.remoteAddress = "127.0.0.1:40000";
  h.client.localAddress = "127.0.0.1:6379";
  const all = [h.client, ...others];
  h.engine.host = {
    ...detachedHost,
    clients: () => all.filter((client) => !killed.includes(client)),
    killClient: (client) => void killed.push(client),
  };
  return { h, others, killed };
}

/** CLIENT LIST's field names of Redis 7.0, in order. */
const CLIENT_FIELDS = [
  "id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "sub", "psub", "ssub", "multi", "qbuf", "qbuf-free",
  "argv-mem", "multi-mem", "rbs", "rbp", "obl", "oll", "omem", "tot-mem", "events", "cmd", "user", "redir", "resp",
];

/** Splits a CLIENT LIST/INFO bulk (or verbatim) reply into lines of field → value. */
function parseClientLines(reply: string): Map<string, string>[] {
  let text = reply.slice(reply.indexOf("\r\n") + 2, -2);
  if (reply.startsWith("=")) text = text.slice(4);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => new Map(line.split(" ").map((field) => [field.slice(0, field.indexOf("=")), field.slice(field.indexOf("=") + 1)])));
}

describe("CLIENT ID / SETNAME / GETNAME", () => {
  it("reports the connection id", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "ID")).toBe(`:${h.client.id}\r\n`);
  });

  it("sets, reads and clears the name", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "GETNAME")).toBe("$-1\r\n");
    expect(h.raw("CLIENT", "SETNAME", "worker-1")).toBe("+OK\r\n");
    expect(h.raw("client", "getname")).toBe("$8\r\nworker-1\r\n");
    expect(h.raw("CLIENT", "SETNAME", "")).toBe("+OK\r\n");
    expect(h.raw("CLIENT", "GETNAME")).toBe("$-1\r\n");
    h.raw("HELLO", "3");
    expect(h.raw("CLIENT", "GETNAME")).toBe("_\r\n");
  });

  it("rejects names with spaces, newlines or bytes outside '!'..'~'", () => {
    const h = new TestHarness();
    for (const name of ["a b", "a\nb", "tab\t", "\x7f", "é"]) {
      expect(h.raw("CLIENT", "SETNAME", name)).toBe("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    }
    expect(h.raw("CLIENT", "SETNAME")).toBe("-ERR wrong number of arguments for 'client|setname' command\r\n");
  });
});

describe("CLIENT INFO / LIST", () => {
  it("describes the caller with Redis 7.0's fields in order", () => {
    const h = new TestHarness();
    h.raw("CLIENT", "SETNAME", "me");
    h.raw("SELECT", "2");
    const reply = h.raw("CLIENT", "INFO");
    expect(reply).toMatch(/^\$\d+\r\nid=/);
    const [line] = parseClientLines(reply);
    expect([...line!.keys()]).toEqual(CLIENT_FIELDS);
    expect(line!.get("id")).toBe(String(h.client.id));
    expect(line!.get("name")).toBe("me");
    expect(line!.get("db")).toBe("2");
    expect(line!.get("flags")).toBe("N");
    expect(line!.get("cmd")).toBe("client|info");
    expect(line!.get("argv-mem")).toBe("10");
    expect(line!.get("user")).toBe("default");
    expect(line!.get("resp")).toBe("2");
  });

  it("is a verbatim string in RESP3", () => {
    const h = new TestHarness();
    h.raw("HELLO", "3");
    const reply = h.raw("CLIENT", "INFO");
    expect(reply).toMatch(/^=\d+\r\ntxt:id=/);
    expect(parseClientLines(reply)[0]!.get("resp")).toBe("3");
  });

  it("lists every client, filtered by type or ids", () => {
    const { h, others } = withClients(2);
    others[0]!.lastCommand = "get";
    const all = parseClientLines(h.raw("CLIENT", "LIST"));
    expect(all.map((line) => line.get("id"))).toEqual([h.client, ...others].map((client) => String(client.id)));
    expect(all[1]!.get("addr")).toBe("10.0.0.1:5000");
    expect(all[1]!.get("cmd")).toBe("get");
    expect(all[2]!.get("cmd")).toBe("NULL");
    expect(parseClientLines(h.raw("CLIENT", "LIST", "TYPE", "normal"))).toHaveLength(3);
    expect(h.raw("CLIENT", "LIST", "TYPE", "pubsub")).toBe("$0\r\n\r\n");
    expect(h.raw("CLIENT", "LIST", "TYPE", "replica")).toBe("$0\r\n\r\n");
    const byId = parseClientLines(h.raw("CLIENT", "LIST", "ID", String(others[1]!.id), "999", String(others[1]!.id)));
    expect(byId.map((line) => line.get("id"))).toEqual([String(others[1]!.id), String(others[1]!.id)]);
  });

  it("gives Redis's errors for bad filters", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "LIST", "TYPE", "foo")).toBe("-ERR Unknown client type 'foo'\r\n");
    expect(h.raw("CLIENT", "LIST", "ID", "1", "x")).toBe("-ERR Invalid client ID\r\n");
    expect(h.raw("CLIENT", "LIST", "ID")).toBe("-ERR syntax error\r\n");
    expect(h.raw("CLIENT", "LIST", "FOO")).toBe("-ERR syntax error\r\n");
    expect(h.raw("CLIENT", "LIST", "TYPE", "normal", "x")).toBe("-ERR syntax error\r\n");
  });

  it("shows NO-EVICT as flag e", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "NO-EVICT", "on")).toBe("+OK\r\n");
    expect(parseClientLines(h.raw("CLIENT", "INFO"))[0]!.get("flags")).toBe("e");
    expect(h.raw("CLIENT", "NO-EVICT", "OFF")).toBe("+OK\r\n");
    expect(parseClientLines(h.raw("CLIENT", "INFO"))[0]!.get("flags")).toBe("N");
    expect(h.raw("CLIENT", "NO-EVICT", "maybe")).toBe("-ERR syntax error\r\n");
  });
});

describe("CLIENT KILL", () => {
  it("old form: kills by address, OK or 'No such client'", () => {
    const { h, others, killed } = withClients(2);
    expect(h.raw("CLIENT", "KILL", "10.0.0.2:5000")).toBe("+OK\r\n");
    expect(killed).toEqual([others[1]]);
    expect(h.raw("CLIENT", "KILL", "10.0.0.2:5000")).toBe("-ERR No such client\r\n");
    // The old form may target the caller, which is closed after this reply.
    expect(h.raw("CLIENT", "KILL", "127.0.0.1:40000")).toBe("+OK\r\n");
    expect(h.client.closeAfterReply).toBe(true);
  });

  it("filter form: counts kills and skips the caller unless SKIPME no", () => {
    const { h, others, killed } = withClients(3);
    expect(h.raw("CLIENT", "KILL", "ID", String(others[0]!.id))).toBe(":1\r\n");
    expect(h.raw("CLIENT", "KILL", "ID", "987654")).toBe(":0\r\n");
    expect(h.raw("CLIENT", "KILL", "ADDR", "10.0.0.2:5000", "LADDR", "127.0.0.1:6379")).toBe(":1\r\n");
    expect(h.raw("CLIENT", "KILL", "TYPE", "normal", "USER", "default")).toBe(":1\r\n");
    expect(killed).toEqual(others);
    expect(h.client.closeAfterReply).toBe(false);
    expect(h.raw("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no")).toBe(":1\r\n");
    expect(h.client.closeAfterReply).toBe(true);
  });

  it("gives Redis's errors for bad filters", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "KILL", "ID", "x")).toBe("-ERR client-id should be greater than 0\r\n");
    expect(h.raw("CLIENT", "KILL", "ID", "0")).toBe("-ERR client-id should be greater than 0\r\n");
    expect(h.raw("CLIENT", "KILL", "TYPE", "foo")).toBe("-ERR Unknown client type 'foo'\r\n");
    expect(h.raw("CLIENT", "KILL", "USER", "nobody")).toBe("-ERR No such user 'nobody'\r\n");
    expect(h.raw("CLIENT", "KILL", "SKIPME", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("CLIENT", "KILL", "FOO", "bar")).toBe("-ERR syntax error\r\n");
    expect(h.raw("CLIENT", "KILL", "ID", "5", "SKIPME")).toBe("-ERR syntax error\r\n");
    expect(h.raw("CLIENT", "KILL", "ID")).toBe("-ERR No such client\r\n");
  });
});

describe("CLIENT SETINFO (Redis 7.2)", () => {
  it("stores the library name and version", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "SETINFO", "LIB-NAME", "node-redis")).toBe("+OK\r\n");
    expect(h.raw("CLIENT", "SETINFO", "lib-ver", "5.8.0")).toBe("+OK\r\n");
    expect(h.client.libName).toBe("node-redis");
    expect(h.client.libVersion).toBe("5.8.0");
  });

  it("gives Redis 7.2's errors", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "SETINFO", "LIB-FOO", "x")).toBe("-ERR Unrecognized option 'LIB-FOO'\r\n");
    expect(h.raw("CLIENT", "SETINFO", "lib-name", "a b")).toBe("-ERR lib-name cannot contain spaces, newlines or special characters.\r\n");
    expect(h.raw("CLIENT", "SETINFO", "lib-name")).toBe("-ERR wrong number of arguments for 'client|setinfo' command\r\n");
  });

  it("is described by COMMAND INFO and COMMAND DOCS like Redis 7.2 does", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "INFO", "client|setinfo")).toBe(
      "*1\r\n*10\r\n$14\r\nclient|setinfo\r\n:4\r\n*3\r\n+noscript\r\n+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*2\r\n+@slow\r\n+@connection\r\n" +
        "*2\r\n$24\r\nrequest_policy:all_nodes\r\n$29\r\nresponse_policy:all_succeeded\r\n*0\r\n*0\r\n",
    );
    const docs = h.raw("COMMAND", "DOCS", "client|setinfo");
    expect(docs).toContain("$7\r\nsummary\r\n$54\r\nSets information specific to the client or connection.\r\n");
    expect(docs).toContain("$5\r\nsince\r\n$5\r\n7.2.0\r\n");
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "PATTERN", "client|setinfo")).toBe("*1\r\n$14\r\nclient|setinfo\r\n");
  });
});

describe("CLIENT HELP and unknown subcommands", () => {
  it("prints Redis 7.0.15's help", () => {
    const h = new TestHarness();
    const help = h.raw("CLIENT", "HELP");
    expect(help.startsWith("*48\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CACHING (YES|NO)\r\n")).toBe(true);
    expect(help.endsWith("+NO-EVICT (ON|OFF)\r\n+    Protect current client connection from eviction.\r\n+HELP\r\n+    Prints this help.\r\n")).toBe(true);
  });

  it("rejects unknown subcommands", () => {
    const h = new TestHarness();
    expect(h.raw("CLIENT", "FOO")).toBe("-ERR unknown subcommand 'FOO'. Try CLIENT HELP.\r\n");
    expect(h.raw("CLIENT")).toBe("-ERR wrong number of arguments for 'client' command\r\n");
  });
});
