#!/usr/bin/env node
import { parseServerArgs } from "./server-options.js";
import { createLogger } from "./logger.js";
import { KvServer } from "./kv-server.js";

// `pnpm --filter server start` runs in apps/server; INIT_CWD is where the user typed the
// command, so `--dir ./data` means the user's ./data, not apps/server/data.
const cwd = process.env.INIT_CWD ?? process.cwd();

async function main(): Promise<void> {
  let options;
  try {
    options = parseServerArgs(process.argv.slice(2), cwd);
  } catch (error) {
    process.stderr.write(`kv-server: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const loglevel = [...options.parameters].reverse().find(([name]) => name === "loglevel")?.[1] ?? "notice";
  const logger = createLogger(loglevel);
  let server: KvServer;
  try {
    server = new KvServer({ ...options, cwd, logger });
    await server.start();
  } catch (error) {
    logger.fatal({ err: error }, (error as Error).message);
    process.exitCode = 1;
    return;
  }
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => void server.stop(`Received ${signal} scheduling shutdown...`));
  }
}

void main();
