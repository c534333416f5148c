import { join } from "node:path";
import type { AofFileSystem } from "./aof-file-system.js";

/** write(2) may write less than asked (disk full, signals); keep going until all is out or it throws. */
export function writeFully(fs: AofFileSystem, fd: number, bytes: Uint8Array, offset: number, length: number): void {
  let done = 0;
  while (done < length) {
    done += fs.writeSync(fd, bytes, offset + done, length - done);
  }
}

/**
 * A rename is only durable once the directory entry is on disk, so every rename
 * or creation that the manifest relies on is followed by an fsync of the directory.
 */
export function fsyncDirectory(fs: AofFileSystem, dirPath: string): void {
  const fd = fs.openSync(dirPath, "r");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces `dirPath/fileName` so that a crash at any instant leaves either the old
 * or the new content, never a mix: write a temp file, fsync it, rename it over the
 * target, fsync the directory.
 */
export function replaceFileDurably(
  fs: AofFileSystem,
  dirPath: string,
  fileName: string,
  tempName: string,
  content: string,
): void {
  const temp = writeTempFile(fs, join(dirPath, tempName), content);
  try {
    fs.fsyncSync(temp.fd);
  } catch (error) {
    abandonTempFile(fs, temp);
    throw error;
  }
  renameTempFile(fs, temp, join(dirPath, fileName));
  fsyncDirectory(fs, dirPath);
}

/**
 * replaceFileDurably with both fsyncs in the thread pool: the event loop only does the
 * open, write, close and rename, which do not wait for the disk.
 */
export async function replaceFileDurablyInBackground(
  fs: AofFileSystem,
  dirPath: string,
  fileName: string,
  tempName: string,
  content: string,
): Promise<void> {
  const temp = writeTempFile(fs, join(dirPath, tempName), content);
  try {
    await fsyncInBackground(fs, temp.fd);
  } catch (error) {
    abandonTempFile(fs, temp);
    throw error;
  }
  renameTempFile(fs, temp, join(dirPath, fileName));
  const dirFd = fs.openSync(dirPath, "r");
  try {
    await fsyncInBackground(fs, dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

interface TempFile {
  path: string;
  fd: number;
}

/** Creates `path` with `content` written (not yet synced); on failure nothing is left behind. */
function writeTempFile(fs: AofFileSystem, path: string, content: string): TempFile {
  const bytes = Buffer.from(content, "latin1");
  const temp = { path, fd: fs.openSync(path, "w", 0o644) };
  try {
    writeFully(fs, temp.fd, bytes, 0, bytes.length);
  } catch (error) {
    abandonTempFile(fs, temp);
    throw error;
  }
  return temp;
}

function abandonTempFile(fs: AofFileSystem, temp: TempFile): void {
  fs.closeSync(temp.fd);
  removeQuietly(fs, temp.path);
}

/** Closes the synced temp file and renames it over `target`; the temp file is removed if the rename fails. */
function renameTempFile(fs: AofFileSystem, temp: TempFile, target: string): void {
  fs.closeSync(temp.fd);
  try {
    fs.renameSync(temp.path, target);
  } catch (error) {
    removeQuietly(fs, temp.path);
    throw error;
  }
}

function fsyncInBackground(fs: AofFileSystem, fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** For cleanup paths where the original error is the one worth reporting. */
export function removeQuietly(fs: AofFileSystem, path: string): void {
  try {
    fs.unlinkSync(path);
  } catch {
    // already gone or unreachable; the caller is reporting a more useful error
  }
}

export function errorCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return undefined;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
