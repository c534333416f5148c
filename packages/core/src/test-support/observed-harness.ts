import { NotifyClass } from "../command/notify.js";
import { parseNotifyFlags } from "../core-config.js";
import type { Engine } from "../engine.js";
import type { TestHarness } from "./harness.js";

/**
 * What a unit test watches besides the reply: a harness with its keyspace events and
 * modified-key signals recorded, and `given` to run setup commands whose side effects the
 * assertions should not see.
 */
export interface ObservedHarness<H extends TestHarness = TestHarness> {
  h: H;
  /** Keyspace events as "db event key" ("event key" without `withDb`), in order. */
  events: string[];
  /** Modified-key signals as "db:key", in order. */
  modified: string[];
  /** Runs setup commands, then forgets their side effects. */
  given: (...argvs: string[][]) => void;
  /** Forgets what has been propagated, notified and signalled so far. */
  forget: () => void;
}

/**
 * Records `engine`'s keyevent notifications (the keyspace ones say the same per key) as
 * "db event key", or "event key" when `withDb` is false. Which classes fire is the caller's
 * notifyMask.
 */
export function recordKeyEvents(engine: Engine, { withDb = true }: { withDb?: boolean } = {}): string[] {
  const events: string[] = [];
  engine.keyspaceEventSink = (channel, message) => {
    const match = /^__keyevent@(\d+)__:(.*)$/.exec(channel);
    if (match !== null) events.push(withDb ? `${match[1]} ${match[2]} ${message}` : `${match[2]} ${message}`);
  };
  return events;
}

/**
 * Wires `h` to record every event class — "KEA" does not include "n", so the "new" events
 * are added explicitly — and every modified-key signal.
 */
export function observeHarness<H extends TestHarness>(h: H, { withDb = true }: { withDb?: boolean } = {}): ObservedHarness<H> {
  const events = recordKeyEvents(h.engine, { withDb });
  const modified: string[] = [];
  h.engine.notifyMask = parseNotifyFlags("KEA")! | NotifyClass.New;
  h.engine.keyModifiedListener = (db, key) => modified.push(`${db.index}:${key}`);
  const forget = (): void => {
    h.propagated.length = 0;
    events.length = 0;
    modified.length = 0;
  };
  const given = (...argvs: string[][]): void => {
    for (const argv of argvs) h.raw(...argv);
    forget();
  };
  return { h, events, modified, given, forget };
}
