import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, resp, ServerFixture, type ServerProcess } from "./test-support/server-process.js";
import { createTestCertificates, type TestCertificates } from "./test-support/tls-certificates.js";

const fixture = new ServerFixture();
let certs: TestCertificates;

beforeAll(() => {
  certs = createTestCertificates();
});

afterAll(() => {
  rmSync(certs.dir, { recursive: true, force: true });
});

afterEach(async () => {
  await fixture.closeAll();
});

interface TlsServer {
  server: ServerProcess;
  tlsPort: number;
}

async function startTls(extraArgs: string[] = [], keyArgs = ["--tls-key-file", certs.serverKey]): Promise<TlsServer> {
  const tlsPort = await freePort();
  const args = ["--tls-port", String(tlsPort), "--tls-cert-file", certs.serverCert, ...keyArgs, "--tls-ca-cert-file", certs.caCert];
  const server = await fixture.start([...args, ...extraArgs], undefined, extraArgs.includes("--port") ? { readyPort: tlsPort } : {});
  return { server, tlsPort };
}

interface TlsOutcome {
  /** Bytes received before the connection ended or the reply completed. */
  reply: string;
  /** The client-side error (handshake failure), if any. */
  error?: string;
}

/** One request over a Node TLS connection: the reply, or what went wrong. */
function tlsRequest(port: number, identity: { ca: string; cert?: string; key?: string }, request: string): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    let reply = "";
    const socket = tls.connect({
      host: "127.0.0.1",
      port,
      ca: readPem(identity.ca),
      ...(identity.cert === undefined ? {} : { cert: readPem(identity.cert), key: readPem(identity.key!) }),
    });
    const timer = setTimeout(() => finish(), 5000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(error === undefined ? { reply } : { reply, error: (error as NodeJS.ErrnoException).code ?? error.message });
    };
    socket.once("secureConnect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      reply += chunk.toString("latin1");
      if (reply.endsWith("\r\n")) finish();
    });
    socket.once("error", finish);
    socket.once("close", () => finish());
  });
}

const pemCache = new Map<string, Buffer>();
function readPem(file: string): Buffer {
  let pem = pemCache.get(file);
  if (pem === undefined) {
    pem = readFileSync(file);
    pemCache.set(file, pem);
  }
  return pem;
}

interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

function redisCli(port: number, args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], { timeout: 10_000, encoding: "latin1" }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error === null ? 0 : typeof error.code === "number" ? error.code : -1 });
    });
  });
}

