#!/usr/bin/env node
// What long polling costs next to Server-Sent Events and WebSockets, on loopback: N clients follow one feed while
// a publisher sends M updates, at a steady pace and then in bursts. For each technique it prints the HTTP requests
// made per delivered update, the bytes on the wire per delivered update (both directions, headers included,
// counted by a TCP relay in front of each server) and the latency from publish() to delivery (p50, p99).
//
//   node bench/long-polling.js                                  # the reference (solutions/07-long-polling)
//   node bench/long-polling.js --impl exercises/07-long-polling # your implementation
//   node bench/long-polling.js --clients 100 --updates 300 --interval 20
//
// Long polling uses the implementation's UpdateServer and PollingClient (with undici's fetch); SSE is a plain
// node:http text/event-stream server read with undici's fetch; WebSockets use the ws package. All run in this one
// process, so the numbers compare the protocols' shapes (requests, bytes, wake-up path), not raw server speed.

const path = require('node:path');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const Module = require('node:module');
const { transformSync } = require('esbuild');
const { fetch, Agent } = require('undici');
const { WebSocketServer, WebSocket } = require('ws');

const root = path.resolve(__dirname, '..');
function arg(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}
if (process.argv.includes('--help')) {
  console.log('usage: node bench/long-polling.js [--impl <folder>] [--clients N] [--updates M] [--interval ms]');
  process.exit(0);
}
const impl = path.resolve(root, arg('--impl', 'solutions/07-long-polling'));
const CLIENTS = Number(arg('--clients', 50));
const UPDATES = Number(arg('--updates', 200));
const INTERVAL = Number(arg('--interval', 20));

function loadTs(file) {
  const { code } = transformSync(fs.readFileSync(file, 'utf8'), { loader: 'ts', format: 'cjs', target: 'node20' });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file)).concat(Module._nodeModulePaths(root));
  mod._compile(code, file);
  return mod.exports;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A TCP relay that counts the bytes in both directions. */
