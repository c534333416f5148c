import type { ConfigStore } from "./config.js";
import type { Engine } from "./engine.js";
import { mergeOutputBufferLimits } from "./client-output-buffer-limit.js";
import { parseInteger } from "./util/redis-integer.js";
import { defineAclConfig } from "./acl/acl-config.js";

type Validator = (value: string) => { error: string } | { value: string };

/**
 * The configuration parameters kv understands, with Redis 7.0's names, aliases, defaults and
 * validation messages (config.c). Hosts (the server) attach `apply` hooks for the ones they act
 * on (appendonly, appendfsync...). kv's own defaults differ from Redis's where kv's design does
 * (appendonly yes, save "" — kv persists through the AOF only; port 9999; dir ./data).
 */
export function defineCoreConfig(config: ConfigStore, engine: Engine): void {
  let parsedNotifyMask = 0;
  // ---- general / network ----
  config.define({ name: "databases", immutable: true, validate: integerConfig(1, INT_MAX), value: "16" });
  config.define({ name: "port", immutable: true, validate: integerConfig(0, 65535), value: "9999" });
  config.define({ name: "bind", immutable: true, value: "127.0.0.1" });
  config.define({ name: "unixsocket", immutable: true, value: "" });
  config.define({ name: "daemonize", immutable: true, validate: yesNoConfig, value: "no" });
  config.define({ name: "supervised", immutable: true, validate: enumConfig("upstart", "systemd", "auto", "no"), value: "no" });
  config.define({ name: "pidfile", immutable: true, value: "" });
  config.define({ name: "logfile", immutable: true, value: "" });
  config.define({ name: "loglevel", validate: enumConfig("debug", "verbose", "notice", "warning"), value: "notice" });
  config.define({ name: "protected-mode", validate: yesNoConfig, value: "yes" });
  config.define({ name: "tcp-backlog", immutable: true, validate: integerConfig(0, INT_MAX), value: "511" });
  config.define({ name: "tcp-keepalive", validate: integerConfig(0, INT_MAX), value: "300" });
  config.define({ name: "timeout", validate: integerConfig(0, INT_MAX), value: "0" });
  config.define({ name: "maxclients", validate: integerConfig(1, UINT_MAX), value: "10000" });
  config.define({ name: "io-threads", immutable: true, validate: integerConfig(1, 128), value: "1" });
  config.define({
    name: "hz",
    value: "10",
    // Redis accepts any int and clamps it into [1, 500] (CONFIG_MIN_HZ..CONFIG_MAX_HZ); CONFIG GET shows the clamped value.
    validate: (value) => {
      const checked = integerConfig(0, INT_MAX)(value);
      if ("error" in checked) return checked;
      return { value: String(Math.min(500, Math.max(1, Number(checked.value)))) };
    },
  });
  config.define({ name: "dynamic-hz", validate: yesNoConfig, value: "yes" });
  config.define({ name: "cluster-enabled", immutable: true, validate: yesNoConfig, value: "no" });
  config.define({ name: "proto-max-bulk-len", validate: memoryConfig(1024 * 1024, LONG_MAX), value: "536870912" });
  config.define({ name: "client-query-buffer-limit", validate: memoryConfig(1024 * 1024, LONG_MAX), value: "1073741824" });
  config.define({
    name: "client-output-buffer-limit",
    value: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
    validate: (value) => mergeOutputBufferLimits(config.get("client-output-buffer-limit"), value),
  });

  // ---- security ----
  config.define({
    name: "requirepass",
    value: "",
    apply: (value) => {
      // Redis's ACLUpdateDefaultUserPassword: the default user gets `resetpass >value`, or
      // `nopass` for "" (clients still waiting to authenticate may then run commands).
      engine.acl.setDefaultPassword(value);
      return undefined;
    },
  });
  defineAclConfig(config, engine);

  // ---- TLS (the server's second listener; Redis 7.0's names and defaults) ----
  // Files are read once at start-up and paths must not be pointed elsewhere by a client
  // (CONFIG SET of a path is how a config is turned against the host), so every path and
  // everything read with them is immutable; Redis reloads them on CONFIG SET instead.
  config.define({ name: "tls-port", immutable: true, validate: integerConfig(0, 65535), value: "0" });
  for (const name of TLS_FILE_CONFIGS) config.define({ name, immutable: true, value: "" });
  config.define({ name: "tls-auth-clients", validate: enumConfig("no", "yes", "optional"), value: "yes" });
  for (const name of ["tls-protocols", "tls-ciphers", "tls-ciphersuites"]) config.define({ name, immutable: true, value: "" });
  config.define({ name: "tls-prefer-server-ciphers", immutable: true, validate: yesNoConfig, value: "no" });
  config.define({ name: "tls-session-caching", immutable: true, validate: yesNoConfig, value: "yes" });
  config.define({ name: "tls-session-cache-size", immutable: true, validate: integerConfig(0, INT_MAX), value: "20480" });
  config.define({ name: "tls-session-cache-timeout", immutable: true, validate: integerConfig(0, INT_MAX), value: "300" });
  config.define({ name: "tls-replication", validate: yesNoConfig, value: "no" });
  config.define({ name: "tls-cluster", validate: yesNoConfig, value: "no" });

  // ---- persistence ----
  config.define({ name: "dir", protected: true, value: "./data" });
  config.define({ name: "dbfilename", protected: true, value: "dump.rdb" });
  config.define({ name: "save", validate: validateSaveParams, value: "" });
  config.define({ name: "stop-writes-on-bgsave-error", validate: yesNoConfig, value: "yes" });
  config.define({ name: "rdbcompression", validate: yesNoConfig, value: "yes" });
  config.define({ name: "rdbchecksum", validate: yesNoConfig, value: "yes" });
  config.define({ name: "appendonly", validate: yesNoConfig, value: "yes" });
  config.define({ name: "appendfsync", validate: enumConfig("everysec", "always", "no"), value: "everysec" });
  config.define({ name: "appendfilename", immutable: true, value: "appendonly.aof" });
  config.define({ name: "appenddirname", immutable: true, value: "appendonlydir" });
  config.define({ name: "aof-load-truncated", validate: yesNoConfig, value: "yes" });
  config.define({ name: "aof-use-rdb-preamble", validate: yesNoConfig, value: "no" });
  config.define({ name: "aof-timestamp-enabled", validate: yesNoConfig, value: "no" });
  config.define({ name: "no-appendfsync-on-rewrite", validate: yesNoConfig, value: "no" });
  config.define({ name: "aof-rewrite-incremental-fsync", validate: yesNoConfig, value: "yes" });
  config.define({ name: "auto-aof-rewrite-percentage", validate: integerConfig(0, INT_MAX), value: "100" });
  config.define({ name: "auto-aof-rewrite-min-size", validate: memoryConfig(0, LLONG_MAX), value: "67108864" });
  // Microseconds of delay per key written by a rewrite (a testing aid in Redis too).
  config.define({ name: "rdb-key-save-delay", validate: integerConfig(INT_MIN, INT_MAX), value: "0" });

  // ---- memory ----
  // The eviction code caches these as numbers (it runs before every command); a new value is
  // read there at once, and a lower maxmemory evicts at once, as Redis's updateMaxmemory does.
  const reconfigureEviction = (): undefined => {
    engine.maxMemory.configure();
    return undefined;
  };
  config.define({
    name: "maxmemory",
    validate: memoryConfig(0, ULLONG_MAX),
    value: "0",
    apply: () => {
      engine.maxMemory.configure();
      if (!engine.loading) engine.maxMemory.performEvictions();
      return undefined;
    },
  });
  config.define({
    name: "maxmemory-policy",
    validate: enumConfig("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"),
    value: "noeviction",
    apply: reconfigureEviction,
  });
  config.define({ name: "maxmemory-samples", validate: integerConfig(1, INT_MAX), value: "5", apply: reconfigureEviction });
  config.define({ name: "maxmemory-eviction-tenacity", validate: integerConfig(0, 100), value: "10", apply: reconfigureEviction });
  config.define({ name: "lfu-log-factor", validate: integerConfig(0, INT_MAX), value: "10", apply: reconfigureEviction });
  config.define({ name: "lfu-decay-time", validate: integerConfig(0, INT_MAX), value: "1", apply: reconfigureEviction });
  config.define({ name: "active-expire-effort", validate: integerConfig(1, 10), value: "1" });
  config.define({ name: "lazyfree-lazy-eviction", validate: yesNoConfig, value: "no", apply: reconfigureEviction });
  config.define({ name: "lazyfree-lazy-expire", validate: yesNoConfig, value: "no" });
  config.define({ name: "lazyfree-lazy-server-del", validate: yesNoConfig, value: "no" });
  config.define({ name: "lazyfree-lazy-user-del", validate: yesNoConfig, value: "no" });
  config.define({ name: "lazyfree-lazy-user-flush", validate: yesNoConfig, value: "no" });
  config.define({ name: "activerehashing", validate: yesNoConfig, value: "yes" });

  // ---- data type encodings (thresholds the type families read for OBJECT ENCODING) ----
  config.define({ name: "hash-max-listpack-entries", aliases: ["hash-max-ziplist-entries"], validate: integerConfig(0, LONG_MAX), value: "512" });
  config.define({ name: "hash-max-listpack-value", aliases: ["hash-max-ziplist-value"], validate: memoryConfig(0, LONG_MAX), value: "64" });
  config.define({ name: "list-max-listpack-size", aliases: ["list-max-ziplist-size"], validate: integerConfig(INT_MIN, INT_MAX), value: "-2" });
  config.define({ name: "list-compress-depth", validate: integerConfig(0, INT_MAX), value: "0" });
  config.define({ name: "set-max-intset-entries", validate: integerConfig(0, LONG_MAX), value: "512" });
  config.define({ name: "zset-max-listpack-entries", aliases: ["zset-max-ziplist-entries"], validate: integerConfig(0, LONG_MAX), value: "128" });
  config.define({ name: "zset-max-listpack-value", aliases: ["zset-max-ziplist-value"], validate: memoryConfig(0, LONG_MAX), value: "64" });
  config.define({ name: "hll-sparse-max-bytes", validate: memoryConfig(0, LONG_MAX), value: "3000" });
  config.define({ name: "stream-node-max-bytes", validate: memoryConfig(0, LONG_MAX), value: "4096" });
  config.define({ name: "stream-node-max-entries", validate: integerConfig(0, LLONG_MAX), value: "100" });

  // ---- events, diagnostics, replication (read by clients and tools) ----
  config.define({
    name: "notify-keyspace-events",
    value: "",
    validate: (value) => {
      const mask = parseNotifyFlags(value);
      if (mask === undefined) return { error: "Invalid event class character. Use 'Ag$lshzxeKEtmdn'." };
      // Applied from the parsed flags, not the text: "AKEn" reads back as "AKE" but n stays on, as in Redis.
      parsedNotifyMask = mask;
      return { value: formatNotifyFlags(mask) };
    },
    apply: () => {
      engine.notifyMask = parsedNotifyMask;
      return undefined;
    },
  });
  config.define({ name: "slowlog-log-slower-than", validate: integerConfig(-1, LLONG_MAX), value: "10000" });
  config.define({ name: "slowlog-max-len", validate: integerConfig(0, LONG_MAX), value: "128" });
  config.define({ name: "latency-monitor-threshold", validate: integerConfig(0, LLONG_MAX), value: "0" });
  config.define({ name: "latency-tracking", validate: yesNoConfig, value: "yes" });
  config.define({ name: "busy-reply-threshold", aliases: ["lua-time-limit"], validate: integerConfig(0, LONG_MAX), value: "5000" });
  config.define({ name: "replica-read-only", aliases: ["slave-read-only"], validate: yesNoConfig, value: "yes" });
  config.define({ name: "replica-serve-stale-data", aliases: ["slave-serve-stale-data"], validate: yesNoConfig, value: "yes" });
  config.define({ name: "repl-backlog-size", validate: memoryConfig(1, LLONG_MAX), value: "1048576" });
  config.define({ name: "min-replicas-to-write", aliases: ["min-slaves-to-write"], validate: integerConfig(0, INT_MAX), value: "0" });
}

