#!/usr/bin/env node
// Frame parse throughput: the reference Receiver of exercise 6 (solutions/06-websocket-protocol) beside the
// Receiver of the `ws` package (ws/lib/receiver.js, the parser behind every ws connection), on the same
// bytes, in-process, no sandbox.
//   node bench/websocket-frames.js [--mb 40] [--runs 5] [--min-ms 1000] [--only TEXT] [--clock cpu|wall]
//                                  [--solution FILE]
// Each case is a byte stream of frames (masked client→server, or unmasked server→client) repeated to at least
// --mb megabytes and cut into TCP-sized chunks. Both parsers get fresh copies of the chunks on every run (ws
// unmasks in place), made outside the timed region, and a full garbage collection before it (so that no run
// pays for the garbage of the one before); freed memory stays in the process (see TUNABLES). Prints MB/s
// (1 MB = 10^6 bytes of wire data) and messages/s, best of at least --runs interleaved runs after one warm-up run
// (more for fast cases: until each contender has about --min-ms of timed runs, at most 50). ws runs with its
// defaults (UTF-8 validation on, maxPayload 0 = none, no bufferutil/utf-8-validate addons, as in this project's
// node_modules).
// Like for like: the reference's text events carry strings, so the "ws" column is ws plus data.toString() for
// each text message (what an application does with ws's Buffer); ws with text left as Buffers is shown apart.
'use strict';
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');
// ws's package.json does not export lib/receiver, so it is loaded by its path inside the package.
const wsDir = path.dirname(require.resolve('ws'));
const WsReceiver = require(path.join(wsDir, 'lib', 'receiver.js'));
const wsVersion = JSON.parse(require('node:fs').readFileSync(path.join(wsDir, 'package.json'), 'utf8')).version;

const root = path.resolve(__dirname, '..');
const argText = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : fallback;
};
const arg = (name, fallback) => Number(argText(name, fallback));
const targetMb = arg('mb', 40);
const runs = arg('runs', 5);
const minMs = arg('min-ms', 1000);
// Only the cases whose name contains this text.
const only = argText('only', '');
// cpu (default): this process's user + system CPU time, which leaves out the time it waits for a core, so it
// holds steady when other jobs share the machine (it does count V8's helper threads, e.g. GC). wall: elapsed
// time, right on an idle machine only (under load, the same ws code timed twice in one table differed 3.5x).
const clock = argText('clock', 'cpu');
if (clock !== 'wall' && clock !== 'cpu') throw new Error('--clock is wall or cpu');
function startClock() {
  return clock === 'cpu' ? process.cpuUsage() : process.hrtime.bigint();
}
function elapsedMs(t0) {
  if (clock === 'wall') return Number(process.hrtime.bigint() - t0) / 1e6;
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}
if (process.argv.includes('--help')) {
  console.log(
    'usage: node bench/websocket-frames.js [--mb 40] [--runs 5] [--min-ms 1000] [--only TEXT] [--clock cpu|wall] [--solution FILE]\nPrints a table of frame parse throughput (MB/s): the reference Receiver vs ws/lib/receiver.',
  );
  process.exit(0);
}

// glibc hands freed blocks of 128 KiB and more back to the kernel and trims its heap, so each run of the 1 MiB case
// faulted its pages in again. That kernel time is the same for both parsers, swamped the copying they do, and
// changed tenfold from one process to the next. Re-run with tunables that keep freed memory in the process.
const TUNABLES = 'glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=2147483647';
if (process.platform === 'linux' && !(process.env.GLIBC_TUNABLES ?? '').includes('glibc.malloc.mmap_threshold')) {
  const GLIBC_TUNABLES = process.env.GLIBC_TUNABLES ? `${process.env.GLIBC_TUNABLES}:${TUNABLES}` : TUNABLES;
  const args = [...process.execArgv, __filename, ...process.argv.slice(2)];
  const r = require('node:child_process').spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, GLIBC_TUNABLES } });
  process.exit(r.status ?? 1);
}

