/** Counters behind INFO stats / errorstats (Redis's field names in comments where they differ). */
export class ServerStats {
  readonly startTime = Date.now();
  commandsProcessed = 0; // total_commands_processed
  connectionsReceived = 0; // total_connections_received
  rejectedConnections = 0;
  expiredKeys = 0;
  evictedKeys = 0;
  keyspaceHits = 0;
  keyspaceMisses = 0;
  rejectedCalls = 0; // total_error_replies counts these too
  errorReplies = 0; // total_error_replies
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Error prefix ("ERR", "WRONGTYPE"...) → count, for INFO errorstats. */
  readonly errorCounts = new Map<string, number>();

  countError(error: string): void {
    this.errorReplies++;
    const space = error.indexOf(" ");
    const prefix = space < 0 ? error : error.slice(0, space);
    this.errorCounts.set(prefix, (this.errorCounts.get(prefix) ?? 0) + 1);
  }

  reset(): void {
    this.commandsProcessed = 0;
    this.connectionsReceived = 0;
    this.rejectedConnections = 0;
    this.expiredKeys = 0;
    this.evictedKeys = 0;
    this.keyspaceHits = 0;
    this.keyspaceMisses = 0;
    this.rejectedCalls = 0;
    this.errorReplies = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.errorCounts.clear();
  }
}
