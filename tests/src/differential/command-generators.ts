import { familyGenerators } from "./generators/index.js";
import type { Random } from "./random.js";

/**
 * Random commands for the differential test. Arguments are latin1 strings (one char per
 * byte), so binary keys and values travel unchanged.
 *
 * Everything generated must be deterministic on both servers given the same state: relative
 * TTLs are either far in the future (>= 1000 s, nothing expires mid-run) or not positive
 * (the key is deleted at once), and memory-hungry shapes (SETRANGE at a huge valid offset,
 * LCS of long strings) are avoided or guarded, since Redis would allocate for real.
 */

export interface Generated {
  argv: string[];
  /** Checked by the runner before sending; LCS needs both strings short (its table is n*m). */
  lcsKeys?: [string, string];
}

export interface GeneratorContext {
  /** Data types the kv server implements beyond strings (probed at start), for WRONGTYPE paths. */
  extraTypes: ReadonlySet<"list" | "set">;
  nowMs: () => number;
}

export interface CommandGenerator {
  name: string;
  weight: number;
  generate: (r: Random, ctx: GeneratorContext) => Generated;
  /** May appear inside a pipelined batch (it changes no connection state). */
  batchable: boolean;
}

const LLONG_MAX = "9223372036854775807";
const LLONG_MIN = "-9223372036854775808";

/** Upper/lower/mixed case: Redis matches command names and options case-insensitively. */
export function randomCase(r: Random, word: string): string {
  const roll = r.next();
  if (roll < 0.55) return word.toUpperCase();
  if (roll < 0.8) return word.toLowerCase();
  return [...word].map((ch) => (r.chance(0.5) ? ch.toUpperCase() : ch.toLowerCase())).join("");
}

const commonKeys = ["k0", "k1", "k2", "k3", "k4", "counter", "num", "float", "str", "name"];
const specialKeys = [
  "",
  "\x00",
  "bin\x00\xff\r\n",
  "sp ace",
  Buffer.from("ключ", "utf8").toString("latin1"),
  "*",
  "k?",
  "[k]",
  "\\",
  "L".repeat(300),
  "{user}:1",
];

export function randomKey(r: Random): string {
  const roll = r.next();
  if (roll < 0.82) return r.pick(commonKeys);
  if (roll < 0.95) return r.pick(specialKeys);
  return r.bytes(r.int(1, 12));
}

const integerLike = [
  "0", "1", "-1", "42", "9999", "10000", "-10000", LLONG_MAX, LLONG_MIN, "9223372036854775808",
  "-9223372036854775809", "007", "+1", "-0", "1 ", " 1", "0x10", "12345678901234567890", "1e3",
];
const floatLike = [
  "1.5", "-0.0", "0.1", "3.0", "1e3", "1e308", "-1e308", "inf", "-inf", "+inf", "nan", ".5", "5.",
  "1.7976931348623157e308", "4.9e-324", "0.30000000000000004", "1e-5", "123456789.123456789", "10.50",
];
const words = ["v", "hello", "Prajwal", "", " ", "a\r\nb", "x".repeat(44), "x".repeat(45), "1".repeat(20), "abcabcbcbcab"];

export function randomValue(r: Random): string {
  const roll = r.next();
  if (roll < 0.3) return r.pick(words);
  if (roll < 0.55) return r.pick(integerLike);
  if (roll < 0.65) return String(r.int(-50, 50));
  if (roll < 0.78) return r.pick(floatLike);
  if (roll < 0.93) return r.bytes(r.int(0, 32));
  return "y".repeat(r.int(46, 300));
}

/** An integer argument: mostly small valid numbers, sometimes huge, overflowing or not a number. */
export function randomInteger(r: Random, small: [number, number] = [-20, 20]): string {
  const roll = r.next();
  if (roll < 0.7) return String(r.int(small[0], small[1]));
  if (roll < 0.82) return r.pick([LLONG_MAX, LLONG_MIN, "9223372036854775808", "-9223372036854775809", "4611686018427387904", "-4611686018427387904"]);
  return r.pick(["abc", "1.0", "", " 5", "5 ", "+5", "0x1", "1e3", "--1", "-", "0.5", "\x00"]);
}

