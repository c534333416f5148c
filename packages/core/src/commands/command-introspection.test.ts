import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TestHarness } from "../test-support/harness.js";

/** Replies captured from redis-server 7.0.15 (the differential test checks the same against a live server). */
const captured = JSON.parse(readFileSync(new URL("./command-introspection.redis-7.0.15.json", import.meta.url), "latin1")) as Record<
  "resp2" | "resp3",
  Record<string, string>
>;

function harness(protocol: 2 | 3): TestHarness {
  const h = new TestHarness();
  if (protocol === 3) h.raw("HELLO", "3");
  return h;
}

describe.each([2, 3] as const)("COMMAND INFO / DOCS are Redis's bytes (RESP%i)", (protocol) => {
  const expected = captured[`resp${protocol}`];

  it("COMMAND INFO get set", () => {
    expect(harness(protocol).raw("COMMAND", "INFO", "get", "set")).toBe(expected["COMMAND INFO get set"]);
  });

  it("COMMAND DOCS get", () => {
    expect(harness(protocol).raw("COMMAND", "DOCS", "get")).toBe(expected["COMMAND DOCS get"]);
  });

  it("COMMAND INFO of a subcommand by its full name", () => {
    expect(harness(protocol).raw("COMMAND", "INFO", "config|get")).toBe(expected["COMMAND INFO config|get"]);
  });
});

describe("COMMAND INFO", () => {
  it("replies a null entry for unknown names, and is case-insensitive", () => {
    const h = new TestHarness();
    const get = captured.resp2["COMMAND INFO get set"]!.slice("*2\r\n".length, captured.resp2["COMMAND INFO get set"]!.indexOf("*10\r\n$3\r\nset"));
    expect(h.raw("COMMAND", "INFO", "nosuch", "GET")).toBe(`*2\r\n$-1\r\n${get}`);
    h.raw("HELLO", "3");
    expect(h.raw("COMMAND", "INFO", "nosuch")).toBe("*1\r\n_\r\n");
    expect(h.raw("COMMAND", "INFO", "config|nosuch", "get|x", "a|b|c")).toBe("*3\r\n_\r\n_\r\n_\r\n");
  });

  it("lists every served command without arguments, as COMMAND does", () => {
    const h = new TestHarness();
    const count = h.engine.commands.size;
    expect(h.raw("COMMAND", "COUNT")).toBe(`:${count}\r\n`);
    const all = h.raw("COMMAND");
    expect(all.startsWith(`*${count}\r\n*10\r\n`)).toBe(true);
    expect(h.raw("COMMAND", "INFO")).toBe(all);
  });

  it("describes a container with the subcommands kv serves", () => {
    const h = new TestHarness();
    const reply = h.raw("COMMAND", "INFO", "config");
    expect(reply.startsWith("*1\r\n*10\r\n$6\r\nconfig\r\n:-2\r\n")).toBe(true);
    expect(reply).toContain("*5\r\n*10\r\n");
    for (const sub of ["config|get", "config|set", "config|resetstat", "config|rewrite", "config|help"]) expect(reply).toContain(`$${sub.length}\r\n${sub}\r\n`);
  });
});

describe("COMMAND DOCS", () => {
  it("leaves unknown names out of the map", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "DOCS", "nosuch")).toBe("*0\r\n");
    expect(h.raw("COMMAND", "DOCS", "nosuch", "get")).toBe(captured.resp2["COMMAND DOCS get"]);
    h.raw("HELLO", "3");
    expect(h.raw("COMMAND", "DOCS", "nosuch")).toBe("%0\r\n");
  });

  it("documents every served command without arguments", () => {
    const h = new TestHarness();
    h.raw("HELLO", "3");
    expect(h.raw("COMMAND", "DOCS").startsWith(`%${h.engine.commands.size}\r\n`)).toBe(true);
  });

  it("lists only served subcommands inside a container's docs", () => {
    const h = new TestHarness();
    const docs = h.raw("COMMAND", "DOCS", "client");
    expect(docs).toContain("$14\r\nclient|setname\r\n");
    expect(docs).not.toContain("client|tracking");
  });
});

