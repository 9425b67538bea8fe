#!/usr/bin/env node
// Author tool: the qpack reference (or another implementation) against nghttp3's QPACK encoder and decoder, the C
// library behind curl's and many servers' HTTP/3, on random header lists, both ways:
//   - nghttp3 encodes, our QpackDecoder decodes (the encoder stream sometimes arriving after the section, so
//     sections block and unblock), and our decoder stream goes back to nghttp3's encoder, which must accept it;
//   - our QpackEncoder encodes, nghttp3's decoder decodes (same delays), and its decoder stream comes back to us.
// Each round uses one pair of settings (table capacity, blocked streams) on both sides.
//   node scripts/interop-nghttp3.js [--cases N] [--seed S] [--file path/to/qpack.ts]
// Needs a C compiler and libnghttp3-dev (Debian); the small C peer (scripts/interop-nghttp3/qpack-peer.c) is built
// into a temporary folder. Author-side only: the suite does not depend on it.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const readline = require('node:readline');
const { spawn, spawnSync } = require('node:child_process');
const { loadTs, parseArgs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '10-qpack', 'qpack.ts');
const GIVEN = path.join(root, 'exercises', '10-qpack');
const SETTINGS = [
  [0, 0],
  [256, 0],
  [256, 2],
  [1024, 5],
  [4096, 100],
];

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function build() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qpack-peer-'));
  const bin = path.join(dir, 'qpack-peer');
  const r = spawnSync('cc', ['-O1', '-o', bin, path.join(__dirname, 'interop-nghttp3', 'qpack-peer.c'), '-lnghttp3'], { encoding: 'utf8' });
  if (r.status !== 0) {
    console.error(`could not build the nghttp3 peer (needs cc and libnghttp3-dev):\n${r.stderr || r.error}`);
    process.exit(2);
  }
  return bin;
}

