import { randomBytes } from "node:crypto";
import { ACL_CATEGORIES, aclCatalog, categoryIndex } from "../acl/acl-catalog.js";
import { mergeSelectorArguments } from "../acl/acl-file.js";
import { AclDenial } from "../acl/acl-selector.js";
import type { AclUser } from "../acl/acl-user.js";
import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import { Errors, sanitizeErrorText, wrongArity } from "../errors.js";
import { writeHelp } from "../util/help-reply.js";
import { parseInteger } from "../util/redis-integer.js";

/*
 * The ACL command (Redis's acl.c aclCommand). The users and the checks themselves are in
 * acl/access-control.ts; these handlers parse arguments and shape replies.
 */

const NO_ACL_FILE =
  "ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users in the Redis configuration.";

/** Subcommands whose arity is "at least": extra arguments get aclCommand's catch-all error. */
function syntaxError(ctx: CommandContext, argv: readonly string[]): void {
  ctx.error(sanitizeErrorText(`ERR unknown subcommand or wrong number of arguments for '${argv[1]!.slice(0, 128)}'. Try ACL HELP.`));
}

/** Usernames become words of the ACL file: no spaces and no NUL (ACLStringHasSpaces). */
function hasSpaces(name: string): boolean {
  return /[ \t\n\r\0]/.test(name);
}

function setUser(ctx: CommandContext, argv: readonly string[]): void {
  const name = argv[2]!;
  if (hasSpaces(name)) {
    ctx.error("ERR Usernames can't contain spaces or null characters");
    return;
  }
  const merged = mergeSelectorArguments(argv.slice(3));
  if (!Array.isArray(merged)) {
    ctx.error(sanitizeErrorText(`ERR Unmatched parenthesis in acl selector starting at '${argv[merged.unclosedAt + 3]!}'.`));
    return;
  }
  const failure = ctx.engine.acl.setUser(ctx.client, name, merged);
  if (failure !== undefined) {
    ctx.error(sanitizeErrorText(`ERR Error in ACL SETUSER modifier '${failure.rule}': ${failure.error}`));
    return;
  }
  ctx.reply.simple("OK");
}

function getUser(ctx: CommandContext, argv: readonly string[]): void {
  const user = ctx.engine.acl.users.get(argv[2]!);
  const reply = ctx.reply;
  if (user === undefined) {
    reply.nullBulk();
    return;
  }
  reply.map(6);
  reply.bulk("flags");
  const flags = user.flagNames();
  reply.set(flags.length);
  for (const flag of flags) reply.bulk(flag);
  reply.bulk("passwords");
  reply.array(user.passwords.length);
  for (const digest of user.passwords) reply.bulk(digest);
  // The root selector's rules sit at the top level, as before selectors existed.
  const root = user.root;
  reply.bulk("commands");
  reply.bulk(root.describeCommands());
  reply.bulk("keys");
  reply.bulk(root.describeKeys());
  reply.bulk("channels");
  reply.bulk(root.describeChannels());
  reply.bulk("selectors");
  reply.array(user.selectors.length - 1);
  for (const selector of user.selectors.slice(1)) {
    reply.map(3);
    reply.bulk("commands");
    reply.bulk(selector.describeCommands());
    reply.bulk("keys");
    reply.bulk(selector.describeKeys());
    reply.bulk("channels");
    reply.bulk(selector.describeChannels());
  }
}

function delUser(ctx: CommandContext, argv: readonly string[]): void {
  const names = argv.slice(2);
  if (names.includes("default")) {
    ctx.error("ERR The 'default' user cannot be removed");
    return;
  }
  ctx.reply.integer(ctx.engine.acl.deleteUsers(ctx.client, names));
}

function list(ctx: CommandContext): void {
  const lines = ctx.engine.acl.listLines();
  ctx.reply.array(lines.length);
  for (const line of lines) ctx.reply.bulk(line);
}

function users(ctx: CommandContext): void {
  const names = [...ctx.engine.acl.users.keys()].sort();
  ctx.reply.array(names.length);
  for (const name of names) ctx.reply.bulk(name);
}

function whoami(ctx: CommandContext): void {
  ctx.reply.bulk(ctx.client.user);
}

function cat(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length > 3) {
    syntaxError(ctx, argv);
    return;
  }
  if (argv.length === 2) {
    ctx.reply.array(ACL_CATEGORIES.length);
    for (const category of ACL_CATEGORIES) ctx.reply.bulk(category);
    return;
  }
  const index = categoryIndex(argv[2]!);
  if (index < 0) {
    ctx.error(sanitizeErrorText(`ERR Unknown category '${argv[2]!}'`));
    return;
  }
  const bit = 1 << index;
  const names = aclCatalog()
    .commands.filter((command) => (command.categories & bit) !== 0)
    .map((command) => command.fullName);
  ctx.reply.array(names.length);
  for (const name of names) ctx.reply.bulk(name);
}

