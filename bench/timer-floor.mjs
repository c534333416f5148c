// The machine's own floor under a benchmark: an otherwise idle Node process whose 1 ms timer is
// measured for lateness. Nothing the servers do reaches it except through the machine (CPU,
// scheduler, hypervisor), so when this process misses its timer by 10 ms, a server request
// waiting on the same machine can be held up as long for reasons no server code controls.
// Small lateness means little: libuv's millisecond timers alone make it up to about 1 ms.

import { fork } from "node:child_process";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";

/** Starts the idle process; `read()` returns and resets how late its timer fired (p99, max, ms). */
export class TimerFloor {
  constructor() {
    this.child = fork(fileURLToPath(import.meta.url), ["--idle-probe"], { stdio: "ignore" });
    this.ready = new Promise((resolve) => this.child.once("message", resolve));
  }

  async read() {
    await this.ready;
    const reply = new Promise((resolve) => this.child.once("message", resolve));
    this.child.send("read");
    return reply;
  }

  stop() {
    this.child.kill("SIGKILL");
  }
}

if (process.argv[2] === "--idle-probe") {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  process.on("message", () => {
    // The histogram holds whole intervals: what exceeds the 1 ms asked for is the lateness.
    const late = (ns) => Math.max(0, ns / 1e6 - 1);
    process.send({ p99: late(delay.percentile(99)), max: late(delay.max) });
    delay.reset();
  });
  process.send("ready");
}