describe("COMMAND LIST", () => {
  it("lists containers followed by their subcommands", () => {
    const h = new TestHarness();
    const names = h.run("COMMAND", "LIST");
    expect(names.type).toBe("array");
    const list = (names as { value: { value: Buffer }[] }).value.map((item) => item.value.toString("latin1"));
    const at = list.indexOf("config");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(list.slice(at + 1, at + 6).every((name) => name.startsWith("config|"))).toBe(true);
    expect(list).toContain("get");
    expect(list).toContain("client|setinfo");
  });

  it("filters by pattern (case-insensitive), ACL category and module", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "PATTERN", "CONFIG|G*")).toBe("*1\r\n$10\r\nconfig|get\r\n");
    const connection = h.run("COMMAND", "LIST", "FILTERBY", "ACLCAT", "Connection");
    const names = (connection as { value: { value: Buffer }[] }).value.map((item) => item.value.toString("latin1"));
    expect(names).toContain("ping");
    expect(names).toContain("client|id");
    expect(names).not.toContain("get");
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "ACLCAT", "nosuch")).toBe("*0\r\n");
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "MODULE", "anything")).toBe("*0\r\n");
  });

  it("rejects malformed filters", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "LIST", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("COMMAND", "LIST", "FILTERBY")).toBe("-ERR syntax error\r\n");
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "FOO", "x")).toBe("-ERR syntax error\r\n");
    expect(h.raw("COMMAND", "LIST", "FILTERBY", "PATTERN", "x", "y")).toBe("-ERR syntax error\r\n");
  });
});

describe("COMMAND GETKEYS / GETKEYSANDFLAGS", () => {
  it("finds keys from the key specs", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "GETKEYS", "get", "a")).toBe("*1\r\n$1\r\na\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2")).toBe("*2\r\n$1\r\na\r\n$1\r\nb\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "del", "a", "b", "c")).toBe("*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
    expect(h.raw("COMMAND", "GETKEYSANDFLAGS", "rename", "a", "b")).toBe(
      "*2\r\n*2\r\n$1\r\na\r\n*3\r\n+RW\r\n+access\r\n+delete\r\n*2\r\n$1\r\nb\r\n*2\r\n+OW\r\n+update\r\n",
    );
  });

  it("uses Redis's per-command finders where flags depend on the arguments", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v")).toBe("*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n");
    expect(h.raw("COMMAND", "GETKEYSANDFLAGS", "set", "k", "v", "get")).toBe("*1\r\n*2\r\n$1\r\nk\r\n*3\r\n+RW\r\n+access\r\n+update\r\n");
  });

  it("gives Redis's errors", () => {
    const h = new TestHarness();
    expect(h.raw("COMMAND", "GETKEYS", "nosuch", "a")).toBe("-ERR Invalid command specified\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "ping", "x")).toBe("-ERR The command has no key arguments\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "client", "list")).toBe("-ERR The command has no key arguments\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "get", "a", "b")).toBe("-ERR Invalid number of arguments specified for command\r\n");
    expect(h.raw("COMMAND", "GETKEYS", "get")).toBe("-ERR wrong number of arguments for 'command|getkeys' command\r\n");
  });
});

describe("COMMAND HELP", () => {
  it("prints Redis 7.0.15's help", () => {
    const h = new TestHarness();
    const help = h.raw("COMMAND", "HELP");
    expect(help.startsWith("*21\r\n+COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+(no subcommand)\r\n")).toBe(true);
    expect(help.endsWith("+GETKEYSANDFLAGS <full-command>\r\n+    Return the keys and the access flags from a full Redis command.\r\n+HELP\r\n+    Prints this help.\r\n")).toBe(true);
  });
});
