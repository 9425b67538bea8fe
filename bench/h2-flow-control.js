#!/usr/bin/env node
// Download throughput of the reference H2Client (solutions/08-h2-flow-control) from a node:http2 server on
// loopback, for several receive windows, beside node's own client: how much the window size (and the round trip
// needed to refill it) costs. In-process, no sandbox.
//   node bench/h2-flow-control.js [--mb 20] [--runs 3]
// Prints MB/s (1 MB = 10^6 bytes), best of --runs runs after one warm-up run. The TypeScript solution is bundled
// on the fly with esbuild (a dependency of the course) together with the exercise's given helpers, the minified
// h2-codec.js and hpack.js that learners get (scripts/build-given.js).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http2 = require('node:http2');
const Module = require('node:module');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const arg = (name, fallback) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const mb = arg('mb', 20);
const runs = arg('runs', 3);

function loadSolution() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-h2fc-'));
  for (const f of ['h2-codec.js', 'hpack.js']) fs.copyFileSync(path.join(root, 'exercises/08-h2-flow-control', f), path.join(dir, f));
  fs.copyFileSync(path.join(root, 'solutions/08-h2-flow-control/h2-connection.ts'), path.join(dir, 'h2-connection.ts'));
  const file = path.join(dir, 'h2-connection.ts');
  const built = esbuild.buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', target: 'node20', write: false });
  fs.rmSync(dir, { recursive: true, force: true });
  const m = new Module(file);
  m.filename = file;
  m._compile(built.outputFiles[0].text, file);
  return m.exports;
}

const { H2Client } = loadSolution();
const body = Buffer.alloc(mb * 1e6, 0x61);

async function main() {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    stream.respond({ ':status': 200 });
    stream.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const port = server.address().port;

  const ours = (window) => async () => {
    const c = new H2Client({ initialWindowSize: window });
    await c.connect('127.0.0.1', port);
    const [r] = await c.fetchAll([{ path: '/' }]);
    await c.close();
    if (r.body.length !== body.length) throw new Error(`short body: ${r.body.length}`);
  };
  const node = (window) => async () => {
    const s = http2.connect(`http://127.0.0.1:${port}`, { settings: { initialWindowSize: window } });
    await new Promise((resolve, reject) => {
      const req = s.request({ ':path': '/' });
      let n = 0;
      req.on('data', (c) => (n += c.length));
      req.on('end', () => (n === body.length ? resolve() : reject(new Error(`short body: ${n}`))));
      req.on('error', reject);
    });
    s.close();
  };
  const cases = [];
  for (const window of [16_384, 65_535, 1_048_576]) {
    cases.push([`reference H2Client, stream window ${window}`, ours(window)]);
    cases.push([`node:http2 client,   stream window ${window}`, node(window)]);
  }
  console.log(`download of ${mb} MB from a node:http2 server on 127.0.0.1 (best of ${runs})`);
  console.log('case'.padEnd(48), 'MB/s'.padStart(8));
  for (const [name, run] of cases) {
    await run();
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      await run();
      best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
    }
    console.log(name.padEnd(48), (mb / best).toFixed(1).padStart(8));
  }
  await new Promise((r) => server.close(r));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