/** TLS parameters naming files (or the passphrase of one): read at start-up only, never settable by CONFIG SET. */
const TLS_FILE_CONFIGS = [
  "tls-cert-file",
  "tls-key-file",
  "tls-key-file-pass",
  "tls-client-cert-file",
  "tls-client-key-file",
  "tls-client-key-file-pass",
  "tls-dh-params-file",
  "tls-ca-cert-file",
  "tls-ca-cert-dir",
] as const;

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const UINT_MAX = 4294967295;
// 64-bit bounds as exact decimal text; validators compare them as bigints.
const LONG_MAX = "9223372036854775807";
const LLONG_MAX = LONG_MAX;
const ULLONG_MAX = "18446744073709551615";

function outOfBounds(min: number | string, max: number | string): { error: string } {
  return { error: `argument must be between ${min} and ${max} inclusive` };
}

function inBounds(value: bigint, min: number | string, max: number | string): boolean {
  return value >= BigInt(min) && value <= BigInt(max);
}

/** An integer parameter: string2ll's strict syntax, then the parameter's bounds (Redis's messages). */
export function integerConfig(min: number | string, max: number | string): Validator {
  return (value) => {
    const parsed = parseInteger(value);
    if (parsed === undefined) return { error: "argument couldn't be parsed into an integer" };
    if (!inBounds(BigInt(parsed), min, max)) return outOfBounds(min, max);
    return { value: String(parsed) };
  };
}

