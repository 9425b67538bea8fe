// Suite of exercise 11, alpn: one TLS port serving HTTP/2 and HTTP/1.1, chosen in the handshake (RFC 7301,
// RFC 9113 §3.2-3.3). The learner's AlpnServer runs in the sandbox on 127.0.0.1:0 with a certificate from a
// throwaway CA this suite makes (harness/support/throwaway-ca.ts); real clients on the trusted side connect to it:
// curl, nghttp, openssl s_client, Node's https and http2, headless Chromium. The learner's client is run against
// TLS servers of this suite that record its offer and choose on command. Both sides are in the run's network
// namespace (the sandbox host is a child of this process), so loopback reaches the learner's port. Every failure
// shows the ClientHello's ALPN list and the server's choice (or the alert) as the peer saw them.

import { createHash, createPublicKey } from 'node:crypto';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { RemoteError, type Remote } from '../sandbox/client';
import { useSandbox } from '../support/sandbox';
import { makeThrowawayCa, opensslAvailable, type ThrowawayCa } from '../support/throwaway-ca';
import { chromiumAvailable, CHROMIUM, commandWorks, runTool, toolDescribe, type ToolRun } from '../support/peer-tools';

const sandbox = useSandbox({ callTimeoutMs: 5000 });

const haveOpenssl = opensslAvailable();
const haveCurl = commandWorks('curl');
const haveNghttp = commandWorks('nghttp');
const haveChromium = chromiumAvailable();

function fail(lines: Array<string | undefined>): never {
  throw new Error(lines.filter((l) => l !== undefined).join('\n'));
}

function describeThrown(err: unknown): string {
  if (err instanceof RemoteError) return `threw ${err.name}${err.code ? ` with code ${err.code}` : ' without a code'}: ${err.remoteMessage}`;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

const show = (v: unknown): string => (v === undefined ? 'undefined' : JSON.stringify(v));

/** The handshake as the peer saw it, for every failure message. */
function handshake(offered: string[] | 'none', outcome: string): string {
  return `  ClientHello ALPN: ${offered === 'none' ? '(no ALPN extension)' : `[${offered.join(', ')}]`}\n  server's answer:  ${outcome}`;
}

/** The lines of a tool's output that tell about the handshake and the protocol. */
function toolEvidence(run: ToolRun): string[] {
  const lines = `${run.stderr}\n${run.stdout}`
    .split('\n')
    .filter((l) => /ALPN|alert|negotiated protocol|using HTTP|^[<>] (GET|HTTP)|HTTP\/[12]|error|refused|certificate verify|SSL alert|SSL routines/i.test(l))
    .slice(0, 14)
    .map((l) => `    ${l.trim().slice(0, 160)}`);
  return [`  what the tool printed about it (exit code ${run.code}${run.timedOut ? ', killed after its timeout' : ''}):`, ...lines];
}

let ca: ThrowawayCa;
let otherCa: ThrowawayCa;
let learnerServer: Remote | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(() => {
  if (!haveOpenssl) return;
  ca = makeThrowawayCa('course');
  otherCa = makeThrowawayCa('some other');
});

afterAll(() => {
  ca?.dispose();
  otherCa?.dispose();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  const server = learnerServer;
  learnerServer = undefined;
  if (server) await server.callWithin(3000, 'close').catch(() => undefined);
});

/** Starts the learner's AlpnServer in the sandbox with the throwaway CA's certificate; returns its port. */
async function startServer(delayMs = 0): Promise<number> {
  learnerServer = await sandbox().construct('AlpnServer', { key: ca.key, cert: ca.cert, host: '127.0.0.1', port: 0, delayMs });
  const port = await learnerServer.call('listen');
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
    fail([`AlpnServer.listen() must resolve with the port it listens on; it resolved with ${show(port)}`]);
  }
  return port;
}

interface Record_ {
  protocol: string;
  requests: number;
}

async function connectionsOf(server: Remote): Promise<Record_[]> {
  const records = await server.call('connections');
  if (!Array.isArray(records)) fail([`connections() must return an array of { protocol, requests }; it returned ${show(records)}`]);
  return records as Record_[];
}

// ----------------------------------------------------------------------------------------------------------------
// Node clients of the suite
// ----------------------------------------------------------------------------------------------------------------

interface NodeAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** What the client's TLS socket negotiated (false: no ALPN). */
  alpn: string | false;
}

