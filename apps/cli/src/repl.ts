import readline from "node:readline";
import type { Reply } from "@kv/protocol";
import { splitArgs } from "./args.js";
import { CliError, ConnectionClosedError, type CommandRunner } from "./command-runner.js";
import { runAndPrint, type ReplyOutput } from "./run-command.js";

export interface ReplOptions {
  runner: CommandRunner;
  output: ReplyOutput;
  input: NodeJS.ReadableStream;
  /**
   * A person at a terminal: show a prompt, keep history, time slow commands. Otherwise
   * (piped input) lines are read as bytes and only replies are printed, as with redis-cli.
   */
  interactive: boolean;
  /** The database the session started in (-n), for the prompt. */
  database: number;
  /** Reports a command that could not be run (connection lost...); the session goes on. */
  reportFailure(message: string): void;
}

export interface ReplResult {
  /** Commands answered with an error reply or that could not be run. */
  failures: number;
}

/** Commands slower than this get their time printed, as redis-cli does. */
const SLOW_COMMAND_MS = 500;

/**
 * redis-cli's interactive mode: one command per line, split with its quoting rules, with
 * `quit`/`exit`, `clear`, a repeat count (`3 INCR n`), and a prompt that follows SELECT and
 * MULTI like redis-cli's (`127.0.0.1:9999[2](TX)> `).
 */
export async function runRepl(options: ReplOptions): Promise<ReplResult> {
  const { runner, output, interactive } = options;
  const prompt = new PromptState(runner.label, options.database);
  let running = false;
  const terminal = interactive
    ? readline.createInterface({ input: options.input, output: process.stdout, terminal: true, historySize: 1000 })
    : undefined;
  // Ctrl-C ends the session, like redis-cli; during SUBSCRIBE or MONITOR it also ends those.
  let interrupted = false;
  terminal?.on("SIGINT", () => {
    interrupted = true;
    terminal.close();
    if (running) void runner.close();
  });
  const lines = terminal?.[Symbol.asyncIterator]() ?? readByteLines(options.input);
  let failures = 0;
  try {
    while (!interrupted) {
      if (terminal !== undefined) {
        terminal.setPrompt(prompt.text());
        terminal.prompt();
      }
      const next = await lines.next();
      if (next.done === true) break;
      // A terminal gives text; the server wants the bytes the user typed. Piped input is already bytes.
      const line = interactive ? Buffer.from(next.value, "utf8").toString("latin1") : next.value;
      const argv = splitArgs(line);
      if (argv === undefined) {
        output.note("Invalid argument(s)");
        continue;
      }
      if (argv.length === 0) continue;
      const name = argv[0]!.toLowerCase();
      if (name === "quit" || name === "exit") break;
      if (interactive && name === "clear" && argv.length === 1) {
        process.stdout.write("\x1b[H\x1b[2J");
        continue;
      }
      const repeat = parseRepeat(argv);
      if (repeat === undefined) {
        output.note("Invalid kv repeat command option value.");
        continue;
      }
      const command = repeat.given ? argv.slice(1) : argv;
      const started = performance.now();
      running = true;
      for (let i = 0; i < repeat.count; i++) {
        try {
          const reply = await runAndPrint(runner, command, output);
          if (reply.type === "error") failures++;
          prompt.track(command, reply);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          // SHUTDOWN succeeded when the server hung up instead of replying.
          if (!(error instanceof ConnectionClosedError && command[0]!.toLowerCase() === "shutdown")) {
            options.reportFailure(error.message);
            failures++;
          }
          break;
        }
      }
      running = false;
      const elapsed = performance.now() - started;
      if (interactive && !interrupted && elapsed >= SLOW_COMMAND_MS) output.note(`(${(elapsed / 1000).toFixed(2)}s)`);
    }
  } finally {
    terminal?.close();
    // Stops reading stdin after `quit`, so unread input does not keep the process alive.
    await lines.return?.(undefined);
  }
  return { failures };
}

/**
 * Lines of piped input as latin1 strings. Only LF ends a line, as for redis-cli reading a
 * pipe; a CR is left in the line, where splitArgs treats it as a separator.
 */
async function* readByteLines(input: NodeJS.ReadableStream): AsyncGenerator<string, void> {
  let pending = "";
  for await (const chunk of input) {
    pending += typeof chunk === "string" ? chunk : chunk.toString("latin1");
    for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
      yield pending.slice(0, end);
      pending = pending.slice(end + 1);
    }
  }
  if (pending !== "") yield pending;
}

/**
 * redis-cli runs `N cmd ...` N times when the first word is a number and more words follow
 * (strtol's syntax: optional blanks and sign, then digits only).
 */
function parseRepeat(argv: readonly string[]): { count: number; given: boolean } | undefined {
  const first = argv[0]!;
  if (argv.length < 2 || first === "" || !/^[\t\n\v\f\r ]*[+-]?\d+$/.test(first)) return { count: 1, given: false };
  const count = Number(first.trim());
  if (!Number.isSafeInteger(count) || count <= 0) return undefined;
  return { count, given: true };
}

/** The session state redis-cli shows in its prompt, updated from commands and their replies. */
class PromptState {
  private database: number;
  private inTransaction = false;
  private databaseBeforeTransaction = 0;

  constructor(
    private readonly label: string,
    database: number,
  ) {
    this.database = database;
  }

  text(): string {
    return `${this.label}${this.database !== 0 ? `[${this.database}]` : ""}${this.inTransaction ? "(TX)" : ""}> `;
  }

  /** redis-cli's rules (cliSendCommand), including their optimism: SELECT queued in MULTI counts at once. */
  track(argv: readonly string[], reply: Reply): void {
    const name = argv[0]!.toLowerCase();
    const failed = reply.type === "error";
    if (argv.length === 2 && name === "select" && !failed) {
      this.database = Number.parseInt(argv[1]!, 10) || 0;
    } else if (argv.length === 1 && name === "multi" && !failed) {
      this.inTransaction = true;
      this.databaseBeforeTransaction = this.database;
    } else if (argv.length === 1 && name === "exec" && this.inTransaction) {
      this.inTransaction = false;
      // An aborted transaction (EXECABORT, or WATCH's nil) did not run its SELECT.
      if (failed || reply.type === "null" || reply.type === "nullarray") this.database = this.databaseBeforeTransaction;
    } else if (argv.length === 1 && name === "discard" && !failed) {
      this.inTransaction = false;
      this.database = this.databaseBeforeTransaction;
    } else if (argv.length === 1 && name === "reset" && !failed) {
      this.inTransaction = false;
      this.database = 0;
    }
  }
}
