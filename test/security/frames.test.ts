// The sandbox channel's framing (harness/sandbox/frames.ts): the trusted side decodes whatever bytes the code under
// test writes to the channel, so the decoder must give back exactly the frames that were sent however the stream
// is cut, stop at the first frame that announces too much, and hold no more than one frame in memory.
import { deserialize, serialize } from 'node:v8';
import { encodeFrame, FrameDecoder, FRAME_CAP, HEADER_BYTES, VALUE_CAP } from '../../harness/sandbox/frames';

const messages: unknown[] = [
  { type: 'reply', id: 1, ok: true, value: new Uint8Array([1, 2, 3]) },
  { type: 'callback', callback: 7, args: ['a', 2n, new Map([[1, 2]])] },
  { type: 'anomaly', what: 'x'.repeat(70_000) },
  {},
  'a bare string',
];
const stream = Buffer.concat(messages.map((m) => encodeFrame(serialize(m))));

function decodeIn(chunks: Buffer[]): { values: unknown[]; error?: string } {
  const decoder = new FrameDecoder();
  const values: unknown[] = [];
  for (const chunk of chunks) {
    const r = decoder.push(chunk);
    values.push(...r.frames.map((f) => deserialize(f)));
    if (r.error) return { values, error: r.error };
  }
  expect(decoder.pending).toBe(0);
  return { values };
}

test('every frame comes back whole, the stream cut at any single point', () => {
  for (let cut = 0; cut <= stream.length; cut += cut < 200 ? 1 : 997) {
    expect(decodeIn([stream.subarray(0, cut), stream.subarray(cut)])).toEqual({ values: messages });
  }
});

test('every frame comes back whole, the stream cut into pieces of every small size', () => {
  for (const size of [1, 2, 3, 4, 5, 7, 64, 4096, 65536]) {
    const chunks: Buffer[] = [];
    for (let at = 0; at < stream.length; at += size) chunks.push(stream.subarray(at, at + size));
    expect(decodeIn(chunks)).toEqual({ values: messages });
  }
});

test('a frame that announces more than the cap is an error, and the decoder stays broken', () => {
  const decoder = new FrameDecoder(100);
  const ok = encodeFrame(Buffer.alloc(100, 1));
  const tooBig = Buffer.alloc(HEADER_BYTES);
  tooBig.writeUInt32BE(101, 0);
  const first = decoder.push(Buffer.concat([ok, tooBig.subarray(0, 2)]));
  expect({ frames: first.frames.length, error: first.error }).toEqual({ frames: 1, error: undefined });
  const second = decoder.push(tooBig.subarray(2));
  expect(second.error).toMatch(/announced 101 bytes \(the limit is 100\)/);
  expect(decoder.pending).toBe(0);
  expect(decoder.push(encodeFrame(Buffer.alloc(3))).error).toBe(second.error);
});

test('a 4 GB announcement and raw text are refused at their first four bytes, before anything is buffered', () => {
  const huge = Buffer.alloc(HEADER_BYTES, 0xff);
  expect(new FrameDecoder().push(huge).error).toMatch(/announced 4294967295 bytes/);
  expect(new FrameDecoder().push(Buffer.from('GARBAGE, not a frame')).error).toMatch(/announced \d+ bytes/);
});

test('a half frame is held (no more than one frame of memory) until the rest arrives', () => {
  const decoder = new FrameDecoder(1000);
  const frame = encodeFrame(Buffer.alloc(1000, 7));
  expect(decoder.push(frame.subarray(0, 600)).frames).toEqual([]);
  expect(decoder.pending).toBe(600);
  const rest = decoder.push(frame.subarray(600));
  expect(rest.frames.map((f) => f.length)).toEqual([1000]);
  expect(decoder.pending).toBe(0);
});

test('the frame cap leaves room for the largest value a reply may carry', () => {
  expect(FRAME_CAP).toBeGreaterThan(VALUE_CAP);
  const largest = serialize({ type: 'reply', id: 2 ** 31, ok: true, value: new Uint8Array(VALUE_CAP - 64) });
  expect(largest.byteLength).toBeLessThanOrEqual(FRAME_CAP);
});
