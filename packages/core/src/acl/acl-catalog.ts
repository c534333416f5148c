import { commandInfo } from "../commands/command-metadata.generated.js";
import type { MetadataValue } from "../commands/metadata-value.js";

/**
 * ACL categories in Redis 7.0's order (ACLCommandCategories): ACL CAT lists them in this order,
 * and the "best fit" search that turns a permission bitmap back into rules tries them in it.
 */
export const ACL_CATEGORIES = [
  "keyspace",
  "read",
  "write",
  "set",
  "sortedset",
  "list",
  "hash",
  "string",
  "bitmap",
  "hyperloglog",
  "geo",
  "stream",
  "pubsub",
  "admin",
  "fast",
  "slow",
  "blocking",
  "dangerous",
  "connection",
  "transaction",
  "scripting",
] as const;

/** A command (or subcommand) as ACL rules name it: one permission bit and a category mask. */
export interface AclCommand {
  readonly id: number;
  /** `get`, or `config|get` for a subcommand. */
  readonly fullName: string;
  /** Bit i set: the command is in ACL_CATEGORIES[i]. */
  readonly categories: number;
  readonly parent: AclCommand | undefined;
  readonly subcommands: readonly AclCommand[];
}

function categoryMask(value: MetadataValue | undefined): number {
  let mask = 0;
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.t === "set") {
    for (const item of value.v) {
      if (item === null || typeof item !== "object" || Array.isArray(item) || item.t !== "simple") continue;
      const index = (ACL_CATEGORIES as readonly string[]).indexOf(item.v.slice(1));
      if (index >= 0) mask |= 1 << index;
    }
  }
  return mask;
}

/**
 * Every command redis-server 7.0.15 has, not only those kv serves: rules naming a command kv
 * lacks (`+eval`) are accepted as Redis accepts them, and a user's rules are described back
 * (ACL LIST, GETUSER) from the same command set and categories as Redis's, so they read the same.
 */
export class AclCatalog {
  /** Containers before their subcommands; the order rules are described in. */
  readonly commands: AclCommand[] = [];
  private readonly byName = new Map<string, AclCommand>();

  constructor() {
    for (const [name, info] of Object.entries(commandInfo)) {
      const subcommands: AclCommand[] = [];
      const command: AclCommand = { id: this.commands.length, fullName: name, categories: categoryMask(info[6]), parent: undefined, subcommands };
      this.add(command);
      const rawSubcommands = Array.isArray(info[9]) ? (info[9] as MetadataValue[][]) : [];
      for (const subInfo of rawSubcommands) {
        const subName = typeof subInfo[0] === "string" ? subInfo[0] : "";
        const sub: AclCommand = { id: this.commands.length, fullName: subName, categories: categoryMask(subInfo[6]), parent: command, subcommands: [] };
        subcommands.push(sub);
        this.add(sub);
      }
    }
  }

  private add(command: AclCommand): void {
    this.commands.push(command);
    this.byName.set(command.fullName, command);
  }

  /** Number of permission bits; one more bit (`futureBit`) records "+@all": commands added later are allowed too. */
  get size(): number {
    return this.commands.length;
  }

  get futureBit(): number {
    return this.commands.length;
  }

  /** ACLLookupCommand: `name` or `container|sub`, case-insensitively. */
  lookup(name: string): AclCommand | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * The command whose bit governs a dispatched command. A subcommand newer than 7.0.15
   * (CLIENT SETINFO) has no bit of its own: it follows its container's.
   */
  forDispatch(fullName: string): AclCommand | undefined {
    const command = this.byName.get(fullName);
    if (command !== undefined) return command;
    const bar = fullName.indexOf("|");
    return bar < 0 ? undefined : this.byName.get(fullName.slice(0, bar));
  }
}

let shared: AclCatalog | undefined;

/** The catalogue is the same for every engine: built once, on first use. */
export function aclCatalog(): AclCatalog {
  return (shared ??= new AclCatalog());
}

export function categoryIndex(name: string): number {
  return (ACL_CATEGORIES as readonly string[]).indexOf(name.toLowerCase());
}
