import type { PersistentEngine } from "../persistent-engine.js";

/** Executes a command as a new client and logs it as the server does before replying; returns the raw reply. */
export function runCommand(store: PersistentEngine, ...argv: string[]): string {
  const session = store.engine.createClient();
  store.engine.execute(session, argv);
  store.flush();
  return session.reply.take()?.toString("latin1") ?? "";
}