const memoryUnits: Record<string, bigint> = {
  "": 1n,
  b: 1n,
  k: 1000n,
  kb: 1024n,
  m: 1000n * 1000n,
  mb: 1024n * 1024n,
  g: 1000n * 1000n * 1000n,
  gb: 1024n * 1024n * 1024n,
};

/**
 * Redis's memtoull: digits then an optional unit (b, k, kb, m, mb, g, gb; case-insensitive),
 * k = 1000 and kb = 1024. A leading '-' is rejected; an empty digit run counts as 0, as strtoull does.
 */
export function parseMemory(text: string): bigint | undefined {
  if (text.startsWith("-")) return undefined;
  let end = 0;
  while (end < text.length && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) end++;
  const multiplier = memoryUnits[text.slice(end).toLowerCase()];
  if (multiplier === undefined || end >= 128) return undefined;
  const digits = text.slice(0, end);
  const value = digits === "" ? 0n : BigInt(digits);
  if (value > BigInt(ULLONG_MAX)) return undefined; // strtoull's ERANGE
  return (value * multiplier) & ((1n << 64n) - 1n); // the C multiplication wraps
}

/** A memory parameter: CONFIG GET shows plain bytes whatever unit was set. */
export function memoryConfig(min: number | string, max: number | string): Validator {
  return (value) => {
    const parsed = parseMemory(value);
    if (parsed === undefined) return { error: "argument must be a memory value" };
    if (!inBounds(parsed, min, max)) return outOfBounds(min, max);
    return { value: String(parsed) };
  };
}

