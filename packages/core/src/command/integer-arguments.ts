import { Errors } from "../errors.js";
import { parseInteger } from "../util/redis-integer.js";
import type { CommandContext } from "./command-context.js";

/*
 * Integer arguments as Redis's getLongFromObjectOrReply family reads them: string2ll's strict
 * rules, then used as JS numbers. Beyond 2^53 a number is no longer exact, but every such
 * index or count is far outside any collection, so comparisons against sizes still hold.
 */

/** getLongFromObjectOrReply: the integer, or undefined after "value is not an integer". */
export function longOrReply(ctx: CommandContext, text: string): number | undefined {
  const parsed = parseInteger(text);
  if (parsed === undefined) {
    ctx.error(Errors.notInteger);
    return undefined;
  }
  return Number(parsed);
}

/**
 * getRangeLongFromObjectOrReply(min..LONG_MAX) with a message: `min` or more, else undefined
 * after replying `message` — which Redis also sends for text that is no integer.
 */
export function longAtLeastOrReply(ctx: CommandContext, text: string, min: number, message: string): number | undefined {
  const parsed = parseInteger(text);
  if (parsed === undefined || parsed < min) {
    ctx.error(message);
    return undefined;
  }
  return Number(parsed);
}
