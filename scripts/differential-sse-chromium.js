#!/usr/bin/env node
// Author tool: a differential run of exercise 5's event-stream parser (the reference, or --file) against
// Chromium's own EventSource, on fresh random streams: data/event/id/retry fields, comments, unknown and
// misspelt field names, values with colons and spaces, every line ending (CR, LF, CRLF, and a CR cut from its LF),
// a BOM, multi-byte and invalid UTF-8, ids with U+0000, event types such as "error" and "open", and a last block
// the stream never finishes. Each stream is served by a node:http server on loopback to a headless Chromium page
// (playwright-core, the Debian chromium at /usr/bin/chromium; never a downloaded browser); the events Chromium
// dispatches (type, data, lastEventId) and the Last-Event-ID it sends when it reconnects must be what
// parseChunks() returns for the same bytes cut at random points.
//   node scripts/differential-sse-chromium.js [--cases N] [--seed S] [--file path/to/sse-consumer.ts]
// Every stream starts with "retry:1" (after the BOM, if any), so Chromium reconnects at once and reports the
// last event ID; reconnection times themselves are not compared.
/* global EventSource, MessageEvent -- the page script below runs in Chromium, where these exist */
const http = require('node:http');
const path = require('node:path');
const fs = require('node:fs');
const { loadTs, parseArgs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '05-sse-consumer', 'sse-consumer.ts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const FIELDS = [
  'data',
  'data',
  'data',
  'event',
  'id',
  'retry',
  ':',
  'Data',
  'data ',
  ' data',
  'ID',
  'foo',
  'dat',
  'eventx',
  '',
  'retrx',
  'retr',
  'retryy',
  'idd',
  'ix',
];
const TYPES = ['', 'message', 'update', 'error', 'open', 'x y', 'Ü', 'ping'];
const PIECES = ['a', 'b', ' ', '  ', ':', 'x:y', '0', '42', '-1', 'é', '€', '😀', '\u0000', '\ufeff', 'data:', '\t', 'id'];
const BAD_UTF8 = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf0, 0x9f]];

function available() {
  try {
    require.resolve('playwright-core');
  } catch {
    return false;
  }
  return fs.existsSync(CHROMIUM);
}

function generate(random, randomInt) {
  const pick = (list) => list[Math.floor(random() * list.length)];
  const parts = [];
  if (random() < 0.25) parts.push(Buffer.from('\ufeff'));
  parts.push(Buffer.from('retry:1\n'));
  const ending = () => pick(['\n', '\n', '\r', '\r\n']);
  const value = () => {
    const out = [];
    for (let n = randomInt(random, 0, 6); n > 0; n--) out.push(random() < 0.05 ? Buffer.from(pick(BAD_UTF8)) : Buffer.from(pick(PIECES)));
    return Buffer.concat(out);
  };
  const blocks = randomInt(random, 1, 6);
  for (let b = 0; b < blocks; b++) {
    for (let l = randomInt(random, 0, 5); l > 0; l--) {
      const field = pick(FIELDS);
      let line;
      if (field === 'event') line = Buffer.from(`event:${random() < 0.5 ? ' ' : ''}${pick(TYPES)}`);
      else if (field === 'retry') line = Buffer.from(`retry:${pick(['5', '10', '0', ' 7', '1x', '', '3.5', '20'])}`);
      else if (field === 'id' && random() < 0.5) line = Buffer.from(`id:${pick([' 1', '2', 'a\u0000b', '', ' ', 'é9'])}`);
      else if (random() < 0.1)
        line = Buffer.from(field); // a field with no colon
      else line = Buffer.concat([Buffer.from(`${field}:${random() < 0.6 ? ' ' : ''}`), value()]);
      parts.push(line, Buffer.from(ending()));
    }
    if (b < blocks - 1 || random() < 0.7) parts.push(Buffer.from(ending()));
  }
  const bytes = Buffer.concat(parts);
  const cuts = [];
  if (random() < 0.7) for (let at = randomInt(random, 1, 9); at < bytes.length; at += randomInt(random, 1, 9)) cuts.push(at);
  return { bytes, cuts };
}

function chunksOf(bytes, cuts) {
  const out = [];
  let at = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length]) {
    out.push(new Uint8Array(bytes.subarray(at, cut)));
    at = cut;
  }
  return out;
}

