/**
 * Raised when the AOF set cannot be replayed as it is on disk. Loading never skips
 * data silently: the message names the file and, when known, the byte offset, so
 * an operator can inspect it (redis-check-aof style) before deciding what to cut.
 */
export class AofLoadError extends Error {
  override readonly name: string = "AofLoadError";

  constructor(
    message: string,
    readonly fileName: string,
    readonly offset: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Thrown by the byte-level readers (RESP and RDB), which know offsets but not file
 * names; the file loader turns it into an AofLoadError.
 */
export class AofFormatProblem extends Error {
  constructor(
    readonly offset: number,
    readonly detail: string,
    /** "unsupported" is well-formed data kv cannot represent yet (e.g. an RDB type). */
    readonly kind: "format" | "unsupported" = "format",
  ) {
    super(detail);
  }
}
