import type { CommandDefinition } from "../command/command-spec.js";
import { aclCommands } from "./acl.js";
import { bitmapsCommands } from "./bitmaps.js";
import { connectionCommands } from "./connection.js";
import { hashesCommands } from "./hashes.js";
import { hyperloglogCommands } from "./hyperloglog.js";
import { keysCommands } from "./keys.js";
import { listsCommands } from "./lists.js";
import { pubsubCommands } from "./pubsub.js";
import { serverCommands } from "./server.js";
import { setsCommands } from "./sets.js";
import { sortCommands } from "./sort.js";
import { sortedSetsCommands } from "./sorted-sets.js";
import { streamsCommands } from "./streams.js";
import { stringsCommands } from "./strings.js";
import { transactionCommands } from "./transactions.js";

/** Every command kv serves, by family. */
export const allCommands: readonly CommandDefinition[] = [
  ...connectionCommands,
  ...serverCommands,
  ...stringsCommands,
  ...bitmapsCommands,
  ...hyperloglogCommands,
  ...keysCommands,
  ...transactionCommands,
  ...listsCommands,
  ...hashesCommands,
  ...setsCommands,
  ...sortedSetsCommands,
  ...sortCommands,
  ...pubsubCommands,
  ...streamsCommands,
  ...aclCommands,
];
