import path from "node:path";
import { checkAof, fixAof, type AofCheckReport, type AofFileCheck } from "@kv/aof";
import { Command, CommanderError } from "commander";

/*
 * `kv check-aof [--fix] <path>`: redis-check-aof for kv. The checking and the repair are
 * @kv/aof's; this file parses the command line and prints one line per file, then a
 * summary. Exit status 0 when the AOF loads as it is (or after --fix), 1 when it does not.
 */

/** kv's status for a command line it does not understand, as in main.ts. */
const EXIT_USAGE = 2;

interface CheckAofCliOptions {
  fix?: true;
}

function createCheckAofProgram(): Command {
  return new Command("kv check-aof")
    .description("check an append-only file (a data directory, an AOF directory, its manifest, or a single AOF file)")
    .helpOption("--help", "show this help")
    .option("--fix", "cut a truncated tail of the last incr file back to its last complete command, keeping a .bak copy")
    .argument("<path>", "data directory, appendonlydir, manifest, or AOF file")
    .addHelpText(
      "after",
      `
Exit status: 0 when every file is valid (or was fixed); 1 when not. Only a tail cut off by a
crash in the last incr file can be fixed; corruption elsewhere is reported and left alone.`,
    )
    .exitOverride();
}

/** Runs `kv check-aof`; `args` are the arguments after `check-aof`, `cwd` resolves a relative path. */
export function runCheckAof(args: readonly string[], cwd: string): number {
  const program = createCheckAofProgram();
  try {
    program.parse(args, { from: "user" });
  } catch (error) {
    // Commander has printed its message or the help already.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USAGE;
    throw error;
  }
  const { fix } = program.opts<CheckAofCliOptions>();
  const target = path.resolve(cwd, program.args[0]!);

  const report = checkAof(target);
  printReport(report);
  if (report.valid) {
    print("AOF is valid");
    return 0;
  }
  if (!report.fixable) {
    print("AOF is not valid: only a truncated tail of the last file can be fixed, so this needs a person to look at it");
    return 1;
  }
  if (fix !== true) {
    print("AOF is not valid: the last file ends in a cut-off command; kv check-aof --fix cuts it back (keeping a backup)");
    return 1;
  }
  try {
    const fixed = fixAof(report);
    print(
      `Fixed ${fixed.fileName}: truncated to ${fixed.truncatedTo} bytes (${fixed.bytesDropped} dropped), backup in ${fixed.backupName}`,
    );
  } catch (error) {
    process.stderr.write(`kv check-aof: can't fix the AOF: ${(error as Error).message}\n`);
    return 1;
  }
  // Read it again rather than trusting the repair: the exit status must describe what is on disk now.
  const after = checkAof(target);
  if (!after.valid) {
    printReport(after);
    print("AOF is still not valid after the fix");
    return 1;
  }
  print("AOF is valid");
  return 0;
}

function printReport(report: AofCheckReport): void {
  print(`Checking ${report.layout === "multi-part" ? "multi-part AOF" : "AOF file"} in ${report.dir}`);
  for (const file of report.files) print(describeFile(file));
}

function describeFile(file: AofFileCheck): string {
  const name = `${file.role} ${file.fileName}`;
  switch (file.status) {
    case "ok":
      return `${name}: ok (${file.size} bytes)`;
    case "truncated":
      return `${name}: truncated at offset ${file.offset} of ${file.size}: ${file.reason}`;
    case "corrupt":
      return `${name}: corrupt${file.offset === undefined ? "" : ` at offset ${file.offset}`}: ${file.reason}`;
  }
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}
