import type { ClientSession } from "../client-session.js";
import type { CommandSpec } from "../command/command-spec.js";
import type { MetadataValue } from "../commands/metadata-value.js";
import type { Engine } from "../engine.js";
import { describeClient } from "../commands/client.js";
import { commandHasKeys, commandKeyPositions } from "../util/command-keys.js";
import { aclCatalog } from "./acl-catalog.js";
import { readAclFile, writeAclFile } from "./acl-file.js";
import { AclLog, reasonOf, type AclLogContext } from "./acl-log.js";
import { AclDenial, READ_PERMISSION, WRITE_PERMISSION, type AccessRequest, type SelectorVerdict } from "./acl-selector.js";
import { AclUser } from "./acl-user.js";

/** The -NOPERM replies of Redis 7.0's processCommand, by denial. */
const NOPERM_KEY = "NOPERM this user has no permissions to access one of the keys used as arguments";
const NOPERM_CHANNEL = "NOPERM this user has no permissions to access one of the channels used as arguments";

/** execCommand's reasons when the rules changed between MULTI's queueing and EXEC. */
const EXEC_REASONS: Record<number, string> = {
  [AclDenial.Command]: "no permission to execute the command or subcommand",
  [AclDenial.Key]: "no permission to touch the specified keys",
  [AclDenial.Channel]: "no permission to access one of the channels used as arguments",
};

/** Permission bits a key spec's flags ask for (ACLSelectorCheckKey): reading for access, writing for insert/delete/update. */
const keyPermissionCache = new WeakMap<object, number>();
function keyPermissions(flags: MetadataValue): number {
  if (flags === null || typeof flags !== "object" || Array.isArray(flags)) return 0;
  const cached = keyPermissionCache.get(flags);
  if (cached !== undefined) return cached;
  let permissions = 0;
  if (flags.t === "set") {
    for (const item of flags.v) {
      const name = typeof item === "string" ? item : item !== null && typeof item === "object" && !Array.isArray(item) && item.t === "simple" ? item.v : "";
      if (name === "access") permissions |= READ_PERMISSION;
      else if (name === "insert" || name === "delete" || name === "update") permissions |= WRITE_PERMISSION;
    }
  }
  keyPermissionCache.set(flags, permissions);
  return permissions;
}

const NO_CHANNELS: readonly { index: number; pattern: boolean }[] = [];

/** getChannelsFromCommand, restricted to what ACLs check: the channels published to or subscribed. */
function channelsOf(fullName: string, argv: readonly string[]): readonly { index: number; pattern: boolean }[] {
  switch (fullName) {
    case "publish":
    case "spublish":
      return [{ index: 1, pattern: false }];
    case "subscribe":
    case "ssubscribe":
    case "psubscribe": {
      const pattern = fullName === "psubscribe";
      const channels: { index: number; pattern: boolean }[] = [];
      for (let i = 1; i < argv.length; i++) channels.push({ index: i, pattern });
      return channels;
    }
    default:
      return NO_CHANNELS;
  }
}

/**
 * Redis's ACL subsystem (acl.c): the users, who a connection is, the permission check the
 * dispatcher runs for restricted users, the ACL LOG and the ACL file.
 */
export class AccessControl {
  private readonly engine: Engine;
  readonly users = new Map<string, AclUser>();
  readonly defaultUser: AclUser;
  readonly log = new AclLog();
  /** acl-pubsub-default: whether new users and selectors start with allchannels. */
  allChannelsByDefault = false;
  /** aclfile: fixed at start-up; "" means users live only in memory. */
  filename = "";
  private readonly verdict: SelectorVerdict = { denial: AclDenial.None, index: 0 };

  constructor(engine: Engine) {
    this.engine = engine;
    this.defaultUser = AccessControl.freshDefaultUser();
    this.users.set("default", this.defaultUser);
  }

  /** ACLCreateDefaultUser: everything allowed, no password. */
  private static freshDefaultUser(): AclUser {
    const user = new AclUser("default", false);
    for (const rule of ["+@all", "~*", "&*", "on", "nopass"]) user.apply(rule, false);
    return user;
  }

  /** Redis's authRequired(): the default user has a password or is disabled. */
  get authRequired(): boolean {
    return !this.defaultUser.nopass || !this.defaultUser.enabled;
  }

  /** requirepass (ACLUpdateDefaultUserPassword): "" makes the default user nopass. */
  setDefaultPassword(password: string): void {
    this.defaultUser.apply("resetpass", false);
    this.defaultUser.apply(password === "" ? "nopass" : `>${password}`, false);
  }

  // ---- authentication -----------------------------------------------------------------

