import type { MetadataValue } from "./metadata-value.js";

/**
 * Hand-written metadata for commands newer than the Redis release the generated table comes
 * from (7.0.15), in the same shape redis-server reports (COMMAND INFO / COMMAND DOCS as RESP3
 * trees), keyed by full name. The command table merges these in; keep each entry as the Redis
 * release that introduced it reports it, and say which release.
 *
 * CLIENT SETINFO (Redis 7.2): clients such as node-redis 5 send it on every connect. They ignore
 * an error, but answering it keeps their CLIENT LIST attribution and avoids a failed call per
 * connection in INFO errorstats.
 */
export const laterCommandInfo: Record<string, MetadataValue[]> = {
  "client|setinfo": [
    "client|setinfo",
    4,
    { t: "set", v: [{ t: "simple", v: "noscript" }, { t: "simple", v: "loading" }, { t: "simple", v: "stale" }] },
    0,
    0,
    0,
    { t: "set", v: [{ t: "simple", v: "@slow" }, { t: "simple", v: "@connection" }] },
    { t: "set", v: ["request_policy:all_nodes", "response_policy:all_succeeded"] },
    { t: "set", v: [] },
    { t: "set", v: [] },
  ],
};

export const laterCommandDocs: Record<string, MetadataValue> = {
  "client|setinfo": {
    t: "map",
    v: [
      ["summary", "Sets information specific to the client or connection."],
      ["since", "7.2.0"],
      ["group", "connection"],
      ["complexity", "O(1)"],
      [
        "arguments",
        [
          {
            t: "map",
            v: [
              ["name", "attr"],
              ["type", "oneof"],
              [
                "arguments",
                [
                  { t: "map", v: [["name", "libname"], ["type", "string"], ["token", "lib-name"]] },
                  { t: "map", v: [["name", "libver"], ["type", "string"], ["token", "lib-ver"]] },
                ],
              ],
            ],
          },
        ],
      ],
    ],
  },
};
