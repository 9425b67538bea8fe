// Hidden suite of exercise 02 (frame-parser): a streaming HTTP/2 frame parser (RFC 9113 §3.4, §4, §5.4, §6).
//
// The learner's FrameParser runs in the sandbox; the suite feeds it chunks (many at once through pushAll, so that
// one byte at a time costs one round trip, not a hundred thousand) and compares the plain-data frames it returns
// with three independent sources of truth:
//   1. a recorded node:http2 session (harness/vectors/h2-capture.json) whose frames were decoded by the recording
//      script: fed whole, at the recorded TCP read sizes, one byte at a time and at seeded random split points;
//   2. a live session between a real node:http2 client and server (nghttp2) through a recording proxy: the frames
//      must match what the peers did (bodies, END_STREAM, PING payload, SETTINGS, GOAWAY), not incidental frame
//      boundaries;
//   3. hand-built frames and the h2spec-style error cases (harness/vectors/h2-frame-error-cases.json), graded on
//      the RFC requirement (`expect`).

import captureJson from '../vectors/h2-capture.json';
import errorCasesJson from '../vectors/h2-frame-error-cases.json';
import { RemoteError } from '../sandbox/client';
import { showEvidence } from '../support/evidence';
import { frameEvidence } from '../support/evidence-frames';
import { recordLiveSession, type LiveSessionLog } from '../mocks/h2-recording-proxy';
import {
  CLIENT_PREFACE,
  decodeHeader,
  describeHeader,
  frame,
  fromHex,
  hex,
  renderEvent,
  typeName,
  u32,
  walkFrames,
  type WalkedFrame,
} from '../support/h2-frames';
import { randomSplit, runSeed, seededRandom } from '../support/random';
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 4000 });

// ---------------------------------------------------------------------------------------------------------------
// Plumbing

type Event = Record<string, unknown> & { type?: unknown };
type Expected = Record<string, unknown>;

interface ParserOptions {
  expectPreface?: boolean;
  maxFrameSize?: number;
}

async function newParser(options: ParserOptions = {}) {
  return sandbox().construct('FrameParser', options);
}

/** Feeds the chunks in one call and returns what the parser completed. */
async function parse(chunks: Uint8Array[], options: ParserOptions = {}): Promise<Event[]> {
  const parser = await newParser(options);
  return asEvents(await parser.callWithin(8000, 'pushAll', chunks), 'pushAll');
}

function asEvents(value: unknown, call: string): Event[] {
  if (!Array.isArray(value)) {
    throw new Error(`${call} must return an array of frames and errors (RFC 9113 §4.1); it returned ${renderEvent(value)}`);
  }
  return value.map((v) => (typeof v === 'object' && v !== null ? (v as Event) : ({ type: v } as Event)));
}

function splitBytes(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

function splitByLengths(bytes: Uint8Array, lengths: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  for (const n of lengths) {
    out.push(bytes.subarray(at, at + n));
    at += n;
  }
  if (at !== bytes.length) throw new Error(`harness: chunk lengths cover ${at} of ${bytes.length} bytes`);
  return out;
}

function sameBytes(a: unknown, b: Uint8Array): boolean {
  return a instanceof Uint8Array && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** Field-by-field comparison of an expected frame with the learner's; returns the fields that differ. */
function diffFields(expected: Expected, actual: Event | undefined): string[] {
  if (!actual) return ['(missing)'];
  const differ: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = actual[key];
    if (want instanceof Uint8Array) {
      if (!sameBytes(got, want)) differ.push(key);
    } else if (JSON.stringify(want) !== JSON.stringify(normalise(got))) {
      differ.push(key);
    }
  }
  return differ;
}

/** One differing field, with where two byte strings first differ. */
function explainField(key: string, want: unknown, got: unknown): string {
  if (!(want instanceof Uint8Array) || !(got instanceof Uint8Array)) return key;
  let at = 0;
  while (at < want.length && at < got.length && want[at] === got[at]) at++;
  return `${key} (expected ${want.length} octets, got ${got.length}; first difference at octet ${at})`;
}

/** Plain values as JSON would show them, with object keys in the order the expectation uses. */
function normalise(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    const v = value as Record<string, unknown>;
    if ('exclusive' in v || 'dependency' in v || 'weight' in v) {
      return { exclusive: v.exclusive, dependency: v.dependency, weight: v.weight };
    }
    if ('id' in v && 'value' in v) return { id: v.id, value: v.value };
  }
  return value;
}

interface Located {
  expected: Expected;
  /** Where the frame's header starts in `bytes`. */
  offset: number;
}

/**
 * Compares the learner's events with the expected frames, in order; on the first divergence throws a message
 * that shows the offset, the raw header bytes and the decoded header of that frame, expected vs actual.
 */
function expectFrames(what: string, section: string, bytes: Uint8Array, expected: Located[], actual: Event[]): void {
  const count = Math.max(expected.length, actual.length);
  for (let i = 0; i < count; i++) {
    const want = expected[i];
    const got = actual[i];
    if (want && diffFields(want.expected, got).length === 0) continue;
    const lines = [`${what}: the decoded frames diverge from the expected ones at frame #${i} (${section}).`];
    if (want) {
      const raw = bytes.subarray(want.offset, want.offset + 9);
      lines.push(
        `  offset in the byte stream: ${want.offset}`,
        `  raw header:     ${hex(raw, 9)}`,
        `  decoded header: ${describeHeader(decodeHeader(bytes, want.offset))}`,
        `  expected: ${renderEvent(want.expected)}`,
        `  actual:   ${got ? renderEvent(got) : `(nothing: your parser returned ${actual.length} events in all)`}`,
      );
      if (got) lines.push(`  fields that differ: ${diffFields(want.expected, got).map((k) => explainField(k, want.expected[k], got[k])).join('; ')}`);
      showEvidence(frameEvidence(`${what}: frame #${i} (${section})`, bytes, want.offset, want.expected, got, got ? diffFields(want.expected, got) : []));
    } else {
      lines.push(
        `  expected: no more frames (${expected.length} in all)`,
        `  actual:   ${renderEvent(got)}  (your parser returned ${actual.length} events)`,
      );
    }
    lines.push(i === 0 ? '  (it is the first frame)' : `  frames #0..#${i - 1} matched.`);
    const previous = actual[i - 1];
    if (previous && i > 0) lines.push(`  the frame before it decoded as: ${renderEvent(previous)}`);
    throw new Error(lines.join('\n'));
  }
}

function errorsIn(events: Event[]): Event[] {
  return events.filter((e) => e.type === 'error');
}

// ---------------------------------------------------------------------------------------------------------------
// 1. The recorded session (h2-capture.json)

interface CaptureFrame {
  offset: number;
  length: number;
  type: number;
  typeName: string;
  flags: number;
  flagNames: string[];
  streamId: number;
  settings?: Array<{ id: number; value: number }>;
  priority?: { exclusive: boolean; dependency: number; weight: number };
  padLength?: number;
  headerBlockFragmentLength?: number;
  dataLength?: number;
  opaqueData?: string;
  windowSizeIncrement?: number;
  errorCode?: number;
  lastStreamId?: number;
}

interface CaptureDirection {
  hex: string;
  chunkLengths: number[];
  frames: CaptureFrame[];
}

const capture = captureJson as unknown as { clientToServer: CaptureDirection; serverToClient: CaptureDirection };