/** One request over node:https: no ALPN unless `alpn` is given (Node's https client sends none by default). */
function httpsRequest(port: number, path: string, options: { alpn?: string[]; method?: string; agent?: https.Agent } = {}): Promise<NodeAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        ca: ca.caCert,
        ...(options.agent ? { agent: options.agent } : { agent: false }),
        ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        // (Read now: a keep-alive socket goes back to its agent at the end of the response.)
        const alpn = (res.socket as tls.TLSSocket).alpnProtocol ?? false;
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), alpn }));
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error('no answer within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** An HTTP/2 session of node:http2 to the learner's port, closed after the test. */
async function h2Session(port: number): Promise<http2.ClientHttp2Session> {
  const session = http2.connect(`https://127.0.0.1:${port}`, { ca: ca.caCert });
  cleanups.push(() => {
    session.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  return session;
}

function h2Get(session: http2.ClientHttp2Session, path: string, method = 'GET'): Promise<NodeAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': method, ':path': path }, { endStream: true });
    const chunks: Buffer[] = [];
    let status = 0;
    let headers: Record<string, string | string[] | undefined> = {};
    stream.on('response', (h) => {
      status = Number(h[':status']);
      headers = h as Record<string, string | string[] | undefined>;
    });
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ status, headers, body: Buffer.concat(chunks).toString('utf8'), alpn: session.alpnProtocol ?? false }));
    stream.on('error', reject);
    stream.setTimeout(10_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
  });
}

// ----------------------------------------------------------------------------------------------------------------
// selectProtocol: pure
// ----------------------------------------------------------------------------------------------------------------

describe('selectProtocol: the server chooses (RFC 7301 §3.2)', () => {
  const cases = (list: Array<[string[], string[] | undefined, string | undefined]>) => list;

  test("the server's preference order wins over the client's (RFC 7301 §3.2) {R11.1}", async () => {
    for (const [offered, supported, expected] of cases([
      [['h2', 'http/1.1'], undefined, 'h2'],
      [['http/1.1', 'h2'], undefined, 'h2'],
      [['spdy/3.1', 'http/1.1'], undefined, 'http/1.1'],
      [['h2'], undefined, 'h2'],
      [['h2', 'http/1.1'], ['http/1.1', 'h2'], 'http/1.1'],
      [['x-b', 'x-a', 'x-c'], ['x-a', 'x-b'], 'x-a'],
    ])) {
      const got = supported ? await sandbox().invoke('selectProtocol', offered, supported) : await sandbox().invoke('selectProtocol', offered);
      if (got !== expected) {
        fail([
          `selectProtocol(${show(offered)}${supported ? `, ${show(supported)}` : ''}) returned ${show(got)}; expected ${show(expected)}`,
          "  the server walks its own list (supported, most preferred first) and takes the first entry the client offered; the client's order does not decide",
        ]);
      }
    }
  });

  test('protocol names are compared octet for octet (RFC 7301 §3.1) {R11.2}', async () => {
    for (const [offered, expected] of [
      [['H2', 'http/1.1'], 'http/1.1'],
      [['H2', 'HTTP/1.1'], undefined],
      [['h2 ', 'http/1.1 '], undefined],
    ] as Array<[string[], string | undefined]>) {
      const got = await sandbox().invoke('selectProtocol', offered);
      if (got !== expected) fail([`selectProtocol(${show(offered)}) returned ${show(got)}; expected ${show(expected)}`, '  ALPN names are opaque octet strings: "H2" is not "h2"']);
    }
  });

  test('no overlap is undefined, never a fallback (RFC 7301 §3.2) {R11.3}', async () => {
    for (const offered of [['spdy/3.1', 'h3'], ['hq-interop'], []]) {
      const got = await sandbox().invoke('selectProtocol', offered);
      if (got !== undefined) fail([`selectProtocol(${show(offered)}) returned ${show(got)}; expected undefined`, '  with no protocol in common the server must refuse (alert 120), not pick one the client did not offer']);
    }
  });
});

// ----------------------------------------------------------------------------------------------------------------
// The server against real peers
// ----------------------------------------------------------------------------------------------------------------

const needsOpenssl = toolDescribe(haveOpenssl, 'openssl (to make the throwaway CA: apt-get install -y openssl)', '{R11.4,R11.5,R11.6,R11.7,R11.8,R11.9,R11.10,R11.11,R11.12,R11.13,R11.14,R11.16,R11.17,R11.18}');

