#!/usr/bin/env node
// Author tool: the h2-flow-control reference (or another implementation) against nghttp2, the C library most
// HTTP/2 servers and curl are built on, over h2c on loopback, both ways:
//   - its H2Server serving the `nghttp` client, which advertises windows from 1 octet to 1 MiB (-w/-W: 2^N-1) and sends
//     a 300 KB POST into a server with a 16-octet receive window; nghttp fails the connection on any flow-control
//     violation, so an exit code 0 and the same bytes mean the windows were kept and replenished;
//   - its H2Client fetching from `nghttpd` with small windows and concurrency limits on both sides.
//   node scripts/interop-nghttp2.js [--file path/to/h2-connection.ts]
// Needs nghttp and nghttpd (Debian: nghttp2-client, nghttp2-server). test/differential/nghttp2-interop.test.ts
// runs it in CI, where .ci/run installs them.
const path = require('node:path');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const crypto = require('node:crypto');
const { execFile, spawn, spawnSync } = require('node:child_process');
const { loadTs } = require('./differential-common');

const root = path.join(__dirname, '..');
const REFERENCE = path.join(root, 'solutions', '08-h2-flow-control', 'h2-connection.ts');
const GIVEN = path.join(root, 'exercises', '08-h2-flow-control');
const SIZES = [0, 1, 100, 16383, 16384, 16385, 65535, 65536, 70000, 200000, 1 << 20];

function available() {
  return ['nghttp', 'nghttpd'].every((b) => spawnSync(b, ['--version'], { stdio: 'ignore' }).status === 0);
}

function nghttp(args, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    execFile('nghttp', args, { encoding: 'buffer', maxBuffer: 1 << 26, timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ err: err ? (err.killed ? `no answer within ${timeoutMs / 1000} s` : `exit code ${err.code}`) : null, stdout, stderr: stderr.toString() });
    });
  });
}

