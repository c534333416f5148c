export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface PollOptions {
  timeoutMs: number;
  intervalMs?: number;
  /** Shown in the timeout error, so a hung poll says what it was waiting for. */
  description: string;
}

/**
 * Calls `probe` until it returns a value other than undefined. A probe that throws is
 * retried, because "not yet" often looks like ECONNREFUSED; the last error is reported
 * if the deadline passes.
 */
export async function pollUntil<T>(probe: () => Promise<T | undefined>, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 20;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : "";
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.description}${cause}`);
    }
    await delay(interval);
  }
}
