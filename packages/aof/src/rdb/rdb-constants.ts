/** Opcodes that can appear where a value type is expected (Redis's rdb.h, RDB version 10-12). */
export const RdbOpcode = {
  SlotInfo: 244,
  Function2: 245,
  FunctionPreGa: 246,
  ModuleAux: 247,
  Idle: 248,
  Freq: 249,
  Aux: 250,
  ResizeDb: 251,
  ExpireTimeMs: 252,
  ExpireTime: 253,
  SelectDb: 254,
  Eof: 255,
} as const;

/** Value types (rdb.h RDB_TYPE_*). */
export const RdbType = {
  String: 0,
  List: 1,
  Set: 2,
  Zset: 3,
  Hash: 4,
  Zset2: 5,
  ModulePreGa: 6,
  Module2: 7,
  HashZipmap: 9,
  ListZiplist: 10,
  SetIntset: 11,
  ZsetZiplist: 12,
  HashZiplist: 13,
  ListQuicklist: 14,
  StreamListpacks: 15,
  HashListpack: 16,
  ZsetListpack: 17,
  ListQuicklist2: 18,
  StreamListpacks2: 19,
  SetListpack: 20,
  StreamListpacks3: 21,
  HashMetadataPreGa: 22,
  HashListpackExPreGa: 23,
  HashMetadata: 24,
  HashListpackEx: 25,
} as const;

export const RDB_TYPE_NAMES: Readonly<Record<number, string>> = {
  [RdbType.String]: "string",
  [RdbType.List]: "list (linked list)",
  [RdbType.Set]: "set (hashtable)",
  [RdbType.Zset]: "zset (text scores)",
  [RdbType.Hash]: "hash (hashtable)",
  [RdbType.Zset2]: "zset (binary scores)",
  [RdbType.ModulePreGa]: "module value (pre-GA)",
  [RdbType.Module2]: "module value",
  [RdbType.HashZipmap]: "hash (zipmap)",
  [RdbType.ListZiplist]: "list (ziplist)",
  [RdbType.SetIntset]: "set (intset)",
  [RdbType.ZsetZiplist]: "zset (ziplist)",
  [RdbType.HashZiplist]: "hash (ziplist)",
  [RdbType.ListQuicklist]: "list (quicklist of ziplists)",
  [RdbType.StreamListpacks]: "stream (listpacks)",
  [RdbType.HashListpack]: "hash (listpack)",
  [RdbType.ZsetListpack]: "zset (listpack)",
  [RdbType.ListQuicklist2]: "list (quicklist of listpacks)",
  [RdbType.StreamListpacks2]: "stream (listpacks, v2)",
  [RdbType.SetListpack]: "set (listpack)",
  [RdbType.StreamListpacks3]: "stream (listpacks, v3)",
  [RdbType.HashMetadataPreGa]: "hash with field expiration (Redis 7.4 release candidate)",
  [RdbType.HashListpackExPreGa]: "hash with field expiration, listpack (Redis 7.4 release candidate)",
  [RdbType.HashMetadata]: "hash with field expiration (Redis 7.4)",
  [RdbType.HashListpackEx]: "hash with field expiration, listpack (Redis 7.4)",
};

/** Special string encodings, flagged by the top two bits of a length byte being 11. */
export const RdbStringEncoding = {
  Int8: 0,
  Int16: 1,
  Int32: 2,
  Lzf: 3,
} as const;

/** Oldest format with the EOF checksum, and the newest we know the framing of. */
export const RDB_MIN_CHECKSUM_VERSION = 5;
export const RDB_MAX_KNOWN_VERSION = 12;
