import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { NotifyClass } from "../command/notify.js";
import { Errors } from "../errors.js";
import { HashValue } from "../types/hash-value.js";
import { ListValue } from "../types/list-value.js";
import { SetValue } from "../types/set-value.js";
import { parseRangeNumber } from "../types/zset-double.js";
import { foundIndex, foundLeaf, type ZsetLeaf } from "../types/zset-tree.js";
import { ZsetValue } from "../types/zset-value.js";
import { optionIs } from "../util/c-string.js";
import { parseInteger } from "../util/redis-integer.js";

/*
 * SORT and SORT_RO (Redis's sort.c), with redis-server 7.0.15's replies, errors, keyspace
 * notifications and orders — including the orders Redis's algorithms leave to chance:
 *
 * - A full sort is glibc's qsort, which is a merge sort and so stable: elements that compare
 *   equal keep the order they were loaded in (list order; a set's or sorted set's iteration
 *   order). Array.prototype.sort is stable too, so the two agree.
 * - With BY and a LIMIT that does not cover everything, Redis sorts only the requested range
 *   with its own partial quicksort (pqsort.c, from NetBSD's qsort), which is not stable;
 *   `partialSort` below is the same algorithm step for step, so ties come out the same.
 * - Different elements only tie under ALPHA: BY a pattern, or when they are equal up to a
 *   NUL byte (a numeric sort breaks ties by comparing the elements). For lists — loaded in
 *   the same order by both servers — every reply is therefore identical. A set or sorted set
 *   loads in its hash-table order, which kv cannot share; sets sorted BY a constant pattern
 *   (no sorting at all) come out in that order too, except intsets (ascending in both).
 *
 * Comparisons. ALPHA compares with strcoll — byte order in the C and C.UTF-8 locales Redis
 * takes its LC_COLLATE from — on C strings, so a NUL byte ends an element; with STORE, Redis
 * compares the full binary strings instead. Numbers are read with strtod: the C string must be consumed, NaN and any
 * range error (overflow, and underflow to a zero or an inexact subnormal) make the whole
 * command fail with "One or more scores can't be converted into double" (after sorting, and
 * without storing anything).
 *
 * SORT ... STORE is propagated as sent, as Redis does: replayed on the same data it stores the
 * same list (a set stored without sorting is sorted ALPHA for exactly that reason).
 *
 * Not reproduced: Redis never clears errno before that strtod, so an ERANGE left behind by an
 * earlier command (ZADD 1e400, or a SORT that failed that way) makes later numeric SORTs of
 * non-integer-encoded values fail too, until some other call resets it. kv judges each SORT
 * on its own arguments.
 */

/** DBL_MIN: below it a nonzero double is subnormal, where glibc's strtod reports underflow when inexact. */
const DBL_MIN = 2.2250738585072014e-308;
const CONVERSION_ERROR = "ERR One or more scores can't be converted into double";

// ---------------------------------------------------------------------------------------
// Patterns (BY and GET)
// ---------------------------------------------------------------------------------------

const PatternKind = { Element: 0, Key: 1, HashField: 2, Nothing: 3 } as const;
type PatternKindValue = (typeof PatternKind)[keyof typeof PatternKind];

/**
 * A BY/GET pattern, parsed once per command the way Redis's lookupKeyByPattern reads it on
 * every call: "#" is the element itself; otherwise the first '*' (in the C string) is
 * replaced by the element to form a key, and "->field" after the '*' reads a hash field; a
 * pattern with no '*' finds nothing.
 */
interface SortPattern {
  readonly kind: PatternKindValue;
  readonly prefix: string;
  readonly postfix: string;
  readonly field: string;
}

function parsePattern(pattern: string): SortPattern {
  if (pattern.charCodeAt(0) === 0x23 /* # */ && (pattern.length === 1 || pattern.charCodeAt(1) === 0)) {
    return { kind: PatternKind.Element, prefix: "", postfix: "", field: "" };
  }
  const nul = pattern.indexOf("\0");
  const cLength = nul < 0 ? pattern.length : nul;
  const star = pattern.indexOf("*");
  if (star < 0 || star >= cLength) return { kind: PatternKind.Nothing, prefix: "", postfix: "", field: "" };
  const prefix = pattern.slice(0, star);
  // strstr finds "->" only inside the C string, and a field must follow it there; the field
  // itself then runs to the end of the whole argument.
  const arrow = pattern.indexOf("->", star + 1);
  if (arrow >= 0 && arrow + 2 < cLength) {
    return { kind: PatternKind.HashField, prefix, postfix: pattern.slice(star + 1, arrow), field: pattern.slice(arrow + 2) };
  }
  return { kind: PatternKind.Key, prefix, postfix: pattern.slice(star + 1), field: "" };
}