async function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Waits until something accepts connections on the port (nghttpd starting). */
async function listening(port, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nghttpd did not listen on ${port} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function firstLines(text, n = 4) {
  return text.split('\n').filter(Boolean).slice(0, n).join(' | ');
}

async function run({ file = REFERENCE, log = () => {} } = {}) {
  const { H2Server, H2Client } = await loadTs(file, GIVEN);
  const checks = [];
  const check = (name, ok, detail = '') => {
    checks.push({ name, ok, detail });
    log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  };
  const bodies = new Map(SIZES.map((n, i) => [`/r${i}`, crypto.randomBytes(n)]));

  // 1. Our server, nghttp's client.
  const resources = Object.fromEntries([...bodies].map(([p, body]) => [p, { body, headers: { 'content-type': 'application/octet-stream' } }]));
  resources['/trailers'] = { body: Buffer.from('with trailers'), trailers: { 'x-checksum': 'c0ffee' } };
  for (const options of [{}, { initialWindowSize: 16, maxConcurrentStreams: 4 }]) {
    const server = new H2Server({ resources, ...options });
    const port = await server.listen(0);
    const base = `http://127.0.0.1:${port}`;
    const label = options.initialWindowSize ? 'server window 16, 4 streams at most' : 'server defaults';
    try {
      // -w20 -W16: 1 MiB stream windows over a 65 535-octet connection window, which the connection window must hold.
      for (const [w, W] of [
        [16, 16],
        [10, 10],
        [4, 14],
        [14, 4],
        [20, 16],
      ]) {
        const r = await nghttp(['-n', `-w${w}`, `-W${W}`, ...[...bodies.keys()].map((p) => base + p)]);
        check(`nghttp -w${w} -W${W} fetches all ${bodies.size} resources at once (${label})`, !r.err, r.err ? `${r.err} ${firstLines(r.stderr)}` : '');
      }
      const small = [...bodies.keys()].filter((p) => bodies.get(p).length <= 20_000);
      const r1 = await nghttp(['-n', '-w1', '-W1', ...small.map((p) => base + p)]);
      check(
        `nghttp with 1-octet windows (-w1 -W1) fetches ${small.length} small resources (${label})`,
        !r1.err,
        r1.err ? `${r1.err} ${firstLines(r1.stderr)}` : '',
      );
      let same = 0;
      for (const [p, body] of bodies) {
        const r = await nghttp(['-w12', '-W13', base + p]);
        if (!r.err && Buffer.compare(r.stdout, body) === 0) same++;
        else
          check(
            `GET ${p} (${body.length} octets) through nghttp -w12 -W13 (${label})`,
            false,
            r.err ? `${r.err} ${firstLines(r.stderr)}` : `${r.stdout.length} octets, not the resource's bytes`,
          );
      }
      check(`every resource arrives byte for byte through nghttp -w12 -W13 (${label})`, same === bodies.size, `${same}/${bodies.size}`);
      const post = crypto.randomBytes(300_000);
      const postFile = path.join(os.tmpdir(), `course-nghttp-post-${process.pid}.bin`);
      fs.writeFileSync(postFile, post);
      const rp = await nghttp(['-d', postFile, '-w10', `${base}/echo`]);
      fs.rmSync(postFile, { force: true });
      check(
        `a 300 000-octet POST is received (windows replenished) and echoed into nghttp's 1023-octet window (${label})`,
        !rp.err && Buffer.compare(rp.stdout, post) === 0,
        rp.err ? `${rp.err} ${firstLines(rp.stderr)}` : `${rp.stdout.length} octets back`,
      );
      const rm = await nghttp(['-n', '-m', '30', '-w8', `${base}/r8`]);
      check(`30 concurrent requests for one resource into 255-octet windows (${label})`, !rm.err, rm.err ? `${rm.err} ${firstLines(rm.stderr)}` : '');
      const rt = await nghttp(['-v', `${base}/trailers`]);
      check(`trailers reach nghttp (${label})`, !rt.err && /x-checksum: c0ffee/.test(rt.stdout.toString()), rt.err ?? '');
    } finally {
      await server.close();
    }
  }

  // 2. Our client, nghttpd's server.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'course-nghttpd-'));
  try {
    for (const [p, body] of bodies) fs.writeFileSync(path.join(dir, p.slice(1)), body);
    for (const [w, W, m, clientWindow, limit] of [
      [16, 16, 100, undefined, Infinity],
      [10, 12, 4, 1000, Infinity],
      [4, 10, 2, 16, 100_000],
      [14, 14, 100, 1, 5000],
    ]) {
      const port = await freePort();
      const daemon = spawn('nghttpd', ['--no-tls', '-d', dir, `-w${w}`, `-W${W}`, `-m${m}`, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      daemon.stderr.on('data', (c) => (stderr += c));
      const label = `nghttpd -w${w} -W${W} -m${m}, client window ${clientWindow ?? 'default'}`;
      const client = new H2Client(clientWindow === undefined ? {} : { initialWindowSize: clientWindow });
      try {
        await listening(port);
        await client.connect('127.0.0.1', port);
        const specs = [...bodies.keys()].filter((p) => bodies.get(p).length <= limit).map((p) => ({ path: p }));
        let timer;
        const results = await Promise.race([client.fetchAll(specs), new Promise((r) => (timer = setTimeout(() => r(null), 60_000)))]);
        clearTimeout(timer);
        if (!results) check(`${specs.length} requests at once (${label})`, false, 'no answers within 60 s');
        else {
          const bad = results.filter((r) => r.error || r.status !== 200 || Buffer.compare(Buffer.from(r.body), bodies.get(r.path)) !== 0);
          check(
            `${specs.length} requests at once, bodies byte for byte (${label})`,
            bad.length === 0,
            bad
              .slice(0, 3)
              .map((b) => `${b.path}: status ${b.status}, ${b.body.length} octets${b.error ? `, ${b.error.reason} ${b.error.code}` : ''}`)
              .join('; '),
          );
        }
      } catch (err) {
        check(`requests to nghttpd (${label})`, false, `${err && err.message}${stderr ? ` (nghttpd: ${firstLines(stderr, 2)})` : ''}`);
      } finally {
        await client.close().catch(() => undefined);
        daemon.kill();
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return checks;
}

module.exports = { run, available };

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      'usage: node scripts/interop-nghttp2.js [--file h2-connection.ts]\nNeeds nghttp and nghttpd (Debian: apt install nghttp2-client nghttp2-server).',
    );
    process.exit(0);
  }
  if (!available()) {
    console.error('interop: nghttp and nghttpd are needed (Debian: apt install nghttp2-client nghttp2-server)');
    process.exit(2);
  }
  const i = args.indexOf('--file');
  const started = Date.now();
  run({ file: i >= 0 ? path.resolve(args[i + 1]) : REFERENCE, log: (line) => console.log(line) }).then(
    (checks) => {
      const failed = checks.filter((c) => !c.ok).length;
      console.log(`${checks.length - failed}/${checks.length} interop checks with nghttp2 passed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      process.exit(failed ? 1 : 0);
    },
    (err) => {
      console.error(`interop: ${err && err.stack}`);
      process.exit(2);
    },
  );
}
