import net from "node:net";

/** Redis 7.0's reply to a refused connection, word for word (typos included: clients show it as is). */
export const PROTECTED_MODE_DENIED =
  "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. " +
  "In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: " +
  "1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. " +
  "2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. " +
  "3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. " +
  "4) Setup a an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n";

/** 127.0.0.0/8 and ::1, including IPv4 loopback seen through an IPv6 socket (::ffff:127.x.y.z). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  if (net.isIPv4(v4)) return v4.startsWith("127.");
  return address === "::1";
}

/**
 * Redis's protected mode: with it on and no password for the default user, only loopback
 * clients are served, so a server bound to a public interface by mistake is not open to the
 * network. Returns the reply to send before closing, or undefined to accept.
 */
export function protectedModeRefusal(remoteAddress: string | undefined, protectedMode: boolean, passwordSet: boolean): string | undefined {
  if (!protectedMode || passwordSet || isLoopbackAddress(remoteAddress)) return undefined;
  return PROTECTED_MODE_DENIED;
}
