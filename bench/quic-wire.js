#!/usr/bin/env node
// Speed of the reference quic-migration solution (solutions/09-quic-migration), in-process, no sandbox:
// - varint decode / encode over a mix of 1, 2, 4 and 8-byte values, and parseHeader on short and long headers
//   (operations per second, best of --runs after a warm-up run);
// - a download of --mb megabytes from QuicServer to QuicClient over loopback UDP, with no loss (MB/s), which bounds
//   how long the suite's end-to-end tests take.
//   node bench/quic-wire.js [--ops 2000000] [--runs 3] [--mb 4]
// The TypeScript solution is compiled on the fly with esbuild (a dependency of the course).
'use strict';
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
if (process.argv.includes('--help')) {
  console.log('usage: node bench/quic-wire.js [--ops N] [--runs N] [--mb N]');
  process.exit(0);
}
const ops = arg('ops', 2_000_000);
const runs = arg('runs', 3);
const mb = arg('mb', 4);

function loadSolution() {
  const file = path.join(root, 'solutions/09-quic-migration/quic-migration.ts');
  const built = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false });
  // (Module's _compile is internal, so not in its types: declared here.)
  const m = /** @type {Module & { _compile(code: string, file: string): void }} */ (new Module(file));
  m.filename = file;
  m._compile(built.outputFiles[0].text, file);
  return m.exports;
}
const q = loadSolution();

function best(fn) {
  let ms = Infinity;
  for (let r = 0; r <= runs; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    const took = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r > 0) ms = Math.min(ms, took);
  }
  return ms;
}

// A buffer of back-to-back varints of every length.
const values = [37n, 15293n, 494878333n, 151288809941952652n];
const encoded = Buffer.concat(values.map((v) => q.encodeVarint(v)));
const shortPacket = Buffer.concat([Buffer.from([0x43]), Buffer.alloc(8, 7), Buffer.from([0, 0, 1, 2]), Buffer.alloc(1100)]);
const longPacket = Buffer.alloc(1200);
longPacket.set([0xc3, 0x51, 0xc0, 0xde, 0x01, 8, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 9, 9, 9, 9, 9, 9, 9, 0, 0x44, 0x95, 0, 0, 0, 0]);

const rows = [['case', 'operations', 'best ms', 'M ops/s']];
const add = (name, n, ms) => rows.push([name, String(n), ms.toFixed(0), (n / (ms / 1000) / 1e6).toFixed(2)]);

add(
  'decodeVarint (1/2/4/8-byte mix)',
  ops,
  best(() => {
    let at = 0;
    for (let i = 0; i < ops; i++) {
      const r = q.decodeVarint(encoded, at);
      at += r.length;
      if (at >= encoded.length) at = 0;
    }
  }),
);
add(
  'encodeVarint (1/2/4/8-byte mix)',
  ops,
  best(() => {
    for (let i = 0; i < ops; i++) q.encodeVarint(values[i & 3]);
  }),
);
add(
  'parseHeader short (8-byte CID)',
  ops,
  best(() => {
    for (let i = 0; i < ops; i++) q.parseHeader(shortPacket, 8);
  }),
);
add(
  'parseHeader long Initial',
  ops,
  best(() => {
    for (let i = 0; i < ops; i++) q.parseHeader(longPacket, 8);
  }),
);

async function download() {
  const payload = Buffer.alloc(mb * 1e6, 0x61);
  const server = new q.QuicServer({ payload });
  const port = await server.listen();
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const client = new q.QuicClient({ host: '127.0.0.1', port, onComplete: () => done() });
  const t0 = process.hrtime.bigint();
  await client.connect();
  await finished;
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const ok = Buffer.from(client.receivedBytes()).equals(payload);
  await client.close();
  await server.close();
  return { ms, ok };
}

void (async () => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`quic-migration codec (reference solution, Node ${process.version}, best of ${runs} runs)`);
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  const results = [];
  for (let r = 0; r < runs; r++) results.push(await download());
  const fastest = Math.min(...results.map((r) => r.ms));
  console.log(
    `\nloopback download of ${mb} MB (no loss, 16 packets in flight): best ${fastest.toFixed(0)} ms = ${(mb / (fastest / 1000)).toFixed(1)} MB/s; bytes ${results.every((r) => r.ok) ? 'identical' : 'DIFFER'}`,
  );
})();
