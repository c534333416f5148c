import { parseMemory } from "./core-config.js";

/** The output-buffer limit classes Redis's config accepts ("master" names a type but is refused here). */
export type OutputBufferClass = "normal" | "slave" | "pubsub";

export interface OutputBufferLimit {
  /** Bytes; 0 = no hard limit. */
  readonly hardBytes: number;
  /** Bytes; 0 = no soft limit. */
  readonly softBytes: number;
  /** How long the soft limit may stay exceeded before the client is closed. */
  readonly softSeconds: number;
}

export type OutputBufferLimits = Readonly<Record<OutputBufferClass, OutputBufferLimit>>;

/** CONFIG GET prints the classes in this order (Redis's CLIENT_TYPE_* order). */
const CLASS_ORDER: readonly OutputBufferClass[] = ["normal", "slave", "pubsub"];

const WRONG_ARGUMENTS = "Wrong number of arguments in buffer limit configuration.";
const INVALID_CLASS = "Invalid client class specified in buffer limit configuration.";
const INVALID_LIMIT = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";

/** getClientTypeByName, minus "master", which the config refuses. */
function classByName(name: string): OutputBufferClass | undefined {
  switch (name.toLowerCase()) {
    case "normal":
      return "normal";
    case "slave":
    case "replica":
      return "slave";
    case "pubsub":
      return "pubsub";
    default:
      return undefined;
  }
}

/**
 * updateClientOutputBufferLimit: `<class> <hard> <soft> <soft_seconds>` groups, split on single
 * spaces like every multi-argument config (so doubled spaces make empty tokens). Classes not
 * named keep their current limits, and one bad group rejects the whole value. Limits take
 * memory units (32mb) and are stored as bytes, which is how CONFIG GET prints them.
 */
export function mergeOutputBufferLimits(current: string, value: string): { error: string } | { value: string } {
  const tokens = value === "" ? [] : value.split(" ");
  if (tokens.length % 4 !== 0) return { error: WRONG_ARGUMENTS };
  const merged = new Map<OutputBufferClass, [bigint, bigint, number]>();
  for (const [name, limit] of Object.entries(parseOutputBufferLimits(current)) as [OutputBufferClass, OutputBufferLimit][]) {
    merged.set(name, [BigInt(limit.hardBytes), BigInt(limit.softBytes), limit.softSeconds]);
  }
  for (let i = 0; i < tokens.length; i += 4) {
    const outputClass = classByName(tokens[i]!);
    if (outputClass === undefined) return { error: INVALID_CLASS };
    const hard = parseMemory(tokens[i + 1]!);
    const soft = parseMemory(tokens[i + 2]!);
    const seconds = strtollWhole(tokens[i + 3]!);
    if (hard === undefined || soft === undefined || seconds === undefined || seconds < 0) return { error: INVALID_LIMIT };
    merged.set(outputClass, [hard, soft, seconds]);
  }
  return { value: CLASS_ORDER.map((name) => [name, ...merged.get(name)!].join(" ")).join(" ") };
}

/** strtoll with an end-pointer check: optional blanks and sign, then digits; only "" reads as 0 without any. */
function strtollWhole(token: string): number | undefined {
  if (token === "") return 0;
  return /^[ \t\n\v\f\r]*[+-]?\d+$/.test(token) ? Number(token.trim()) : undefined;
}

/** Reads the stored (already validated, canonical) config value. */
export function parseOutputBufferLimits(text: string): OutputBufferLimits {
  const limits: Record<OutputBufferClass, OutputBufferLimit> = {
    normal: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    slave: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
    pubsub: { hardBytes: 0, softBytes: 0, softSeconds: 0 },
  };
  const tokens = text === "" ? [] : text.split(" ");
  for (let i = 0; i + 3 < tokens.length; i += 4) {
    const outputClass = classByName(tokens[i]!);
    if (outputClass === undefined) continue;
    limits[outputClass] = { hardBytes: Number(tokens[i + 1]), softBytes: Number(tokens[i + 2]), softSeconds: Number(tokens[i + 3]) };
  }
  return limits;
}