needsOpenssl('the server against real clients', () => {
  toolDescribe(haveCurl, 'curl (apt-get install -y curl)', '{R11.1,R11.4,R11.5}')('curl', () => {
    const curl = async (port: number, flag: string[]) =>
      runTool('curl', ['-sS', '-v', ...flag, '--cacert', ca.caFile, '-w', '\n%{http_version}', `https://127.0.0.1:${port}/protocol`]);

    test.each([
      ['--http2', ['h2', 'http/1.1'], 'h2', '2'],
      ['--http1.1', ['http/1.1'], 'http/1.1', '1.1'],
    ])('curl %s gets the protocol it asked for (RFC 7301 §3.2, RFC 9113 §3.2) {R11.1,R11.5,R11.6}', async (flag, offered, expected, version) => {
      const port = await startServer();
      const run = await curl(port, [flag]);
      const [body, httpVersion] = run.stdout.split('\n');
      if (run.code !== 0 || body !== expected || httpVersion !== version) {
        fail([
          `curl ${flag} https://127.0.0.1:${port}/protocol: expected HTTP version ${version} and the body "${expected}"; got version ${show(httpVersion)} and body ${show(body)}`,
          handshake(offered, /ALPN: server accepted (\S+)/.exec(run.stderr)?.[1] ?? 'no protocol accepted (see below)'),
          ...toolEvidence(run),
        ]);
      }
    });

    test('curl --no-alpn gets HTTP/1.1 (RFC 9113 §3.2) {R11.4}', async () => {
      const port = await startServer();
      const run = await curl(port, ['--no-alpn']);
      const [body, httpVersion] = run.stdout.split('\n');
      if (run.code !== 0 || body !== 'http/1.1' || httpVersion !== '1.1') {
        fail([
          `curl --no-alpn: a client that sends no ALPN must be served HTTP/1.1; got version ${show(httpVersion)} and body ${show(body)}`,
          handshake('none', run.code === 0 ? 'no ALPN, then the connection above' : 'the connection failed'),
          ...toolEvidence(run),
        ]);
      }
    });
  });

  toolDescribe(haveNghttp, 'nghttp (apt-get install -y nghttp2-client)', '{R11.5}')('nghttp', () => {
    test('nghttp (HTTP/2 only) negotiates h2 and gets its answer (RFC 9113 §3.3) {R11.5,R11.6}', async () => {
      const port = await startServer();
      const url = `https://127.0.0.1:${port}/protocol`;
      const verbose = await runTool('nghttp', ['-v', url]);
      const negotiated = /The negotiated protocol: (\S+)/.exec(verbose.stdout)?.[1];
      const plain = await runTool('nghttp', [url]);
      if (negotiated !== 'h2' || plain.stdout !== 'h2') {
        fail([
          `nghttp ${url}: expected ALPN h2 and the body "h2"; got ${negotiated ? `ALPN ${negotiated}` : 'no negotiated protocol'} and body ${show(plain.stdout.slice(0, 80))}`,
          handshake(['h2'], negotiated ?? 'nothing (see below)'),
          ...toolEvidence(verbose),
        ]);
      }
    });
  });

  describe('openssl s_client', () => {
    const sClient = (port: number, alpn: string) => runTool('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-alpn', alpn, '-CAfile', ca.caFile]);
    const chosen = (run: ToolRun) => /ALPN protocol: (\S+)/.exec(run.stdout)?.[1];
    const alerted = (run: ToolRun) => /alert number 120|no application protocol/i.test(run.stderr);

    test.each([
      ['h2,http/1.1', 'h2'],
      ['http/1.1,h2', 'h2'],
      ['http/1.1', 'http/1.1'],
      ['H2,http/1.1', 'http/1.1'],
      ['spdy/3.1,http/1.1', 'http/1.1'],
    ])('-alpn %s: the server chooses %s (RFC 7301 §3.2) {R11.1,R11.2}', async (alpn, expected) => {
      const port = await startServer();
      const run = await sClient(port, alpn);
      if (chosen(run) !== expected) {
        fail([
          `openssl s_client -alpn ${alpn}: the server must choose ${expected} (its own preference: h2, then http/1.1; names compared exactly)`,
          handshake(alpn.split(','), chosen(run) ?? (alerted(run) ? 'alert 120 no_application_protocol' : 'no ALPN in the answer')),
          ...toolEvidence(run),
        ]);
      }
    });

    test.each([['spdy/3.1,h3'], ['H2,HTTP/1.1']])('-alpn %s (no overlap) is refused with alert 120 no_application_protocol (RFC 7301 §3.2) {R11.3}', async (alpn) => {
      const port = await startServer();
      const run = await sClient(port, alpn);
      if (!alerted(run) || chosen(run)) {
        fail([
          `openssl s_client -alpn ${alpn}: none of these is h2 or http/1.1, so the handshake must end with the fatal alert no_application_protocol (120)`,
          handshake(alpn.split(','), chosen(run) ? `chose ${chosen(run)}` : 'no ALPN, and no alert: the handshake went on'),
          ...toolEvidence(run),
        ]);
      }
    });
  });

  describe('Node clients', () => {
    test("node:https (which sends no ALPN) is served HTTP/1.1 (RFC 9113 §3.2) {R11.4,R11.6}", async () => {
      const port = await startServer();
      const a = await httpsRequest(port, '/protocol').catch((err: Error) => fail([`node:https GET /protocol failed: ${err.message}`, handshake('none', 'the connection failed')]));
      if (a.status !== 200 || a.body !== 'http/1.1') {
        fail([`node:https GET /protocol: expected 200 "http/1.1", got ${a.status} ${show(a.body)}`, handshake('none', a.alpn === false ? 'no ALPN' : `chose ${a.alpn}`)]);
      }
    });

    test('node:http2 gets h2 and several requests share one connection (RFC 9113 §3.3) {R11.5,R11.6,R11.10}', async () => {
      const port = await startServer();
      const session = await h2Session(port);
      const answers = await Promise.all(['/protocol', '/resource/1', '/resource/2', '/protocol', '/resource/3'].map((p) => h2Get(session, p)));
      const bodies = answers.map((a) => `${a.status} ${a.body}`);
      const expected = ['200 h2', '200 resource 1', '200 resource 2', '200 h2', '200 resource 3'];
      if (session.alpnProtocol !== 'h2' || show(bodies) !== show(expected)) {
        fail([`node:http2: five requests on one session; expected ${show(expected)}, got ${show(bodies)}`, handshake(['h2'], String(session.alpnProtocol))]);
      }
      const records = await connectionsOf(learnerServer!);
      if (show(records) !== show([{ protocol: 'h2', requests: 5 }])) {
        fail([
          `connections() after one node:http2 session with five requests: expected [{"protocol":"h2","requests":5}], got ${show(records)}`,
          '  one record per accepted connection (not per request), with the protocol it speaks and the requests it carried',
        ]);
      }
    });
  });

  toolDescribe(haveChromium, `Chromium at ${CHROMIUM} with playwright-core (apt-get install -y chromium)`, '{R11.1,R11.5}')('Chromium', () => {
    test("headless Chromium's own ALPN ends on h2 (RFC 7301 §3.2, RFC 9113 §3.2) {R11.1,R11.5,R11.6}", async () => {
      const port = await startServer();
      // Trust exactly this server key for this browser profile: its SPKI hash, not every certificate error.
      const spki = createHash('sha256')
        .update(createPublicKey(ca.cert).export({ type: 'spki', format: 'der' }))
        .digest('base64');
      const { chromium } = require('playwright-core') as typeof import('playwright-core');
      const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', `--ignore-certificate-errors-spki-list=${spki}`] });
      cleanups.push(() => browser.close());
      const page = await browser.newPage();
      const response = await page.goto(`https://127.0.0.1:${port}/protocol`, { timeout: 20_000 });
      const body = (await response?.text()) ?? '';
      // (A string, evaluated in the page: this file is type-checked without the DOM's types.)
      const nextHop = String(await page.evaluate("performance.getEntriesByType('navigation')[0]?.nextHopProtocol ?? ''"));
      if (response?.status() !== 200 || body !== 'h2' || nextHop !== 'h2') {
        fail([
          `Chromium loaded https://127.0.0.1:${port}/protocol: expected 200 "h2" over h2; got ${response?.status()} ${show(body)} over ${show(nextHop)}`,
          handshake(['h2', 'http/1.1'], nextHop || 'unknown'),
          '  (Chromium offers h2 first and http/1.1 second; a server that follows its own preference ends on h2)',
        ]);
      }
    });
  });
});

