#!/usr/bin/env node
// The lesson's "6 connections vs 1" (exercise 11, alpn), measured on the reference server (solutions/11-alpn):
// N resources that each wait delayMs at the server, fetched over HTTP/1.1 with six keep-alive connections (a
// browser's limit per origin) and over one h2 connection, both negotiated by ALPN on the same port. Prints the wall
// time of each (median of --runs runs, handshakes included) and the connections the server counted.
//   node bench/alpn.js [--runs 5]
// Needs the `openssl` command line (a throwaway CA, as the suite makes). Compiles the solution with esbuild.
'use strict';
const path = require('node:path');
const https = require('node:https');
const http2 = require('node:http2');
const fs = require('node:fs');
const os = require('node:os');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const at = process.argv.indexOf('--runs');
const runs = at > 0 ? Number(process.argv[at + 1]) : 5;

/** Compiles a TypeScript file of the project with esbuild into a temporary folder and requires it. */
function load(file) {
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bench-alpn-')), `${path.basename(file, '.ts')}.js`);
  esbuild.buildSync({ entryPoints: [path.join(root, file)], bundle: true, platform: 'node', format: 'cjs', target: 'node20', outfile, logLevel: 'warning' });
  try {
    return require(outfile);
  } finally {
    fs.rmSync(path.dirname(outfile), { recursive: true, force: true });
  }
}

const { AlpnServer } = load('solutions/11-alpn/alpn.ts');
const { makeThrowawayCa } = load('harness/support/throwaway-ca.ts');

function h1Get(port, p, agent) {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: p, agent }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

async function overH1(port, ca, n) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 6, ca, ALPNProtocols: ['http/1.1'] });
  const started = performance.now();
  await Promise.all(Array.from({ length: n }, (_, i) => h1Get(port, `/resource/${i}`, agent)));
  const ms = performance.now() - started;
  agent.destroy();
  return ms;
}

async function overH2(port, ca, n) {
  const started = performance.now();
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca });
  await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise((resolve, reject) =>
          session
            .request({ ':path': `/resource/${i}` })
            .on('error', reject)
            .resume()
            .on('end', resolve),
        ),
    ),
  );
  const ms = performance.now() - started;
  session.destroy();
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const ca = makeThrowawayCa('bench alpn');
  console.log(`resources  delay   http/1.1 (6 conns)   h2 (1 conn)   ratio   connections counted (h1 / h2)   [median of ${runs} runs]`);
  try {
    for (const [n, delayMs] of [
      [6, 100],
      [24, 100],
      [24, 150],
      [60, 50],
    ]) {
      const h1 = [];
      const h2 = [];
      let counted = '';
      for (let r = 0; r < runs; r++) {
        const server = new AlpnServer({ key: ca.key, cert: ca.cert, delayMs });
        const port = await server.listen();
        h1.push(await overH1(port, ca.caCert, n));
        const afterH1 = server.connections().length;
        h2.push(await overH2(port, ca.caCert, n));
        counted = `${afterH1} / ${server.connections().length - afterH1}`;
        await server.close();
      }
      const a = median(h1);
      const b = median(h2);
      console.log(
        `${String(n).padStart(9)}  ${String(delayMs).padStart(3)} ms  ${a.toFixed(0).padStart(16)} ms  ${b.toFixed(0).padStart(9)} ms  ${(a / b).toFixed(1).padStart(5)}×   ${counted.padStart(9)}`,
      );
    }
  } finally {
    ca.dispose();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
