import { AclDenial } from "./acl-selector.js";

export type AclLogReason = "command" | "key" | "channel" | "auth";
export type AclLogContext = "toplevel" | "multi";

export interface AclLogEntry {
  count: number;
  readonly reason: AclLogReason;
  readonly context: AclLogContext;
  readonly object: string;
  readonly username: string;
  /** Unix ms of the latest occurrence (age-seconds counts from it). */
  createdAt: number;
  /** CLIENT LIST line of the client at the latest occurrence. */
  clientInfo: string;
}

/** Repeats within this window update one entry instead of adding another (ACL_LOG_GROUPING_MAX_TIME_DELTA). */
const GROUPING_WINDOW_MS = 60_000;

export function reasonOf(denial: AclDenial): AclLogReason {
  return denial === AclDenial.Command ? "command" : denial === AclDenial.Key ? "key" : denial === AclDenial.Channel ? "channel" : "auth";
}

/** ACL LOG: the latest denials first, at most acllog-max-len of them. */
export class AclLog {
  readonly entries: AclLogEntry[] = [];
  maxLength = 128;

  add(entry: Omit<AclLogEntry, "count">): void {
    const index = this.entries.findIndex(
      (candidate) =>
        candidate.reason === entry.reason &&
        candidate.context === entry.context &&
        candidate.object === entry.object &&
        candidate.username === entry.username &&
        entry.createdAt - candidate.createdAt <= GROUPING_WINDOW_MS,
    );
    if (index >= 0) {
      const existing = this.entries[index]!;
      existing.count++;
      existing.createdAt = entry.createdAt;
      existing.clientInfo = entry.clientInfo;
      this.entries.splice(index, 1);
      this.entries.unshift(existing);
      return;
    }
    this.entries.unshift({ ...entry, count: 1 });
    this.trim();
  }

  trim(): void {
    if (this.entries.length > this.maxLength) this.entries.length = this.maxLength;
  }

  reset(): void {
    this.entries.length = 0;
  }
}