// ----------------------------------------------------------------------------------------------------------------
// Routes, bookkeeping, close
// ----------------------------------------------------------------------------------------------------------------

needsOpenssl('the same routes over both protocols', () => {
  /** Runs `path` over h2 (node:http2) and over HTTP/1.1 (node:https offering http/1.1). */
  async function both(port: number, path: string, method = 'GET'): Promise<Array<[string, NodeAnswer]>> {
    const session = await h2Session(port);
    const h2 = await h2Get(session, path, method);
    const h1 = await httpsRequest(port, path, { alpn: ['http/1.1'], method });
    return [
      ['h2', h2],
      ['http/1.1', h1],
    ];
  }

  test('GET /resource/N answers "resource N" after delayMs, on both protocols {R11.7}', async () => {
    const delayMs = 300;
    const port = await startServer(delayMs);
    for (const [n, protocol] of [
      ['7', 'h2'],
      ['0042', 'http/1.1'],
    ] as const) {
      const started = performance.now();
      const a = protocol === 'h2' ? await h2Get(await h2Session(port), `/resource/${n}`) : await httpsRequest(port, `/resource/${n}`, { alpn: ['http/1.1'] });
      const elapsed = performance.now() - started;
      if (a.status !== 200 || a.body !== `resource ${n}` || elapsed < delayMs - 1) {
        fail([
          `GET /resource/${n} over ${protocol} with delayMs ${delayMs}: expected 200 "resource ${n}" after at least ${delayMs} ms; got ${a.status} ${show(a.body)} after ${elapsed.toFixed(0)} ms`,
        ]);
      }
    }
  });

  test('any other path answers 404, on both protocols {R11.8}', async () => {
    const port = await startServer();
    for (const path of ['/', '/nope', '/protocol/x', '/resource/', '/resource/x1', '/resource/3/4', '/resource/12?x=1']) {
      for (const [protocol, a] of await both(port, path)) {
        if (a.status !== 404) fail([`GET ${path} over ${protocol}: expected 404, got ${a.status} ${show(a.body.slice(0, 80))}`, '  the routes are /protocol and /resource/N (digits only); everything else is 404']);
      }
    }
  });

  test('a method other than GET answers 405 with allow: GET, on both protocols (RFC 9110 §15.5.6) {R11.9}', async () => {
    const port = await startServer();
    for (const method of ['POST', 'DELETE']) {
      for (const [protocol, a] of await both(port, '/protocol', method)) {
        if (a.status !== 405 || a.headers.allow !== 'GET') fail([`${method} /protocol over ${protocol}: expected 405 with allow: GET, got ${a.status} with allow ${show(a.headers.allow)}`]);
      }
    }
  });

  test('connections() records each connection with its protocol and request count {R11.10}', async () => {
    const port = await startServer();
    const session = await h2Session(port);
    for (let i = 0; i < 3; i++) await h2Get(session, '/protocol');
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: ca.caCert, ALPNProtocols: ['http/1.1'] });
    cleanups.push(() => agent.destroy());
    for (let i = 0; i < 2; i++) await httpsRequest(port, '/protocol', { agent });
    await httpsRequest(port, '/resource/1');
    const records = await connectionsOf(learnerServer!);
    const expected = [
      { protocol: 'h2', requests: 3 },
      { protocol: 'http/1.1', requests: 2 },
      { protocol: 'http/1.1', requests: 1 },
    ];
    if (show(records) !== show(expected)) {
      fail([
        `connections() after three connections: expected ${show(expected)}, got ${show(records)}`,
        '  the connections were: node:http2 (ALPN h2) with 3 requests; node:https with keep-alive (ALPN http/1.1) with 2 requests on one socket; node:https without ALPN with 1 request',
      ]);
    }
  });

  test('close() ends open HTTP/2 and HTTP/1.1 connections and resolves {R11.11}', async () => {
    const port = await startServer();
    const session = await h2Session(port);
    await h2Get(session, '/protocol');
    const agent = new https.Agent({ keepAlive: true, ca: ca.caCert, ALPNProtocols: ['http/1.1'] });
    cleanups.push(() => agent.destroy());
    let h1Socket: tls.TLSSocket | undefined;
    agent.on('free', (socket: tls.TLSSocket) => (h1Socket = socket));
    await httpsRequest(port, '/protocol', { agent });
    const sessionClosed = new Promise<void>((resolve) => session.once('close', () => resolve()));
    const socketClosed = new Promise<void>((resolve) => (h1Socket?.destroyed ? resolve() : h1Socket?.once('close', () => resolve())));
    const server = learnerServer!;
    learnerServer = undefined;
    try {
      await server.callWithin(4000, 'close');
    } catch (err) {
      fail([`close() with one idle HTTP/2 session and one idle keep-alive HTTP/1.1 connection open ${describeThrown(err)}`, '  a server does not finish closing while connections are open: end them (sessions and sockets) first']);
    }
    const closed = await Promise.race([Promise.all([sessionClosed, socketClosed]).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
    if (!closed) fail(['close() resolved, but the HTTP/2 session or the HTTP/1.1 connection was still open 3 s later']);
  });

  test('6 connections vs 1: 24 slow resources over six HTTP/1.1 connections and over one h2 connection {R11.10,R11.7}', async () => {
    const n = 24;
    const delayMs = 150;
    const port = await startServer(delayMs);
    const paths = Array.from({ length: n }, (_, i) => `/resource/${i + 1}`);

    const agent = new https.Agent({ keepAlive: true, maxSockets: 6, ca: ca.caCert, ALPNProtocols: ['http/1.1'] });
    cleanups.push(() => agent.destroy());
    let started = performance.now();
    const h1 = await Promise.all(paths.map((p) => httpsRequest(port, p, { agent })));
    const h1Ms = performance.now() - started;
    const afterH1 = await connectionsOf(learnerServer!);

    started = performance.now();
    const session = await h2Session(port);
    const h2 = await Promise.all(paths.map((p) => h2Get(session, p)));
    const h2Ms = performance.now() - started;
    const all = await connectionsOf(learnerServer!);
    const afterH2 = all.slice(afterH1.length);

    const table = [
      `  protocol   connections  requests  time (${n} resources, ${delayMs} ms each at the server)`,
      `  http/1.1   ${String(afterH1.length).padStart(11)}  ${String(afterH1.reduce((s, r) => s + (r.requests ?? 0), 0)).padStart(8)}  ${h1Ms.toFixed(0)} ms`,
      `  h2         ${String(afterH2.length).padStart(11)}  ${String(afterH2.reduce((s, r) => s + (r.requests ?? 0), 0)).padStart(8)}  ${h2Ms.toFixed(0)} ms`,
    ];
    const bodies = [...h1, ...h2].filter((a, i) => a.body !== `resource ${(i % n) + 1}`);
    if (bodies.length) fail([`${bodies.length} of the ${2 * n} answers had the wrong body (first: ${show(bodies[0]!.body)})`, ...table]);
    const h1Ok = afterH1.length === 6 && afterH1.every((r) => r.protocol === 'http/1.1' && r.requests === n / 6);
    const h2Ok = afterH2.length === 1 && afterH2[0]!.protocol === 'h2' && afterH2[0]!.requests === n;
    if (!h1Ok || !h2Ok) {
      fail([
        `connections() disagrees with what the clients did: ${n} requests over six HTTP/1.1 keep-alive connections (one request at a time each, so ${n / 6} each), then ${n} requests at once over one h2 connection`,
        ...table,
        `  connections() returned ${show(all)}`,
      ]);
    }
  });
});

