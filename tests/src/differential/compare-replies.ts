import { decodeReply, escapeBytes, type RespNode } from "../support/resp-reply.js";

/**
 * How two replies to the same command are judged. Byte equality is the rule; each other kind
 * exists because Redis itself would not give the same bytes twice (clocks, client ids,
 * hash-table order, background jobs) or because the reply describes the implementation.
 */
export type ComparisonKind =
  | "exact"
  /** TTL-like integers: equal when negative (-1/-2), within a tolerance otherwise. */
  | "ttl-seconds"
  | "ttl-millis"
  /** KEYS: the same elements in any order (Redis returns hash-table order). */
  | "unordered"
  /** CONFIG GET: the same name/value pairs in any order. */
  | "unordered-pairs"
  /** A *SCAN page: the cursor exactly, the elements in any order. */
  | "unordered-scan-page"
  /** HELLO: exact except the client id. */
  | "hello"
  /** Same top-level reply type; errors still exact. */
  | "shape"
  /** SAVE/BGSAVE/BGREWRITEAOF: whether one runs or is refused depends on background timing. */
  | "status"
  /** Handled by the runner (full SCAN iteration, RANDOMKEY membership). */
  | "scan"
  | "randomkey";

const shapeOnly = new Set([
  "TIME", "INFO", "LASTSAVE", "COMMAND",
  "CLIENT ID", "CLIENT LIST", "CLIENT INFO", "CLIENT HELP",
  "OBJECT IDLETIME", "OBJECT HELP", "DEBUG OBJECT", "CONFIG HELP",
]);

export function comparisonFor(argv: readonly string[]): ComparisonKind {
  const name = (argv[0] ?? "").toUpperCase();
  const withSub = `${name} ${(argv[1] ?? "").toUpperCase()}`;
  switch (name) {
    case "TTL":
    case "EXPIRETIME":
      return "ttl-seconds";
    case "PTTL":
    case "PEXPIRETIME":
      return "ttl-millis";
    // KEYS, and sets in hashtable encoding, come back in Redis's dict order, which kv cannot share.
    case "KEYS":
    case "SMEMBERS":
    case "SINTER":
    case "SUNION":
    case "SDIFF":
      return "unordered";
    case "SSCAN":
    case "ZSCAN":
      return "unordered-scan-page";
    case "SCAN":
      return "scan";
    case "RANDOMKEY":
      return "randomkey";
    case "HELLO":
      return "hello";
    case "SAVE":
    case "BGSAVE":
    case "BGREWRITEAOF":
      return "status";
  }
  if (withSub === "CONFIG GET") return "unordered-pairs";
  if (shapeOnly.has(name) || shapeOnly.has(withSub)) return "shape";
  return "exact";
}

export interface Tolerances {
  seconds: number;
  millis: number;
}

export const defaultTolerances: Tolerances = { seconds: 2, millis: 2_000 };

/** A verdict: undefined when the replies agree, otherwise why they do not. */
export type Verdict = string | undefined;

function isError(reply: Buffer): boolean {
  return reply[0] === 0x2d || reply[0] === 0x21;
}

function integerOf(reply: Buffer): bigint | undefined {
  const text = reply.toString("latin1");
  const match = /^:(-?\d+)\r\n$/.exec(text);
  return match ? BigInt(match[1]!) : undefined;
}

function children(node: RespNode): RespNode[] {
  return "items" in node && node.items !== null ? node.items : [];
}

/** Hello's "id" value is the connection's client id, which no two servers share. */
function maskClientId(reply: Buffer): string {
  return reply.toString("latin1").replace(/(\$2\r\nid\r\n:)-?\d+/, "$1<id>");
}

export function compareReplies(kind: ComparisonKind, kv: Buffer, redis: Buffer, tolerances = defaultTolerances): Verdict {
  if (kv.equals(redis)) return undefined;
  if (kind === "status") {
    const ok = (reply: Buffer): boolean => reply[0] === 0x2b || isError(reply);
    return ok(kv) && ok(redis) ? undefined : "expected a status or error reply from both";
  }
  // Whatever the kind, an error on either side must match exactly: the texts are part of
  // the contract clients (and their users' error handling) depend on.
  if (isError(kv) || isError(redis)) return "replies differ";
  switch (kind) {
    case "exact":
      return "replies differ";
    case "scan":
    case "randomkey":
      // Pages and picks legitimately differ; the runner checks what must hold instead.
      return undefined;
    case "ttl-seconds":
    case "ttl-millis": {
      const a = integerOf(kv);
      const b = integerOf(redis);
      if (a === undefined || b === undefined) return "replies differ";
      if (a < 0n || b < 0n) return "replies differ";
      const tolerance = BigInt(kind === "ttl-seconds" ? tolerances.seconds : tolerances.millis);
      const delta = a > b ? a - b : b - a;
      return delta <= tolerance ? undefined : `differ by ${delta} (tolerance ${tolerance})`;
    }
    case "unordered": {
      const a = decodeReply(kv);
      const b = decodeReply(redis);
      if (a.type !== b.type) return "reply types differ";
      const sort = (node: RespNode): string[] => children(node).map((item) => item.raw.toString("latin1")).sort();
      return JSON.stringify(sort(a)) === JSON.stringify(sort(b)) ? undefined : "elements differ (order ignored)";
    }
    case "unordered-scan-page": {
      const a = decodeReply(kv);
      const b = decodeReply(redis);
      const [cursorA, pageA] = children(a);
      const [cursorB, pageB] = children(b);
      if (cursorA === undefined || cursorB === undefined || pageA === undefined || pageB === undefined) return "replies differ";
      if (!cursorA.raw.equals(cursorB.raw)) return "cursors differ";
      const sort = (node: RespNode): string[] => children(node).map((item) => item.raw.toString("latin1")).sort();
      return JSON.stringify(sort(pageA)) === JSON.stringify(sort(pageB)) ? undefined : "page elements differ (order ignored)";
    }
    case "unordered-pairs": {
      const a = decodeReply(kv);
      const b = decodeReply(redis);
      if (a.type !== b.type) return "reply types differ";
      const pairs = (node: RespNode): string[] => {
        const items = children(node);
        const out: string[] = [];
        for (let i = 0; i + 1 < items.length; i += 2) out.push(items[i]!.raw.toString("latin1") + items[i + 1]!.raw.toString("latin1"));
        return out.sort();
      };
      return JSON.stringify(pairs(a)) === JSON.stringify(pairs(b)) ? undefined : "pairs differ (order ignored)";
    }
    case "hello":
      return maskClientId(kv) === maskClientId(redis) ? undefined : "replies differ (client id ignored)";
    case "shape":
      return kv[0] === redis[0] ? undefined : `reply types differ ('${String.fromCharCode(kv[0] ?? 0)}' vs '${String.fromCharCode(redis[0] ?? 0)}')`;
  }
}

export function showReply(reply: Buffer | undefined): string {
  return reply === undefined ? "(none)" : escapeBytes(reply, 1500);
}
