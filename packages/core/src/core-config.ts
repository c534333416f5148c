import type { ConfigStore } from "./config.js";
import { integerIn, oneOf, yesNo } from "./config.js";
import type { Engine } from "./engine.js";

/**
 * The configuration parameters kv understands, with Redis's names and defaults. Hosts (the
 * server) attach `apply` hooks for the ones they act on (appendonly, appendfsync...).
 */
export function defineCoreConfig(config: ConfigStore, engine: Engine): void {
  config.define({ name: "databases", immutable: true, validate: integerIn(1, 2147483647), value: "16" });
  config.define({ name: "port", immutable: true, validate: integerIn(0, 65535), value: "9999" });
  config.define({ name: "bind", immutable: true, value: "127.0.0.1" });
  config.define({ name: "dir", protected: true, value: "./data" });
  config.define({ name: "appendonly", validate: yesNo, value: "yes" });
  config.define({ name: "appendfsync", validate: oneOf("always", "everysec", "no"), value: "everysec" });
  config.define({ name: "appendfilename", immutable: true, value: "appendonly.aof" });
  config.define({ name: "appenddirname", immutable: true, value: "appendonlydir" });
  config.define({ name: "aof-load-truncated", validate: yesNo, value: "yes" });
  config.define({ name: "auto-aof-rewrite-percentage", validate: integerIn(0, 2147483647), value: "100" });
  config.define({ name: "auto-aof-rewrite-min-size", validate: integerIn(0, Number.MAX_SAFE_INTEGER), value: "67108864" });
  config.define({ name: "requirepass", value: "" });
  config.define({ name: "loglevel", validate: oneOf("debug", "verbose", "notice", "warning", "nothing"), value: "notice" });
  config.define({
    name: "notify-keyspace-events",
    value: "",
    validate: (value) => {
      const mask = parseNotifyFlags(value);
      return mask === undefined ? { error: "Invalid event class character. Use 'Ag$lshzxeKEtmd'." } : { value: formatNotifyFlags(mask) };
    },
    apply: (value) => {
      engine.notifyMask = parseNotifyFlags(value) ?? 0;
      return undefined;
    },
  });
  config.define({ name: "hz", validate: integerIn(0, 2147483647), value: "10" });
  config.define({ name: "save", value: "" });
  config.define({ name: "timeout", validate: integerIn(0, 2147483647), value: "0" });
  config.define({ name: "maxclients", validate: integerIn(1, 2147483647), value: "10000" });
  config.define({ name: "maxmemory", value: "0" });
  config.define({ name: "maxmemory-policy", value: "noeviction" });
  config.define({ name: "proto-max-bulk-len", validate: integerIn(1048576, Number.MAX_SAFE_INTEGER), value: "536870912" });
  config.define({ name: "protected-mode", validate: yesNo, value: "yes" });
  config.define({ name: "tcp-keepalive", validate: integerIn(0, 2147483647), value: "300" });
}

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
  ["m", 1 << 11],
  ["d", 1 << 13],
  ["n", 1 << 14],
  ["K", 1 << 0],
  ["E", 1 << 1],
];
/** "A" is every class except m (key miss) and n (new key), as in Redis. */
const NOTIFY_ALL = (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 13);

export function parseNotifyFlags(text: string): number | undefined {
  let mask = 0;
  for (const ch of text) {
    if (ch === "A") {
      mask |= NOTIFY_ALL;
      continue;
    }
    const entry = notifyLetters.find(([letter]) => letter === ch);
    if (entry === undefined) return undefined;
    mask |= entry[1];
  }
  return mask;
}

export function formatNotifyFlags(mask: number): string {
  let text = "";
  if ((mask & NOTIFY_ALL) === NOTIFY_ALL) text = "A";
  else for (const [letter, bit] of notifyLetters.slice(0, 10)) if ((mask & bit) !== 0 && letter !== "m") text += letter;
  for (const [letter, bit] of notifyLetters) {
    if ((letter === "K" || letter === "E" || letter === "m" || letter === "n") && (mask & bit) !== 0) text += letter;
  }
  return text;
}
