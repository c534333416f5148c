import { constants as cryptoConstants } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";

/** Reads a configuration parameter's current value (the engine's CONFIG store). */
export type ConfigReader = (name: string) => string;

/** Raised when the TLS parameters cannot be turned into a listener; start-up stops, as Redis's does. */
export class TlsConfigError extends Error {}

const PROTOCOL_VERSIONS: readonly tls.SecureVersion[] = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"];
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * tls-protocols as Redis parses it: space-separated names, case-insensitive; empty means
 * TLSv1.2 and TLSv1.3. Node takes a range, so a set with a gap ("TLSv1 TLSv1.3") also
 * admits the versions between (OpenSSL's own defaults refuse TLSv1/1.1 at security level 1+).
 */
export function protocolRange(text: string): { minVersion: tls.SecureVersion; maxVersion: tls.SecureVersion } {
  const words = text.split(" ").filter((word) => word !== "");
  if (words.length === 0) return { minVersion: "TLSv1.2", maxVersion: "TLSv1.3" };
  const indexes = words.map((word) => PROTOCOL_VERSIONS.findIndex((version) => version.toLowerCase() === word.toLowerCase()));
  if (indexes.includes(-1)) {
    throw new TlsConfigError("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
  }
  return { minVersion: PROTOCOL_VERSIONS[Math.min(...indexes)]!, maxVersion: PROTOCOL_VERSIONS[Math.max(...indexes)]! };
}

/**
 * Node takes TLSv1.2 ciphers and TLSv1.3 suites in one list and turns a protocol off when the
 * list has none for it; Redis sets them separately, each defaulting to OpenSSL's. So a side
 * that is not configured keeps Node's defaults for that side.
 */
export function cipherList(ciphers: string, ciphersuites: string): string | undefined {
  if (ciphers === "" && ciphersuites === "") return undefined;
  const defaults = tls.DEFAULT_CIPHERS.split(":");
  const defaultSuites = defaults.filter((name) => name.startsWith("TLS_")).join(":");
  const defaultCiphers = defaults.filter((name) => !name.startsWith("TLS_")).join(":");
  return `${ciphersuites === "" ? defaultSuites : ciphersuites}:${ciphers === "" ? defaultCiphers : ciphers}`;
}

function readConfiguredFile(what: string, file: string, cwd: string): Buffer {
  try {
    return readFileSync(path.resolve(cwd, file));
  } catch (error) {
    throw new TlsConfigError(`Failed to load ${what}: ${file}: ${(error as Error).message}`);
  }
}

/**
 * tls-ca-cert-dir: OpenSSL looks certificates up there by subject hash (c_rehash names);
 * Node has no such lookup, so every PEM certificate in the directory is trusted, which is
 * the same set for a directory prepared with c_rehash.
 */
function certificatesInDirectory(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw new TlsConfigError(`Failed to configure CA certificate(s) file/directory: ${(error as Error).message}`);
  }
  const certificates: string[] = [];
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    try {
      if (!statSync(file).isFile()) continue;
      certificates.push(...(readFileSync(file, "latin1").match(PEM_CERTIFICATE) ?? []));
    } catch {
      // An unreadable entry is skipped, as OpenSSL's directory lookup skips it.
    }
  }
  return certificates;
}

/**
 * The listener's TLS options from Redis 7.0's parameters (tlsConfigure): certificate and key
 * required, a CA required as soon as client certificates are checked. Relative paths are
 * resolved from `cwd`. Client certificates are always requested and judged per connection
 * (clientCertificateRefusal), so a CONFIG SET of tls-auth-clients applies to the next client.
 */
export function tlsServerOptions(get: ConfigReader, cwd: string): tls.TlsOptions {
  const certFile = get("tls-cert-file");
  const keyFile = get("tls-key-file");
  if (certFile === "") throw new TlsConfigError("No tls-cert-file configured!");
  if (keyFile === "") throw new TlsConfigError("No tls-key-file configured!");
  const caFile = get("tls-ca-cert-file");
  const caDir = get("tls-ca-cert-dir");
  const checksClients = get("tls-auth-clients") !== "no" || get("tls-replication") === "yes" || get("tls-cluster") === "yes";
  if (checksClients && caFile === "" && caDir === "") {
    throw new TlsConfigError("Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!");
  }
  const ca: (string | Buffer)[] = [];
  if (caFile !== "") ca.push(readConfiguredFile("CA certificate(s) file", caFile, cwd));
  if (caDir !== "") ca.push(...certificatesInDirectory(path.resolve(cwd, caDir)));
  const options: tls.TlsOptions = {
    cert: readConfiguredFile("certificate", certFile, cwd),
    key: readConfiguredFile("private key", keyFile, cwd),
    ...protocolRange(get("tls-protocols")),
    requestCert: true,
    rejectUnauthorized: false,
    honorCipherOrder: get("tls-prefer-server-ciphers") === "yes",
    sessionTimeout: Number(get("tls-session-cache-timeout")),
  };
  const passphrase = get("tls-key-file-pass");
  if (passphrase !== "") options.passphrase = passphrase;
  if (ca.length > 0) options.ca = ca;
  const dhFile = get("tls-dh-params-file");
  if (dhFile !== "") options.dhparam = readConfiguredFile("DH params file", dhFile, cwd);
  const ciphers = cipherList(get("tls-ciphers"), get("tls-ciphersuites"));
  if (ciphers !== undefined) options.ciphers = ciphers;
  if (get("tls-session-caching") === "no") options.secureOptions = cryptoConstants.SSL_OP_NO_TICKET;
  try {
    // Built once here so a bad key, passphrase or cipher list stops start-up with its reason.
    tls.createSecureContext(options);
  } catch (error) {
    throw new TlsConfigError(`Failed to configure TLS: ${(error as Error).message}`);
  }
  return options;
}

/**
 * tls-auth-clients, judged once the handshake is done: "yes" wants a certificate that
 * verifies against the configured CAs, "optional" accepts no certificate but still refuses
 * one that does not verify, "no" asks nothing. Returns why a client is refused, or undefined.
 */
export function clientCertificateRefusal(socket: tls.TLSSocket, authClients: string): string | undefined {
  if (authClients === "no" || socket.authorized) return undefined;
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  if (!presented) return authClients === "yes" ? "peer did not return a certificate" : undefined;
  return `certificate verify failed: ${String(socket.authorizationError)}`;
}
