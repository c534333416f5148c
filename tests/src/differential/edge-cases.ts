/**
 * Hand-picked sequences, each run on kv and redis-server from an empty keyspace and compared
 * reply by reply (with the same normalization as the random run). Expected replies are not
 * written down on purpose: redis-server is the oracle, so these cannot drift from Redis.
 */

export type EdgeStep =
  /** A command; its replies are compared. */
  | string[]
  /** Raw bytes; `replies` replies are read from each side and compared, then (optionally) the close. */
  | { raw: string; replies: number; closes?: boolean }
  /** Polls EXISTS on both servers until the key has expired (bounded), for short-TTL checks. */
  | { waitUntilGone: string }
  /** Both servers must close the connection now (after QUIT); the case continues on a new one. */
  | { expectClose: true };

export interface EdgeCase {
  name: string;
  steps: EdgeStep[];
}

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

export const edgeCases: EdgeCase[] = [
  {
    name: "the original session",
    steps: [["SET", "username", "Prajwal"], ["GET", "username"], ["EXISTS", "username"], ["GET", "nobody"], ["DEL", "username"], ["GET", "username"]],
  },
  {
    name: "SET conditions and GET",
    steps: [
      ["SET", "k", "v", "NX"], ["SET", "k", "v", "NX"], ["SET", "k", "v2", "XX", "GET"], ["SET", "k", "v3", "GET"], ["SET", "nokey", "v", "XX"],
      ["SET", "k", "v", "NX", "XX"], ["SET", "k", "v", "nx", "get"], ["SET", "new", "v", "NX", "GET"], ["SET", "k", "v", "GET", "GET"],
      ["SET", "k", "v", "XX", "XX"], ["SET", "k"], ["SET", "k", "v", "BADOPT"], ["SET", "", ""], ["GET", ""],
    ],
  },
  {
    name: "SET expiry options",
    steps: [
      ["SET", "k", "v", "EX", "100"], ["TTL", "k"], ["PTTL", "k"], ["SET", "k", "v2", "KEEPTTL"], ["TTL", "k"], ["SET", "k", "v3"], ["TTL", "k"],
      ["SET", "k", "v", "EX", "10", "PX", "10000"], ["SET", "k", "v", "KEEPTTL", "EX", "10"], ["SET", "k", "v", "EX", "0"], ["SET", "k", "v", "EX", "-1"],
      ["SET", "k", "v", "PX", "0"], ["SET", "k", "v", "EX", "abc"], ["SET", "k", "v", "EX", "1.5"], ["SET", "k", "v", "EX", LLONG_MAX],
      ["SET", "k", "v", "EX", "9223372036854775"], ["SET", "k", "v", "PX", LLONG_MAX], ["SET", "k", "v", "EX"], ["SET", "k", "v", "EXAT", "1"],
      ["GET", "k"], ["SET", "k", "v", "PXAT", "32503680000000"], ["PEXPIRETIME", "k"], ["EXPIRETIME", "k"], ["SET", "k", "v", "ex", "100", "get"],
      ["SET", "k", "v", "EXAT", "0"], ["SET", "k", "v", "PXAT", "-1"], ["SET", "k", "v", "EXAT", "9223372036854776"],
    ],
  },
  {
    name: "SETEX, PSETEX, SETNX, GETSET, GETDEL",
    steps: [
      ["SETEX", "k", "100", "v"], ["TTL", "k"], ["SETEX", "k", "0", "v"], ["SETEX", "k", "-10", "v"], ["SETEX", "k", "10.5", "v"], ["PSETEX", "k", "0", "v"],
      ["PSETEX", "k", "100000", "v"], ["PTTL", "k"], ["SETNX", "k", "x"], ["SETNX", "n", "x"], ["GETSET", "n", "y"], ["GETSET", "missing", "y"], ["TTL", "k"],
      ["GETSET", "k", "z"], ["TTL", "k"], ["GETDEL", "k"], ["GETDEL", "k"], ["EXISTS", "k"], ["SETEX", "k", LLONG_MAX, "v"], ["SETEX", "k", "9223372036854775", "v"],
    ],
  },
  {
    name: "GETEX options",
    steps: [
      ["SET", "k", "v"], ["GETEX", "k", "EX", "100"], ["TTL", "k"], ["GETEX", "k", "PERSIST"], ["TTL", "k"], ["GETEX", "k", "PX", "100000"], ["PTTL", "k"],
      ["GETEX", "k", "EX", "100", "PX", "100"], ["GETEX", "k", "EX", "0"], ["GETEX", "k", "EX", "-1"], ["GETEX", "k", "KEEPTTL"], ["GETEX", "nokey", "EX", "100"],
      ["GETEX", "k", "EXAT", "1"], ["EXISTS", "k"], ["SET", "k", "v"], ["GETEX", "k", "PXAT", "32503680000000"], ["PEXPIRETIME", "k"], ["GETEX", "k"], ["GETEX"],
      ["GETEX", "k", "PERSIST", "EX", "10"], ["GETEX", "k", "EX"],
    ],
  },
  {
    name: "INCR family bounds and parsing",
    steps: [
      ["INCR", "n"], ["INCR", "n"], ["INCRBY", "n", "-5"], ["DECR", "n"], ["DECRBY", "n", "10"], ["SET", "n", LLONG_MAX], ["INCR", "n"], ["INCRBY", "n", "0"],
      ["SET", "n", LLONG_MIN], ["DECR", "n"], ["DECRBY", "n", LLONG_MIN], ["SET", "n", "0"], ["DECRBY", "n", LLONG_MIN], ["INCRBY", "n", "abc"],
      ["INCRBY", "n", "9223372036854775808"], ["SET", "n", " 1"], ["INCR", "n"], ["SET", "n", "007"], ["INCR", "n"], ["SET", "n", "-0"], ["INCR", "n"],
      ["SET", "n", "+1"], ["INCR", "n"], ["SET", "n", "1.0"], ["INCR", "n"], ["SET", "n", ""], ["INCR", "n"], ["SET", "n", "10"], ["INCR", "n"],
      ["OBJECT", "ENCODING", "n"], ["APPEND", "n", "0"], ["OBJECT", "ENCODING", "n"], ["INCR", "n"], ["OBJECT", "ENCODING", "n"], ["GET", "n"],
      ["INCRBY", "n"], ["INCR"], ["DECRBY", "n", "1", "2"],
    ],
  },
  {
    name: "INCRBYFLOAT formatting and limits",
    steps: [
      ["SET", "f", "10.50"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "-5.0e3"], ["SET", "f", "5.0e3"], ["INCRBYFLOAT", "f", "2.0e2"],
      ["INCRBYFLOAT", "nokey", "3"], ["INCRBYFLOAT", "nokey", "0.1"], ["INCRBYFLOAT", "nokey", "0.2"], ["SET", "f", "1e308"], ["INCRBYFLOAT", "f", "1e308"],
      ["INCRBYFLOAT", "f", "nan"], ["INCRBYFLOAT", "f", "inf"], ["INCRBYFLOAT", "f", "-inf"], ["SET", "f", "abc"], ["INCRBYFLOAT", "f", "1"],
      ["SET", "f", "1"], ["INCRBYFLOAT", "f", "1 "], ["INCRBYFLOAT", "f", " 1"], ["INCRBYFLOAT", "f", "0x10"], ["INCRBYFLOAT", "f", ""],
      ["INCRBYFLOAT", "f", "1.7976931348623157e308"], ["SET", "f", "3"], ["INCRBYFLOAT", "f", "-3"], ["GET", "f"], ["INCRBYFLOAT", "f", "-0.0"], ["GET", "f"],
      ["SET", "f", "0"], ["INCRBYFLOAT", "f", "1e-5"], ["INCRBYFLOAT", "f", "123456789.123456789"], ["INCRBYFLOAT", "f", "5."], ["INCRBYFLOAT", "f", ".5"],
      ["SET", "f", LLONG_MAX], ["INCRBYFLOAT", "f", "1"], ["SET", "f", "1e400"], ["INCRBYFLOAT", "f", "1"], ["INCRBYFLOAT", "f"],
    ],
  },
  {
    name: "ranges: APPEND, STRLEN, GETRANGE, SETRANGE, SUBSTR",
    steps: [
      ["APPEND", "s", "Hello"], ["APPEND", "s", " World"], ["STRLEN", "s"], ["STRLEN", "nokey"], ["GETRANGE", "s", "0", "4"], ["GETRANGE", "s", "-5", "-1"],
      ["GETRANGE", "s", "0", "-1"], ["GETRANGE", "s", "-100", "100"], ["GETRANGE", "s", "5", "3"], ["GETRANGE", "s", "-1", "-5"], ["GETRANGE", "s", LLONG_MIN, LLONG_MAX],
      ["GETRANGE", "s", "0", "abc"], ["GETRANGE", "nokey", "0", "-1"], ["SUBSTR", "s", "1", "3"], ["SETRANGE", "s", "6", "Redis"], ["GET", "s"],
      ["SETRANGE", "nokey", "0", ""], ["EXISTS", "nokey"], ["SETRANGE", "z", "5", "x"], ["GET", "z"], ["SETRANGE", "s", "-1", "x"], ["SETRANGE", "s", "536870912", "x"],
      ["SETRANGE", "s", "536870911", ""], ["SETRANGE", "s", "abc", "x"], ["SET", "i", "12345"], ["SETRANGE", "i", "1", "9"], ["GET", "i"], ["OBJECT", "ENCODING", "i"],
      ["APPEND", "bin", "\x00\xff\r\n"], ["GETRANGE", "bin", "1", "2"], ["STRLEN", "bin"], ["GETRANGE", "s", "0"],
    ],
  },
  {
    name: "MSET, MSETNX, MGET",
    steps: [
      ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b", "c"], ["MSET", "a", "1", "b"], ["MSETNX", "b", "3", "c", "4"], ["MSETNX", "c", "4", "d", "5"], ["MGET", "c", "d"],
      ["MSET", "a", "x", "a", "y"], ["GET", "a"], ["MGET"], ["MSET"], ["MSETNX", "e", "1", "e", "2"], ["GET", "e"],
    ],
  },
  {
    name: "LCS",
    steps: [
      ["SET", "key1", "ohmytext"], ["SET", "key2", "mynewtext"], ["LCS", "key1", "key2"], ["LCS", "key1", "key2", "LEN"], ["LCS", "key1", "key2", "IDX"],
      ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"], ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"], ["LCS", "key1", "key2", "LEN", "IDX"],
      ["LCS", "key1", "nokey"], ["LCS", "nokey", "nokey2", "IDX"], ["LCS", "key1", "key2", "MINMATCHLEN", "abc"], ["LCS", "key1", "key2", "BAD"], ["LCS", "key1"],
      ["LCS", "key1", "key1", "WITHMATCHLEN"],
    ],
  },
  {
    name: "DEL, UNLINK, EXISTS, TYPE, TOUCH",
    steps: [
      ["SET", "a", "1"], ["SET", "b", "2"], ["EXISTS", "a", "a", "b", "c"], ["TYPE", "a"], ["TYPE", "c"], ["TOUCH", "a", "b", "c"], ["DEL", "a", "a", "c"],
      ["UNLINK", "b", "c"], ["EXISTS", "a", "b"], ["DEL"], ["TYPE"], ["EXISTS"],
    ],
  },
  {
    name: "RENAME, RENAMENX, COPY, MOVE, SWAPDB",
    steps: [
      ["SET", "a", "1", "EX", "1000"], ["RENAME", "a", "b"], ["TTL", "b"], ["RENAME", "nokey", "x"], ["RENAME", "b", "b"], ["RENAMENX", "b", "b"], ["SET", "c", "3"],
      ["RENAMENX", "b", "c"], ["RENAMENX", "nokey", "c"], ["COPY", "b", "b"], ["COPY", "b", "c"], ["COPY", "b", "c", "REPLACE"], ["TTL", "c"], ["COPY", "b", "d", "DB", "1"],
      ["COPY", "b", "d", "DB", "16"], ["COPY", "b", "d", "DB", "abc"], ["COPY", "b", "d", "BAD"], ["COPY", "nokey", "d"], ["MOVE", "b", "0"], ["MOVE", "b", "1"],
      ["MOVE", "c", "1"], ["MOVE", "c", "16"], ["MOVE", "c", "-1"], ["SELECT", "1"], ["MGET", "b", "c", "d"], ["TTL", "b"], ["SELECT", "0"], ["SWAPDB", "0", "1"],
      ["MGET", "b", "c", "d"], ["SWAPDB", "0", "16"], ["SWAPDB", "abc", "0"], ["SWAPDB", "0", "abc"], ["SWAPDB", "1", "1"], ["DBSIZE"], ["SELECT", "1"], ["DBSIZE"],
    ],
  },
  {
    name: "EXPIRE family options",
    steps: [
      ["SET", "k", "v"], ["EXPIRE", "k", "100", "XX"], ["EXPIRE", "k", "100", "GT"], ["EXPIRE", "k", "100", "LT"], ["TTL", "k"], ["EXPIRE", "k", "200", "NX"],
      ["EXPIRE", "k", "200", "GT"], ["EXPIRE", "k", "50", "GT"], ["EXPIRE", "k", "50", "LT"], ["TTL", "k"], ["EXPIRE", "k", "10", "NX", "XX"], ["EXPIRE", "k", "10", "GT", "LT"],
      ["EXPIRE", "k", "10", "NX", "GT"], ["EXPIRE", "k", "10", "BAD"], ["EXPIRE", "nokey", "100"], ["PEXPIRE", "k", "500000"], ["PTTL", "k"], ["EXPIREAT", "k", "32503680000"],
      ["EXPIRETIME", "k"], ["PEXPIREAT", "k", "32503680000000", "LT"], ["PEXPIRETIME", "k"], ["PERSIST", "k"], ["PERSIST", "k"], ["TTL", "k"], ["EXPIRETIME", "k"],
      ["EXPIRETIME", "nokey"], ["PTTL", "nokey"], ["EXPIRE", "k", LLONG_MAX], ["EXPIRE", "k", "9223372036854775"], ["PEXPIRE", "k", LLONG_MAX], ["EXPIREAT", "k", LLONG_MAX],
      ["PEXPIREAT", "k", LLONG_MAX], ["EXPIRE", "k", LLONG_MIN], ["EXISTS", "k"], ["SET", "k", "v"], ["EXPIRE", "k", "-1"], ["EXISTS", "k"], ["SET", "k", "v"],
      ["EXPIRE", "k", "0"], ["EXISTS", "k"], ["SET", "k", "v"], ["PEXPIREAT", "k", "1"], ["GET", "k"], ["EXPIRE", "k", "abc"], ["EXPIRE", "k"], ["TTL"],
    ],
  },
  {
    name: "keys expire after their TTL (lazily and actively)",
    steps: [
      ["SET", "short", "v", "PX", "30"], ["PSETEX", "short2", "30", "v"], ["SET", "long", "v", "EX", "1000"], { waitUntilGone: "short" }, { waitUntilGone: "short2" },
      ["GET", "short"], ["EXISTS", "short", "short2", "long"], ["DBSIZE"], ["DEBUG", "SET-ACTIVE-EXPIRE", "0"], ["SET", "lazy", "v", "PX", "20"],
      { waitUntilGone: "lazy" }, ["TTL", "lazy"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"],
    ],
  },
  {
    name: "KEYS glob patterns",
    steps: [
      ["MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "a*b", "6", "a?b", "7", "[x]", "8", "h\\llo", "9"],
      ["KEYS", "h?llo"], ["KEYS", "h*llo"], ["KEYS", "h[ae]llo"], ["KEYS", "h[^e]llo"], ["KEYS", "h[a-b]llo"], ["KEYS", "a\\*b"], ["KEYS", "a\\?b"], ["KEYS", "\\[x\\]"],
      ["KEYS", "["], ["KEYS", "[x"], ["KEYS", "h\\\\llo"], ["KEYS", "*"], ["KEYS", ""], ["KEYS", "H*"], ["KEYS", "h[b-a]llo"], ["KEYS", "*[]*"], ["KEYS", "h[a-]llo"],
      ["KEYS"],
    ],
  },
  {
    name: "SCAN options",
    steps: [
      ["MSET", "a1", "1", "a2", "2", "b1", "3"], ["SCAN", "0", "MATCH", "a*"], ["SCAN", "0", "COUNT", "0"], ["SCAN", "0", "COUNT", "-1"], ["SCAN", "abc"], ["SCAN", "-1"],
      ["SCAN", "0", "TYPE", "string"], ["SCAN", "0", "TYPE", "list"], ["SCAN", "0", "MATCH"], ["SCAN", "0", "BAD", "x"], ["SCAN", "18446744073709551615"], ["SCAN"],
    ],
  },
  {
    name: "RANDOMKEY, DBSIZE, FLUSHDB, FLUSHALL, SELECT",
    steps: [
      ["RANDOMKEY"], ["SET", "only", "1"], ["RANDOMKEY"], ["DBSIZE"], ["SELECT", "3"], ["SET", "x", "1"], ["DBSIZE"], ["FLUSHDB"], ["DBSIZE"], ["SELECT", "0"],
      ["DBSIZE"], ["FLUSHDB", "ASYNC"], ["FLUSHDB", "BAD"], ["FLUSHALL", "SYNC"], ["FLUSHALL", "ASYNC", "SYNC"], ["SELECT", "16"], ["SELECT", "-1"], ["SELECT", "abc"],
      ["SELECT", "0x1"], ["SELECT", "15"], ["SELECT"], ["DBSIZE", "x"],
    ],
  },
  {
    name: "connection commands",
    steps: [
      ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "\x00\xff"], ["ECHO"], ["HELLO"], ["HELLO", "2"], ["HELLO", "3"], ["HELLO", "4"], ["HELLO", "abc"],
      ["HELLO", "3", "SETNAME", "edge"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "a b"], ["CLIENT", "SETNAME", ""], ["CLIENT", "GETNAME"], ["HELLO", "2", "AUTH", "default", "x"],
      ["HELLO", "2", "AUTH", "nobody", "x"], ["AUTH", "x"], ["AUTH", "default", "x"], ["AUTH", "nobody", "x"], ["CLIENT", "KILL", "ID", "999999999"],
      ["CLIENT", "KILL", "10.255.255.1:1"], ["CLIENT", "NOSUCH"], ["CLIENT", "SETNAME", "n"], ["RESET"], ["CLIENT", "GETNAME"], ["RESET", "x"], ["HELLO", "3", "BAD"],
    ],
  },
  {
    name: "QUIT closes after replying",
    steps: [["SET", "q", "1"], ["QUIT"], { expectClose: true }, ["GET", "q"]],
  },
  {
    name: "server commands",
    steps: [
      ["CONFIG", "GET", "maxmemory"], ["CONFIG", "GET", "databases", "appendonly"], ["CONFIG", "GET", "nonexistent"], ["CONFIG", "GET"], ["CONFIG", "SET", "nonexistent", "x"],
      ["CONFIG", "NOSUCH"], ["CONFIG"], ["COMMAND", "INFO", "get"], ["COMMAND", "COUNT"], ["INFO", "keyspace"], ["TIME"], ["LASTSAVE"], ["DEBUG", "SLEEP", "0"],
      ["SET", "r", "1", "EX", "1000"], ["DEBUG", "RELOAD"], ["GET", "r"], ["TTL", "r"], ["OBJECT", "FREQ", "r"], ["OBJECT", "NOSUCH", "r"],
    ],
  },
  {
    name: "OBJECT ENCODING and REFCOUNT",
    steps: [
      ["MSET", "int", "12345", "zero-led", "0123", "e44", "x".repeat(44), "r45", "x".repeat(45), "neg", "-1", "max", LLONG_MAX, "over", "9223372036854775808", "sp", " 1"],
      ["OBJECT", "ENCODING", "int"], ["OBJECT", "ENCODING", "zero-led"], ["OBJECT", "ENCODING", "e44"], ["OBJECT", "ENCODING", "r45"], ["OBJECT", "ENCODING", "neg"],
      ["OBJECT", "ENCODING", "max"], ["OBJECT", "ENCODING", "over"], ["OBJECT", "ENCODING", "sp"], ["OBJECT", "ENCODING", "nokey"], ["SET", "small", "100"],
      ["OBJECT", "REFCOUNT", "small"], ["SET", "big", "10000"], ["OBJECT", "REFCOUNT", "big"], ["OBJECT", "REFCOUNT", "e44"], ["APPEND", "e44", "y"], ["OBJECT", "ENCODING", "e44"],
      ["SET", "t", "1", "EX", "100"], ["OBJECT", "ENCODING", "t"], ["OBJECT", "REFCOUNT", "t"], ["OBJECT", "ENCODING"],
    ],
  },
  {
    name: "unknown commands and arity errors",
    steps: [
      ["NOSUCHCOMMAND"], ["NOSUCHCOMMAND", "a", "b"], ["nosuch", ..."x".repeat(30).split("").map((c, i) => c.repeat(i + 5))], ["GET"], ["SET", "k"], ["MSET", "a"],
      ["EXPIRE", "k"], ["OBJECT", "ENCODING"], ["CLIENT", "SETNAME"], ["GETRANGE", "k", "0"], ["ECHO", "a", "b"], ["SELECT", "1", "2"], ["DBSIZE", "1"], [""], ["\x00"],
    ],
  },
  {
    name: "binary keys and values",
    steps: [
      ["SET", "\x00\xff\r\n", "\r\n\x00"], ["GET", "\x00\xff\r\n"], ["KEYS", "*"], ["STRLEN", "\x00\xff\r\n"], ["SET", "big", "\xab".repeat(100_000)], ["STRLEN", "big"],
      ["GETRANGE", "big", "99990", "-1"], ["APPEND", "big", "\x00"], ["OBJECT", "ENCODING", "big"], ["RENAME", "\x00\xff\r\n", "\xff"], ["EXISTS", "\xff"],
    ],
  },
  {
    name: "protocol: inline commands",
    steps: [
      { raw: "SET inline value\r\nGET inline\r\n", replies: 2 },
      { raw: 'SET "a b" "c\\x41\\n"\r\nGET "a b"\r\n', replies: 2 },
      { raw: "SET q 'single quoted'\r\nGET q\r\n", replies: 2 },
      { raw: "PING\n", replies: 1 },
      { raw: "\r\n\r\nPING\r\n", replies: 1 },
      { raw: "   ECHO   spaced   \r\n", replies: 1 },
      { raw: "*0\r\nPING\r\n", replies: 1 },
      { raw: "*-1\r\nPING\r\n", replies: 1 },
      { raw: "*1\r\n$4\r\nPING\r\nPING\r\n", replies: 2 },
    ],
  },
  {
    name: "protocol error: unbalanced quotes",
    steps: [{ raw: 'SET "a b\r\n', replies: 1, closes: true }],
  },
  {
    name: "protocol error: invalid multibulk length",
    steps: [{ raw: "*abc\r\n", replies: 1, closes: true }],
  },
  {
    name: "protocol error: invalid bulk length",
    steps: [{ raw: "*1\r\n$-5\r\n", replies: 1, closes: true }],
  },
  {
    name: "protocol error: bulk longer than proto-max-bulk-len",
    steps: [{ raw: "*1\r\n$536870913\r\n", replies: 1, closes: true }],
  },
  {
    name: "protocol error: expected '$'",
    steps: [{ raw: "*1\r\nfoo\r\n", replies: 1, closes: true }],
  },
  {
    name: "protocol error: replies before the bad command are kept",
    steps: [{ raw: "PING\r\n*1\r\n$4\r\nPING\r\n*2\r\n+x\r\n", replies: 3, closes: true }],
  },
];
