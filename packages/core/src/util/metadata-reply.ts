import type { ReplyWriter } from "@kv/protocol";
import type { MetadataValue } from "../commands/metadata-value.js";

/**
 * Writes a reply tree captured from redis-server (COMMAND INFO/DOCS) in the client's protocol.
 * The tree keeps RESP3's distinctions (simple vs bulk strings, sets, maps), and the ReplyWriter
 * downgrades them for RESP2 the way Redis does, so both protocols get Redis's exact bytes.
 */
export function writeMetadata(reply: ReplyWriter, value: MetadataValue): void {
  if (typeof value === "string") {
    reply.bulk(value);
  } else if (typeof value === "number") {
    reply.integer(value);
  } else if (value === null) {
    reply.nullBulk();
  } else if (Array.isArray(value)) {
    reply.array(value.length);
    for (const item of value) writeMetadata(reply, item);
  } else if (value.t === "simple") {
    reply.simple(value.v);
  } else if (value.t === "set") {
    reply.set(value.v.length);
    for (const item of value.v) writeMetadata(reply, item);
  } else {
    reply.map(value.v.length);
    for (const [key, item] of value.v) {
      writeMetadata(reply, key);
      writeMetadata(reply, item);
    }
  }
}
