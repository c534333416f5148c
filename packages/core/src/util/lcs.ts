/**
 * Longest common subsequence as Redis's LCS command computes it: the textbook dynamic
 * programming table, then one walk back from the end. The walk's tie-breaking (step in `b`
 * unless stepping in `a` keeps a strictly longer LCS) decides which subsequence and which
 * match ranges come out, so it is reproduced exactly rather than replaced by a
 * linear-space algorithm that would pick differently.
 */

type LcsTable = Uint8Array | Uint16Array | Uint32Array;

/** Bytes Redis budgets for the table (uint32 cells), checked against proto-max-bulk-len. */
export function lcsTableBytes(aLength: number, bLength: number): number {
  return (aLength + 1) * (bLength + 1) * 4;
}

/** Cells only ever hold values up to the shorter length, so the narrowest array that fits is used. */
function allocateTable(aLength: number, bLength: number): LcsTable {
  const cells = (aLength + 1) * (bLength + 1);
  const largest = Math.min(aLength, bLength);
  if (largest <= 0xff) return new Uint8Array(cells);
  if (largest <= 0xffff) return new Uint16Array(cells);
  return new Uint32Array(cells);
}

/** The length of the LCS alone, in two rows (what LCS ... LEN needs). */
export function lcsLength(a: string, b: string): number {
  const width = b.length + 1;
  let previous = new Uint32Array(width);
  let row = new Uint32Array(width);
  for (let i = 1; i <= a.length; i++) {
    const ac = a.charCodeAt(i - 1);
    for (let j = 1; j < width; j++) {
      if (ac === b.charCodeAt(j - 1)) {
        row[j] = previous[j - 1]! + 1;
      } else {
        const up = previous[j]!;
        const left = row[j - 1]!;
        row[j] = up > left ? up : left;
      }
    }
    [previous, row] = [row, previous];
  }
  return previous[width - 1]!;
}

export interface LcsResult {
  length: number;
  /** The subsequence itself (latin1). */
  text: string;
  /**
   * Matching ranges from the end of the strings backwards, five numbers each: start and end
   * in `a`, start and end in `b` (inclusive), and the range's length.
   */
  matches: number[];
}

/**
 * The LCS and its matching ranges, keeping only ranges of at least `minMatchLength`
 * (0 keeps all). Throws RangeError when the table cannot be allocated.
 */
export function lcsWithMatches(a: string, b: string, minMatchLength: number): LcsResult {
  const aLength = a.length;
  const bLength = b.length;
  const width = bLength + 1;
  const table = allocateTable(aLength, bLength);
  for (let i = 1; i <= aLength; i++) {
    const ac = a.charCodeAt(i - 1);
    const rowStart = i * width;
    const previousStart = rowStart - width;
    for (let j = 1; j <= bLength; j++) {
      if (ac === b.charCodeAt(j - 1)) {
        table[rowStart + j] = table[previousStart + j - 1]! + 1;
      } else {
        const up = table[previousStart + j]!;
        const left = table[rowStart + j - 1]!;
        table[rowStart + j] = up > left ? up : left;
      }
    }
  }

  const length = table[aLength * width + bLength]!;
  const text = Buffer.allocUnsafe(length);
  const matches: number[] = [];
  let idx = length;
  // aLength as the start of `a`'s range means "no range open", as in Redis.
  let aStart = aLength;
  let aEnd = 0;
  let bStart = 0;
  let bEnd = 0;
  let i = aLength;
  let j = bLength;
  while (i > 0 && j > 0) {
    let emit = false;
    if (a.charCodeAt(i - 1) === b.charCodeAt(j - 1)) {
      text[idx - 1] = a.charCodeAt(i - 1);
      if (aStart === aLength) {
        aStart = aEnd = i - 1;
        bStart = bEnd = j - 1;
      } else if (aStart === i && bStart === j) {
        aStart--;
        bStart--;
      } else {
        emit = true;
      }
      // A range touching the start of either string is complete: the walk ends here.
      if (aStart === 0 || bStart === 0) emit = true;
      idx--;
      i--;
      j--;
    } else {
      const up = table[(i - 1) * width + j]!;
      const left = table[i * width + j - 1]!;
      if (up > left) i--;
      else j--;
      if (aStart !== aLength) emit = true;
    }
    if (emit) {
      const matchLength = aEnd - aStart + 1;
      if (minMatchLength === 0 || matchLength >= minMatchLength) matches.push(aStart, aEnd, bStart, bEnd, matchLength);
      aStart = aLength;
    }
  }
  return { length, text: text.toString("latin1"), matches };
}
