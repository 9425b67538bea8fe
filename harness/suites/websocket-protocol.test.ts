// Hidden suite of exercise 6 (websocket-protocol): RFC 6455 on the wire.
//
// The learner's code runs in the sandbox. Four parts:
//   1. the handshake functions (computeAccept, acceptHandshake, checkServerResponse) on the RFC 6455 §1.3 / seed
//      vector and hand-made requests;
//   2. encodeFrame against the RFC 6455 §5.7 examples and the length boundaries;
//   3. the streaming Receiver, fed frames built here (harness/support/ws-wire.ts) in one chunk, one byte at a time
//      and cut at seeded random points, with the failures grouped by the Autobahn TestSuite's categories;
//   4. the learner's EchoServer and WebSocketClient over real TCP on 127.0.0.1:0: raw sockets from this process
//      (every octet they wrote is decoded here, field by field) and real `ws` peers both ways.
// Nothing the learner's code reports is trusted where the wire can be checked instead: the close code a server
// "sent" is the one read from the socket.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WebSocket as WsClient, WebSocketServer as WsServer } from 'ws';
import { RemoteError, type Remote } from '../sandbox/client';
import { randomSplit, runSeed, seededRandom } from '../support/random';
import { startRechunkRelay, type RechunkRelay } from '../support/rechunk-relay';
import { useSandbox } from '../support/sandbox';
import {
  RawClient,
  RawServer,
  SAMPLE_KEY,
  acceptFor,
  closeAllRaw,
  closePayload,
  describeFrame,
  describeWireFrame,
  hex,
  opcodeName,
  parseHead,
  switchingProtocols,
  upgradeRequest,
  wsFrame,
  type FrameSpec,
} from '../support/ws-wire';

const sandbox = useSandbox({ callTimeoutMs: 4000 });
const SEED = runSeed();

interface CloseFact {
  code: number;
  name: string;
}
const facts = JSON.parse(readFileSync(path.join(__dirname, '..', 'vectors', 'websocket-facts.json'), 'utf8')) as {
  closeCodes: CloseFact[];
  handshake: { guid: string; example: { secWebSocketKey: string; secWebSocketAccept: string } };
};
function codeName(code: number | undefined): string {
  if (code === undefined) return 'no code';
  return `${code} ${facts.closeCodes.find((c) => c.code === code)?.name ?? (code >= 3000 && code <= 4999 ? 'application' : 'unregistered')}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Plumbing

type Event = Record<string, unknown>;
const SECTION_CODE: Record<number, string> = { 1002: 'protocol error', 1007: 'invalid payload data', 1009: 'message too big' };

function renderEvent(e: unknown): string {
  if (!e || typeof e !== 'object') return JSON.stringify(e) ?? String(e);
  const ev = e as Event;
  const fields = Object.entries(ev).map(([k, v]) => {
    if (v instanceof Uint8Array) return `${k}: <${hex(v, 12)}>`;
    if (typeof v === 'string') return `${k}: ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…(${v.length} chars)` : v)}`;
    return `${k}: ${JSON.stringify(v)}`;
  });
  return `{ ${fields.join(', ')} }`;
}

function asEvents(value: unknown, call: string): Event[] {
  if (!Array.isArray(value)) throw new Error(`Receiver.${call} must return an array of events; it returned ${renderEvent(value)}`);
  return value.map((v) => (v && typeof v === 'object' ? (v as Event) : { type: v }));
}

async function receive(role: 'server' | 'client', chunks: Uint8Array[], options: { maxMessageSize?: number } = {}): Promise<Event[]> {
  const r = await sandbox().construct('Receiver', { role, ...options });
  return asEvents(await r.callWithin(10_000, 'pushAll', chunks), 'pushAll');
}

type Expected =
  | { type: 'text'; data: string }
  | { type: 'binary' | 'ping' | 'pong'; data: Uint8Array }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; closeCode: number };

function sameEvent(want: Expected, got: Event | undefined): boolean {
  if (!got || got.type !== want.type) return false;
  switch (want.type) {
    case 'text':
      return got.data === want.data;
    case 'binary':
    case 'ping':
    case 'pong':
      return got.data instanceof Uint8Array && Buffer.compare(Buffer.from(got.data), Buffer.from(want.data)) === 0;
    case 'close':
      return got.code === want.code && got.reason === want.reason;
    case 'error':
      return got.closeCode === want.closeCode;
  }
}

function renderExpected(e: Expected): string {
  if (e.type === 'error') return `{ type: "error", closeCode: ${e.closeCode} (${codeName(e.closeCode)}) }`;
  return renderEvent(e);
}

/** Compares the events in order; on divergence, shows the input frames field by field. */
function expectEvents(what: string, section: string, frames: Uint8Array[], expected: Expected[], actual: Event[]): void {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const want = expected[i];
    const got = actual[i];
    if (want && sameEvent(want, got)) continue;
    const lines = [`${what}: event #${i} differs (${section}).`];
    lines.push(`  expected: ${want ? renderExpected(want) : `no more events (${expected.length} in all)`}`);
    lines.push(`  actual:   ${got ? renderEvent(got) : `nothing (your Receiver returned ${actual.length} events)`}`);
    if (want?.type === 'error' && got?.type === 'error') {
      lines.push(`  close code expected ${codeName(want.closeCode)}, your Receiver chose ${codeName(Number(got.closeCode))}`);
    }
    if (i > 0) lines.push(`  events #0..#${i - 1} matched`);
    lines.push('  the frames sent:');
    for (const [k, f] of frames.slice(0, 8).entries()) lines.push(`  ${describeFrame(f, `frame ${k}`).replace(/\n/g, '\n  ')}`);
    if (frames.length > 8) lines.push(`  … ${frames.length - 8} more frames`);
    throw new Error(lines.join('\n'));
  }
}

