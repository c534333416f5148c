import { readFileSync } from "node:fs";
import path from "node:path";

/** Start-up configuration gathered from a redis.conf-style file and command-line flags. */
export interface ServerOptions {
  /** Absolute path of the config file, when one was given (CONFIG REWRITE target, INFO config_file). */
  configFile: string | undefined;
  /** Parameters in the order given; later ones win, as with redis-server. */
  parameters: [string, string][];
}

/**
 * Splits a config line into arguments the way Redis's sdssplitargs does for redis.conf:
 * whitespace separated, with "double" (C escapes) and 'single' quoted strings.
 */
export function splitConfigLine(line: string): string[] {
  const args: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let current = "";
    const quote = line[i];
    if (quote === '"' || quote === "'") {
      i++;
      while (i < line.length && line[i] !== quote) {
        if (quote === '"' && line[i] === "\\" && i + 1 < line.length) {
          const next = line[i + 1]!;
          const escapes: Record<string, string> = { n: "\n", r: "\r", t: "\t", b: "\b", a: "\x07" };
          if (next === "x" && /^[0-9a-fA-F]{2}$/.test(line.slice(i + 2, i + 4))) {
            current += String.fromCharCode(parseInt(line.slice(i + 2, i + 4), 16));
            i += 4;
            continue;
          }
          current += escapes[next] ?? next;
          i += 2;
          continue;
        }
        current += line[i];
        i++;
      }
      if (i >= line.length) throw new Error(`unbalanced quotes in configuration line: ${line}`);
      i++;
    } else {
      while (i < line.length && !/\s/.test(line[i]!)) current += line[i++];
    }
    args.push(current);
  }
  return args;
}

export function parseConfigText(text: string, source: string): [string, string][] {
  const parameters: [string, string][] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const args = splitConfigLine(line);
    const name = args[0];
    if (name === undefined) return;
    if (args.length < 2) throw new Error(`${source}:${index + 1}: '${name}' needs a value`);
    parameters.push([name.toLowerCase(), args.slice(1).join(" ")]);
  });
  return parameters;
}

/**
 * Parses `kv-server [configfile] [--name value ...]` like redis-server: an optional config
 * file first, then any parameter as a flag in Redis's spelling (`--port 7379`, `--appendonly yes`).
 * A flag's value runs until the next `--flag`, so `--save "900 1"` and `--save 900 1` both work.
 */
export function parseServerArgs(argv: readonly string[], cwd: string): ServerOptions {
  const parameters: [string, string][] = [];
  let configFile: string | undefined;
  let i = 0;
  if (argv[0] !== undefined && !argv[0].startsWith("--")) {
    configFile = path.resolve(cwd, argv[0]);
    parameters.push(...parseConfigText(readFileSync(configFile, "latin1"), configFile));
    i = 1;
  }
  while (i < argv.length) {
    const flag = argv[i]!;
    if (!flag.startsWith("--") || flag.length === 2) throw new Error(`unexpected argument '${flag}' (options look like --port 7379)`);
    const values: string[] = [];
    i++;
    while (i < argv.length && !argv[i]!.startsWith("--")) values.push(argv[i++]!);
    if (values.length === 0) throw new Error(`option ${flag} needs a value`);
    parameters.push([flag.slice(2).toLowerCase(), values.join(" ")]);
  }
  return { configFile, parameters };
}
