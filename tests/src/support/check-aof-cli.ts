import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

export const kvCliBinary = process.env.KV_CLI_BIN ?? fileURLToPath(new URL("../../../apps/cli/bin/kv.js", import.meta.url));

/**
 * What `kv check-aof` said about a data directory:
 * - "ok": every file loads as it is;
 * - "truncated-tail": the only problem is a cut-off tail of the last incr file, which Redis
 *   loads under aof-load-truncated (its default) by dropping that tail;
 * - "invalid": anything else, which Redis would refuse to load.
 */
export interface AofCheckVerdict {
  verdict: "ok" | "truncated-tail" | "invalid";
  output: string;
}

export function checkAofWithCli(dataDir: string, timeoutMs = 60_000): Promise<AofCheckVerdict> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [kvCliBinary, "check-aof", dataDir],
      { timeout: timeoutMs, encoding: "utf8", maxBuffer: 4 << 20 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") {
          reject(new Error(`kv check-aof ${dataDir} failed to run: ${error.message}\n${stderr}`));
          return;
        }
        const code = error === null ? 0 : (error.code as number);
        const output = `${stdout}${stderr}`;
        const lines = stdout.split("\n");
        const truncated = lines.filter((line) => /: truncated at offset \d+/.test(line));
        const corrupt = lines.filter((line) => /: corrupt\b/.test(line));
        if (code === 0 && truncated.length === 0 && corrupt.length === 0) {
          resolve({ verdict: "ok", output });
        } else if (code === 1 && corrupt.length === 0 && truncated.length === 1 && /^incr /.test(truncated[0]!) && /--fix/.test(stdout)) {
          // The --fix hint is printed only when the truncated file is the last incr file.
          resolve({ verdict: "truncated-tail", output });
        } else {
          resolve({ verdict: "invalid", output });
        }
      },
    );
  });
}
