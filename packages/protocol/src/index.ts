export { RespType, type RespTypeByte } from "./resp-type.js";
export { ProtocolError } from "./protocol-error.js";
export { RequestParser, type RequestParserLimits } from "./request-parser.js";
export { ReplyWriter, type ReplyWriterOptions } from "./reply-writer.js";
export { SlabPool, DEFAULT_SLAB_SIZE, type Slab } from "./slab-pool.js";
export { formatDouble } from "./format-double.js";
export { encodeCommand, appendCommand } from "./command-encoder.js";
export { ReplyParser } from "./reply-parser.js";
export type { Reply } from "./reply.js";