// ----------------------------------------------------------------------------------------------------------------
// The client against the suite's own TLS servers
// ----------------------------------------------------------------------------------------------------------------

/** What the suite's TLS server should answer in the handshake: a protocol, undefined (alert 120), or no ALPN at all. */
type Choice = { kind: 'choose'; protocol: string } | { kind: 'refuse' } | { kind: 'no-alpn' };

interface SuiteServer {
  port: number;
  /** The ALPN list of every ClientHello, as the server saw it. */
  offers: string[][];
  /** Every request served: which protocol carried it and its path. */
  served: Array<{ over: string; path: string }>;
}

async function suiteServer(choice: Choice, identity: ThrowawayCa = ca): Promise<SuiteServer> {
  const state: Omit<SuiteServer, 'port'> = { offers: [], served: [] };
  const h1 = http.createServer((req, res) => {
    state.served.push({ over: `HTTP/${req.httpVersion}`, path: req.url ?? '' });
    res.writeHead(200, { 'content-type': 'text/plain', 'x-served-over': 'http/1.1' });
    res.end('served over http/1.1');
  });
  const server = tls.createServer({
    key: identity.key,
    cert: identity.cert,
    ...(choice.kind === 'no-alpn'
      ? {}
      : {
          ALPNCallback: ({ protocols }: { protocols: string[] }) => {
            state.offers.push(protocols);
            return choice.kind === 'choose' ? choice.protocol : undefined;
          },
        }),
  });
  const sockets = new Set<tls.TLSSocket>();
  server.on('secureConnection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    if (socket.alpnProtocol === 'h2') {
      const session = http2.performServerHandshake(socket);
      session.on('error', () => session.destroy());
      session.on('stream', (stream, headers) => {
        state.served.push({ over: 'h2', path: String(headers[':path']) });
        stream.respond({ ':status': 200, 'content-type': 'text/plain', 'x-served-over': 'h2' });
        stream.end('served over h2');
      });
    } else if (socket.alpnProtocol === 'http/1.1' || socket.alpnProtocol === false) h1.emit('connection', socket);
    else socket.destroy();
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, ...state };
}