function oneBytePieces(b: Uint8Array): Uint8Array[] {
  return Array.from({ length: b.length }, (_, i) => b.subarray(i, i + 1));
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The opening handshake

describe('the opening handshake', () => {
  test("computeAccept: the seed's key and RFC 6455's example give s3pPLMBiTxaQ9kYGzzhZRbK+xOo= (RFC 6455 §1.3, §4.2.2) {R6.1}", async () => {
    const { secWebSocketKey, secWebSocketAccept } = facts.handshake.example;
    const got = await sandbox().invoke('computeAccept', secWebSocketKey);
    if (got !== secWebSocketAccept) {
      throw new Error(
        `computeAccept("${secWebSocketKey}") must be base64(SHA-1(key + "${facts.handshake.guid}")) = "${secWebSocketAccept}"; ` +
          `yours returned ${JSON.stringify(got)}. (The key is used as the text it is, not base64-decoded; the digest is the 20 raw octets, base64-encoded.)`,
      );
    }
  });

  test('computeAccept for random keys (RFC 6455 §4.2.2) {R6.1}', async () => {
    const random = seededRandom(SEED * 3 + 1);
    for (let i = 0; i < 6; i++) {
      const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256))).toString('base64');
      const want = acceptFor(key);
      const got = await sandbox().invoke('computeAccept', key);
      if (got !== want) throw new Error(`computeAccept("${key}"): expected "${want}", got ${JSON.stringify(got)} (RFC 6455 §4.2.2)`);
    }
  });

  async function handshake(head: string): Promise<Event> {
    const r = (await sandbox().invoke('acceptHandshake', head)) as Event;
    if (!r || typeof r !== 'object') throw new Error(`acceptHandshake must return an object; it returned ${JSON.stringify(r)}`);
    return r;
  }

  function showRequest(head: string): string {
    return head
      .split('\r\n')
      .filter(Boolean)
      .map((l) => `    ${l}`)
      .join('\n');
  }

  test('acceptHandshake: the RFC example request gets a 101 response with the accept value (RFC 6455 §1.3, §4.2.2) {R6.2,R6.33}', async () => {
    const head =
      'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: http://example.com\r\nSec-WebSocket-Version: 13\r\n\r\n';
    const r = await handshake(head);
    const response = typeof r.response === 'string' ? r.response : '';
    const parsed = parseHead(response);
    const problems: string[] = [];
    if (r.ok !== true) problems.push(`ok is ${JSON.stringify(r.ok)}, expected true`);
    if (r.accept !== 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=') problems.push(`accept is ${JSON.stringify(r.accept)}`);
    if (r.path !== '/chat') problems.push(`path is ${JSON.stringify(r.path)}, expected "/chat"`);
    if (!/^HTTP\/1\.1 101 /.test(parsed.startLine)) problems.push(`the status line is ${JSON.stringify(parsed.startLine)}, expected "HTTP/1.1 101 Switching Protocols"`);
    if (parsed.headers.get('upgrade')?.toLowerCase() !== 'websocket') problems.push('no "Upgrade: websocket" header');
    if (!(parsed.headers.get('connection') ?? '').toLowerCase().split(/\s*,\s*/).includes('upgrade')) problems.push('no "Connection: Upgrade" header');
    if (parsed.headers.get('sec-websocket-accept') !== 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=') problems.push('no "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" header');
    if (!response.endsWith('\r\n\r\n')) problems.push('the response head must end with an empty line (CRLF CRLF)');
    if (problems.length) {
      throw new Error(`For the request\n${showRequest(head)}\nthe handshake must succeed (RFC 6455 §4.2.2):\n  - ${problems.join('\n  - ')}\n  your response: ${JSON.stringify(response)}`);
    }
  });

  test('header names and tokens are case-insensitive; Connection is a token list (RFC 6455 §4.2.1) {R6.3}', async () => {
    const variants = [
      upgradeRequest('/a', { Connection: 'keep-alive, Upgrade' }),
      upgradeRequest('/b', { Upgrade: 'WebSocket', Connection: 'upgrade' }),
      'GET /c HTTP/1.1\r\nhost: x\r\nUPGRADE: websocket\r\nconnection: Upgrade\r\nsec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\r\nsec-websocket-version: 13\r\n\r\n',
    ];
    for (const head of variants) {
      const r = await handshake(head);
      if (r.ok !== true || r.accept !== 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=') {
        throw new Error(
          `This request is valid and must be accepted (RFC 6455 §4.2.1: header names and the "websocket" and "Upgrade" values are ` +
            `ASCII case-insensitive, and Connection may list several tokens, as Firefox's "keep-alive, Upgrade"):\n${showRequest(head)}\n  your result: ${renderEvent(r)}`,
        );
      }
    }
  });

  const refusals: Array<{ what: string; head: string; status: number; section: string }> = [
    { what: 'a POST request', head: upgradeRequest().replace(/^GET/, 'POST'), status: 405, section: '§4.2.1 item 1' },
    { what: 'an HTTP/1.0 request', head: upgradeRequest().replace(/^GET (\S+) HTTP\/1\.1/, 'GET $1 HTTP/1.0'), status: 400, section: '§4.2.1 item 1' },
    { what: 'no Upgrade header', head: upgradeRequest('/chat', { Upgrade: '' }), status: 400, section: '§4.2.1 item 3' },
    { what: 'Upgrade: h2c', head: upgradeRequest('/chat', { Upgrade: 'h2c' }), status: 400, section: '§4.2.1 item 3' },
    { what: 'Connection: keep-alive (no upgrade token)', head: upgradeRequest('/chat', { Connection: 'keep-alive' }), status: 400, section: '§4.2.1 item 4' },
    { what: 'no Host header', head: upgradeRequest('/chat', { Host: '' }), status: 400, section: '§4.2.1 item 2' },
    { what: 'no Sec-WebSocket-Key', head: upgradeRequest('/chat', { 'Sec-WebSocket-Key': '' }), status: 400, section: '§4.2.1 item 5' },
    { what: 'a key of 15 octets', head: upgradeRequest('/chat', {}, Buffer.alloc(15, 7).toString('base64')), status: 400, section: '§4.2.1 item 5' },
    { what: 'a key that is not base64', head: upgradeRequest('/chat', {}, 'this is not base64!!!!=='), status: 400, section: '§4.2.1 item 5' },
  ];

  test('refusals: wrong method 405; HTTP/1.0, missing or wrong Upgrade/Connection/Host/key 400 (RFC 6455 §4.2.1, §4.2.2) {R6.2,R6.4,R6.5,R6.33}', async () => {
    for (const c of refusals) {
      const r = await handshake(c.head);
      const statusLine = typeof r.response === 'string' ? r.response.split('\r\n')[0] : undefined;
      if (r.ok !== false || r.status !== c.status || !statusLine?.startsWith(`HTTP/1.1 ${c.status} `)) {
        throw new Error(
          `${c.what}: the handshake must be refused with status ${c.status} (RFC 6455 ${c.section}, §4.2.2)\n${showRequest(c.head)}\n` +
            `  your result: ok ${JSON.stringify(r.ok)}, status ${JSON.stringify(r.status)}, response status line ${JSON.stringify(statusLine)}`,
        );
      }
    }
  });

  test('a version other than 13 gets 426 Upgrade Required with Sec-WebSocket-Version: 13 (RFC 6455 §4.2.2, §4.4) {R6.6}', async () => {
    for (const version of ['8', '14', '']) {
      const head = upgradeRequest('/chat', { 'Sec-WebSocket-Version': version });
      const r = await handshake(head);
      const parsed = parseHead(typeof r.response === 'string' ? r.response : '');
      if (r.ok !== false || r.status !== 426 || !/^HTTP\/1\.1 426 /.test(parsed.startLine) || parsed.headers.get('sec-websocket-version') !== '13') {
        throw new Error(
          `Sec-WebSocket-Version ${version ? `"${version}"` : 'missing'}: expected status 426 and a "Sec-WebSocket-Version: 13" header telling the ` +
            `client which version to use (RFC 6455 §4.4).\n  your result: ok ${JSON.stringify(r.ok)}, status ${JSON.stringify(r.status)}\n  response: ${JSON.stringify(r.response)}`,
        );
      }
    }
  });

  test('checkServerResponse: the client accepts only a 101 with the right accept value (RFC 6455 §4.1) {R6.7,R6.8}', async () => {
    const key = SAMPLE_KEY;
    const good = switchingProtocols(upgradeRequest());
    const wrongKeyAccept = acceptFor(Buffer.alloc(16, 1).toString('base64'));
    const cases: Array<{ what: string; head: string; ok: boolean }> = [
      { what: 'a correct 101 response', head: good, ok: true },
      { what: 'a correct 101 with lower-case names and "Connection: upgrade"', head: good.toLowerCase().replace(/s3pplmbitxaq9kygzzhzrbk\+xoo=/, 's3pPLMBiTxaQ9kYGzzhZRbK+xOo='), ok: true },
      { what: 'an accept value computed for another key', head: switchingProtocols(upgradeRequest(), { accept: wrongKeyAccept }), ok: false },
      { what: 'the key echoed instead of the accept value', head: switchingProtocols(upgradeRequest(), { accept: key }), ok: false },
      { what: 'status 200', head: switchingProtocols(upgradeRequest(), { status: '200 OK' }), ok: false },
      { what: 'no Upgrade header', head: good.replace('Upgrade: websocket\r\n', ''), ok: false },
      { what: 'no Connection header', head: good.replace('Connection: Upgrade\r\n', ''), ok: false },
      { what: 'an extension we did not offer', head: switchingProtocols(upgradeRequest(), { extra: 'Sec-WebSocket-Extensions: permessage-deflate\r\n' }), ok: false },
    ];
    for (const c of cases) {
      const r = (await sandbox().invoke('checkServerResponse', c.head, key)) as Event;
      if (!r || r.ok !== c.ok) {
        throw new Error(
          `${c.what}: checkServerResponse(head, "${key}") must return ok ${c.ok} (RFC 6455 §4.1: the client fails the connection unless the ` +
            `status is 101, Upgrade is websocket, Connection includes Upgrade, the accept is base64(SHA-1(key + GUID)), and no extension it did not offer was chosen)\n` +
            `  response:\n${showRequest(c.head)}\n  your result: ${renderEvent(r)}`,
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Encoding frames

const HELLO_MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d]);
const RFC_EXAMPLES = {
  unmaskedText: Buffer.from('810548656c6c6f', 'hex'),
  maskedText: Buffer.from('818537fa213d7f9f4d5158', 'hex'),
  fragment1: Buffer.from('010348656c', 'hex'),
  fragment2: Buffer.from('80026c6f', 'hex'),
  unmaskedPing: Buffer.from('890548656c6c6f', 'hex'),
  maskedPong: Buffer.from('8a8537fa213d7f9f4d5158', 'hex'),
};
const BIN256 = Buffer.from(Array.from({ length: 256 }, (_, i) => (i * 7 + 3) & 0xff));
const BIN64K = Buffer.alloc(65536, 0);
for (let i = 0; i < BIN64K.length; i++) BIN64K[i] = (i * 31 + (i >> 8)) & 0xff;

describe('encoding frames', () => {
  async function encode(frame: Record<string, unknown>): Promise<Buffer> {
    const got = await sandbox().invoke('encodeFrame', frame);
    if (!(got instanceof Uint8Array)) throw new Error(`encodeFrame must return the frame's octets (a Buffer); it returned ${renderEvent(got)}`);
    return Buffer.from(got);
  }

  function compare(what: string, section: string, want: Buffer, got: Buffer): void {
    if (want.equals(got)) return;
    let at = 0;
    while (at < want.length && at < got.length && want[at] === got[at]) at++;
    throw new Error(
      `${what}: your frame differs from the expected octets at octet ${at} (${section}).\n` +
        `  ${describeFrame(want, 'expected').replace(/\n/g, '\n  ')}\n  ${describeFrame(got, 'yours   ').replace(/\n/g, '\n  ')}`,
    );
  }

  test('the RFC 6455 §5.7 examples, octet for octet (RFC 6455 §5.7) {R6.13,R6.42}', async () => {
    const cases: Array<[string, Record<string, unknown>, Buffer]> = [
      ['a single-frame unmasked text message', { opcode: 1, payload: Buffer.from('Hello') }, RFC_EXAMPLES.unmaskedText],
      ['a single-frame masked text message', { opcode: 1, payload: Buffer.from('Hello'), maskingKey: HELLO_MASK }, RFC_EXAMPLES.maskedText],
      ['the first fragment of "Hello"', { fin: false, opcode: 1, payload: Buffer.from('Hel') }, RFC_EXAMPLES.fragment1],
      ['the last fragment of "Hello"', { fin: true, opcode: 0, payload: Buffer.from('lo') }, RFC_EXAMPLES.fragment2],
      ['an unmasked ping', { opcode: 9, payload: Buffer.from('Hello') }, RFC_EXAMPLES.unmaskedPing],
      ['a masked pong', { opcode: 10, payload: Buffer.from('Hello'), maskingKey: HELLO_MASK }, RFC_EXAMPLES.maskedPong],
      ['256 octets of binary in one unmasked frame', { opcode: 2, payload: BIN256 }, Buffer.concat([Buffer.from('827e0100', 'hex'), BIN256])],
      ['64 KiB of binary in one unmasked frame', { opcode: 2, payload: BIN64K }, Buffer.concat([Buffer.from('827f0000000000010000', 'hex'), BIN64K])],
    ];
    for (const [what, frame, want] of cases) compare(what, 'RFC 6455 §5.7', want, await encode(frame));
  });

  test('lengths use the minimal encoding: 7 bits to 125, 16 bits to 65535, then 64 bits (RFC 6455 §5.2) {R6.13}', async () => {
    for (const n of [0, 1, 125, 126, 127, 65535, 65536, 70000]) {
      const payload = Buffer.alloc(n, 0x61);
      compare(`a ${n}-octet binary frame`, 'RFC 6455 §5.2', wsFrame({ opcode: 2, payload }), await encode({ opcode: 2, payload }));
    }
  });

  test('masking XORs octet i with key octet i mod 4; RSV bits and FIN where asked (RFC 6455 §5.2, §5.3) {R6.42}', async () => {
    const random = seededRandom(SEED * 5 + 2);
    // The last case has a fixed key whose octets all differ, so a key applied in the wrong order shows whatever the seed.
    for (const n of [1, 2, 3, 4, 5, 7, 126, 1001, 1000]) {
      const key = n === 1000 ? HELLO_MASK : Buffer.from([0, 0, 0, 0].map(() => Math.floor(random() * 256)));
      const payload = Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      const rsv = n % 8;
      const fin = n % 2 === 1;
      compare(
        `a masked ${n}-octet frame with key ${hex(key)}, rsv ${rsv}, fin ${fin}`,
        'RFC 6455 §5.3',
        wsFrame({ opcode: 2, payload, mask: key, rsv, fin }),
        await encode({ opcode: 2, payload, maskingKey: key, rsv, fin }),
      );
    }
  });

  test('close payloads and the close codes that may be sent (RFC 6455 §5.5.1, §7.4) {R6.28,R6.29}', async () => {
    const payload = Buffer.from((await sandbox().invoke('encodeClosePayload', 1001, 'going away: ünïcode')) as Uint8Array);
    const want = closePayload(1001, 'going away: ünïcode');
    if (!payload.equals(want)) throw new Error(`encodeClosePayload(1001, "going away: ünïcode"): expected <${hex(want, 40)}> (code big-endian, then the reason in UTF-8), got <${hex(payload, 40)}> (RFC 6455 §5.5.1)`);
    const empty = Buffer.from((await sandbox().invoke('encodeClosePayload')) as Uint8Array);
    if (empty.length !== 0) throw new Error(`encodeClosePayload() with no code must be empty (a close frame may have no body), got <${hex(empty)}> (RFC 6455 §5.5.1)`);
    const valid = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999];
    const invalid = [0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535];
    const wrong: string[] = [];
    for (const code of [...valid, ...invalid]) {
      const got = await sandbox().invoke('isValidCloseCode', code);
      if (got !== valid.includes(code)) wrong.push(`${codeName(code)}: expected ${valid.includes(code)}, got ${JSON.stringify(got)}`);
    }
    if (wrong.length) {
      throw new Error(
        `isValidCloseCode: 1000-1003 and 1007-1014 (registered), 3000-4999 (libraries and private use) may be sent; 1004 is reserved, 1005, 1006 ` +
          `and 1015 are for APIs only, and the rest of 0-2999 is unassigned (RFC 6455 §7.4.1, §7.4.2):\n  ${wrong.join('\n  ')}`,
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. The Receiver

const M = (spec: FrameSpec) => wsFrame({ mask: true, ...spec });
const text = (s: string | Uint8Array, fin = true) => M({ opcode: 1, payload: s, fin });
const cont = (s: string | Uint8Array, fin = true) => M({ opcode: 0, payload: s, fin });

/** A client→server session exercising every kind of frame (masked, various keys and lengths). */
function clientSession(): { frames: Buffer[]; expected: Expected[] } {
  const big = Buffer.alloc(66_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 13) & 0xff;
  const mid = Buffer.alloc(300, 0x42);
  const frames = [
    text('Hello'),
    M({ opcode: 2, payload: mid, mask: Buffer.from([1, 2, 3, 4]) }),
    text('κό', false),
    M({ opcode: 9, payload: 'are you there?', mask: Buffer.from([0, 0, 0, 0]) }),
    cont('σμ', false),
    cont('ε'),
    M({ opcode: 2, payload: big, mask: Buffer.from([0xff, 0x00, 0xaa, 0x55]) }),
    M({ opcode: 10, payload: '' }),
    text(''),
    M({ opcode: 8, payload: closePayload(1000, 'bye') }),
  ];
  const expected: Expected[] = [
    { type: 'text', data: 'Hello' },
    { type: 'binary', data: mid },
    { type: 'ping', data: Buffer.from('are you there?') },
    { type: 'text', data: 'κόσμε' },
    { type: 'binary', data: big },
    { type: 'pong', data: Buffer.alloc(0) },
    { type: 'text', data: '' },
    { type: 'close', code: 1000, reason: 'bye' },
  ];
  return { frames, expected };
}

/** Frames (all of one role), then the expected error code; checks the events before it too. */
async function expectFailure(
  what: string,
  section: string,
  frames: Buffer[],
  before: Expected[],
  closeCode: number,
  options: { role?: 'server' | 'client'; maxMessageSize?: number } = {},
): Promise<void> {
  const events = await receive(options.role ?? 'server', frames, options);
  expectEvents(`${what} → fail with ${codeName(closeCode)} (${SECTION_CODE[closeCode] ?? ''})`, section, frames, [...before, { type: 'error', closeCode }], events);
}

describe('the Receiver: framing (RFC 6455 §5.2, §5.7)', () => {
  test('the RFC 6455 §5.7 examples: unmasked to a client, masked to a server (RFC 6455 §5.7; Autobahn 1 Framing) {R6.34,R6.42}', async () => {
    const toClient = [RFC_EXAMPLES.unmaskedText, RFC_EXAMPLES.fragment1, RFC_EXAMPLES.fragment2, RFC_EXAMPLES.unmaskedPing];
    expectEvents(
      'a server→client stream of the §5.7 examples',
      'RFC 6455 §5.7',
      toClient,
      [
        { type: 'text', data: 'Hello' },
        { type: 'text', data: 'Hello' },
        { type: 'ping', data: Buffer.from('Hello') },
      ],
      await receive('client', toClient),
    );
    const toServer = [RFC_EXAMPLES.maskedText, RFC_EXAMPLES.maskedPong];
    expectEvents(
      'a client→server stream of the §5.7 masked examples',
      'RFC 6455 §5.7',
      toServer,
      [
        { type: 'text', data: 'Hello' },
        { type: 'pong', data: Buffer.from('Hello') },
      ],
      await receive('server', toServer),
    );
  });

  test('16-bit and 64-bit lengths: the 256-octet and 64 KiB examples (RFC 6455 §5.2, §5.7; Autobahn 1 Framing) {R6.34}', async () => {
    const frames = [Buffer.concat([Buffer.from('827e0100', 'hex'), BIN256]), Buffer.concat([Buffer.from('827f0000000000010000', 'hex'), BIN64K])];
    expectEvents('binary frames of 256 and 65536 octets', 'RFC 6455 §5.2', frames, [
      { type: 'binary', data: BIN256 },
      { type: 'binary', data: BIN64K },
    ], await receive('client', frames));
  });

  test('a whole client session in one chunk (RFC 6455 §5.2, §5.3, §5.4) {R6.34,R6.36}', async () => {
    const { frames, expected } = clientSession();
    expectEvents('a client session in one chunk', 'RFC 6455 §5.2', frames, expected, await receive('server', [Buffer.concat(frames)]));
  });

  test('a whole client session fed one byte at a time (RFC 6455 §5.2) {R6.14}', async () => {
    const { frames, expected } = clientSession();
    const small = frames.filter((f) => f.length < 1000);
    const wantSmall = expected.filter((e) => !(e.type === 'binary' && e.data.length > 1000));
    expectEvents('a client session, one byte per chunk', 'RFC 6455 §5.2', small, wantSmall, await receive('server', oneBytePieces(Buffer.concat(small))));
  });

  test('a whole client session cut at seeded random points (RFC 6455 §5.2) {R6.14,R6.17}', async () => {
    const { frames, expected } = clientSession();
    const random = seededRandom(SEED * 11 + 7);
    for (const maxPiece of [3, 17, 5000]) {
      const chunks = randomSplit(Buffer.concat(frames), random, maxPiece);
      const first = chunks.slice(0, 10).map((c) => c.length).join(', ');
      expectEvents(
        `a client session in ${chunks.length} random pieces of 1..${maxPiece} octets (first sizes ${first}; seed ${SEED})`,
        'RFC 6455 §5.2',
        frames,
        expected,
        await receive('server', chunks),
      );
    }
  });

  test('payload lengths around the encoding boundaries, each split inside the header (RFC 6455 §5.2; Autobahn 1 Framing) {R6.14}', async () => {
    const frames: Buffer[] = [];
    const expected: Expected[] = [];
    for (const n of [0, 125, 126, 127, 128, 65535, 65536]) {
      const payload = Buffer.alloc(n, 0x2a + (n % 50));
      frames.push(wsFrame({ opcode: 2, payload }));
      expected.push({ type: 'binary', data: payload });
    }
    const chunks = frames.flatMap((f) => [f.subarray(0, 1), f.subarray(1, 3), f.subarray(3, 9), f.subarray(9)]).filter((c) => c.length);
    expectEvents('binary frames of 0..65536 octets, cut after octets 1, 3 and 9 of each', 'RFC 6455 §5.2', frames, expected, await receive('client', chunks));
  });
});

describe('the Receiver: masking (RFC 6455 §5.1, §5.3)', () => {
  test('a server rejects an unmasked client frame with 1002 (RFC 6455 §5.1) {R6.16}', async () => {
    await expectFailure('an unmasked text frame sent to a server', 'RFC 6455 §5.1', [text('ok'), wsFrame({ opcode: 1, payload: 'unmasked' })], [{ type: 'text', data: 'ok' }], 1002);
  });

  test('a client rejects a masked server frame with 1002 (RFC 6455 §5.1) {R6.16}', async () => {
    await expectFailure(
      'a masked text frame sent to a client',
      'RFC 6455 §5.1',
      [wsFrame({ opcode: 1, payload: 'ok' }), wsFrame({ opcode: 1, payload: 'masked', mask: true })],
      [{ type: 'text', data: 'ok' }],
      1002,
      { role: 'client' },
    );
  });

  test('any masking key, including zero, unmasks octet i with key[i mod 4] across chunk cuts (RFC 6455 §5.3) {R6.17,R6.42}', async () => {
    const random = seededRandom(SEED * 13 + 5);
    const frames: Buffer[] = [];
    const expected: Expected[] = [];
    for (const n of [1, 2, 3, 4, 5, 9, 130, 4099]) {
      const key = n === 4 ? Buffer.alloc(4) : Buffer.from([0, 0, 0, 0].map(() => Math.floor(random() * 256)));
      const payload = Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
      frames.push(wsFrame({ opcode: 2, payload, mask: key }));
      expected.push({ type: 'binary', data: payload });
    }
    expectEvents(`masked binary frames cut at random points (seed ${SEED})`, 'RFC 6455 §5.3', frames, expected, await receive('server', randomSplit(Buffer.concat(frames), random, 7)));
  });
});

describe('the Receiver: reserved bits and opcodes (RFC 6455 §5.2)', () => {
  for (const rsv of [4, 2, 1, 7]) {
    test(`RSV bits ${((rsv >> 2) & 1)}${((rsv >> 1) & 1)}${rsv & 1} without an extension → 1002 (RFC 6455 §5.2; Autobahn 3 Reserved Bits) {R6.10}`, async () => {
      const opcode = rsv === 1 ? 9 : rsv === 7 ? 2 : 1;
      await expectFailure(
        `a ${opcodeName(opcode)} frame with RSV ${rsv}`,
        'RFC 6455 §5.2: RSV1-3 must be 0 unless an extension defines them',
        [text('before'), M({ opcode, payload: 'x', rsv }), text('after')],
        [{ type: 'text', data: 'before' }],
        1002,
      );
    });
  }

  test('reserved data opcodes 0x3-0x7 → 1002 (RFC 6455 §5.2; Autobahn 4 Opcodes) {R6.11}', async () => {
    for (const opcode of [3, 4, 5, 6, 7]) {
      await expectFailure(`opcode 0x${opcode.toString(16)}`, 'RFC 6455 §5.2: reserved non-control opcode', [text('a'), M({ opcode, payload: 'x' })], [{ type: 'text', data: 'a' }], 1002);
    }
  });

  test('reserved control opcodes 0xB-0xF → 1002 (RFC 6455 §5.2; Autobahn 4 Opcodes) {R6.11}', async () => {
    for (const opcode of [0xb, 0xc, 0xd, 0xe, 0xf]) {
      await expectFailure(`opcode 0x${opcode.toString(16)}`, 'RFC 6455 §5.2: reserved control opcode', [M({ opcode, payload: '' })], [], 1002);
    }
  });

  test('a 64-bit length with its most significant bit set → 1002 (RFC 6455 §5.2) {R6.12}', async () => {
    const frame = Buffer.concat([Buffer.from([0x82, 0xff]), Buffer.from('8000000000000005', 'hex'), Buffer.from([1, 2, 3, 4]), Buffer.from('hello')]);
    await expectFailure('a 64-bit length field of 0x8000000000000005', 'RFC 6455 §5.2: the most significant bit of a 64-bit length must be 0', [frame], [], 1002);
  });
});

describe('the Receiver: control frames and fragmentation (RFC 6455 §5.4, §5.5)', () => {
  test('pings and pongs with empty and 125-octet payloads (RFC 6455 §5.5.2, §5.5.3; Autobahn 2 Pings/Pongs) {R6.20,R6.22}', async () => {
    const p125 = Buffer.from(Array.from({ length: 125 }, (_, i) => 0xfe - i));
    const frames = [M({ opcode: 9 }), M({ opcode: 9, payload: p125 }), M({ opcode: 10, payload: 'unsolicited' })];
    expectEvents('control frames', 'RFC 6455 §5.5.2', frames, [
      { type: 'ping', data: Buffer.alloc(0) },
      { type: 'ping', data: p125 },
      { type: 'pong', data: Buffer.from('unsolicited') },
    ], await receive('server', frames));
  });

  test('a control frame of 126 octets → 1002 (RFC 6455 §5.5; Autobahn 2 Pings/Pongs) {R6.20}', async () => {
    await expectFailure('a ping with a 126-octet payload', 'RFC 6455 §5.5: control frame payloads are at most 125 octets', [M({ opcode: 9, payload: Buffer.alloc(126, 1) })], [], 1002);
  });

  test('a fragmented control frame → 1002 (RFC 6455 §5.5; Autobahn 5 Fragmentation) {R6.20}', async () => {
    await expectFailure(
      'a ping with FIN 0',
      'RFC 6455 §5.5: control frames must not be fragmented',
      [M({ opcode: 9, payload: 'frag', fin: false }), cont('ment')],
      [],
      1002,
    );
  });

  test('fragments reassembled, control frames between them delivered at once (RFC 6455 §5.4; Autobahn 5 Fragmentation) {R6.19,R6.36}', async () => {
    const frames = [
      text('fragment1 ', false),
      M({ opcode: 9, payload: 'ping-1' }),
      cont('fragment2 ', false),
      M({ opcode: 10, payload: 'pong-1' }),
      cont('fragment3'),
      M({ opcode: 2, payload: 'b1', fin: false }),
      cont('', false),
      M({ opcode: 9, payload: '' }),
      cont('b2', false),
      cont(Buffer.from([0, 255])),
    ];
    expectEvents('a fragmented text and a fragmented binary message with control frames between', 'RFC 6455 §5.4', frames, [
      { type: 'ping', data: Buffer.from('ping-1') },
      { type: 'pong', data: Buffer.from('pong-1') },
      { type: 'text', data: 'fragment1 fragment2 fragment3' },
      { type: 'ping', data: Buffer.alloc(0) },
      { type: 'binary', data: Buffer.from([0x62, 0x31, 0x62, 0x32, 0, 255]) },
    ], await receive('server', frames));
  });

  test('many fragments of one octet and empty fragments (RFC 6455 §5.4; Autobahn 5 Fragmentation) {R6.22,R6.36}', async () => {
    const message = 'fragmented into one octet per frame';
    const frames = [text('', false), ...[...message].map((ch) => cont(ch, false)), cont('')];
    expectEvents('a text message in one-octet fragments', 'RFC 6455 §5.4', frames, [{ type: 'text', data: message }], await receive('server', frames));
  });

  test('a continuation frame with no message to continue → 1002 (RFC 6455 §5.4; Autobahn 5 Fragmentation) {R6.18}', async () => {
    await expectFailure('a continuation frame (FIN 1) first', 'RFC 6455 §5.4', [cont('no start')], [], 1002);
    await expectFailure('a continuation frame after a complete message', 'RFC 6455 §5.4', [text('done'), cont('more', false), cont('x')], [{ type: 'text', data: 'done' }], 1002);
  });

  test('a new data frame while a fragmented message is unfinished → 1002 (RFC 6455 §5.4; Autobahn 5 Fragmentation) {R6.18}', async () => {
    await expectFailure('a text frame inside a fragmented text message', 'RFC 6455 §5.4: fragments of different messages must not interleave', [text('one', false), text('two')], [], 1002);
    await expectFailure('a binary frame inside a fragmented text message', 'RFC 6455 §5.4', [text('one', false), M({ opcode: 9, payload: 'p' }), M({ opcode: 2, payload: 'two', fin: false })], [{ type: 'ping', data: Buffer.from('p') }], 1002);
  });
});

// UTF-8 cases in the spirit of Autobahn's category 6 (Markus Kuhn's decoder stress test). `failAt`: the index of
// the first octet after which no continuation can make the sequence valid (null: only its end is invalid).
const UTF8_INVALID: Array<{ name: string; bytes: string; failAt: number | null }> = [
  { name: 'κόσμε with a surrogate U+D800 in the middle', bytes: 'cebae1bdb9cf83cebcceb5eda080656469746564', failAt: 12 },
  { name: 'a lone continuation octet 0x80', bytes: '4180', failAt: 1 },
  { name: 'a continuation octet 0xbf after ASCII', bytes: '61bf', failAt: 1 },
  { name: 'the overlong NUL C0 80', bytes: 'c080', failAt: 0 },
  { name: 'the overlong C1 BF', bytes: 'c1bf', failAt: 0 },
  { name: 'an overlong three-octet E0 80 AF', bytes: 'e080af', failAt: 1 },
  { name: 'an overlong four-octet F0 8F BF BF', bytes: 'f08fbfbf', failAt: 1 },
  { name: 'the surrogate U+DFFF (ED BF BF)', bytes: 'edbfbf', failAt: 1 },
  { name: 'U+110000 (F4 90 80 80), beyond Unicode', bytes: 'f4908080', failAt: 1 },
  { name: 'the octet F5', bytes: 'f5808080', failAt: 0 },
  { name: 'a five-octet form F8 88 80 80 80', bytes: 'f888808080', failAt: 0 },
  { name: 'the octets FE and FF', bytes: '61feff', failAt: 1 },
  { name: 'a two-octet start then ASCII (C2 41)', bytes: 'c241', failAt: 1 },
  { name: 'a message ending after a two-octet start (C2)', bytes: '6162c2', failAt: null },
  { name: 'a message ending inside a four-octet sequence (F0 9F 98)', bytes: 'f09f98', failAt: null },
];
const UTF8_VALID: Array<{ name: string; bytes: string }> = [
  { name: 'κόσμε', bytes: 'cebae1bdb9cf83cebcceb5' },
  { name: 'U+0000 and U+007F', bytes: '007f' },
  { name: 'U+0080 and U+07FF', bytes: 'c280dfbf' },
  { name: 'U+0800, U+D7FF, U+E000, U+FFFD, U+FFFF', bytes: 'e0a080ed9fbfee8080efbfbdefbfbf' },
  { name: 'U+10000 and U+10FFFF', bytes: 'f0908080f48fbfbf' },
  { name: 'an emoji and a byte order mark', bytes: 'f09f9880efbbbf' },
];

describe('the Receiver: UTF-8 (RFC 6455 §5.6, §8.1)', () => {
  test('valid UTF-8 boundary cases in one frame and split into one-octet fragments (RFC 6455 §5.6; Autobahn 6 UTF-8 Handling) {R6.23}', async () => {
    for (const c of UTF8_VALID) {
      const bytes = Buffer.from(c.bytes, 'hex');
      const want = bytes.toString('utf8');
      const whole = [text(bytes)];
      expectEvents(`valid UTF-8 (${c.name}) in one frame`, 'RFC 6455 §5.6', whole, [{ type: 'text', data: want }], await receive('server', whole));
      const pieces = [text(bytes.subarray(0, 1), false), ...[...bytes.subarray(1)].map((b, i) => cont(Buffer.from([b]), i === bytes.length - 2))];
      expectEvents(`valid UTF-8 (${c.name}) one octet per fragment (characters split across fragments are fine)`, 'RFC 6455 §5.6', pieces, [{ type: 'text', data: want }], await receive('server', pieces));
    }
  });

  test('invalid UTF-8 in a one-frame text message → 1007 (RFC 6455 §8.1; Autobahn 6 UTF-8 Handling) {R6.23}', async () => {
    for (const c of UTF8_INVALID) {
      await expectFailure(`a text frame holding ${c.name} <${c.bytes}>`, 'RFC 6455 §8.1', [text('fine'), text(Buffer.from(c.bytes, 'hex'))], [{ type: 'text', data: 'fine' }], 1007);
    }
  });

  test('invalid UTF-8 across fragments → 1007 at the end of the message (RFC 6455 §8.1; Autobahn 6 UTF-8 Handling) {R6.23}', async () => {
    for (const c of UTF8_INVALID) {
      const bytes = Buffer.from(c.bytes, 'hex');
      const frames = [text(bytes.subarray(0, 1), false), ...[...bytes.subarray(1)].map((b) => cont(Buffer.from([b]), false)), cont('')];
      await expectFailure(`${c.name} <${c.bytes}>, one octet per fragment`, 'RFC 6455 §8.1', frames, [], 1007);
    }
  });

  test('fail fast: the fragment that makes the text invalid is enough, before the message ends (RFC 6455 §8.1; Autobahn 6 UTF-8 Handling) {R6.24}', async () => {
    for (const c of UTF8_INVALID.filter((x) => x.failAt !== null)) {
      const bytes = Buffer.from(c.bytes, 'hex');
      const upTo = bytes.subarray(0, c.failAt! + 1);
      const frames = [text('ok ', false), ...[...upTo].map((b) => cont(Buffer.from([b]), false))];
      const events = await receive('server', frames);
      expectEvents(
        `${c.name} <${c.bytes}>: after octet ${c.failAt} no continuation can make the text valid UTF-8, so the Receiver must fail ` +
          'the connection now, without waiting for the last fragment (check each fragment as it arrives, carrying an unfinished sequence over to the next one)',
        'RFC 6455 §8.1',
        frames,
        [{ type: 'error', closeCode: 1007 }],
        events,
      );
    }
  });

  test('binary messages are not UTF-8 checked (RFC 6455 §5.6; Autobahn 6 UTF-8 Handling) {R6.25}', async () => {
    const bytes = Buffer.from('c080edbfbffeff', 'hex');
    const frames = [M({ opcode: 2, payload: bytes }), M({ opcode: 2, payload: bytes.subarray(0, 3), fin: false }), cont(bytes.subarray(3))];
    expectEvents('binary frames holding invalid UTF-8', 'RFC 6455 §5.6', frames, [
      { type: 'binary', data: bytes },
      { type: 'binary', data: bytes },
    ], await receive('server', frames));
  });
});

describe('the Receiver: limits and close frames (RFC 6455 §5.5.1, §7.4, §10.4)', () => {
  test('a message over maxMessageSize → 1009 as soon as its header arrives (RFC 6455 §7.4.1, §10.4; Autobahn 9 Limits) {R6.31}', async () => {
    await expectFailure('a 1025-octet binary frame, limit 1024', 'RFC 6455 §10.4', [M({ opcode: 2, payload: Buffer.alloc(1024) }), M({ opcode: 2, payload: Buffer.alloc(1025) })], [{ type: 'binary', data: Buffer.alloc(1024) }], 1009, { maxMessageSize: 1024 });
    // Only the header of a 100 MB frame: a receiver that waits for the payload (or allocates it) never answers.
    const header = Buffer.concat([Buffer.from([0x82, 0xff]), Buffer.from('0000000005f5e100', 'hex'), Buffer.from([9, 9, 9, 9])]);
    await expectFailure('only the header of a 100 000 000-octet frame, limit 4096', 'RFC 6455 §10.4: check the length before buffering', [header], [], 1009, { maxMessageSize: 4096 });
  });

  test('the limit counts all fragments of a message (RFC 6455 §10.4; Autobahn 9 Limits) {R6.31}', async () => {
    const frames = [M({ opcode: 2, payload: Buffer.alloc(600), fin: false }), M({ opcode: 9, payload: 'p' }), cont(Buffer.alloc(500), false), cont(Buffer.alloc(1))];
    await expectFailure('fragments of 600 + 500 octets, limit 1000', 'RFC 6455 §10.4', frames, [{ type: 'ping', data: Buffer.from('p') }], 1009, { maxMessageSize: 1000 });
    const fits = [M({ opcode: 2, payload: Buffer.alloc(600), fin: false }), cont(Buffer.alloc(400))];
    expectEvents('fragments of 600 + 400 octets, limit 1000 (fits exactly)', 'RFC 6455 §10.4', fits, [{ type: 'binary', data: Buffer.alloc(1000) }], await receive('server', fits, { maxMessageSize: 1000 }));
  });

  test('close frames: code and UTF-8 reason; no payload means 1005; nothing after a close (RFC 6455 §5.5.1, §7.1.5; Autobahn 7 Close Handling) {R6.26,R6.27,R6.35}', async () => {
    const a = [M({ opcode: 8, payload: closePayload(4001, 'fin ✓') }), text('after close')];
    expectEvents('a close with code and reason, then a text frame', 'RFC 6455 §5.5.1', a, [{ type: 'close', code: 4001, reason: 'fin ✓' }], await receive('server', a));
    const b = [wsFrame({ opcode: 8 })];
    expectEvents('an empty close frame', 'RFC 6455 §7.1.5: no status code in the close frame is reported as 1005', b, [{ type: 'close', code: 1005, reason: '' }], await receive('client', b));
  });

  test('a close payload of one octet → 1002 (RFC 6455 §5.5.1; Autobahn 7 Close Handling) {R6.26}', async () => {
    await expectFailure('a close frame with the single octet 0x03', 'RFC 6455 §5.5.1: a body starts with a 2-octet code', [M({ opcode: 8, payload: Buffer.from([3]) })], [], 1002);
  });

  test('close codes that may not be sent → 1002, valid ones accepted (RFC 6455 §7.4.1, §7.4.2; Autobahn 7 Close Handling) {R6.29}', async () => {
    for (const code of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) {
      await expectFailure(`a close frame with code ${codeName(code)}`, 'RFC 6455 §7.4', [M({ opcode: 8, payload: closePayload(code) })], [], 1002);
    }
    for (const code of [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4999]) {
      const frames = [M({ opcode: 8, payload: closePayload(code, 'ok') })];
      expectEvents(`a close frame with code ${codeName(code)}`, 'RFC 6455 §7.4', frames, [{ type: 'close', code, reason: 'ok' }], await receive('server', frames));
    }
  });

  test('a close reason that is not UTF-8 → 1007 (RFC 6455 §5.5.1, §8.1; Autobahn 7 Close Handling) {R6.26}', async () => {
    await expectFailure('a close frame 1000 with the reason <ce ba e1 bd b9 cf 83 ce bc ce b5 ed a0 80>', 'RFC 6455 §5.5.1: the reason is UTF-8', [M({ opcode: 8, payload: closePayload(1000, Buffer.from('cebae1bdb9cf83cebcceb5eda080', 'hex')) })], [], 1007);
  });

  test('after an error the Receiver returns nothing more (RFC 6455 §7.1.7) {R6.35}', async () => {
    const r = await sandbox().construct('Receiver', { role: 'server' });
    const first = asEvents(await r.call('push', Buffer.concat([text('one'), wsFrame({ opcode: 1, payload: 'unmasked' }), text('two')])), 'push');
    const later = asEvents(await r.call('push', text('three')), 'push');
    expectEvents('one, an unmasked frame, two, then (next push) three', 'RFC 6455 §7.1.7: after failing the connection nothing more is processed', [text('one'), wsFrame({ opcode: 1, payload: 'unmasked' }), text('two'), text('three')], [{ type: 'text', data: 'one' }, { type: 'error', closeCode: 1002 }], [...first, ...later]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4a. The learner's EchoServer, over TCP

describe('EchoServer over TCP, with raw sockets', () => {
  let server: Remote | undefined;

  afterEach(async () => {
    await closeAllRaw();
    if (server) await server.call('close').catch(() => undefined);
    server = undefined;
  });

  async function start(options: Record<string, unknown> = {}): Promise<number> {
    server = await sandbox().construct('EchoServer', options);
    const port = await server.call('listen', 0, '127.0.0.1');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) throw new Error(`EchoServer.listen() must resolve with its port; it resolved with ${JSON.stringify(port)}`);
    return port;
  }

  async function open(port: number): Promise<RawClient> {
    const client = await RawClient.handshake(port);
    const status = client.log.head.split('\r\n')[0] ?? '';
    if (!/^HTTP\/1\.1 101 /.test(status) || parseHead(client.log.head).headers.get('sec-websocket-accept') !== acceptFor(SAMPLE_KEY)) {
      throw new Error(`your server must accept the handshake with 101 and Sec-WebSocket-Accept ${acceptFor(SAMPLE_KEY)} (RFC 6455 §4.2.2); it answered:\n${client.log.head || '(nothing)'}`);
    }
    return client;
  }

  /** Waits until n frames (besides nothing else) arrived; fails with the wire log. */
  async function frames(client: RawClient, n: number, what: string, section: string, timeoutMs = 3000) {
    if (!(await client.log.until(() => client.log.frames.length >= n || client.log.ended, timeoutMs)) || client.log.frames.length < n) {
      throw new Error(`${what}: expected ${n} frames from your server within ${timeoutMs} ms (${section}); received:\n${client.log.render()}`);
    }
    return client.log.frames.slice(0, n);
  }

  /** Sends the frames; expects a close frame with the code (and then the TCP close) from the server. */
  async function expectServerFails(port: number, what: string, section: string, sent: Buffer[], code: number, echoedBefore = 0): Promise<void> {
    const client = await open(port);
    for (const f of sent) client.write(f);
    await client.log.until(() => (client.log.closeFrame() !== undefined && client.log.ended) || client.log.ended, 3000);
    const close = client.log.closeFrame();
    const got = close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
    const problems: string[] = [];
    if (!close) problems.push('no close frame came back');
    else if (got !== code) problems.push(`close code expected ${codeName(code)}, your server sent ${codeName(got)}`);
    const beforeClose = client.log.frames.filter((f) => f.opcode !== 8 && f.offset < (close?.offset ?? Infinity)).length;
    if (close && beforeClose !== echoedBefore) problems.push(`expected ${echoedBefore} frame(s) before the close frame, got ${beforeClose}`);
    if (close && client.log.frames.indexOf(close) !== client.log.frames.length - 1) problems.push('frames came after the close frame');
    if (!client.log.ended) problems.push('the server did not close the TCP connection after its close frame (within 3 s)');
    if (problems.length) {
      throw new Error(
        `${what}: the server must fail the connection with a close frame ${codeName(code)} and close TCP (${section}; RFC 6455 §7.1.7).\n  - ${problems.join('\n  - ')}\n` +
          `  the frames sent (the last is the offending one):\n${sent.map((f, i) => `  ${describeFrame(f, `sent ${i}`).replace(/\n/g, '\n  ')}`).join('\n')}\n  what your server wrote back:\n${client.log.render()}`,
      );
    }
  }

  test('the handshake on the wire: 101, Upgrade, Connection and the accept value (RFC 6455 §4.2.2) {R6.1,R6.33}', async () => {
    const port = await start();
    const random = seededRandom(SEED * 19 + 1);
    const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256))).toString('base64');
    const client = await RawClient.handshake(port, upgradeRequest('/echo?x=1', {}, key));
    const head = parseHead(client.log.head);
    const problems: string[] = [];
    if (!/^HTTP\/1\.1 101 /.test(head.startLine)) problems.push(`status line ${JSON.stringify(head.startLine)}, expected "HTTP/1.1 101 Switching Protocols"`);
    if (head.headers.get('upgrade')?.toLowerCase() !== 'websocket') problems.push('no "Upgrade: websocket"');
    if (!(head.headers.get('connection') ?? '').toLowerCase().includes('upgrade')) problems.push('no "Connection: Upgrade"');
    if (head.headers.get('sec-websocket-accept') !== acceptFor(key)) problems.push(`Sec-WebSocket-Accept ${JSON.stringify(head.headers.get('sec-websocket-accept'))}, expected "${acceptFor(key)}" for the key "${key}"`);
    if (client.log.ended) problems.push('the server closed the connection');
    if (problems.length) throw new Error(`the opening handshake (RFC 6455 §4.2.2):\n  - ${problems.join('\n  - ')}\n  response head:\n${client.log.head}`);
  });

  test('refused handshakes get their status and the connection is closed (RFC 6455 §4.2.2, §4.4) {R6.33}', async () => {
    const port = await start();
    const cases: Array<[string, string, number]> = [
      ['version 8', upgradeRequest('/chat', { 'Sec-WebSocket-Version': '8' }), 426],
      ['a POST', upgradeRequest().replace(/^GET/, 'POST'), 405],
      ['no key', upgradeRequest('/chat', { 'Sec-WebSocket-Key': '' }), 400],
    ];
    for (const [what, request, status] of cases) {
      const client = await RawClient.handshake(port, request);
      await client.log.until(() => client.log.ended, 3000);
      const line = client.log.head.split('\r\n')[0] ?? '';
      if (!line.startsWith(`HTTP/1.1 ${status} `) || !client.log.ended) {
        throw new Error(`${what}: expected "HTTP/1.1 ${status} …" and the connection closed (RFC 6455 §4.2.2); got ${JSON.stringify(line || client.log.rawHead.toString('latin1'))}${client.log.ended ? '' : ', connection still open after 3 s'}`);
      }
    }
  });

  test('text and binary echoed unmasked with minimal lengths, 0 to 65536 octets (RFC 6455 §5.1, §5.2; Autobahn 1 Framing) {R6.13,R6.15,R6.37}', async () => {
    const port = await start();
    const client = await open(port);
    const sizes = [0, 125, 126, 127, 65535, 65536];
    const sent: Array<{ opcode: number; payload: Buffer }> = [];
    for (const n of sizes) {
      sent.push({ opcode: 1, payload: Buffer.alloc(n, 0x2a) });
      sent.push({ opcode: 2, payload: Buffer.alloc(n, 0xfe) });
    }
    for (const s of sent) client.write(M(s));
    const got = await frames(client, sent.length, 'echo of 12 messages', 'RFC 6455 §5.2', 5000);
    got.forEach((f, i) => {
      const want = sent[i]!;
      const bits = want.payload.length <= 125 ? 7 : want.payload.length <= 65535 ? 16 : 64;
      const problem =
        f.opcode !== want.opcode
          ? `opcode 0x${f.opcode.toString(16)} instead of 0x${want.opcode.toString(16)} (${opcodeName(want.opcode)})`
          : !f.payload.equals(want.payload)
            ? `payload of ${f.payload.length} octets instead of the ${want.payload.length} sent`
            : f.masked
              ? 'a server must not mask its frames (RFC 6455 §5.1)'
              : !f.fin
                ? 'FIN 0 on a complete message'
                : f.rsv
                  ? 'RSV bits set'
                  : f.lengthBits !== bits
                    ? `a ${f.lengthBits}-bit length field for ${want.payload.length} octets: the minimal encoding is ${bits}-bit (RFC 6455 §5.2)`
                    : undefined;
      if (problem) throw new Error(`echo #${i} (${opcodeName(want.opcode)}, ${want.payload.length} octets): ${problem}\n${describeWireFrame(f, '  your frame')}`);
    });
  });

  test('pings answered by pongs with the same payload, in order (RFC 6455 §5.5.2, §5.5.3; Autobahn 2 Pings/Pongs) {R6.21,R6.37}', async () => {
    const port = await start();
    const client = await open(port);
    const payloads = [Buffer.alloc(0), Buffer.from('hello'), Buffer.from(Array.from({ length: 125 }, (_, i) => i)), ...Array.from({ length: 7 }, (_, i) => Buffer.from(`ping ${i}`))];
    for (const p of payloads) client.write(M({ opcode: 9, payload: p }));
    client.write(M({ opcode: 10, payload: 'unsolicited pong: no answer' }));
    client.write(text('barrier'));
    const got = await frames(client, payloads.length + 1, `${payloads.length} pings, an unsolicited pong, a text`, 'RFC 6455 §5.5.3');
    payloads.forEach((p, i) => {
      const f = got[i]!;
      if (f.opcode !== 0xa || !f.payload.equals(p)) {
        throw new Error(`ping #${i} with payload <${hex(p)}> must be answered by a pong (0xA) with the same payload, in order (RFC 6455 §5.5.3); an unsolicited pong gets no answer.\n${describeWireFrame(f, '  your frame')}\n  all frames:\n${client.log.render(12)}`);
      }
    });
    if (got[payloads.length]!.opcode !== 1) throw new Error(`after the pongs, expected the echo of "barrier" (an unsolicited pong needs no answer, RFC 6455 §5.5.3)\n${client.log.render(12)}`);
  });

  test('a fragmented message with a ping inside: pong first, then one echo (RFC 6455 §5.4; Autobahn 5 Fragmentation) {R6.19,R6.37}', async () => {
    const port = await start();
    const client = await open(port);
    client.write(Buffer.concat([text('frag', false), M({ opcode: 9, payload: 'in between' }), cont('men', false), cont('ted ✓')]));
    const [a, b] = await frames(client, 2, 'a fragmented text with a ping between the fragments', 'RFC 6455 §5.4');
    if (a!.opcode !== 0xa || a!.payload.toString() !== 'in between' || b!.opcode !== 1 || b!.payload.toString() !== 'fragmented ✓') {
      throw new Error(`expected a pong "in between" (control frames are answered even in the middle of a fragmented message) then the text "fragmented ✓" (RFC 6455 §5.4, §5.5.2):\n${client.log.render()}`);
    }
  });

  test('frames cut at seeded random points, and frames in the same packet as the handshake (RFC 6455 §5.2, §4.2.2) {R6.14,R6.17}', async () => {
    const port = await start();
    const random = seededRandom(SEED * 17 + 3);
    const messages = Array.from({ length: 12 }, (_, i) => (i % 3 === 2 ? 'x'.repeat(200 + i) : `message ${i} ✓`));
    const stream = Buffer.concat(messages.map((m, i) => M({ opcode: 1, payload: m, mask: Buffer.from([i, i * 3, 0xff - i, 0x55]) })));
    const client = await RawClient.connect(port);
    const request = Buffer.from(upgradeRequest());
    // The head and the first 3 octets of the first frame in one write, then the rest in small random pieces.
    await client.writeChunks([Buffer.concat([request, stream.subarray(0, 3)]), ...randomSplit(stream.subarray(3), random, 9)]);
    const got = await frames(client, messages.length, `12 text messages cut at random points (seed ${SEED})`, 'RFC 6455 §5.2');
    got.forEach((f, i) => {
      if (f.opcode !== 1 || f.payload.toString() !== messages[i]) throw new Error(`echo #${i}: expected "${messages[i]}" (seed ${SEED})\n${describeWireFrame(f, '  your frame')}`);
    });
  });

  test('valid UTF-8 echoed, split across fragments mid-character (RFC 6455 §5.6; Autobahn 6 UTF-8 Handling) {R6.23,R6.37}', async () => {
    const port = await start();
    const client = await open(port);
    const bytes = Buffer.from('Hello-µ@ßöäüàá-UTF-8!! κόσμε 😀', 'utf8');
    client.write(Buffer.concat([text(bytes.subarray(0, 7), false), ...[...bytes.subarray(7)].map((b, i) => cont(Buffer.from([b]), i === bytes.length - 8))]));
    const [f] = await frames(client, 1, 'a UTF-8 text sent one octet per fragment', 'RFC 6455 §5.6');
    if (f!.opcode !== 1 || !f!.payload.equals(bytes)) throw new Error(`expected the text echoed as one message <${hex(bytes, 40)}>\n${describeWireFrame(f!, '  your frame')}`);
  });

  const serverFailures: Array<{ name: string; requirements: string; section: string; frames: () => Buffer[]; code: number; before: number; options?: Record<string, unknown> }> = [
    { name: 'an unmasked client frame', requirements: 'R6.30,R6.16', section: 'RFC 6455 §5.1; Autobahn 1 Framing', frames: () => [text('hi'), wsFrame({ opcode: 1, payload: 'unmasked' })], code: 1002, before: 1 },
    { name: 'RSV1 set on a text frame', requirements: 'R6.30,R6.10', section: 'RFC 6455 §5.2; Autobahn 3 Reserved Bits', frames: () => [text('hi'), M({ opcode: 1, payload: 'x', rsv: 4 }), M({ opcode: 9, payload: 'p' })], code: 1002, before: 1 },
    { name: 'RSV3 set on a ping', requirements: 'R6.30,R6.10', section: 'RFC 6455 §5.2; Autobahn 3 Reserved Bits', frames: () => [M({ opcode: 9, payload: 'p', rsv: 1 })], code: 1002, before: 0 },
    { name: 'reserved opcode 0x5', requirements: 'R6.30,R6.11', section: 'RFC 6455 §5.2; Autobahn 4 Opcodes', frames: () => [M({ opcode: 5, payload: 'x' })], code: 1002, before: 0 },
    { name: 'reserved opcode 0xB', requirements: 'R6.30,R6.11', section: 'RFC 6455 §5.2; Autobahn 4 Opcodes', frames: () => [text('hi'), M({ opcode: 0xb, payload: 'x' })], code: 1002, before: 1 },
    { name: 'a 126-octet ping', requirements: 'R6.30,R6.20', section: 'RFC 6455 §5.5; Autobahn 2 Pings/Pongs', frames: () => [M({ opcode: 9, payload: Buffer.alloc(126, 0x70) })], code: 1002, before: 0 },
    { name: 'a fragmented ping', requirements: 'R6.30,R6.20', section: 'RFC 6455 §5.5; Autobahn 5 Fragmentation', frames: () => [M({ opcode: 9, payload: 'a', fin: false }), cont('b')], code: 1002, before: 0 },
    { name: 'a continuation with nothing to continue', requirements: 'R6.30,R6.18', section: 'RFC 6455 §5.4; Autobahn 5 Fragmentation', frames: () => [cont('orphan')], code: 1002, before: 0 },
    { name: 'a text frame inside a fragmented text', requirements: 'R6.30,R6.18', section: 'RFC 6455 §5.4; Autobahn 5 Fragmentation', frames: () => [text('a', false), text('b')], code: 1002, before: 0 },
    { name: 'invalid UTF-8 (a surrogate) in a text message', requirements: 'R6.30,R6.23', section: 'RFC 6455 §8.1; Autobahn 6 UTF-8 Handling', frames: () => [text(Buffer.from('cebae1bdb9cf83cebcceb5eda080656469746564', 'hex'))], code: 1007, before: 0 },
    { name: 'invalid UTF-8 in the first fragment (fail fast, the message never ends)', requirements: 'R6.30,R6.24', section: 'RFC 6455 §8.1; Autobahn 6 UTF-8 Handling', frames: () => [text(Buffer.from('cebae1bdb9cf83cebcceb5f4908080', 'hex'), false)], code: 1007, before: 0 },
    { name: 'a message over maxMessageSize 2048', requirements: 'R6.30,R6.31', section: 'RFC 6455 §10.4; Autobahn 9 Limits', frames: () => [M({ opcode: 2, payload: Buffer.alloc(2048) }), M({ opcode: 2, payload: Buffer.alloc(1500), fin: false }), cont(Buffer.alloc(549))], code: 1009, before: 1, options: { maxMessageSize: 2048 } },
    { name: 'a close frame with code 1005', requirements: 'R6.30,R6.28,R6.29', section: 'RFC 6455 §7.4.1; Autobahn 7 Close Handling', frames: () => [M({ opcode: 8, payload: closePayload(1005) })], code: 1002, before: 0 },
    { name: 'a close frame with a 1-octet body', requirements: 'R6.30,R6.26', section: 'RFC 6455 §5.5.1; Autobahn 7 Close Handling', frames: () => [M({ opcode: 8, payload: Buffer.from([0x03]) })], code: 1002, before: 0 },
    { name: 'a close reason that is not UTF-8', requirements: 'R6.30,R6.26', section: 'RFC 6455 §5.5.1, §8.1; Autobahn 7 Close Handling', frames: () => [M({ opcode: 8, payload: closePayload(1000, Buffer.from('c0af', 'hex')) })], code: 1007, before: 0 },
  ];

  for (const c of serverFailures) {
    test(`the server fails the connection on ${c.name} → close ${c.code} (${c.section.replace(/^RFC 6455/, 'RFC 6455')}) {${c.requirements}}`, async () => {
      const port = await start(c.options ?? {});
      await expectServerFails(port, c.name, c.section, c.frames(), c.code, c.before);
    });
  }

  test('a close is answered with the same code, then TCP closes; nothing is processed after it (RFC 6455 §5.5.1, §7.1.2; Autobahn 7 Close Handling) {R6.27,R6.37}', async () => {
    const port = await start();
    for (const code of [1000, 1001, 3000, 4999]) {
      const client = await open(port);
      client.write(Buffer.concat([text('before'), M({ opcode: 8, payload: closePayload(code, 'bye') }), text('after close'), M({ opcode: 9, payload: 'after close' })]));
      await client.log.until(() => client.log.ended, 3000);
      const kinds = client.log.frames.map((f) => f.opcode);
      const close = client.log.closeFrame();
      const got = close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
      if (JSON.stringify(kinds) !== JSON.stringify([1, 8]) || got !== code || !client.log.ended) {
        throw new Error(
          `sent: text "before", close ${codeName(code)} "bye", then a text and a ping (which must be ignored: the closing handshake has started). ` +
            `Expected the echo of "before", a close frame with code ${code} (an endpoint echoes the code it received), and the TCP connection closed by the server (RFC 6455 §5.5.1, §7.1.1).\n` +
            `  close code expected ${codeName(code)}, sent ${codeName(got)}\n  what your server wrote:\n${client.log.render()}`,
        );
      }
    }
  });

  test('an empty close gets a close back (empty or 1000) (RFC 6455 §5.5.1, §7.1.5; Autobahn 7 Close Handling) {R6.37}', async () => {
    const port = await start();
    const client = await open(port);
    client.write(M({ opcode: 8 }));
    await client.log.until(() => client.log.ended, 3000);
    const close = client.log.closeFrame();
    const ok = close && (close.payload.length === 0 || (close.payload.length >= 2 && close.payload.readUInt16BE(0) === 1000));
    if (!ok || !client.log.ended) throw new Error(`an empty close frame must be answered by a close frame (empty, or 1000) and the TCP close (RFC 6455 §5.5.1):\n${client.log.render()}`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4b. The learner's EchoServer with a real `ws` client

// The ws client talks to the learner's server through a relay that cuts its bytes at points the seed decides
// (harness/support/rechunk-relay.ts): where a masked payload is cut is the same in every run with one seed.
describe('EchoServer with a real ws client', () => {
  let server: Remote | undefined;
  const clients: WsClient[] = [];
  let relay: RechunkRelay | undefined;
  let connections = 0;

  afterEach(async () => {
    for (const c of clients.splice(0)) c.terminate();
    await relay?.close();
    relay = undefined;
    if (server) await server.call('close').catch(() => undefined);
    server = undefined;
  });

  async function connect(): Promise<WsClient> {
    server = await sandbox().construct('EchoServer', {});
    const port = await server.call('listen', 0, '127.0.0.1');
    relay = await startRechunkRelay(Number(port), seededRandom(SEED + 7919 * ++connections));
    const ws = new WsClient(`ws://127.0.0.1:${relay.port}/echo`, { perMessageDeflate: false });
    clients.push(ws);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the ws client could not open a connection to your server within 3 s (RFC 6455 §4.2.2)')), 3000);
      ws.once('open', () => (clearTimeout(timer), resolve()));
      ws.once('error', (err) => (clearTimeout(timer), reject(new Error(`the ws client refused your server's handshake: ${err.message} (RFC 6455 §4.1, §4.2.2)`))));
    });
    return ws;
  }

  function nextMessages(ws: WsClient, n: number, timeoutMs = 4000): Promise<Array<{ data: Buffer; binary: boolean }>> {
    return new Promise((resolve, reject) => {
      const got: Array<{ data: Buffer; binary: boolean }> = [];
      const timer = setTimeout(() => reject(new Error(`the ws client received ${got.length} of ${n} echoed messages within ${timeoutMs} ms`)), timeoutMs);
      ws.on('message', (data, binary) => {
        got.push({ data: Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), binary });
        if (got.length === n) {
          clearTimeout(timer);
          resolve(got);
        }
      });
      ws.once('close', (code) => (clearTimeout(timer), reject(new Error(`the connection closed (code ${codeName(code)}) after ${got.length} of ${n} echoes`))));
    });
  }

  test('text, binary, fragmented and 1 MB messages echoed to a ws client (RFC 6455 §5.4, §5.6) {R6.17,R6.37}', async () => {
    const ws = await connect();
    const big = Buffer.alloc(1 << 20);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 0xff;
    const wait = nextMessages(ws, 4);
    ws.send('hello from ws ✓');
    ws.send(Buffer.from([0, 1, 2, 255]));
    ws.send('part one, ', { fin: false });
    ws.send('part two', { fin: true });
    ws.send(big);
    const got = await wait.catch(async (e) => {
      throw e;
    });
    const want = [
      { data: Buffer.from('hello from ws ✓'), binary: false },
      { data: Buffer.from([0, 1, 2, 255]), binary: true },
      { data: Buffer.from('part one, part two'), binary: false },
      { data: big, binary: true },
    ];
    want.forEach((w, i) => {
      const g = got[i]!;
      if (g.binary !== w.binary || !g.data.equals(w.data)) {
        throw new Error(`echo #${i}: the ws client expected a ${w.binary ? 'binary' : 'text'} message of ${w.data.length} octets <${hex(w.data)}>, it received a ${g.binary ? 'binary' : 'text'} one of ${g.data.length} <${hex(g.data)}> (RFC 6455 §5.6)`);
      }
    });
  });

  test('a ws client gets pongs and a clean close with its code and the TCP close (RFC 6455 §5.5.3, §7.1.2) {R6.21,R6.37}', async () => {
    const ws = await connect();
    const pong = new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no pong for the ws client\'s ping within 3 s (RFC 6455 §5.5.3)')), 3000);
      ws.once('pong', (data) => (clearTimeout(timer), resolve(data)));
    });
    ws.ping('are you alive');
    const data = await pong;
    if (data.toString() !== 'are you alive') throw new Error(`the pong must carry the ping's payload "are you alive"; it carried <${hex(data)}> (RFC 6455 §5.5.3)`);
    const closed = new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the ws client started a close (4000 "done") and the connection did not end within 3 s: answer with a close frame and close TCP (RFC 6455 §7.1.2)')), 3000);
      ws.once('close', (code, reason) => (clearTimeout(timer), resolve({ code, reason: reason.toString() })));
    });
    ws.close(4000, 'done');
    const c = await closed;
    if (c.code !== 4000) throw new Error(`the ws client closed with 4000; your server's close frame must echo the code: close code expected ${codeName(4000)}, the ws client saw ${codeName(c.code)} (RFC 6455 §5.5.1)`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4c. The learner's WebSocketClient

interface ClientLog {
  messages: Array<{ type: unknown; data: unknown }>;
  pongs: Uint8Array[];
  closes: Array<{ code?: unknown; reason?: unknown }>;
  errors: Array<{ closeCode?: unknown; message?: unknown }>;
}

describe('WebSocketClient', () => {
  let client: Remote | undefined;
  let wss: WsServer | undefined;

  // The peers go first: a client whose close() waits for an answer that a raw server never gives would hang.
  afterEach(async () => {
    await closeAllRaw();
    if (wss) {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss!.close(() => resolve()));
    }
    wss = undefined;
    if (client) await client.call('close').catch(() => undefined);
    client = undefined;
  });

  async function newClient(url: string, options: Record<string, unknown> = {}): Promise<{ client: Remote; log: ClientLog }> {
    const log: ClientLog = { messages: [], pongs: [], closes: [], errors: [] };
    const sb = sandbox();
    client = await sb.construct('WebSocketClient', url, {
      ...options,
      onMessage: sb.callback((e) => log.messages.push(e as ClientLog['messages'][number])),
      onPong: sb.callback((d) => log.pongs.push(d as Uint8Array)),
      onClose: sb.callback((e) => log.closes.push(e as ClientLog['closes'][number])),
      onError: sb.callback((e) => log.errors.push(e as ClientLog['errors'][number])),
    });
    return { client, log };
  }

  async function wsServer(onConnection: (socket: import('ws').WebSocket, request: import('node:http').IncomingMessage) => void): Promise<string> {
    const server = new WsServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    wss = server;
    server.on('connection', onConnection);
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return `ws://127.0.0.1:${(server.address() as import('node:net').AddressInfo).port}/live`;
  }

  async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > timeoutMs) return false;
      await new Promise((r) => setTimeout(r, 10));
    }
    return true;
  }

  async function openOrExplain(c: Remote): Promise<void> {
    try {
      await c.callWithin(4000, 'open');
    } catch (err) {
      throw new Error(`open() must connect and complete the handshake with a real ws server (RFC 6455 §4.1); it failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  test('the handshake request: GET, Host, Upgrade, Connection, a fresh 16-octet key, version 13 (RFC 6455 §4.1) {R6.38}', async () => {
    const keys: string[] = [];
    const raw = await RawServer.start((head, socket) => socket.write(switchingProtocols(head)));
    for (let i = 0; i < 2; i++) {
      const { client: c } = await newClient(raw.url);
      await c.callWithin(4000, 'open').catch(() => undefined);
      const conn = raw.connections[i];
      if (!conn?.log.headDone) throw new Error(`your client sent no complete request head (RFC 6455 §4.1)`);
      const head = parseHead(conn.log.head);
      const key = head.headers.get('sec-websocket-key') ?? '';
      keys.push(key);
      const problems: string[] = [];
      if (head.startLine !== 'GET /feed HTTP/1.1') problems.push(`request line ${JSON.stringify(head.startLine)}, expected "GET /feed HTTP/1.1"`);
      if (!head.headers.get('host')?.startsWith('127.0.0.1')) problems.push(`Host ${JSON.stringify(head.headers.get('host'))}, expected "127.0.0.1:${raw.port}"`);
      if (head.headers.get('upgrade')?.toLowerCase() !== 'websocket') problems.push('no "Upgrade: websocket"');
      if (!(head.headers.get('connection') ?? '').toLowerCase().includes('upgrade')) problems.push('no "Connection: Upgrade"');
      if (!/^[A-Za-z0-9+/]{22}==$/.test(key) || Buffer.from(key, 'base64').length !== 16) problems.push(`Sec-WebSocket-Key ${JSON.stringify(key)} is not base64 of 16 octets`);
      if (head.headers.get('sec-websocket-version') !== '13') problems.push(`Sec-WebSocket-Version ${JSON.stringify(head.headers.get('sec-websocket-version'))}, expected "13"`);
      if (problems.length) throw new Error(`your client's opening handshake (RFC 6455 §4.1):\n  - ${problems.join('\n  - ')}\n  request:\n${conn.log.head}`);
      conn.socket.destroy();
      await c.call('close').catch(() => undefined);
    }
    if (keys[0] === keys[1] || keys.includes(SAMPLE_KEY)) throw new Error(`the key must be a fresh random nonce for each connection (RFC 6455 §4.1); two connections sent ${keys.join(' and ')}`);
  });

  test('a wrong Sec-WebSocket-Accept, a 403, a missing Upgrade or a server that hangs up fail open(): the socket is closed and nothing is sent (RFC 6455 §4.1) {R6.7,R6.9,R6.38}', async () => {
    // null: the server closes the connection without answering (open() must fail, not wait forever).
    const answers: Array<[string, (head: string) => string | null]> = [
      ['an accept value for another key', (head) => switchingProtocols(head, { accept: acceptFor('AAAAAAAAAAAAAAAAAAAAAA==') })],
      ['the key echoed as the accept value', (head) => switchingProtocols(head, { accept: parseHead(head).headers.get('sec-websocket-key') })],
      ['403 Forbidden', () => 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'],
      ['no Upgrade header', (head) => switchingProtocols(head).replace('Upgrade: websocket\r\n', '')],
      ['the server closing the connection without an answer', () => null],
    ];
    for (const [what, answer] of answers) {
      const raw = await RawServer.start((head, socket) => {
        const reply = answer(head);
        if (reply === null) socket.destroy();
        else socket.write(reply);
      });
      const { client: c } = await newClient(raw.url);
      let failure: unknown;
      try {
        await c.callWithin(4000, 'open');
      } catch (err) {
        failure = err;
      }
      const conn = raw.connections[0];
      const hungUp = what.startsWith('the server closing');
      // A hang-up may be reported by any error; a refused handshake by the given HandshakeError.
      if (!(failure instanceof RemoteError) || (!hungUp && failure.code !== 'HANDSHAKE_FAILED')) {
        throw new Error(
          `${what}: open() must reject${hungUp ? ' (a HandshakeError, or the socket error)' : ' with a HandshakeError (code HANDSHAKE_FAILED)'}: the client fails the WebSocket connection (RFC 6455 §4.1); ` +
            `${failure ? `it failed with ${failure instanceof Error ? failure.message : String(failure)}` : 'it resolved'}`,
        );
      }
      // Failing the WebSocket connection closes the socket: wait for the TCP close, so every octet the client
      // wrote before it has arrived when the frames are counted.
      const closed = conn ? await conn.log.until(() => conn.log.ended, 3000) : true;
      if (conn && conn.log.frames.length) throw new Error(`${what}: after a failed handshake the client must not send frames; it sent:\n${conn.log.render()}`);
      if (!closed) {
        throw new Error(
          `${what}: open() rejected but the TCP connection was still open 3 s later: a client that fails the WebSocket connection closes the socket (RFC 6455 §4.1, §7.1.7)\n${conn!.log.render()}`,
        );
      }
      await closeAllRaw();
      await c.call('close').catch(() => undefined);
      client = undefined;
    }
  });

  test('messages both ways with a real ws server: text, binary, 70 000 octets, fragmented sends (RFC 6455 §5.4, §5.6) {R6.39,R6.40}', async () => {
    const received: Array<{ data: Buffer; binary: boolean }> = [];
    const url = await wsServer((socket) => {
      socket.on('message', (data, binary) => {
        const d = data as Buffer;
        received.push({ data: d, binary });
        socket.send(d, { binary });
      });
    });
    const { client: c, log } = await newClient(url);
    await openOrExplain(c);
    const big = Buffer.alloc(70_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 11) & 0xff;
    await c.call('send', 'hello ✓');
    await c.call('send', Buffer.from([1, 2, 3]));
    await c.call('send', big);
    await c.call('send', 'fragmented: κόσμε, split mid-character', 5);
    await c.call('send', Buffer.alloc(10, 9), 3);
    // A length that is an exact multiple of the fragment size: the last fragment is a full one and carries FIN.
    await c.call('send', Buffer.alloc(12, 7), 4);
    const want = [
      { data: Buffer.from('hello ✓'), binary: false },
      { data: Buffer.from([1, 2, 3]), binary: true },
      { data: big, binary: true },
      { data: Buffer.from('fragmented: κόσμε, split mid-character'), binary: false },
      { data: Buffer.alloc(10, 9), binary: true },
      { data: Buffer.alloc(12, 7), binary: true },
    ];
    await until(() => log.messages.length >= want.length || log.closes.length > 0, 4000);
    want.forEach((w, i) => {
      const r = received[i];
      if (!r || r.binary !== w.binary || !r.data.equals(w.data)) {
        throw new Error(`message #${i}: the ws server expected a ${w.binary ? 'binary' : 'text'} message <${hex(w.data)}> (${w.data.length} octets); it received ${r ? `a ${r.binary ? 'binary' : 'text'} message <${hex(r.data)}> (${r.data.length} octets)` : 'nothing'} (RFC 6455 §5.4, §5.6)`);
      }
      const m = log.messages[i];
      const ok = m && m.type === (w.binary ? 'binary' : 'text') && (w.binary ? m.data instanceof Uint8Array && Buffer.from(m.data).equals(w.data) : m.data === w.data.toString());
      if (!ok) throw new Error(`echo #${i}: onMessage must report { type: "${w.binary ? 'binary' : 'text'}", data: ${w.binary ? `<${hex(w.data)}>` : JSON.stringify(w.data.toString())} }; it reported ${m ? renderEvent(m) : 'nothing'} (RFC 6455 §5.6)`);
    });
  });

  test('every client frame is masked, with keys that vary (RFC 6455 §5.1, §5.3) {R6.15,R6.39}', async () => {
    const raw = await RawServer.start((head, socket) => socket.write(switchingProtocols(head)));
    const { client: c } = await newClient(raw.url);
    await openOrExplain(c);
    for (let i = 0; i < 6; i++) await c.call('send', `message ${i}`);
    await c.call('ping', 'p');
    const conn = await raw.connection();
    await conn.log.until(() => conn.log.frames.length >= 7, 3000);
    const frames = conn.log.frames;
    const unmasked = frames.find((f) => !f.masked);
    if (frames.length < 7 || unmasked) {
      throw new Error(`a client must mask every frame it sends (RFC 6455 §5.1, §5.3)${unmasked ? `: this one is not:\n${describeWireFrame(unmasked, '  ')}` : `; received ${frames.length} of 7 frames`}\n${conn.log.render(8)}`);
    }
    const keys = new Set(frames.map((f) => f.maskingKey!.toString('hex')));
    if (keys.size < 4) throw new Error(`the masking key must be fresh and unpredictable for each frame (RFC 6455 §5.3, §10.3); 7 frames used only ${keys.size} distinct key(s): ${[...keys].join(', ')}`);
    frames.slice(0, 6).forEach((f, i) => {
      if (f.opcode !== 1 || f.payload.toString() !== `message ${i}`) throw new Error(`frame #${i}: expected the text "message ${i}"\n${describeWireFrame(f, '  your frame')}`);
    });
  });

  test('pings from a ws server are answered; pongs reported (RFC 6455 §5.5.2, §5.5.3) {R6.21,R6.39}', async () => {
    const pongs: Buffer[] = [];
    let serverSocket: import('ws').WebSocket | undefined;
    const url = await wsServer((socket) => {
      serverSocket = socket;
      socket.on('pong', (d) => pongs.push(d));
      socket.on('ping', () => undefined);
    });
    const { client: c, log } = await newClient(url);
    await openOrExplain(c);
    await until(() => serverSocket !== undefined, 3000);
    serverSocket!.ping(Buffer.from('server ping ✓'));
    await c.call('ping', 'client ping');
    await until(() => pongs.length >= 1 && log.pongs.length >= 1, 3000);
    if (pongs[0]?.toString() !== 'server ping ✓') throw new Error(`the ws server pinged with "server ping ✓": the client must answer with a pong carrying the same payload (RFC 6455 §5.5.2); the server got ${pongs.length ? `<${hex(pongs[0]!)}>` : 'no pong within 3 s'}`);
    if (!log.pongs[0] || Buffer.from(log.pongs[0]).toString() !== 'client ping') throw new Error(`the client pinged with "client ping": the ws server's pong must be reported through onPong; got ${log.pongs.length ? `<${hex(log.pongs[0]!)}>` : 'nothing'} (RFC 6455 §5.5.3)`);
  });

  test('a server-initiated close is echoed and reported; close() gets the server\'s answer (RFC 6455 §7.1.2, §5.5.1) {R6.39,R6.41}', async () => {
    const serverSaw: Array<{ code: number; reason: string }> = [];
    const url = await wsServer((socket) => {
      socket.on('close', (code, reason) => serverSaw.push({ code, reason: reason.toString() }));
      socket.on('message', (data) => {
        if (data.toString() === 'close me') socket.close(4001, 'server says bye');
      });
    });
    const a = await newClient(url);
    await openOrExplain(a.client);
    await a.client.call('send', 'close me');
    await until(() => a.log.closes.length > 0 && serverSaw.length > 0, 4000);
    const closeA = a.log.closes[0];
    if (closeA?.code !== 4001 || closeA.reason !== 'server says bye' || serverSaw[0]?.code !== 4001) {
      throw new Error(
        `the ws server closed with 4001 "server says bye": onClose must report { code: 4001, reason: "server says bye" }, and the client must answer with a close frame echoing the code (RFC 6455 §5.5.1, §7.1.2).\n` +
          `  onClose: ${closeA ? renderEvent(closeA) : 'not called'}\n  close code expected ${codeName(4001)}, the ws server received ${serverSaw[0] ? `${codeName(serverSaw[0].code)} "${serverSaw[0].reason}"` : 'no close'}`,
      );
    }
    await a.client.call('close').catch(() => undefined);
    client = undefined;
    serverSaw.length = 0;
    const b = await newClient(url);
    await openOrExplain(b.client);
    const answer = (await b.client.callWithin(4000, 'close', 1000, 'client done')) as Event;
    await until(() => serverSaw.length > 0, 3000);
    const sawB = serverSaw.at(0);
    if (sawB?.code !== 1000 || sawB.reason !== 'client done' || answer?.code !== 1000) {
      throw new Error(
        `close(1000, "client done") must send a close frame with that code and reason, and resolve with the server's answer (ws echoes 1000) (RFC 6455 §7.1.2).\n` +
          `  the ws server received ${sawB ? `${codeName(sawB.code)} "${sawB.reason}"` : 'no close'}; close() resolved with ${renderEvent(answer)}`,
      );
    }
  });

  // ws always echoes the code and reason it received, so a client that resolves close() with its own code looks
  // right against it: this scripted server answers with a code and reason of its own, then closes TCP.
  test("close() resolves with the server's own answer, not the code it sent (RFC 6455 §7.1.2, §5.5.1) {R6.41}", async () => {
    const raw = await RawServer.start((head, socket) => socket.write(switchingProtocols(head)));
    const { client: c } = await newClient(raw.url);
    await openOrExplain(c);
    const conn = await raw.connection();
    const answer = c.callWithin(4000, 'close', 1000, 'client done').then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const sawClose = await conn.log.until(() => conn.log.closeFrame() !== undefined, 3000);
    const sent = conn.log.closeFrame();
    if (sawClose && sent) conn.socket.end(wsFrame({ opcode: 8, payload: closePayload(4002, 'server answer') }));
    const result = await answer;
    const got = 'value' in result ? (result.value as Event | undefined) : undefined;
    const sentCode = sent && sent.payload.length >= 2 ? sent.payload.readUInt16BE(0) : undefined;
    const problems: string[] = [];
    if (!sent) problems.push('no close frame reached the server within 3 s');
    else if (sentCode !== 1000 || sent.payload.subarray(2).toString() !== 'client done') problems.push(`the close frame sent carried ${codeName(sentCode)} ${JSON.stringify(sent.payload.subarray(2).toString())}, expected 1000 "client done"`);
    if ('error' in result) problems.push(`close() rejected: ${result.error instanceof Error ? result.error.message : String(result.error)}`);
    else if (got?.code !== 4002 || got.reason !== 'server answer') problems.push(`close() resolved with ${renderEvent(got)}, expected the server's answer { code: 4002, reason: "server answer" }`);
    if (problems.length) {
      throw new Error(
        `close(1000, "client done") starts the closing handshake; the server answered with its own close frame 4002 "server answer" and closed TCP, so close() must resolve with that answer once the connection has ended (RFC 6455 §7.1.2):\n  - ${problems.join('\n  - ')}\n  what your client wrote:\n${conn.log.render()}`,
      );
    }
  });

  const clientFailures: Array<{ name: string; section: string; frames: Buffer[]; code: number }> = [
    { name: 'a masked frame from the server', section: 'RFC 6455 §5.1', frames: [wsFrame({ opcode: 1, payload: 'masked', mask: true })], code: 1002 },
    { name: 'invalid UTF-8 in a text message', section: 'RFC 6455 §8.1; Autobahn 6 UTF-8 Handling', frames: [wsFrame({ opcode: 1, payload: Buffer.from('48c0af', 'hex') })], code: 1007 },
    { name: 'a reserved opcode 0x3', section: 'RFC 6455 §5.2; Autobahn 4 Opcodes', frames: [wsFrame({ opcode: 3, payload: 'x' })], code: 1002 },
    { name: 'a message over maxMessageSize 100', section: 'RFC 6455 §10.4; Autobahn 9 Limits', frames: [wsFrame({ opcode: 2, payload: Buffer.alloc(101) })], code: 1009 },
  ];

  test('frames from a raw server: fragments with a ping between, then a protocol error → close with its code and onError (RFC 6455 §5.4, §7.1.7) {R6.30,R6.39}', async () => {
    for (const c of clientFailures) {
      const raw = await RawServer.start((head, socket) => {
        socket.write(switchingProtocols(head));
        socket.write(Buffer.concat([wsFrame({ opcode: 1, payload: 'frag', fin: false }), wsFrame({ opcode: 9, payload: 'mid' }), wsFrame({ opcode: 0, payload: 'ment' }), ...c.frames]));
      });
      const { client: cl, log } = await newClient(raw.url, { maxMessageSize: 100 });
      await openOrExplain(cl);
      const conn = await raw.connection();
      await conn.log.until(() => conn.log.closeFrame() !== undefined, 3000);
      const pong = conn.log.frames.find((f) => f.opcode === 0xa);
      const close = conn.log.closeFrame();
      const got = close && close.payload.length >= 2 ? close.payload.readUInt16BE(0) : undefined;
      await until(() => log.messages.length > 0, 3000);
      // onError travels to the grader apart from the close frame: wait for it rather than assume it came first.
      await until(() => log.errors.length > 0, 3000);
      const problems: string[] = [];
      if (!pong || pong.payload.toString() !== 'mid') problems.push('the ping "mid" between the fragments was not answered with a pong "mid" (RFC 6455 §5.5.2)');
      if (log.messages[0]?.data !== 'fragment') problems.push(`onMessage must report the text "fragment" first; it reported ${log.messages[0] ? renderEvent(log.messages[0]) : 'nothing'} (RFC 6455 §5.4)`);
      if (got !== c.code) problems.push(`close code expected ${codeName(c.code)}, your client sent ${close ? codeName(got) : 'no close frame'}`);
      if (log.errors[0]?.closeCode !== c.code) {
        problems.push(`onError must report the failure with { closeCode: ${c.code}, message }; ${log.errors.length ? `it reported ${renderEvent(log.errors[0])}` : 'it was not called within 3 s'}`);
      }
      if (problems.length) {
        throw new Error(
          `the server sent "frag" (FIN 0), a ping "mid", "ment" (FIN 1), then ${c.name} (${c.section}):\n  - ${problems.join('\n  - ')}\n` +
            `  ${describeFrame(c.frames[0]!, 'offending frame').replace(/\n/g, '\n  ')}\n  what your client wrote:\n${conn.log.render()}`,
        );
      }
      await closeAllRaw();
      await cl.call('close').catch(() => undefined);
      client = undefined;
    }
  });

  test('an empty close from the server is echoed and reported as 1005 (RFC 6455 §7.1.5, §7.4.1) {R6.39}', async () => {
    const raw = await RawServer.start((head, socket) => {
      socket.write(switchingProtocols(head));
      socket.write(wsFrame({ opcode: 8 }));
    });
    const { client: c, log } = await newClient(raw.url);
    await openOrExplain(c);
    const conn = await raw.connection();
    await conn.log.until(() => conn.log.closeFrame() !== undefined, 3000);
    const echo = conn.log.closeFrame();
    // The server has its answer: it closes TCP, and the client reports the end of the connection.
    conn.socket.end();
    await until(() => log.closes.length > 0, 3000);
    const problems: string[] = [];
    if (!echo) problems.push('no close frame came back within 3 s: a client echoes a server\'s close');
    else if (echo.payload.length !== 0 && !(echo.payload.length >= 2 && echo.payload.readUInt16BE(0) === 1000)) problems.push(`the close frame echoed carried ${codeName(echo.payload.length >= 2 ? echo.payload.readUInt16BE(0) : undefined)}: an empty close is answered with an empty one (or 1000)`);
    if (log.closes[0]?.code !== 1005) problems.push(`onClose must report { code: 1005, reason: "" } (a close frame without a code); it reported ${log.closes.length ? renderEvent(log.closes[0]) : 'nothing within 3 s'}`);
    if (problems.length) throw new Error(`the server sent an empty close frame (RFC 6455 §5.5.1, §7.1.5):\n  - ${problems.join('\n  - ')}\n  what your client wrote:\n${conn.log.render()}`);
  });

  test('a connection dropped without a close frame is reported as 1006 (RFC 6455 §7.1.5, §7.4.1) {R6.28,R6.39}', async () => {
    const raw = await RawServer.start((head, socket) => {
      socket.write(switchingProtocols(head));
      socket.write(wsFrame({ opcode: 1, payload: 'then I vanish' }), () => socket.destroy());
    });
    const { client: c, log } = await newClient(raw.url);
    await openOrExplain(c);
    await until(() => log.closes.length > 0, 3000);
    if (log.closes[0]?.code !== 1006 || log.messages[0]?.data !== 'then I vanish') {
      throw new Error(`the server sent a text and dropped TCP without a close frame: onMessage "then I vanish", then onClose with code 1006 (abnormal closure, never sent on the wire) (RFC 6455 §7.1.5). onMessage: ${log.messages.map(renderEvent).join('; ') || 'nothing'}; onClose: ${log.closes.map(renderEvent).join('; ') || 'not called'}`);
    }
  });
});

