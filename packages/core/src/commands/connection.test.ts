import { describe, expect, it } from "vitest";
import { TestHarness } from "../test-support/harness.js";

/** HELLO's map as redis-server 7.0.15 sends it, for a connection with the given id. */
function helloReply(protocol: 2 | 3, id: number): string {
  const body =
    "$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n" +
    `$5\r\nproto\r\n:${protocol}\r\n$2\r\nid\r\n:${id}\r\n` +
    "$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n";
  return (protocol === 3 ? "%7\r\n" : "*14\r\n") + body;
}

describe("PING / ECHO", () => {
  it("replies PONG or echoes the message", () => {
    const h = new TestHarness();
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("ping", "hi there")).toBe("$8\r\nhi there\r\n");
    expect(h.raw("ECHO", "\x00\xff")).toBe("$2\r\n\x00\xff\r\n");
  });

  it("rejects extra arguments with Redis's arity error", () => {
    const h = new TestHarness();
    expect(h.raw("PING", "a", "b")).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    expect(h.raw("ECHO")).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
    expect(h.raw("ECHO", "a", "b")).toBe("-ERR wrong number of arguments for 'echo' command\r\n");
  });

  it("answers the same in RESP3", () => {
    const h = new TestHarness();
    h.raw("HELLO", "3");
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("PING", "x")).toBe("$1\r\nx\r\n");
  });
});

describe("QUIT", () => {
  it("replies OK and asks the server to close after the reply", () => {
    const h = new TestHarness();
    expect(h.client.closeAfterReply).toBe(false);
    expect(h.raw("QUIT")).toBe("+OK\r\n");
    expect(h.client.closeAfterReply).toBe(true);
  });
});

describe("SELECT", () => {
  it("switches databases", () => {
    const h = new TestHarness();
    h.raw("SET", "k", "zero");
    expect(h.raw("SELECT", "3")).toBe("+OK\r\n");
    expect(h.client.db.index).toBe(3);
    expect(h.raw("GET", "k")).toBe("$-1\r\n");
    expect(h.raw("SELECT", "0")).toBe("+OK\r\n");
    expect(h.raw("GET", "k")).toBe("$4\r\nzero\r\n");
  });

  it("gives Redis's errors for bad indexes", () => {
    const h = new TestHarness();
    expect(h.raw("SELECT", "16")).toBe("-ERR DB index is out of range\r\n");
    expect(h.raw("SELECT", "-1")).toBe("-ERR DB index is out of range\r\n");
    expect(h.raw("SELECT", "x")).toBe("-ERR value is not an integer or out of range\r\n");
    expect(h.raw("SELECT", "01")).toBe("-ERR value is not an integer or out of range\r\n");
    expect(h.raw("SELECT", "1.0")).toBe("-ERR value is not an integer or out of range\r\n");
    expect(h.raw("SELECT", "99999999999")).toBe("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n");
    expect(h.raw("SELECT", "99999999999999999999")).toBe("-ERR value is not an integer or out of range\r\n");
    expect(h.client.db.index).toBe(0);
  });

  it("honours the databases setting", () => {
    const h = new TestHarness({ startupConfig: [["databases", "2"]] });
    expect(h.raw("SELECT", "1")).toBe("+OK\r\n");
    expect(h.raw("SELECT", "2")).toBe("-ERR DB index is out of range\r\n");
  });
});

