import type { CommandContext } from "../command/command-context.js";
import { parseLongDouble } from "../util/long-double.js";
import { parseInteger } from "../util/redis-integer.js";

/**
 * Redis's getTimeoutFromObjectOrReply: the deadline (unix ms) of a blocking command, 0 for
 * "wait forever", or undefined after replying the error. Seconds are parsed as a long double
 * and rounded up to whole milliseconds (so 0.0001 still times out rather than meaning 0);
 * a value too large for a long long wraps negative in C, hence "timeout is negative" for
 * 1e30 and inf — matched here because clients see it.
 */
export function parseBlockTimeout(ctx: CommandContext, text: string, unit: "seconds" | "milliseconds"): number | undefined {
  let milliseconds: number;
  if (unit === "seconds") {
    const parsed = parseLongDouble(text);
    if (parsed === undefined || parsed.kind === "nan") {
      ctx.error("ERR timeout is not a float or out of range");
      return undefined;
    }
    if (parsed.kind === "infinity") {
      milliseconds = -1;
    } else {
      const value = Number(parsed.significand) * 2 ** parsed.exponent * (parsed.negative ? -1 : 1);
      milliseconds = Math.ceil(value * 1000);
      if (milliseconds >= 2 ** 63) milliseconds = -1;
    }
  } else {
    const parsed = parseInteger(text);
    if (parsed === undefined) {
      ctx.error("ERR timeout is not an integer or out of range");
      return undefined;
    }
    milliseconds = Number(parsed);
  }
  if (milliseconds < 0) {
    ctx.error("ERR timeout is negative");
    return undefined;
  }
  return milliseconds === 0 ? 0 : ctx.now + milliseconds;
}
