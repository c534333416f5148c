/*
 * RESP replies spelled as the latin1 strings TestHarness.raw returns, so unit tests can
 * state the exact bytes redis-server sends. Family-specific shapes (RESP3 sets, maps, stream
 * entries, ...) stay beside their tests; these are the ones every family needs.
 */

export const OK = "+OK\r\n";
/** RESP2's null bulk string. */
export const NIL = "$-1\r\n";
/** RESP2's null array (BLPOP timing out, XREAD finding nothing). */
export const NIL_ARRAY = "*-1\r\n";
/** RESP3's single null, which stands for both of RESP2's. */
export const NULL3 = "_\r\n";
export const EMPTY = "*0\r\n";

/** A bulk string; test strings are latin1, so its length is its byte count. */
export const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
export const int = (n: number | bigint | string): string => `:${n}\r\n`;
export const err = (text: string): string => `-${text}\r\n`;
/** An array of replies that are already encoded. */
export const array = (...items: string[]): string => `*${items.length}\r\n${items.join("")}`;
/** An array of bulk strings; null is RESP2's null bulk string (SORT GET of a missing key). */
export const bulks = (...items: (string | null)[]): string => array(...items.map((item) => (item === null ? NIL : bulk(item))));
