/** Redis's error replies, verbatim (server.h shared objects and the messages in t_*.c). */
export const Errors = {
  syntax: "ERR syntax error",
  wrongType: "WRONGTYPE Operation against a key holding the wrong kind of value",
  notInteger: "ERR value is not an integer or out of range",
  notFloat: "ERR value is not a valid float",
  overflow: "ERR increment or decrement would overflow",
  noSuchKey: "ERR no such key",
  dbIndexOutOfRange: "ERR DB index is out of range",
  noAuth: "NOAUTH Authentication required.",
  wrongPass: "WRONGPASS invalid username-password pair or user is disabled.",
  sameObject: "ERR source and destination objects are the same",
  outOfRange: "ERR index out of range",
  stringTooLong: "ERR string exceeds maximum allowed size (proto-max-bulk-len)",
  nanOrInfinity: "ERR increment would produce NaN or Infinity",
  noPasswordSet:
    "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?",
  selectNotAllowedInCluster: "ERR SELECT is not allowed in cluster mode",
} as const;

export function wrongArity(fullName: string): string {
  return `ERR wrong number of arguments for '${fullName}' command`;
}

export function invalidExpireTime(commandName: string): string {
  return `ERR invalid expire time in '${commandName}' command`;
}

/** Redis strips CR/LF from error texts built from user input, so the reply stays one RESP line. */
export function sanitizeErrorText(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/[\r\n]/g, " ") : text;
}

/** An error text from elsewhere (a host, a user) with an error code: "ERR " is added when it has none. */
export function withErrorCode(text: string): string {
  return /^[A-Z][A-Z0-9_-]* /.test(text) ? text : `ERR ${text}`;
}
