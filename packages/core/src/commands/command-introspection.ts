import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition, CommandSpec } from "../command/command-spec.js";
import type { CommandTable } from "../command/command-table.js";
import { Errors } from "../errors.js";
import { commandHasKeys, commandKeyPositions } from "../util/command-keys.js";
import { writeHelp } from "../util/help-reply.js";
import { writeMetadata } from "../util/metadata-reply.js";
import { globMatch } from "../util/glob-match.js";

/*
 * COMMAND and its subcommands. Every reply is built from the metadata redis-server itself
 * reported (spec.info / spec.docs), so for the same command Redis and kv send the same bytes.
 * Redis describes all of its commands; kv describes those it serves.
 */

/** A command or `container|subcommand` by name, case-insensitively (Redis's lookupCommandBySds). */
export function lookupByFullName(table: CommandTable, name: string): CommandSpec | undefined {
  const bar = name.indexOf("|");
  if (bar < 0) return table.lookup(name);
  const container = table.lookup(name.slice(0, bar));
  const subName = name.slice(bar + 1);
  if (subName.includes("|")) return undefined;
  return container?.subcommands?.get(subName.toLowerCase());
}

function writeAllInfo(ctx: CommandContext): void {
  const table = ctx.engine.commands;
  ctx.reply.array(table.size);
  for (const spec of table.all()) writeMetadata(ctx.reply, spec.info);
}

function command(ctx: CommandContext): void {
  writeAllInfo(ctx);
}

function commandCount(ctx: CommandContext): void {
  ctx.reply.integer(ctx.engine.commands.size);
}

function commandInfo(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length === 2) {
    writeAllInfo(ctx);
    return;
  }
  ctx.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(ctx.engine.commands, argv[i]!);
    if (spec === undefined) ctx.reply.nullBulk();
    else writeMetadata(ctx.reply, spec.info);
  }
}

function writeDocs(ctx: CommandContext, spec: CommandSpec): void {
  ctx.reply.bulk(spec.fullName);
  if (spec.docs === undefined) ctx.reply.map(0);
  else writeMetadata(ctx.reply, spec.docs);
}

function commandDocs(ctx: CommandContext, argv: readonly string[]): void {
  const table = ctx.engine.commands;
  if (argv.length === 2) {
    ctx.reply.map(table.size);
    for (const spec of table.all()) writeDocs(ctx, spec);
    return;
  }
  // Unknown names are left out of the map rather than given a null entry.
  const found: CommandSpec[] = [];
  for (let i = 2; i < argv.length; i++) {
    const spec = lookupByFullName(table, argv[i]!);
    if (spec !== undefined) found.push(spec);
  }
  ctx.reply.map(found.length);
  for (const spec of found) writeDocs(ctx, spec);
}

function hasAclCategory(spec: CommandSpec, category: string): boolean {
  const categories = spec.info[6];
  if (categories === null || typeof categories !== "object" || Array.isArray(categories) || categories.t !== "set") return false;
  const wanted = `@${category.toLowerCase()}`;
  return categories.v.some((item) => item !== null && typeof item === "object" && !Array.isArray(item) && item.t === "simple" && item.v === wanted);
}

/** Containers, then each one's subcommands after it, as Redis's commandListWithFilter walks them. */
function* everyCommand(table: CommandTable): Generator<CommandSpec> {
  for (const spec of table.all()) {
    yield spec;
    if (spec.subcommands !== undefined) yield* spec.subcommands.values();
  }
}

function commandList(ctx: CommandContext, argv: readonly string[]): void {
  let keep: (spec: CommandSpec) => boolean = () => true;
  if (argv.length === 5 && argv[2]!.toLowerCase() === "filterby") {
    const filter = argv[3]!.toLowerCase();
    const value = argv[4]!;
    if (filter === "module") {
      keep = () => false; // kv has no modules
    } else if (filter === "aclcat") {
      keep = (spec) => hasAclCategory(spec, value);
    } else if (filter === "pattern") {
      keep = (spec) => globMatch(value, spec.fullName, true);
    } else {
      ctx.error(Errors.syntax);
      return;
    }
  } else if (argv.length !== 2) {
    ctx.error(Errors.syntax);
    return;
  }
  const names: string[] = [];
  for (const spec of everyCommand(ctx.engine.commands)) if (keep(spec)) names.push(spec.fullName);
  ctx.reply.array(names.length);
  for (const name of names) ctx.reply.bulk(name);
}

/** Shared by GETKEYS and GETKEYSANDFLAGS (Redis's getKeysSubcommandImpl). */
function getKeys(ctx: CommandContext, argv: readonly string[], withFlags: boolean): void {
  const line = argv.slice(2);
  let spec = ctx.engine.commands.lookup(line[0]!);
  if (spec?.subcommands !== undefined && line.length >= 2) spec = spec.subcommands.get(line[1]!.toLowerCase());
  if (spec === undefined) {
    ctx.error("ERR Invalid command specified");
    return;
  }
  if (!commandHasKeys(spec)) {
    ctx.error("ERR The command has no key arguments");
    return;
  }
  if ((spec.arity > 0 && spec.arity !== line.length) || line.length < -spec.arity) {
    ctx.error("ERR Invalid number of arguments specified for command");
    return;
  }
  const keys = commandKeyPositions(spec, line);
  if (keys.length === 0) {
    if (spec.flags.has("no_mandatory_keys")) ctx.reply.array(0);
    else ctx.error("ERR Invalid arguments specified for command");
    return;
  }
  ctx.reply.array(keys.length);
  for (const key of keys) {
    if (!withFlags) {
      ctx.reply.bulk(line[key.index]!);
      continue;
    }
    ctx.reply.array(2);
    ctx.reply.bulk(line[key.index]!);
    writeMetadata(ctx.reply, key.flags);
  }
}

function commandGetKeys(ctx: CommandContext, argv: readonly string[]): void {
  getKeys(ctx, argv, false);
}

function commandGetKeysAndFlags(ctx: CommandContext, argv: readonly string[]): void {
  getKeys(ctx, argv, true);
}

/** Redis 7.0.15's COMMAND HELP text, verbatim. */
const commandHelpLines = [
  "(no subcommand)",
  "    Return details about all Redis commands.",
  "COUNT",
  "    Return the total number of commands in this Redis server.",
  "LIST",
  "    Return a list of all commands in this Redis server.",
  "INFO [<command-name> ...]",
  "    Return details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "DOCS [<command-name> ...]",
  "    Return documentation details about multiple Redis commands.",
  "    If no command names are given, documentation details for all",
  "    commands are returned.",
  "GETKEYS <full-command>",
  "    Return the keys from a full Redis command.",
  "GETKEYSANDFLAGS <full-command>",
  "    Return the keys and the access flags from a full Redis command.",
];

function commandHelp(ctx: CommandContext): void {
  writeHelp(ctx.reply, "COMMAND", commandHelpLines);
}

export const commandIntrospectionCommands: CommandDefinition[] = [
  { name: "command", handler: command },
  { name: "command|count", handler: commandCount },
  { name: "command|info", handler: commandInfo },
  { name: "command|docs", handler: commandDocs },
  { name: "command|list", handler: commandList },
  { name: "command|getkeys", handler: commandGetKeys },
  { name: "command|getkeysandflags", handler: commandGetKeysAndFlags },
  { name: "command|help", handler: commandHelp },
];
