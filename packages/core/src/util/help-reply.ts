import type { ReplyWriter } from "@kv/protocol";

/**
 * Redis's addReplyHelp: a header naming the command, the given lines, then HELP's own entry,
 * all as status lines in one array.
 */
export function writeHelp(reply: ReplyWriter, command: string, lines: readonly string[]): void {
  reply.array(lines.length + 3);
  reply.simple(`${command} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`);
  for (const line of lines) reply.simple(line);
  reply.simple("HELP");
  reply.simple("    Prints this help.");
}
