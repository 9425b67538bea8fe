#!/usr/bin/env node
// Throughput of the reference SSE parser (solutions/05-sse-consumer) beside the npm package eventsource-parser,
// on the same byte streams fed in the same chunks: many small events, and a few large ones.
//
//   npm i --no-save eventsource-parser            # not a dependency of the course; install it to compare
//   node bench/sse-parser.js                      # finds it in node_modules
//   node bench/sse-parser.js --esp /tmp/esp/node_modules/eventsource-parser   (or ESP_PATH=...)
//   node bench/sse-parser.js --impl exercises/05-sse-consumer                 (benchmark another implementation)
//
// Both parsers do the same work: bytes in, UTF-8 decoded as a stream, events out. The reference takes bytes;
// eventsource-parser takes strings, so it gets a streaming TextDecoder in front of it (as its README pipeline does).
// Prints MB/s and events/s per stream and the ratio reference / eventsource-parser (> 1: the reference is faster).

const path = require('node:path');
const fs = require('node:fs');
const Module = require('node:module');
const { transformSync } = require('esbuild');

const root = path.resolve(__dirname, '..');
function arg(name) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function loadTs(file) {
  const source = fs.readFileSync(file, 'utf8');
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs', target: 'node20' });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file)).concat(Module._nodeModulePaths(root));
  mod._compile(code, file);
  return mod.exports;
}

function loadEsp() {
  const where = arg('--esp') ?? process.env.ESP_PATH;
  try {
    return require(where ? path.resolve(where) : require.resolve('eventsource-parser', { paths: [root] }));
  } catch {
    console.error(
      'eventsource-parser is not installed. Install it without touching package.json:\n' +
        '  npm i --no-save eventsource-parser\n' +
        'or install it elsewhere and pass its folder:\n' +
        '  mkdir -p /tmp/esp && (cd /tmp/esp && npm init -y && npm i eventsource-parser)\n' +
        '  node bench/sse-parser.js --esp /tmp/esp/node_modules/eventsource-parser',
    );
    process.exit(2);
  }
}

const impl = loadTs(path.join(root, arg('--impl') ?? 'solutions/05-sse-consumer', 'sse-consumer.ts'));
const esp = loadEsp();
const espVersion = (() => {
  try {
    const dir = arg('--esp') ?? process.env.ESP_PATH ?? path.dirname(require.resolve('eventsource-parser/package.json', { paths: [root] }));
    return JSON.parse(fs.readFileSync(path.join(path.resolve(dir), 'package.json'), 'utf8')).version;
  } catch {
    return '?';
  }
})();

function split(bytes, size) {
  const chunks = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, Math.min(bytes.length, at + size)));
  return chunks;
}

// The streams. Mixed line ends and a comment now and then, like real servers.
function manySmall() {
  const parts = [];
  for (let i = 0; i < 100_000; i++) {
    if (i % 50 === 0) parts.push(': keep-alive\n');
    parts.push(`id: ${i}\nevent: tick\ndata: {"seq":${i},"price":${(i * 1.37).toFixed(2)}}\n\n`);
  }
  return { name: 'many small events (100 000, ~6 MB, 4 KiB chunks)', bytes: Buffer.from(parts.join(''), 'utf8'), chunk: 4096, events: 100_000 };
}
function fewLarge() {
  const parts = [];
  const line = `${'abcdefghij'.repeat(9)}–é😀`; // ~100 bytes with multi-byte characters
  for (let i = 0; i < 16; i++) {
    parts.push(`id: big-${i}\n`);
    for (let k = 0; k < 5000; k++) parts.push(`data: ${line}\n`);
    parts.push('\n');
  }
  return { name: 'few large events (16 × ~0.5 MB, 64 KiB chunks)', bytes: Buffer.from(parts.join(''), 'utf8'), chunk: 65536, events: 16 };
}

function runReference(chunks) {
  const parser = new impl.EventStreamParser();
  let n = 0;
  let size = 0;
  for (const c of chunks) {
    for (const e of parser.feed(c)) {
      n++;
      size += e.data.length;
    }
  }
  return { n, size };
}

function runEsp(chunks) {
  let n = 0;
  let size = 0;
  const parser = esp.createParser({
    onEvent(e) {
      n++;
      size += e.data.length;
    },
  });
  const decoder = new TextDecoder();
  for (const c of chunks) parser.feed(decoder.decode(c, { stream: true }));
  return { n, size };
}

/** CPU time of this process in ms (user + system): unlike wall time, it does not count the time the process
 * waited for a core, so the comparison holds on a busy machine. */
function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs both parsers alternately (so whatever the machine does hits both alike); median CPU time of each. */
function compare(chunks, bytes) {
  const times = [[], []];
  const outs = [];
  const fns = [runReference, runEsp];
  for (const fn of fns) {
    fn(chunks); // warm-up
    fn(chunks);
  }
  const deadline = Date.now() + 5000;
  let rounds = 0;
  while (rounds < 10 || (Date.now() < deadline && rounds < 40)) {
    rounds++;
    fns.forEach((fn, k) => {
      const t0 = cpuMs();
      outs[k] = fn(chunks);
      times[k].push(cpuMs() - t0);
    });
  }
  return times.map((list, k) => {
    list.sort((a, b) => a - b);
    const ms = list[Math.floor(list.length / 2)];
    return { ms, mbps: bytes / 1e6 / (ms / 1000), out: outs[k], rounds };
  });
}

// Each stream is measured in a fresh child process: the JIT state one stream leaves behind (functions optimised
// for short lines, then fed megabyte events) would otherwise tilt the result of the next one.
const streams = [manySmall, fewLarge];
const only = arg('--only');
if (only !== undefined) {
  const stream = streams[Number(only)]();
  const chunks = split(stream.bytes, stream.chunk);
  const [ref, other] = compare(chunks, stream.bytes.length);
  const ok = ref.out.n === stream.events && other.out.n === stream.events && ref.out.size === other.out.size;
  process.stdout.write(
    `${JSON.stringify({ name: stream.name, ok, ref: ref.mbps, other: other.mbps, detail: ok ? undefined : { ref: ref.out, other: other.out } })}\n`,
  );
} else {
  const { execFileSync } = require('node:child_process');
  const rows = streams.map((_, k) => {
    const out = execFileSync(process.execPath, [__filename, ...process.argv.slice(2), '--only', String(k)], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop());
    if (!r.ok) {
      console.error(`results differ on "${r.name}": ${JSON.stringify(r.detail)}`);
      process.exitCode = 1;
    }
    return r;
  });
  console.log(`SSE parser throughput, Node ${process.version}, eventsource-parser ${espVersion} (median CPU time of alternating runs)`);
  console.log('');
  const head = ['stream', 'reference MB/s', 'eventsource-parser MB/s', 'ratio ref/esp'];
  const table = rows.map((r) => [r.name, r.ref.toFixed(1), r.other.toFixed(1), `${(r.ref / r.other).toFixed(2)}×`]);
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i].length)));
  console.log(head.map((h, i) => h.padEnd(widths[i])).join('  '));
  for (const t of table) console.log(t.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}