describe("HELLO", () => {
  it("replies Redis 7.0's map in the protocol asked for", () => {
    const h = new TestHarness();
    const id = h.client.id;
    expect(h.raw("HELLO")).toBe(helloReply(2, id));
    expect(h.raw("HELLO", "3")).toBe(helloReply(3, id));
    expect(h.client.protocol).toBe(3);
    expect(h.raw("HELLO")).toBe(helloReply(3, id));
    expect(h.raw("HELLO", "2")).toBe(helloReply(2, id));
    expect(h.client.protocol).toBe(2);
  });

  it("rejects unsupported and malformed versions", () => {
    const h = new TestHarness();
    expect(h.raw("HELLO", "4")).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(h.raw("HELLO", "1")).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(h.raw("HELLO", "-1")).toBe("-NOPROTO unsupported protocol version\r\n");
    expect(h.raw("HELLO", "x")).toBe("-ERR Protocol version is not an integer or out of range\r\n");
    expect(h.client.protocol).toBe(2);
  });

  it("parses AUTH and SETNAME options with Redis's errors", () => {
    const h = new TestHarness();
    expect(h.raw("HELLO", "3", "FOO")).toBe("-ERR Syntax error in HELLO option 'FOO'\r\n");
    expect(h.raw("HELLO", "3", "AUTH", "default")).toBe("-ERR Syntax error in HELLO option 'AUTH'\r\n");
    expect(h.raw("HELLO", "2", "SETNAME")).toBe("-ERR Syntax error in HELLO option 'SETNAME'\r\n");
    expect(h.raw("HELLO", "2", "SETNAME", "a b")).toBe("-ERR Client names cannot contain spaces, newlines or special characters.\r\n");
    expect(h.client.protocol).toBe(2);
    expect(h.raw("HELLO", "3", "setname", "conn", "auth", "default", "any")).toBe(helloReply(3, h.client.id));
    expect(h.raw("CLIENT", "GETNAME")).toBe("$4\r\nconn\r\n");
    expect(h.raw("HELLO", "2", "AUTH", "nobody", "x")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
  });
});

describe("AUTH", () => {
  it("without requirepass: the one-argument form is an error, the default user takes any password", () => {
    const h = new TestHarness();
    expect(h.raw("AUTH", "x")).toBe(
      "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n",
    );
    expect(h.raw("AUTH", "default", "whatever")).toBe("+OK\r\n");
    expect(h.raw("AUTH", "other", "x")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(h.raw("AUTH", "a", "b", "c")).toBe("-ERR syntax error\r\n");
  });

  it("with requirepass: NOAUTH before AUTH, WRONGPASS for a wrong password, then OK", () => {
    const h = new TestHarness({ startupConfig: [["requirepass", "s3cret"]] });
    expect(h.raw("PING")).toBe("-NOAUTH Authentication required.\r\n");
    expect(h.raw("GET", "k")).toBe("-NOAUTH Authentication required.\r\n");
    expect(h.raw("AUTH", "wrong")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(h.raw("AUTH", "default", "s3cre")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(h.raw("AUTH", "admin", "s3cret")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(h.raw("PING")).toBe("-NOAUTH Authentication required.\r\n");
    expect(h.raw("AUTH", "s3cret")).toBe("+OK\r\n");
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("AUTH", "default", "s3cret")).toBe("+OK\r\n");
  });

  it("with requirepass: HELLO needs AUTH first or its AUTH option", () => {
    const h = new TestHarness({ startupConfig: [["requirepass", "pw"]] });
    expect(h.raw("HELLO", "3")).toBe(
      "-NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time\r\n",
    );
    expect(h.raw("HELLO", "3", "AUTH", "default", "nope")).toBe("-WRONGPASS invalid username-password pair or user is disabled.\r\n");
    expect(h.client.protocol).toBe(2);
    expect(h.raw("HELLO", "3", "AUTH", "default", "pw")).toBe(helloReply(3, h.client.id));
    expect(h.raw("PING")).toBe("+PONG\r\n");
  });

  it("counts failed authentications in INFO errorstats", () => {
    const h = new TestHarness({ startupConfig: [["requirepass", "pw"]] });
    h.raw("AUTH", "bad");
    h.raw("AUTH", "pw");
    expect(h.raw("INFO", "errorstats")).toContain("errorstat_WRONGPASS:count=1\r\n");
  });

  it("clearing requirepass lets waiting clients in", () => {
    const clients: ReturnType<TestHarness["engine"]["createClient"]>[] = [];
    const h = new TestHarness({ startupConfig: [["requirepass", "pw"]] });
    h.engine.host = { ...h.engine.host, clients: () => clients };
    const waiting = h.engine.createClient();
    clients.push(h.client, waiting);
    h.raw("AUTH", "pw");
    expect(h.raw("CONFIG", "SET", "requirepass", "")).toBe("+OK\r\n");
    expect(h.rawAs(waiting, "PING")).toBe("+PONG\r\n");
  });
});

describe("RESET", () => {
  it("restores a fresh connection's state", () => {
    const h = new TestHarness();
    h.raw("HELLO", "3", "SETNAME", "someone");
    h.raw("SELECT", "4");
    const hooked: number[] = [];
    h.engine.clientResetHooks.push((client) => hooked.push(client.id));
    expect(h.raw("RESET")).toBe("+RESET\r\n");
    expect(hooked).toEqual([h.client.id]);
    expect(h.client.protocol).toBe(2);
    expect(h.client.db.index).toBe(0);
    expect(h.raw("CLIENT", "GETNAME")).toBe("$-1\r\n");
  });

  it("deauthenticates when a password is required", () => {
    const h = new TestHarness({ startupConfig: [["requirepass", "pw"]] });
    h.raw("AUTH", "pw");
    expect(h.raw("RESET")).toBe("+RESET\r\n");
    expect(h.raw("PING")).toBe("-NOAUTH Authentication required.\r\n");
  });
});
