/**
 * A malformed request or reply. For requests the message is Redis's exact text (without the
 * "ERR " prefix), so the server can answer "-ERR <message>" and close, as Redis does.
 */
export class ProtocolError extends Error {
  override name = "ProtocolError";
}
