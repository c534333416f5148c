import { commandDocs, commandInfo } from "../commands/command-metadata.generated.js";
import { laterCommandDocs, laterCommandInfo } from "../commands/command-metadata-later.js";
import type { MetadataValue } from "../commands/metadata-value.js";
import type { CommandDefinition, CommandHandler, CommandSpec } from "./command-spec.js";

function flagNames(value: MetadataValue | undefined): Set<string> {
  const flags = new Set<string>();
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.t === "set") {
    for (const item of value.v) {
      if (item !== null && typeof item === "object" && !Array.isArray(item) && item.t === "simple") flags.add(item.v);
    }
  }
  return flags;
}

function makeSpec(info: MetadataValue[], handler: CommandHandler | undefined, docs: MetadataValue | undefined): CommandSpec {
  const fullName = typeof info[0] === "string" ? info[0] : "";
  const flags = flagNames(info[2]);
  return {
    name: fullName.includes("|") ? fullName.slice(fullName.indexOf("|") + 1) : fullName,
    fullName,
    arity: Number(info[1]),
    flags,
    isWrite: flags.has("write"),
    firstKey: Number(info[3]),
    lastKey: Number(info[4]),
    keyStep: Number(info[5]),
    handler,
    subcommands: undefined,
    info,
    docs,
    calls: 0,
    microseconds: 0,
    rejectedCalls: 0,
    failedCalls: 0,
  };
}

/** Finds a subcommand's docs inside its container's COMMAND DOCS entry. */
function subcommandDocs(parentDocs: MetadataValue | undefined, fullName: string): MetadataValue | undefined {
  if (parentDocs === null || typeof parentDocs !== "object" || Array.isArray(parentDocs) || parentDocs.t !== "map") return undefined;
  for (const [key, value] of parentDocs.v) {
    if (key === "subcommands" && value !== null && typeof value === "object" && !Array.isArray(value) && value.t === "map") {
      for (const [subName, subDocs] of value.v) if (subName === fullName) return subDocs;
    }
  }
  return undefined;
}

/** A container's docs with its "subcommands" map replaced (only implemented subcommands are reported). */
function withSubcommandDocs(docs: MetadataValue | undefined, subDocs: [MetadataValue, MetadataValue][]): MetadataValue | undefined {
  if (docs === null || typeof docs !== "object" || Array.isArray(docs) || docs.t !== "map") return docs;
  const fields: [MetadataValue, MetadataValue][] = [];
  for (const [key, value] of docs.v) {
    if (key === "subcommands") {
      if (subDocs.length > 0) fields.push([key, { t: "map", v: subDocs }]);
    } else {
      fields.push([key, value]);
    }
  }
  return { t: "map", v: fields };
}

/**
 * Redis 7.0.15's metadata plus hand-written entries for later commands (command-metadata-later.ts):
 * top-level commands, and subcommands to append to their container's list.
 */
function mergedMetadata(): { commands: [string, MetadataValue[]][]; laterSubcommands: Map<string, MetadataValue[][]> } {
  const commands = Object.entries(commandInfo);
  const laterSubcommands = new Map<string, MetadataValue[][]>();
  for (const [name, info] of Object.entries(laterCommandInfo)) {
    const bar = name.indexOf("|");
    if (bar < 0) {
      commands.push([name, info]);
      continue;
    }
    const container = name.slice(0, bar);
    const list = laterSubcommands.get(container) ?? [];
    list.push(info);
    laterSubcommands.set(container, list);
  }
  return { commands, laterSubcommands };
}

/**
 * The dispatch table. Metadata (arity, flags, key positions, docs) comes from the generated
 * Redis data; families contribute only handlers, so a command cannot drift from Redis's arity
 * or flags, and COMMAND replies are Redis's own.
 */
export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>();
  /** byName plus upper-case aliases: clients send all-lowercase or all-uppercase names, so dispatch rarely lowercases. */
  private readonly fastLookup = new Map<string, CommandSpec>();

  constructor(definitions: readonly CommandDefinition[]) {
    const handlers = new Map<string, CommandHandler>();
    for (const def of definitions) {
      if (handlers.has(def.name)) throw new Error(`command ${def.name} defined twice`);
      handlers.set(def.name, def.handler);
    }
    const containers = new Set<string>();
    for (const name of handlers.keys()) if (name.includes("|")) containers.add(name.slice(0, name.indexOf("|")));

    const { commands, laterSubcommands } = mergedMetadata();
    for (const [name, info] of commands) {
      const handler = handlers.get(name);
      if (handler === undefined && !containers.has(name)) continue;
      handlers.delete(name);
      let docs = commandDocs[name] ?? laterCommandDocs[name];
      const rawSubcommands = [...(Array.isArray(info[9]) ? (info[9] as MetadataValue[][]) : []), ...(laterSubcommands.get(name) ?? [])];
      let subcommands: Map<string, CommandSpec> | undefined;
      const implementedSubInfo: MetadataValue[] = [];
      if (rawSubcommands.length > 0) {
        subcommands = new Map();
        const implementedSubDocs: [MetadataValue, MetadataValue][] = [];
        for (const subInfo of rawSubcommands) {
          const subFull = typeof subInfo[0] === "string" ? subInfo[0] : "";
          const subHandler = handlers.get(subFull);
          if (subHandler === undefined) continue;
          handlers.delete(subFull);
          const subDocs = subcommandDocs(docs, subFull) ?? laterCommandDocs[subFull];
          const sub = makeSpec(subInfo, subHandler, subDocs);
          subcommands.set(sub.name, sub);
          implementedSubInfo.push(subInfo);
          if (subDocs !== undefined) implementedSubDocs.push([subFull, subDocs]);
        }
        // Like COMMAND INFO, COMMAND DOCS describes the subcommands kv serves, not all of Redis's.
        docs = withSubcommandDocs(docs, implementedSubDocs);
      }
      const spec = makeSpec(rawSubcommands.length > 0 ? [...info.slice(0, 9), implementedSubInfo] : info, handler, docs);
      if (subcommands !== undefined) (spec as { subcommands: Map<string, CommandSpec> | undefined }).subcommands = subcommands;
      this.byName.set(name, spec);
      this.fastLookup.set(name, spec);
      this.fastLookup.set(name.toUpperCase(), spec);
    }
    if (handlers.size > 0) throw new Error(`no Redis metadata for: ${[...handlers.keys()].join(", ")}`);
  }

  lookup(name: string): CommandSpec | undefined {
    return this.fastLookup.get(name) ?? this.byName.get(name.toLowerCase());
  }

  get size(): number {
    return this.byName.size;
  }

  all(): IterableIterator<CommandSpec> {
    return this.byName.values();
  }
}
