import { globMatch } from "../util/glob-match.js";
import { ACL_CATEGORIES, aclCatalog, categoryIndex, type AclCatalog, type AclCommand } from "./acl-catalog.js";

/** Why a command was refused, with Redis's ACL_DENIED_* values: when selectors disagree, the highest wins. */
export enum AclDenial {
  None = 0,
  Command = 1,
  Key = 2,
  Auth = 3,
  Channel = 4,
}

export const READ_PERMISSION = 1;
export const WRITE_PERMISSION = 2;
const ALL_PERMISSIONS = READ_PERMISSION | WRITE_PERMISSION;

export interface KeyPattern {
  readonly pattern: string;
  /** READ_PERMISSION | WRITE_PERMISSION: `%R~`, `%W~`, or `~` (both). */
  permissions: number;
}

/** What a command line touches, worked out once and checked against every selector. */
export interface AccessRequest {
  readonly command: AclCommand | undefined;
  /** The command skips the command-bit check (AUTH, HELLO: CMD_NO_AUTH). */
  readonly noAuth: boolean;
  readonly argv: readonly string[];
  /** Key positions in argv with the permissions each needs (READ/WRITE bits, from the key spec's access/insert/delete/update). */
  readonly keys: () => readonly { index: number; permissions: number }[];
  /** Channel positions in argv checked on publish/subscribe; `pattern` ones must be listed literally. */
  readonly channels: readonly { index: number; pattern: boolean }[];
}

export interface SelectorVerdict {
  denial: AclDenial;
  /** argv index of the refused key or channel. */
  index: number;
}

/** Error codes of ACLSetSelector/ACLSetUser, as ACLSetUserStringError words them. */
export const AclRuleErrors = {
  unknownName: "Unknown command or category name in ACL",
  syntax: "Syntax error",
  keyAfterAll:
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns",
  channelAfterAll:
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels",
  noSuchPassword: "The password you are trying to remove from the user does not exist",
  badHash: "The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters",
  subcommandFirstArg: "Allowing first-arg of a subcommand is not supported",
} as const;

/**
 * One set of permissions (Redis 7.0's aclSelector): commands as a bitmap over every Redis
 * command, key patterns with read/write flags, channel patterns. A user has a root selector and
 * any number of extra `(...)` selectors; a command runs if one of them allows all of it.
 */
export class AclSelector {
  readonly catalog: AclCatalog;
  /** One byte per command id, plus the "future commands" byte that only +@all sets. */
  allowed: Uint8Array;
  /** SELECTOR_FLAG_ALLCOMMANDS: set by +@all, dropped by any removal; skips the bitmap. */
  allCommands = false;
  allKeys = false;
  allChannels: boolean;
  keyPatterns: KeyPattern[] = [];
  channels: string[] = [];
  /** Deprecated `+select|0` rules: first arguments allowed for a command whose bit is off. */
  firstArgs = new Map<number, string[]>();

  constructor(allChannels: boolean, catalog: AclCatalog = aclCatalog()) {
    this.catalog = catalog;
    this.allowed = new Uint8Array(catalog.size + 1);
    this.allChannels = allChannels;
  }

  clone(): AclSelector {
    const copy = new AclSelector(this.allChannels, this.catalog);
    copy.allowed.set(this.allowed);
    copy.allCommands = this.allCommands;
    copy.allKeys = this.allKeys;
    copy.keyPatterns = this.keyPatterns.map((pattern) => ({ ...pattern }));
    copy.channels = [...this.channels];
    for (const [id, args] of this.firstArgs) copy.firstArgs.set(id, [...args]);
    return copy;
  }

  get unrestricted(): boolean {
    return this.allCommands && this.allKeys && this.allChannels;
  }

  // ---- rules (ACLSetSelector) ---------------------------------------------------------

