import { fileURLToPath } from "node:url";

/*
 * The CLI is used as the `kv` binary; this entry point is for other workspace packages
 * (the integration tests) that need to find it or render replies the way it does.
 */

/** Absolute path of the built CLI, to run with `node` (`node <cliEntryPoint> --get key`). */
export const cliEntryPoint = fileURLToPath(new URL("./main.js", import.meta.url));

export { splitArgs } from "./args.js";
export { CliError, ConnectionClosedError, type CommandRunner, type SessionOptions } from "./command-runner.js";
export { NetworkClient, formatAddress, type ServerAddress } from "./network-client.js";
export { quoteBytes, renderRawReply, renderReply } from "./render-reply.js";
