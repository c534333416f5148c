import type { MetadataValue } from "../commands/metadata-value.js";
import type { CommandContext } from "./command-context.js";

/**
 * Handlers receive a context and the full argv (argv[0] is the command name as sent).
 * The dispatcher has already checked arity and permissions, so a handler may index the
 * arguments its arity guarantees without checking.
 */
export type CommandHandler = (ctx: CommandContext, argv: readonly string[]) => void;

/** What a command family declares: a name (`get`, or `config|get` for a subcommand) and its handler. */
export interface CommandDefinition {
  readonly name: string;
  readonly handler: CommandHandler;
}

/** A command as the dispatcher sees it: Redis's metadata joined with our handler. */
export interface CommandSpec {
  /** Lowercase name; for subcommands the part after the `|`. */
  readonly name: string;
  /** `get`, or `config|get` for subcommands (the name Redis uses in errors and ACL). */
  readonly fullName: string;
  readonly arity: number;
  readonly flags: ReadonlySet<string>;
  readonly isWrite: boolean;
  readonly firstKey: number;
  readonly lastKey: number;
  readonly keyStep: number;
  readonly handler: CommandHandler | undefined;
  readonly subcommands: Map<string, CommandSpec> | undefined;
  /** COMMAND INFO entry as redis-server reports it, restricted to implemented subcommands. */
  readonly info: MetadataValue[];
  readonly docs: MetadataValue | undefined;
  calls: number;
  microseconds: number;
  rejectedCalls: number;
  failedCalls: number;
}
