import type { AofLogger } from "../aof-logger.js";

export class RecordingLogger implements AofLogger {
  readonly notices: string[] = [];
  readonly warnings: string[] = [];

  notice(message: string): void {
    this.notices.push(message);
  }

  warning(message: string): void {
    this.warnings.push(message);
  }
}