async function run({ cases = 300, seed = 1, file = REFERENCE, onProgress } = {}) {
  const { parseChunks } = await loadTs(file, path.join(root, 'exercises', '05-sse-consumer'));
  const { seededRandom, randomInt } = await loadTs(path.join(root, 'harness', 'support', 'random.ts'));
  const { chromium } = require('playwright-core');
  const streams = new Map();
  const reconnects = new Map();
  const server = http.createServer((req, res) => {
    const m = /^\/s\/(\d+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>sse</title>');
      return;
    }
    const id = Number(m[1]);
    if (reconnects.has(id) || !streams.has(id)) {
      res.writeHead(204).end();
      return;
    }
    const header = req.headers['last-event-id'];
    if (streams.get(id).served) {
      // The reconnect: what Chromium says the last event ID is; 204 stops it reconnecting again.
      reconnects.set(id, header === undefined ? '' : Buffer.from(header, 'latin1').toString('utf8'));
      res.writeHead(204).end();
      return;
    }
    streams.get(id).served = true;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    const { chunks } = streams.get(id);
    let i = 0;
    const next = () => {
      if (i >= chunks.length) return res.end();
      res.write(chunks[i++]);
      setImmediate(next);
    };
    next();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    const master = seededRandom(seed);
    for (let i = 0; i < cases; i++) {
      const caseSeed = 1 + Math.floor(master() * 2 ** 31);
      const { bytes, cuts } = generate(seededRandom(caseSeed), randomInt);
      const chunks = chunksOf(bytes, cuts);
      streams.set(i, { chunks: chunks.map((c) => Buffer.from(c)), served: false });
      const types = [
        ...new Set([...TYPES.filter(Boolean), 'message', ...(bytes.toString('utf8').match(/event: ?[^\r\n]*/g) ?? []).map((e) => e.replace(/^event: ?/, ''))]),
      ].filter(Boolean);
      const browserEvents = await page.evaluate(
        ({ url, types }) =>
          new Promise((resolve) => {
            const events = [];
            const source = new EventSource(url);
            const timer = setTimeout(() => {
              source.close();
              resolve({ events, timedOut: true });
            }, 10_000);
            for (const type of types) {
              source.addEventListener(type, (e) => {
                if (e instanceof MessageEvent) events.push({ type: e.type, data: e.data, lastEventId: e.lastEventId });
                else if (type === 'error' && source.readyState === EventSource.CLOSED) {
                  clearTimeout(timer);
                  resolve({ events });
                }
              });
            }
            if (!types.includes('error')) {
              source.addEventListener('error', () => {
                if (source.readyState === EventSource.CLOSED) {
                  clearTimeout(timer);
                  resolve({ events });
                }
              });
            }
          }),
        { url: `${base}/s/${i}`, types },
      );
      const ours = parseChunks(chunks, '');
      const want = JSON.stringify(browserEvents.events);
      const got = JSON.stringify(ours.events.map((e) => ({ type: e.type, data: e.data, lastEventId: e.lastEventId })));
      const lastId = reconnects.get(i);
      const problems = [];
      if (browserEvents.timedOut) problems.push('Chromium did not finish the stream within 10 s');
      if (want !== got) problems.push(`events differ:\n  Chromium: ${want}\n  parser:   ${got}`);
      // A header value loses its leading and trailing spaces and tabs on the way (HTTP's optional whitespace).
      if (lastId !== undefined && lastId !== ours.lastEventId.replace(/^[ \t]+|[ \t]+$/g, ''))
        problems.push(
          `the last event ID differs: Chromium reconnected with ${JSON.stringify(lastId)}, the parser ends with ${JSON.stringify(ours.lastEventId)}`,
        );
      if (problems.length) {
        return {
          disagreement: [
            `case ${i + 1} (run seed ${seed}, case seed ${caseSeed})`,
            `stream ${JSON.stringify(bytes.toString('latin1'))}`,
            `hex ${bytes.toString('hex')}`,
            `cut at ${JSON.stringify(cuts.slice(0, 40))}`,
            ...problems,
          ].join('\n'),
        };
      }
      streams.delete(i);
      if (onProgress && (i + 1) % 100 === 0) onProgress(i + 1);
    }
    return { agreed: cases, reconnects: reconnects.size };
  } finally {
    await browser.close();
    server.close();
  }
}

module.exports = { run, available };

if (require.main === module) {
  if (!available()) {
    console.error(`differential: needs playwright-core and Chromium at ${CHROMIUM} (Debian: apt install chromium)`);
    process.exit(2);
  }
  const args = parseArgs('node scripts/differential-sse-chromium.js [--cases N] [--seed S] [--file sse-consumer.ts]', REFERENCE);
  const started = Date.now();
  run({ ...args, onProgress: (n) => process.stderr.write(`${n}/${args.cases} streams agree\n`) }).then(
    (r) => {
      if (r.disagreement) {
        console.log(`DISAGREEMENT on ${r.disagreement}`);
        process.exit(1);
      }
      console.log(
        `${r.agreed} streams agree with Chromium's EventSource (${r.reconnects} reconnects with the last event ID checked; seed ${args.seed}, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
    },
    (err) => {
      console.error(`differential: ${err && err.stack}`);
      process.exit(2);
    },
  );
}