function randomFloatArgument(r: Random): string {
  const roll = r.next();
  if (roll < 0.5) return r.pick(["0.1", "-0.1", "1", "-1", "2.5", "1e10", "1.5e-3", "-3.75", "100", "0"]);
  if (roll < 0.65) return (r.next() * 2000 - 1000).toFixed(r.int(0, 6));
  return r.pick([
    "1e308", "-1e308", "inf", "-inf", "nan", "abc", "", "0x1p3", " 1", "1 ", "5.", ".5", "-0", "+1.5",
    "3.0000000000000000001", "1e400", "1e-400", LLONG_MAX, "1,5",
  ]);
}

/** A relative TTL in seconds: far-future, zero/negative (delete at once), overflowing or malformed. */
function relativeSeconds(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return String(r.int(1000, 100_000_000));
  if (roll < 0.72) return r.pick(["0", "-1", "-100"]);
  if (roll < 0.86) return r.pick([LLONG_MAX, LLONG_MIN, "9223372036854775808", "9223372036854776", "9223372036854775", "4611686018427387"]);
  return r.pick(["abc", "1.5", "", " 1000", "1e4", "+1000"]);
}

function relativeMillis(r: Random): string {
  const roll = r.next();
  if (roll < 0.6) return String(r.int(1_000_000, 100_000_000_000));
  if (roll < 0.72) return r.pick(["0", "-1", "-100000"]);
  if (roll < 0.86) return r.pick([LLONG_MAX, LLONG_MIN, "9223372036854775808", "9223372036854775000", "9223372036854775807000"]);
  return r.pick(["abc", "1.5", "", "1e9"]);
}

function absoluteSeconds(r: Random, ctx: GeneratorContext): string {
  const nowSeconds = Math.floor(ctx.nowMs() / 1000);
  const roll = r.next();
  if (roll < 0.55) return String(nowSeconds + r.int(1000, 100_000_000));
  if (roll < 0.72) return String(r.int(1, nowSeconds - 1000));
  if (roll < 0.86) return r.pick(["0", "-1", LLONG_MAX, "9223372036854775", "9223372036854776", "253402300799"]);
  return r.pick(["abc", "", "1.5"]);
}

function absoluteMillis(r: Random, ctx: GeneratorContext): string {
  const roll = r.next();
  if (roll < 0.55) return String(ctx.nowMs() + r.int(1_000_000, 100_000_000_000));
  if (roll < 0.72) return String(r.int(1, ctx.nowMs() - 1_000_000));
  if (roll < 0.86) return r.pick(["0", "-1", LLONG_MAX, LLONG_MIN, "9223372036854775808"]);
  return r.pick(["abc", "", "1.5"]);
}

function keys(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => randomKey(r));
}

function dbIndex(r: Random): string {
  const roll = r.next();
  if (roll < 0.75) return String(r.int(0, 3));
  if (roll < 0.85) return String(r.int(4, 15));
  return r.pick(["16", "-1", "abc", "1.0", "", "99999999999999999999", "2147483648", " 1"]);
}

function expireOptions(r: Random): string[] {
  const roll = r.next();
  if (roll < 0.45) return [];
  if (roll < 0.85) return [randomCase(r, r.pick(["NX", "XX", "GT", "LT"]))];
  if (roll < 0.95) return r.shuffle([r.pick(["NX", "XX", "GT", "LT"]), r.pick(["NX", "XX", "GT", "LT"])]).map((o) => randomCase(r, o));
  return [r.pick(["FOO", "GTE", ""])];
}

function setOptions(r: Random, ctx: GeneratorContext): string[] {
  const pool: (() => string[])[] = [
    () => ["NX"],
    () => ["XX"],
    () => ["GET"],
    () => ["KEEPTTL"],
    () => ["EX", relativeSeconds(r)],
    () => ["PX", relativeMillis(r)],
    () => ["EXAT", absoluteSeconds(r, ctx)],
    () => ["PXAT", absoluteMillis(r, ctx)],
  ];
  const count = r.pick([0, 0, 1, 1, 1, 2, 2, 3]);
  const chosen: string[][] = [];
  for (let i = 0; i < count; i++) chosen.push(r.pick(pool)());
  if (r.chance(0.05)) chosen.push([r.pick(["FOO", "EXX", "PERSIST", "EX"])]);
  return r.shuffle(chosen).flatMap(([option, ...rest]) => [randomCase(r, option!), ...rest]);
}

