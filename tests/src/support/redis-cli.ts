import { execFile } from "node:child_process";

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

/**
 * Runs redis-cli non-interactively. Its output format depends on whether stdout is a TTY
 * (it is not here, so the default is --raw); callers pass --no-raw to get the "(integer) 1"
 * style a person sees in a terminal.
 */
export function runRedisCli(port: number, args: readonly string[], timeoutMs = 10_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      "redis-cli",
      ["-h", "127.0.0.1", "-p", String(port), ...args],
      { timeout: timeoutMs, encoding: "latin1", maxBuffer: 16 << 20 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") {
          reject(new Error(`redis-cli ${args.join(" ")} failed: ${error.message}`));
          return;
        }
        resolve({ stdout, stderr, code: error === null ? 0 : (error.code as number) });
      },
    );
  });
}
