export { KvServer, type KvServerOptions } from "./kv-server.js";
export { parseServerArgs, parseConfigText, splitConfigLine, type ServerOptions } from "./server-options.js";
export { createLogger } from "./logger.js";
