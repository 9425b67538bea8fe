#!/usr/bin/env node
// Author tool: a differential run of exercise 2's FrameParser (the reference, or --file) against nghttp2's own
// server, nghttpd (Debian: nghttp2-server), on fresh random frames. Each case opens a raw TCP connection to nghttpd
// (plain-text h2c on loopback), sends the client preface, SETTINGS and a request on stream 1, then one to four
// random frames (every type, padding, priorities, header blocks continued in CONTINUATION frames, unknown types,
// oversized frames), each well formed or broken in exactly one way RFC 9113 gives an error code for (a stream that
// must or must not be 0, a length the type does not allow, padding that leaves no room, a header block interrupted
// or never opened, a SETTINGS value out of range, a zero window increment), and a PING last. What nghttpd answers
// (a GOAWAY with its code: a connection error; a RST_STREAM: a stream error; the PING's ACK: all accepted) must be
// what the parser reports first for the same bytes cut at random points (a stream error the parser reports may be
// a connection error for nghttp2, which RFC 9113 §5.4.1 allows).
//   node scripts/differential-frames-nghttp2.js [--cases N] [--seed S] [--file path/to/frame-parser.ts]
// node:http2 is not the peer here: Node's own nghttp2 callbacks answer several of these errors (HEADERS or SETTINGS
// on the wrong stream) with INTERNAL_ERROR.
// Kept out of the generator, because nghttp2 judges them by connection state or by extensions the exercise does
// not cover: frames on idle or closed streams, a client's PUSH_PROMISE, a stream depending on itself, window
// overflow, the extension settings 0x8 and 0x9, and the extension frame types ALTSVC, ORIGIN and PRIORITY_UPDATE.
const net = require('node:net');
const os = require('node:os');
const fs = require('node:fs');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { loadTs, parseArgs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '02-frame-parser', 'frame-parser.ts');
const nghttpdPath = ['/usr/sbin/nghttpd', '/usr/bin/nghttpd', '/usr/local/bin/nghttpd'].find((p) => fs.existsSync(p));
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const CODES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];
const TYPES = { DATA: 0, HEADERS: 1, PRIORITY: 2, RST_STREAM: 3, SETTINGS: 4, PUSH_PROMISE: 5, PING: 6, GOAWAY: 7, WINDOW_UPDATE: 8, CONTINUATION: 9 };
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k]));
// Extension types nghttp2 knows (ALTSVC 0xa, ORIGIN 0xc, PRIORITY_UPDATE 0x10) are left out; every other is unknown.
const UNKNOWN_TYPES = [0x0b, 0x0d, 0x0e, 0x0f, 0x11, 0x20, 0x7f, 0xfa, 0xff];
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY = 0x20;

/** A GET request's header block with no dynamic-table entries: :method GET, :scheme http, :path /, :authority. */
function requestBlock() {
  return Buffer.concat([Buffer.from([0x82, 0x86, 0x84, 0x01, 9]), Buffer.from('localhost')]);
}