/** The C peer behind a request/response line protocol. */
class Peer {
  constructor(bin) {
    this.child = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.lines = [];
    this.waiters = [];
    readline.createInterface({ input: this.child.stdout }).on('line', (l) => {
      const w = this.waiters.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
  }
  line() {
    return this.lines.length ? Promise.resolve(this.lines.shift()) : new Promise((r) => this.waiters.push(r));
  }
  send(text) {
    this.child.stdin.write(`${text}\n`);
  }
  async headers(n) {
    const out = [];
    for (let i = 0; i < n; i++) {
      const [name, value] = (await this.line()).split(' ');
      out.push([Buffer.from(name, 'hex').toString('latin1'), value === '-' ? '' : Buffer.from(value, 'hex').toString('latin1')]);
    }
    return out;
  }
  close() {
    this.child.stdin.end();
  }
}

const hex = (b) => (b.length ? Buffer.from(b).toString('hex') : '-');
const fromHex = (h) => (h === '-' ? new Uint8Array(0) : new Uint8Array(Buffer.from(h, 'hex')));

const NAMES = [':method', ':path', ':authority', ':scheme', 'user-agent', 'accept', 'cookie', 'content-type', 'x-request-id', 'x-trace', 'cache-control'];
const VALUES = ['GET', '/', '/index.html', 'example.com', 'https', 'curl/8.5', 'text/html', 'no-cache', 'max-age=0', ''];

function randomList(random) {
  const n = 1 + Math.floor(random() * 10);
  return Array.from({ length: n }, () => {
    const name = NAMES[Math.floor(random() * NAMES.length)];
    const value = random() < 0.6 ? VALUES[Math.floor(random() * VALUES.length)] : `v${Math.floor(random() * 50)}-${'x'.repeat(Math.floor(random() * 40))}`;
    return [name, value];
  });
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** nghttp3 encodes, ours decodes. */
async function nghttp3ToOurs(Q, bin, [capacity, blocked], lists, random, stats) {
  const peer = new Peer(bin);
  peer.send(`INIT ${capacity} ${blocked}`);
  await peer.line();
  const decoder = new Q.QpackDecoder({ maxTableCapacity: capacity, maxBlockedStreams: blocked });
  const got = new Map();
  let held = [];
  for (let k = 0; k < lists.length; k++) {
    const id = 4 * k;
    peer.send(`ENCODE ${id} ${lists[k].length}\n${lists[k].map(([n, v]) => `${hex(Buffer.from(n, 'latin1'))} ${hex(Buffer.from(v, 'latin1'))}`).join('\n')}`);
    const [kind, section, encoderStream] = (await peer.line()).split(' ');
    if (kind !== 'SECTION') throw new Error(`nghttp3 could not encode stream ${id}: ${kind} ${section}`);
    held.push(fromHex(encoderStream));
    // Half the time the encoder-stream bytes arrive only after the section (a reordering QUIC allows).
    const late = random() < 0.5 && blocked > 0;
    if (!late) for (const chunk of held.splice(0)) for (const u of decoder.receiveEncoderStream(chunk)) got.set(u.streamId, u.headers);
    const headers = decoder.decodeSection(id, fromHex(section));
    if (headers) got.set(id, headers);
    else stats.blocked++;
    stats.octets += fromHex(section).length + fromHex(encoderStream).length;
    if (late) for (const chunk of held.splice(0)) for (const u of decoder.receiveEncoderStream(chunk)) got.set(u.streamId, u.headers);
    peer.send(`ACK ${hex(decoder.takeDecoderStream())}`);
    const ack = await peer.line();
    if (ack !== 'OK') throw new Error(`nghttp3's encoder rejected our decoder stream after stream ${id}: ${ack}`);
  }
  peer.close();
  for (let k = 0; k < lists.length; k++)
    if (!same(got.get(4 * k), lists[k]))
      throw new Error(`stream ${4 * k}: decoded ${JSON.stringify(got.get(4 * k))}, nghttp3 encoded ${JSON.stringify(lists[k])}`);
  return lists.length;
}

/** Ours encodes, nghttp3 decodes. */
async function oursToNghttp3(Q, bin, [capacity, blocked], lists, random, stats) {
  const peer = new Peer(bin);
  peer.send(`INIT ${capacity} ${blocked}`);
  await peer.line();
  const encoder = new Q.QpackEncoder({ maxTableCapacity: capacity, maxBlockedStreams: blocked });
  const got = new Map();
  const readUnblocked = async () => {
    for (;;) {
      const l = await peer.line();
      if (l === 'OK') return;
      const [kind, id, n] = l.split(' ');
      if (kind !== 'UNBLOCKED') throw new Error(`nghttp3's decoder rejected our encoder stream: ${l}`);
      got.set(Number(id), await peer.headers(Number(n)));
    }
  };
  let held = [];
  for (let k = 0; k < lists.length; k++) {
    const id = 4 * k;
    const out = encoder.encode(id, lists[k]);
    held.push(out.encoderStream);
    const late = random() < 0.5;
    if (!late)
      for (const chunk of held.splice(0)) {
        peer.send(`ENC ${hex(chunk)}`);
        await readUnblocked();
      }
    peer.send(`SEC ${id} ${hex(out.section)}`);
    const l = await peer.line();
    stats.octets += out.section.length + out.encoderStream.length;
    if (l.startsWith('HEADERS')) got.set(id, await peer.headers(Number(l.split(' ')[2])));
    else if (l === 'BLOCKED') stats.blocked++;
    else throw new Error(`nghttp3's decoder rejected our section on stream ${id}: ${l}`);
    if (late)
      for (const chunk of held.splice(0)) {
        peer.send(`ENC ${hex(chunk)}`);
        await readUnblocked();
      }
    peer.send('DEC');
    const [, dstream] = (await peer.line()).split(' ');
    encoder.receiveDecoderStream(fromHex(dstream));
  }
  peer.close();
  for (let k = 0; k < lists.length; k++)
    if (!same(got.get(4 * k), lists[k]))
      throw new Error(`stream ${4 * k}: nghttp3 decoded ${JSON.stringify(got.get(4 * k))}, we encoded ${JSON.stringify(lists[k])}`);
  return lists.length;
}

void (async () => {
  const { cases, seed, file } = parseArgs('node scripts/interop-nghttp3.js [--cases N] [--seed S] [--file path/to/qpack.ts]', REFERENCE);
  const Q = await loadTs(file, GIVEN);
  const bin = build();
  const random = mulberry32(seed);
  console.log(`${path.relative(root, file)} against nghttp3 (libnghttp3 QPACK), seed ${seed}, ${cases} rounds of up to 30 header lists`);
  const totals = new Map();
  for (let c = 0; c < cases; c++) {
    const settings = SETTINGS[c % SETTINGS.length];
    const lists = Array.from({ length: 1 + Math.floor(random() * 30) }, () => randomList(random));
    for (const [label, fn] of [
      ['nghttp3 encoder -> our decoder', nghttp3ToOurs],
      ['our encoder -> nghttp3 decoder', oursToNghttp3],
    ]) {
      try {
        const key = `${label}  capacity ${settings[0]}, blocked ${settings[1]}`;
        const stats = totals.get(key) ?? { lists: 0, blocked: 0, octets: 0 };
        stats.lists += await fn(Q, bin, settings, lists, random, stats);
        totals.set(key, stats);
      } catch (err) {
        console.error(`FAILED (${label}, capacity ${settings[0]}, blocked ${settings[1]}, round ${c + 1}, seed ${seed}): ${err.message}`);
        process.exit(1);
      }
    }
  }
  console.log(`  ${'direction, settings'.padEnd(62)} ${'lists'.padStart(6)} ${'blocked'.padStart(8)} ${'octets'.padStart(8)}`);
  for (const [key, s] of [...totals].sort())
    console.log(`  ${key.padEnd(62)} ${String(s.lists).padStart(6)} ${String(s.blocked).padStart(8)} ${String(s.octets).padStart(8)}`);
  console.log('every header list decoded equal, both directions; each decoder stream accepted by the other side');
})();
