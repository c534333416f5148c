/** Redis's two log levels that the AOF uses: routine progress and things an operator must see. */
export interface AofLogger {
  notice(message: string): void;
  warning(message: string): void;
}

/** Default: warnings (truncated tails, write errors) must not vanish, routine notices may. */
export const stderrLogger: AofLogger = {
  notice() {},
  warning(message) {
    process.stderr.write(`[aof] ${message}\n`);
  },
};
