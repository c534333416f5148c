import { appendFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runEdgeCase } from "./differential/edge-case-runner.js";
import { edgeCases } from "./differential/edge-cases.js";
import { DifferentialRunner, formatReport } from "./differential/differential-runner.js";
import { parseSeed } from "./differential/random.js";
import { startKv, startRedis, type ServerHandle } from "./support/server.js";

const seed = parseSeed(process.env.DIFF_SEED);
const commands = Number(process.env.DIFF_COMMANDS ?? 5000);
const traceFile = process.env.DIFF_TRACE;
const skip = new Set((process.env.DIFF_SKIP ?? "").split(",").map((name) => name.trim().toUpperCase()).filter(Boolean));

let kv: ServerHandle;
let redis: ServerHandle;

beforeAll(async () => {
  [kv, redis] = await Promise.all([startKv(), startRedis()]);
});

afterAll(async () => {
  await Promise.all([kv?.dispose(), redis?.dispose()]);
});

describe("kv replies like redis-server 7 to random command sequences", () => {
  if (traceFile !== undefined) writeFileSync(traceFile, "");
  it(`agrees byte for byte over RESP2 and RESP3 (seed ${seed}, ${commands} commands)`, async () => {
    const result = await new DifferentialRunner({
      seed,
      commands,
      episodeLength: 500,
      maxDifferences: 60,
      skip,
      kvServer: kv,
      redisServer: redis,
      trace: traceFile === undefined ? undefined : (line) => appendFileSync(traceFile, `${line}\n`),
    }).run();
    const replay = `DIFF_SEED=${seed} DIFF_COMMANDS=${commands} pnpm --filter kv-integration-tests exec vitest run src/differential.test.ts`;
    const report = formatReport(result, replay);
    const covered = [...result.coverage].sort((a, b) => b[1] - a[1]).map(([name, count]) => `${name} ${count}`);
    console.log(`${report}\ncoverage: ${covered.join(", ")}`);
    if (result.aborted !== undefined || result.differences.length > 0) throw new Error(report);
    expect(result.executed).toBeGreaterThanOrEqual(Math.min(commands, 100));
  }, Math.max(180_000, commands * 10));
});

describe.each([2, 3] as const)("hand-picked edge cases over RESP%i", (protocol) => {
  it.each(edgeCases.map((edgeCase) => [edgeCase.name, edgeCase] as const))("%s", async (_name, edgeCase) => {
    const problems = await runEdgeCase(kv, redis, edgeCase, protocol);
    if (problems.length > 0) throw new Error(`kv differs from redis-server in "${edgeCase.name}" (RESP${protocol}):\n${problems.join("\n")}`);
  });
});
