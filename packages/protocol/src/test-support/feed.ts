/*
 * Decoder tests run every case twice, in the node-redis way: with the whole input in one
 * chunk, and fed one byte at a time, so a value cut at any byte must resume correctly.
 */

export interface StreamDecoder<T> {
  feed(chunk: Buffer): void;
  next(): T | undefined;
}

export type FeedMode = "whole" | "byte by byte";
export const FEED_MODES: readonly FeedMode[] = ["whole", "byte by byte"];

/** Everything `decoder` yields for `input` fed in the given way. Errors propagate. */
export function decodeAll<T>(decoder: StreamDecoder<T>, input: Buffer | string, mode: FeedMode): T[] {
  const bytes = typeof input === "string" ? Buffer.from(input, "latin1") : input;
  if (mode === "whole") return decodeChunks(decoder, [bytes]);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
  return decodeChunks(decoder, chunks);
}

/** Feeds the chunks in order, draining the decoder after each. Errors propagate. */
export function decodeChunks<T>(decoder: StreamDecoder<T>, chunks: readonly Buffer[]): T[] {
  const out: T[] = [];
  for (const chunk of chunks) {
    decoder.feed(chunk);
    for (let value = decoder.next(); value !== undefined; value = decoder.next()) out.push(value);
  }
  return out;
}

/** `bytes` cut at the given offsets (any order, duplicates and out-of-range ones ignored). */
export function splitAt(bytes: Buffer, offsets: readonly number[]): Buffer[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const cut of cuts) {
    chunks.push(bytes.subarray(start, cut));
    start = cut;
  }
  chunks.push(bytes.subarray(start));
  return chunks;
}

/** What a decoder made of an input: the values, then how it ended. */
export interface Outcome<T> {
  values: T[];
  error?: string;
}

/** Like decodeChunks, but an error ends the outcome instead of propagating. */
export function outcomeOf<T>(decoder: StreamDecoder<T>, chunks: readonly Buffer[]): Outcome<T> {
  const values: T[] = [];
  try {
    for (const chunk of chunks) {
      decoder.feed(chunk);
      for (let value = decoder.next(); value !== undefined; value = decoder.next()) values.push(value);
    }
    return { values };
  } catch (error) {
    return { values, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}