function getexOptions(r: Random, ctx: GeneratorContext): string[] {
  const pool: (() => string[])[] = [
    () => ["EX", relativeSeconds(r)],
    () => ["PX", relativeMillis(r)],
    () => ["EXAT", absoluteSeconds(r, ctx)],
    () => ["PXAT", absoluteMillis(r, ctx)],
    () => ["PERSIST"],
  ];
  const count = r.pick([0, 1, 1, 1, 2]);
  const chosen: string[][] = [];
  for (let i = 0; i < count; i++) chosen.push(r.pick(pool)());
  if (r.chance(0.05)) chosen.push([r.pick(["KEEPTTL", "NX", "EX"])]);
  return chosen.flatMap(([option, ...rest]) => [randomCase(r, option!), ...rest]);
}

function globPattern(r: Random): string {
  return r.pick([
    "*", "k*", "k?", "*e*", "[a-k]*", "[^k]*", "k[0-2]", "\\*", "*\\?", "[k]", "[", "[a-", "\\", "",
    "counter", "*o*u*", "K*", "?", "??", "*\x00*", "[!k]*", "{user}*", "k[", "*[]*", "[-]", "[z-a]*",
  ]);
}

const configParameters = [
  "appendonly", "databases", "maxmemory", "maxmemory-policy", "timeout", "requirepass", "nonexistent-parameter",
  "proto-max-bulk-len", "appendfsync",
];