async function clientRequest(port: number, extra: Record<string, unknown> = {}): Promise<unknown> {
  return sandbox().invokeWithin(12_000, 'alpnRequest', { host: '127.0.0.1', port, path: '/thing', ca: ca.caCert, timeoutMs: 8000, ...extra });
}

interface ClientAnswer {
  protocol?: unknown;
  status?: unknown;
  headers?: Record<string, unknown>;
  body?: unknown;
}

needsOpenssl('the client', () => {
  test('offers h2 first, then http/1.1, and speaks h2 when it is chosen (RFC 7301 §3.1, RFC 9113 §3.3) {R11.12,R11.13}', async () => {
    const peer = await suiteServer({ kind: 'choose', protocol: 'h2' });
    let answer: ClientAnswer;
    try {
      answer = (await clientRequest(peer.port)) as ClientAnswer;
    } catch (err) {
      fail([`alpnRequest against a server that chooses h2 ${describeThrown(err)}`, handshake(peer.offers[0] ?? [], 'h2')]);
    }
    if (show(peer.offers) !== show([['h2', 'http/1.1']])) fail([`the client's ClientHello must offer exactly [h2, http/1.1] in that order; the server saw ${show(peer.offers)}`]);
    if (answer.protocol !== 'h2' || answer.status !== 200 || answer.body !== 'served over h2' || show(peer.served) !== show([{ over: 'h2', path: '/thing' }])) {
      fail([
        `after the server chose h2 the client must send its request as HTTP/2 and return { protocol: "h2", status: 200, body: "served over h2" }`,
        handshake(peer.offers[0] ?? [], 'h2'),
        `  the client returned ${show(answer).slice(0, 300)}; the server received ${show(peer.served)}`,
      ]);
    }
  });

  test('speaks HTTP/1.1 when http/1.1 is chosen (RFC 7301 §3.2) {R11.13}', async () => {
    const peer = await suiteServer({ kind: 'choose', protocol: 'http/1.1' });
    let answer: ClientAnswer;
    try {
      answer = (await clientRequest(peer.port)) as ClientAnswer;
    } catch (err) {
      fail([`alpnRequest against a server that chooses http/1.1 ${describeThrown(err)}`, handshake(peer.offers[0] ?? [], 'http/1.1')]);
    }
    if (answer.protocol !== 'http/1.1' || answer.status !== 200 || answer.body !== 'served over http/1.1' || answer.headers?.['x-served-over'] !== 'http/1.1') {
      fail([
        'after the server chose http/1.1 the client must send an HTTP/1.1 request and return { protocol: "http/1.1", status: 200, headers, body }',
        handshake(peer.offers[0] ?? [], 'http/1.1'),
        `  the client returned ${show(answer).slice(0, 300)}; the server received ${show(peer.served)}`,
      ]);
    }
  });

  test('speaks HTTP/1.1, never h2, when the server sends no ALPN (RFC 9113 §3.2) {R11.14}', async () => {
    const peer = await suiteServer({ kind: 'no-alpn' });
    let answer: ClientAnswer;
    try {
      answer = (await clientRequest(peer.port)) as ClientAnswer;
    } catch (err) {
      fail([`alpnRequest against a server that ignores ALPN ${describeThrown(err)}`, handshake(['h2', 'http/1.1'], 'no ALPN extension')]);
    }
    if (answer.protocol !== 'http/1.1' || answer.body !== 'served over http/1.1') {
      fail([
        'a server that answers without ALPN has not agreed to HTTP/2: the client must speak HTTP/1.1',
        handshake(['h2', 'http/1.1'], 'no ALPN extension'),
        `  the client returned ${show(answer).slice(0, 300)}; the server received ${show(peer.served)}`,
      ]);
    }
  });

  test('alert 120 becomes an AlpnError ALPN_REFUSED (RFC 7301 §3.2) {R11.17}', async () => {
    const peer = await suiteServer({ kind: 'refuse' });
    try {
      const answer = await clientRequest(peer.port);
      fail(['the server refused with alert 120, yet alpnRequest resolved', handshake(peer.offers[0] ?? [], 'alert 120 no_application_protocol'), `  it returned ${show(answer).slice(0, 200)}`]);
    } catch (err) {
      if (err instanceof RemoteError && err.code === 'ALPN_REFUSED' && err.props.chosen === null) return;
      if (!(err instanceof RemoteError)) throw err;
      fail([
        `the server refused with alert 120; expected an AlpnError with code ALPN_REFUSED and chosen null, but alpnRequest ${describeThrown(err)} (chosen ${show(err.props.chosen)})`,
        handshake(peer.offers[0] ?? [], 'alert 120 no_application_protocol'),
      ]);
    }
  });

  test('a protocol it offered but cannot speak is an AlpnError ALPN_UNSUPPORTED, before any request (RFC 7301 §3.2) {R11.16}', async () => {
    const peer = await suiteServer({ kind: 'choose', protocol: 'spdy/3.1' });
    const offered = ['spdy/3.1', 'h2', 'http/1.1'];
    try {
      const answer = await clientRequest(peer.port, { protocols: offered });
      fail([`the server chose spdy/3.1, which this client cannot speak, yet alpnRequest resolved with ${show(answer).slice(0, 200)}`, handshake(offered, 'spdy/3.1')]);
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      if (err.code !== 'ALPN_UNSUPPORTED' || err.props.chosen !== 'spdy/3.1') {
        fail([
          `expected an AlpnError with code ALPN_UNSUPPORTED and chosen "spdy/3.1", but alpnRequest ${describeThrown(err)} (chosen ${show(err.props.chosen)})`,
          handshake(peer.offers[0] ?? [], 'spdy/3.1'),
        ]);
      }
      if (show(peer.offers) !== show([offered])) fail([`the client must offer the protocols it is given, in order: the server saw ${show(peer.offers)}, expected ${show([offered])}`]);
    }
  });

  test("verifies the server's certificate against the CA it is given (RFC 9110 §4.3.4) {R11.18}", async () => {
    const peer = await suiteServer({ kind: 'choose', protocol: 'h2' }, otherCa);
    try {
      const answer = await clientRequest(peer.port);
      fail([
        "the server's certificate was issued by a CA the client was not given, yet alpnRequest resolved: the client does not verify certificates",
        `  it returned ${show(answer).slice(0, 200)}; the server received ${show(peer.served)}`,
      ]);
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      if (err.code === undefined || !/CERT|VERIFY|SIGNATURE|ISSUER|SELF_SIGNED/.test(err.code) || peer.served.length) {
        fail([
          `expected the TLS verification error (a code such as UNABLE_TO_VERIFY_LEAF_SIGNATURE) and no request sent, but alpnRequest ${describeThrown(err)}; the server received ${show(peer.served)}`,
        ]);
      }
    }
  });
});

