import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Every file starts real server processes and some SIGKILL them on purpose; on a 2-core
    // machine two such files at once would turn timing-sensitive checks into flakes.
    fileParallelism: false,
    // Forks rather than threads so each file's process.on("exit") can reap its servers.
    pool: "forks",
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
