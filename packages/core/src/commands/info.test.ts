import { afterEach, describe, expect, it, vi } from "vitest";
import { detachedHost } from "../engine.js";
import { TestHarness } from "../test-support/harness.js";
import { bytesToHuman } from "./info.js";

/** The INFO text inside a bulk (RESP2) or verbatim (RESP3) reply. */
function body(reply: string): string {
  const text = reply.slice(reply.indexOf("\r\n") + 2, -2);
  return reply.startsWith("=") ? text.slice(4) : text;
}

/** Section titles and fields of an INFO text. */
function parse(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    if (line.startsWith("# ")) sections.set(line.slice(2), (current = new Map<string, string>()));
    else if (line !== "") current.set(line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1));
  }
  return sections;
}

const DEFAULT_SECTIONS = ["Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Errorstats", "Cluster", "Keyspace"];
const ALL_SECTIONS = [
  "Server", "Clients", "Memory", "Persistence", "Stats", "Replication", "CPU", "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace",
];

afterEach(() => {
  vi.useRealTimers();
});

describe("INFO", () => {
  it("prints the default sections with CRLF lines and a blank line between sections", () => {
    const h = new TestHarness();
    const reply = h.raw("INFO");
    const text = body(reply);
    expect(reply).toBe(`$${text.length}\r\n${text}\r\n`);
    expect([...parse(text).keys()]).toEqual(DEFAULT_SECTIONS);
    expect(text.startsWith("# Server\r\nredis_version:7.0.15\r\n")).toBe(true);
    expect(text).toContain("\r\n\r\n# Clients\r\n");
    expect(text.endsWith("# Keyspace\r\n")).toBe(true);
    expect(text).not.toMatch(/[^\r]\n/);
    expect(body(h.raw("INFO", "default"))).toMatch(/^# Server\r\n/);
  });

  it("selects sections case-insensitively, in Redis's order, ignoring unknown names", () => {
    const h = new TestHarness();
    expect([...parse(body(h.raw("INFO", "CPU", "server", "nosuch"))).keys()]).toEqual(["Server", "CPU"]);
    expect([...parse(body(h.raw("INFO", "all"))).keys()]).toEqual(ALL_SECTIONS);
    expect([...parse(body(h.raw("INFO", "everything"))).keys()]).toEqual(ALL_SECTIONS);
    expect([...parse(body(h.raw("INFO", "default", "commandstats"))).keys()]).toEqual(ALL_SECTIONS.filter((name) => name !== "Latencystats"));
    expect(h.raw("INFO", "nosuch")).toBe("$0\r\n\r\n");
    expect(h.raw("INFO", "modules")).toBe("$11\r\n# Modules\r\n\r\n");
    expect(h.raw("INFO", "cluster")).toBe("$30\r\n# Cluster\r\ncluster_enabled:0\r\n\r\n");
  });

  it("is a verbatim string in RESP3", () => {
    const h = new TestHarness();
    h.raw("HELLO", "3");
    expect(h.raw("INFO", "cluster")).toBe("=34\r\ntxt:# Cluster\r\ncluster_enabled:0\r\n\r\n");
    expect(h.raw("INFO", "nosuch")).toBe("=4\r\ntxt:\r\n");
  });

  it("has the fields clients parse", () => {
    const h = new TestHarness();
    const info = parse(body(h.raw("INFO", "everything")));
    const server = info.get("Server")!;
    expect(server.get("redis_version")).toBe("7.0.15");
    expect(server.get("redis_mode")).toBe("standalone");
    expect(server.get("arch_bits")).toBe("64");
    expect(server.get("process_id")).toBe(String(process.pid));
    expect(server.get("run_id")).toMatch(/^[0-9a-f]{40}$/);
    expect(server.get("tcp_port")).toBe("9999");
    expect(info.get("Persistence")!.get("loading")).toBe("0");
    expect(info.get("Persistence")!.get("aof_enabled")).toBe("0");
    expect(info.get("Replication")!.get("role")).toBe("master");
    expect(info.get("Replication")!.get("master_replid")).toMatch(/^[0-9a-f]{40}$/);
    expect(info.get("Replication")!.get("master_failover_state")).toBe("no-failover");
    const memory = info.get("Memory")!;
    expect(Number(memory.get("used_memory"))).toBeGreaterThan(0);
    expect(memory.get("used_memory_human")).toMatch(/^\d+(\.\d\d[KMGTP])?B?$/);
    expect(memory.get("maxmemory")).toBe("0");
    expect(memory.get("maxmemory_policy")).toBe("noeviction");
    expect(info.get("CPU")!.get("used_cpu_user")).toMatch(/^\d+\.\d{6}$/);
    expect(info.get("Clients")!.get("connected_clients")).toBe("1");
    expect(info.get("Clients")!.get("maxclients")).toBe("10000");
  });

  it("takes host fields by name, keeping Redis's order", () => {
    const h = new TestHarness();
    h.engine.host = {
      ...detachedHost,
      serverInfo: () => [["config_file", "/etc/kv.conf"], ["tcp_port", 6380], ["kv_extra", "x"]],
      persistenceInfo: () => [["aof_enabled", 1], ["aof_current_size", 1234]],
    };
    const text = body(h.raw("INFO", "server", "persistence"));
    const server = [...parse(text).get("Server")!.entries()];
    expect(server.find(([name]) => name === "tcp_port")).toEqual(["tcp_port", "6380"]);
    expect(server.findIndex(([name]) => name === "tcp_port")).toBe(server.findIndex(([name]) => name === "run_id") + 1);
    expect(server.at(-1)).toEqual(["kv_extra", "x"]);
    const persistence = [...parse(text).get("Persistence")!.entries()];
    expect(persistence.find(([name]) => name === "aof_enabled")).toEqual(["aof_enabled", "1"]);
    expect(persistence.at(-1)).toEqual(["aof_current_size", "1234"]);
  });

  it("reports keyspace, stats, command and error counters", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2030-01-01T00:00:00Z"));
    const h = new TestHarness();
    h.raw("SET", "a", "1");
    h.raw("SET", "b", "2", "EX", "100");
    h.raw("SET", "c", "3", "EX", "200");
    h.raw("SELECT", "9");
    h.raw("SET", "d", "4");
    h.raw("GET", "missing");
    h.raw("NOPE");
    h.raw("GET");
    expect(body(h.raw("INFO", "keyspace"))).toBe("# Keyspace\r\ndb0:keys=3,expires=2,avg_ttl=150000\r\ndb9:keys=1,expires=0,avg_ttl=0\r\n");
    const info = parse(body(h.raw("INFO", "all")));
    expect(info.get("Stats")!.get("keyspace_misses")).toBe("1");
    expect(info.get("Stats")!.get("total_error_replies")).toBe("2");
    expect(info.get("Errorstats")!.get("errorstat_ERR")).toBe("count=2");
    expect(info.get("Commandstats")!.get("cmdstat_set")).toBe("calls=4,usec=0,usec_per_call=0.00,rejected_calls=0,failed_calls=0");
    expect(info.get("Commandstats")!.get("cmdstat_get")).toBe("calls=1,usec=0,usec_per_call=0.00,rejected_calls=1,failed_calls=0");
    expect(info.get("Server")!.get("uptime_in_seconds")).toBe("0");
    vi.setSystemTime(new Date("2030-01-02T00:00:01Z"));
    const later = parse(body(h.raw("INFO", "server"))).get("Server")!;
    expect(later.get("uptime_in_seconds")).toBe("86401");
    expect(later.get("uptime_in_days")).toBe("1");
  });
});

describe("bytesToHuman", () => {
  it("formats like Redis", () => {
    expect(bytesToHuman(0)).toBe("0B");
    expect(bytesToHuman(1023)).toBe("1023B");
    expect(bytesToHuman(1024)).toBe("1.00K");
    expect(bytesToHuman(1040056)).toBe("1015.68K");
    expect(bytesToHuman(6975488)).toBe("6.65M");
    expect(bytesToHuman(25276026880)).toBe("23.54G");
  });
});
