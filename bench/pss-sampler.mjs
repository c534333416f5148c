// The peak proportional set size of a process and its children, sampled every 50 ms on a worker
// thread: reading smaps_rollup of a 1 GB process and walking /proc take milliseconds, which on
// the load generator's own thread would show up as request latency.

import { readFileSync } from "node:fs";
import { parentPort, Worker, workerData } from "node:worker_threads";
import { descendants } from "./support.mjs";

/** Proportional set size of a process and its children, in bytes. */
export function pss(pid) {
  let total = 0;
  for (const each of [pid, ...descendants(pid)]) {
    try {
      const rollup = readFileSync(`/proc/${each}/smaps_rollup`, "latin1");
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

/** Samples `pid` until stop(), which resolves with the highest Pss seen. */
export class PeakPss {
  constructor(pid, intervalMs = 50) {
    this.worker = new Worker(new URL(import.meta.url), { workerData: { pid, intervalMs } });
    this.peak = new Promise((resolve, reject) => {
      this.worker.once("message", resolve);
      this.worker.once("error", reject);
    });
  }

  async stop() {
    this.worker.postMessage("stop");
    const peak = await this.peak;
    await this.worker.terminate();
    return peak;
  }
}

if (parentPort !== null && workerData?.pid !== undefined) {
  let peak = pss(workerData.pid);
  const timer = workerData.intervalMs > 0 ? setInterval(() => (peak = Math.max(peak, pss(workerData.pid))), workerData.intervalMs) : undefined;
  parentPort.once("message", () => {
    if (timer !== undefined) clearInterval(timer);
    parentPort.postMessage(Math.max(peak, pss(workerData.pid)));
  });
}
