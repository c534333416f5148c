import type { Reply } from "@kv/protocol";

/*
 * Replies rendered byte for byte as redis-cli 7.0 prints them. All functions return latin1
 * strings (one char per byte) so values reach stdout exactly as the server sent them.
 */

/**
 * redis-cli's human format (cliFormatReplyTTY), what it prints on a terminal or with
 * --no-raw: `"quoted"` bulk strings, `(integer) 1`, `(nil)`, numbered and indented
 * aggregates. Always ends with a newline.
 */
export function renderReply(reply: Reply): string {
  return formatHuman(reply, "");
}

function formatHuman(reply: Reply, prefix: string): string {
  switch (reply.type) {
    case "error":
      // hiredis hands redis-cli a C string, so text after a NUL is never shown.
      return `(error) ${cString(reply.value)}\n`;
    case "simple":
      return `${cString(reply.value)}\n`;
    case "integer":
      return `(integer) ${reply.value}\n`;
    case "double":
      // hiredis keeps the double's text as the server sent it, and redis-cli prints that text.
      return `(double) ${reply.value}\n`;
    case "bulk":
      return `${quoteBytes(reply.value)}\n`;
    case "verbatim":
      // The format prefix ("txt:") is dropped and the text printed unquoted, newlines and all.
      return `${reply.value.toString("latin1")}\n`;
    case "null":
    case "nullarray":
      return "(nil)\n";
    case "boolean":
      return reply.value ? "(true)\n" : "(false)\n";
    case "bignumber":
      // redis-cli 7.0 aborts with "Unknown reply type: 13" here; this follows the other scalars.
      return `(big number) ${reply.value}\n`;
    case "array":
    case "set":
    case "push":
      return formatAggregate(reply.type, reply.value, prefix);
    case "map":
    case "attribute":
      // hiredis 1.0 (redis-cli 7.0) cannot parse attributes at all; the network client drops
      // top-level ones, and a nested one is shown like the map it is.
      return formatAggregate("map", reply.value.flat(), prefix);
  }
}

const emptyAggregate = {
  array: "(empty array)\n",
  set: "(empty set)\n",
  push: "(empty push)\n",
  map: "(empty hash)\n",
} as const;

const indexSeparator = { array: ")", push: ")", set: "~", map: "#" } as const;

/**
 * Aggregates number their elements from 1, right-aligned to the widest index; nested
 * aggregates are indented by that width plus two, and their first line continues the
 * parent's index line. Map entries (flattened to key, value, key, value...) share one
 * index and print as `key => value`.
 */
function formatAggregate(kind: keyof typeof indexSeparator, elements: readonly Reply[], prefix: string): string {
  if (elements.length === 0) return emptyAggregate[kind];
  const isMap = kind === "map";
  const count = isMap ? Math.floor(elements.length / 2) : elements.length;
  const width = String(count).length;
  const childPrefix = prefix + " ".repeat(width + 2);
  const separator = indexSeparator[kind];
  let out = "";
  for (let i = 0; i < elements.length; i++) {
    const humanIndex = (isMap ? Math.floor(i / 2) : i) + 1;
    // The first line needs no prefix: the caller already wrote the parent's index before it.
    out += `${i === 0 ? "" : prefix}${String(humanIndex).padStart(width)}${separator} `;
    out += formatHuman(elements[i]!, childPrefix);
    if (isMap) {
      i++;
      const value = elements[i];
      // redis-cli replaces the key's trailing newline with " => ", even after a nested aggregate.
      out = `${out.slice(0, -1)} => `;
      if (value === undefined) continue;
      // A value spanning several lines starts on its own line, so its elements line up.
      if (isMultiline(value)) out += `\n${childPrefix}`;
      out += formatHuman(value, childPrefix);
    }
  }
  return out;
}

/** redis-cli's cliIsMultilineValueTTY: an aggregate with more than one element, at any depth. */
function isMultiline(reply: Reply): boolean {
  switch (reply.type) {
    case "array":
    case "set":
    case "push":
      return reply.value.length > 1 || (reply.value.length === 1 && isMultiline(reply.value[0]!));
    case "map":
    case "attribute":
      return reply.value.length > 1 || (reply.value.length === 1 && isMultiline(reply.value[0]![1]));
    default:
      return false;
  }
}

/**
 * redis-cli's raw format (cliFormatReplyRaw), used with --raw: values unquoted, nil as an
 * empty line, aggregate elements one per line and map entries as `key value`.
 */
export function renderRawReply(reply: Reply): string {
  return `${formatRaw(reply)}\n`;
}

/**
 * Commands whose (bulk) reply is text meant to be read as is: redis-cli prints it raw even
 * in human mode, without the trailing newline, so INFO looks like a report, not a quoted blob.
 */
export function rendersVerbatim(argv: readonly string[]): boolean {
  const command = argv[0]?.toLowerCase();
  const sub = argv[1]?.toLowerCase();
  const argc = argv.length;
  switch (command) {
    case "info":
    case "lolwut":
      return true;
    case "debug":
      return argc >= 2 && (sub === "htstats" || sub === "htstats-key");
    case "memory":
      return argc >= 2 && (sub === "malloc-stats" || sub === "doctor");
    case "cluster":
      return argc === 2 && (sub === "nodes" || sub === "info");
    case "client":
      return argc >= 2 && (sub === "list" || sub === "info");
    case "latency":
      return (argc === 3 && sub === "graph") || (argc === 2 && sub === "doctor");
    case "proxy":
      return argc >= 2 && sub === "info";
    default:
      return false;
  }
}

/** The text of a reply for rendersVerbatim() commands: the raw format without the final newline. */
export function renderVerbatimReply(reply: Reply): string {
  return formatRaw(reply);
}

function formatRaw(reply: Reply): string {
  switch (reply.type) {
    case "null":
    case "nullarray":
      return "";
    case "error":
      return `${reply.value}\n`;
    case "simple":
    case "double":
    case "bignumber":
      return reply.value;
    case "bulk":
    case "verbatim":
      return reply.value.toString("latin1");
    case "boolean":
      return reply.value ? "(true)" : "(false)";
    case "integer":
      return String(reply.value);
    case "array":
    case "set":
    case "push":
      return reply.value.map(formatRaw).join("\n");
    case "map":
    case "attribute":
      return reply.value.map(([key, value]) => `${formatRaw(key)} ${formatRaw(value)}`).join("\n");
  }
}

/**
 * Redis's sdscatrepr: a double-quoted string where \ and " are escaped, \n \r \t \a \b get
 * their C escapes and every other byte outside printable ASCII becomes \xHH (lowercase hex,
 * so UTF-8 text shows as its bytes, as redis-cli shows it).
 */
export function quoteBytes(value: Buffer): string {
  let out = '"';
  for (const byte of value) {
    switch (byte) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, "0")}`;
    }
  }
  return `${out}"`;
}

function cString(text: string): string {
  const nul = text.indexOf("\0");
  return nul === -1 ? text : text.slice(0, nul);
}