  /** Applies one rule; returns the error text, or undefined. */
  apply(op: string): string | undefined {
    const lower = op.toLowerCase();
    if (lower === "allkeys" || op === "~*") {
      this.allKeys = true;
      this.keyPatterns = [];
    } else if (lower === "resetkeys") {
      this.allKeys = false;
      this.keyPatterns = [];
    } else if (lower === "allchannels" || op === "&*") {
      this.allChannels = true;
      this.channels = [];
    } else if (lower === "resetchannels") {
      this.allChannels = false;
      this.channels = [];
    } else if (lower === "allcommands" || lower === "+@all") {
      this.allowed.fill(1);
      this.allCommands = true;
      this.firstArgs.clear();
    } else if (lower === "nocommands" || lower === "-@all") {
      this.allowed.fill(0);
      this.allCommands = false;
      this.firstArgs.clear();
    } else if (op.startsWith("~") || op.startsWith("%")) {
      return this.addKeyPattern(op);
    } else if (op.startsWith("&")) {
      if (this.allChannels) return AclRuleErrors.channelAfterAll;
      const pattern = op.slice(1);
      if (!this.channels.includes(pattern)) this.channels.push(pattern);
    } else if ((op.startsWith("+") || op.startsWith("-")) && op[1] === "@") {
      const index = categoryIndex(op.slice(2));
      if (index < 0) return AclRuleErrors.unknownName;
      this.setCategory(index, op.startsWith("+"));
    } else if (op.startsWith("+")) {
      return this.allowCommand(op.slice(1));
    } else if (op.startsWith("-")) {
      const command = this.catalog.lookup(op.slice(1));
      if (command === undefined) return AclRuleErrors.unknownName;
      this.changePermission(command, false);
    } else {
      return AclRuleErrors.syntax;
    }
    return undefined;
  }

  private addKeyPattern(op: string): string | undefined {
    if (this.allKeys) return AclRuleErrors.keyAfterAll;
    let permissions = 0;
    let offset = 1;
    if (op.startsWith("%")) {
      for (; offset < op.length; offset++) {
        const ch = op[offset]!.toUpperCase();
        if (ch === "R" && (permissions & READ_PERMISSION) === 0) permissions |= READ_PERMISSION;
        else if (ch === "W" && (permissions & WRITE_PERMISSION) === 0) permissions |= WRITE_PERMISSION;
        else if (ch === "~") {
          offset++;
          break;
        } else return AclRuleErrors.syntax;
      }
    } else {
      permissions = ALL_PERMISSIONS;
    }
    const pattern = op.slice(offset);
    if (pattern === "*" && permissions === ALL_PERMISSIONS) {
      this.allKeys = true;
      this.keyPatterns = [];
      return undefined;
    }
    const existing = this.keyPatterns.find((candidate) => candidate.pattern === pattern);
    if (existing === undefined) this.keyPatterns.push({ pattern, permissions });
    else existing.permissions |= permissions;
    this.allKeys = false;
    return undefined;
  }

  private allowCommand(name: string): string | undefined {
    const bar = name.lastIndexOf("|");
    if (bar < 0) {
      const command = this.catalog.lookup(name);
      if (command === undefined) return AclRuleErrors.unknownName;
      this.changePermission(command, true);
      return undefined;
    }
    const command = this.catalog.lookup(name.slice(0, bar));
    if (command === undefined) return AclRuleErrors.unknownName;
    if (command.parent !== undefined) return AclRuleErrors.subcommandFirstArg;
    const firstArg = name.slice(bar + 1);
    if (firstArg === "") return AclRuleErrors.syntax;
    if (command.subcommands.length > 0) {
      const sub = this.catalog.lookup(name);
      if (sub === undefined) return AclRuleErrors.unknownName;
      this.changePermission(sub, true);
      return undefined;
    }
    // Redis 7.0 still accepts "+select|0" (with a deprecation warning): a first argument
    // allowed while the command itself stays blocked.
    const args = this.firstArgs.get(command.id) ?? [];
    if (!args.some((arg) => arg.toLowerCase() === firstArg.toLowerCase())) args.push(firstArg);
    this.firstArgs.set(command.id, args);
    return undefined;
  }

  private setBit(id: number, value: boolean): void {
    this.allowed[id] = value ? 1 : 0;
    if (!value) this.allCommands = false;
  }

  /** ACLChangeSelectorPerm: a container's permission carries all its subcommands. */
  changePermission(command: AclCommand, allow: boolean): void {
    this.setBit(command.id, allow);
    this.firstArgs.delete(command.id);
    for (const sub of command.subcommands) this.setBit(sub.id, allow);
  }

  setCategory(index: number, allow: boolean): void {
    const bit = 1 << index;
    for (const command of this.catalog.commands) if ((command.categories & bit) !== 0) this.changePermission(command, allow);
  }

  // ---- checks (ACLSelectorCheckCmd) ---------------------------------------------------

