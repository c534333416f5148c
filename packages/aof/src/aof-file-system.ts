import * as nodeFs from "node:fs";

/**
 * The file operations the AOF performs, gathered in one seam so tests can count
 * or slow down fdatasync (group commit) and inject write failures without
 * touching a real disk's failure modes.
 */
export interface AofFileSystem {
  openSync(path: string, flags: number | string, mode?: number): number;
  closeSync(fd: number): void;
  /** `position` (pwrite) is only used to write unsynced bytes again after an fsync error. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number, position?: number | null): number;
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number | null): number;
  fsyncSync(fd: number): void;
  fdatasyncSync(fd: number): void;
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /** Off the event loop: the manifest's fsyncs when a rewrite starts and when it installs its base. */
  fsync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  /** Off the event loop: the rewrite's base file is written this way so a slow disk stalls only the rewrite. */
  write(
    fd: number,
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: null,
    callback: (error: NodeJS.ErrnoException | null, written: number) => void,
  ): void;
  ftruncateSync(fd: number, length: number): void;
  truncateSync(path: string, length: number): void;
  fstatSync(fd: number): { size: number };
  existsSync(path: string): boolean;
  mkdirSync(path: string, options: { recursive: true }): unknown;
  readdirSync(path: string): string[];
  readFileSync(path: string, encoding: "latin1"): string;
  renameSync(from: string, to: string): void;
  unlinkSync(path: string): void;
  /** Off the event loop: unlinking a big old AOF file can take a while (Redis hands it to a background thread). */
  unlink(path: string, callback: (error: NodeJS.ErrnoException | null) => void): void;
}

export const nodeFileSystem: AofFileSystem = nodeFs;