function loadSolution() {
  // --solution FILE: another version of the reference (e.g. an older one, to compare).
  const file = path.resolve(argText('solution', path.join(root, 'solutions/06-websocket-protocol/websocket-protocol.ts')));
  const built = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false });
  const m = new Module(file);
  m.filename = file;
  m.paths = Module._nodeModulePaths(root);
  m._compile(built.outputFiles[0].text, file);
  return m.exports;
}
const { Receiver } = loadSolution();
// A full collection between runs, outside the timed region.
require('node:v8').setFlagsFromString('--expose-gc');
const collectGarbage = require('node:vm').runInNewContext('gc');

function frame({ fin = true, opcode, payload, mask }) {
  const len = payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = (fin ? 0x80 : 0) | opcode;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  let body = payload;
  if (mask) {
    head.set(mask, 2 + ext);
    body = Buffer.from(payload);
    for (let i = 0; i < body.length; i++) body[i] ^= mask[i & 3];
  }
  return Buffer.concat([head, body]);
}

let keySeed = 1;
function key() {
  keySeed = (Math.imul(keySeed, 1103515245) + 12345) >>> 0; // imul: a plain product loses its low bits
  return Buffer.from([keySeed & 0xff, (keySeed >> 8) & 0xff, (keySeed >> 16) & 0xff, keySeed >>> 24]);
}

function textOf(n) {
  const words = 'the quick brown fox jumps over the lazy dog κόσμε ✓ ';
  return Buffer.from(words.repeat(Math.ceil(n / words.length)).slice(0, n), 'utf8').subarray(0, n);
}

// A payload of exactly n octets of valid UTF-8 (ASCII filler after the last whole character).
function utf8Payload(n) {
  const b = Buffer.alloc(n, 0x61);
  const t = textOf(n);
  let end = t.length;
  while (end > 0 && (t[end - 1] & 0xc0) === 0x80) end--;
  if (end > 0 && t[end - 1] >= 0xc0) end--;
  t.copy(b, 0, 0, end);
  return b;
}

function build(unit, messagesPerUnit, chunkSize) {
  const times = Math.ceil((targetMb * 1e6) / unit.length);
  const data = Buffer.concat(Array.from({ length: times }, () => unit));
  const chunks = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  return { data, chunks, messages: times * messagesPerUnit };
}

const cases = [];
function addCase(name, role, frames, messagesPerUnit, chunkSize) {
  if (!name.includes(only)) return;
  const unit = Buffer.concat(frames);
  // Whether any message is text (opcode 1), i.e. whether decoding to strings is part of the work.
  const text = frames.some((f) => (f[0] & 0x0f) === 1);
  cases.push({ name, role, chunkSize, text, ...build(unit, messagesPerUnit, chunkSize) });
}

const masked = (opcode, payload, fin = true) => frame({ fin, opcode, payload, mask: key() });
const plain = (opcode, payload, fin = true) => frame({ fin, opcode, payload });

addCase(
  'small text, 32 B, masked (client→server)',
  'server',
  Array.from({ length: 64 }, () => masked(1, utf8Payload(32))),
  64,
  16384,
);
addCase(
  'small binary, 32 B, unmasked (server→client)',
  'client',
  Array.from({ length: 64 }, () => plain(2, textOf(32))),
  64,
  16384,
);
addCase(
  'small mixed, 2-125 B, masked, pings',
  'server',
  Array.from({ length: 64 }, (_, i) => (i % 8 === 7 ? masked(9, textOf(8)) : masked(i % 2 ? 2 : 1, utf8Payload(2 + ((i * 37) % 124))))),
  56,
  16384,
);
addCase('large binary, 64 KiB, masked', 'server', [masked(2, textOf(65536))], 1, 65536);
addCase('large text, 64 KiB, masked', 'server', [masked(1, utf8Payload(65536))], 1, 65536);
addCase('large binary, 1 MiB, unmasked', 'client', [plain(2, textOf(1 << 20))], 1, 65536);
addCase(
  'fragmented text, 16 x 1 KiB, masked',
  'server',
  [masked(1, utf8Payload(1024), false), ...Array.from({ length: 14 }, () => masked(0, utf8Payload(1024), false)), masked(0, utf8Payload(1024))],
  1,
  16384,
);

function copies(chunks) {
  return chunks.map((c) => Buffer.from(c));
}

