import { randomCase } from "../command-generators.js";
import type { Random } from "../random.js";
import type { AddGenerator } from "./index.js";

/*
 * Random Pub/Sub commands for a single connection. The differential runner's connections
 * never subscribe — a RESP2 subscriber refuses every other command, and UNSUBSCRIBE of all
 * channels replies in Redis's random dict order — so only what a non-subscriber can send is
 * generated: PUBLISH and SPUBLISH (no receivers on either server), and PUBSUB introspection,
 * whose replies are then empty or zero on both. Wrong shapes are included for their errors.
 * Multi-client delivery is compared in packages/core's pubsub.differential.test.ts.
 */

const channelPool = ["news", "", "ch\x00\xff", "__keyspace@0__:k0", "__keyevent@0__:set", "sp ace", "*", "a?c"];
const patternPool = ["*", "n*", "[a-z]*", "__key*__:*", "", "\\*", "h[^e]llo"];

function channel(r: Random): string {
  return r.chance(0.85) ? r.pick(channelPool) : r.bytes(r.int(0, 6));
}

function channels(r: Random, min: number, max: number): string[] {
  return Array.from({ length: r.int(min, max) }, () => channel(r));
}

export function registerPubsubGenerators(add: AddGenerator): void {
  add("PUBLISH", 1, (r) => ({ argv: [randomCase(r, "PUBLISH"), channel(r), r.pick(["hello", "", "x".repeat(100), r.bytes(8)])] }), true);
  add("SPUBLISH", 0.5, (r) => ({ argv: [randomCase(r, "SPUBLISH"), channel(r), r.pick(["m", ""])] }), true);
  add(
    "PUBSUB",
    1,
    (r) => {
      const roll = r.next();
      if (roll < 0.2) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "CHANNELS"), ...(r.chance(0.6) ? [r.pick(patternPool)] : [])] };
      if (roll < 0.3) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "SHARDCHANNELS"), ...(r.chance(0.6) ? [r.pick(patternPool)] : [])] };
      if (roll < 0.5) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "NUMSUB"), ...channels(r, 0, 4)] };
      if (roll < 0.6) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "SHARDNUMSUB"), ...channels(r, 0, 3)] };
      if (roll < 0.75) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "NUMPAT")] };
      if (roll < 0.8) return { argv: [randomCase(r, "PUBSUB"), randomCase(r, "HELP")] };
      // Wrong shapes: extra arguments, unknown subcommands, no subcommand.
      return r.pick([
        { argv: ["PUBSUB", "CHANNELS", "a", "b"] },
        { argv: ["PUBSUB", "SHARDCHANNELS", "a", "b"] },
        { argv: ["PUBSUB", "NUMPAT", "x"] },
        { argv: ["PUBSUB", "HELP", "x"] },
        { argv: ["PUBSUB", "NOSUCH"] },
        { argv: ["PUBSUB"] },
        { argv: ["PUBLISH", "a"] },
        { argv: ["SPUBLISH", "a", "b", "c"] },
      ]);
    },
    true,
  );
}
