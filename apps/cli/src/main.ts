#!/usr/bin/env node
import { readFileSync } from "node:fs";
import path from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";
import { runCheckAof } from "./check-aof-command.js";
import { CliError, ConnectionClosedError, type CommandRunner, type SessionOptions } from "./command-runner.js";
import { openRunner } from "./open-runner.js";
import { runRepl } from "./repl.js";
import { formatCommandReply, runAndPrint, type OutputFormat, type ReplyOutput } from "./run-command.js";

/*
 * The `kv` command: redis-cli's options and output, plus --set/--get/--del and --dir. This
 * file only turns the command line into a runner and a command; replies come from the
 * server or from the engine in @kv/core, never from here.
 */

/** Exit status for a command line that makes no sense (1 is for commands that failed). */
const EXIT_USAGE = 2;

interface CliOptions {
  host?: string;
  port?: number;
  pass?: string;
  user?: string;
  n?: number;
  "2"?: true;
  "3"?: true;
  x?: true;
  raw?: boolean;
  dir: string;
  set?: string;
  get?: string;
  del?: string[];
}

class UsageError extends Error {}

const { version } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };

function createProgram(): Command {
  return new Command("kv")
    .description("kv's command-line client, redis-cli style: talks to a kv server, or works on a data directory directly")
    .usage("[options] [command [arg ...]]")
    // redis-cli's -h is the host; help stays available as --help.
    .helpOption("--help", "show this help")
    .version(version, "-v, --version", "print the version")
    .option("-h, --host <hostname>", "server host (network mode; default 127.0.0.1)")
    .option("-p, --port <port>", "server port (network mode; default 9999)", parsePort)
    .option("-a, --pass <password>", "password to AUTH with (network mode)")
    .option("--user <username>", "ACL user to AUTH as, with -a")
    .option("-n <db>", "database number", parseDatabase)
    .option("-2", "start the session in RESP2 (HELLO 2)")
    .option("-3", "start the session in RESP3 (HELLO 3)")
    .option("-x", "read the last argument from stdin")
    .option("--raw", "redis-cli's raw output: values unquoted, one per line")
    .option("--no-raw", "redis-cli's human output (the default, also when stdout is not a terminal)")
    .option("--dir <path>", "data directory: the server that holds it is used, or it is opened directly", "./data")
    .option("--set <key>", "set a key to the value that follows it: kv --set key value")
    .option("--get <key>", "print a key's value")
    .option("--del <keys...>", "delete keys")
    .argument("[command...]", "a command and its arguments; none starts an interactive session")
    // Everything after the command name is the command's: `kv INCRBY n -5`, `kv ECHO -p`.
    .passThroughOptions()
    .addHelpText(
      "after",
      `
Without -h/-p, kv looks at the data directory: if a running kv server holds it, the
command goes to that server; otherwise kv opens the directory itself (embedded mode).

Examples:
  kv --set mykey "my value"     prints OK
  kv --get mykey                prints "my value"
  kv SET counter 10
  kv -p 7379 INCRBY counter -5
  kv --set key -- -1            values starting with - go after --
  kv                            interactive session
  echo "PING" | kv              commands from stdin, one per line
  kv check-aof [--fix] ./data   check the AOF (see kv check-aof --help)

Exit status: 0 when the command ran, whatever it replied (also (nil)); 1 for an error
reply or when the command could not be run; 2 for a command line kv does not understand.`,
    )
    .exitOverride();
}