/** ACL LOG [count | RESET]: the latest ten entries by default, newest first. */
function log(ctx: CommandContext, argv: readonly string[]): void {
  const aclLog = ctx.engine.acl.log;
  if (argv.length > 3) {
    syntaxError(ctx, argv);
    return;
  }
  let count = 10;
  if (argv.length === 3) {
    if (argv[2]!.toLowerCase() === "reset") {
      aclLog.reset();
      ctx.reply.simple("OK");
      return;
    }
    const parsed = parseInteger(argv[2]!);
    if (parsed === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    count = Math.max(0, Number(parsed));
  }
  const entries = aclLog.entries.slice(0, count);
  const now = Date.now();
  const reply = ctx.reply;
  reply.array(entries.length);
  for (const entry of entries) {
    reply.map(7);
    reply.bulk("count");
    reply.integer(entry.count);
    reply.bulk("reason");
    reply.bulk(entry.reason);
    reply.bulk("context");
    reply.bulk(entry.context);
    reply.bulk("object");
    reply.bulk(entry.object);
    reply.bulk("username");
    reply.bulk(entry.username);
    reply.bulk("age-seconds");
    reply.double((now - entry.createdAt) / 1000);
    reply.bulk("client-info");
    reply.bulk(entry.clientInfo);
  }
}

function genpass(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length > 3) {
    syntaxError(ctx, argv);
    return;
  }
  let bits = 256;
  if (argv.length === 3) {
    const parsed = parseInteger(argv[2]!);
    if (parsed === undefined) {
      ctx.error(Errors.notInteger);
      return;
    }
    if (parsed <= 0 || parsed > 4096) {
      ctx.error("ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to 4096");
      return;
    }
    bits = Number(parsed);
  }
  const chars = Math.floor((bits + 3) / 4);
  ctx.reply.bulk(randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars));
}

/** ACL DRYRUN user command [arg ...]: the check the dispatcher would make, without running anything. */
function dryrun(ctx: CommandContext, argv: readonly string[]): void {
  const acl = ctx.engine.acl;
  const user: AclUser | undefined = acl.users.get(argv[2]!);
  if (user === undefined) {
    ctx.error(sanitizeErrorText(`ERR User '${argv[2]!}' not found`));
    return;
  }
  const commandArgv = argv.slice(3);
  let spec = ctx.engine.commands.lookup(commandArgv[0]!);
  if (spec !== undefined && spec.subcommands !== undefined && commandArgv.length >= 2) {
    spec = spec.subcommands.get(commandArgv[1]!.toLowerCase());
  }
  if (spec === undefined) {
    ctx.error(sanitizeErrorText(`ERR Command '${commandArgv[0]!}' not found`));
    return;
  }
  if ((spec.arity > 0 && commandArgv.length !== spec.arity) || commandArgv.length < -spec.arity) {
    ctx.error(wrongArity(spec.fullName));
    return;
  }
  const verdict = acl.checkUser(user, spec, commandArgv);
  if (verdict.denial === AclDenial.None) {
    ctx.reply.simple("OK");
    return;
  }
  // getAclErrorMessage(verbose): as a bulk string, not an error.
  const value = commandArgv[verdict.index]!;
  if (verdict.denial === AclDenial.Command) ctx.reply.bulk(`This user has no permissions to run the '${spec.fullName}' command`);
  else if (verdict.denial === AclDenial.Key) ctx.reply.bulk(`This user has no permissions to access the '${value}' key`);
  else ctx.reply.bulk(`This user has no permissions to access the '${value}' channel`);
}

function load(ctx: CommandContext): void {
  const acl = ctx.engine.acl;
  if (acl.filename === "") {
    ctx.error(NO_ACL_FILE);
    return;
  }
  const error = acl.load(ctx.client);
  if (error !== undefined) ctx.error(sanitizeErrorText(`ERR ${error}`));
  else ctx.reply.simple("OK");
}

function save(ctx: CommandContext): void {
  const acl = ctx.engine.acl;
  if (acl.filename === "") {
    ctx.error(NO_ACL_FILE);
    return;
  }
  try {
    acl.save();
  } catch {
    ctx.error("ERR There was an error trying to save the ACLs. Please check the server logs for more information");
    return;
  }
  ctx.reply.simple("OK");
}

const HELP_LINES = [
  "CAT [<category>]",
  "    List all commands that belong to <category>, or all command categories",
  "    when no category is specified.",
  "DELUSER <username> [<username> ...]",
  "    Delete a list of users.",
  "DRYRUN <username> <command> [<arg> ...]",
  "    Returns whether the user can execute the given command without executing the command.",
  "GETUSER <username>",
  "    Get the user's details.",
  "GENPASS [<bits>]",
  "    Generate a secure 256-bit user password. The optional `bits` argument can",
  "    be used to specify a different size.",
  "LIST",
  "    Show users details in config file format.",
  "LOAD",
  "    Reload users from the ACL file.",
  "LOG [<count> | RESET]",
  "    Show the ACL log entries.",
  "SAVE",
  "    Save the current config to the ACL file.",
  "SETUSER <username> <attribute> [<attribute> ...]",
  "    Create or modify a user with the specified attributes.",
  "USERS",
  "    List all the registered usernames.",
  "WHOAMI",
  "    Return the current connection username.",
];

function help(ctx: CommandContext): void {
  writeHelp(ctx.reply, "ACL", HELP_LINES);
}

export const aclCommands: CommandDefinition[] = [
  { name: "acl|setuser", handler: setUser },
  { name: "acl|getuser", handler: getUser },
  { name: "acl|deluser", handler: delUser },
  { name: "acl|list", handler: list },
  { name: "acl|users", handler: users },
  { name: "acl|whoami", handler: whoami },
  { name: "acl|cat", handler: cat },
  { name: "acl|log", handler: log },
  { name: "acl|genpass", handler: genpass },
  { name: "acl|dryrun", handler: dryrun },
  { name: "acl|load", handler: load },
  { name: "acl|save", handler: save },
  { name: "acl|help", handler: help },
];
