import type { Reply } from "@kv/protocol";

/**
 * Runs commands somewhere: over a socket (NetworkClient) or on the data directory in this
 * process (EmbeddedClient). Arguments and replies are the same in both, so printing and the
 * REPL do not care which one they have.
 */
export interface CommandRunner {
  /** Arguments are latin1 strings (one char per byte). Rejects with CliError when the command could not be run. */
  run(argv: string[]): Promise<Reply>;
  close(): Promise<void>;
  /** What the REPL prompt shows: `127.0.0.1:7379` or `kv(embedded)`. */
  readonly label: string;
  /**
   * Receives replies nobody asked for: further replies of a command that sends several
   * (SUBSCRIBE a b), published messages, MONITOR lines, RESP3 pushes.
   */
  onUnsolicitedReply: ((reply: Reply) => void) | undefined;
}

/** How a session starts, as redis-cli's -a, --user, -n, -2/-3 describe it. */
export interface SessionOptions {
  password?: string | undefined;
  user?: string | undefined;
  database?: number | undefined;
  protocol?: 2 | 3 | undefined;
}

/**
 * A failure the CLI reports in one line on stderr and exits non-zero for (as opposed to an
 * error reply, which is printed like any other reply).
 */
export class CliError extends Error {}

/** The server closed the connection before replying (expected after SHUTDOWN). */
export class ConnectionClosedError extends CliError {}
