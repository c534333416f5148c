import type { Reply } from "@kv/protocol";
import type { CommandRunner } from "./command-runner.js";
import { NetworkClient } from "./network-client.js";
import { renderRawReply, renderReply, rendersVerbatim, renderVerbatimReply } from "./render-reply.js";

/** redis-cli's output modes: "human" is its terminal format (--no-raw), "raw" its --raw. */
export type OutputFormat = "human" | "raw";

/** Where replies go: stdout in the end, errors possibly elsewhere (see main.ts). */
export interface ReplyOutput {
  readonly format: OutputFormat;
  /** Prints a reply to `argv` ([] for replies nobody asked for). */
  reply(reply: Reply, argv: readonly string[]): void;
  /** Prints a line of the CLI's own ("Reading messages..."). */
  note(line: string): void;
}

/** A reply as redis-cli prints it for this command, as a latin1 string. */
export function formatCommandReply(reply: Reply, argv: readonly string[], format: OutputFormat): string {
  if (rendersVerbatim(argv)) return renderVerbatimReply(reply);
  return format === "raw" ? renderRawReply(reply) : renderReply(reply);
}

/** Commands after which the server keeps sending replies: redis-cli reads them until Ctrl-C. */
const streamingCommands = new Set(["subscribe", "psubscribe", "ssubscribe", "monitor"]);

/**
 * Runs one command and prints its reply. After SUBSCRIBE and MONITOR on a server it goes on
 * printing what the server sends until the connection closes (or Ctrl-C ends the process),
 * as redis-cli does; a first reply that is an error ends that at once.
 */
export async function runAndPrint(runner: CommandRunner, argv: string[], output: ReplyOutput): Promise<Reply> {
  const name = argv[0]?.toLowerCase() ?? "";
  const streams = streamingCommands.has(name) && runner instanceof NetworkClient;
  if (streams && name !== "monitor" && output.format !== "raw") output.note("Reading messages... (press Ctrl-C to quit)");
  const reply = await runner.run(argv);
  output.reply(reply, argv);
  if (streams && reply.type !== "error") await runner.waitForClose();
  return reply;
}
