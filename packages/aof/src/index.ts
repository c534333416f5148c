export {
  AppendOnlyFile,
  type AppendFsyncPolicy,
  type AppendOnlyFileOptions,
  type AofLoadStats,
  type AofPersistenceInfo,
  type AofRewriteStep,
  type AofSnapshot,
  type AofSnapshotSource,
  type AofSnapshotWalk,
  type AofSnapshotEmitter,
} from "./append-only-file.js";
export type { AofCommandSink } from "./aof-replay.js";
export type { SyncedCallback } from "./fsync-scheduler.js";
export { AofLoadError } from "./aof-load-error.js";
export { stderrLogger, type AofLogger } from "./aof-logger.js";
export { nodeFileSystem, type AofFileSystem } from "./aof-file-system.js";
export {
  AofManifestError,
  formatManifest,
  parseManifest,
  type AofFileType,
  type AofManifest,
  type AofManifestEntry,
} from "./aof-manifest.js";
export {
  LOCK_FILE_NAME,
  DirectoryLockedError,
  acquireDirectoryLock,
  readDirectoryLock,
  type DirectoryLock,
  type DirectoryLockOwner,
} from "./directory-lock.js";
export { PersistentEngine, openPersistentEngine, type PersistentEngineOptions } from "./persistent-engine.js";
export {
  checkAof,
  fixAof,
  type AofCheckReport,
  type AofFileCheck,
  type AofFileRole,
  type AofFixResult,
  type CheckAofOptions,
} from "./check-aof.js";
