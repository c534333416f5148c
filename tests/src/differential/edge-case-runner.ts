import { RespConnection } from "../support/resp-connection.js";
import { formatArgv, escapeBytes } from "../support/resp-reply.js";
import type { ServerHandle } from "../support/server.js";
import { pollUntil } from "../support/wait.js";
import { compareReplies, comparisonFor, showReply } from "./compare-replies.js";
import type { EdgeCase } from "./edge-cases.js";

interface Side {
  server: ServerHandle;
  connection: RespConnection;
}

async function openSide(server: ServerHandle, protocol: 2 | 3): Promise<[RespConnection, Buffer | undefined]> {
  const connection = await RespConnection.open(server.port, { replyTimeoutMs: 10_000 });
  const hello = protocol === 3 ? await connection.call(["HELLO", "3"]) : undefined;
  return [connection, hello];
}

/**
 * Runs one hand-picked case on both servers from an empty keyspace and returns its
 * differences as readable paragraphs (empty when kv answered like redis-server throughout).
 */
export async function runEdgeCase(kvServer: ServerHandle, redisServer: ServerHandle, edgeCase: EdgeCase, protocol: 2 | 3): Promise<string[]> {
  const problems: string[] = [];
  for (const server of [kvServer, redisServer]) {
    const setup = await RespConnection.open(server.port);
    await setup.pipeline([["FLUSHALL"], ["DEBUG", "SET-ACTIVE-EXPIRE", "1"]]);
    setup.close();
  }
  const sides: Side[] = [];
  const reopen = async (): Promise<void> => {
    for (const side of sides) side.connection.close();
    sides.length = 0;
    const [[kvConnection, kvHello], [redisConnection, redisHello]] = await Promise.all([openSide(kvServer, protocol), openSide(redisServer, protocol)]);
    sides.push({ server: kvServer, connection: kvConnection }, { server: redisServer, connection: redisConnection });
    if (kvHello !== undefined && redisHello !== undefined) {
      const verdict = compareReplies("hello", kvHello, redisHello);
      if (verdict !== undefined) problems.push(`HELLO 3: ${verdict}\n  kv:    ${showReply(kvHello)}\n  redis: ${showReply(redisHello)}`);
    }
  };
  await reopen();
  try {
    for (const [index, step] of edgeCase.steps.entries()) {
      const [kv, redis] = sides as [Side, Side];
      if (Array.isArray(step)) {
        const [kvReply, redisReply] = await Promise.all([kv.connection.call(step), redis.connection.call(step)]);
        const verdict = compareReplies(comparisonFor(step), kvReply, redisReply);
        if (verdict !== undefined) {
          problems.push(`step ${index}: ${formatArgv(step)}: ${verdict}\n  kv:    ${showReply(kvReply)}\n  redis: ${showReply(redisReply)}`);
        }
      } else if ("raw" in step) {
        const read = async (side: Side): Promise<{ replies: Buffer[]; closed?: boolean; rest?: Buffer }> => {
          const pending = Array.from({ length: step.replies }, () => side.connection.readReply(5_000));
          side.connection.writeRaw(step.raw);
          const replies = await Promise.all(pending);
          if (!step.closes) return { replies };
          try {
            return { replies, closed: true, rest: await side.connection.waitForClose(3_000) };
          } catch {
            return { replies, closed: false };
          }
        };
        const [kvResult, redisResult] = await Promise.all([read(kv).catch((error: Error) => error), read(redis)]);
        if (kvResult instanceof Error) {
          problems.push(`step ${index}: raw ${escapeBytes(step.raw)}: kv: ${kvResult.message}\n  redis: ${redisResult.replies.map((r) => showReply(r)).join(" ")}`);
          await reopen();
          continue;
        }
        redisResult.replies.forEach((redisReply, i) => {
          const kvReply = kvResult.replies[i]!;
          if (!kvReply.equals(redisReply)) {
            problems.push(`step ${index}: raw ${escapeBytes(step.raw)}, reply ${i}: replies differ\n  kv:    ${showReply(kvReply)}\n  redis: ${showReply(redisReply)}`);
          }
        });
        if (step.closes && kvResult.closed !== redisResult.closed) {
          problems.push(`step ${index}: raw ${escapeBytes(step.raw)}: redis ${redisResult.closed ? "closed" : "kept"} the connection, kv ${kvResult.closed ? "closed" : "kept"} it`);
        }
        if (step.closes) await reopen();
      } else if ("waitUntilGone" in step) {
        for (const side of sides) {
          await pollUntil(
            async () => ((await side.connection.call(["EXISTS", step.waitUntilGone])).toString("latin1") === ":0\r\n" ? true : undefined),
            { timeoutMs: 5_000, intervalMs: 10, description: `${side.server.kind}: key ${JSON.stringify(step.waitUntilGone)} to expire` },
          ).catch((error: Error) => problems.push(`step ${index}: ${error.message}`));
        }
      } else {
        const closed = await Promise.all(sides.map((side) => side.connection.waitForClose(3_000).then(() => true, () => false)));
        if (closed[0] !== closed[1]) problems.push(`step ${index}: redis ${closed[1] ? "closed" : "kept"} the connection, kv ${closed[0] ? "closed" : "kept"} it`);
        await reopen();
      }
    }
  } finally {
    for (const side of sides) side.connection.close();
  }
  return problems;
}
