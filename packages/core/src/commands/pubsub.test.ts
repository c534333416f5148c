import { afterEach, describe, expect, it, vi } from "vitest";
import type { ClientSession } from "../client-session.js";
import { detachedHost } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";

/*
 * Pub/Sub through the engine with several clients: replies are the exact bytes redis-server
 * 7.0.15 sends (observed with a raw socket); messages to other clients are read from their
 * reply buffers, and the host must be told about each of them.
 */

/** RESP2 array of bulk strings (and one trailing integer when `count` is given). */
function frame(parts: readonly string[], count?: number, header = "*"): string {
  let text = `${header}${parts.length + (count === undefined ? 0 : 1)}\r\n`;
  for (const part of parts) text += `$${part.length}\r\n${part}\r\n`;
  if (count !== undefined) text += `:${count}\r\n`;
  return text;
}

const push = (parts: readonly string[], count?: number): string => frame(parts, count, ">");

/** A harness whose host records which clients were told they have output. */
function harness(): { h: TestHarness; ready: ClientSession[] } {
  const ready: ClientSession[] = [];
  const h = new TestHarness({ host: { ...detachedHost, clientReady: (client) => ready.push(client) } });
  return { h, ready };
}

function pending(client: ClientSession): string {
  return client.reply.take()?.toString("latin1") ?? "";
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UNSUBSCRIBE", () => {
  it("confirms each channel with the running count, repeats included (RESP2)", () => {
    const { h } = harness();
    expect(h.raw("SUBSCRIBE", "a", "b", "a")).toBe(
      frame(["subscribe", "a"], 1) + frame(["subscribe", "b"], 2) + frame(["subscribe", "a"], 2),
    );
    expect(h.raw("PSUBSCRIBE", "p*", "p*")).toBe(frame(["psubscribe", "p*"], 3) + frame(["psubscribe", "p*"], 3));
    // Shard channels are counted on their own.
    expect(h.raw("SSUBSCRIBE", "s1")).toBe(frame(["ssubscribe", "s1"], 1));
    expect(h.raw("UNSUBSCRIBE", "b", "nosuch")).toBe(frame(["unsubscribe", "b"], 2) + frame(["unsubscribe", "nosuch"], 2));
    expect(h.raw("UNSUBSCRIBE")).toBe(frame(["unsubscribe", "a"], 1));
    expect(h.raw("PUNSUBSCRIBE")).toBe(frame(["punsubscribe", "p*"], 0));
    expect(h.raw("SUNSUBSCRIBE")).toBe(frame(["sunsubscribe", "s1"], 0));
  });

  it("answers an unsubscribe-all without subscriptions with a null channel", () => {
    const { h } = harness();
    expect(h.raw("UNSUBSCRIBE")).toBe("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    expect(h.raw("PUNSUBSCRIBE")).toBe("*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
    expect(h.raw("SUNSUBSCRIBE")).toBe("*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
    h.raw("PSUBSCRIBE", "x*");
    // The count is that of channels and patterns together.
    expect(h.raw("UNSUBSCRIBE")).toBe("*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:1\r\n");
    const resp3 = h.engine.createClient();
    h.rawAs(resp3, "HELLO", "3");
    expect(h.rawAs(resp3, "SUNSUBSCRIBE")).toBe(">3\r\n$12\r\nsunsubscribe\r\n_\r\n:0\r\n");
  });

  it("confirms with push frames in RESP3", () => {
    const { h } = harness();
    h.raw("HELLO", "3");
    expect(h.raw("SUBSCRIBE", "a")).toBe(push(["subscribe", "a"], 1));
    expect(h.raw("PSUBSCRIBE", "a*")).toBe(push(["psubscribe", "a*"], 2));
    expect(h.raw("SSUBSCRIBE", "a")).toBe(push(["ssubscribe", "a"], 1));
    expect(h.raw("UNSUBSCRIBE", "a")).toBe(push(["unsubscribe", "a"], 1));
  });
});

describe("PUBLISH and SPUBLISH", () => {
  it("delivers to channel then pattern subscribers and counts every message", () => {
    const { h, ready } = harness();
    const first = h.engine.createClient();
    const second = h.engine.createClient();
    h.rawAs(first, "SUBSCRIBE", "news");
    h.rawAs(second, "PSUBSCRIBE", "n*", "*s", "x*");
    h.rawAs(second, "SUBSCRIBE", "news");
    expect(h.raw("PUBLISH", "news", "hello")).toBe(":4\r\n");
    expect(pending(first)).toBe(frame(["message", "news", "hello"]));
    expect(pending(second)).toBe(
      frame(["message", "news", "hello"]) + frame(["pmessage", "n*", "news", "hello"]) + frame(["pmessage", "*s", "news", "hello"]),
    );
    expect(ready).toEqual([first, second, second, second]);
    expect(h.raw("PUBLISH", "nobody", "x")).toBe(":1\r\n");
    expect(h.raw("PUBLISH", "zzz", "x")).toBe(":0\r\n");
  });

  it("keeps subscription order among subscribers and is binary safe", () => {
    const { h } = harness();
    const clients = [h.engine.createClient(), h.engine.createClient(), h.engine.createClient()];
    for (const client of clients) h.rawAs(client, "SUBSCRIBE", "c\x00\xff");
    h.rawAs(clients[0]!, "UNSUBSCRIBE", "c\x00\xff");
    h.rawAs(clients[0]!, "SUBSCRIBE", "c\x00\xff");
    const order: number[] = [];
    h.engine.host = { ...detachedHost, clientReady: (client) => order.push(client.id) };
    expect(h.raw("PUBLISH", "c\x00\xff", "\r\n")).toBe(":3\r\n");
    expect(order).toEqual([clients[1]!.id, clients[2]!.id, clients[0]!.id]);
    expect(pending(clients[1]!)).toBe("*3\r\n$7\r\nmessage\r\n$3\r\nc\x00\xff\r\n$2\r\n\r\n\r\n");
  });

  it("sends RESP3 subscribers push frames, and the publisher its own before the PUBLISH reply", () => {
    const { h } = harness();
    const other = h.engine.createClient();
    h.rawAs(other, "HELLO", "3");
    h.rawAs(other, "SUBSCRIBE", "a");
    h.raw("HELLO", "3");
    h.raw("SUBSCRIBE", "a");
    h.raw("PSUBSCRIBE", "a*");
    expect(h.raw("PUBLISH", "a", "hi")).toBe(push(["message", "a", "hi"]) + push(["pmessage", "a*", "a", "hi"]) + ":3\r\n");
    expect(pending(other)).toBe(push(["message", "a", "hi"]));
  });

  it("puts a message to oneself inside EXEC's array, as Redis 7.0 does", () => {
    const { h } = harness();
    h.raw("HELLO", "3");
    h.raw("SUBSCRIBE", "a");
    h.raw("MULTI");
    h.raw("PUBLISH", "a", "m");
    expect(h.raw("EXEC")).toBe("*1\r\n" + push(["message", "a", "m"]) + ":1\r\n");
  });

  it("keeps shard channels apart: SPUBLISH reaches only SSUBSCRIBE, never patterns", () => {
    const { h } = harness();
    const listener = h.engine.createClient();
    h.rawAs(listener, "SSUBSCRIBE", "s");
    h.rawAs(listener, "PSUBSCRIBE", "*");
    expect(h.raw("SPUBLISH", "s", "x")).toBe(":1\r\n");
    expect(pending(listener)).toBe(frame(["smessage", "s", "x"]));
    expect(h.raw("PUBLISH", "s", "y")).toBe(":1\r\n");
    expect(pending(listener)).toBe(frame(["pmessage", "*", "s", "y"]));
    expect(h.raw("SPUBLISH", "none", "x")).toBe(":0\r\n");
  });

  it("matches patterns with Redis's glob rules (an empty channel matches no pattern but the empty one)", () => {
    const { h } = harness();
    const listener = h.engine.createClient();
    h.rawAs(listener, "PSUBSCRIBE", "*", "h[ae]llo", "h\\*", "");
    expect(h.raw("PUBLISH", "", "x")).toBe(":1\r\n");
    expect(pending(listener)).toBe(frame(["pmessage", "", "", "x"]));
    expect(h.raw("PUBLISH", "hallo", "x")).toBe(":2\r\n");
    expect(h.raw("PUBLISH", "h*", "x")).toBe(":2\r\n");
    expect(h.raw("PUBLISH", "hillo", "x")).toBe(":1\r\n");
  });

  it("is not logged to the AOF", () => {
    const { h } = harness();
    h.raw("PUBLISH", "a", "b");
    h.raw("SPUBLISH", "a", "b");
    expect(h.propagated).toEqual([]);
  });
});

describe("RESP2 subscriber mode", () => {
  it("refuses other commands with Redis's text, by full command name", () => {
    const { h } = harness();
    h.raw("SUBSCRIBE", "a");
    const refusal = (name: string): string =>
      `-ERR Can't execute '${name}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context\r\n`;
    expect(h.raw("GET", "a")).toBe(refusal("get"));
    expect(h.raw("CLIENT", "LIST")).toBe(refusal("client|list"));
    expect(h.raw("PUBLISH", "a", "b")).toBe(refusal("publish"));
    expect(h.raw("HELLO", "3")).toBe(refusal("hello"));
    expect(h.raw("MULTI")).toBe(refusal("multi"));
    // EXEC is refused as an abort of the (absent) transaction, as in Redis's rejectCommand.
    expect(h.raw("EXEC")).toBe(`-EXECABORT Transaction discarded because of: ${refusal("exec").slice(5)}`);
    // Unknown commands and arity are checked first.
    expect(h.raw("FOO")).toBe("-ERR unknown command 'FOO', with args beginning with: \r\n");
    expect(h.raw("GET")).toBe("-ERR wrong number of arguments for 'get' command\r\n");
    expect(h.raw("PSUBSCRIBE", "x")).toBe(frame(["psubscribe", "x"], 2));
  });

  it("answers PING with the pong array", () => {
    const { h } = harness();
    h.raw("SSUBSCRIBE", "a");
    expect(h.raw("PING")).toBe("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
    expect(h.raw("PING", "x")).toBe("*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    expect(h.raw("PING", "x", "y")).toBe("-ERR wrong number of arguments for 'ping' command\r\n");
    h.raw("SUNSUBSCRIBE");
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("GET", "a")).toBe("$-1\r\n");
  });

  it("does not apply to RESP3 clients, and applies again after HELLO 2", () => {
    const { h } = harness();
    h.raw("HELLO", "3");
    h.raw("SUBSCRIBE", "a");
    expect(h.raw("PING")).toBe("+PONG\r\n");
    expect(h.raw("SET", "k", "v")).toBe("+OK\r\n");
    h.raw("HELLO", "2");
    expect(h.raw("GET", "k")).toMatch(/^-ERR Can't execute 'get'/);
  });

  it("lets RESET drop every subscription without confirmations", () => {
    const { h } = harness();
    h.raw("SUBSCRIBE", "a");
    h.raw("PSUBSCRIBE", "b*");
    h.raw("SSUBSCRIBE", "c");
    expect(h.raw("RESET")).toBe("+RESET\r\n");
    expect(h.raw("GET", "a")).toBe("$-1\r\n");
    expect(h.raw("PUBSUB", "NUMPAT")).toBe(":0\r\n");
    expect(h.raw("PUBLISH", "a", "x")).toBe(":0\r\n");
  });
});

describe("transactions", () => {
  it("runs SUBSCRIBE inside EXEC but refuses SSUBSCRIBE there", () => {
    const { h } = harness();
    h.raw("MULTI");
    h.raw("SUBSCRIBE", "a", "b");
    h.raw("SSUBSCRIBE", "c");
    h.raw("PSUBSCRIBE", "d");
    expect(h.raw("EXEC")).toBe(
      "*3\r\n" +
        frame(["subscribe", "a"], 1) +
        frame(["subscribe", "b"], 2) +
        "-ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client\r\n" +
        frame(["psubscribe", "d"], 3),
    );
    expect(h.raw("PING")).toBe("*2\r\n$4\r\npong\r\n$0\r\n\r\n");
  });

  it("keeps subscriptions when EXEC aborts", () => {
    const { h } = harness();
    h.raw("HELLO", "3");
    h.raw("SUBSCRIBE", "a");
    h.raw("MULTI");
    h.raw("NOSUCHCOMMAND");
    expect(h.raw("EXEC")).toBe("-EXECABORT Transaction discarded because of previous errors.\r\n");
    h.raw("MULTI");
    expect(h.raw("EXEC", "extra")).toMatch(/^-EXECABORT/);
    expect(h.raw("PUBSUB", "NUMSUB", "a")).toBe("*2\r\n$1\r\na\r\n:1\r\n");
  });
});

describe("PUBSUB introspection", () => {
  it("lists channels, counts subscribers and patterns", () => {
    const { h } = harness();
    const [a, b] = [h.engine.createClient(), h.engine.createClient()];
    h.rawAs(a, "SUBSCRIBE", "news.tech", "news.art", "");
    h.rawAs(b, "SUBSCRIBE", "news.tech");
    h.rawAs(a, "PSUBSCRIBE", "n*", "m*");
    h.rawAs(b, "PSUBSCRIBE", "n*");
    h.rawAs(b, "SSUBSCRIBE", "shard1", "shard2");
    expect(h.raw("PUBSUB", "CHANNELS")).toBe(frame(["news.tech", "news.art", ""]));
    expect(h.raw("PUBSUB", "channels", "*tech")).toBe(frame(["news.tech"]));
    expect(h.raw("PUBSUB", "CHANNELS", "x*")).toBe("*0\r\n");
    expect(h.raw("PUBSUB", "NUMSUB", "news.tech", "news.art", "none")).toBe(
      "*6\r\n$9\r\nnews.tech\r\n:2\r\n$8\r\nnews.art\r\n:1\r\n$4\r\nnone\r\n:0\r\n",
    );
    expect(h.raw("PUBSUB", "NUMSUB")).toBe("*0\r\n");
    // Distinct patterns, not subscriptions.
    expect(h.raw("PUBSUB", "NUMPAT")).toBe(":2\r\n");
    expect(h.raw("PUBSUB", "SHARDCHANNELS")).toBe(frame(["shard1", "shard2"]));
    expect(h.raw("PUBSUB", "SHARDCHANNELS", "*2")).toBe(frame(["shard2"]));
    expect(h.raw("PUBSUB", "SHARDNUMSUB", "shard1", "news.tech")).toBe("*4\r\n$6\r\nshard1\r\n:1\r\n$9\r\nnews.tech\r\n:0\r\n");
  });

  it("rejects wrong shapes as Redis does", () => {
    const { h } = harness();
    expect(h.raw("PUBSUB", "CHANNELS", "a", "b")).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.\r\n",
    );
    expect(h.raw("PUBSUB", "shardchannels", "a", "b")).toBe(
      "-ERR unknown subcommand or wrong number of arguments for 'shardchannels'. Try PUBSUB HELP.\r\n",
    );
    expect(h.raw("PUBSUB", "NUMPAT", "x")).toBe("-ERR wrong number of arguments for 'pubsub|numpat' command\r\n");
    expect(h.raw("PUBSUB", "foo")).toBe("-ERR unknown subcommand 'foo'. Try PUBSUB HELP.\r\n");
    expect(h.raw("PUBSUB")).toBe("-ERR wrong number of arguments for 'pubsub' command\r\n");
    expect(h.raw("PUBLISH", "a")).toBe("-ERR wrong number of arguments for 'publish' command\r\n");
    expect(h.raw("SUBSCRIBE")).toBe("-ERR wrong number of arguments for 'subscribe' command\r\n");
  });

  it("prints Redis's help", () => {
    const { h } = harness();
    expect(h.raw("PUBSUB", "HELP")).toBe(
      "*14\r\n+PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n+CHANNELS [<pattern>]\r\n" +
        "+    Return the currently active channels matching a <pattern> (default: '*').\r\n+NUMPAT\r\n" +
        "+    Return number of subscriptions to patterns.\r\n+NUMSUB [<channel> ...]\r\n" +
        "+    Return the number of subscribers for the specified channels, excluding\r\n" +
        "+    pattern subscriptions(default: no channels).\r\n+SHARDCHANNELS [<pattern>]\r\n" +
        "+    Return the currently active shard level channels matching a <pattern> (default: '*').\r\n" +
        "+SHARDNUMSUB [<shardchannel> ...]\r\n" +
        "+    Return the number of subscribers for the specified shard level channel(s)\r\n" +
        "+HELP\r\n+    Prints this help.\r\n",
    );
  });

  it("reports subscriptions in CLIENT INFO/LIST and INFO stats", () => {
    const { h } = harness();
    h.raw("HELLO", "3");
    h.raw("SUBSCRIBE", "a", "b");
    h.raw("PSUBSCRIBE", "p*");
    h.raw("SSUBSCRIBE", "s");
    const info = h.run("CLIENT", "INFO");
    expect(info.type).toBe("verbatim");
    const text = info.type === "verbatim" ? info.value.toString("latin1") : "";
    expect(text).toContain(" flags=P db=0 sub=2 psub=1 ssub=1 multi=-1 ");
    expect(h.run("CLIENT", "LIST", "TYPE", "pubsub")).toMatchObject({ type: "verbatim" });
    expect(h.raw("CLIENT", "LIST", "TYPE", "normal")).toBe("=4\r\ntxt:\r\n");
    const stats = h.raw("INFO", "stats");
    expect(stats).toContain("\r\npubsub_channels:2\r\npubsub_patterns:1\r\npubsubshard_channels:1\r\n");
    h.raw("UNSUBSCRIBE");
    h.raw("PUNSUBSCRIBE");
    h.raw("SUNSUBSCRIBE");
    const after = h.run("CLIENT", "INFO");
    expect(after.type === "verbatim" ? after.value.toString("latin1") : "").toContain(" flags=N db=0 sub=0 psub=0 ssub=0 ");
  });

  it("forgets a disconnected client", () => {
    const { h } = harness();
    const gone = h.engine.createClient();
    h.rawAs(gone, "SUBSCRIBE", "a");
    h.rawAs(gone, "PSUBSCRIBE", "*");
    h.engine.releaseClient(gone);
    expect(h.raw("PUBLISH", "a", "x")).toBe(":0\r\n");
    expect(h.raw("PUBSUB", "CHANNELS")).toBe("*0\r\n");
    expect(h.engine.pubsub.subscriberCount).toBe(0);
  });
});

describe("keyspace notifications", () => {
  it("publishes __keyspace@ and __keyevent@ messages to channel and pattern subscribers", () => {
    const { h, ready } = harness();
    const listener = h.engine.createClient();
    h.rawAs(listener, "SUBSCRIBE", "__keyspace@0__:k");
    h.rawAs(listener, "PSUBSCRIBE", "__keyevent@*__:*");
    h.raw("CONFIG", "SET", "notify-keyspace-events", "KEA");
    h.raw("SET", "k", "v");
    expect(pending(listener)).toBe(frame(["message", "__keyspace@0__:k", "set"]) + frame(["pmessage", "__keyevent@*__:*", "__keyevent@0__:set", "k"]));
    h.raw("SELECT", "3");
    h.raw("INCR", "n");
    expect(pending(listener)).toBe(frame(["pmessage", "__keyevent@*__:*", "__keyevent@3__:incrby", "n"]));
    expect(ready.every((client) => client === listener)).toBe(true);
  });

  it("fires new (class n, outside A) where a key is created", () => {
    const { h } = harness();
    const listener = h.engine.createClient();
    h.rawAs(listener, "PSUBSCRIBE", "__keyevent@0__:*");
    h.raw("CONFIG", "SET", "notify-keyspace-events", "En$g");
    expect(h.raw("CONFIG", "GET", "notify-keyspace-events")).toBe("*2\r\n$22\r\nnotify-keyspace-events\r\n$4\r\ng$nE\r\n");
    const events = (): string[] => {
      const text = pending(listener);
      return [...text.matchAll(/__keyevent@0__:([a-z_]+)\r\n\$\d+\r\n([^\r]*)\r\n/g)].map((m) => `${m[1]} ${m[2]}`);
    };
    h.raw("SET", "a", "1");
    h.raw("SET", "a", "2");
    expect(events()).toEqual(["new a", "set a", "set a"]);
    h.raw("MSET", "a", "3", "b", "4");
    expect(events()).toEqual(["set a", "new b", "set b"]);
    h.raw("APPEND", "c", "x");
    h.raw("APPEND", "c", "y");
    h.raw("SETRANGE", "d", "1", "x");
    h.raw("SETRANGE", "e", "1", "");
    h.raw("INCRBYFLOAT", "f", "1.5");
    h.raw("GETSET", "g", "1");
    h.raw("SET", "h", "1", "KEEPTTL");
    h.raw("SET", "h", "1", "EX", "100", "GET");
    expect(events()).toEqual([
      "new c",
      "append c",
      "append c",
      "new d",
      "setrange d",
      "new f",
      "incrbyfloat f",
      "new g",
      "set g",
      "new h",
      "set h",
      "set h",
      "expire h",
    ]);
    h.raw("CONFIG", "SET", "notify-keyspace-events", "EA");
    h.raw("SET", "z", "1");
    expect(events()).toEqual(["set z"]);
  });

  it("reports expired keys, lazily and from the active cycle", () => {
    vi.useFakeTimers();
    vi.setSystemTime(1_700_000_000_000);
    const { h } = harness();
    const listener = h.engine.createClient();
    h.rawAs(listener, "SUBSCRIBE", "__keyevent@0__:expired");
    h.raw("CONFIG", "SET", "notify-keyspace-events", "Ex");
    h.raw("SET", "lazy", "1", "PX", "100");
    h.raw("SET", "active", "1", "PX", "100");
    expect(pending(listener)).toBe("");
    vi.setSystemTime(1_700_000_000_200);
    h.raw("GET", "lazy");
    expect(pending(listener)).toBe(frame(["message", "__keyevent@0__:expired", "lazy"]));
    expect(h.engine.activeExpireCycle()).toBe(1);
    expect(pending(listener)).toBe(frame(["message", "__keyevent@0__:expired", "active"]));
  });

  it("parses and prints notify-keyspace-events as Redis does", () => {
    const { h } = harness();
    const cases: [string, string][] = [
      ["g$lshzxetd", "A"],
      ["g$lshzxet", "g$lshzxet"],
      ["nK", "nK"],
      ["mEK", "KEm"],
      ["AmnKE", "AKEm"],
      ["AA", "A"],
      ["", ""],
    ];
    for (const [given, shown] of cases) {
      expect(h.raw("CONFIG", "SET", "notify-keyspace-events", given)).toBe("+OK\r\n");
      expect(h.raw("CONFIG", "GET", "notify-keyspace-events")).toBe(`*2\r\n$22\r\nnotify-keyspace-events\r\n$${shown.length}\r\n${shown}\r\n`);
    }
    expect(h.raw("CONFIG", "SET", "notify-keyspace-events", "Q")).toBe(
      "-ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'.\r\n",
    );
  });
});
