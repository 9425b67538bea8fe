#!/usr/bin/env node
// Throughput of the reference QPACK decoder and encoder (solutions/10-qpack), in-process, no sandbox.
//   node bench/qpack.js [--runs 3]
// Decoder: every offline-interop file of the six encoders (harness/vectors/qpack-interop), records applied in file
// order, then again with all field sections first (every section that needs an insert blocks, then unblocks).
// Encoder: the netbsd, fb-req and fb-resp header lists with a 4096-octet table and immediate acknowledgments.
// Prints records/s (or header lists/s) and MB/s of encoded input, best of --runs runs after one warm-up run. The
// solution is compiled on the fly with esbuild, its given huffman.js taken from exercises/10-qpack.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 3;
const V = path.join(root, 'harness', 'vectors', 'qpack-interop');

function loadSolution() {
  const file = path.join(root, 'solutions/10-qpack/qpack.ts');
  const built = esbuild.buildSync({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    external: ['./huffman'],
  });
  // Compiled as if it sat beside the given helper, so require('./huffman') finds exercises/10-qpack/huffman.js.
  const beside = path.join(root, 'exercises/10-qpack/qpack.ts');
  const m = new Module(beside);
  m.filename = beside;
  m.paths = Module._nodeModulePaths(path.dirname(beside));
  m._compile(built.outputFiles[0].text, beside);
  return m.exports;
}

function records(file) {
  const d = fs.readFileSync(file);
  const out = [];
  for (let i = 0; i < d.length;) {
    const l = d.readUInt32BE(i + 8);
    out.push({ sid: Number(d.readBigUInt64BE(i)), data: d.subarray(i + 12, i + 12 + l) });
    i += 12 + l;
  }
  return out;
}

function qif(name) {
  const lists = [];
  let cur = [];
  for (const line of fs.readFileSync(path.join(V, 'qifs', `${name}.qif`), 'latin1').split('\n')) {
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (cur.length) lists.push(cur);
      cur = [];
      continue;
    }
    const tab = line.indexOf('\t');
    cur.push([line.slice(0, tab), line.slice(tab + 1)]);
  }
  if (cur.length) lists.push(cur);
  return lists;
}

const Q = loadSolution();

/** The suite's adversarial order: each section as early as its Required Insert Count allows (within MaxEntries). */
function sectionsFirst(rs, capacity) {
  const dec = new Q.QpackDecoder({ maxTableCapacity: capacity, maxBlockedStreams: 100000 });
  const maxEntries = Math.floor(capacity / 32);
  const sections = [];
  const encoder = [];
  for (const r of rs) {
    if (r.sid === 0) {
      dec.receiveEncoderStream(r.data);
      encoder.push({ r, after: dec.insertCount() });
    } else {
      let encoded = r.data[0];
      if (encoded === 0xff)
        for (let i = 1, w = 1; ; i++, w *= 128) {
          encoded += (r.data[i] & 0x7f) * w;
          if (!(r.data[i] & 0x80)) break;
        }
      sections.push({ r, required: Q.decodeRequiredInsertCount(encoded, capacity, dec.insertCount()) });
      dec.decodeSection(r.sid, r.data);
    }
  }
  const out = [];
  let inserts = 0;
  const place = () => {
    while (sections.length && sections[0].required - maxEntries <= inserts) out.push(sections.shift().r);
  };
  place();
  for (const e of encoder) {
    out.push(e.r);
    inserts = e.after;
    place();
  }
  return out;
}
const files = [];
for (const e of fs.readdirSync(path.join(V, 'encoded'))) {
  const p = path.join(V, 'encoded', e);
  if (!fs.statSync(p).isDirectory()) continue;
  for (const f of fs.readdirSync(p)) {
    const m = /\.out\.(\d+)\.(\d+)\.\d+$/.exec(f);
    const capacity = Number(m[1]);
    const rs = records(path.join(p, f));
    // The interop convention: the table starts at its maximum capacity (one Set Dynamic Table Capacity first).
    const set = [0x3f];
    for (let rest = capacity - 31; ; rest = Math.floor(rest / 128)) {
      if (rest < 128) {
        set.push(rest);
        break;
      }
      set.push((rest % 128) | 0x80);
    }
    const prefix = capacity >= 31 ? Buffer.from(set) : Buffer.from([0x20 | capacity]);
    const withCapacity = [{ sid: 0, data: prefix }, ...rs];
    files.push({ capacity, inOrder: withCapacity, sectionsFirst: sectionsFirst(withCapacity, capacity) });
  }
}
const totalRecords = files.reduce((s, f) => s + f.inOrder.length, 0);
const totalBytes = files.reduce((s, f) => s + f.inOrder.reduce((t, r) => t + r.data.length, 0), 0);

function decodeAll(order, blocked) {
  let decoded = 0;
  for (const f of files) {
    const dec = new Q.QpackDecoder({ maxTableCapacity: f.capacity, maxBlockedStreams: blocked });
    for (const r of f[order]) {
      if (r.sid === 0) decoded += dec.receiveEncoderStream(r.data).length;
      else if (dec.decodeSection(r.sid, r.data)) decoded++;
    }
    dec.takeDecoderStream();
  }
  return decoded;
}

function encodeAll(name) {
  const lists = qif(name);
  const enc = new Q.QpackEncoder({ maxTableCapacity: 4096, maxBlockedStreams: 100 });
  const dec = new Q.QpackDecoder({ maxTableCapacity: 4096, maxBlockedStreams: 100 });
  let octets = 0;
  lists.forEach((h, k) => {
    const o = enc.encode(4 * k, h);
    octets += o.encoderStream.length + o.section.length;
    dec.receiveEncoderStream(o.encoderStream);
    dec.decodeSection(4 * k, o.section);
    enc.receiveDecoderStream(dec.takeDecoderStream());
  });
  return { lists: lists.length, octets, raw: lists.flat().reduce((s, [n, v]) => s + n.length + v.length, 0) };
}

function best(fn) {
  fn();
  let ms = Infinity;
  let out;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    out = fn();
    ms = Math.min(ms, Number(process.hrtime.bigint() - t) / 1e6);
  }
  return { ms, out };
}

const rows = [['case', 'units', 'best ms', 'units/s', 'MB/s (encoded)']];
for (const [label, order, blocked] of [
  ['decode, file order', 'inOrder', 100],
  ['decode, sections first', 'sectionsFirst', 100000],
]) {
  const { ms, out } = best(() => decodeAll(order, blocked));
  rows.push([
    `${label} (${files.length} files, ${out} sections)`,
    `${totalRecords} records`,
    ms.toFixed(0),
    (totalRecords / (ms / 1000)).toFixed(0),
    (totalBytes / 1e6 / (ms / 1000)).toFixed(1),
  ]);
}
for (const name of ['netbsd', 'fb-req', 'fb-resp']) {
  const { ms, out } = best(() => encodeAll(name));
  rows.push([
    `encode + decode ${name} (${out.raw} → ${out.octets} octets)`,
    `${out.lists} lists`,
    ms.toFixed(0),
    (out.lists / (ms / 1000)).toFixed(0),
    (out.octets / 1e6 / (ms / 1000)).toFixed(1),
  ]);
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
for (const r of rows) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