  check(request: AccessRequest, verdict: SelectorVerdict): void {
    verdict.denial = AclDenial.None;
    const command = request.command;
    if (!this.allCommands && !request.noAuth) {
      if (command === undefined || this.allowed[command.id] === 0) {
        const firstArg = request.argv[1];
        const args = command === undefined ? undefined : this.firstArgs.get(command.id);
        if (firstArg === undefined || args === undefined || !args.some((arg) => arg.toLowerCase() === firstArg.toLowerCase())) {
          verdict.denial = AclDenial.Command;
          return;
        }
      }
    }
    if (!this.allKeys) {
      for (const key of request.keys()) {
        if (!this.keyAllowed(request.argv[key.index]!, key.permissions)) {
          verdict.denial = AclDenial.Key;
          verdict.index = key.index;
          return;
        }
      }
    }
    if (!this.allChannels) {
      for (const channel of request.channels) {
        if (!this.channelAllowed(request.argv[channel.index]!, channel.pattern)) {
          verdict.denial = AclDenial.Channel;
          verdict.index = channel.index;
          return;
        }
      }
    }
  }

  keyAllowed(key: string, permissions: number): boolean {
    if (this.allKeys) return true;
    for (const pattern of this.keyPatterns) {
      if ((pattern.permissions & permissions) !== permissions) continue;
      if (globMatch(pattern.pattern, key)) return true;
    }
    return false;
  }

  /** A channel is matched against the patterns; a subscribed pattern must be one of them literally. */
  channelAllowed(channel: string, isPattern: boolean): boolean {
    if (this.allChannels) return true;
    for (const pattern of this.channels) {
      if (isPattern ? pattern === channel : globMatch(pattern, channel)) return true;
    }
    return false;
  }

  // ---- description (ACLDescribeSelector) ----------------------------------------------

  describe(): string {
    let text = this.allKeys ? "~* " : this.keyPatterns.map((pattern) => `${patternText(pattern)} `).join("");
    if (this.allChannels) text += "&* ";
    else {
      text += "resetchannels ";
      for (const channel of this.channels) text += `&${channel} `;
    }
    return text + this.describeCommands();
  }

  describeKeys(): string {
    return this.allKeys ? "~*" : this.keyPatterns.map(patternText).join(" ");
  }

  describeChannels(): string {
    return this.allChannels ? "&*" : this.channels.map((channel) => `&${channel}`).join(" ");
  }

  /**
   * ACLDescribeSelectorCommandRules: +@all or -@all, then categories chosen greedily (each the
   * best fit for the bits not yet explained), then single commands for what remains, then
   * first-arg rules. Redis lists the single commands in its hash table's order, which changes
   * from process to process; kv lists them in its catalogue's order.
   */
  describeCommands(): string {
    const catalog = this.catalog;
    const additive = this.allowed[catalog.futureBit] === 0;
    let rules = additive ? "-@all " : "+@all ";
    const fake = new AclSelector(false, catalog);
    fake.apply(additive ? "-@all" : "+@all");
    const temp = new AclSelector(false, catalog);
    temp.allowed.set(this.allowed);
    const applied = new Set<number>();
    for (;;) {
      let best = -1;
      let minDiff = Number.MAX_SAFE_INTEGER;
      let maxSame = 0;
      for (let index = 0; index < ACL_CATEGORIES.length; index++) {
        if (applied.has(index)) continue;
        const bit = 1 << index;
        let on = 0;
        let off = 0;
        for (const command of catalog.commands) {
          if ((command.categories & bit) === 0) continue;
          if (temp.allowed[command.id] !== 0) on++;
          else off++;
        }
        const diff = additive ? off : on;
        const same = additive ? on : off;
        if (same > diff && (diff < minDiff || (diff === minDiff && same > maxSame))) {
          best = index;
          minDiff = diff;
          maxSame = same;
        }
      }
      if (best < 0) break;
      fake.setCategory(best, additive);
      temp.setCategory(best, !additive);
      rules += `${additive ? "+@" : "-@"}${ACL_CATEGORIES[best]} `;
      applied.add(best);
    }
    for (const command of catalog.commands) {
      if (command.parent !== undefined) continue;
      rules = this.describeSingle(command, fake, rules);
      for (const sub of command.subcommands) rules = this.describeSingle(sub, fake, rules);
      const args = this.allowed[command.id] === 0 ? this.firstArgs.get(command.id) : undefined;
      for (const arg of args ?? []) rules += `+${command.fullName}|${arg} `;
    }
    return rules.slice(0, -1);
  }

  private describeSingle(command: AclCommand, fake: AclSelector, rules: string): string {
    const userBit = this.allowed[command.id] !== 0;
    if (userBit === (fake.allowed[command.id] !== 0)) return rules;
    fake.changePermission(command, userBit);
    return `${rules}${userBit ? "+" : "-"}${command.fullName} `;
  }
}

function patternText(pattern: KeyPattern): string {
  if (pattern.permissions === ALL_PERMISSIONS) return `~${pattern.pattern}`;
  return `${pattern.permissions === READ_PERMISSION ? "%R" : "%W"}~${pattern.pattern}`;
}
