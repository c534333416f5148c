import { RespCommandBuffer } from "../resp-command-buffer.js";

/** RESP bytes of the given commands, as the AOF stores them. */
export function resp(...commands: string[][]): Buffer {
  const buffer = new RespCommandBuffer();
  for (const command of commands) buffer.appendCommand(command);
  return Buffer.from(buffer.view());
}
