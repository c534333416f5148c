import net from "node:net";

/**
 * Asks the kernel for an unused loopback port. Another process can still take it before
 * our server binds, so callers that spawn a server retry with a fresh port on EADDRINUSE.
 */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      if (address === null || typeof address === "string") {
        probe.close();
        reject(new Error("could not read the probe socket's port"));
        return;
      }
      const { port } = address;
      probe.close(() => resolve(port));
    });
  });
}
