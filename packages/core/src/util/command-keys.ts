import type { CommandSpec } from "../command/command-spec.js";
import type { MetadataValue } from "../commands/metadata-value.js";
import { parseInteger } from "./redis-integer.js";

/*
 * Key positions of a command line from Redis 7's key specifications (the `key_specs` field of
 * COMMAND INFO; db.c getKeysUsingKeySpecs). Each spec says where the search for keys begins
 * (a fixed index, or after a keyword) and how keys follow (a range, or a count argument).
 */

type MetadataMap = Extract<MetadataValue, { t: "map" }>;

function asMap(value: MetadataValue | undefined): MetadataMap | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) && value.t === "map" ? value : undefined;
}

function field(map: MetadataMap | undefined, name: string): MetadataValue | undefined {
  if (map === undefined) return undefined;
  for (const [key, value] of map.v) if (key === name) return value;
  return undefined;
}

function numberField(map: MetadataMap | undefined, name: string): number {
  const value = field(map, name);
  return typeof value === "number" ? value : 0;
}

function flagSet(value: MetadataValue | undefined): Set<string> {
  const flags = new Set<string>();
  if (value !== null && typeof value === "object" && !Array.isArray(value) && value.t === "set") {
    for (const item of value.v) {
      if (typeof item === "string") flags.add(item);
      else if (item !== null && typeof item === "object" && !Array.isArray(item) && item.t === "simple") flags.add(item.v);
    }
  }
  return flags;
}

function keySpecs(spec: CommandSpec): MetadataMap[] {
  const specs = spec.info[8];
  const result: MetadataMap[] = [];
  if (specs !== null && typeof specs === "object" && !Array.isArray(specs) && specs.t === "set") {
    for (const item of specs.v) {
      const map = asMap(item);
      if (map !== undefined) result.push(map);
    }
  }
  return result;
}

/** Whether a command takes keys at all (COMMAND GETKEYS's "The command has no key arguments"). */
export function commandHasKeys(spec: CommandSpec): boolean {
  return spec.firstKey > 0 || keySpecs(spec).some((keySpec) => !flagSet(field(keySpec, "flags")).has("not_key"));
}

/**
 * Positions (indexes into argv, argv[0] being the command name) of the keys, or undefined when
 * a spec cannot be followed (unknown or incomplete spec, arguments out of bounds); callers then
 * fall back to the legacy first/last/step range.
 */
function keysFromSpecs(spec: CommandSpec, argv: readonly string[]): KeyPosition[] | undefined {
  const argc = argv.length;
  const positions: KeyPosition[] = [];
  for (const keySpec of keySpecs(spec)) {
    const flagsValue = field(keySpec, "flags");
    const flags = flagSet(flagsValue);
    if (flags.has("not_key")) continue;
    const beginSearch = asMap(field(keySpec, "begin_search"));
    const beginSpec = asMap(field(beginSearch, "spec"));
    let first = 0;
    const beginType = field(beginSearch, "type");
    if (beginType === "index") {
      first = numberField(beginSpec, "index");
    } else if (beginType === "keyword") {
      const keywordField = field(beginSpec, "keyword");
      const keyword = typeof keywordField === "string" ? keywordField.toLowerCase() : "";
      const startFrom = numberField(beginSpec, "startfrom");
      const start = startFrom > 0 ? startFrom : argc + startFrom;
      const end = startFrom > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i]!.toLowerCase() === keyword) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue; // keyword absent: this spec contributes no keys
    } else {
      return undefined;
    }

    const findKeys = asMap(field(keySpec, "find_keys"));
    const findSpec = asMap(field(findKeys, "spec"));
    const findType = field(findKeys, "type");
    let last: number;
    let step: number;
    if (findType === "range") {
      const lastKey = numberField(findSpec, "lastkey");
      const limit = numberField(findSpec, "limit");
      if (lastKey >= 0) last = first + lastKey;
      else if (limit === 0) last = argc + lastKey;
      else last = first + (Math.trunc((argc - first) / limit) + lastKey);
      step = numberField(findSpec, "keystep");
    } else if (findType === "keynum") {
      const countAt = first + numberField(findSpec, "keynumidx");
      if (countAt >= argc) return undefined;
      const count = parseInteger(argv[countAt]!);
      if (count === undefined || count < 0) return undefined;
      first += numberField(findSpec, "firstkey");
      last = first + Number(count) - 1;
      step = numberField(findSpec, "keystep");
    } else {
      return undefined;
    }
    if (last >= argc || last < first || first >= argc || step <= 0) return undefined;
    for (let i = first; i <= last; i += step) positions.push({ index: i, flags: flagsValue ?? { t: "set", v: [] } });
    if (flags.has("incomplete")) return undefined;
  }
  return positions;
}

