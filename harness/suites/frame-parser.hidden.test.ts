// Instructor-only suite of exercise 02, frame-parser: generated property tests. Random sequences of valid frames
// (every type, padding, priority, header blocks continued in CONTINUATION frames, unknown types to skip) are built
// here, cut at random offsets and fed to the learner's parser; the frames that come out must be the ones built,
// field by field, however the stream was cut. A failing input is shrunk (fewer frames, smaller payloads, fewer
// cuts) before it is shown. Not in the learners' copy.

import { CLIENT_PREFACE, frame, hex, renderEvent } from '../support/h2-frames';
import { checkProperty, pick, shrinkList } from '../support/property';
import { randomInt } from '../support/random';
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 4000 });

interface GenFrame {
  type: string;
  code: number;
  flags: number;
  streamId: number;
  payload: number[];
  /** The fields the parser must report (besides type, length, flags, streamId). */
  expect: Record<string, unknown>;
}

interface Case {
  preface: boolean;
  frames: GenFrame[];
  /** Offsets where the byte stream is cut into chunks. */
  cuts: number[];
}

function bytes(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => randomInt(random, 0, 255));
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function withPadding(random: () => number, body: number[], flags: number): { payload: number[]; flags: number; padLength: number } {
  if (random() < 0.5) return { payload: body, flags, padLength: 0 };
  const pad = randomInt(random, 0, 20);
  return { payload: [pad, ...body, ...new Array(pad).fill(0)], flags: flags | 0x8, padLength: pad };
}

function data(random: () => number, streamId: number, size: number): GenFrame {
  const body = bytes(random, size);
  const endStream = random() < 0.3 ? 0x1 : 0;
  const p = withPadding(random, body, endStream);
  return { type: 'DATA', code: 0, flags: p.flags, streamId, payload: p.payload, expect: { endStream: endStream !== 0, padLength: p.padLength, data: hex(Uint8Array.from(body), 4096) } };
}

function generateFrames(random: () => number): GenFrame[] {
  const frames: GenFrame[] = [];
  const count = randomInt(random, 1, 8);
  for (let i = 0; i < count; i++) {
    const stream = 2 * randomInt(random, 0, 20) + 1;
    const kind = pick(random, ['DATA', 'DATA', 'HEADERS', 'HEADERS+CONT', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'UNKNOWN']);
    switch (kind) {
      case 'DATA':
        frames.push(data(random, stream, randomInt(random, 0, 200)));
        break;
      case 'HEADERS':
      case 'HEADERS+CONT': {
        const fragment = bytes(random, randomInt(random, 1, 60));
        const continued = kind === 'HEADERS+CONT';
        let body = fragment;
        let flags = continued ? 0 : 0x4;
        let priority: Record<string, unknown> | undefined;
        if (random() < 0.4) {
          const dependency = randomInt(random, 0, 2 ** 31 - 1);
          const exclusive = random() < 0.5;
          const weight = randomInt(random, 0, 255);
          body = [...u32((exclusive ? 0x80000000 : 0) + dependency >>> 0), weight, ...fragment];
          flags |= 0x20;
          priority = { exclusive, dependency, weight: weight + 1 };
        }
        const p = withPadding(random, body, flags);
        frames.push({ type: 'HEADERS', code: 1, flags: p.flags, streamId: stream, payload: p.payload, expect: { endHeaders: !continued, padLength: p.padLength, fragment: hex(Uint8Array.from(fragment), 4096), ...(priority ? { priority } : {}) } });
        if (continued) {
          const parts = randomInt(random, 1, 3);
          for (let j = 0; j < parts; j++) {
            const piece = bytes(random, randomInt(random, 0, 30));
            const last = j === parts - 1;
            frames.push({ type: 'CONTINUATION', code: 9, flags: last ? 0x4 : 0, streamId: stream, payload: piece, expect: { endHeaders: last, fragment: hex(Uint8Array.from(piece), 4096) } });
          }
        }
        break;
      }
      case 'PRIORITY': {
        const dependency = randomInt(random, 0, 2 ** 31 - 1);
        const weight = randomInt(random, 0, 255);
        frames.push({ type: 'PRIORITY', code: 2, flags: 0, streamId: stream, payload: [...u32(dependency), weight], expect: { priority: { exclusive: false, dependency, weight: weight + 1 } } });
        break;
      }
      case 'RST_STREAM': {
        const errorCode = randomInt(random, 0, 13);
        frames.push({ type: 'RST_STREAM', code: 3, flags: 0, streamId: stream, payload: u32(errorCode), expect: { errorCode } });
        break;
      }
      case 'SETTINGS': {
        if (random() < 0.25) {
          frames.push({ type: 'SETTINGS', code: 4, flags: 0x1, streamId: 0, payload: [], expect: { ack: true, settings: [] } });
          break;
        }
        const settings = Array.from({ length: randomInt(random, 0, 5) }, () => ({ id: pick(random, [1, 3, 4, 6, 0x2a]), value: pick(random, [0, 1, 100, 65_535, 16_384]) }));
        frames.push({ type: 'SETTINGS', code: 4, flags: 0, streamId: 0, payload: settings.flatMap((s) => [s.id >> 8, s.id & 0xff, ...u32(s.value)]), expect: { ack: false, settings } });
        break;
      }
      case 'PING': {
        const opaque = bytes(random, 8);
        const ack = random() < 0.5;
        frames.push({ type: 'PING', code: 6, flags: ack ? 1 : 0, streamId: 0, payload: opaque, expect: { ack, opaqueData: hex(Uint8Array.from(opaque), 64) } });
        break;
      }
      case 'GOAWAY': {
        const lastStreamId = randomInt(random, 0, 1000);
        const errorCode = randomInt(random, 0, 13);
        const debug = bytes(random, randomInt(random, 0, 16));
        frames.push({ type: 'GOAWAY', code: 7, flags: 0, streamId: 0, payload: [...u32(lastStreamId), ...u32(errorCode), ...debug], expect: { lastStreamId, errorCode, debugData: hex(Uint8Array.from(debug), 64) } });
        break;
      }
      case 'WINDOW_UPDATE': {
        const increment = randomInt(random, 1, 2 ** 31 - 1);
        frames.push({ type: 'WINDOW_UPDATE', code: 8, flags: 0, streamId: random() < 0.3 ? 0 : stream, payload: u32(increment), expect: { windowSizeIncrement: increment } });
        break;
      }
      default:
        // An unknown type is skipped whole (RFC 9113 §4.1, §5.5): nothing comes out for it.
        frames.push({ type: 'UNKNOWN', code: randomInt(random, 0x20, 0xfe), flags: randomInt(random, 0, 255), streamId: stream, payload: bytes(random, randomInt(random, 0, 40)), expect: {} });
    }
  }
  return frames;
}

