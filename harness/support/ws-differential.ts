// Generated WebSocket byte streams for the instructor-only suite of exercise 6, with `ws`'s own Receiver as the
// oracle: a session (text and binary messages, fragmented or not, control frames between fragments, a close, and
// now and then one fault from the Autobahn TestSuite's categories) is encoded here, and whatever ws's Receiver
// makes of the bytes (messages, pings, pongs, the close, or the close code it fails the connection with) is what
// the learner's Receiver must make of them, however the stream is cut.
//
// One latitude: RFC 6455 §8.1 lets an endpoint fail a text message as soon as its bytes cannot become valid UTF-8
// (the exercise asks for it; ws waits for the end of the message). So a 1007 is also accepted at the first frame
// where the message's bytes are no longer a valid UTF-8 prefix, with what ws delivers up to that frame before it.
//
// Not generated, because the RFC leaves the choice open: 64-bit lengths with the top bit set (ws says 1009, a
// protocol error 1002 is as right) and lengths not in their minimal encoding (a sender's duty, §5.2).

import { createRequire } from 'node:module';
import { TextDecoder } from 'node:util';
import { pick } from './property';
import { randomInt } from './random';

/** The parts of ws's Receiver used here (ws/lib/receiver.js, a Writable; not in @types/ws). */
interface WsReceiver {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): this;
  on(event: 'conclude', listener: (code: number, reason: Buffer) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  write(chunk: Buffer): boolean;
}
type WsReceiverClass = new (options: { isServer: boolean; maxPayload: number; binaryType: 'nodebuffer' }) => WsReceiver;
const WsReceiver = (createRequire(__filename)('ws') as { Receiver: WsReceiverClass }).Receiver;

export type Role = 'server' | 'client';

export interface FuzzFrame {
  fin: boolean;
  rsv: number;
  opcode: number;
  /** The masking key, or null for an unmasked frame. */
  key: Buffer | null;
  payload: Buffer;
  /** What the generator meant by it (shown with a failing case). */
  note: string;
}

export interface FuzzCase {
  role: Role;
  maxMessageSize: number;
  frames: FuzzFrame[];
  /** Offsets where the byte stream is cut into chunks. */
  cuts: number[];
}

export const OPCODE_LABEL: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

// ---------------------------------------------------------------------------------------------------------------
// Encoding

export function encodeFrame(f: FuzzFrame): Buffer {
  const n = f.payload.length;
  const ext = n <= 125 ? 0 : n <= 0xffff ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (f.key ? 4 : 0));
  head[0] = (f.fin ? 0x80 : 0) | ((f.rsv & 7) << 4) | (f.opcode & 0x0f);
  head[1] = (f.key ? 0x80 : 0) | (ext === 0 ? n : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(n, 2);
  if (ext === 8) head.writeBigUInt64BE(BigInt(n), 2);
  if (!f.key) return Buffer.concat([head, f.payload]);
  f.key.copy(head, 2 + ext);
  const masked = Buffer.alloc(n);
  for (let i = 0; i < n; i++) masked[i] = f.payload[i]! ^ f.key[i & 3]!;
  return Buffer.concat([head, masked]);
}

export function streamOf(c: FuzzCase, frameCount = c.frames.length): Buffer {
  return Buffer.concat(c.frames.slice(0, frameCount).map(encodeFrame));
}