/** Redis's lookupKeyByPattern: a string value (or hash field) found through `pattern`, or null. */
function lookupByPattern(ctx: CommandContext, pattern: SortPattern, element: string): string | null {
  switch (pattern.kind) {
    case PatternKind.Element:
      return element;
    case PatternKind.Nothing:
      return null;
    case PatternKind.Key: {
      const value = ctx.lookupRead(pattern.prefix + element + pattern.postfix);
      return typeof value === "string" ? value : null;
    }
    default: {
      const value = ctx.lookupRead(pattern.prefix + element + pattern.postfix);
      return value instanceof HashValue ? (value.entries.get(pattern.field) ?? null) : null;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Reading weights (strtod with SORT's checks)
// ---------------------------------------------------------------------------------------

function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  const lower = c | 0x20;
  return isDigit(c) || (lower >= 0x61 && lower <= 0x66);
}

/** Index after leading C spaces and one sign. */
function numeralStart(text: string): number {
  let i = 0;
  while (i < text.length && isCSpace(text.charCodeAt(i))) i++;
  const c = text.charCodeAt(i);
  return c === 0x2b /* + */ || c === 0x2d /* - */ ? i + 1 : i;
}

/**
 * A weight as SORT reads it: strtod must stop at the end of the C string, and neither NaN
 * nor ERANGE is accepted. Undefined means "can't be converted".
 */
export function parseSortWeight(text: string): number | undefined {
  const value = parseRangeNumber(text, 0);
  if (value === undefined) return undefined;
  if (value === Infinity || value === -Infinity) {
    // Only the "inf"/"infinity" spellings give an infinity without overflowing.
    return (text.charCodeAt(numeralStart(text)) | 0x20) === 0x69 /* i */ ? value : undefined;
  }
  if (value < DBL_MIN && value > -DBL_MIN && underflowed(text, value)) return undefined;
  return value;
}

/**
 * Whether glibc's strtod set ERANGE for underflow on a numeral that converted to a zero or
 * a subnormal `value`: when the exact numeral is not zero and `value` is not exactly it.
 */
function underflowed(text: string, value: number): boolean {
  let i = numeralStart(text);
  const hex = text.charCodeAt(i) === 0x30 && (text.charCodeAt(i + 1) | 0x20) === 0x78; /* 0x */
  if (hex) i += 2;
  const isMantissaDigit = hex ? isHexDigit : isDigit;
  let mantissa = "";
  let fractionDigits = 0;
  while (isMantissaDigit(text.charCodeAt(i))) mantissa += text[i++];
  if (text.charCodeAt(i) === 0x2e /* . */) {
    i++;
    while (isMantissaDigit(text.charCodeAt(i))) {
      mantissa += text[i++];
      fractionDigits++;
    }
  }
  const digits = BigInt(hex ? `0x${mantissa}` : mantissa);
  if (digits === 0n) return false;
  if (value === 0) return true;
  let exponent = 0;
  if ((text.charCodeAt(i) | 0x20) === (hex ? 0x70 /* p */ : 0x65) /* e */) {
    let j = i + 1;
    const sign = text.charCodeAt(j);
    const negative = sign === 0x2d;
    if (negative || sign === 0x2b) j++;
    // A nonzero subnormal result bounds the exponent; the cap only keeps absurd text cheap.
    while (isDigit(text.charCodeAt(j))) {
      if (exponent < 1e6) exponent = exponent * 10 + (text.charCodeAt(j) - 0x30);
      j++;
    }
    if (negative) exponent = -exponent;
  }
  // value = units * 2^-1074 exactly (a subnormal); the scaling by powers of two is exact.
  const units = BigInt(Math.abs(value) * 2 ** 1000 * 2 ** 74);
  if (hex) {
    // numeral = digits * 2^(exponent - 4 * fractionDigits)
    const shift = exponent - 4 * fractionDigits + 1074;
    if (shift >= 0) return units !== digits << BigInt(shift);
    return units << BigInt(-shift) !== digits;
  }
  // numeral = digits * 10^tenPower; a subnormal needs a negative power.
  const tenPower = exponent - fractionDigits;
  if (tenPower >= 0) return true;
  return units * 10n ** BigInt(-tenPower) !== digits * 2n ** 1074n;
}

// ---------------------------------------------------------------------------------------
// Comparisons and the partial sort
// ---------------------------------------------------------------------------------------

interface SortEntry {
  readonly element: string;
  score: number;
  /** The BY value for ALPHA with BY; null when the pattern found nothing. */
  by: string | null;
}

type Comparator = (a: SortEntry, b: SortEntry) => number;

/** compareStringObjects: memcmp, then the shorter first. On latin1 strings `<` is exactly that. */
function compareBinary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** strcoll in the C locale = strcmp: unsigned bytes, up to the first NUL. */
function compareCStrings(a: string, b: string): number {
  for (let i = 0; ; i++) {
    const x = i < a.length ? a.charCodeAt(i) : 0;
    const y = i < b.length ? b.charCodeAt(i) : 0;
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
}

/**
 * Redis's sortCompare for the options in force. `cStrings`: ALPHA without STORE compares C
 * strings; the caller passes false when no compared string holds a NUL byte, since strcmp
 * and a binary comparison then agree and the latter is JavaScript's native one.
 */
function comparatorFor(alpha: boolean, byPattern: boolean, cStrings: boolean, desc: boolean): Comparator {
  let compare: Comparator;
  const strings = cStrings ? compareCStrings : compareBinary;
  if (!alpha) {
    compare = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : compareBinary(a.element, b.element));
  } else if (byPattern) {
    compare = (a, b) => {
      const x = a.by;
      const y = b.by;
      if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
      return strings(x, y);
    };
  } else {
    compare = (a, b) => strings(a.element, b.element);
  }
  return desc ? (a, b) => -compare(a, b) : compare;
}

/** Whether any string ALPHA will compare holds a NUL byte (where a C string would end). */
function anyNul(entries: readonly SortEntry[], byPattern: boolean): boolean {
  for (const entry of entries) if ((byPattern ? entry.by : entry.element)?.includes("\0") === true) return true;
  return false;
}

/**
 * Redis's pqsort: Bentley & McIlroy's quicksort (NetBSD's qsort) that skips partitions
 * lying wholly outside [low, high]. Only that range comes out sorted. Reproduced exactly,
 * pivots and swaps included, because it is not stable and ties must land where Redis puts
 * them. (Redis 7.0's copy has no switch to insertion sort after a partition that swapped
 * nothing; later versions added one, which orders ties differently.)
 */
function partialSort(items: SortEntry[], compare: Comparator, low: number, high: number): void {
  const swap = (i: number, j: number): void => {
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  };
  const vecswap = (i: number, j: number, n: number): void => {
    for (let k = 0; k < n; k++) swap(i + k, j + k);
  };
  const cmp = (i: number, j: number): number => compare(items[i]!, items[j]!);
  const med3 = (a: number, b: number, c: number): number =>
    cmp(a, b) < 0 ? (cmp(b, c) < 0 ? b : cmp(a, c) < 0 ? c : a) : cmp(b, c) > 0 ? b : cmp(a, c) < 0 ? a : c;
  const insertionSort = (base: number, n: number): void => {
    for (let m = base + 1; m < base + n; m++) for (let l = m; l > base && cmp(l - 1, l) > 0; l--) swap(l, l - 1);
  };
  /** Whether [from, from + n) meets the requested range (pqsort's pointer test, in indexes). */
  const overlaps = (from: number, n: number): boolean => {
    const to = from + n - 1;
    return !((low < from && high < from) || (low > to && high > to));
  };

  const sort = (base: number, n: number): void => {
    for (;;) {
      if (n < 7) {
        insertionSort(base, n);
        return;
      }
      let pm = base + Math.floor(n / 2);
      if (n > 7) {
        let pl = base;
        let pn = base + n - 1;
        if (n > 40) {
          const d = Math.floor(n / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(base, pm);
      let pa = base + 1;
      let pb = pa;
      let pc = base + n - 1;
      let pd = pc;
      for (;;) {
        let result: number;
        while (pb <= pc && (result = cmp(pb, base)) <= 0) {
          if (result === 0) {
            swap(pa, pb);
            pa++;
          }
          pb++;
        }
        while (pb <= pc && (result = cmp(pc, base)) >= 0) {
          if (result === 0) {
            swap(pc, pd);
            pd--;
          }
          pc--;
        }
        if (pb > pc) break;
        swap(pb, pc);
        pb++;
        pc--;
      }
      const pn = base + n;
      let r = Math.min(pa - base, pb - pa);
      vecswap(base, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      r = pb - pa;
      if (r > 1 && overlaps(base, r)) sort(base, r);
      r = pd - pc;
      if (r <= 1) return;
      // The second partition is iterated rather than recursed into, as pqsort does.
      base = pn - r;
      n = r;
      if (!overlaps(base, n)) return;
    }
  };
  sort(0, items.length);
}

// ---------------------------------------------------------------------------------------
// SORT / SORT_RO
// ---------------------------------------------------------------------------------------

/** `count` sorted-set members from rank `start`, walking down from it when `reverse`. */
function zsetRun(zset: ZsetValue, start: number, count: number, reverse: boolean, out: SortEntry[]): void {
  if (count <= 0) return;
  zset.tree.seek(start);
  let leaf: ZsetLeaf = foundLeaf;
  let index = foundIndex;
  for (let n = 0; ; ) {
    out.push({ element: leaf.members[index]!, score: 0, by: null });
    if (++n === count) return;
    if (reverse) {
      if (--index < 0) {
        leaf = leaf.prev!;
        index = leaf.members.length - 1;
      }
    } else if (++index === leaf.members.length) {
      leaf = leaf.next!;
      index = 0;
    }
  }
}

/** LIMIT's numbers: getLongFromObjectOrReply, clamped later to the collection's size. */
function limitNumber(text: string): number | undefined {
  const value = parseInteger(text);
  return value === undefined ? undefined : Number(value);
}

function sortGeneric(ctx: CommandContext, argv: readonly string[], readonly: boolean): void {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontSort = false;
  let sortBy: string | undefined;
  let storeKey: string | undefined;
  const gets: SortPattern[] = [];

  // Options are parsed before the key is looked up: a syntax error wins over WRONGTYPE.
  const argc = argv.length;
  for (let j = 2; j < argc; j++) {
    const arg = argv[j]!;
    const left = argc - j - 1;
    if (optionIs(arg, "asc")) {
      desc = false;
    } else if (optionIs(arg, "desc")) {
      desc = true;
    } else if (optionIs(arg, "alpha")) {
      alpha = true;
    } else if (optionIs(arg, "limit") && left >= 2) {
      const start = limitNumber(argv[j + 1]!);
      const count = start === undefined ? undefined : limitNumber(argv[j + 2]!);
      if (start === undefined || count === undefined) {
        ctx.error(Errors.notInteger);
        return;
      }
      limitStart = start;
      limitCount = count;
      j += 2;
    } else if (!readonly && optionIs(arg, "store") && left >= 1) {
      storeKey = argv[++j]!;
    } else if (optionIs(arg, "by") && left >= 1) {
      sortBy = argv[++j]!;
      // A pattern without '*' (in the C string) names no per-element key: nothing to sort by.
      const nul = sortBy.indexOf("\0");
      const star = sortBy.indexOf("*");
      if (star < 0 || (nul >= 0 && star > nul)) dontSort = true;
    } else if (optionIs(arg, "get") && left >= 1) {
      gets.push(parsePattern(argv[++j]!));
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  }

  const value = ctx.lookupRead(argv[1]!);
  if (value !== undefined && !(value instanceof ListValue || value instanceof SetValue || value instanceof ZsetValue)) {
    ctx.error(Errors.wrongType);
    return;
  }

  // Without sorting, a set would come out in its hash order; when that order would be
  // stored, Redis sorts it alphabetically instead so the stored list is deterministic.
  if (dontSort && value instanceof SetValue && storeKey !== undefined) {
    dontSort = false;
    alpha = true;
    sortBy = undefined;
  }
  // Redis converts a listpack sorted set to a skiplist for SORT, for good.
  if (value instanceof ZsetValue) value.listpack = false;

  let vectorLength = value === undefined ? 0 : value instanceof ListValue ? value.length : value.size;
  let start = Math.min(Math.max(limitStart, 0), vectorLength);
  const count = Math.min(Math.max(limitCount, -1), vectorLength);
  let end = count < 0 ? vectorLength - 1 : start + count - 1;
  if (start >= vectorLength) {
    start = vectorLength - 1;
    end = vectorLength - 2;
  }
  if (end >= vectorLength) end = vectorLength - 1;

  // Lists and sorted sets are already in order: without sorting, only the range is loaded.
  const ranged = dontSort && (value instanceof ListValue || value instanceof ZsetValue);
  if (ranged && (start !== 0 || end !== vectorLength - 1)) vectorLength = end - start + 1;

  const entries: SortEntry[] = [];
  if (value instanceof ListValue) {
    if (ranged) {
      if (end >= start) {
        const length = value.length;
        for (let n = 0; n < vectorLength; n++) {
          entries.push({ element: value.at(desc ? length - start - 1 - n : start + n), score: 0, by: null });
        }
        end -= start;
        start = 0;
      }
    } else {
      for (let i = 0; i < value.length; i++) entries.push({ element: value.at(i), score: 0, by: null });
    }
  } else if (value instanceof SetValue) {
    for (const member of value) entries.push({ element: member, score: 0, by: null });
  } else if (value instanceof ZsetValue) {
    if (ranged) {
      zsetRun(value, desc ? value.size - 1 - start : start, vectorLength, desc, entries);
      end -= start;
      start = 0;
    } else {
      for (const member of value.scores.keys()) entries.push({ element: member, score: 0, by: null });
    }
  }

  let conversionError = false;
  if (!dontSort) {
    const byPattern = sortBy === undefined ? undefined : parsePattern(sortBy);
    for (const entry of entries) {
      let weight: string | null = entry.element;
      if (byPattern !== undefined) {
        weight = lookupByPattern(ctx, byPattern, entry.element);
        if (weight === null) continue;
      }
      if (alpha) {
        if (byPattern !== undefined) entry.by = weight;
      } else {
        const score = parseSortWeight(weight);
        if (score === undefined) conversionError = true;
        else entry.score = score;
      }
    }
    const cStrings = alpha && storeKey === undefined && anyNul(entries, byPattern !== undefined);
    const compare = comparatorFor(alpha, byPattern !== undefined, cStrings, desc);
    if (byPattern !== undefined && (start !== 0 || end !== entries.length - 1)) partialSort(entries, compare, start, end);
    else entries.sort(compare);
  }

  const outputLength = gets.length > 0 ? gets.length * (end - start + 1) : end - start + 1;
  if (conversionError) {
    ctx.error(CONVERSION_ERROR);
  } else if (storeKey === undefined) {
    const reply = ctx.reply;
    reply.array(outputLength);
    for (let j = start; j <= end; j++) {
      const element = entries[j]!.element;
      if (gets.length === 0) reply.bulk(element);
      for (const get of gets) {
        const found = lookupByPattern(ctx, get, element);
        if (found === null) reply.nullBulk();
        else reply.bulk(found);
      }
    }
  } else {
    storeResult(ctx, storeKey, entries, start, end, gets, outputLength);
  }
}

/**
 * STORE: the result replaces the destination as a list (dropping its TTL), or deletes it
 * when empty; GET patterns that find nothing store empty strings.
 */
function storeResult(
  ctx: CommandContext,
  key: string,
  entries: readonly SortEntry[],
  start: number,
  end: number,
  gets: readonly SortPattern[],
  outputLength: number,
): void {
  if (outputLength > 0) {
    const list = new ListValue();
    for (let j = start; j <= end; j++) {
      const element = entries[j]!.element;
      if (gets.length === 0) list.pushBack(element);
      for (const get of gets) list.pushBack(lookupByPattern(ctx, get, element) ?? "");
    }
    const existed = ctx.lookupWrite(key) !== undefined;
    ctx.db.set(key, list);
    if (!existed) ctx.notify(NotifyClass.New, "new", key);
    ctx.keyModified(key);
    ctx.notify(NotifyClass.List, "sortstore", key);
    ctx.dirty(outputLength);
  } else if (ctx.db.delete(key)) {
    // dbDelete: even a logically expired destination is removed, and that counts as a change.
    ctx.keyModified(key);
    ctx.notify(NotifyClass.Generic, "del", key);
    ctx.dirty();
  }
  ctx.reply.integer(outputLength);
}

function sortCommand(ctx: CommandContext, argv: readonly string[]): void {
  sortGeneric(ctx, argv, false);
}

/** SORT_RO: SORT without STORE (the word is then a syntax error like any unknown option). */
function sortRoCommand(ctx: CommandContext, argv: readonly string[]): void {
  sortGeneric(ctx, argv, true);
}

export const sortCommands: CommandDefinition[] = [
  { name: "sort", handler: sortCommand },
  { name: "sort_ro", handler: sortRoCommand },
];
