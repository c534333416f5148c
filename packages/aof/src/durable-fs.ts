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
  const tempPath = join(dirPath, tempName);
  const bytes = Buffer.from(content, "latin1");
  const fd = fs.openSync(tempPath, "w", 0o644);
  try {
    writeFully(fs, fd, bytes, 0, bytes.length);
    fs.fsyncSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    removeQuietly(fs, tempPath);
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tempPath, join(dirPath, fileName));
  } catch (error) {
    removeQuietly(fs, tempPath);
    throw error;
  }
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
  const tempPath = join(dirPath, tempName);
  const bytes = Buffer.from(content, "latin1");
  const fd = fs.openSync(tempPath, "w", 0o644);
  try {
    writeFully(fs, fd, bytes, 0, bytes.length);
    await fsyncInBackground(fs, fd);
  } catch (error) {
    fs.closeSync(fd);
    removeQuietly(fs, tempPath);
    throw error;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tempPath, join(dirPath, fileName));
  } catch (error) {
    removeQuietly(fs, tempPath);
    throw error;
  }
  const dirFd = fs.openSync(dirPath, "r");
  try {
    await fsyncInBackground(fs, dirFd);
  } finally {
    fs.closeSync(dirFd);
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
