import { decodeReply, type RespNode } from "./resp-reply.js";
import type { Argv, RespConnection } from "./resp-connection.js";

/** A reply as plain data: bulk and simple strings become latin1 strings (binary safe). */
export type ReplyValue = string | number | bigint | boolean | null | ReplyError | ReplyValue[];

export class ReplyError {
  constructor(readonly message: string) {}
  toString(): string {
    return `-${this.message}`;
  }
}

export function nodeToValue(node: RespNode): ReplyValue {
  switch (node.type) {
    case "+":
    case ",":
    case "(":
      return node.text;
    case "-":
      return new ReplyError(node.text);
    case ":": {
      const big = BigInt(node.text);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case "_":
      return null;
    case "#":
      return node.text === "t";
    case "$":
    case "!":
      return node.value === null ? null : node.value.toString("latin1");
    case "=":
      // Verbatim strings carry a "txt:" style prefix that is not part of the value.
      return node.value === null ? null : node.value.subarray(4).toString("latin1");
    case "|":
      return nodeToValue(node.target);
    default:
      return node.items === null ? null : node.items.map(nodeToValue);
  }
}

export function replyToValue(reply: Buffer): ReplyValue {
  return nodeToValue(decodeReply(reply));
}

/** Sends a command and returns its decoded reply; error replies are returned, not thrown. */
export async function callValue(connection: RespConnection, argv: Argv): Promise<ReplyValue> {
  return replyToValue(await connection.call(argv));
}

/** Like callValue, but an error reply throws, naming the command. */
export async function callOk(connection: RespConnection, argv: Argv): Promise<ReplyValue> {
  const value = await callValue(connection, argv);
  if (value instanceof ReplyError) throw new Error(`${argv.map(String).join(" ")} failed: ${value.message}`);
  return value;
}

export function asString(value: ReplyValue): string {
  if (typeof value !== "string") throw new Error(`expected a string reply, got ${describeValue(value)}`);
  return value;
}

export function asInteger(value: ReplyValue): number {
  if (typeof value !== "number") throw new Error(`expected an integer reply, got ${describeValue(value)}`);
  return value;
}

export function asArray(value: ReplyValue): ReplyValue[] {
  if (!Array.isArray(value)) throw new Error(`expected an array reply, got ${describeValue(value)}`);
  return value;
}

export function describeValue(value: ReplyValue): string {
  if (value instanceof ReplyError) return value.toString();
  if (typeof value === "bigint") return `${value}n`;
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? `${item}n` : item));
}