  /**
   * AUTH / HELLO AUTH: on success the client runs as `username`; a failure is logged
   * (reason auth, object the command as sent) and the caller replies WRONGPASS.
   */
  authenticate(client: ClientSession, username: string, password: string, command: string): boolean {
    const user = this.users.get(username);
    if (user !== undefined && user.checkPassword(password)) {
      client.aclUser = user;
      client.authenticated = true;
      return true;
    }
    this.addLogEntry(client, "auth", this.contextOf(client), command, username, this.engine.contextOf(client).spec, [command]);
    return false;
  }

  // ---- permission checks ---------------------------------------------------------------

  private request(spec: CommandSpec, argv: readonly string[]): AccessRequest {
    let keys: { index: number; permissions: number }[] | undefined;
    return {
      command: aclCatalog().forDispatch(spec.fullName),
      noAuth: spec.flags.has("no_auth"),
      argv,
      keys: () => {
        if (keys !== undefined) return keys;
        keys = [];
        if (commandHasKeys(spec)) for (const key of commandKeyPositions(spec, argv)) keys.push({ index: key.index, permissions: keyPermissions(key.flags) });
        return keys;
      },
      channels: channelsOf(spec.fullName, argv),
    };
  }

  /** ACLCheckAllUserCommandPerm for `user` (ACL DRYRUN); `verdict` gets the denial and the argv index it concerns. */
  checkUser(user: AclUser, spec: CommandSpec, argv: readonly string[]): SelectorVerdict {
    const verdict: SelectorVerdict = { denial: AclDenial.None, index: 0 };
    if (!user.unrestricted) user.check(this.request(spec, argv), verdict);
    return verdict;
  }

  /**
   * The dispatcher's check, called only for clients whose user is restricted: returns the
   * -NOPERM text to reply (after logging the denial), or undefined to go on.
   */
  deniedCommand(client: ClientSession, spec: CommandSpec, argv: readonly string[]): string | undefined {
    // The AOF loader and the CLI's embedded client act for the server itself (Redis's
    // clients without a user).
    if (client.kind !== "normal") return undefined;
    const verdict = this.verdict;
    client.aclUser.check(this.request(spec, argv), verdict);
    if (verdict.denial === AclDenial.None) return undefined;
    this.logDenial(client, spec, argv, verdict, this.contextOf(client));
    if (verdict.denial === AclDenial.Command) return `NOPERM this user has no permissions to run the '${spec.fullName}' command`;
    return verdict.denial === AclDenial.Key ? NOPERM_KEY : NOPERM_CHANNEL;
  }

  /** EXEC re-checks each queued command, since rules may have changed after it was queued. */
  deniedAtExec(client: ClientSession, spec: CommandSpec, argv: readonly string[]): string | undefined {
    if (client.kind !== "normal") return undefined;
    const verdict = this.verdict;
    client.aclUser.check(this.request(spec, argv), verdict);
    if (verdict.denial === AclDenial.None) return undefined;
    this.logDenial(client, this.engine.contextOf(client).spec, argv, verdict, "multi", spec);
    return `NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC call. This command is no longer allowed for the following reason: ${EXEC_REASONS[verdict.denial]}`;
  }

  private contextOf(client: ClientSession): AclLogContext {
    return client.transaction !== undefined || this.engine.executingTransaction ? "multi" : "toplevel";
  }

  /** `running` is the command shown in client-info (EXEC at exec time); `denied` the one refused. */
  private logDenial(client: ClientSession, running: CommandSpec, argv: readonly string[], verdict: SelectorVerdict, context: AclLogContext, denied = running): void {
    const object = verdict.denial === AclDenial.Command ? denied.fullName : argv[verdict.index]!;
    this.addLogEntry(client, reasonOf(verdict.denial), context, object, client.aclUser.name, running, argv);
  }

  /** The client's CLIENT LIST line with `running` as its current command (the ACL LOG's client-info). */
  private clientInfo(client: ClientSession, running: CommandSpec, argv: readonly string[]): string {
    const ctx = this.engine.contextOf(client);
    const saved = ctx.spec;
    ctx.spec = running;
    try {
      return describeClient(ctx, client, argv).slice(0, -1);
    } finally {
      ctx.spec = saved;
    }
  }

  private addLogEntry(client: ClientSession, reason: ReturnType<typeof reasonOf>, context: AclLogContext, object: string, username: string, running: CommandSpec, argv: readonly string[]): void {
    this.log.add({ reason, context, object, username, createdAt: Date.now(), clientInfo: this.clientInfo(client, running, argv) });
  }

  // ---- users ---------------------------------------------------------------------------

