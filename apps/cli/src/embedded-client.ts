import { openPersistentEngine, type PersistentEngine } from "@kv/aof";
import type { ClientSession } from "@kv/core";
import { ReplyParser, type Reply } from "@kv/protocol";
import { CliError, type CommandRunner, type SessionOptions } from "./command-runner.js";

/**
 * Runs commands on a data directory inside this process, with the server's engine and AOF:
 * no server needed, and what it writes is what a server started on the directory loads.
 * Holds the directory lock while open, so a server cannot start on the directory meanwhile.
 */
export class EmbeddedClient implements CommandRunner {
  readonly label = "kv(embedded)";
  onUnsolicitedReply: ((reply: Reply) => void) | undefined;
  private readonly client: ClientSession;
  private readonly parser = new ReplyParser();

  private constructor(private readonly persistent: PersistentEngine) {
    this.client = persistent.engine.createClient("embedded");
  }

  /**
   * Takes the directory lock and loads the AOF. Throws DirectoryLockedError (from @kv/aof)
   * when a live process holds the directory.
   */
  static async open(dir: string, session: SessionOptions = {}): Promise<EmbeddedClient> {
    // AOF warnings (a truncated tail...) go to stderr through @kv/aof's default logger.
    const persistent = openPersistentEngine({ dir, appendFsync: "always" });
    const client = new EmbeddedClient(persistent);
    try {
      await client.setUp(session);
    } catch (error) {
      persistent.close();
      throw error;
    }
    return client;
  }

  /**
   * The session set-up of the network client, minus AUTH: whoever can open the files needs
   * no password, and the engine's embedded clients start authenticated.
   */
  private async setUp({ database, protocol }: SessionOptions): Promise<void> {
    if (database !== undefined && database !== 0) {
      const reply = await this.run(["SELECT", String(database)]);
      if (reply.type === "error") throw new CliError(`SELECT ${database} failed: ${reply.value}`);
    }
    if (protocol !== undefined) {
      const reply = await this.run(["HELLO", String(protocol)]);
      if (reply.type === "error") throw new CliError(`HELLO ${protocol} failed: ${reply.value}`);
    }
  }

  async run(argv: string[]): Promise<Reply> {
    const { engine } = this.persistent;
    engine.execute(this.client, argv);
    // A write is on disk before its reply is shown: the AOF is written and fdatasync'ed.
    await this.persistent.whenSynced(this.persistent.flush());
    const bytes = this.client.reply.take();
    if (bytes !== undefined) this.parser.feed(bytes);
    const reply = this.parser.next();
    if (reply === undefined) {
      throw new CliError(`'${argv[0] ?? ""}' did not reply at once; commands that wait (blocking pops, WAIT...) need a server`);
    }
    // Commands with several replies (SUBSCRIBE a b) hand the rest over as a server would send them.
    for (let more = this.parser.next(); more !== undefined; more = this.parser.next()) this.onUnsolicitedReply?.(more);
    return reply;
  }

  close(): Promise<void> {
    this.persistent.close();
    return Promise.resolve();
  }
}