async function relay(targetPort) {
  const sockets = new Set();
  const stats = { bytes: 0 };
  const server = net.createServer((client) => {
    const up = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, up]) {
      s.setNoDelay(true);
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => (sockets.delete(s), client.destroy(), up.destroy()));
    }
    client.on('data', (c) => ((stats.bytes += c.length), up.write(c)));
    up.on('data', (c) => ((stats.bytes += c.length), client.write(c)));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    stats,
    close: () => new Promise((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

/** Publishes M updates: steady (one every INTERVAL ms) or in bursts of 10 back to back. */
async function publishAll(publish, pattern) {
  for (let n = 1; n <= UPDATES; n++) {
    publish({ n, at: performance.now() });
    if (pattern === 'steady') await sleep(INTERVAL);
    else if (n % 10 === 0) await sleep(INTERVAL * 10);
  }
}

function quantile(sorted, q) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : NaN;
}

async function untilAll(received, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (received.some((r) => r < UPDATES) && Date.now() < deadline) await sleep(20);
}

async function longPolling(pattern) {
  const { UpdateServer, PollingClient } = loadTs(path.join(impl, 'long-polling.ts'));
  const server = new UpdateServer({ holdMs: 25_000, maxBatch: 1000, maxWaiting: 100_000 });
  const port = await server.listen();
  const proxy = await relay(port);
  const dispatcher = new Agent({ connections: null, keepAliveTimeout: 30_000 });
  let requests = 0;
  const counting = (url, init) => (requests++, fetch(url, { ...init, dispatcher }));
  const latencies = [];
  const received = new Array(CLIENTS).fill(0);
  const clients = [];
  const loops = [];
  for (let i = 0; i < CLIENTS; i++) {
    const c = new PollingClient(`http://127.0.0.1:${proxy.port}/updates`, { fetch: counting, baseDelayMs: 20 });
    clients.push(c);
    loops.push(
      (async () => {
        for (;;) {
          const b = await c.next();
          if (!b) return;
          const now = performance.now();
          for (const u of b.updates ?? []) latencies.push(now - u.data.at);
          received[i] += (b.updates ?? []).length;
        }
      })(),
    );
  }
  while (server.waiting < CLIENTS) await sleep(5);
  const before = requests;
  const bytesBefore = proxy.stats.bytes;
  await publishAll((d) => server.publish(d), pattern);
  await untilAll(received);
  const result = { requests: requests - before, bytes: proxy.stats.bytes - bytesBefore, latencies, delivered: received.reduce((a, b) => a + b, 0) };
  clients.forEach((c) => c.stop());
  await Promise.allSettled(loops);
  await server.close();
  await proxy.close();
  await dispatcher.close();
  return result;
}

async function sse(pattern) {
  const streams = new Set();
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
    res.write(': open\n\n');
    streams.add(res);
    res.on('close', () => streams.delete(res));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const proxy = await relay(server.address().port);
  const dispatcher = new Agent({ connections: null });
  const latencies = [];
  const received = new Array(CLIENTS).fill(0);
  const controller = new AbortController();
  const loops = [];
  for (let i = 0; i < CLIENTS; i++) {
    loops.push(
      (async () => {
        const res = await fetch(`http://127.0.0.1:${proxy.port}/events`, { dispatcher, signal: controller.signal });
        const decoder = new TextDecoder();
        let buffer = '';
        try {
          for await (const chunk of res.body) {
            buffer += decoder.decode(chunk, { stream: true });
            let end;
            while ((end = buffer.indexOf('\n\n')) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              const data = block.split('\n').find((l) => l.startsWith('data: '));
              if (!data) continue;
              latencies.push(performance.now() - JSON.parse(data.slice(6)).at);
              received[i]++;
            }
          }
        } catch {
          /* aborted */
        }
      })(),
    );
  }
  while (streams.size < CLIENTS) await sleep(5);
  await sleep(50);
  const bytesBefore = proxy.stats.bytes;
  let id = 0;
  await publishAll((d) => {
    const text = `id: ${++id}\ndata: ${JSON.stringify(d)}\n\n`;
    for (const s of streams) s.write(text);
  }, pattern);
  await untilAll(received);
  const result = {
    requests: 0,
    bytes: proxy.stats.bytes - bytesBefore,
    latencies,
    delivered: received.reduce((a, b) => a + b, 0),
    note: `${CLIENTS} requests opened the streams`,
  };
  controller.abort();
  await Promise.allSettled(loops);
  for (const s of streams) s.destroy();
  await new Promise((r) => server.close(r));
  await proxy.close();
  await dispatcher.close();
  return result;
}

async function websocket(pattern) {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
  await new Promise((r) => wss.on('listening', r));
  const proxy = await relay(wss.address().port);
  const latencies = [];
  const received = new Array(CLIENTS).fill(0);
  const sockets = await Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, i) =>
        new Promise((resolve) => {
          const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/`, { perMessageDeflate: false });
          ws.on('message', (data) => {
            latencies.push(performance.now() - JSON.parse(String(data)).at);
            received[i]++;
          });
          ws.on('open', () => resolve(ws));
        }),
    ),
  );
  while (wss.clients.size < CLIENTS) await sleep(5);
  const bytesBefore = proxy.stats.bytes;
  await publishAll((d) => {
    const text = JSON.stringify(d);
    for (const c of wss.clients) c.send(text);
  }, pattern);
  await untilAll(received);
  const result = {
    requests: 0,
    bytes: proxy.stats.bytes - bytesBefore,
    latencies,
    delivered: received.reduce((a, b) => a + b, 0),
    note: `${CLIENTS} upgrade requests opened the sockets`,
  };
  sockets.forEach((s) => s.terminate());
  await new Promise((r) => wss.close(r));
  await proxy.close();
  return result;
}

(async () => {
  console.log(`${CLIENTS} clients, ${UPDATES} updates; steady = one every ${INTERVAL} ms, bursts = 10 back to back every ${INTERVAL * 10} ms`);
  console.log(`long polling: ${path.relative(root, impl)}; Node ${process.versions.node}\n`);
  const rows = [];
  for (const pattern of ['steady', 'bursts']) {
    for (const [name, run] of [
      ['long polling', longPolling],
      ['SSE', sse],
      ['WebSocket', websocket],
    ]) {
      const r = await run(pattern);
      const sorted = r.latencies.sort((a, b) => a - b);
      rows.push([
        pattern,
        name,
        `${r.delivered}/${CLIENTS * UPDATES}`,
        String(r.requests),
        (r.requests / r.delivered).toFixed(2),
        (r.bytes / r.delivered).toFixed(0),
        quantile(sorted, 0.5).toFixed(2),
        quantile(sorted, 0.99).toFixed(2),
      ]);
    }
  }
  const head = ['pattern', 'technique', 'delivered', 'requests', 'req/update', 'bytes/update', 'p50 ms', 'p99 ms'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  rows.forEach((r) => console.log(line(r)));
  console.log('\nrequests: HTTP requests made while the updates flowed (SSE and WebSocket made theirs before: one per client).');
  console.log('bytes/update: both directions through the counting relay, divided by the updates delivered.');
  console.log('latency: publish() to delivery in the client, same process and clock.');
})().catch((err) => {
  console.error(err);
  process.exit(1);
});