/** The expected frames of one direction, from the vector's independent decoding (payloads sliced by its offsets). */
function captureExpected(dir: CaptureDirection, bytes: Buffer): Located[] {
  return dir.frames.map((f) => {
    const start = f.offset + 9;
    const padded = f.flagNames.includes('PADDED');
    const head = padded ? 1 : 0;
    const base = { type: f.typeName, length: f.length, flags: f.flags, streamId: f.streamId };
    const flag = (name: string) => f.flagNames.includes(name);
    let expected: Expected;
    switch (f.typeName) {
      case 'DATA':
        expected = {
          ...base,
          endStream: flag('END_STREAM'),
          padLength: f.padLength ?? 0,
          data: bytes.subarray(start + head, start + head + f.dataLength!),
        };
        break;
      case 'HEADERS': {
        const prio = f.priority ? 5 : 0;
        expected = {
          ...base,
          endStream: flag('END_STREAM'),
          endHeaders: flag('END_HEADERS'),
          padLength: f.padLength ?? 0,
          priority: f.priority ?? null,
          fragment: bytes.subarray(start + head + prio, start + head + prio + f.headerBlockFragmentLength!),
        };
        break;
      }
      case 'CONTINUATION':
        expected = { ...base, endHeaders: flag('END_HEADERS'), fragment: bytes.subarray(start, start + f.length) };
        break;
      case 'SETTINGS':
        expected = { ...base, ack: flag('ACK'), settings: (f.settings ?? []).map(({ id, value }) => ({ id, value })) };
        break;
      case 'PING':
        expected = { ...base, ack: flag('ACK'), opaqueData: fromHex(f.opaqueData!) };
        break;
      case 'WINDOW_UPDATE':
        expected = { ...base, windowSizeIncrement: f.windowSizeIncrement };
        break;
      case 'PRIORITY':
        expected = { ...base, priority: f.priority };
        break;
      case 'RST_STREAM':
        expected = { ...base, errorCode: f.errorCode };
        break;
      case 'GOAWAY':
        expected = {
          ...base,
          lastStreamId: f.lastStreamId,
          errorCode: f.errorCode,
          debugData: bytes.subarray(start + 8, start + f.length),
        };
        break;
      default:
        throw new Error(`harness: unexpected frame type ${f.typeName} in the capture`);
    }
    return { expected, offset: f.offset };
  });
}

const directions = [
  { key: 'clientToServer', label: 'client→server (a server-side parser: preface first)', preface: true },
  { key: 'serverToClient', label: 'server→client (a client-side parser)', preface: false },
] as const;

const captured = Object.fromEntries(
  directions.map((d) => {
    const dir = capture[d.key];
    const bytes = Buffer.from(dir.hex, 'hex');
    return [d.key, { dir, bytes, expected: captureExpected(dir, bytes) }];
  }),
) as Record<(typeof directions)[number]['key'], { dir: CaptureDirection; bytes: Buffer; expected: Located[] }>;

