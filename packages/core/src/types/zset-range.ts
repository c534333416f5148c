import { parseRangeNumber } from "./zset-double.js";

/*
 * Range arguments of the sorted-set commands (Redis's zrangespec and zlexrangespec).
 */

/** A score interval: `(` before a bound makes it exclusive. */
export interface ScoreRange {
  min: number;
  max: number;
  minExclusive: boolean;
  maxExclusive: boolean;
}

/** zslParseRange: false for "min or max is not a float". Fills `out`. */
export function parseScoreRange(minText: string, maxText: string, out: ScoreRange): boolean {
  const minExclusive = minText.charCodeAt(0) === 0x28; /* ( */
  const min = parseRangeNumber(minText, minExclusive ? 1 : 0);
  if (min === undefined) return false;
  const maxExclusive = maxText.charCodeAt(0) === 0x28;
  const max = parseRangeNumber(maxText, maxExclusive ? 1 : 0);
  if (max === undefined) return false;
  out.min = min;
  out.max = max;
  out.minExclusive = minExclusive;
  out.maxExclusive = maxExclusive;
  return true;
}

export function scoreAboveMin(score: number, range: ScoreRange): boolean {
  return range.minExclusive ? score > range.min : score >= range.min;
}

export function scoreBelowMax(score: number, range: ScoreRange): boolean {
  return range.maxExclusive ? score < range.max : score <= range.max;
}

/** A lex bound is "-" (below every string), "+" (above every string) or a string. */
export const LexBound = { Min: 0, Max: 1, Value: 2 } as const;
export type LexBoundKind = (typeof LexBound)[keyof typeof LexBound];

export interface LexRange {
  minKind: LexBoundKind;
  min: string;
  minExclusive: boolean;
  maxKind: LexBoundKind;
  max: string;
  maxExclusive: boolean;
}

/**
 * zslParseLexRangeItem for one bound: "-" / "+" (the C string must end right after the
 * sign: a NUL byte does end it), "(value" exclusive, "[value" inclusive; false otherwise.
 */
function parseLexItem(text: string, out: LexRange, isMin: boolean): boolean {
  const first = text.charCodeAt(0);
  let kind: LexBoundKind;
  let value = "";
  let exclusive: boolean;
  if (first === 0x2b /* + */ || first === 0x2d /* - */) {
    if (text.length > 1 && text.charCodeAt(1) !== 0) return false;
    kind = first === 0x2b ? LexBound.Max : LexBound.Min;
    // Redis marks the infinities exclusive, which makes "- -" and "+ +" empty ranges.
    exclusive = true;
  } else if (first === 0x28 /* ( */ || first === 0x5b /* [ */) {
    kind = LexBound.Value;
    value = text.slice(1);
    exclusive = first === 0x28;
  } else {
    return false;
  }
  if (isMin) {
    out.minKind = kind;
    out.min = value;
    out.minExclusive = exclusive;
  } else {
    out.maxKind = kind;
    out.max = value;
    out.maxExclusive = exclusive;
  }
  return true;
}

/** zslParseLexRange: false for "min or max not valid string range item". Fills `out`. */
export function parseLexRange(minText: string, maxText: string, out: LexRange): boolean {
  return parseLexItem(minText, out, true) && parseLexItem(maxText, out, false);
}

/** Redis's sdscmplex between two bounds: the infinities compare by identity first. */
function compareBounds(aKind: LexBoundKind, a: string, bKind: LexBoundKind, b: string): number {
  if (aKind === bKind && aKind !== LexBound.Value) return 0;
  if (aKind === LexBound.Min || bKind === LexBound.Max) return -1;
  if (aKind === LexBound.Max || bKind === LexBound.Min) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whether the bounds leave nothing in between (the first test of zslIsInLexRange). */
export function lexRangeIsEmpty(range: LexRange): boolean {
  const cmp = compareBounds(range.minKind, range.min, range.maxKind, range.max);
  return cmp > 0 || (cmp === 0 && (range.minExclusive || range.maxExclusive));
}

export function memberAboveMin(member: string, range: LexRange): boolean {
  if (range.minKind !== LexBound.Value) return range.minKind === LexBound.Min;
  return range.minExclusive ? member > range.min : member >= range.min;
}

export function memberBelowMax(member: string, range: LexRange): boolean {
  if (range.maxKind !== LexBound.Value) return range.maxKind === LexBound.Max;
  return range.maxExclusive ? member < range.max : member <= range.max;
}