function frameOf(type, flags, streamId, payload) {
  const h = Buffer.alloc(9);
  h.writeUIntBE(payload.length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([h, payload]);
}

function u32(v) {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}

/**
 * Random frames after the request on stream 1, each with a label for the report. A frame is broken in at most one
 * way (RFC 9113 does not order the checks: a PING on stream 1 with 4 octets may be a PROTOCOL_ERROR or a
 * FRAME_SIZE_ERROR), so each type draws one fault or none.
 */
function generate(r, randomInt) {
  // The reserved bit of the stream identifier, set now and then: a receiver ignores it (§4.1).
  const frame = (type, flags, streamId, payload) => frameOf(type, flags, (r() < 0.15 ? 0x80000000 : 0) | streamId, payload);
  const pick = (list) => list[randomInt(r, 0, list.length - 1)];
  const bytes = (n) => Buffer.from(Array.from({ length: n }, () => randomInt(r, 0, 255)));
  const fault = (...kinds) => (r() < 0.45 ? pick(kinds) : null);
  const out = [];
  let nextStream = 3;
  // Random flags besides the ones that matter, which the generator sets: never END_STREAM (it would close a stream
  // and make later frames a matter of stream state, which a frame parser does not know).
  const noise = () => (r() < 0.3 ? randomInt(r, 0, 255) & ~(END_STREAM | END_HEADERS | PADDED | PRIORITY) : 0);
  // [pad length] [fixed fields] [body] [padding]; broken: a pad length with no room for it.
  const padded = (body, fixed, flags, broken) => {
    if (!broken && r() < 0.5) return { payload: Buffer.concat([fixed, body]), flags, label: '' };
    const pad = randomInt(r, 0, 12);
    const room = body.length + pad;
    const padField = broken && room < 255 ? (r() < 0.5 ? room + 1 : randomInt(r, room + 1, 255)) : pad;
    const label = padField === pad ? `pad ${pad}` : `pad length ${padField} with room for ${room}`;
    return { payload: Buffer.concat([Buffer.from([padField]), fixed, body, Buffer.alloc(pad)]), flags: flags | PADDED, label };
  };
  const priorityFields = (own) => {
    let dep = randomInt(r, 0, 40);
    if (dep === own) dep = 0; // a stream depending on itself is a stream-state error (§5.3.1), not framing
    return Buffer.concat([u32((r() < 0.3 ? 0x80000000 : 0) | dep), Buffer.from([randomInt(r, 0, 255)])]);
  };
  const resized = (payload, short) => (short ? payload.subarray(0, randomInt(r, 0, payload.length - 1)) : Buffer.concat([payload, bytes(randomInt(r, 1, 4))]));
  let closed = false; // after RST_STREAM or GOAWAY nothing else is sent but the PING
  for (let n = randomInt(r, 1, 4); n > 0 && !closed; n--) {
    const kind = pick([
      'DATA',
      'DATA',
      'HEADERS',
      'HEADERS',
      'PRIORITY',
      'RST_STREAM',
      'SETTINGS',
      'SETTINGS',
      'PING',
      'GOAWAY',
      'WINDOW_UPDATE',
      'WINDOW_UPDATE',
      'CONTINUATION',
      'UNKNOWN',
      'OVERSIZED',
    ]);
    switch (kind) {
      case 'DATA': {
        const f = fault('stream 0', 'padding');
        const stream = f === 'stream 0' ? 0 : 1;
        const p = padded(bytes(randomInt(r, 0, 300)), Buffer.alloc(0), noise(), f === 'padding');
        out.push({ label: `DATA stream ${stream} ${p.label}`, bytes: frame(TYPES.DATA, p.flags, stream, p.payload) });
        break;
      }
      case 'HEADERS': {
        const f = fault('stream 0', 'padding', 'short priority', 'no END_HEADERS', 'interrupted block', 'continuation on another stream');
        const stream = f === 'stream 0' ? 0 : nextStream;
        nextStream += 2;
        const block = requestBlock();
        const withPriority = f === 'short priority' || r() < 0.4;
        const fixed = withPriority ? priorityFields(stream) : Buffer.alloc(0);
        const continued = f === 'interrupted block' || f === 'continuation on another stream' || r() < 0.35;
        const split = continued ? randomInt(r, 0, block.length - 1) : block.length;
        const flags = noise() | (withPriority ? PRIORITY : 0) | (!continued && f !== 'no END_HEADERS' ? END_HEADERS : 0);
        const p =
          f === 'short priority'
            ? { payload: fixed.subarray(0, randomInt(r, 0, 4)), flags, label: 'priority flag with no room for it' }
            : padded(block.subarray(0, split), fixed, flags, f === 'padding');
        out.push({
          label: `HEADERS stream ${stream}${withPriority ? ' priority' : ''}${p.flags & END_HEADERS ? ' END_HEADERS' : ''} ${p.label}`,
          bytes: frame(TYPES.HEADERS, p.flags, stream, p.payload),
        });
        if (continued && f !== 'stream 0' && f !== 'padding' && f !== 'short priority') {
          // The rest of the block in CONTINUATION frames; broken: a PING between them, or one on another stream.
          let at = split;
          let cuts = 0;
          while (at < block.length) {
            const to = r() < 0.5 ? block.length : randomInt(r, at, block.length);
            const last = to === block.length;
            if (f === 'interrupted block' && (last || cuts > 0)) {
              out.push({ label: 'PING inside the header block', bytes: frame(TYPES.PING, 0, 0, bytes(8)) });
              break;
            }
            const cs = f === 'continuation on another stream' && (last || cuts > 0) ? stream + 2 : stream;
            out.push({
              label: `CONTINUATION stream ${cs}${last ? ' END_HEADERS' : ''}`,
              bytes: frame(TYPES.CONTINUATION, noise() | (last ? END_HEADERS : 0), cs, block.subarray(at, to)),
            });
            if (cs !== stream) break;
            at = to;
            cuts++;
          }
        }
        break;
      }
      case 'PRIORITY': {
        const f = fault('stream 0', 'short', 'long');
        const stream = f === 'stream 0' ? 0 : pick([1, 1, 7, 9, 11]);
        let payload = priorityFields(stream);
        if (f === 'short' || f === 'long') payload = resized(payload, f === 'short');
        out.push({ label: `PRIORITY stream ${stream} length ${payload.length}`, bytes: frame(TYPES.PRIORITY, noise(), stream, payload) });
        break;
      }
      case 'RST_STREAM': {
        const f = fault('stream 0', 'short', 'long');
        const stream = f === 'stream 0' ? 0 : 1;
        let payload = u32(randomInt(r, 0, 13));
        if (f === 'short' || f === 'long') payload = resized(payload, f === 'short');
        out.push({ label: `RST_STREAM stream ${stream} length ${payload.length}`, bytes: frame(TYPES.RST_STREAM, noise(), stream, payload) });
        closed = true;
        break;
      }
      case 'SETTINGS': {
        const ackAllowed = !out.some((x) => x.ack); // one ACK of the server's SETTINGS at most
        const f = fault('stream', 'not a multiple of 6', 'ENABLE_PUSH', 'INITIAL_WINDOW_SIZE', 'MAX_FRAME_SIZE', ...(ackAllowed ? ['ACK with a payload'] : []));
        const stream = f === 'stream' ? pick([1, 3]) : 0;
        const ack = f === 'ACK with a payload' || (ackAllowed && !f && r() < 0.15);
        const entries = [];
        const entry = (id, value) => {
          const e = Buffer.alloc(6);
          e.writeUInt16BE(id);
          e.writeUInt32BE(value >>> 0, 2);
          entries.push(e);
        };
        for (let k = ack && f !== 'ACK with a payload' ? 0 : randomInt(r, f === 'ACK with a payload' ? 1 : 0, 4); k > 0; k--) {
          const id = pick([1, 2, 3, 4, 5, 6, 6, 0, 7, 0xa, 0x10, 0xf0f0, 0xffff]);
          if (id === 2) entry(id, randomInt(r, 0, 1));
          else if (id === 4) entry(id, pick([0, 1, 65535, 0x7fffffff, randomInt(r, 0, 1 << 20)]));
          else if (id === 5) entry(id, pick([16384, 16777215, randomInt(r, 16384, 1 << 20)]));
          else entry(id, pick([0, 1, 100, 4096, 0xffffffff, randomInt(r, 0, 0xffffff)]));
        }
        const bad = {
          ENABLE_PUSH: [2, pick([2, 3, 0xffffffff])],
          INITIAL_WINDOW_SIZE: [4, pick([0x80000000, 0xffffffff])],
          MAX_FRAME_SIZE: [5, pick([0, 16383, 16777216, 0xffffffff])],
        }[f];
        if (bad) {
          // nghttp2 keeps only the last value of a repeated setting before it checks them (RFC 9113 §6.5.2 wants
          // every value checked): the bad one is the only entry with its id.
          for (let k = entries.length - 1; k >= 0; k--) if (entries[k].readUInt16BE(0) === bad[0]) entries.splice(k, 1);
          entries.splice(randomInt(r, 0, entries.length), 0, (entry(...bad), entries.pop()));
        }
        let payload = Buffer.concat(entries);
        if (f === 'not a multiple of 6') payload = Buffer.concat([payload, bytes(randomInt(r, 1, 5))]);
        out.push({
          label: `SETTINGS stream ${stream}${ack ? ' ACK' : ''} length ${payload.length}${bad ? ` with a bad ${f}` : ''}`,
          ack,
          bytes: frame(TYPES.SETTINGS, (noise() & ~0x1) | (ack ? 0x1 : 0), stream, payload),
        });
        break;
      }
      case 'PING': {
        const f = fault('stream', 'length');
        const stream = f === 'stream' ? pick([1, 5]) : 0;
        const length = f === 'length' ? pick([0, 4, 7, 9, 16]) : 8;
        out.push({ label: `PING stream ${stream} length ${length}`, bytes: frame(TYPES.PING, r() < 0.3 ? 0x1 : 0, stream, bytes(length)) });
        break;
      }
      case 'GOAWAY': {
        const f = fault('stream', 'short');
        const stream = f === 'stream' ? 1 : 0;
        // The last stream id is 0 or even: a client's GOAWAY names server-initiated streams (nghttp2 checks it).
        const length = f === 'short' ? randomInt(r, 0, 7) : 8 + randomInt(r, 0, 20);
        const payload = Buffer.concat([u32(2 * randomInt(r, 0, 4)), u32(randomInt(r, 0, 13)), bytes(Math.max(0, length - 8))]).subarray(0, length);
        out.push({ label: `GOAWAY stream ${stream} length ${length}`, bytes: frame(TYPES.GOAWAY, noise(), stream, payload) });
        closed = true;
        break;
      }
      case 'WINDOW_UPDATE': {
        const f = fault('zero increment', 'short', 'long');
        const stream = pick([0, 1]);
        // Increments stay far below 2^31-1 - 65535: an overflow is flow-control state, not framing.
        let payload = u32((r() < 0.2 ? 0x80000000 : 0) | (f === 'zero increment' ? 0 : randomInt(r, 1, 1 << 20)));
        if (f === 'short' || f === 'long') payload = resized(payload, f === 'short');
        out.push({
          label: `WINDOW_UPDATE stream ${stream} length ${payload.length} increment ${payload.length === 4 ? payload.readUInt32BE(0) & 0x7fffffff : '-'}`,
          bytes: frame(TYPES.WINDOW_UPDATE, noise(), stream, payload),
        });
        break;
      }
      case 'CONTINUATION': {
        const stream = pick([1, 3, 0]);
        out.push({
          label: `CONTINUATION stream ${stream} with no header block open`,
          bytes: frame(TYPES.CONTINUATION, noise() | (r() < 0.5 ? END_HEADERS : 0), stream, requestBlock()),
        });
        break;
      }
      case 'UNKNOWN': {
        const type = pick(UNKNOWN_TYPES);
        const stream = pick([0, 1, 2, 3, 99]);
        out.push({
          label: `unknown type 0x${type.toString(16)} stream ${stream}`,
          bytes: frame(type, randomInt(r, 0, 255), stream, bytes(randomInt(r, 0, 64))),
        });
        break;
      }
      case 'OVERSIZED': {
        const type = pick([TYPES.DATA, TYPES.PING, TYPES.SETTINGS, TYPES.WINDOW_UPDATE, TYPES.PRIORITY, 0x0b]);
        const stream = type === TYPES.DATA || type === TYPES.PRIORITY || type === 0x0b ? 1 : 0;
        // Past 65535 now and then: the length field is 24 bits.
        const length = r() < 0.3 ? 65536 + randomInt(r, 0, 400) : 16384 + randomInt(r, 1, 3000);
        out.push({
          label: `${TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16)}`} stream ${stream} of ${length} octets (max 16384)`,
          bytes: frame(type, 0, stream, r() < 0.5 ? Buffer.alloc(length) : bytes(length)),
        });
        break;
      }
    }
  }
  return out;
}

/** What nghttp2 answered: the first GOAWAY (with a code), RST_STREAM, or the ACK of the final PING. */
function askNghttp2(port, bytes, pingData) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let buffered = Buffer.alloc(0);
    let done = false;
    const finish = (outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ kind: 'timeout' }), 5000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('error', () => finish({ kind: 'closed' }));
    socket.on('close', () => finish({ kind: 'closed' }));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 9) {
        const length = buffered.readUIntBE(0, 3);
        if (buffered.length < 9 + length) break;
        const type = buffered[3];
        const flags = buffered[4];
        const streamId = buffered.readUInt32BE(5) & 0x7fffffff;
        const payload = buffered.subarray(9, 9 + length);
        buffered = buffered.subarray(9 + length);
        if (type === TYPES.GOAWAY) {
          const code = payload.readUInt32BE(4);
          return finish(
            code === 0
              ? { kind: 'ok', via: 'GOAWAY NO_ERROR' }
              : { kind: 'error', scope: 'connection', code: CODES[code] ?? `0x${code.toString(16)}`, debug: payload.subarray(8).toString('latin1') },
          );
        }
        if (type === TYPES.RST_STREAM)
          return finish({ kind: 'error', scope: 'stream', code: CODES[payload.readUInt32BE(0)] ?? String(payload.readUInt32BE(0)), streamId });
        if (type === TYPES.PING && flags & 0x1 && payload.equals(pingData)) return finish({ kind: 'ok', via: 'PING ACK' });
      }
    });
  });
}

/** nghttpd, nghttp2's own server, in plain-text h2c mode on a free loopback port. */
async function startPeer() {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(nghttpdPath, ['--no-tls', '-d', os.tmpdir(), String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    if (await waitForPort(port, child)) {
      const version = spawnSync(nghttpdPath, ['--version'], { encoding: 'utf8' }).stdout.trim();
      return { name: version || 'nghttpd', port, close: () => child.kill('SIGKILL') };
    }
    child.kill('SIGKILL');
    if (attempt === 4) throw new Error(`nghttpd did not start: ${stderr.trim()}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child) {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.on('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.on('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function describe(outcome) {
  if (outcome.kind === 'error')
    return `${outcome.scope} error ${outcome.code}${outcome.streamId !== undefined ? ` on stream ${outcome.streamId}` : ''}${outcome.message ? ` (${outcome.message})` : ''}${outcome.debug ? ` (debug data "${outcome.debug}")` : ''}`;
  if (outcome.kind === 'ok') return 'no error';
  return outcome.kind;
}

async function run({ cases = 2000, seed = 1, file = REFERENCE, onProgress } = {}) {
  const { FrameParser } = await loadTs(file, path.join(root, 'exercises', '02-frame-parser'));
  const { seededRandom, randomInt } = await loadTs(path.join(root, 'harness', 'support', 'random.ts'));
  if (!nghttpdPath) throw new Error('nghttpd is not installed (Debian: apt-get install nghttp2-server)');
  const peer = await startPeer();
  const port = peer.port;
  const counts = {};
  try {
    const master = seededRandom(seed);
    for (let i = 0; i < cases; i++) {
      const caseSeed = 1 + Math.floor(master() * 2 ** 31);
      const r = seededRandom(caseSeed);
      const frames = generate(r, randomInt);
      const pingData = Buffer.from(`ping${String(i % 10000).padStart(4, '0')}`);
      const bytes = Buffer.concat([
        PREFACE,
        frameOf(TYPES.SETTINGS, 0, 0, Buffer.alloc(0)),
        frameOf(TYPES.HEADERS, END_HEADERS, 1, requestBlock()),
        ...frames.map((f) => f.bytes),
        frameOf(TYPES.PING, 0, 0, pingData),
      ]);
      const theirs = await askNghttp2(port, bytes, pingData);
      // The same bytes cut at random points.
      const parser = new FrameParser({ expectPreface: true });
      let ours = { kind: 'ok' };
      let at = 0;
      try {
        while (at < bytes.length && ours.kind === 'ok') {
          const to = r() < 0.3 ? bytes.length : Math.min(bytes.length, at + randomInt(r, 1, 64));
          for (const event of parser.push(bytes.subarray(at, to))) {
            if (event.type === 'error') {
              ours = { kind: 'error', scope: event.scope, code: event.code, message: event.message };
              break;
            }
          }
          at = to;
        }
      } catch (err) {
        ours = { kind: `threw ${err && err.message}` };
      }
      const key = describe({ ...theirs, streamId: undefined, debug: undefined, message: undefined });
      counts[key] = (counts[key] ?? 0) + 1;
      // RFC 9113 §5.4.1: an endpoint MAY treat a stream error as a connection error (nghttp2 does, for a PRIORITY
      // frame of the wrong length): the same code with the wider scope agrees; a narrower scope does not.
      const same =
        ours.kind === theirs.kind &&
        (ours.kind !== 'error' || (ours.code === theirs.code && (ours.scope === theirs.scope || (ours.scope === 'stream' && theirs.scope === 'connection'))));
      if (!same) {
        return {
          disagreement: [
            `case ${i + 1} (run seed ${seed}, case seed ${caseSeed}), after the preface, SETTINGS and HEADERS on stream 1:`,
            ...frames.map(
              (f) => `  ${f.label.trim()}: ${f.bytes.subarray(0, 48).toString('hex')}${f.bytes.length > 48 ? `... (${f.bytes.length} octets)` : ''}`,
            ),
            `  then PING ${pingData.toString('hex')}`,
            `${peer.name}: ${describe(theirs)}`,
            `parser:  ${describe(ours)}`,
          ].join('\n'),
        };
      }
      if (onProgress && (i + 1) % 500 === 0) onProgress(i + 1);
    }
  } finally {
    peer.close();
  }
  return { agreed: cases, outcomes: counts, peer: peer.name };
}

module.exports = { run, haveNghttpd: () => nghttpdPath !== undefined };

if (require.main === module) {
  const args = parseArgs('node scripts/differential-frames-nghttp2.js [--cases N] [--seed S] [--file frame-parser.ts]', REFERENCE);
  if (!nghttpdPath) {
    console.error("nghttpd is not installed: apt-get install nghttp2-server (Debian, Ubuntu) or your system's nghttp2 package");
    process.exit(2);
  }
  const started = Date.now();
  run({ ...args, onProgress: (n) => process.stderr.write(`${n}/${args.cases} cases agree\n`) }).then(
    (r) => {
      if (r.disagreement) {
        console.log(`DISAGREEMENT on ${r.disagreement}`);
        process.exit(1);
      }
      const table = Object.entries(r.outcomes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `  ${String(v).padStart(6)}  ${k}`)
        .join('\n');
      console.log(`${r.agreed} cases agree with ${r.peer} (seed ${args.seed}, ${((Date.now() - started) / 1000).toFixed(1)} s); nghttp2's answers:\n${table}`);
      process.exit(0);
    },
    (err) => {
      console.error(`differential: ${err && err.stack}`);
      process.exit(2);
    },
  );
}