const clientIdentity = (): { ca: string; cert: string; key: string } => ({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
const foreignIdentity = (): { ca: string; cert: string; key: string } => ({ ca: certs.caCert, cert: certs.otherClientCert, key: certs.otherClientKey });
const PING = resp("PING");

describe("TLS port", () => {
  it("serves redis-cli and Node TLS clients on tls-port while the plain port keeps working", async () => {
    const { server, tlsPort } = await startTls();
    const tlsCli = ["--tls", "--cacert", certs.caCert, "--cert", certs.clientCert, "--key", certs.clientKey];
    expect(await redisCli(tlsPort, [...tlsCli, "SET", "greeting", "over tls"])).toMatchObject({ stdout: "OK\n", code: 0 });
    expect((await redisCli(tlsPort, [...tlsCli, "GET", "greeting"])).stdout).toBe("over tls\n");
    // A value far larger than a TLS record (16 KiB) crosses many records and reads.
    const big = "v".repeat(300_000);
    expect((await tlsRequest(tlsPort, clientIdentity(), resp("SET", "big", big))).reply).toBe("+OK\r\n");
    expect((await tlsRequest(tlsPort, clientIdentity(), resp("STRLEN", "big"))).reply).toBe(":300000\r\n");
    // The plain port serves the same dataset.
    expect((await redisCli(server.port, ["GET", "greeting"])).stdout).toBe("over tls\n");
    expect((await redisCli(server.port, ["CONFIG", "GET", "tls-port"])).stdout).toBe(`tls-port\n${tlsPort}\n`);
    expect((await redisCli(server.port, ["CONFIG", "GET", "tls-auth-clients"])).stdout).toBe("tls-auth-clients\nyes\n");
    // TLS clients are ordinary clients: CLIENT LIST sees them next to the caller.
    const list = await redisCli(tlsPort, [...tlsCli, "CLIENT", "LIST"]);
    expect(list.stdout).toMatch(/laddr=127\.0\.0\.1:\d+ .*cmd=client\|list/);
  });

  it("applies tls-auth-clients yes, optional and no to clients without or with a foreign certificate", async () => {
    const { server, tlsPort } = await startTls();
    const setMode = async (mode: string): Promise<void> => {
      expect((await redisCli(server.port, ["CONFIG", "SET", "tls-auth-clients", mode])).stdout).toBe("OK\n");
    };
    const anonymous = { ca: certs.caCert };

    // yes (Redis's default): a certificate from the configured CA is required.
    expect(await tlsRequest(tlsPort, clientIdentity(), PING)).toEqual({ reply: "+PONG\r\n" });
    expect((await tlsRequest(tlsPort, anonymous, PING)).reply).toBe("");
    expect((await tlsRequest(tlsPort, foreignIdentity(), PING)).reply).toBe("");
    const cliWithoutCert = await redisCli(tlsPort, ["--tls", "--cacert", certs.caCert, "PING"]);
    expect(cliWithoutCert.stdout).not.toContain("PONG");
    expect(cliWithoutCert.code).not.toBe(0);

    // optional: no certificate is fine, a certificate that does not verify is not.
    await setMode("optional");
    expect(await tlsRequest(tlsPort, anonymous, PING)).toEqual({ reply: "+PONG\r\n" });
    expect(await tlsRequest(tlsPort, clientIdentity(), PING)).toEqual({ reply: "+PONG\r\n" });
    expect((await tlsRequest(tlsPort, foreignIdentity(), PING)).reply).toBe("");

    // no: certificates are not looked at.
    await setMode("no");
    expect(await tlsRequest(tlsPort, anonymous, PING)).toEqual({ reply: "+PONG\r\n" });
    expect(await tlsRequest(tlsPort, foreignIdentity(), PING)).toEqual({ reply: "+PONG\r\n" });
    expect((await redisCli(tlsPort, ["--tls", "--cacert", certs.caCert, "PING"])).stdout).toBe("PONG\n");
  });

  it("fails for a client that does not trust the server's CA", async () => {
    const { tlsPort } = await startTls();
    const outcome = await tlsRequest(tlsPort, { ca: certs.otherCaCert, cert: certs.clientCert, key: certs.clientKey }, PING);
    expect(outcome.reply).toBe("");
    expect(outcome.error).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/);
    const cli = await redisCli(tlsPort, ["--tls", "--cacert", certs.otherCaCert, "--cert", certs.clientCert, "--key", certs.clientKey, "PING"]);
    expect(cli.stdout + cli.stderr).toContain("certificate verify failed");
    expect(cli.stdout).not.toContain("PONG");
  });

  it("serves TLS only with port 0, with an encrypted key and a CA directory", async () => {
    const caDir = path.join(certs.dir, "ca-dir");
    mkdirSync(caDir, { recursive: true });
    copyFileSync(certs.caCert, path.join(caDir, "trusted.pem"));
    const keyArgs = ["--tls-key-file", certs.serverKeyEncrypted, "--tls-key-file-pass", certs.serverKeyPassphrase];
    const tlsPort = await freePort();
    const server = await fixture.start(
      ["--port", "0", "--tls-port", String(tlsPort), "--tls-cert-file", certs.serverCert, ...keyArgs, "--tls-ca-cert-dir", caDir],
      undefined,
      { readyPort: tlsPort },
    );
    expect(await tlsRequest(tlsPort, clientIdentity(), resp("CONFIG", "GET", "port"))).toEqual({ reply: "*2\r\n$4\r\nport\r\n$1\r\n0\r\n" });
    expect((await tlsRequest(tlsPort, clientIdentity(), resp("INFO", "server"))).reply).toContain("tcp_port:0\r\n");
    expect((await tlsRequest(tlsPort, foreignIdentity(), PING)).reply).toBe("");
    // Nothing listens on the plain port the fixture would otherwise have used.
    expect((await redisCli(server.port, ["PING"])).stdout).not.toContain("PONG");
  });

  it("refuses to start on TLS settings Redis refuses, with Redis's reasons", async () => {
    const noCa = ["--tls-port", String(await freePort()), "--tls-cert-file", certs.serverCert, "--tls-key-file", certs.serverKey];
    await expect(fixture.start(noCa)).rejects.toThrow(
      "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!",
    );
    await expect(fixture.start(["--tls-port", String(await freePort()), "--tls-key-file", certs.serverKey])).rejects.toThrow("No tls-cert-file configured!");
    await expect(fixture.start([...noCa, "--tls-ca-cert-file", certs.caCert, "--tls-protocols", "TLSv1.2 SSLv3"])).rejects.toThrow(
      "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
    );
    await expect(fixture.start(["--port", "0"])).rejects.toThrow("Configured to not listen anywhere, exiting.");
    // Without a CA, clients can still be served when their certificates are not checked.
    const tlsPort = Number(noCa[1]);
    await fixture.start([...noCa, "--tls-auth-clients", "no"]);
    expect(await tlsRequest(tlsPort, { ca: certs.caCert }, PING)).toEqual({ reply: "+PONG\r\n" });
  });

  it("limits the protocol versions to tls-protocols", async () => {
    const { tlsPort } = await startTls(["--tls-protocols", "TLSv1.2"]);
    const version = await new Promise<string | null>((resolve, reject) => {
      const socket = tls.connect({ host: "127.0.0.1", port: tlsPort, ca: readPem(certs.caCert), cert: readPem(certs.clientCert), key: readPem(certs.clientKey) }, () => {
        resolve(socket.getProtocol());
        socket.destroy();
      });
      socket.once("error", reject);
    });
    expect(version).toBe("TLSv1.2");
    const tls13Only = await new Promise<string>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port: tlsPort, ca: readPem(certs.caCert), minVersion: "TLSv1.3" }, () => resolve("connected"));
      socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    expect(tls13Only).not.toBe("connected");
  });
});