  /**
   * ACL SETUSER after the arguments were merged: the rules are applied to a copy, so the
   * user changes only if all of them are valid. Returns the failing rule and its error.
   */
  setUser(client: ClientSession, name: string, rules: readonly string[]): { rule: string; error: string } | undefined {
    const existing = this.users.get(name);
    const updated = existing?.clone() ?? new AclUser(name, this.allChannelsByDefault);
    for (const rule of rules) {
      const error = updated.apply(rule, this.allChannelsByDefault);
      if (error !== undefined) return { rule, error };
    }
    if (existing === undefined) {
      this.users.set(name, updated);
      return undefined;
    }
    existing.copyFrom(updated);
    this.disconnectRevokedSubscribers(client, existing);
    return undefined;
  }

  /**
   * ACLKillPubsubClientsIfNeeded: a subscriber of `user` whose channels or patterns the new
   * rules no longer allow is disconnected, rather than left receiving what it may not.
   */
  private disconnectRevokedSubscribers(current: ClientSession, user: AclUser): void {
    if (user.selectors.some((selector) => selector.allChannels)) return;
    const pubsub = this.engine.pubsub;
    for (const client of this.clientsOf(current)) {
      if (client.aclUser !== user) continue;
      const subscriptions = pubsub.subscriptionsOf(client);
      if (subscriptions === undefined) continue;
      const allowed = (channel: string, pattern: boolean): boolean => user.selectors.some((selector) => selector.channelAllowed(channel, pattern));
      let revoked = false;
      for (const pattern of subscriptions.patterns) if (!allowed(pattern, true)) revoked = true;
      for (const channel of subscriptions.channels) if (!allowed(channel, false)) revoked = true;
      for (const channel of subscriptions.shardChannels) if (!allowed(channel, false)) revoked = true;
      if (revoked) this.disconnect(current, client);
    }
  }

  /** ACL DELUSER: returns how many existed; their clients are disconnected (the caller's after its reply). */
  deleteUsers(current: ClientSession, names: readonly string[]): number {
    let deleted = 0;
    for (const name of names) {
      const user = this.users.get(name);
      if (user === undefined) continue;
      this.users.delete(name);
      this.disconnectUser(current, user);
      deleted++;
    }
    return deleted;
  }

  /** ACLFreeUserAndKillClients: its clients fall back to the unauthenticated default user and are closed. */
  private disconnectUser(current: ClientSession, user: AclUser): void {
    for (const client of this.clientsOf(current)) {
      if (client.aclUser !== user) continue;
      client.aclUser = this.defaultUser;
      client.authenticated = false;
      this.disconnect(current, client);
    }
  }

  private clientsOf(current: ClientSession): ClientSession[] {
    const clients = [...this.engine.host.clients()];
    if (!clients.includes(current)) clients.push(current);
    return clients;
  }

  private disconnect(current: ClientSession, client: ClientSession): void {
    if (client === current) client.closeAfterReply = true;
    else this.engine.host.killClient(client);
  }

  /** ACL LIST / ACL SAVE lines, users in name order (Redis keeps them in a radix tree). */
  listLines(): string[] {
    return [...this.users.keys()].sort().map((name) => `user ${name} ${this.users.get(name)!.describe()}`);
  }

  // ---- the ACL file ----------------------------------------------------------------------

  /**
   * Loads the ACL file, all or nothing; returns the error text (every bad line named) or
   * undefined. Users are replaced, so clients of the old ones are disconnected as in Redis;
   * the default user object stays (clients hold it) and takes the file's rules.
   */
  load(current: ClientSession | undefined): string | undefined {
    const result = readAclFile(this.filename, this.allChannelsByDefault);
    if ("error" in result) return result.error;
    let fileDefault = result.users.get("default");
    if (fileDefault === undefined) {
      // Redis falls back to a password-less default user here, silently dropping requirepass;
      // kv keeps requirepass for the default user when the file does not define it.
      fileDefault = AccessControl.freshDefaultUser();
      const requirepass = this.engine.config.lookup("requirepass")?.value ?? "";
      if (requirepass !== "") fileDefault.apply(`>${requirepass}`, false);
    }
    for (const [name, user] of this.users) {
      if (name === "default") continue;
      if (current !== undefined) this.disconnectUser(current, user);
    }
    this.users.clear();
    this.defaultUser.copyFrom(fileDefault);
    this.users.set("default", this.defaultUser);
    for (const [name, user] of result.users) if (name !== "default") this.users.set(name, user);
    return undefined;
  }

  /** Writes every user in `user <name> <rules>` form; throws on an I/O error. */
  save(): void {
    writeAclFile(this.filename, this.listLines().map((line) => `${line}\n`).join(""));
  }
}