function streamOf(c: Case): Uint8Array {
  const parts = c.frames.map((f) => frame(f.code, f.flags, f.streamId, Uint8Array.from(f.payload)));
  return Uint8Array.from(Buffer.concat([...(c.preface ? [CLIENT_PREFACE] : []), ...parts]));
}

function chunksOf(all: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.filter((x) => x > 0 && x < all.length))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of [...points, all.length]) {
    out.push(all.slice(at, p));
    at = p;
  }
  return out;
}

/** A continued header block must stay whole when frames are dropped: HEADERS without END_HEADERS needs its CONTINUATIONs. */
function wellFormed(frames: GenFrame[]): boolean {
  let open: number | undefined;
  for (const f of frames) {
    if (open !== undefined && !(f.type === 'CONTINUATION' && f.streamId === open)) return false;
    if (open === undefined && f.type === 'CONTINUATION') return false;
    if (f.type === 'HEADERS' && !(f.flags & 0x4)) open = f.streamId;
    if (f.type === 'CONTINUATION' && f.flags & 0x4) open = undefined;
  }
  return open === undefined;
}

function shrinkFrame(f: GenFrame): GenFrame[] {
  if (f.type === 'DATA' && !(f.flags & 0x8) && f.payload.length > 1) {
    const body = f.payload.slice(0, Math.floor(f.payload.length / 2));
    return [{ ...f, payload: body, expect: { ...f.expect, data: hex(Uint8Array.from(body), 4096) } }];
  }
  if (f.type === 'UNKNOWN' && f.payload.length) return [{ ...f, payload: [] }];
  return [];
}

function shrinkCase(c: Case): Case[] {
  const out: Case[] = [];
  if (c.cuts.length) out.push({ ...c, cuts: [] });
  for (const frames of shrinkList(c.frames, shrinkFrame, 1)) if (wellFormed(frames)) out.push({ ...c, frames });
  if (c.preface) out.push({ ...c, preface: false });
  for (const cuts of shrinkList(c.cuts)) out.push({ ...c, cuts });
  return out;
}

