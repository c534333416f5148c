import tls from "node:tls";
import { describe, expect, it } from "vitest";
import { cipherList, protocolRange, tlsServerOptions } from "./tls-settings.js";

describe("tls-protocols", () => {
  it("defaults to TLSv1.2 and TLSv1.3, reads names case-insensitively and spans the set given", () => {
    expect(protocolRange("")).toEqual({ minVersion: "TLSv1.2", maxVersion: "TLSv1.3" });
    expect(protocolRange("tlsv1.3")).toEqual({ minVersion: "TLSv1.3", maxVersion: "TLSv1.3" });
    expect(protocolRange("TLSv1.3  TLSv1.1")).toEqual({ minVersion: "TLSv1.1", maxVersion: "TLSv1.3" });
  });

  it("refuses an unknown name with Redis's message", () => {
    expect(() => protocolRange("TLSv1.2 SSLv3")).toThrow(
      "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.",
    );
  });
});

describe("tls-ciphers and tls-ciphersuites", () => {
  it("keeps Node's defaults for the side that is not configured, so neither protocol is switched off", () => {
    expect(cipherList("", "")).toBeUndefined();
    const onlyCiphers = cipherList("ECDHE-RSA-AES128-GCM-SHA256", "")!;
    expect(onlyCiphers).toMatch(/^TLS_AES_256_GCM_SHA384:.*:ECDHE-RSA-AES128-GCM-SHA256$/);
    const onlySuites = cipherList("", "TLS_AES_128_GCM_SHA256")!;
    expect(onlySuites.startsWith("TLS_AES_128_GCM_SHA256:ECDHE-")).toBe(true);
    expect(onlySuites.split(":").filter((name) => name.startsWith("TLS_"))).toEqual(["TLS_AES_128_GCM_SHA256"]);
    expect(() => tls.createSecureContext({ ciphers: onlySuites })).not.toThrow();
  });
});

describe("required TLS settings", () => {
  const config = (values: Record<string, string>) => (name: string) => values[name] ?? "";
  it("names what is missing, in Redis's order and words", () => {
    expect(() => tlsServerOptions(config({}), "/")).toThrow("No tls-cert-file configured!");
    expect(() => tlsServerOptions(config({ "tls-cert-file": "c.pem" }), "/")).toThrow("No tls-key-file configured!");
    expect(() => tlsServerOptions(config({ "tls-cert-file": "c.pem", "tls-key-file": "k.pem", "tls-auth-clients": "yes" }), "/")).toThrow(
      "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!",
    );
    expect(() => tlsServerOptions(config({ "tls-cert-file": "/nonexistent/c.pem", "tls-key-file": "k.pem", "tls-auth-clients": "no" }), "/")).toThrow(
      /^Failed to load certificate: \/nonexistent\/c\.pem: ENOENT/,
    );
  });
});