describe('a recorded node:http2 session (h2-capture.json)', () => {
  for (const d of directions) {
    test(`${d.label}, fed in one chunk: every frame decoded (RFC 9113 §4.1) {R2.1,R2.34}`, async () => {
      const { bytes, expected } = captured[d.key];
      const events = await parse([bytes], { expectPreface: d.preface });
      expectFrames(`${d.key}, one chunk`, 'RFC 9113 §4.1', bytes, expected, events);
    });

    test(`${d.label}, fed at the recorded TCP read sizes (RFC 9113 §4.1) {R2.34}`, async () => {
      const { dir, bytes, expected } = captured[d.key];
      const events = await parse(splitByLengths(bytes, dir.chunkLengths), { expectPreface: d.preface });
      expectFrames(`${d.key}, ${dir.chunkLengths.length} chunks of ${dir.chunkLengths.join('/')} bytes`, 'RFC 9113 §4.1', bytes, expected, events);
    });

    test(`${d.label}, fed one byte at a time (RFC 9113 §4.1) {R2.34}`, async () => {
      const { bytes, expected } = captured[d.key];
      const events = await parse(splitBytes(bytes, 1), { expectPreface: d.preface });
      expectFrames(`${d.key}, one byte per chunk`, 'RFC 9113 §4.1', bytes, expected, events);
    });
  }

  test('both directions cut at seeded random points, small and large pieces (RFC 9113 §4.1) {R2.34}', async () => {
    const random = seededRandom(runSeed() * 7 + 3);
    for (const d of directions) {
      const { bytes, expected } = captured[d.key];
      for (const maxPiece of [13, 4096]) {
        const chunks = randomSplit(bytes, random, maxPiece);
        const events = await parse(chunks, { expectPreface: d.preface });
        const cuts = chunks.slice(0, 12).map((c) => c.length).join(', ');
        expectFrames(
          `${d.key} in ${chunks.length} random pieces of 1..${maxPiece} bytes (first sizes: ${cuts}; seed ${runSeed()})`,
          'RFC 9113 §4.1',
          bytes,
          expected,
          events,
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Hand-built frames: every field of every frame type

/** Feeds the frames and checks they decode to `expected` (which lists only the fields that matter). */
async function expectDecoded(section: string, chunks: Uint8Array[], expected: Expected[], options: ParserOptions = {}) {
  const events = await parse(chunks, options);
  const bytes = Buffer.concat(chunks);
  const start = options.expectPreface ? 24 : 0;
  const walked = walkFrames(bytes, start).filter((f) => f.header.type <= 9);
  const located = expected.map((e, i) => ({ expected: e, offset: walked[i]?.offset ?? start }));
  expectFrames('hand-built frames', section, bytes, located, events);
}

describe('frame header and payload fields', () => {
  test('the length is 24 bits: a 70 000-octet DATA frame under a raised limit (RFC 9113 §4.1) {R2.1}', async () => {
    const payload = Buffer.alloc(70_000, 0x5a);
    payload.write('start', 0);
    payload.write('end', 69_997);
    const ping = frame('PING', 0, 0, '0102030405060708');
    await expectDecoded(
      'RFC 9113 §4.1',
      [frame('DATA', 1, 1, payload), ping],
      [
        { type: 'DATA', length: 70_000, streamId: 1, endStream: true, data: payload },
        { type: 'PING', length: 8, streamId: 0, opaqueData: fromHex('0102030405060708') },
      ],
      { maxFrameSize: 1 << 17 },
    );
  });

  test('the reserved bit is ignored in stream ids, promised ids, last stream ids and increments (RFC 9113 §4.1, §6.6, §6.8, §6.9) {R2.5}', async () => {
    const R = 0x80000000;
    await expectDecoded(
      'RFC 9113 §4.1',
      [
        frame('DATA', 0, R + 1, Buffer.from('abc')),
        frame('WINDOW_UPDATE', 0, R + 3, u32(R + 0x10)),
        frame('PUSH_PROMISE', 4, 5, Buffer.concat([u32(R + 6), fromHex('8286')])),
        frame('GOAWAY', 0, R, Buffer.concat([u32(R + 7), u32(0)])),
      ],
      [
        { type: 'DATA', streamId: 1, data: Buffer.from('abc') },
        { type: 'WINDOW_UPDATE', streamId: 3, windowSizeIncrement: 0x10 },
        { type: 'PUSH_PROMISE', streamId: 5, promisedStreamId: 6, fragment: fromHex('8286') },
        { type: 'GOAWAY', streamId: 0, lastStreamId: 7, errorCode: 0 },
      ],
    );
  });

  test('DATA: padding is removed and its length reported, including zero padding and padding only (RFC 9113 §6.1) {R2.12,R2.36}', async () => {
    await expectDecoded(
      'RFC 9113 §6.1',
      [
        frame('DATA', 0x08, 1, Buffer.concat([Buffer.from([5]), Buffer.from('hello'), Buffer.alloc(5)])),
        frame('DATA', 0x08, 1, Buffer.concat([Buffer.from([0]), Buffer.from('x')])),
        frame('DATA', 0x09, 1, Buffer.concat([Buffer.from([6]), Buffer.alloc(6)])),
        frame('DATA', 0x00, 3, Buffer.from('plain')),
      ],
      [
        { type: 'DATA', length: 11, flags: 0x08, streamId: 1, endStream: false, padLength: 5, data: Buffer.from('hello') },
        { type: 'DATA', length: 2, streamId: 1, endStream: false, padLength: 0, data: Buffer.from('x') },
        { type: 'DATA', length: 7, streamId: 1, endStream: true, padLength: 6, data: Buffer.alloc(0) },
        { type: 'DATA', length: 5, streamId: 3, endStream: false, padLength: 0, data: Buffer.from('plain') },
      ],
    );
  });

  test('HEADERS: pad length, priority fields, fragment and padding in that order (RFC 9113 §6.2) {R2.13,R2.37}', async () => {
    const fragment = fromHex('82868401096c6f63616c686f7374');
    const payload = Buffer.concat([Buffer.from([3]), u32(0x80000000 + 11), Buffer.from([255]), fragment, Buffer.alloc(3)]);
    await expectDecoded(
      'RFC 9113 §6.2',
      [frame('HEADERS', 0x2d, 13, payload), frame('HEADERS', 0x04, 15, fragment)],
      [
        {
          type: 'HEADERS',
          length: payload.length,
          flags: 0x2d,
          streamId: 13,
          endStream: true,
          endHeaders: true,
          padLength: 3,
          priority: { exclusive: true, dependency: 11, weight: 256 },
          fragment,
        },
        { type: 'HEADERS', streamId: 15, endStream: false, endHeaders: true, padLength: 0, priority: null, fragment },
      ],
    );
  });

  test('PRIORITY and RST_STREAM: dependency, exclusive bit, weight + 1, any error code (RFC 9113 §6.3, §6.4) {R2.6,R2.7}', async () => {
    await expectDecoded(
      'RFC 9113 §6.3, §6.4',
      [
        frame('PRIORITY', 0, 9, Buffer.concat([u32(0x80000003), Buffer.from([0])])),
        frame('PRIORITY', 0, 11, Buffer.concat([u32(9), Buffer.from([199])])),
        frame('RST_STREAM', 0, 9, u32(8)),
        frame('RST_STREAM', 0, 11, u32(0xfeedface)),
      ],
      [
        { type: 'PRIORITY', streamId: 9, priority: { exclusive: true, dependency: 3, weight: 1 } },
        { type: 'PRIORITY', streamId: 11, priority: { exclusive: false, dependency: 9, weight: 200 } },
        { type: 'RST_STREAM', streamId: 9, errorCode: 8 },
        { type: 'RST_STREAM', streamId: 11, errorCode: 0xfeedface },
      ],
    );
  });

  test('SETTINGS: every pair in order, unknown identifiers kept, 32-bit unsigned values, ACK (RFC 9113 §6.5) {R2.20,R2.38}', async () => {
    const pairs = (list: Array<[number, number]>) =>
      Buffer.concat(list.map(([id, value]) => Buffer.concat([Buffer.from([id >> 8, id & 0xff]), u32(value)])));
    const list: Array<[number, number]> = [[1, 4096], [3, 100], [0xff, 0xffffffff], [5, 16_777_215], [4, 0x7fffffff], [2, 1]];
    await expectDecoded(
      'RFC 9113 §6.5',
      [frame('SETTINGS', 0, 0, pairs(list)), frame('SETTINGS', 1, 0)],
      [
        { type: 'SETTINGS', length: 36, flags: 0, streamId: 0, ack: false, settings: list.map(([id, value]) => ({ id, value })) },
        { type: 'SETTINGS', length: 0, flags: 1, streamId: 0, ack: true, settings: [] },
      ],
    );
  });

  test('PUSH_PROMISE: padding, promised stream id and fragment (RFC 9113 §6.6) {R2.13,R2.39}', async () => {
    const fragment = fromHex('8287850400');
    await expectDecoded(
      'RFC 9113 §6.6',
      [
        frame('PUSH_PROMISE', 0x0c, 1, Buffer.concat([Buffer.from([2]), u32(2), fragment, Buffer.alloc(2)])),
        frame('PUSH_PROMISE', 0x00, 3, Buffer.concat([u32(4), fragment])),
        frame('CONTINUATION', 0x04, 3, fromHex('be')),
      ],
      [
        { type: 'PUSH_PROMISE', streamId: 1, endHeaders: true, padLength: 2, promisedStreamId: 2, fragment },
        { type: 'PUSH_PROMISE', streamId: 3, endHeaders: false, padLength: 0, promisedStreamId: 4, fragment },
        { type: 'CONTINUATION', streamId: 3, endHeaders: true, fragment: fromHex('be') },
      ],
    );
  });

  test('PING, GOAWAY and WINDOW_UPDATE payloads (RFC 9113 §6.7, §6.8, §6.9) {R2.40,R2.41}', async () => {
    await expectDecoded(
      'RFC 9113 §6.7-§6.9',
      [
        frame('PING', 0, 0, Buffer.from('12345678')),
        frame('PING', 1, 0, Buffer.from('87654321')),
        frame('GOAWAY', 0, 0, Buffer.concat([u32(41), u32(2), Buffer.from('too many pings')])),
        frame('GOAWAY', 0, 0, Buffer.concat([u32(0), u32(0)])),
        frame('WINDOW_UPDATE', 0, 0, u32(0x7fffffff)),
        frame('WINDOW_UPDATE', 0, 7, u32(1)),
      ],
      [
        { type: 'PING', ack: false, opaqueData: Buffer.from('12345678') },
        { type: 'PING', ack: true, opaqueData: Buffer.from('87654321') },
        { type: 'GOAWAY', lastStreamId: 41, errorCode: 2, debugData: Buffer.from('too many pings') },
        { type: 'GOAWAY', lastStreamId: 0, errorCode: 0, debugData: Buffer.alloc(0) },
        { type: 'WINDOW_UPDATE', streamId: 0, windowSizeIncrement: 0x7fffffff },
        { type: 'WINDOW_UPDATE', streamId: 7, windowSizeIncrement: 1 },
      ],
    );
  });

  test('CONTINUATION frames carry a header block on, and the stream is free again after END_HEADERS (RFC 9113 §6.10) {R2.8,R2.41}', async () => {
    await expectDecoded(
      'RFC 9113 §6.10',
      [
        frame('HEADERS', 0x01, 1, fromHex('8286')),
        frame('CONTINUATION', 0x00, 1, fromHex('8401')),
        frame('CONTINUATION', 0x00, 1, Buffer.alloc(0)),
        frame('CONTINUATION', 0x04, 1, fromHex('096c6f63616c686f7374')),
        frame('DATA', 0x01, 1, Buffer.from('after')),
        frame('PING', 0, 0, Buffer.alloc(8)),
      ],
      [
        { type: 'HEADERS', streamId: 1, endStream: true, endHeaders: false, fragment: fromHex('8286') },
        { type: 'CONTINUATION', streamId: 1, endHeaders: false, fragment: fromHex('8401') },
        { type: 'CONTINUATION', streamId: 1, length: 0, endHeaders: false, fragment: Buffer.alloc(0) },
        { type: 'CONTINUATION', streamId: 1, endHeaders: true, fragment: fromHex('096c6f63616c686f7374') },
        { type: 'DATA', streamId: 1, data: Buffer.from('after') },
        { type: 'PING', streamId: 0 },
      ],
    );
  });

  test('unknown frame types are skipped without losing sync, even when cut across chunks (RFC 9113 §4.1, §5.5) {R2.3}', async () => {
    const unknownBig = frame(0xfa, 0xff, 7, Buffer.alloc(300, 0x07));
    const bytes = Buffer.concat([
      frame('PING', 0, 0, Buffer.from('before!!')),
      frame(0x0a, 0, 0, Buffer.alloc(0)),
      unknownBig,
      frame(0x42, 0, 0, frame('PING', 0, 0, Buffer.from('inside!!'))), // an unknown frame whose payload looks like a PING
      frame('DATA', 1, 1, Buffer.from('after')),
    ]);
    // Cut inside the unknown frame's header and inside its payload.
    const cuts = [20, 25, 140, 400];
    const chunks = cuts.map((c, i) => bytes.subarray(i === 0 ? 0 : cuts[i - 1], c)).concat([bytes.subarray(cuts.at(-1))]);
    await expectDecoded(
      'RFC 9113 §5.5',
      chunks,
      [
        { type: 'PING', opaqueData: Buffer.from('before!!') },
        { type: 'DATA', streamId: 1, endStream: true, data: Buffer.from('after') },
      ],
    );
  });

  test('undefined flags are ignored: they neither set ACK nor make DATA look padded (RFC 9113 §4.1) {R2.4,R2.35}', async () => {
    await expectDecoded(
      'RFC 9113 §4.1',
      [
        frame('PING', 0xfe, 0, Buffer.from('flagsPNG')),
        frame('DATA', 0x26, 1, Buffer.from('\x03abc')),
        frame('SETTINGS', 0xf0, 0, fromHex('000300000064')),
        frame('RST_STREAM', 0xff, 1, u32(0)),
      ],
      [
        { type: 'PING', flags: 0xfe, ack: false, opaqueData: Buffer.from('flagsPNG') },
        { type: 'DATA', flags: 0x26, endStream: false, padLength: 0, data: Buffer.from('\x03abc') },
        { type: 'SETTINGS', flags: 0xf0, ack: false, settings: [{ id: 3, value: 100 }] },
        { type: 'RST_STREAM', flags: 0xff, errorCode: 0 },
      ],
    );
  });

  test('a frame header cut at each of its 8 inner positions is reassembled (RFC 9113 §4.1) {R2.34}', async () => {
    const frames = Array.from({ length: 8 }, (_, i) => frame('DATA', 0, 2 * i + 1, Buffer.from(`piece ${i}`)));
    const chunks: Uint8Array[] = [];
    let carry: Buffer = Buffer.alloc(0);
    frames.forEach((f, i) => {
      chunks.push(Buffer.concat([carry, f.subarray(0, i + 1)]));
      carry = f.subarray(i + 1);
    });
    chunks.push(carry);
    await expectDecoded(
      'RFC 9113 §4.1',
      chunks,
      frames.map((_, i) => ({ type: 'DATA', streamId: 2 * i + 1, data: Buffer.from(`piece ${i}`) })),
    );
  });

  test('push returns each frame as soon as its last octet arrives, several per chunk when they are there (RFC 9113 §4.1) {R2.34}', async () => {
    const parser = await newParser();
    const a = frame('DATA', 0, 1, Buffer.from('first'));
    const b = frame('PING', 0, 0, Buffer.from('12345678'));
    const c = frame('SETTINGS', 1, 0);
    const d = frame('DATA', 1, 3, Buffer.from('last'));
    const steps: Array<[Uint8Array, string[]]> = [
      [a.subarray(0, 9), []],
      [a.subarray(9, 12), []],
      [Buffer.concat([a.subarray(12), b, c, d.subarray(0, 4)]), ['DATA', 'PING', 'SETTINGS']],
      [d.subarray(4), ['DATA']],
    ];
    for (const [i, [chunk, want]] of steps.entries()) {
      const got = asEvents(await parser.call('push', chunk), 'push');
      const types = got.map((e) => String(e.type));
      if (JSON.stringify(types) !== JSON.stringify(want)) {
        throw new Error(
          `push #${i + 1} (${chunk.length} bytes: ${hex(chunk, 16)}) should return [${want.join(', ')}] ` +
            `and returned [${types.join(', ')}] (RFC 9113 §4.1: a frame is complete when its header and all ` +
            `length payload octets have arrived; one chunk can complete several frames)`,
        );
      }
    }
  });

  test('a server-side parser consumes the 24-octet client preface, even cut into pieces (RFC 9113 §3.4) {R2.22,R2.34}', async () => {
    const bytes = Buffer.concat([CLIENT_PREFACE, frame('SETTINGS', 0, 0, fromHex('000200000000')), frame('SETTINGS', 1, 0)]);
    await expectDecoded(
      'RFC 9113 §3.4',
      [bytes.subarray(0, 3), bytes.subarray(3, 17), bytes.subarray(17, 30), bytes.subarray(30)],
      [
        { type: 'SETTINGS', streamId: 0, ack: false, settings: [{ id: 2, value: 0 }] },
        { type: 'SETTINGS', streamId: 0, ack: true, settings: [] },
      ],
      { expectPreface: true },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Errors and limits

function expectError(
  section: string,
  input: Uint8Array[],
  events: Event[],
  want: { code: string; scope: 'connection' | 'stream' | 'either'; streamId: number; before?: number; after?: string[]; offending?: number },
): void {
  const errors = errorsIn(events);
  const err = errors[0];
  const scopeOk = err && (want.scope === 'either' ? err.scope === 'connection' || err.scope === 'stream' : err.scope === want.scope);
  const at = err ? events.indexOf(err) : -1;
  const frameTypesAfter = events.slice(at + 1).map((e) => String(e.type));
  const problems: string[] = [];
  if (!err) problems.push('no error was reported');
  else {
    if (err.code !== want.code) problems.push(`code ${String(err.code)}, expected ${want.code}`);
    if (!scopeOk) problems.push(`scope ${String(err.scope)}, expected ${want.scope === 'either' ? 'connection or stream' : want.scope}`);
    if (err.streamId !== want.streamId) problems.push(`streamId ${String(err.streamId)}, expected ${want.streamId} (the stream of the offending frame)`);
    if (errors.length > 1) problems.push(`${errors.length} errors reported, expected one`);
    if (want.before !== undefined && at !== want.before) {
      problems.push(`${at} frames before the error, expected ${want.before} (the frames that precede the offending one)`);
    }
    const after = want.after ?? (err.scope === 'stream' ? undefined : []);
    if (after && JSON.stringify(frameTypesAfter) !== JSON.stringify(after)) {
      problems.push(
        err.scope === 'connection'
          ? `frames decoded after a connection error: [${frameTypesAfter.join(', ')}] (the parser must stop, RFC 9113 §5.4.1)`
          : `after the stream error the parser should go on with [${after.join(', ')}], got [${frameTypesAfter.join(', ')}] (RFC 9113 §5.4.2)`,
      );
    }
  }
  if (problems.length === 0) return;
  const bytes = Buffer.concat(input);
  const lines = [`expected ${want.code} (${want.scope === 'either' ? 'connection or stream' : want.scope} error, stream ${want.streamId}) (${section}): ${problems.join('; ')}.`];
  lines.push('  input frames:');
  const walked = walkFrames(bytes, bytes.subarray(0, 24).equals(CLIENT_PREFACE) ? 24 : 0);
  for (const f of walked.slice(-6)) {
    const mark = f.offset === want.offending ? '   ← the offending frame' : '';
    lines.push(`    @${f.offset}  ${hex(bytes.subarray(f.offset, f.offset + 9), 9)}  ${describeHeader(f.header)}${mark}`);
  }
  lines.push('  your parser returned:');
  for (const e of events.slice(-6)) lines.push(`    ${renderEvent(e)}`);
  throw new Error(lines.join('\n'));
}

describe('limits, preface and error reporting', () => {
  test('a frame of exactly 16 384 octets is accepted; 16 385 is FRAME_SIZE_ERROR, reported from the header alone (RFC 9113 §4.2) {R2.2,R2.31}', async () => {
    const ok = frame('DATA', 0, 1, Buffer.alloc(16_384, 0x61));
    const okEvents = await parse([ok]);
    expectFrames('16384-octet DATA', 'RFC 9113 §4.2', ok, [{ expected: { type: 'DATA', length: 16_384 }, offset: 0 }], okEvents);
    // Only the header of an oversized HEADERS frame: the parser must not wait for 16 385 octets to object.
    const header = frame('HEADERS', 0x04, 3, Buffer.alloc(16_385)).subarray(0, 9);
    const events = await parse([header]);
    expectError('RFC 9113 §4.2', [header], events, { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 3, before: 0 });
  });

  test('setMaxFrameSize raises the limit; the peer\'s SETTINGS_MAX_FRAME_SIZE does not change what we accept (RFC 9113 §4.2, §6.5.2) {R2.21}', async () => {
    const big = frame('DATA', 0, 1, Buffer.alloc(100_000, 0x62));
    const parser = await newParser();
    await parser.call('setMaxFrameSize', 1 << 20);
    const accepted = asEvents(await parser.call('push', big), 'push');
    expectFrames('100 000-octet DATA after setMaxFrameSize(1048576)', 'RFC 9113 §4.2', big, [{ expected: { type: 'DATA', length: 100_000 }, offset: 0 }], accepted);
    expect(await parser.get('maxFrameSize')).toBe(1 << 20);

    // The peer announces it can receive 1 MB frames: that governs what WE may send, not what we accept.
    const peerSettings = frame('SETTINGS', 0, 0, Buffer.concat([Buffer.from([0, 5]), u32(1 << 20)]));
    const tooBig = frame('DATA', 0, 1, Buffer.alloc(20_000));
    const chunks = [peerSettings, tooBig];
    const events = await parse(chunks);
    expectError('RFC 9113 §6.5.2 (SETTINGS_MAX_FRAME_SIZE is the largest payload the SENDER of the setting accepts)', chunks, events, {
      code: 'FRAME_SIZE_ERROR',
      scope: 'either',
      streamId: 1,
      before: 1,
    });
  });

  test('a maximum frame size outside 16 384..16 777 215, or not an integer (NaN, Infinity, 20000.5), is refused with a RangeError (RFC 9113 §6.5.2) {R2.33}', async () => {
    const parser = await newParser();
    // NaN compares false with everything: a range check written as (size < min || size > max) lets it through, and a
    // limit of NaN then lets every frame through (length > NaN is false too).
    for (const bad of [16_383, 16_777_216, NaN, Infinity, -Infinity, 20_000.5]) {
      const err = await parser.call('setMaxFrameSize', bad).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof RemoteError) || err.name !== 'RangeError') {
        throw new Error(
          `setMaxFrameSize(${bad}) should throw a RangeError (SETTINGS_MAX_FRAME_SIZE must be between 2^14 and 2^24-1), ` +
            `but it ${err === undefined ? 'returned normally' : `threw ${err instanceof Error ? err.message : String(err)}`}`,
        );
      }
    }
    expect(await parser.get('maxFrameSize')).toBe(16_384);
  });

  test('the constructor validates maxFrameSize like setMaxFrameSize: NaN, 16 383, 2^24 and 20000.5 are a RangeError (RFC 9113 §6.5.2) {R2.32}', async () => {
    for (const bad of [NaN, 16_383, 2 ** 24, 20_000.5]) {
      const err = await newParser({ maxFrameSize: bad }).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (!(err instanceof RemoteError) || err.name !== 'RangeError') {
        throw new Error(
          `new FrameParser({ maxFrameSize: ${bad} }) should throw a RangeError like setMaxFrameSize(${bad}) does (an integer in [2^14, 2^24-1]); ` +
            `it ${err === undefined ? 'returned a parser' : `threw ${err instanceof RemoteError ? `${err.name}: ${err.remoteMessage}` : String(err)}`}. ` +
            'A limit of NaN would let every frame through, since length > NaN is false.',
        );
      }
    }
  });

  test('a wrong connection preface is a connection error PROTOCOL_ERROR (RFC 9113 §3.4) {R2.22,R2.44}', async () => {
    const http1 = Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\n\r\n', 'latin1');
    const events = await parse([http1, frame('SETTINGS', 0, 0)], { expectPreface: true });
    expectError('RFC 9113 §3.4', [http1], events, { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0, before: 0 });
  });

  test('after a connection error nothing more is decoded, in this chunk or later ones (RFC 9113 §5.4.1) {R2.43,R2.46}', async () => {
    const parser = await newParser();
    const first = Buffer.concat([frame('PING', 0, 0, Buffer.alloc(8)), frame('DATA', 0, 0, Buffer.from('x')), frame('PING', 0, 0, Buffer.alloc(8))]);
    const events = asEvents(await parser.call('push', first), 'push');
    expectError('RFC 9113 §5.4.1', [first], events, { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0, before: 1 });
    const later = asEvents(await parser.call('push', frame('PING', 0, 0, Buffer.alloc(8))), 'push');
    if (later.length !== 0) {
      throw new Error(`after a connection error the parser must stop (RFC 9113 §5.4.1), but a later push returned ${later.map(renderEvent).join('; ')}`);
    }
  });

  test('a stream error drops only the offending frame; parsing goes on (RFC 9113 §5.4.2, §6.3) {R2.25,R2.45}', async () => {
    const chunks = [
      frame('PRIORITY', 0, 5, u32(3)),
      frame('PING', 0, 0, Buffer.from('still ok')),
      frame('WINDOW_UPDATE', 0, 7, u32(0)),
      frame('DATA', 1, 7, Buffer.from('more')),
    ];
    const events = await parse(chunks);
    const types = events.map((e) => (e.type === 'error' ? `error ${String(e.code)}/${String(e.scope)}/${String(e.streamId)}` : String(e.type)));
    const want = ['error FRAME_SIZE_ERROR/stream/5', 'PING', 'error PROTOCOL_ERROR/stream/7', 'DATA'];
    if (JSON.stringify(types) !== JSON.stringify(want)) {
      throw new Error(
        'a PRIORITY frame of 4 octets (stream 5) and a WINDOW_UPDATE of 0 on stream 7 are stream errors: report them and go on ' +
          `(RFC 9113 §6.3, §6.9, §5.4.2).\n  expected: [${want.join(', ')}]\n  actual:   [${types.join(', ')}]`,
      );
    }
  });

  test('a payload too short for its mandatory fields is FRAME_SIZE_ERROR (RFC 9113 §4.2, §6.2) {R2.15}', async () => {
    // HEADERS with PRIORITY|END_HEADERS but only 3 octets: the 5 priority octets do not fit.
    const chunks = [frame('PING', 0, 0, Buffer.alloc(8)), frame('HEADERS', 0x24, 1, fromHex('000000'))];
    const events = await parse(chunks);
    expectError('RFC 9113 §4.2', chunks, events, { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 1, before: 1 });
  });

  test('padding that eats into the priority fields or the promised stream id is PROTOCOL_ERROR (RFC 9113 §6.2, §6.6) {R2.13,R2.14}', async () => {
    // HEADERS, PADDED|PRIORITY|END_HEADERS, 8 octets: Pad Length 3, 5 priority octets, 2 octets left: 3 pads do not fit.
    const headers = [frame('PING', 0, 0, Buffer.alloc(8)), frame('HEADERS', 0x2c, 1, fromHex('03000000030f0000'))];
    expectError('RFC 9113 §6.2', headers, await parse(headers), { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1, before: 1 });
    // PUSH_PROMISE, PADDED|END_HEADERS, 7 octets: Pad Length 4, promised id, 2 octets left: 4 pads do not fit.
    const promise = [frame('PING', 0, 0, Buffer.alloc(8)), frame('PUSH_PROMISE', 0x0c, 1, fromHex('04000000020000'))];
    expectError('RFC 9113 §6.6', promise, await parse(promise), { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1, before: 1 });
  });

  test('GOAWAY shorter than 8 octets is a connection error FRAME_SIZE_ERROR (RFC 9113 §6.8) {R2.26}', async () => {
    // Last-Stream-ID and 3 of the 4 error code octets: the error code does not fit.
    const chunks = [frame('PING', 0, 0, Buffer.alloc(8)), frame('GOAWAY', 0, 0, fromHex('00000001000000'))];
    const events = await parse(chunks);
    expectError('RFC 9113 §6.8', chunks, events, { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 0, before: 1 });
  });
});

// The open header block (RFC 9113 §4.3, §6.2, §6.6, §6.10): what may arrive between its first frame and its END_HEADERS.
describe('while a header block is open', () => {
  test('a PUSH_PROMISE without END_HEADERS opens a header block too: its CONTINUATION is accepted (RFC 9113 §6.6, §6.10) {R2.8,R2.11}', async () => {
    await expectDecoded(
      'RFC 9113 §6.6, §6.10',
      [
        frame('PUSH_PROMISE', 0x00, 1, Buffer.concat([u32(2), fromHex('8286')])),
        frame('CONTINUATION', 0x04, 1, fromHex('8401')),
        frame('DATA', 0x00, 1, Buffer.from('after')),
      ],
      [
        { type: 'PUSH_PROMISE', streamId: 1, endHeaders: false, promisedStreamId: 2, fragment: fromHex('8286') },
        { type: 'CONTINUATION', streamId: 1, endHeaders: true, fragment: fromHex('8401') },
        { type: 'DATA', streamId: 1, data: Buffer.from('after') },
      ],
    );
  });

  test('a DATA frame inside the header block a PUSH_PROMISE opened is PROTOCOL_ERROR (RFC 9113 §6.6, §6.10) {R2.9,R2.11,R2.29}', async () => {
    const chunks = [frame('PUSH_PROMISE', 0x00, 1, Buffer.concat([u32(2), fromHex('8286')])), frame('DATA', 0x00, 1, Buffer.from('x'))];
    const events = await parse(chunks);
    expectError('RFC 9113 §6.10', chunks, events, { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1, before: 1 });
  });

  test('a CONTINUATION of another stream is PROTOCOL_ERROR, reported on that stream (RFC 9113 §6.10) {R2.10,R2.29,R2.44}', async () => {
    const chunks = [frame('HEADERS', 0x00, 1, fromHex('8286')), frame('CONTINUATION', 0x04, 3, fromHex('8401'))];
    const events = await parse(chunks);
    expectError('RFC 9113 §6.10', chunks, events, { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 3, before: 1 });
  });

  test.each([
    ['SETTINGS', () => frame('SETTINGS', 0, 0)],
    ['PING', () => frame('PING', 0, 0, Buffer.alloc(8))],
    ['WINDOW_UPDATE on stream 0', () => frame('WINDOW_UPDATE', 0, 0, u32(1))],
  ])('a connection-level %s inside the block is PROTOCOL_ERROR, even when the block started in an earlier push (RFC 9113 §6.10) {R2.9,R2.29}', async (_, make) => {
    const parser = await newParser();
    const opened = asEvents(await parser.call('push', frame('HEADERS', 0x01, 1, fromHex('8286'))), 'push');
    const interloper = make();
    const events = [...opened, ...asEvents(await parser.call('push', interloper), 'push')];
    expectError('RFC 9113 §6.10', [frame('HEADERS', 0x01, 1, fromHex('8286')), interloper], events, {
      code: 'PROTOCOL_ERROR',
      scope: 'connection',
      streamId: 0,
      before: 1,
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4. The h2spec-style error cases (h2-frame-error-cases.json), graded on `expect`

interface ErrorCase {
  id: string;
  h2spec: string;
  frameLevel: boolean;
  expect: string;
  frames: Array<string | { headerHex: string; payloadLength: number; payloadHexPrefix: string; payloadRule: string }>;
}

const errorCases = (errorCasesJson as unknown as { cases: ErrorCase[]; headerBlockUsed: { hex: string } });

type Outcome =
  | { ok: true }
  | { code: 'FRAME_SIZE_ERROR' | 'PROTOCOL_ERROR' | 'FLOW_CONTROL_ERROR'; scope: 'connection' | 'stream' | 'either'; streamId: number };

/** What the RFC requires of a frame parser for each case: the section, the error (or none), and the lesson's requirement ids. */
const CASE_RULES: Record<string, { section: string; outcome: Outcome; requirements: string; title: string }> = {
  'unknown-frame-type': { section: '§5.5', outcome: { ok: true }, requirements: 'R2.3', title: 'an unknown frame type is ignored' },
  'undefined-flags': { section: '§4.1', outcome: { ok: true }, requirements: 'R2.4', title: 'undefined flags on PING are ignored' },
  'reserved-bit-in-stream-id': { section: '§4.1', outcome: { ok: true }, requirements: 'R2.5', title: 'the reserved bit of the stream id is ignored' },
  'data-larger-than-max-frame-size': {
    section: '§4.2',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'either', streamId: 1 },
    requirements: 'R2.2', title: 'DATA above the maximum frame size is FRAME_SIZE_ERROR',
  },
  'headers-larger-than-max-frame-size': {
    section: '§4.2',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.2', title: 'HEADERS above the maximum frame size is a connection error FRAME_SIZE_ERROR',
  },
  'invalid-hpack-index': { section: '§4.3', outcome: { ok: true }, requirements: 'R2.30', title: 'a bad HPACK index is left to the HPACK decoder' },
  'priority-inside-header-block': {
    section: '§6.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.9,R2.29', title: 'PRIORITY inside an open header block is PROTOCOL_ERROR',
  },
  'headers-other-stream-inside-header-block': {
    section: '§6.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 3 },
    requirements: 'R2.10,R2.29,R2.44', title: 'HEADERS of another stream inside an open header block is PROTOCOL_ERROR',
  },
  'even-stream-id-from-client': { section: '§5.1.1', outcome: { ok: true }, requirements: 'R2.30', title: 'stream id parity is left to the connection layer' },
  'unknown-frame-inside-header-block': {
    section: '§6.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.9,R2.29', title: 'even an unknown frame type inside an open header block is PROTOCOL_ERROR',
  },
  'data-stream-0': { section: '§6.1', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 }, requirements: 'R2.23', title: 'DATA on stream 0 is PROTOCOL_ERROR' },
  'data-pad-length-too-big': {
    section: '§6.1',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.14', title: 'DATA whose pad length is not smaller than the payload is PROTOCOL_ERROR',
  },
  'headers-stream-0': { section: '§6.2', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 }, requirements: 'R2.23', title: 'HEADERS on stream 0 is PROTOCOL_ERROR' },
  'headers-pad-length-too-big': {
    section: '§6.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.14', title: 'HEADERS whose padding exceeds the room left is PROTOCOL_ERROR',
  },
  'priority-stream-0': { section: '§6.3', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 }, requirements: 'R2.23', title: 'PRIORITY on stream 0 is PROTOCOL_ERROR' },
  'priority-length-4': {
    section: '§6.3',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'stream', streamId: 1 },
    requirements: 'R2.25,R2.45', title: 'PRIORITY of 4 octets is a stream error FRAME_SIZE_ERROR',
  },
  'rst-stream-stream-0': { section: '§6.4', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 }, requirements: 'R2.23', title: 'RST_STREAM on stream 0 is PROTOCOL_ERROR' },
  'rst-stream-idle-stream': { section: '§6.4', outcome: { ok: true }, requirements: 'R2.30', title: 'RST_STREAM on an idle stream is left to the connection layer' },
  'rst-stream-length-3': {
    section: '§6.4',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.26', title: 'RST_STREAM of 3 octets is a connection error FRAME_SIZE_ERROR',
  },
  'settings-ack-with-payload': {
    section: '§6.5',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.27', title: 'SETTINGS ACK with a payload is FRAME_SIZE_ERROR',
  },
  'settings-nonzero-stream': { section: '§6.5', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 }, requirements: 'R2.24', title: 'SETTINGS on stream 1 is PROTOCOL_ERROR' },
  'settings-length-not-multiple-of-6': {
    section: '§6.5',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.27', title: 'SETTINGS whose length is not a multiple of 6 is FRAME_SIZE_ERROR',
  },
  'settings-enable-push-2': {
    section: '§6.5.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.17', title: 'SETTINGS_ENABLE_PUSH = 2 is PROTOCOL_ERROR',
  },
  'settings-initial-window-too-big': {
    section: '§6.5.2',
    outcome: { code: 'FLOW_CONTROL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.18', title: 'SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 is FLOW_CONTROL_ERROR',
  },
  'settings-max-frame-size-too-small': {
    section: '§6.5.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.19', title: 'SETTINGS_MAX_FRAME_SIZE below 16384 is PROTOCOL_ERROR',
  },
  'settings-max-frame-size-too-big': {
    section: '§6.5.2',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.19', title: 'SETTINGS_MAX_FRAME_SIZE above 2^24-1 is PROTOCOL_ERROR',
  },
  'settings-unknown-identifier': { section: '§6.5.2', outcome: { ok: true }, requirements: 'R2.20', title: 'an unknown SETTINGS identifier is not an error' },
  'ping-ack-not-answered': { section: '§6.7', outcome: { ok: true }, requirements: 'R2.40', title: 'a PING with ACK is decoded as an acknowledgement' },
  'ping-nonzero-stream': { section: '§6.7', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 }, requirements: 'R2.24', title: 'PING on stream 1 is PROTOCOL_ERROR' },
  'ping-length-6': { section: '§6.7', outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 0 }, requirements: 'R2.26', title: 'PING of 6 octets is FRAME_SIZE_ERROR' },
  'goaway-nonzero-stream': { section: '§6.8', outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 }, requirements: 'R2.24', title: 'GOAWAY on stream 1 is PROTOCOL_ERROR' },
  'window-update-zero-increment-connection': {
    section: '§6.9',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.16', title: 'WINDOW_UPDATE of 0 on stream 0 is a connection error PROTOCOL_ERROR',
  },
  'window-update-zero-increment-stream': {
    section: '§6.9',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'stream', streamId: 1 },
    requirements: 'R2.16,R2.45', title: 'WINDOW_UPDATE of 0 on a stream is a stream error PROTOCOL_ERROR',
  },
  'window-update-length-3': {
    section: '§6.9',
    outcome: { code: 'FRAME_SIZE_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.26', title: 'WINDOW_UPDATE of 3 octets is FRAME_SIZE_ERROR',
  },
  'window-update-overflow-connection': { section: '§6.9.1', outcome: { ok: true }, requirements: 'R2.30', title: 'window overflow is left to flow control' },
  'continuation-after-headers-then-other-frame': {
    section: '§6.10',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.9,R2.29', title: 'DATA before the header block ended is PROTOCOL_ERROR',
  },
  'continuation-stream-0': {
    section: '§6.10',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 0 },
    requirements: 'R2.23', title: 'CONTINUATION on stream 0 is PROTOCOL_ERROR',
  },
  'continuation-after-end-headers': {
    section: '§6.10',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.28', title: 'CONTINUATION after END_HEADERS is PROTOCOL_ERROR',
  },
  'continuation-after-data': {
    section: '§6.10',
    outcome: { code: 'PROTOCOL_ERROR', scope: 'connection', streamId: 1 },
    requirements: 'R2.28', title: 'CONTINUATION after a DATA frame is PROTOCOL_ERROR',
  },
  'continuation-multiple-ok': { section: '§6.10', outcome: { ok: true }, requirements: 'R2.8', title: 'HEADERS + two CONTINUATION frames are accepted' },
};

function caseFrames(c: ErrorCase): Buffer[] {
  return c.frames.map((f) => {
    if (typeof f === 'string') return fromHex(f);
    const header = fromHex(f.headerHex);
    const prefix = fromHex(f.payloadHexPrefix);
    let payload: Buffer;
    if (f.payloadRule.startsWith('all bytes 0x61')) payload = Buffer.alloc(f.payloadLength, 0x61);
    else if (f.payloadRule.startsWith('header block')) {
      payload = Buffer.alloc(f.payloadLength);
      fromHex(errorCases.headerBlockUsed.hex).copy(payload);
    } else throw new Error(`harness: unknown payload rule ${f.payloadRule}`);
    if (!payload.subarray(0, prefix.length).equals(prefix)) throw new Error(`harness: payload rule of ${c.id} does not match its prefix`);
    return Buffer.concat([header, payload]);
  });
}

/** The frames a parser should return for frames it accepts: header fields, plus the PING payload and ACK bit. */
function expectedHeaders(frames: WalkedFrame[], bytes: Uint8Array): Located[] {
  return frames
    .filter((f) => f.header.type <= 9)
    .map((f) => {
      const expected: Expected = { type: typeName(f.header.type), length: f.header.length, flags: f.header.flags, streamId: f.header.streamId };
      if (f.header.type === 6) {
        expected.ack = (f.header.flags & 1) !== 0;
        expected.opaqueData = bytes.subarray(f.offset + 9, f.offset + 17);
      }
      return { expected, offset: f.offset };
    });
}

describe('h2spec-style error cases (h2-frame-error-cases.json)', () => {
  const opening = Buffer.concat([CLIENT_PREFACE, frame('SETTINGS', 0, 0), frame('SETTINGS', 1, 0)]);
  const after = frame('PING', 0, 0, Buffer.from('go on...'));

  for (const c of errorCases.cases) {
    const rule = CASE_RULES[c.id];
    if (!rule) throw new Error(`harness: no rule for error case ${c.id}`);
    const outcome = rule.outcome;
    const verdict = 'ok' in outcome ? (c.frameLevel ? 'no error' : 'no error from the frame layer') : `${outcome.code}`;
    test(`${c.id}: ${rule.title} → ${verdict} (RFC 9113 ${rule.section}) {${rule.requirements}}`, async () => {
      const frames = caseFrames(c);
      const streamError = !('ok' in outcome) && outcome.scope === 'stream';
      const chunks = [opening, ...frames, ...(streamError ? [after] : [])];
      const bytes = Buffer.concat(chunks);
      const events = await parse(chunks, { expectPreface: true });
      const walked = walkFrames(bytes, 24);
      if ('ok' in outcome) {
        const section = `RFC 9113 ${rule.section}: ${c.expect}`;
        const errs = errorsIn(events);
        if (errs.length) {
          throw new Error(
            `${c.id}: expected no error (${section}${c.frameLevel ? '' : '; a frame parser knows no stream state or HPACK: this check belongs to a later layer'}), ` +
              `but your parser reported ${errs.map(renderEvent).join('; ')}`,
          );
        }
        expectFrames(c.id, section, bytes, expectedHeaders(walked, bytes), events);
        return;
      }
      // The offending frame is the case's last one; the frames before it decode normally.
      const before = expectedHeaders(walked.slice(0, 2 + frames.length - 1), bytes).length;
      expectError(`RFC 9113 ${rule.section}; h2spec ${c.h2spec}`, chunks, events, {
        offending: walked[2 + frames.length - 1]?.offset,
        code: outcome.code,
        scope: outcome.scope,
        streamId: outcome.streamId,
        before,
        after: streamError ? ['PING'] : undefined,
      });
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// 5. A live node:http2 session through a recording proxy

describe('a live node:http2 session recorded through a proxy', () => {
  let log: LiveSessionLog | undefined;
  let recordError: unknown;

  beforeAll(async () => {
    try {
      log = await recordLiveSession({ random: seededRandom(runSeed()), timeoutMs: 8000 });
    } catch (err) {
      recordError = err;
    }
  }, 12_000);

  function session(): LiveSessionLog {
    if (!log) throw new Error(`harness: the live session could not be recorded: ${String(recordError)}`);
    return log;
  }

  async function decodeLive(direction: 'clientToServer' | 'serverToClient'): Promise<Event[]> {
    const rec = session()[direction];
    return parse(rec.chunks, { expectPreface: direction === 'clientToServer' });
  }

  /** The learner's frames must follow the wire frame for frame (header fields), with no error. */
  function expectWireHeaders(direction: 'clientToServer' | 'serverToClient', events: Event[]): Array<{ event: Event; at: WalkedFrame }> {
    const bytes = session()[direction].bytes;
    const walked = walkFrames(bytes, direction === 'clientToServer' ? 24 : 0);
    const located = walked.map((f) => ({
      expected: { type: typeName(f.header.type), length: f.header.length, flags: f.header.flags, streamId: f.header.streamId },
      offset: f.offset,
    }));
    expectFrames(`live ${direction} (${bytes.length} bytes in ${session()[direction].chunks.length} TCP reads)`, 'RFC 9113 §4.1', bytes, located, events);
    return walked.map((at, i) => ({ event: events[i]!, at }));
  }

  function frameMismatch(direction: string, at: WalkedFrame, bytes: Uint8Array, event: Event, what: string): Error {
    return new Error(
      [
        `live ${direction}: ${what}`,
        `  offset: ${at.offset}`,
        `  raw header:     ${hex(bytes.subarray(at.offset, at.offset + 9), 9)}`,
        `  decoded header: ${describeHeader(at.header)}`,
        `  payload:        ${hex(bytes.subarray(at.offset + 9, at.offset + 9 + at.header.length), 16)}`,
        `  your frame:     ${renderEvent(event)}`,
      ].join('\n'),
    );
  }

  test('client→server: every frame of the live connection, header for header (RFC 9113 §3.4, §4.1) {R2.22,R2.34}', async () => {
    expectWireHeaders('clientToServer', await decodeLive('clientToServer'));
  });

  test('server→client: every frame of the live connection, header for header (RFC 9113 §4.1) {R2.34}', async () => {
    expectWireHeaders('serverToClient', await decodeLive('serverToClient'));
  });

  test('padded DATA and HEADERS from the server: pad length reported, padding removed (RFC 9113 §6.1, §6.2) {R2.12,R2.36,R2.37}', async () => {
    const events = await decodeLive('serverToClient');
    const pairs = expectWireHeaders('serverToClient', events);
    const bytes = session().serverToClient.bytes;
    let padded = 0;
    for (const { event, at } of pairs) {
      if ((at.header.type !== 0 && at.header.type !== 1) || (at.header.flags & 0x08) === 0) continue;
      padded++;
      const padLength = bytes[at.offset + 9]!;
      const prio = at.header.type === 1 && (at.header.flags & 0x20) !== 0 ? 5 : 0;
      const content = bytes.subarray(at.offset + 10 + prio, at.offset + 9 + at.header.length - padLength);
      const field = at.header.type === 0 ? 'data' : 'fragment';
      if (event.padLength !== padLength || !sameBytes(event[field], content)) {
        throw frameMismatch(
          'serverToClient',
          at,
          bytes,
          event,
          `the server padded this frame with ${padLength} octets: expected padLength ${padLength} and ${field} = <${hex(content, 12)}> ` +
            '(the pad length octet and the padding are not content)',
        );
      }
    }
    if (padded === 0) throw new Error('harness: the server (paddingStrategy MAX) sent no padded frame; the check proved nothing');
  });

  test('interleaved responses are reassembled per stream, in the order the server wrote them (RFC 9113 §5, §6.1) {R2.36}', async () => {
    const events = await decodeLive('serverToClient');
    expectWireHeaders('serverToClient', events);
    const bodies = new Map<number, Buffer[]>();
    const dataOrder: number[] = [];
    for (const e of events) {
      if (e.type !== 'DATA' || !(e.data instanceof Uint8Array)) continue;
      const id = Number(e.streamId);
      bodies.set(id, [...(bodies.get(id) ?? []), Buffer.from(e.data)]);
      if (e.data.length > 0 && dataOrder.at(-1) !== id) dataOrder.push(id);
    }
    for (const s of session().streams) {
      const got = Buffer.concat(bodies.get(s.id) ?? []);
      if (!got.equals(s.responseBody)) {
        throw new Error(
          `stream ${s.id} (${s.path}): the server wrote ${s.responseBody.length} body octets <${hex(s.responseBody, 12)}>, ` +
            `your DATA frames of that stream add up to ${got.length} octets <${hex(got, 12)}> (RFC 9113 §6.1: DATA carries the body, minus padding)`,
        );
      }
    }
    const lockIds = new Set(session().lockstepOrder);
    const lockOrder = dataOrder.filter((id) => lockIds.has(id));
    const want = session().lockstepOrder.filter((id, i, all) => i === 0 || all[i - 1] !== id);
    if (JSON.stringify(lockOrder) !== JSON.stringify(want)) {
      throw new Error(
        'the server wrote the two lock-step responses alternately; the streams of your DATA frames should alternate the same way ' +
          `(RFC 9113 §5: frames of different streams interleave on one connection).\n  expected streams: ${want.join(' ')}\n  actual:           ${lockOrder.join(' ')}`,
      );
    }
  });

  test('END_STREAM exactly where each peer ended its side of each stream (RFC 9113 §5.1, §8.1) {R2.36,R2.37}', async () => {
    for (const direction of ['clientToServer', 'serverToClient'] as const) {
      const pairs = expectWireHeaders(direction, await decodeLive(direction));
      const bytes = session()[direction].bytes;
      for (const s of session().streams) {
        if (s.cancelled) continue;
        const mine = pairs.filter(({ event }) => Number(event.streamId) === s.id && (event.type === 'DATA' || event.type === 'HEADERS'));
        const ends = mine.filter(({ event }) => event.endStream === true);
        const last = mine.at(-1);
        const wantType = direction === 'serverToClient' ? (s.trailers ? 'HEADERS' : 'DATA') : s.requestBody.length ? 'DATA' : 'HEADERS';
        const problem =
          ends.length !== 1
            ? `${ends.length} frames with endStream on stream ${s.id}, expected exactly 1`
            : ends[0] !== last
              ? `endStream is set on a frame that is not the last DATA/HEADERS frame of stream ${s.id}`
              : last.event.type !== wantType
                ? `stream ${s.id} (${s.path}) was ended on a ${wantType} frame${s.trailers && direction === 'serverToClient' ? ' (trailers)' : ''}, your parser says ${String(last.event.type)}`
                : undefined;
        if (problem) {
          const at = (ends[0] ?? last)!;
          throw frameMismatch(direction, at.at, bytes, at.event, `${problem} (the peer ended ${s.path} once; RFC 9113 §5.1)`);
        }
        if (direction === 'serverToClient') {
          const blocks = mine.filter(({ event }) => event.type === 'HEADERS').length;
          if (blocks !== s.responseHeaderBlocks) {
            throw new Error(`stream ${s.id} (${s.path}): the server sent ${s.responseHeaderBlocks} header blocks, your parser shows ${blocks} HEADERS frames (RFC 9113 §8.1)`);
          }
        }
      }
    }
  });

  test('request bodies and a 20 000-octet header split across HEADERS + CONTINUATION (RFC 9113 §6.1, §6.10) {R2.8,R2.41}', async () => {
    const events = await decodeLive('clientToServer');
    expectWireHeaders('clientToServer', events);
    for (const s of session().streams.filter((x) => x.requestBody.length)) {
      const got = Buffer.concat(events.filter((e) => e.type === 'DATA' && e.streamId === s.id).map((e) => Buffer.from(e.data as Uint8Array)));
      if (!got.equals(s.requestBody)) {
        throw new Error(`stream ${s.id} (${s.path}): the client sent ${s.requestBody.length} body octets, your DATA frames hold ${got.length} <${hex(got, 12)}> (RFC 9113 §6.1)`);
      }
    }
    const id = session().bigHeaderStreamId;
    const parts = events.filter((e) => (e.type === 'HEADERS' || e.type === 'CONTINUATION') && e.streamId === id);
    const block = Buffer.concat(parts.map((e) => Buffer.from((e.fragment as Uint8Array | undefined) ?? new Uint8Array(0))));
    const value = Buffer.from(session().bigHeaderValue, 'latin1');
    const types = parts.map((e) => String(e.type));
    if (types[0] !== 'HEADERS' || !types.slice(1).every((t) => t === 'CONTINUATION') || types.length < 2 || !block.includes(value)) {
      throw new Error(
        `stream ${id}: the client sent a 20 000-octet header value (raw literal '~~~…'), more than one frame can hold. ` +
          `Expected HEADERS then CONTINUATION frame(s) whose fragments, joined, contain the value (RFC 9113 §4.3, §6.10).\n` +
          `  your frames on stream ${id}: ${types.join(', ') || '(none)'}; joined fragments: ${block.length} octets <${hex(block, 12)}>`,
      );
    }
  });

  test('PING and its ACK echo the payload; the SETTINGS change and its ACK (RFC 9113 §6.5, §6.7) {R2.38,R2.40}', async () => {
    const c2s = await decodeLive('clientToServer');
    const s2c = await decodeLive('serverToClient');
    expectWireHeaders('clientToServer', c2s);
    expectWireHeaders('serverToClient', s2c);
    const ping = session().pingPayload;
    const sentPing = c2s.find((e) => e.type === 'PING' && e.ack === false && sameBytes(e.opaqueData, ping));
    const ackPing = s2c.find((e) => e.type === 'PING' && e.ack === true && sameBytes(e.opaqueData, ping));
    if (!sentPing || !ackPing) {
      throw new Error(
        `the client pinged with "${ping.toString('latin1')}" and the server acknowledged it: expected a PING (ack false) ` +
          `client→server and a PING (ack true) server→client, both with opaqueData <${hex(ping)}> (RFC 9113 §6.7).\n` +
          `  your PING frames: c2s ${c2s.filter((e) => e.type === 'PING').map(renderEvent).join('; ') || '(none)'}; ` +
          `s2c ${s2c.filter((e) => e.type === 'PING').map(renderEvent).join('; ') || '(none)'}`,
      );
    }
    const change = session().settingsChange;
    const settingsFrames = c2s.filter((e) => e.type === 'SETTINGS' && e.ack === false);
    const matching = settingsFrames.find((e) => {
      const list = Array.isArray(e.settings) ? (e.settings as Array<{ id: number; value: number }>) : [];
      return list.length === change.size && list.every((s) => change.get(s.id) === s.value);
    });
    const acks = s2c.filter((e) => e.type === 'SETTINGS' && e.ack === true).length;
    if (!matching || acks !== settingsFrames.length) {
      throw new Error(
        `the client changed SETTINGS mid-session to ${[...change].map(([k, v]) => `${k}=${v}`).join(', ')}: expected a SETTINGS frame ` +
          `listing exactly those pairs, and one ACK from the server per SETTINGS frame (RFC 9113 §6.5).\n` +
          `  your client SETTINGS: ${settingsFrames.map(renderEvent).join('; ')}\n  server ACKs: ${acks}`,
      );
    }
  });

  test('RST_STREAM CANCEL from the client, GOAWAY with last stream id, code and debug data from the server (RFC 9113 §6.4, §6.8) {R2.40}', async () => {
    const c2s = await decodeLive('clientToServer');
    const s2c = await decodeLive('serverToClient');
    expectWireHeaders('clientToServer', c2s);
    expectWireHeaders('serverToClient', s2c);
    const cancelled = session().streams.find((s) => s.cancelled)!;
    const rst = c2s.find((e) => e.type === 'RST_STREAM' && e.streamId === cancelled.id);
    if (!rst || rst.errorCode !== 8) {
      throw new Error(
        `the client cancelled stream ${cancelled.id}: expected RST_STREAM on stream ${cancelled.id} with errorCode 8 (CANCEL) (RFC 9113 §6.4, §7); ` +
          `your parser returned ${rst ? renderEvent(rst) : 'no RST_STREAM for that stream'}`,
      );
    }
    const g = session().goaway;
    const goaway = s2c.find((e) => e.type === 'GOAWAY' && sameBytes(e.debugData, g.debugData));
    if (!goaway || goaway.lastStreamId !== g.lastStreamId || goaway.errorCode !== g.errorCode) {
      throw new Error(
        `the server sent GOAWAY(last stream ${g.lastStreamId}, code ${g.errorCode}, debug "${g.debugData.toString('latin1')}") (RFC 9113 §6.8); ` +
          `your GOAWAY frames: ${s2c.filter((e) => e.type === 'GOAWAY').map(renderEvent).join('; ') || '(none)'}`,
      );
    }
  });
});
