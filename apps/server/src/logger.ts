import { pino, type Logger } from "pino";

/** Redis's loglevel names mapped onto pino's levels. */
const levels: Record<string, string> = {
  debug: "debug",
  verbose: "debug",
  notice: "info",
  warning: "warn",
  nothing: "silent",
};

export function createLogger(loglevel: string): Logger {
  return pino({ level: levels[loglevel] ?? "info", base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
