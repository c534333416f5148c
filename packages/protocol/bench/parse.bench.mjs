// Micro-benchmarks of the protocol hot paths. Run after `pnpm build`:
//   node bench/parse.bench.mjs
import { ReplyWriter, RequestParser, encodeCommand, formatDouble } from "../dist/index.js";

// Reports the best of several rounds: on a shared machine the minimum is the least noisy
// estimate of what the code costs.
function bench(name, unitsPerRun, run, rounds = 7, roundMs = 300) {
  for (let i = 0; i < 2000; i++) run(); // warm up and let the JIT settle
  let best = Infinity;
  for (let round = 0; round < rounds; round++) {
    let runs = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0n;
    while (elapsed < BigInt(roundMs) * 1_000_000n) {
      for (let i = 0; i < 100; i++) run();
      runs += 100;
      elapsed = process.hrtime.bigint() - start;
    }
    best = Math.min(best, Number(elapsed) / (runs * unitsPerRun));
  }
  console.log(`${name.padEnd(58)} ${best.toFixed(1).padStart(8)} ns/op  ${(1e3 / best).toFixed(2).padStart(7)} M ops/s`);
}

const key = "key:000000012345";
const value = "0123456789abcdef";
const setCommand = encodeCommand(["SET", key, value]);
const pipeline16 = Buffer.concat(Array.from({ length: 16 }, () => setCommand));

{
  const parser = new RequestParser();
  let sink = 0;
  bench("parse: pipeline of 16 SET (one chunk), per command", 16, () => {
    parser.feed(pipeline16);
    for (let argv = parser.next(); argv !== undefined; argv = parser.next()) sink += argv.length;
  });
  if (sink === 0) throw new Error("nothing parsed");
}

{
  // A 64 KiB read full of pipelined commands, the last one cut in two like real socket reads.
  const big = Buffer.concat(Array.from({ length: Math.ceil(65536 / setCommand.length) + 1 }, () => setCommand));
  const chunks = [];
  for (let off = 0; off < big.length; off += 65536) chunks.push(big.subarray(off, off + 65536));
  const perRun = big.length / setCommand.length;
  const parser = new RequestParser();
  bench(`parse: 64 KiB reads, commands cut across reads, per command`, perRun, () => {
    for (const chunk of chunks) {
      parser.feed(chunk);
      while (parser.next() !== undefined);
    }
  });
}

{
  const parser = new RequestParser();
  const get = encodeCommand(["GET", key]);
  bench("parse: single GET per chunk", 1, () => {
    parser.feed(get);
    parser.next();
  });
}

{
  const parser = new RequestParser();
  const inline = Buffer.from(`SET ${key} ${value}\r\n`);
  bench("parse: inline SET per chunk", 1, () => {
    parser.feed(inline);
    parser.next();
  });
}

{
  const writer = new ReplyWriter();
  bench("write: 16 x +OK then take()", 16, () => {
    for (let i = 0; i < 16; i++) writer.simple("OK");
    writer.take();
  });
  bench("write: 16 x 16-byte bulk then take()", 16, () => {
    for (let i = 0; i < 16; i++) writer.bulk(value);
    writer.take();
  });
  bench("write: 16 x integer then take()", 16, () => {
    for (let i = 0; i < 16; i++) writer.integer(i * 1234567);
    writer.take();
  });
  const longValue = "x".repeat(1000);
  bench("write: 1000-byte bulk then take()", 1, () => {
    writer.bulk(longValue);
    writer.take();
  });
}

{
  const values = Array.from({ length: 1024 }, (_, i) => Math.sin(i) * 10 ** ((i % 40) - 20));
  let i = 0;
  bench("formatDouble (%.17g)", 1, () => {
    formatDouble(values[i++ & 1023]);
  });
}