/** An enum parameter: case-insensitive, stored as the canonical name; the error lists Redis's order. */
export function enumConfig(...choices: string[]): Validator {
  return (value) => {
    const lower = value.toLowerCase();
    return choices.includes(lower) ? { value: lower } : { error: `argument(s) must be one of the following: ${choices.join(", ")}` };
  };
}

export const yesNoConfig: Validator = (value) => {
  const lower = value.toLowerCase();
  return lower === "yes" || lower === "no" ? { value: lower } : { error: "argument must be 'yes' or 'no'" };
};

/** C's strtol over a whole token: optional spaces and sign, digits; anything left over is an error. */
function strtolWhole(token: string): number | undefined {
  const match = /^[ \t\n\v\f\r]*([+-]?)(\d*)$/.exec(token);
  if (match === null) return undefined;
  const digits = match[2]!;
  const magnitude = digits === "" ? 0 : Number(digits);
  return match[1] === "-" ? -magnitude : magnitude;
}

/**
 * `save "<seconds> <changes> ..."`: CONFIG SET splits the value on single spaces (so doubled
 * spaces make empty tokens), needs pairs, seconds >= 1 and changes >= 0. CONFIG GET shows the
 * pairs re-printed, so "3600 +1" reads back as "3600 1".
 */
function validateSaveParams(value: string): { error: string } | { value: string } {
  const tokens = value === "" ? [] : value.split(" ");
  if (tokens.length % 2 !== 0) return { error: "Invalid save parameters" };
  const numbers: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const n = strtolWhole(tokens[i]!);
    if (n === undefined || (i % 2 === 0 && n < 1) || (i % 2 === 1 && n < 0)) return { error: "Invalid save parameters" };
    numbers.push(n);
  }
  return { value: numbers.join(" ") };
}

// Keyspace-notification classes by letter, in the order Redis prints them (notify.c).
const notifyLetters: [string, number][] = [
  ["g", 1 << 2],
  ["$", 1 << 3],
  ["l", 1 << 4],
  ["s", 1 << 5],
  ["h", 1 << 6],
  ["z", 1 << 7],
  ["x", 1 << 8],
  ["e", 1 << 9],
  ["t", 1 << 10],
  ["d", 1 << 13],
  ["n", 1 << 14],
];
const NOTIFY_KEYSPACE = 1 << 0;
const NOTIFY_KEYEVENT = 1 << 1;
const NOTIFY_KEY_MISS = 1 << 11;
/** "A" is every class except m (key miss) and n (new key), as in Redis. */
const NOTIFY_ALL = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13);

export function parseNotifyFlags(text: string): number | undefined {
  let mask = 0;
  for (const ch of text) {
    if (ch === "A") mask |= NOTIFY_ALL;
    else if (ch === "K") mask |= NOTIFY_KEYSPACE;
    else if (ch === "E") mask |= NOTIFY_KEYEVENT;
    else if (ch === "m") mask |= NOTIFY_KEY_MISS;
    else {
      const entry = notifyLetters.find(([letter]) => letter === ch);
      if (entry === undefined) return undefined;
      mask |= entry[1];
    }
  }
  return mask;
}

/**
 * The flags as CONFIG GET shows them (keyspaceEventsFlagsToString). Quirk kept from Redis:
 * with "A", an "n" is not printed although it stays in effect.
 */
export function formatNotifyFlags(mask: number): string {
  let text = "";
  if ((mask & NOTIFY_ALL) === NOTIFY_ALL) text = "A";
  else for (const [letter, bit] of notifyLetters) if ((mask & bit) !== 0) text += letter;
  if ((mask & NOTIFY_KEYSPACE) !== 0) text += "K";
  if ((mask & NOTIFY_KEYEVENT) !== 0) text += "E";
  if ((mask & NOTIFY_KEY_MISS) !== 0) text += "m";
  return text;
}
