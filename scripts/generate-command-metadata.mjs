#!/usr/bin/env node
// Regenerates packages/core/src/commands/command-metadata.generated.ts from a running
// redis-server 7: arity, flags, key specs, ACL categories and docs of every command, so
// that COMMAND INFO/DOCS replies and dispatch checks use Redis's own data rather than a
// hand transcription. Usage: node scripts/generate-command-metadata.mjs [port]
// (without a port it starts a throwaway redis-server on a free port).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const outFile = new URL("../packages/core/src/commands/command-metadata.generated.ts", import.meta.url);

function freePort() {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A small RESP3 reader: it only has to understand what COMMAND INFO/DOCS send.
function parse(buf, pos) {
  const type = String.fromCharCode(buf[pos]);
  const eol = buf.indexOf("\r\n", pos);
  if (eol < 0) return null;
  const line = buf.toString("latin1", pos + 1, eol);
  let next = eol + 2;
  const many = (count, wrap) => {
    const items = [];
    for (let i = 0; i < count; i++) {
      const r = parse(buf, next);
      if (!r) return null;
      items.push(r.value);
      next = r.next;
    }
    return { value: wrap(items), next };
  };
  switch (type) {
    case "+": return { value: { t: "simple", v: line }, next };
    case "-": throw new Error(line);
    case ":": return { value: Number(line), next };
    case "_": return { value: null, next };
    case "$": {
      const len = Number(line);
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString("latin1", next, next + len), next: next + len + 2 };
    }
    case "=": {
      const len = Number(line);
      if (buf.length < next + len + 2) return null;
      return { value: buf.toString("latin1", next + 4, next + len), next: next + len + 2 };
    }
    case "*": return many(Number(line), (items) => items);
    case "~": return many(Number(line), (items) => ({ t: "set", v: items }));
    case "%": {
      const r = many(Number(line) * 2, (items) => items);
      if (!r) return null;
      const pairs = [];
      for (let i = 0; i < r.value.length; i += 2) pairs.push([r.value[i], r.value[i + 1]]);
      return { value: { t: "map", v: pairs }, next: r.next };
    }
    default: throw new Error(`unexpected RESP type ${type}`);
  }
}

function encode(args) {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
  return s;
}

async function query(port, commands) {
  const sock = net.connect(port, "127.0.0.1");
  await new Promise((res, rej) => { sock.once("connect", res); sock.once("error", rej); });
  const replies = [];
  let buf = Buffer.alloc(0);
  const done = new Promise((resolve) => {
    sock.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const r = buf.length ? parse(buf, 0) : null;
        if (!r) break;
        replies.push(r.value);
        buf = buf.subarray(r.next);
      }
      if (replies.length === commands.length) resolve();
    });
  });
  for (const c of commands) sock.write(encode(c));
  await done;
  sock.end();
  return replies;
}

async function main() {
  let port = Number(process.argv[2]);
  let child;
  let dir;
  if (!port) {
    port = await freePort();
    dir = mkdtempSync(path.join(os.tmpdir(), "kv-gen-"));
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", ""], { stdio: "ignore" });
    await new Promise((r) => setTimeout(r, 300));
  }
  try {
    const [, info, docs, version] = await query(port, [["HELLO", "3"], ["COMMAND", "INFO"], ["COMMAND", "DOCS"], ["INFO", "server"]]);
    const infoByName = {};
    for (const entry of info) infoByName[entry[0]] = entry;
    const docsByName = {};
    for (const [name, doc] of docs.v) docsByName[name] = doc;
    const redisVersion = /redis_version:(\S+)/.exec(typeof version === "string" ? version : version.v ?? "")?.[1] ?? "unknown";
    const body =
      "// GENERATED FILE - do not edit. Rebuild with `pnpm generate:commands` (scripts/generate-command-metadata.mjs)\n" +
      `// from redis-server ${redisVersion}: COMMAND INFO and COMMAND DOCS as RESP3 trees.\n` +
      "import type { MetadataValue } from \"./metadata-value.js\";\n\n" +
      `export const redisVersion = ${JSON.stringify(redisVersion)};\n\n` +
      `export const commandInfo: Record<string, MetadataValue[]> = ${JSON.stringify(infoByName)};\n\n` +
      `export const commandDocs: Record<string, MetadataValue> = ${JSON.stringify(docsByName)};\n`;
    writeFileSync(outFile, body);
    console.log(`wrote ${Object.keys(infoByName).length} commands from redis ${redisVersion}`);
  } finally {
    if (child) { child.kill(); if (dir) rmSync(dir, { recursive: true, force: true }); }
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