/** The stream cut at the case's offsets; every chunk a fresh copy (a Receiver may unmask in place). */
export function chunksOf(c: FuzzCase): Buffer[] {
  const all = streamOf(c);
  const cuts = [...new Set(c.cuts.filter((x) => x > 0 && x < all.length))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let at = 0;
  for (const cut of [...cuts, all.length]) {
    if (cut > at || (all.length === 0 && out.length === 0)) out.push(Buffer.from(all.subarray(at, cut)));
    at = cut;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Generation

const VALID_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014];
// 1004-1006 and 1015 are registered but may never be sent (RFC 6455 §7.4.1), so they come up most often.
const INVALID_CODES = [0, 999, 1004, 1005, 1006, 1015, 1004, 1005, 1006, 1015, 1016, 1100, 2999, 5000, 65535];
const INVALID_UTF8: number[][] = [
  [0xff],
  [0x80],
  [0xc0, 0xaf], // overlong '/'
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // a 5-octet form
  [0xce, 0xba, 0xe1, 0xbd], // Autobahn 6.3-style: a good character, then a cut one
];
const CHARS = ['a', 'z', ' ', '0', '~', 'é', 'ß', 'κ', '€', '—', '中', '\u{feff}', '😀', '𝄞', '\u{10ffff}', '\u0000', '\n'];

function bytes(random: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
}

function text(random: () => number, maxChars: number): string {
  // A leading U+FEFF is part of the text (a decoder that strips a BOM loses it): often enough to be seen.
  let s = random() < 0.3 ? '\u{feff}' : '';
  const n = randomInt(random, 0, maxChars);
  for (let i = 0; i < n; i++) s += random() < 0.5 ? String.fromCharCode(randomInt(random, 0x20, 0x7e)) : pick(random, CHARS);
  return s;
}

/** A payload size: mostly small, sometimes at a length-encoding boundary (125/126, 65535/65536). */
function size(random: () => number, max = 200): number {
  const r = random();
  if (r < 0.04) return pick(random, [125, 126, 127, 65535, 65536, 70000]);
  if (r < 0.2) return randomInt(random, 100, 400);
  return randomInt(random, 0, Math.min(max, 40));
}

function textOfSize(random: () => number, n: number): Buffer {
  const t = Buffer.from(text(random, Math.min(n, 60)));
  if (t.length >= n) return t;
  return Buffer.concat([t, Buffer.alloc(n - t.length, 0x61)]);
}

interface Gen {
  random: () => number;
  role: Role;
}

function key(g: Gen, wrong = false): Buffer | null {
  const masked = (g.role === 'server') !== wrong;
  if (!masked) return null;
  return g.random() < 0.1 ? Buffer.alloc(4) : bytes(g.random, 4);
}

function frame(g: Gen, opcode: number, payload: Buffer, note: string, fin = true, rsv = 0, wrongMask = false): FuzzFrame {
  return { fin, rsv, opcode, key: key(g, wrongMask), payload, note };
}

function control(g: Gen): FuzzFrame {
  const op = g.random() < 0.6 ? 9 : 10;
  return frame(g, op, bytes(g.random, g.random() < 0.1 ? 125 : randomInt(g.random, 0, 20)), op === 9 ? 'ping' : 'pong');
}

/** A message, fragmented at random byte offsets (inside UTF-8 sequences too) with control frames between. */
function message(g: Gen, opcode: 1 | 2, payload: Buffer, note: string): FuzzFrame[] {
  if (g.random() < 0.55) return [frame(g, opcode, payload, note)];
  const pieces = randomInt(g.random, 2, 5);
  const cuts = Array.from({ length: pieces - 1 }, () => randomInt(g.random, 0, payload.length)).sort((a, b) => a - b);
  const out: FuzzFrame[] = [];
  let at = 0;
  for (let i = 0; i < pieces; i++) {
    const end = i < pieces - 1 ? cuts[i]! : payload.length;
    out.push(frame(g, i === 0 ? opcode : 0, payload.subarray(at, end), `${note}, fragment ${i + 1}/${pieces}`, i === pieces - 1));
    at = end;
    if (i < pieces - 1 && g.random() < 0.3) out.push(control(g));
  }
  return out;
}

function withInvalidUtf8(g: Gen, t: Buffer): Buffer {
  const bad = Buffer.from(pick(g.random, INVALID_UTF8));
  // Between two characters of the text (never inside one, so the bad octets are the only fault).
  const valid = t.toString('utf8');
  const chars = Array.from(valid);
  const at = randomInt(g.random, 0, chars.length);
  return Buffer.concat([Buffer.from(chars.slice(0, at).join('')), bad, Buffer.from(chars.slice(at).join(''))]);
}

/** One fault per session at most (the first ends it); masking and close codes weigh double. */
const FAULTS = [
  'rsv',
  'opcode',
  'mask',
  'mask',
  'close code not allowed',
  'fragmented control',
  'control over 125',
  'continuation with no message',
  'new message inside a fragmented one',
  'invalid UTF-8 text',
  'text ends inside a character',
  'close of 1 octet',
  'close code not allowed',
  'close reason not UTF-8',
  'message too big',
] as const;

function fault(g: Gen, limits: { maxMessageSize: number }): FuzzFrame[] {
  const { random } = g;
  const kind = pick(random, FAULTS);
  switch (kind) {
    case 'rsv':
      return [frame(g, pick(random, [1, 2, 9]), Buffer.from(text(random, 10)), 'RSV set (Autobahn 3)', true, randomInt(random, 1, 7))];
    case 'opcode':
      return [frame(g, pick(random, [3, 4, 5, 6, 7, 11, 12, 13, 14, 15]), bytes(random, randomInt(random, 0, 10)), 'reserved opcode (Autobahn 4)')];
    case 'mask':
      return [
        frame(
          g,
          pick(random, [1, 2, 9]),
          Buffer.from(text(random, 10)),
          g.role === 'server' ? 'unmasked from a client (§5.1)' : 'masked from a server (§5.1)',
          true,
          0,
          true,
        ),
      ];
    case 'fragmented control':
      return [frame(g, pick(random, [8, 9, 10]), bytes(random, randomInt(random, 0, 5)), 'control frame without FIN (Autobahn 5.1)', false)];
    case 'control over 125':
      return [frame(g, pick(random, [8, 9, 10]), bytes(random, randomInt(random, 126, 200)), 'control frame over 125 octets (Autobahn 2.5)')];
    case 'continuation with no message':
      return [frame(g, 0, Buffer.from(text(random, 10)), 'continuation with no message (Autobahn 5.9)', random() < 0.5)];
    case 'new message inside a fragmented one':
      return [
        frame(g, 1, Buffer.from(text(random, 8)), 'text, fragment 1 of an unfinished message', false),
        ...(random() < 0.5 ? [control(g)] : []),
        frame(g, pick(random, [1, 2]), Buffer.from(text(random, 8)), 'a new data frame before the message ended (Autobahn 5.18)'),
      ];
    case 'invalid UTF-8 text':
      return message(g, 1, withInvalidUtf8(g, Buffer.from(text(random, 30))), 'text with invalid UTF-8 (Autobahn 6)');
    case 'text ends inside a character': {
      const cut = pick(random, [[0xc3], [0xe2, 0x82], [0xf0, 0x9f, 0x98]]);
      return message(g, 1, Buffer.concat([Buffer.from(text(random, 20)), Buffer.from(cut)]), 'text ending inside a character (Autobahn 6.3)');
    }
    case 'close of 1 octet':
      return [frame(g, 8, bytes(random, 1), 'close with a 1-octet payload (Autobahn 7.3.2)')];
    case 'close code not allowed': {
      const code = Buffer.alloc(2);
      code.writeUInt16BE(pick(random, INVALID_CODES));
      return [frame(g, 8, Buffer.concat([code, Buffer.from(text(random, 10))]), 'close with a code not allowed on the wire (Autobahn 7.9)')];
    }
    case 'close reason not UTF-8': {
      const code = Buffer.alloc(2);
      code.writeUInt16BE(pick(random, VALID_CODES));
      return [frame(g, 8, Buffer.concat([code, withInvalidUtf8(g, Buffer.from(text(random, 10)))]), 'close reason not UTF-8 (Autobahn 7.5.1)')];
    }
    case 'message too big': {
      if (limits.maxMessageSize > 1000) limits.maxMessageSize = randomInt(random, 50, 400);
      const n = limits.maxMessageSize + randomInt(random, 1, 40);
      return message(g, pick(random, [1, 2]), textOfSize(random, n), `a message of ${n} octets (limit ${limits.maxMessageSize}; Autobahn 9)`);
    }
  }
}

function closeFrame(g: Gen): FuzzFrame {
  if (g.random() < 0.2) return frame(g, 8, Buffer.alloc(0), 'close, no code');
  const code = Buffer.alloc(2);
  code.writeUInt16BE(g.random() < 0.8 ? pick(g.random, VALID_CODES) : randomInt(g.random, 3000, 4999));
  let reason = Buffer.from(text(g.random, 40));
  while (reason.length > 123) reason = Buffer.from(Array.from(reason.toString()).slice(0, -1).join(''));
  return frame(g, 8, Buffer.concat([code, reason]), 'close (Autobahn 7)');
}

/** A valid item: a message (sometimes exactly at the size limit), or a ping or pong. */
function validItem(g: Gen, limits: { maxMessageSize: number }): FuzzFrame[] {
  const { random } = g;
  const r = random();
  if (limits.maxMessageSize <= 1000 && r < 0.12) {
    // At the limit: accepted, however it is fragmented (the limit is the largest size allowed).
    const n = limits.maxMessageSize - randomInt(random, 0, 1);
    return random() < 0.5
      ? message(g, 1, textOfSize(random, n).subarray(0, n), `text of ${n} octets (limit ${limits.maxMessageSize})`)
      : message(g, 2, bytes(random, n), `binary of ${n} octets (limit ${limits.maxMessageSize})`);
  }
  if (r < 0.45) return message(g, 1, textOfSize(random, size(random)), 'text');
  if (r < 0.7) return message(g, 2, bytes(random, size(random)), 'binary');
  return [control(g)];
}

/**
 * A session: valid items; then, in most sessions, one fault at a random place (between the fragments of a
 * message too); then, in some, a close and a frame or two after it that must never be read (§5.5.1).
 */
export function generateFrames(random: () => number, role: Role, limits: { maxMessageSize: number }): FuzzFrame[] {
  const g: Gen = { random, role };
  const frames: FuzzFrame[] = [];
  for (let i = randomInt(random, 0, 6); i > 0; i--) frames.push(...validItem(g, limits));
  if (random() < 0.65) frames.splice(randomInt(random, 0, frames.length), 0, ...fault(g, limits));
  if (random() < 0.35) {
    frames.push(closeFrame(g));
    for (let k = randomInt(random, 0, 2); k > 0; k--)
      frames.push(random() < 0.5 ? control(g) : frame(g, 1, Buffer.from(text(random, 8)), 'text after the close'));
  }
  if (!frames.length) frames.push(control(g));
  return frames;
}

export function generateCase(random: () => number, oneByteAtATime = false): FuzzCase {
  const role: Role = random() < 0.5 ? 'server' : 'client';
  const limits = { maxMessageSize: random() < 0.3 ? randomInt(random, 50, 400) : 1 << 20 };
  const frames = generateFrames(random, role, limits);
  const c: FuzzCase = { role, maxMessageSize: limits.maxMessageSize, frames, cuts: [] };
  const total = streamOf(c).length;
  if (oneByteAtATime) c.cuts = Array.from({ length: total }, (_, i) => i + 1);
  else if (random() < 0.4) {
    for (let at = randomInt(random, 1, 7); at < total; at += randomInt(random, 1, 7)) c.cuts.push(at);
  } else c.cuts = Array.from({ length: randomInt(random, 0, 14) }, () => randomInt(random, 1, Math.max(1, total - 1)));
  return c;
}

/** Smaller cases: fewer frames, shorter payloads, fewer cuts. */
export function shrinkCase(c: FuzzCase): FuzzCase[] {
  const out: FuzzCase[] = [];
  const n = c.frames.length;
  if (c.cuts.length) out.push({ ...c, cuts: [] });
  if (n > 1) {
    out.push({ ...c, frames: c.frames.slice(0, Math.ceil(n / 2)) }, { ...c, frames: c.frames.slice(Math.floor(n / 2)) });
    for (let i = 0; i < n; i++) out.push({ ...c, frames: [...c.frames.slice(0, i), ...c.frames.slice(i + 1)] });
  }
  for (let i = 0; i < n; i++) {
    const f = c.frames[i]!;
    if (f.payload.length > 1) {
      // Half the payload, and also half cut back to a UTF-8 character boundary (a text stays valid text).
      let cut = Math.floor(f.payload.length / 2);
      const halves = [cut];
      while (cut > 0 && (f.payload[cut]! & 0xc0) === 0x80) cut--;
      if (cut !== halves[0]) halves.unshift(cut);
      for (const n of halves) out.push({ ...c, frames: c.frames.map((x, k) => (k === i ? { ...x, payload: Buffer.from(f.payload.subarray(0, n)) } : x)) });
    }
  }
  if (c.cuts.length > 1) out.push({ ...c, cuts: c.cuts.slice(0, Math.ceil(c.cuts.length / 2)) });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// The oracle

/** A JSON string with the invisible characters (a BOM, noncharacters, zero-width marks) spelled out. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(
    /[\u{feff}\u{fffe}\u{ffff}\u{10ffff}\u{200b}-\u{200f}\u{2028}\u{2029}]/gu,
    (ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`,
  );
}

export function hexOf(b: Uint8Array, max = 4096): string {
  const h = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    .subarray(0, max)
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
  return b.length > max ? `${h} …(${b.length} octets)` : h;
}

/** What ws's Receiver makes of the first frameCount frames, as one line per event. */
export async function wsOutcome(c: FuzzCase, frameCount = c.frames.length): Promise<string[]> {
  const r = new WsReceiver({ isServer: c.role === 'server', maxPayload: c.maxMessageSize, binaryType: 'nodebuffer' });
  const events: string[] = [];
  let ended = false;
  r.on('message', (data, isBinary) => events.push(isBinary ? `binary <${hexOf(data)}>` : `text ${quote(data.toString('utf8'))}`));
  r.on('ping', (data) => events.push(`ping <${hexOf(data)}>`));
  r.on('pong', (data) => events.push(`pong <${hexOf(data)}>`));
  r.on('conclude', (code, reason) => {
    events.push(`close ${code} ${quote(reason.toString('utf8'))}`);
    ended = true;
  });
  r.on('error', (err) => {
    if (ended) return;
    ended = true;
    const status = Object.getOwnPropertySymbols(err).find((s) => s.description === 'status-code');
    const code = status ? (err as unknown as Record<symbol, unknown>)[status] : undefined;
    events.push(typeof code === 'number' ? `error ${code}` : `oracle failure: ${err.message}`);
  });
  // ws is the same whatever the cuts: one chunk.
  const all = streamOf(c, frameCount);
  if (all.length) r.write(Buffer.from(all));
  // An error reaches the listener on the next tick.
  await new Promise((resolve) => setImmediate(resolve));
  return events;
}

/**
 * The first frame at which a text message's octets stop being a valid UTF-8 prefix (by a fatal streaming
 * decoder), read as a well-behaved peer would read the frames; undefined when none does.
 */
export function failFastFrame(c: FuzzCase): number | undefined {
  let decoder: TextDecoder | undefined;
  for (const [i, f] of c.frames.entries()) {
    if (f.opcode >= 8) continue;
    if (f.opcode === 1) decoder = new TextDecoder('utf-8', { fatal: true });
    else if (f.opcode !== 0) decoder = undefined;
    if (decoder && f.opcode <= 2) {
      try {
        decoder.decode(f.payload, { stream: !f.fin });
      } catch {
        return i;
      }
    }
    if (f.fin) decoder = undefined;
  }
  return undefined;
}

/** Every outcome the learner's Receiver may give: ws's, and ws's up to the fail-fast frame then 1007. */
export async function acceptedOutcomes(c: FuzzCase): Promise<string[][]> {
  const full = await wsOutcome(c);
  const outcomes = [full];
  const k = failFastFrame(c);
  if (k !== undefined) {
    const upTo = await wsOutcome(c, k + 1);
    // Only when ws read frames 0..k without failing or closing (else its own verdict at or before k stands).
    if (!upTo.some((e) => /^(error|close) /.test(e))) {
      const early = [...upTo, 'error 1007'];
      if (early.join('\n') !== full.join('\n')) outcomes.push(early);
    }
  }
  return outcomes;
}

/** One line per event the learner's Receiver returned, in the oracle's terms. */
export function learnerLines(events: unknown[]): string[] {
  return events.map((e) => {
    if (!e || typeof e !== 'object') return `not an event: ${JSON.stringify(e)}`;
    const ev = e as Record<string, unknown>;
    const bin = (v: unknown) => (v instanceof Uint8Array ? `<${hexOf(v)}>` : `(data is not a Uint8Array: ${typeof v})`);
    switch (ev.type) {
      case 'text':
        return typeof ev.data === 'string' ? `text ${quote(ev.data)}` : `text (data is not a string: ${typeof ev.data})`;
      case 'binary':
      case 'ping':
      case 'pong':
        return `${ev.type} ${bin(ev.data)}`;
      case 'close':
        return `close ${String(ev.code)} ${typeof ev.reason === 'string' ? quote(ev.reason) : `(reason is not a string: ${typeof ev.reason})`}`;
      case 'error':
        return `error ${String(ev.closeCode)}`;
      default:
        return `unknown event ${JSON.stringify(ev.type)}`;
    }
  });
}

export function showCase(c: FuzzCase): string {
  const all = streamOf(c);
  const chunks = chunksOf(c).length;
  const cuts = [...new Set(c.cuts.filter((x) => x > 0 && x < all.length))].sort((a, b) => a - b);
  const cutText = cuts.length > 20 ? `${cuts.slice(0, 20).join(', ')}, … (${cuts.length} cuts)` : cuts.join(', ');
  const lines = [
    `new Receiver({ role: '${c.role}', maxMessageSize: ${c.maxMessageSize} }), ${all.length} octets pushed in ${chunks} chunk(s)${cuts.length ? `, cut at offsets [${cutText}]` : ''}`,
  ];
  let at = 0;
  for (const f of c.frames) {
    const label = OPCODE_LABEL[f.opcode] ?? `reserved 0x${f.opcode.toString(16)}`;
    const payload = hexOf(f.payload, 24);
    lines.push(
      `  offset ${at}: FIN=${f.fin ? 1 : 0} RSV=${f.rsv.toString(2).padStart(3, '0')} opcode=0x${f.opcode.toString(16)} (${label}) ` +
        `${f.key ? `MASK key ${hexOf(f.key)}` : 'unmasked'} length ${f.payload.length} [${f.note}]${f.payload.length ? `\n      payload (unmasked): ${payload}` : ''}`,
    );
    at += encodeFrame(f).length;
  }
  return lines.join('\n');
}