function generators(): CommandGenerator[] {
  const list: CommandGenerator[] = [];
  const add = (name: string, weight: number, generate: CommandGenerator["generate"], batchable = true): void => {
    list.push({ name, weight, generate, batchable });
  };
  const argv = (r: Random, name: string, ...args: string[]): Generated => ({ argv: [randomCase(r, name), ...args] });

  // Connection
  add("PING", 2, (r) => argv(r, "PING", ...(r.chance(0.5) ? [] : r.chance(0.8) ? [randomValue(r)] : ["a", "b"])));
  add("ECHO", 2, (r) => argv(r, "ECHO", ...(r.chance(0.9) ? [randomValue(r)] : r.chance(0.5) ? [] : ["a", "b"])));
  add("SELECT", 4, (r) => argv(r, "SELECT", dbIndex(r)), false);
  add("HELLO", 1, (r) => {
    const args: string[] = [];
    if (r.chance(0.9)) args.push(r.pick(["2", "3", "3", "2", "4", "1", "abc", "", "-1", "3.0"]));
    if (r.chance(0.15)) args.push(randomCase(r, "AUTH"), r.pick(["default", "nobody"]), r.pick(["pass", ""]));
    if (r.chance(0.15)) args.push(randomCase(r, "SETNAME"), r.pick(["hello-client", "bad name", ""]));
    if (r.chance(0.05)) args.push("FOO");
    return argv(r, "HELLO", ...args);
  }, false);
  add("AUTH", 0.5, (r) => argv(r, "AUTH", ...r.pick([["pass"], ["default", "pass"], ["someone", "pass"], [], ["a", "b", "c"]])));
  add("RESET", 0.3, (r) => argv(r, "RESET", ...(r.chance(0.1) ? ["x"] : [])), false);
  add("QUIT", 0.2, (r) => argv(r, "QUIT", ...(r.chance(0.2) ? ["x"] : [])), false);
  add("CLIENT", 3, (r) => {
    const roll = r.next();
    if (roll < 0.15) return argv(r, "CLIENT", randomCase(r, "ID"));
    if (roll < 0.35) return argv(r, "CLIENT", randomCase(r, "SETNAME"), r.pick(["conn-a", "", "with space", "new\nline", "x".repeat(50), "ü"]));
    if (roll < 0.55) return argv(r, "CLIENT", randomCase(r, "GETNAME"));
    if (roll < 0.65) return argv(r, "CLIENT", randomCase(r, "LIST"), ...(r.chance(0.3) ? ["TYPE", "normal"] : []));
    if (roll < 0.72) return argv(r, "CLIENT", randomCase(r, "INFO"));
    if (roll < 0.85)
      return argv(r, "CLIENT", randomCase(r, "KILL"), ...r.pick([["10.255.255.1:1"], ["ID", "999999999"], ["ID", "abc"], ["ADDR", "10.255.255.1:1", "SKIPME", "yes"], ["BADFILTER", "x"], ["ID"]]));
    if (roll < 0.92) return argv(r, "CLIENT", r.pick(["NOSUCHSUB", "help"]));
    return argv(r, "CLIENT");
  });

  // Server
  add("DBSIZE", 2, (r) => argv(r, "DBSIZE", ...(r.chance(0.05) ? ["x"] : [])));
  add("FLUSHDB", 0.4, (r) => argv(r, "FLUSHDB", ...r.pick([[], [], ["ASYNC"], ["SYNC"], ["async"], ["BAD"], ["ASYNC", "SYNC"]])));
  add("FLUSHALL", 0.15, (r) => argv(r, "FLUSHALL", ...r.pick([[], ["ASYNC"], ["SYNC"], ["BAD"]])));
  add("TIME", 0.5, (r) => argv(r, "TIME", ...(r.chance(0.1) ? ["x"] : [])));
  add("LASTSAVE", 0.3, (r) => argv(r, "LASTSAVE"));
  add("INFO", 0.7, (r) => argv(r, "INFO", ...r.pick([[], ["server"], ["keyspace"], ["persistence"], ["clients"], ["everything"], ["nonexistent"], ["server", "clients"], ["KEYSPACE"]])));
  add("CONFIG", 1.5, (r) => {
    const roll = r.next();
    if (roll < 0.7) return argv(r, "CONFIG", randomCase(r, "GET"), ...Array.from({ length: r.int(1, 3) }, () => r.pick(configParameters)));
    if (roll < 0.8) return argv(r, "CONFIG", randomCase(r, "GET"));
    if (roll < 0.88) return argv(r, "CONFIG", randomCase(r, "RESETSTAT"));
    if (roll < 0.95) return argv(r, "CONFIG", r.pick(["NOSUCH", "HELP"]));
    return argv(r, "CONFIG");
  });
  add("COMMAND", 0.5, (r) => argv(r, "COMMAND", ...r.pick([[], ["COUNT"], ["INFO", "get"], ["INFO", "nosuchcommand"], ["DOCS", "set"], ["NOSUB"]])));
  add("DEBUG", 0.6, (r) => {
    const roll = r.next();
    if (roll < 0.4) return argv(r, "DEBUG", randomCase(r, "SLEEP"), r.pick(["0", "0.001"]));
    if (roll < 0.55) return argv(r, "DEBUG", randomCase(r, "RELOAD"));
    // Only "0": the runner keeps active expiry off so that expired-key counts are deterministic.
    if (roll < 0.7) return argv(r, "DEBUG", randomCase(r, "SET-ACTIVE-EXPIRE"), "0");
    return argv(r, "DEBUG", randomCase(r, "OBJECT"), randomKey(r));
  }, false);
  add("SAVE/BGSAVE/BGREWRITEAOF", 0.2, (r) => argv(r, r.pick(["SAVE", "BGSAVE", "BGREWRITEAOF"])), false);

  // Strings
  add("SET", 14, (r, ctx) => argv(r, "SET", randomKey(r), randomValue(r), ...setOptions(r, ctx)));
  add("GET", 12, (r) => argv(r, "GET", randomKey(r)));
  add("GETSET", 1.5, (r) => argv(r, "GETSET", randomKey(r), randomValue(r)));
  add("GETDEL", 1.5, (r) => argv(r, "GETDEL", randomKey(r)));
  add("GETEX", 3, (r, ctx) => argv(r, "GETEX", randomKey(r), ...getexOptions(r, ctx)));
  add("SETNX", 1.5, (r) => argv(r, "SETNX", randomKey(r), randomValue(r)));
  add("SETEX", 1.5, (r) => argv(r, "SETEX", randomKey(r), relativeSeconds(r), randomValue(r)));
  add("PSETEX", 1.5, (r) => argv(r, "PSETEX", randomKey(r), relativeMillis(r), randomValue(r)));
  add("MSET", 2, (r) => argv(r, "MSET", ...keys(r, 1, 4).flatMap((key) => [key, randomValue(r)]), ...(r.chance(0.1) ? ["dangling"] : [])));
  add("MSETNX", 1.5, (r) => argv(r, "MSETNX", ...keys(r, 1, 3).flatMap((key) => [key, randomValue(r)]), ...(r.chance(0.1) ? ["dangling"] : [])));
  add("MGET", 3, (r) => argv(r, "MGET", ...keys(r, 1, 5)));
  add("APPEND", 3, (r) => argv(r, "APPEND", randomKey(r), randomValue(r)));
  add("STRLEN", 2, (r) => argv(r, "STRLEN", randomKey(r)));
  for (const name of ["GETRANGE", "SUBSTR"]) {
    add(name, name === "GETRANGE" ? 3 : 1, (r) => argv(r, name, randomKey(r), randomInteger(r, [-60, 60]), randomInteger(r, [-60, 60])));
  }
  add("SETRANGE", 3, (r) => {
    const roll = r.next();
    if (roll < 0.75) return argv(r, "SETRANGE", randomKey(r), String(r.int(0, 300)), randomValue(r));
    if (roll < 0.85) return argv(r, "SETRANGE", randomKey(r), r.pick(["536870911", "536870912", LLONG_MAX, "4294967296"]), "");
    // Offsets past proto-max-bulk-len with a non-empty value must fail, never allocate.
    if (roll < 0.93) return argv(r, "SETRANGE", randomKey(r), r.pick(["536870912", "1000000000", LLONG_MAX]), r.pick(["x", "abc"]));
    return argv(r, "SETRANGE", randomKey(r), r.pick(["-1", "abc", "", "1.5", LLONG_MIN]), "x");
  });
  for (const name of ["INCR", "DECR"]) add(name, 3, (r) => argv(r, name, randomKey(r)));
  for (const name of ["INCRBY", "DECRBY"]) add(name, 3, (r) => argv(r, name, randomKey(r), randomInteger(r, [-1000, 1000])));
  add("INCRBYFLOAT", 3, (r) => argv(r, "INCRBYFLOAT", randomKey(r), randomFloatArgument(r)));
  add("LCS", 1.5, (r) => {
    const a = randomKey(r);
    const b = randomKey(r);
    const options: string[][] = [];
    if (r.chance(0.3)) options.push([randomCase(r, "LEN")]);
    if (r.chance(0.4)) options.push([randomCase(r, "IDX")]);
    if (r.chance(0.3)) options.push([randomCase(r, "MINMATCHLEN"), r.pick(["0", "1", "2", "4", "-1", "abc", LLONG_MAX])]);
    if (r.chance(0.3)) options.push([randomCase(r, "WITHMATCHLEN")]);
    if (r.chance(0.05)) options.push(["BADOPT"]);
    return { argv: [randomCase(r, "LCS"), a, b, ...r.shuffle(options).flat()], lcsKeys: [a, b] };
  });

  // Keyspace
  add("DEL", 4, (r) => argv(r, "DEL", ...keys(r, 1, 4)));
  add("UNLINK", 1.5, (r) => argv(r, "UNLINK", ...keys(r, 1, 4)));
  add("EXISTS", 3, (r) => {
    const chosen = keys(r, 1, 4);
    return argv(r, "EXISTS", ...chosen, ...(r.chance(0.3) ? [chosen[0]!] : []));
  });
  add("TYPE", 2, (r) => argv(r, "TYPE", randomKey(r)));
  add("KEYS", 2, (r) => argv(r, "KEYS", globPattern(r)));
  add("SCAN", 2, (r) => {
    const args: string[][] = [];
    if (r.chance(0.5)) args.push([randomCase(r, "MATCH"), globPattern(r)]);
    if (r.chance(0.5)) args.push([randomCase(r, "COUNT"), r.pick(["1", "2", "10", "1000", "0", "-1", "abc", LLONG_MAX])]);
    if (r.chance(0.3)) args.push([randomCase(r, "TYPE"), r.pick(["string", "STRING", "list", "set", "nosuchtype"])]);
    if (r.chance(0.03)) args.push(["BADOPT"]);
    const cursor = r.chance(0.85) ? "0" : r.pick(["abc", "-1", "18446744073709551616", "", "1.5"]);
    return argv(r, "SCAN", cursor, ...r.shuffle(args).flat());
  });
  add("RANDOMKEY", 1, (r) => argv(r, "RANDOMKEY", ...(r.chance(0.05) ? ["x"] : [])));
  add("RENAME", 2, (r) => argv(r, "RENAME", randomKey(r), randomKey(r)));
  add("RENAMENX", 1.5, (r) => argv(r, "RENAMENX", randomKey(r), randomKey(r)));
  add("COPY", 2, (r) => {
    const options: string[][] = [];
    if (r.chance(0.4)) options.push([randomCase(r, "DB"), dbIndex(r)]);
    if (r.chance(0.4)) options.push([randomCase(r, "REPLACE")]);
    if (r.chance(0.05)) options.push(["BADOPT"]);
    return argv(r, "COPY", randomKey(r), randomKey(r), ...r.shuffle(options).flat());
  });
  add("MOVE", 1.5, (r) => argv(r, "MOVE", randomKey(r), dbIndex(r)));
  add("SWAPDB", 0.6, (r) => argv(r, "SWAPDB", dbIndex(r), dbIndex(r)));
  add("EXPIRE", 3, (r) => argv(r, "EXPIRE", randomKey(r), relativeSeconds(r), ...expireOptions(r)));
  add("PEXPIRE", 2, (r) => argv(r, "PEXPIRE", randomKey(r), relativeMillis(r), ...expireOptions(r)));
  add("EXPIREAT", 2, (r, ctx) => argv(r, "EXPIREAT", randomKey(r), absoluteSeconds(r, ctx), ...expireOptions(r)));
  add("PEXPIREAT", 2, (r, ctx) => argv(r, "PEXPIREAT", randomKey(r), absoluteMillis(r, ctx), ...expireOptions(r)));
  for (const name of ["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]) add(name, 2, (r) => argv(r, name, randomKey(r)));
  add("PERSIST", 2, (r) => argv(r, "PERSIST", randomKey(r)));
  add("TOUCH", 1, (r) => argv(r, "TOUCH", ...keys(r, 1, 3)));
  add("OBJECT", 3, (r) => {
    const roll = r.next();
    if (roll < 0.5) return argv(r, "OBJECT", randomCase(r, "ENCODING"), randomKey(r));
    if (roll < 0.65) return argv(r, "OBJECT", randomCase(r, "REFCOUNT"), randomKey(r));
    if (roll < 0.75) return argv(r, "OBJECT", randomCase(r, "FREQ"), randomKey(r));
    if (roll < 0.85) return argv(r, "OBJECT", randomCase(r, "IDLETIME"), randomKey(r));
    if (roll < 0.92) return argv(r, "OBJECT", r.pick(["NOSUCH", "HELP"]));
    return argv(r, "OBJECT", randomCase(r, "ENCODING"));
  });

  add("unknown command", 0.5, (r) => argv(r, r.pick(["NOSUCHCMD", "GETT", "foo"]), ...keys(r, 0, 3)));

  // Lists and sets only create values of another type, so string commands hit WRONGTYPE.
  add("LPUSH", 2, (r, ctx) => (ctx.extraTypes.has("list") ? argv(r, "LPUSH", randomKey(r), randomValue(r)) : argv(r, "GET", randomKey(r))));
  add("SADD", 2, (r, ctx) => (ctx.extraTypes.has("set") ? argv(r, "SADD", randomKey(r), randomValue(r)) : argv(r, "GET", randomKey(r))));
  for (const register of familyGenerators) register(add);
  return list;
}

export const commandGenerators: readonly CommandGenerator[] = generators();

/**
 * Wrong arity on purpose: drops the last argument or appends one, so every command's
 * arity check (and its exact message) is compared, not only the ones listed above.
 */
export function mutateArity(r: Random, argv: string[]): string[] {
  if (argv.length > 1 && r.chance(0.5)) return argv.slice(0, -1);
  return [...argv, r.pick(["extra", "", "1"])];
}

/** Picks one command from the weighted generators. */
export function generateCommand(r: Random, ctx: GeneratorContext, options: { batchableOnly?: boolean } = {}): Generated {
  const pool = commandGenerators.filter((gen) => !options.batchableOnly || gen.batchable);
  const generator = r.weighted(pool.map((gen) => ({ weight: gen.weight, item: gen })));
  const generated = generator.generate(r, ctx);
  if (r.chance(0.04)) return { ...generated, argv: mutateArity(r, generated.argv) };
  return generated;
}
