/**
 * Keyspace-notification classes, as the letters of `notify-keyspace-events`.
 * Handlers report events at the same points Redis's do; delivery (pub/sub) filters by
 * the configured classes.
 */
export const NotifyClass = {
  Keyspace: 1 << 0, // K
  Keyevent: 1 << 1, // E
  Generic: 1 << 2, // g
  String: 1 << 3, // $
  List: 1 << 4, // l
  Set: 1 << 5, // s
  Hash: 1 << 6, // h
  ZSet: 1 << 7, // z
  Expired: 1 << 8, // x
  Evicted: 1 << 9, // e
  Stream: 1 << 10, // t
  KeyMiss: 1 << 11, // m
  Loaded: 1 << 12, // (module only)
  Module: 1 << 13, // d
  New: 1 << 14, // n
} as const;

export type NotifyClassBit = (typeof NotifyClass)[keyof typeof NotifyClass];
