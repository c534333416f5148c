import type { CommandContext } from "../command/command-context.js";
import type { CommandDefinition } from "../command/command-spec.js";
import type { ConfigParameter } from "../config.js";
import { Errors } from "../errors.js";
import { writeHelp } from "../util/help-reply.js";
import { globMatch } from "../util/glob-match.js";

/* CONFIG subcommands (Redis 7's config.c configGetCommand / configSetCommand). */

function hasGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?") || pattern.includes("[");
}

function configGet(ctx: CommandContext, argv: readonly string[]): void {
  const config = ctx.engine.config;
  // Keyed by lowercased name: Redis's match dictionary compares names case-insensitively.
  const matches = new Map<string, [string, ConfigParameter]>();
  for (let i = 2; i < argv.length; i++) {
    const pattern = argv[i]!;
    if (!hasGlob(pattern)) {
      // An exact name is echoed as written ("MAXMEMORY"), aliases included.
      const param = config.lookup(pattern);
      const key = pattern.toLowerCase();
      if (param !== undefined && !matches.has(key)) matches.set(key, [pattern, param]);
      continue;
    }
    // Redis 7 keeps aliases as entries of their own, so a pattern lists every matching name.
    for (const param of config.all()) {
      for (const name of [param.name, ...(param.aliases ?? [])]) {
        if (!matches.has(name) && globMatch(pattern, name, true)) matches.set(name, [name, param]);
      }
    }
  }
  ctx.reply.map(matches.size);
  for (const [name, param] of matches.values()) {
    ctx.reply.bulk(name);
    ctx.reply.bulk(param.value);
  }
}

/**
 * Sets several parameters atomically, as Redis 7 does: names are all checked first (unknown,
 * immutable, protected, given twice), then values are set in order, and if one is rejected
 * the ones already set are restored. The first problem found is the one reported.
 */
function configSet(ctx: CommandContext, argv: readonly string[]): void {
  if (argv.length % 2 !== 0) {
    ctx.error(Errors.syntax);
    return;
  }
  const config = ctx.engine.config;
  const params: ConfigParameter[] = [];
  for (let i = 2; i < argv.length; i += 2) {
    const name = argv[i]!;
    const param = config.lookup(name);
    if (param === undefined) {
      ctx.error(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`);
      return;
    }
    let problem: string | undefined;
    if (param.immutable === true) problem = "can't set immutable config";
    else if (param.protected === true) problem = "can't set protected config";
    else if (params.includes(param)) problem = "duplicate parameter";
    if (problem !== undefined) {
      ctx.error(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${problem}`);
      return;
    }
    params.push(param);
  }

  const previous = params.map((param) => param.value);
  for (let j = 0; j < params.length; j++) {
    const param = params[j]!;
    // The canonical name, so a failure names the parameter as Redis does even when set through an alias.
    const error = config.set(param.name, argv[3 + 2 * j]!);
    if (error !== undefined) {
      for (let k = j - 1; k >= 0; k--) config.set(params[k]!.name, previous[k]!, true);
      ctx.error(`ERR ${error}`);
      return;
    }
  }
  ctx.reply.simple("OK");
}

function configResetStat(ctx: CommandContext): void {
  ctx.engine.stats.reset();
  for (const spec of ctx.engine.commands.all()) {
    for (const each of [spec, ...(spec.subcommands?.values() ?? [])]) {
      each.calls = 0;
      each.microseconds = 0;
      each.rejectedCalls = 0;
      each.failedCalls = 0;
    }
  }
  ctx.reply.simple("OK");
}

function configRewrite(ctx: CommandContext): void {
  const host = ctx.engine.host;
  if (host.rewriteConfig === undefined) {
    ctx.error("ERR The server is running without a config file");
    return;
  }
  const error = host.rewriteConfig();
  if (error === undefined) ctx.reply.simple("OK");
  else ctx.error(error);
}

/** Redis 7.0.15's CONFIG HELP text, verbatim. */
const configHelpLines = [
  "GET <pattern>",
  "    Return parameters matching the glob-like <pattern> and their values.",
  "SET <directive> <value>",
  "    Set the configuration <directive> to <value>.",
  "RESETSTAT",
  "    Reset statistics reported by the INFO command.",
  "REWRITE",
  "    Rewrite the configuration file.",
];

function configHelp(ctx: CommandContext): void {
  writeHelp(ctx.reply, "CONFIG", configHelpLines);
}

export const configCommands: CommandDefinition[] = [
  { name: "config|get", handler: configGet },
  { name: "config|set", handler: configSet },
  { name: "config|resetstat", handler: configResetStat },
  { name: "config|rewrite", handler: configRewrite },
  { name: "config|help", handler: configHelp },
];
