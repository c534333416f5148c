import { constants as fsConstants, copyFileSync, existsSync, fsyncSync, openSync, closeSync, statSync, truncateSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { AOF_END, AOF_TRUNCATED, readAofCommand } from "./aof-command-reader.js";
import { nodeFileSystem } from "./aof-file-system.js";
import { AofFormatProblem } from "./aof-load-error.js";
import { AofManifestError, loadOrder, manifestFileName, parseManifest } from "./aof-manifest.js";
import { readDirectoryLock } from "./directory-lock.js";
import { errorMessage } from "./durable-fs.js";
import { FileCursor } from "./file-cursor.js";
import { RDB_SIGNATURE, readRdb } from "./rdb/rdb-reader.js";

/*
 * `check-aof`: what redis-check-aof does for Redis 7's multi-part AOF. It reads every file
 * of a set with the same strict readers the replay uses, so "valid" here means "loads",
 * and reports each file as ok, truncated (the file ends inside its last command or inside
 * an unfinished MULTI block: what a crash during write(2) leaves) or corrupt (bytes that
 * cannot be an AOF). Only a truncated tail of the file that is appended to can be repaired,
 * by cutting it back to the last complete command; anything else would drop data that
 * later files depend on, so it is reported and left alone, as Redis does.
 */

export type AofFileRole = "manifest" | "base" | "incr" | "single";

export type AofFileCheck =
  | { readonly fileName: string; readonly role: AofFileRole; readonly status: "ok"; readonly size: number }
  | {
      readonly fileName: string;
      readonly role: AofFileRole;
      readonly status: "truncated";
      readonly size: number;
      /** Where the last complete command (or the last one before the unfinished MULTI) ends. */
      readonly offset: number;
      readonly reason: string;
      /** Only the last file of the set (or a single-file AOF) may be cut back. */
      readonly fixable: boolean;
    }
  | {
      readonly fileName: string;
      readonly role: AofFileRole;
      readonly status: "corrupt";
      readonly size: number | undefined;
      /** Undefined when no byte is at fault: a missing file, or a manifest problem (see the reason). */
      readonly offset: number | undefined;
      readonly reason: string;
    };

type TruncatedFile = Extract<AofFileCheck, { status: "truncated" }>;

export interface AofCheckReport {
  /** The directory holding the files (the AOF directory of a set), to which file names are relative. */
  readonly dir: string;
  readonly layout: "multi-part" | "single-file";
  readonly files: readonly AofFileCheck[];
  /** Every file is ok: the set loads as it is. */
  readonly valid: boolean;
  /** Not valid, but the only problem is a truncated tail that fixAof may cut. */
  readonly fixable: boolean;
}

export interface CheckAofOptions {
  /** Redis's appendfilename, used to find the manifest; "appendonly.aof" by default. */
  appendFilename?: string;
  /** Redis's appenddirname, looked for inside a data directory; "appendonlydir" by default. */
  appendDirname?: string;
}

/**
 * Checks an AOF given as a data directory (holding `appendonlydir/`), an AOF directory
 * (holding the manifest), a manifest file, or a single AOF file (a legacy `appendonly.aof`,
 * possibly with an RDB preamble).
 */
export function checkAof(target: string, options: CheckAofOptions = {}): AofCheckReport {
  const appendFilename = options.appendFilename ?? "appendonly.aof";
  const appendDirname = options.appendDirname ?? "appendonlydir";
  const manifestName = manifestFileName(appendFilename);

  let stats;
  try {
    stats = statSync(target);
  } catch (error) {
    return report(dirname(target), "single-file", [missing(basename(target), "single", error)]);
  }
  if (!stats.isDirectory()) {
    if (basename(target).endsWith(".manifest")) return checkManifestSet(dirname(target), basename(target));
    return report(dirname(target), "single-file", [checkFile(dirname(target), basename(target), "single", true)]);
  }
  if (existsSync(join(target, manifestName))) return checkManifestSet(target, manifestName);
  if (existsSync(join(target, appendDirname, manifestName))) return checkManifestSet(join(target, appendDirname), manifestName);
  // A data directory from before Redis 7: the server would migrate this file at start-up.
  if (existsSync(join(target, appendFilename))) {
    return report(target, "single-file", [checkFile(target, appendFilename, "single", true)]);
  }
  return report(target, "multi-part", [
    { fileName: manifestName, role: "manifest", status: "corrupt", size: undefined, offset: undefined, reason: `no AOF manifest found in ${target}` },
  ]);
}

function checkManifestSet(dir: string, manifestName: string): AofCheckReport {
  let text: string;
  try {
    text = nodeFileSystem.readFileSync(join(dir, manifestName), "latin1");
  } catch (error) {
    return report(dir, "multi-part", [missing(manifestName, "manifest", error)]);
  }
  let entries;
  try {
    entries = loadOrder(parseManifest(text, manifestName));
  } catch (error) {
    if (!(error instanceof AofManifestError)) throw error;
    return report(dir, "multi-part", [
      { fileName: manifestName, role: "manifest", status: "corrupt", size: text.length, offset: undefined, reason: error.message },
    ]);
  }
  const files: AofFileCheck[] = [{ fileName: manifestName, role: "manifest", status: "ok", size: text.length }];
  entries.forEach((entry, index) => {
    const role = entry.type === "b" ? "base" : "incr";
    // Redis appends only to the last incr file, so only it may have been cut by a crash.
    const isLastIncr = role === "incr" && index === entries.length - 1;
    files.push(checkFile(dir, entry.fileName, role, isLastIncr));
  });
  return report(dir, "multi-part", files);
}

function report(dir: string, layout: AofCheckReport["layout"], files: AofFileCheck[]): AofCheckReport {
  const problems = files.filter((file) => file.status !== "ok");
  return {
    dir,
    layout,
    files,
    valid: problems.length === 0,
    fixable: problems.length === 1 && problems[0]!.status === "truncated" && problems[0]!.fixable,
  };
}

function missing(fileName: string, role: AofFileRole, error: unknown): AofFileCheck {
  return { fileName, role, status: "corrupt", size: undefined, offset: undefined, reason: `can't open the file: ${errorMessage(error)}` };
}

/** Reads one file to its end the way the replay does, without executing anything. */
function checkFile(dir: string, fileName: string, role: AofFileRole, mayBeTruncated: boolean): AofFileCheck {
  let fd: number;
  try {
    fd = nodeFileSystem.openSync(join(dir, fileName), "r");
  } catch (error) {
    return missing(fileName, role, error);
  }
  try {
    const size = nodeFileSystem.fstatSync(fd).size;
    const cursor = new FileCursor(nodeFileSystem, fd);
    try {
      if (startsWithRdbSignature(cursor)) {
        readRdb(cursor, { emit: () => {}, warning: () => {}, notice: () => {} });
      }
      const cut = findTruncation(cursor);
      if (cut === undefined) return { fileName, role, status: "ok", size };
      const reason = mayBeTruncated ? cut.reason : `${cut.reason}; only the last incr file of a set may be truncated`;
      return { fileName, role, status: "truncated", size, offset: cut.offset, reason, fixable: mayBeTruncated };
    } catch (error) {
      if (!(error instanceof AofFormatProblem)) throw error;
      return { fileName, role, status: "corrupt", size, offset: error.offset, reason: error.detail };
    }
  } finally {
    nodeFileSystem.closeSync(fd);
  }
}

/**
 * Walks the RESP commands after the cursor. Undefined when the file ends between commands
 * outside a transaction; otherwise where to cut, mirroring the replay's recovery: back to
 * the last complete command, or to before a MULTI whose EXEC never came.
 */
function findTruncation(cursor: FileCursor): { offset: number; reason: string } | undefined {
  let validUpTo = cursor.offset;
  let multiAt: number | undefined;
  for (;;) {
    const result = readAofCommand(cursor);
    if (result === AOF_END) {
      return multiAt === undefined ? undefined : { offset: validUpTo, reason: `the file ends inside the MULTI block started at offset ${multiAt}` };
    }
    if (result === AOF_TRUNCATED) {
      return { offset: validUpTo, reason: multiAt === undefined ? "the file ends inside a command" : `the file ends inside the MULTI block started at offset ${multiAt}` };
    }
    const name = result[0]!.toLowerCase();
    if (multiAt !== undefined) {
      if (name === "exec" || name === "discard") {
        multiAt = undefined;
        validUpTo = cursor.offset;
      }
    } else if (name === "multi") {
      multiAt = validUpTo;
    } else {
      validUpTo = cursor.offset;
    }
  }
}

function startsWithRdbSignature(cursor: FileCursor): boolean {
  if (!cursor.ensure(RDB_SIGNATURE.length)) return false;
  for (let i = 0; i < RDB_SIGNATURE.length; i++) {
    if (cursor.peek(i) !== RDB_SIGNATURE.charCodeAt(i)) return false;
  }
  return true;
}

export interface AofFixResult {
  readonly fileName: string;
  /** The copy of the file as it was, next to it. */
  readonly backupName: string;
  readonly truncatedTo: number;
  readonly bytesDropped: number;
}

/**
 * redis-check-aof --fix: when `report` is fixable, copies the truncated file to
 * `<file>.bak` (`.bak.1`, `.bak.2`... if taken) and cuts it back to its last complete
 * command. Throws when the report is not fixable or a server holds the data directory,
 * since truncating a file a live server appends to would corrupt it.
 */
export function fixAof(checked: AofCheckReport): AofFixResult {
  if (!checked.fixable) throw new Error("the AOF has no truncated tail that can be fixed");
  const file = checked.files.find((entry): entry is TruncatedFile => entry.status === "truncated")!;
  // The lock sits in the data directory: the parent of a set's AOF directory, or beside a single file.
  const dataDir = checked.layout === "multi-part" ? dirname(checked.dir) : checked.dir;
  for (const dir of new Set([dataDir, checked.dir])) {
    const owner = readDirectoryLock(dir);
    if (owner !== undefined) throw new Error(`a kv server (pid ${owner.pid}) holds ${dir}: stop it before fixing its AOF`);
  }

  const path = join(checked.dir, file.fileName);
  if (statSync(path).size !== file.size) throw new Error(`${file.fileName} changed since it was checked; check it again`);
  const backupName = freeBackupName(checked.dir, file.fileName);
  // EXCL: never overwrite a backup, even one created since we looked.
  copyFileSync(path, join(checked.dir, backupName), fsConstants.COPYFILE_EXCL);
  syncFile(join(checked.dir, backupName));
  truncateSync(path, file.offset);
  syncFile(path);
  return { fileName: file.fileName, backupName, truncatedTo: file.offset, bytesDropped: file.size - file.offset };
}

function freeBackupName(dir: string, fileName: string): string {
  if (!existsSync(join(dir, `${fileName}.bak`))) return `${fileName}.bak`;
  for (let n = 1; ; n++) {
    if (!existsSync(join(dir, `${fileName}.bak.${n}`))) return `${fileName}.bak.${n}`;
  }
}

/** The backup must be durable before the original loses its tail. */
function syncFile(path: string): void {
  const fd = openSync(path, "r+");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