async function main(argv: readonly string[]): Promise<number> {
  // A tool, not a Redis command: the root program reads every operand as a command to send.
  if (argv[0] === "check-aof") return runCheckAof(argv.slice(1), invocationDirectory());
  const program = createProgram();
  try {
    program.parse(argv, { from: "user" });
  } catch (error) {
    // Commander has printed its message or the help already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw error;
  }
  const options = program.opts<CliOptions>();
  let command: string[] | undefined;
  try {
    command = buildCommand(options, program.args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`kv: ${error.message} (see kv --help)\n`);
    return EXIT_USAGE;
  }

  const format: OutputFormat = options.raw === true ? "raw" : "human";
  const session: SessionOptions = {
    password: options.pass === undefined ? undefined : toBytes(options.pass),
    user: options.user === undefined ? undefined : toBytes(options.user),
    database: options.n,
    protocol: options["3"] === true ? 3 : options["2"] === true ? 2 : undefined,
  };
  const dir = path.resolve(invocationDirectory(), options.dir);

  let runner: CommandRunner;
  try {
    runner = await openRunner({ host: options.host, port: options.port, dir, session });
  } catch (error) {
    return reportFailure(error);
  }
  try {
    if (command !== undefined) {
      const output = replyOutput(format, true);
      runner.onUnsolicitedReply = (reply) => output.reply(reply, []);
      const reply = await runAndPrint(runner, command, output);
      // Unlike redis-cli (which exits 0 unless given -e), an error reply fails the command.
      return reply.type === "error" ? 1 : 0;
    }
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    const output = replyOutput(format, false);
    runner.onUnsolicitedReply = (reply) => output.reply(reply, []);
    const { failures } = await runRepl({
      runner,
      output,
      input: process.stdin,
      interactive,
      database: options.n ?? 0,
      reportFailure: (message) => void process.stderr.write(`${message}\n`),
    });
    // Piped commands are a script: it failed if any command did. A person saw the errors already.
    return !interactive && failures > 0 ? 1 : 0;
  } catch (error) {
    // The server hanging up is how SHUTDOWN succeeds; redis-cli prints nothing then.
    if (error instanceof ConnectionClosedError && command?.[0]?.toLowerCase() === "shutdown") return 0;
    return reportFailure(error);
  } finally {
    await runner.close();
  }
}

/**
 * The command to run once, or undefined for an interactive session. --set/--get/--del are
 * spellings of SET/GET/DEL; the value of --set is the first argument after the key, so it
 * can hold spaces when quoted and start with - after `--`.
 */
function buildCommand(options: CliOptions, args: readonly string[]): string[] | undefined {
  const positional = args.map(toBytes);
  // -x: the last argument comes from stdin, byte for byte (`kv -x SET key < file`).
  if (options.x === true) positional.push(readFileSync(0).toString("latin1"));
  const shortcuts = [options.set, options.get, options.del].filter((value) => value !== undefined).length;
  if (shortcuts > 1) throw new UsageError("use only one of --set, --get and --del");
  if (options.set !== undefined) {
    if (positional.length !== 1) throw new UsageError(`--set takes a key and one value (quote a value with spaces): kv --set key "my value"`);
    return ["SET", toBytes(options.set), positional[0]!];
  }
  if (options.get !== undefined || options.del !== undefined) {
    if (positional.length > 0) throw new UsageError(`unexpected argument '${args[0] ?? ""}' after ${options.get !== undefined ? "--get" : "--del"}`);
    return options.get !== undefined ? ["GET", toBytes(options.get)] : ["DEL", ...options.del!.map(toBytes)];
  }
  if (positional.length === 0) {
    if (options.x === true) throw new UsageError("-x needs a command to add its argument to");
    return undefined;
  }
  return positional;
}

/** Prints replies to stdout; one-shot commands send error replies to stderr, as failures. */
function replyOutput(format: OutputFormat, errorsToStderr: boolean): ReplyOutput {
  return {
    format,
    reply(reply, argv) {
      const text = formatCommandReply(reply, argv, format);
      const stream = errorsToStderr && reply.type === "error" ? process.stderr : process.stdout;
      stream.write(Buffer.from(text, "latin1"));
    },
    note(line) {
      process.stdout.write(`${line}\n`);
    },
  };
}

/**
 * Where the user ran kv, for a relative --dir. pnpm runs a package's scripts and bins in the
 * package's directory: for scripts it says where the user was in INIT_CWD (the server
 * resolves its --dir against that too, so both mean the same ./data), but `pnpm exec` sets
 * no INIT_CWD; there the shell's PWD, which pnpm passes on unchanged, still says it.
 */
function invocationDirectory(): string {
  const { INIT_CWD, PWD, npm_command } = process.env;
  if (INIT_CWD !== undefined && INIT_CWD !== "") return INIT_CWD;
  if (npm_command === "exec" && PWD !== undefined && path.isAbsolute(PWD)) return PWD;
  return process.cwd();
}

function reportFailure(error: unknown): number {
  const message = error instanceof CliError ? error.message : `kv: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  return 1;
}

/** Node decodes the command line as UTF-8; commands carry bytes, so encode it back. */
function toBytes(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new InvalidArgumentError("not a port number (1-65535)");
  return port;
}

function parseDatabase(value: string): number {
  const db = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(db)) throw new InvalidArgumentError("not a database number");
  return db;
}

// `kv ... | head` closes stdout early; that is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2)).catch(reportFailure);