describe('acceptNegotiated: what the client speaks after the handshake', () => {
  test('h2 → h2, http/1.1 → http/1.1 (RFC 7301 §3.2) {R11.13}', async () => {
    for (const [offered, negotiated, expected] of [
      [['h2', 'http/1.1'], 'h2', 'h2'],
      [['h2', 'http/1.1'], 'http/1.1', 'http/1.1'],
      [['http/1.1'], 'http/1.1', 'http/1.1'],
    ] as Array<[string[], string, string]>) {
      const got = await sandbox().invoke('acceptNegotiated', offered, negotiated);
      if (got !== expected) fail([`acceptNegotiated(${show(offered)}, ${show(negotiated)}) returned ${show(got)}; expected ${show(expected)}`]);
    }
  });

  test('no ALPN (false or null) → http/1.1 (RFC 9113 §3.2) {R11.14}', async () => {
    for (const negotiated of [false, null]) {
      const got = await sandbox().invoke('acceptNegotiated', ['h2', 'http/1.1'], negotiated);
      if (got !== 'http/1.1') fail([`acceptNegotiated(["h2","http/1.1"], ${show(negotiated)}) returned ${show(got)}; expected "http/1.1": h2 over TLS is spoken only after ALPN chose it`]);
    }
  });

  test('a protocol the client did not offer → AlpnError ALPN_NOT_OFFERED (RFC 7301 §3.2) {R11.15}', async () => {
    // A real TLS stack of this suite cannot be made to answer with a protocol the client did not offer (OpenSSL's
    // and Node's servers only choose from the offer), so this check runs on the client's decision itself.
    for (const [offered, negotiated] of [
      [['h2', 'http/1.1'], 'spdy/3.1'],
      [['http/1.1'], 'h2'],
      [['h2'], 'http/1.1'],
    ] as Array<[string[], string]>) {
      try {
        const got = await sandbox().invoke('acceptNegotiated', offered, negotiated);
        fail([`acceptNegotiated(${show(offered)}, ${show(negotiated)}) returned ${show(got)}; the server chose something the client never offered, which must fail with ALPN_NOT_OFFERED`]);
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err;
        if (err.code !== 'ALPN_NOT_OFFERED' || err.props.chosen !== negotiated) {
          fail([`acceptNegotiated(${show(offered)}, ${show(negotiated)}) ${describeThrown(err)}; expected an AlpnError with code ALPN_NOT_OFFERED and chosen ${show(negotiated)}`]);
        }
      }
    }
  });

  test('offered but not spoken → AlpnError ALPN_UNSUPPORTED (RFC 7301 §3.2) {R11.16}', async () => {
    try {
      const got = await sandbox().invoke('acceptNegotiated', ['h3', 'h2'], 'h3');
      fail([`acceptNegotiated(["h3","h2"], "h3") returned ${show(got)}; this client speaks only h2 and http/1.1, so it must fail with ALPN_UNSUPPORTED`]);
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      if (err.code !== 'ALPN_UNSUPPORTED') fail([`acceptNegotiated(["h3","h2"], "h3") ${describeThrown(err)}; expected an AlpnError with code ALPN_UNSUPPORTED`]);
    }
  });
});
