import { createHash, timingSafeEqual } from "node:crypto";
import { AclDenial, AclRuleErrors, AclSelector, type AccessRequest, type SelectorVerdict } from "./acl-selector.js";

/** Passwords are kept only as SHA-256 hex digests, as Redis keeps them. */
export function hashPassword(password: string): string {
  return createHash("sha256").update(password, "latin1").digest("hex");
}

const PASSWORD_HASH = /^[0-9a-f]{64}$/;

/** Redis 7.0's user flags, in the order ACL LIST and GETUSER show them. */
type UserFlag = "on" | "off" | "nopass" | "skip-sanitize-payload" | "sanitize-payload";
const FLAG_ORDER: readonly UserFlag[] = ["on", "off", "nopass", "skip-sanitize-payload", "sanitize-payload"];

/**
 * An ACL user: flags, password digests and selectors (the root one first). `unrestricted`
 * is kept up to date after every change so the dispatcher's check for a user who may do
 * everything (the default user, normally) is one property read.
 */
export class AclUser {
  readonly name: string;
  private readonly flags = new Set<UserFlag>(["off"]);
  passwords: string[] = [];
  selectors: AclSelector[];
  /** Root selector allows every command, key and channel: nothing to check. */
  unrestricted = false;

  constructor(name: string, allChannelsByDefault: boolean) {
    this.name = name;
    this.selectors = [new AclSelector(allChannelsByDefault)];
  }

  get root(): AclSelector {
    return this.selectors[0]!;
  }

  get enabled(): boolean {
    return this.flags.has("on");
  }

  get nopass(): boolean {
    return this.flags.has("nopass");
  }

  flagNames(): UserFlag[] {
    return FLAG_ORDER.filter((flag) => this.flags.has(flag));
  }

  /** A copy to apply rules to, so a failing SETUSER leaves the user as it was. */
  clone(name = this.name): AclUser {
    const copy = new AclUser(name, false);
    copy.flags.clear();
    for (const flag of this.flags) copy.flags.add(flag);
    copy.passwords = [...this.passwords];
    copy.selectors = this.selectors.map((selector) => selector.clone());
    copy.refresh();
    return copy;
  }

  /** Takes over another user's rules (ACLCopyUser), keeping this object: clients hold it. */
  copyFrom(other: AclUser): void {
    this.flags.clear();
    for (const flag of other.flags) this.flags.add(flag);
    this.passwords = [...other.passwords];
    this.selectors = other.selectors.map((selector) => selector.clone());
    this.refresh();
  }

  refresh(): void {
    this.unrestricted = this.root.unrestricted;
  }

  /**
   * ACLSetUser: applies one rule (user flags, passwords, selectors, or a root-selector rule).
   * Returns the error text, or undefined. `allChannelsByDefault` is acl-pubsub-default.
   */
  apply(op: string, allChannelsByDefault: boolean): string | undefined {
    const error = this.applyRule(op, allChannelsByDefault);
    this.refresh();
    return error;
  }

  private setExclusive(on: UserFlag, off: UserFlag): void {
    this.flags.add(on);
    this.flags.delete(off);
  }

  private applyRule(op: string, allChannelsByDefault: boolean): string | undefined {
    if (op === "") return undefined;
    const lower = op.toLowerCase();
    switch (lower) {
      case "on":
        this.setExclusive("on", "off");
        return undefined;
      case "off":
        this.setExclusive("off", "on");
        return undefined;
      case "skip-sanitize-payload":
        this.setExclusive("skip-sanitize-payload", "sanitize-payload");
        return undefined;
      case "sanitize-payload":
        this.setExclusive("sanitize-payload", "skip-sanitize-payload");
        return undefined;
      case "nopass":
        this.flags.add("nopass");
        this.passwords = [];
        return undefined;
      case "resetpass":
        this.flags.delete("nopass");
        this.passwords = [];
        return undefined;
      case "clearselectors":
        this.selectors.length = 1;
        return undefined;
      case "reset":
        for (const rule of ["resetpass", "resetkeys", "resetchannels", ...(allChannelsByDefault ? ["allchannels"] : []), "off", "sanitize-payload", "clearselectors", "-@all"]) {
          this.applyRule(rule, allChannelsByDefault);
        }
        return undefined;
    }
    const first = op[0];
    if (first === ">" || first === "#") {
      const digest = first === ">" ? hashPassword(op.slice(1)) : op.slice(1);
      if (first === "#" && !PASSWORD_HASH.test(digest)) return AclRuleErrors.badHash;
      if (!this.passwords.includes(digest)) this.passwords.push(digest);
      this.flags.delete("nopass");
      return undefined;
    }
    if (first === "<" || first === "!") {
      const digest = first === "<" ? hashPassword(op.slice(1)) : op.slice(1);
      if (first === "!" && !PASSWORD_HASH.test(digest)) return AclRuleErrors.badHash;
      const index = this.passwords.indexOf(digest);
      if (index < 0) return AclRuleErrors.noSuchPassword;
      this.passwords.splice(index, 1);
      return undefined;
    }
    if (first === "(" && op.endsWith(")")) {
      const selector = new AclSelector(allChannelsByDefault);
      for (const rule of op.slice(1, -1).split(/[ \t\n\r]+/)) {
        if (rule === "") continue;
        const error = selector.apply(rule);
        if (error !== undefined) return error;
      }
      this.selectors.push(selector);
      return undefined;
    }
    return this.root.apply(op);
  }

  /**
   * ACLCheckUserCredentials: an enabled user with no password, or one of its digests equal
   * to the password's. Digests are compared with timingSafeEqual, so the time taken says
   * nothing about how much of a password was right.
   */
  checkPassword(password: string): boolean {
    if (!this.enabled) return false;
    if (this.nopass) return true;
    const offered = Buffer.from(hashPassword(password), "latin1");
    let match = false;
    for (const digest of this.passwords) if (timingSafeEqual(offered, Buffer.from(digest, "latin1"))) match = true;
    return match;
  }

  /**
   * ACLCheckAllUserCommandPerm: allowed when any selector allows it; otherwise the most
   * serious denial (channel > key > command), and among equals the one further along argv.
   */
  check(request: AccessRequest, verdict: SelectorVerdict): void {
    let denial = AclDenial.None;
    let index = 0;
    for (const selector of this.selectors) {
      selector.check(request, verdict);
      if (verdict.denial === AclDenial.None) return;
      const local = verdict.denial === AclDenial.Command ? 0 : verdict.index;
      if (verdict.denial > denial || (verdict.denial === denial && local > index)) {
        denial = verdict.denial;
        index = local;
      }
    }
    verdict.denial = denial;
    verdict.index = index;
  }

  /** ACLDescribeUser: the rules of ACL LIST and the ACL file, after `user <name> `. */
  describe(): string {
    let text = "";
    for (const flag of this.flagNames()) text += `${flag} `;
    for (const digest of this.passwords) text += `#${digest} `;
    text += this.root.describe();
    for (const selector of this.selectors.slice(1)) text += ` (${selector.describe()})`;
    return text;
  }
}
