export { ClientSession, type ClientKind } from "./client-session.js";
export {
  mergeOutputBufferLimits,
  parseOutputBufferLimits,
  type OutputBufferClass,
  type OutputBufferLimit,
  type OutputBufferLimits,
} from "./client-output-buffer-limit.js";
export { CommandContext } from "./command/command-context.js";
export type { CommandDefinition, CommandHandler, CommandSpec } from "./command/command-spec.js";
export { CommandTable } from "./command/command-table.js";
export { NotifyClass, type NotifyClassBit } from "./command/notify.js";
export { allCommands } from "./commands/index.js";
export { ConfigStore, integerIn, oneOf, yesNo, type ConfigParameter } from "./config.js";
export { Engine, detachedHost, type EngineHost, type EngineOptions, type ShutdownRequest } from "./engine.js";
export { Errors, wrongArity } from "./errors.js";
export { Database } from "./keyspace/database.js";
export { KeyTable, type StoredStringBytes } from "./keyspace/key-table.js";
export { Keyspace } from "./keyspace/keyspace.js";
export { typeName, type StoredValue, type TypedValue } from "./keyspace/stored-value.js";
export { ServerStats } from "./server-stats.js";
export { defineCoreConfig, formatNotifyFlags, parseNotifyFlags } from "./core-config.js";
export { writeDatasetSnapshot } from "./persistence/dataset-snapshot.js";
export { LiveSnapshot, type SnapshotSink } from "./persistence/live-snapshot.js";
export { MaxMemory, OOM_ERROR, type EvictionPolicy, type EvictionResult } from "./eviction/max-memory.js";
export { V8MemoryGauge, type MemoryGauge } from "./eviction/memory-gauge.js";
