/**
 * A decoded reply. RESP2 and RESP3 share the shapes: `$-1` and `_` are both `null`, `*-1` is
 * `nullarray` (kept distinct although nobody renders it differently), bulk errors are `error`.
 */
export type Reply =
  | { type: "simple"; value: string }
  | { type: "error"; value: string }
  | { type: "integer"; value: bigint }
  | { type: "bulk"; value: Buffer }
  | { type: "null" }
  | { type: "array" | "set" | "push"; value: Reply[] }
  | { type: "map" | "attribute"; value: [Reply, Reply][] }
  | { type: "double"; value: string }
  | { type: "boolean"; value: boolean }
  | { type: "verbatim"; format: string; value: Buffer }
  | { type: "bignumber"; value: string }
  | { type: "nullarray" };