function showCase(c: Case): string {
  const all = streamOf(c);
  const lines: string[] = [`new FrameParser({ expectPreface: ${c.preface} }), ${all.length} bytes pushed in ${chunksOf(all, c.cuts).length} chunk(s), cut at offsets [${[...new Set(c.cuts.filter((x) => x > 0 && x < all.length))].sort((a, b) => a - b).join(', ')}]`];
  let at = c.preface ? CLIENT_PREFACE.length : 0;
  if (c.preface) lines.push(`  offset 0: the connection preface (24 octets)`);
  for (const f of c.frames) {
    lines.push(`  offset ${at}: ${f.type === 'UNKNOWN' ? `unknown type 0x${f.code.toString(16)}` : f.type} flags 0x${f.flags.toString(16).padStart(2, '0')} stream ${f.streamId} length ${f.payload.length}: ${hex(Uint8Array.from(f.payload), 12)}`);
    at += 9 + f.payload.length;
  }
  return lines.join('\n');
}

function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value, 4096);
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, normalise(v)]));
  return value;
}

function same(expected: unknown, actual: unknown): boolean {
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false;
    if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => same(e, (actual as unknown[])[i]));
    return Object.entries(expected as Record<string, unknown>).every(([k, v]) => same(v, (actual as Record<string, unknown>)[k]));
  }
  return expected === actual;
}

async function checkCase(c: Case): Promise<void> {
  const all = streamOf(c);
  const parser = await sandbox().construct('FrameParser', { expectPreface: c.preface });
  const got = await parser.callWithin(8000, 'pushAll', chunksOf(all, c.cuts));
  if (!Array.isArray(got)) throw new Error(`pushAll must return an array of frames (RFC 9113 §4.1); it returned ${renderEvent(got)}`);
  const expected = c.frames.filter((f) => f.type !== 'UNKNOWN');
  let offset = c.preface ? CLIENT_PREFACE.length : 0;
  const offsets = new Map<GenFrame, number>();
  for (const f of c.frames) {
    offsets.set(f, offset);
    offset += 9 + f.payload.length;
  }
  for (let i = 0; i < Math.max(expected.length, got.length); i++) {
    const want = expected[i];
    const have = normalise(got[i]);
    if (!want) throw new Error(`the parser returned more events than the ${expected.length} frame(s) in the stream (unknown types are skipped, RFC 9113 §5.5); extra event ${i + 1}: ${renderEvent(got[i])}`);
    const fields = { type: want.type, length: want.payload.length, flags: want.flags, streamId: want.streamId, ...want.expect };
    if (!same(fields, have)) {
      const wrong = Object.keys(fields).filter((k) => !same((fields as Record<string, unknown>)[k], (have as Record<string, unknown> | undefined)?.[k]));
      throw new Error(
        [
          `frame ${i + 1} (the ${want.type} at offset ${offsets.get(want)}) came out wrong${wrong.length ? `: ${wrong.join(', ')} differ` : ''} (RFC 9113 §4.1, §6)`,
          `expected: ${renderEvent(fields)}`,
          `got:      ${have === undefined ? '(nothing: the frame was lost)' : renderEvent(got[i])}`,
          'A frame must come out the same wherever the byte stream was cut: keep the unconsumed bytes across push() calls.',
        ].join('\n'),
      );
    }
  }
}

describe('hidden: generated frame streams', () => {
  test('random valid frames cut at random offsets come out field by field as built (RFC 9113 §4.1) {R2.1,R2.34}', async () => {
    await checkProperty<Case>({
      name: 'parse(cut(frames)) = frames',
      generate: (random) => {
        const c: Case = { preface: random() < 0.3, frames: generateFrames(random), cuts: [] };
        const total = streamOf(c).length;
        c.cuts = Array.from({ length: randomInt(random, 1, 12) }, () => randomInt(random, 1, Math.max(1, total - 1)));
        return c;
      },
      shrink: shrinkCase,
      check: checkCase,
      show: showCase,
      runs: 12,
    });
  }, 40_000);

  test('the same frames pushed one byte at a time (RFC 9113 §4.1) {R2.34}', async () => {
    await checkProperty<Case>({
      name: 'parse(bytes one by one) = frames',
      generate: (random) => {
        const c: Case = { preface: random() < 0.5, frames: generateFrames(random), cuts: [] };
        c.cuts = Array.from({ length: streamOf(c).length }, (_, i) => i + 1);
        return c;
      },
      shrink: (c) => shrinkCase(c).map((x) => ({ ...x, cuts: x.cuts.length ? Array.from({ length: streamOf(x).length }, (_, i) => i + 1) : [] })),
      check: checkCase,
      show: showCase,
      runs: 4,
    });
  }, 40_000);
});
