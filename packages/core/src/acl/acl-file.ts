import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { AclUser } from "./acl-user.js";

const ERRORS_TRAILER = "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

/**
 * ACLMergeSelectorArguments: a selector given as several arguments ("(+get", "~k*)") is one
 * rule again. Returns the index of an unclosed selector's first argument instead.
 */
export function mergeSelectorArguments(args: readonly string[]): string[] | { unclosedAt: number } {
  const merged: string[] = [];
  let openAt = -1;
  let selector = "";
  for (let i = 0; i < args.length; i++) {
    const op = args[i]!;
    if (openAt < 0 && op.startsWith("(") && !op.endsWith(")")) {
      selector = op;
      openAt = i;
      continue;
    }
    if (openAt >= 0) {
      selector += ` ${op}`;
      if (op.endsWith(")")) {
        openAt = -1;
        merged.push(selector);
      }
      continue;
    }
    merged.push(op);
  }
  return openAt >= 0 ? { unclosedAt: openAt } : merged;
}

/**
 * ACLLoadFromFile's parsing: one `user <name> <rule> ...` per line, split on single spaces
 * (no quoting, no comments: Redis 7.0 reads its own ACL SAVE format). Every error is
 * collected, each naming its line; with any error nothing is returned to apply.
 */
export function parseAclFile(text: string, filename: string, allChannelsByDefault: boolean): { users: Map<string, AclUser> } | { error: string } {
  const users = new Map<string, AclUser>();
  let errors = "";
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNumber = i + 1;
    const line = lines[i]!.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
    if (line === "") continue;
    const args = line.split(" ");
    if (args[0] !== "user" || args.length < 2) {
      errors += `${filename}:${lineNumber} should start with user keyword followed by the username. `;
      continue;
    }
    const name = args[1]!;
    if (users.has(name)) {
      errors += `WARNING: Duplicate user '${name}' found on line ${lineNumber}. `;
      continue;
    }
    const user = new AclUser(name, allChannelsByDefault);
    users.set(name, user);
    const merged = mergeSelectorArguments(args.slice(2));
    if (!Array.isArray(merged)) {
      errors += `${filename}:${lineNumber}: Unmatched parenthesis in selector definition.`;
      continue;
    }
    let reported = false;
    for (const rawOp of merged) {
      const op = rawOp.replace(/^[\t\r\n]+|[\t\r\n]+$/g, "");
      const error = user.apply(op, allChannelsByDefault);
      if (error === undefined) continue;
      // Unknown names are all reported (they reveal nothing secret); for anything else only the
      // first, since it may explain the rest.
      if (error.startsWith("Unknown command")) errors += `${filename}:${lineNumber}: Error in applying operation '${op}': ${error}. `;
      else if (!reported) {
        errors += `${filename}:${lineNumber}: ${error}. `;
        reported = true;
      }
    }
  }
  return errors === "" ? { users } : { error: errors + ERRORS_TRAILER };
}

export function readAclFile(filename: string, allChannelsByDefault: boolean): { users: Map<string, AclUser> } | { error: string } {
  let text: string;
  try {
    text = readFileSync(filename, "latin1");
  } catch (error) {
    return { error: `Error loading ACLs, opening file '${filename}': ${describeFsError(error)}` };
  }
  return parseAclFile(text, filename, allChannelsByDefault);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return "No such file or directory";
  if (code === "EACCES") return "Permission denied";
  if (code === "EISDIR") return "Is a directory";
  return (error as Error).message;
}

/** ACLSaveToFile: the whole file is written beside the old one, synced, then renamed over it, so a crash leaves one or the other. */
export function writeAclFile(filename: string, content: string): void {
  const temp = path.join(path.dirname(filename), `${path.basename(filename)}.tmp-${process.pid}-${Date.now()}`);
  const fd = openSync(temp, "w", 0o644);
  try {
    writeSync(fd, Buffer.from(content, "latin1"));
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temp);
    throw error;
  }
  closeSync(fd);
  renameSync(temp, filename);
}