/** The legacy (first, last, step) range of COMMAND INFO's fourth to sixth fields. */
function keysFromLegacyRange(spec: CommandSpec, argv: readonly string[]): KeyPosition[] {
  const positions: KeyPosition[] = [];
  if (spec.firstKey <= 0) return positions;
  const flags = field(keySpecs(spec)[0], "flags") ?? { t: "set", v: [] };
  const last = spec.lastKey < 0 ? argv.length + spec.lastKey : spec.lastKey;
  const step = spec.keyStep > 0 ? spec.keyStep : 1;
  for (let i = spec.firstKey; i <= last && i < argv.length; i += step) positions.push({ index: i, flags });
  return positions;
}

/** A key's index in argv (argv[0] is the command name) and its key-spec flags (RW, access...). */
export interface KeyPosition {
  readonly index: number;
  readonly flags: MetadataValue;
}

function keyFlags(...names: string[]): MetadataValue {
  return { t: "set", v: names.map((name) => ({ t: "simple", v: name })) };
}

/**
 * Redis's own key finders (getkeys_proc) for commands whose key specs cannot say everything:
 * flags that depend on the arguments (SET with GET, BITFIELD with writes: VARIABLE_FLAGS) or
 * keys found by scanning options (SORT ... STORE: "unknown" specs).
 */
const nativeKeyFinders: Record<string, (argv: readonly string[]) => KeyPosition[]> = {
  set: (argv) => {
    for (let i = 3; i < argv.length; i++) {
      if (argv[i]!.toLowerCase() === "get") return [{ index: 1, flags: keyFlags("RW", "access", "update") }];
    }
    return [{ index: 1, flags: keyFlags("OW", "update") }];
  },
  bitfield: (argv) => {
    let readOnly = true;
    for (let i = 2; i < argv.length; i++) {
      const remaining = argv.length - i - 1;
      const arg = argv[i]!.toLowerCase();
      if (arg === "get" && remaining >= 2) i += 2;
      else if (arg === "overflow" && remaining >= 1) i += 1;
      else {
        // SET/INCRBY write; anything else is a syntax error, and Redis then assumes a write too.
        readOnly = false;
        break;
      }
    }
    return [{ index: 1, flags: readOnly ? keyFlags("RO", "access") : keyFlags("RW", "access", "update") }];
  },
  sort: (argv) => {
    const keys: KeyPosition[] = [{ index: 1, flags: keyFlags("RO", "access") }];
    let store: number | undefined;
    // Options take no argument unless listed; the last STORE wins, as in SORT itself.
    for (let i = 2; i < argv.length; i++) {
      const arg = argv[i]!.toLowerCase();
      if (arg === "limit") i += 2;
      else if (arg === "get" || arg === "by") i += 1;
      else if (arg === "store" && i + 1 < argv.length) store = i + 1;
    }
    if (store !== undefined) keys.push({ index: store, flags: keyFlags("OW", "update") });
    return keys;
  },
};

/** Key positions of a command line, for COMMAND GETKEYS / GETKEYSANDFLAGS. */
export function commandKeyPositions(spec: CommandSpec, argv: readonly string[]): KeyPosition[] {
  const native = nativeKeyFinders[spec.fullName];
  if (native !== undefined) return native(argv);
  return keysFromSpecs(spec, argv) ?? keysFromLegacyRange(spec, argv);
}
