import { ReplyParser, type Reply } from "@kv/protocol";
import type { ClientSession } from "../client-session.js";
import { allCommands } from "../commands/index.js";
import { defineCoreConfig } from "../core-config.js";
import { Engine, type EngineOptions } from "../engine.js";

/**
 * An engine with every command and a client, for unit tests: arguments in, reply and state out.
 * `raw` returns the exact RESP bytes so tests can assert them byte for byte.
 */
export class TestHarness {
  readonly engine: Engine;
  readonly client: ClientSession;
  /** Everything propagated (what the AOF would log), as [db, argv]. */
  readonly propagated: [number, string[]][] = [];

  constructor(options: Partial<EngineOptions> = {}) {
    this.engine = new Engine({ commands: allCommands, defineConfig: defineCoreConfig, ...options });
    this.engine.propagationSink = (db, argv) => this.propagated.push([db, [...argv]]);
    this.client = this.engine.createClient();
  }

  /** Runs a command and returns its reply bytes as a latin1 string. */
  raw(...argv: string[]): string {
    return this.rawAs(this.client, ...argv);
  }

  rawAs(client: ClientSession, ...argv: string[]): string {
    this.engine.execute(client, argv);
    return client.reply.take()?.toString("latin1") ?? "";
  }

  /** Runs a command and returns its decoded reply. */
  run(...argv: string[]): Reply {
    const parser = new ReplyParser();
    parser.feed(Buffer.from(this.raw(...argv), "latin1"));
    const reply = parser.next();
    if (reply === undefined) throw new Error(`no reply to ${argv.join(" ")}`);
    return reply;
  }
}
