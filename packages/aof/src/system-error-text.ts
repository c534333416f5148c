import { errorCode, errorMessage } from "./durable-fs.js";

/*
 * Redis puts strerror(errno) into MISCONF replies and logs; Node only carries the errno name
 * and libuv's lower-case wording ("no space left on device"), so the glibc texts of the errors
 * a disk or filesystem can return are spelled out here.
 */
const GLIBC_STRERROR: Readonly<Record<string, string>> = {
  ENOSPC: "No space left on device",
  EIO: "Input/output error",
  EDQUOT: "Disk quota exceeded",
  EFBIG: "File too large",
  EROFS: "Read-only file system",
  EBADF: "Bad file descriptor",
  EINVAL: "Invalid argument",
  EPERM: "Operation not permitted",
  EACCES: "Permission denied",
  ENOMEM: "Cannot allocate memory",
  EAGAIN: "Resource temporarily unavailable",
  EINTR: "Interrupted system call",
  ENXIO: "No such device or address",
  ENODEV: "No such device",
  ENOENT: "No such file or directory",
  EPIPE: "Broken pipe",
  ESTALE: "Stale file handle",
};

/** strerror(errno) for a failed file operation, as Redis prints it. */
export function systemErrorText(error: unknown): string {
  const code = errorCode(error);
  const known = code === undefined ? undefined : GLIBC_STRERROR[code];
  if (known !== undefined) return known;
  // "ENOSPC: no space left on device, write" -> "no space left on device"
  const message = errorMessage(error).replace(/^E[A-Z0-9]+: /, "").replace(/, [a-z]+$/, "");
  return message.charAt(0).toUpperCase() + message.slice(1);
}