function runReference(c, chunks) {
  const r = new Receiver({ role: c.role, maxMessageSize: 1 << 30 });
  let messages = 0;
  const t0 = startClock();
  for (const chunk of chunks) {
    const events = r.push(chunk);
    for (let i = 0; i < events.length; i++) {
      const e = events[i];
      if (e.type === 'error') throw new Error(`reference: ${e.closeCode} ${e.message}`);
      if (e.type === 'text' || e.type === 'binary') messages++;
    }
  }
  return { ms: elapsedMs(t0), messages };
}

function runWs(c, chunks, decode) {
  const r = new WsReceiver({ isServer: c.role === 'server', maxPayload: 0 });
  let messages = 0;
  let failure;
  // ws's Receiver hands out Buffers; with `decode`, text messages are turned into strings as an application (and
  // the reference, whose text events carry strings) has to.
  r.on('message', decode ? (data, isBinary) => (messages++, isBinary || data.toString()) : () => messages++);
  r.on('ping', () => undefined);
  r.on('error', (err) => (failure = err));
  const t0 = startClock();
  for (const chunk of chunks) r.write(chunk);
  const ms = elapsedMs(t0);
  if (failure) throw new Error(`ws: ${failure.message}`);
  return { ms, messages };
}

/**
 * Runs the contenders in turn, a warm-up round then at least `runs` rounds (more when runs are short, until each
 * contender has about minMs of timed runs, at most 50 rounds), and keeps each one's best time.
 */
function race(c, contenders) {
  const top = contenders.map(() => Infinity);
  const total = contenders.map(() => 0);
  let round = 0;
  for (; round <= runs || (round <= 50 && Math.min(...total) < minMs); round++) {
    contenders.forEach((fn, k) => {
      const chunks = copies(c.chunks);
      collectGarbage();
      const r = fn(c, chunks);
      if (r.messages !== c.messages) throw new Error(`${c.name}: expected ${c.messages} messages, got ${r.messages}`);
      if (round === 0) return; // the warm-up round
      top[k] = Math.min(top[k], r.ms);
      total[k] += r.ms;
    });
  }
  return { rounds: round - 1, results: top.map((ms) => ({ ms, mbps: c.data.length / 1e6 / (ms / 1000), mps: c.messages / (ms / 1000) })) };
}

const rows = [];
for (const c of cases) {
  // ws as an application uses it: text messages become strings, as the reference's do. Where there is text,
  // ws with text left as Buffers runs too, for reference; where there is none the two are the same code.
  const contenders = [runReference, (cc, ch) => runWs(cc, ch, true)];
  if (c.text) contenders.push((cc, ch) => runWs(cc, ch, false));
  const { rounds, results } = race(c, contenders);
  rows.push({ c, rounds, ref: results[0], ws: results[1], wsBuffers: results[2] });
}

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const header = ['case', 'chunk', 'MB', 'runs', 'reference MB/s', 'ws MB/s', 'ref / ws', 'ws, text as Buffers MB/s', 'reference msg/s'];
const table = rows.map(({ c, rounds, ref, ws, wsBuffers }) => [
  c.name,
  `${c.chunkSize / 1024} KiB`,
  fmt(c.data.length / 1e6, 1),
  String(rounds),
  fmt(ref.mbps),
  fmt(ws.mbps),
  `${fmt(ref.mbps / ws.mbps, 2)}x`,
  wsBuffers ? fmt(wsBuffers.mbps) : 'no text',
  fmt(ref.mps),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells) => `| ${cells.map((x, i) => (i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i]))).join(' | ')} |`;
console.log(`Node ${process.version}, ws ${wsVersion}, ${clock} clock, best of >= ${runs} interleaved runs after a warm-up, >= ${targetMb} MB per case`);
console.log(line(header));
console.log(`|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
for (const r of table) console.log(line(r));
console.log('\nws MB/s: its Receiver plus data.toString() for each text message, the output the reference gives (its text');
console.log('events carry strings). ws, text as Buffers: its Receiver alone, which skips the decoding the reference must do.');
const slower = rows.filter(({ ref, ws }) => ref.mbps < ws.mbps);
if (slower.length) console.log(`the reference is slower than ws on: ${slower.map(({ c }) => c.name).join('; ')}`);
