/**
 * A listpack, ziplist, zipmap or intset blob that does not parse. The decoders work on a
 * blob already read out of the file, so they do not know where it was; the value loader
 * that read it turns this into an AofFormatProblem at the blob's offset.
 */
export class CompactEncodingError extends Error {
  constructor(
    readonly encoding: "listpack" | "ziplist" | "zipmap" | "intset",
    readonly detail: string,
  ) {
    super(`invalid ${encoding}: ${detail}`);
  }
}
