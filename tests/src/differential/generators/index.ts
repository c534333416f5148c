import type { CommandGenerator } from "../command-generators.js";
import { registerBitmapsGenerators } from "./bitmaps.js";
import { registerHashesGenerators } from "./hashes.js";
import { registerHyperloglogGenerators } from "./hyperloglog.js";
import { registerListsGenerators } from "./lists.js";
import { registerPubsubGenerators } from "./pubsub.js";
import { registerSetsGenerators } from "./sets.js";
import { registerSortedSetsGenerators } from "./sorted-sets.js";
import { registerSortGenerators } from "./sort.js";
import { registerStreamsGenerators } from "./streams.js";

/**
 * Generators of the data-type families, one module each, registered here. Each receives
 * `add` (name, weight, generate, batchable) exactly like the string/key generators.
 */
export type AddGenerator = (name: string, weight: number, generate: CommandGenerator["generate"], batchable?: boolean) => void;

export const familyGenerators: ((add: AddGenerator) => void)[] = [
  registerListsGenerators,
  registerHashesGenerators,
  registerSetsGenerators,
  registerSortedSetsGenerators,
  registerPubsubGenerators,
  registerSortGenerators,
  registerStreamsGenerators,
  registerBitmapsGenerators,
  registerHyperloglogGenerators,
];
