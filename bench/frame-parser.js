#!/usr/bin/env node
// Throughput of the reference HTTP/2 frame parser (solutions/02-frame-parser), in-process, no sandbox.
//   node bench/frame-parser.js [--mb 50] [--runs 3]
// Cases: the recorded node:http2 session (harness/vectors/h2-capture.json, both directions) repeated to at least
// --mb megabytes and fed in chunks of several sizes, and a synthetic stream of small frames (PING, WINDOW_UPDATE,
// short DATA, SETTINGS ACK, short HEADERS). Prints MB/s (1 MB = 10^6 bytes) and frames/s, best of --runs runs after
// one warm-up run. The TypeScript solution is compiled on the fly with esbuild (a dependency of the course).
'use strict';
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const targetMb = arg('mb', 50);
const runs = arg('runs', 3);

function loadSolution() {
  const file = path.join(root, 'solutions/02-frame-parser/frame-parser.ts');
  const built = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false });
  // (Module's _compile is internal, so not in its types: declared here.)
  const m = /** @type {Module & { _compile(code: string, file: string): void }} */ (new Module(file));
  m.filename = file;
  m._compile(built.outputFiles[0].text, file);
  return m.exports;
}

const { FrameParser } = loadSolution();
const capture = require(path.join(root, 'harness/vectors/h2-capture.json'));

function frame(type, flags, streamId, payload) {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

function repeatTo(unit, bytes) {
  const times = Math.ceil(bytes / unit.length);
  return { data: Buffer.concat(Array.from({ length: times }, () => unit)), times };
}

function chunked(data, size) {
  const chunks = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return chunks;
}

function chunkedBy(data, lengths) {
  const chunks = [];
  let at = 0;
  let i = 0;
  while (at < data.length) {
    const n = lengths[i++ % lengths.length];
    chunks.push(data.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function measure(chunks, options) {
  let best = Infinity;
  let frames = 0;
  for (let r = 0; r <= runs; r++) {
    const parser = new FrameParser(options);
    let count = 0;
    const t0 = process.hrtime.bigint();
    for (const c of chunks) {
      const out = parser.push(c);
      for (const e of out) {
        if (e.type === 'error') throw new Error(`parser error during the benchmark: ${e.code} ${e.message}`);
        count++;
      }
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r > 0) best = Math.min(best, ms); // run 0 warms up
    frames = count;
  }
  return { ms: best, frames };
}

const target = targetMb * 1e6;
const c2s = Buffer.from(capture.clientToServer.hex, 'hex').subarray(24); // without the preface: repeatable
const s2c = Buffer.from(capture.serverToClient.hex, 'hex');
const c2sRep = repeatTo(c2s, target);
const s2cRep = repeatTo(s2c, target);

const smallUnit = Buffer.concat([
  frame(0x6, 0, 0, Buffer.from('pingpong')), // PING, 17 bytes
  frame(0x8, 0, 1, Buffer.from([0, 0, 0x40, 0])), // WINDOW_UPDATE, 13 bytes
  frame(0x0, 0, 1, Buffer.alloc(32, 0x61)), // DATA, 41 bytes
  frame(0x0, 0x8, 3, Buffer.concat([Buffer.from([4]), Buffer.alloc(16, 0x62), Buffer.alloc(4)])), // padded DATA, 30 bytes
  frame(0x4, 0x1, 0, Buffer.alloc(0)), // SETTINGS ACK, 9 bytes
  frame(0x1, 0x4, 5, Buffer.from('82868401096c6f63616c686f7374', 'hex')), // HEADERS, 23 bytes
]);
const smallRep = repeatTo(smallUnit, target);

/** @type {Array<[name: string, data: Buffer, chunkLabel: string, chunks: Buffer[]]>} */
const cases = [
  ['capture c2s ×' + c2sRep.times, c2sRep.data, '64 KiB', chunked(c2sRep.data, 65536)],
  ['capture c2s ×' + c2sRep.times, c2sRep.data, 'recorded sizes', chunkedBy(c2sRep.data, capture.clientToServer.chunkLengths)],
  ['capture c2s ×' + c2sRep.times, c2sRep.data, '1 KiB', chunked(c2sRep.data, 1024)],
  ['capture s2c ×' + s2cRep.times, s2cRep.data, '64 KiB', chunked(s2cRep.data, 65536)],
  ['small frames ×' + smallRep.times, smallRep.data, '64 KiB', chunked(smallRep.data, 65536)],
  ['small frames ×' + smallRep.times, smallRep.data, '1 KiB', chunked(smallRep.data, 1024)],
];

const rows = [['case', 'MB', 'chunks', 'frames', 'best ms', 'MB/s', 'frames/s']];
for (const [name, data, chunkLabel, chunks] of cases) {
  const { ms, frames } = measure(chunks, { maxFrameSize: 16384 });
  rows.push([
    name,
    (data.length / 1e6).toFixed(1),
    chunkLabel,
    String(frames),
    ms.toFixed(0),
    (data.length / 1e6 / (ms / 1000)).toFixed(0),
    `${(frames / (ms / 1000) / 1e6).toFixed(2)} M`,
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(`frame-parser throughput (reference solution, Node ${process.version}, best of ${runs} runs)`);
for (const [i, r] of rows.entries()) {
  console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
