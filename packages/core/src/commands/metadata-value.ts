/**
 * A reply tree as redis-server sends it over RESP3, kept so COMMAND INFO/DOCS can be
 * re-encoded for either protocol. Strings are bulk strings unless tagged simple.
 */
export type MetadataValue =
  | string
  | number
  | null
  | MetadataValue[]
  | { t: "simple"; v: string }
  | { t: "set"; v: MetadataValue[] }
  | { t: "map"; v: [MetadataValue, MetadataValue][] };
