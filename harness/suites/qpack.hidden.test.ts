// Instructor-only suite of exercise 10, qpack: generated property tests. Random header lists are encoded by a small
// trusted encoder that uses every representation (harness/support/qpack-encoder.ts) and played to the learner's
// decoder in generation order and in an adversarial order; and the learner's encoder is driven on random header
// lists under a random delivery schedule and checked by the suite's own decoder. A failing input is shrunk (fewer
// header lists, fewer fields, shorter strings) before it is shown. Not in the learners' copy.

import { adversarialOrder } from '../support/qpack-interop';
import { RandomEncoder } from '../support/qpack-encoder';
import { describeDecoderInstruction, encodeInteger, encodeRawString, encodeRic, hex, parseDecoderStream, STATIC, type Field } from '../support/qpack-model';
import { EncoderPeer, type Schedule } from '../support/qpack-peer';
import { playRecords } from '../support/qpack-playback';
import { checkProperty, pick, shrinkList, shrinkString } from '../support/property';
import { randomInt, seededRandom } from '../support/random';
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 5000 });

interface Case {
  maxTableCapacity: number;
  lists: Field[][];
  /** Seeds the encoder's choices (decoder property) or the delivery schedule (encoder property). */
  seed: number;
  adversarial: boolean;
  maxBlockedStreams: number;
}

const VALUES = ['', '0', 'gzip', 'text/html', 'no-cache', 'max-age=0', 'www.example.com', '/index.html', 'custom-value', 'Mon, 21 Oct 2013 20:13:21 GMT'];

function randomText(random: () => number, max: number): string {
  const length = randomInt(random, 0, max);
  let out = '';
  for (let i = 0; i < length; i++) out += String.fromCharCode(random() < 0.08 ? randomInt(random, 0xa0, 0xff) : randomInt(random, 0x20, 0x7e));
  return out;
}

function randomField(random: () => number, used: Field[]): Field {
  const r = random();
  if (used.length && r < 0.4) return [...pick(random, used)] as Field;
  const name = r < 0.7 ? pick(random, STATIC)[0] : `x-${randomText(random, 12).toLowerCase().replace(/[^a-z0-9-]/g, 'q') || 'h'}`;
  const value = random() < 0.5 ? pick(random, VALUES) : randomText(random, 40);
  return [name, value];
}

function generate(random: () => number): Case {
  const used: Field[] = [];
  const lists = Array.from({ length: randomInt(random, 1, 12) }, () =>
    Array.from({ length: randomInt(random, 1, 8) }, () => {
      const f = randomField(random, used);
      used.push(f);
      return f;
    }),
  );
  return {
    maxTableCapacity: pick(random, [64, 200, 512, 4096]),
    lists,
    seed: randomInt(random, 1, 2 ** 30),
    adversarial: random() < 0.5,
    maxBlockedStreams: pick(random, [0, 1, 2, 100]),
  };
}

function shrink(c: Case): Case[] {
  const shrinkField = ([n, v]: Field): Field[] => shrinkString(v).map((s) => [n, s] as Field);
  return shrinkList(c.lists, (list) => shrinkList(list, shrinkField, 1), 1).map((lists) => ({ ...c, lists }));
}

function show(c: Case): string {
  return [
    `SETTINGS_QPACK_MAX_TABLE_CAPACITY ${c.maxTableCapacity}, SETTINGS_QPACK_BLOCKED_STREAMS ${c.maxBlockedStreams}, seed ${c.seed}${c.adversarial ? ', adversarial order' : ''}`,
    ...c.lists.map((l, k) => `stream ${4 * (k + 1)}: ${l.map(([n, v]) => `${JSON.stringify(n)}: ${JSON.stringify(v)}`).join(', ')}`),
  ].join('\n');
}

test('random header lists, encoded with every representation, decode in generation order and in an adversarial order (RFC 9204 §2.1.2, §4.3, §4.5) {R10.1,R10.17,R10.18,R10.31}', async () => {
  await checkProperty<Case>({
    name: 'decoding random QPACK encodings',
    runs: 40,
    generate,
    shrink,
    show,
    check: async (c) => {
      const records = new RandomEncoder(c.maxTableCapacity, seededRandom(c.seed)).encodeAll(c.lists);
      const ordered = c.adversarial ? adversarialOrder(records, c.maxTableCapacity) : records;
      const expected = new Map(c.lists.map((l, k) => [4 * (k + 1), l] as const));
      const decoder = await sandbox().construct('QpackDecoder', { maxTableCapacity: c.maxTableCapacity, maxBlockedStreams: 1000 });
      await playRecords(decoder, { label: 'generated encoding', expected, maxTableCapacity: c.maxTableCapacity }, ordered, c.adversarial ? 'adversarial order' : 'generation order');
    },
  });
}, 60_000);

test('the encoder on random header lists under a random delivery schedule: limits, evictions and round trip (RFC 9204 §2.1) {R10.2,R10.27,R10.28}', async () => {
  await checkProperty<Case>({
    name: 'encoding random header lists',
    runs: 30,
    generate,
    shrink,
    show,
    check: async (c) => {
      const random = seededRandom(c.seed);
      const schedule: Schedule = c.adversarial
        ? { delayEncoderStream: 0.6, delaySection: 0.5, delayAcks: 0.7, cancel: 0.15 }
        : { delayEncoderStream: 0.1, delaySection: 0.1, delayAcks: 0.2 };
      const remote = await sandbox().construct('QpackEncoder', { maxTableCapacity: c.maxTableCapacity, maxBlockedStreams: c.maxBlockedStreams });
      const peer = new EncoderPeer(
        {
          encode: async (s, h) => (await remote.call('encode', s, h)) as { encoderStream: Uint8Array; section: Uint8Array },
          receiveDecoderStream: async (b) => {
            await remote.call('receiveDecoderStream', b);
          },
        },
        c.maxTableCapacity,
        c.maxBlockedStreams,
        random,
        schedule,
      );
      for (let k = 0; k < c.lists.length; k++) await peer.send(4 * (k + 1), c.lists[k]!);
      await peer.drain();
    },
  });
}, 60_000);

test('the encoder: names and values whose lengths sit on the integer prefix boundaries (RFC 9204 §4.1.1, §4.1.2) {R10.18,R10.34}', async () => {
  // '{' has a 15-bit Huffman code, so these strings go out raw and their lengths are exactly these numbers. With a
  // 7-bit length prefix 127 + 128 = 255 needs a continuation octet of 0x80 then 0x01; 3- and 5-bit prefixes too.
  const lengths = [126, 127, 128, 254, 255, 256, 383];
  const lists: Field[][] = [
    lengths.map((n) => [`x-${n}`, '{'.repeat(n)] as Field),
    [7 + 128, 31 + 128, 7 + 127, 31 + 127].map((n) => ['{'.repeat(n), 'v'] as Field),
    lengths.map((n) => [`x-${n}`, '{'.repeat(n)] as Field),
  ];
  for (const [max, blocked] of [[0, 0], [4096, 10]] as const) {
    const remote = await sandbox().construct('QpackEncoder', { maxTableCapacity: max, maxBlockedStreams: blocked });
    const peer = new EncoderPeer(
      {
        encode: async (s, h) => (await remote.call('encode', s, h)) as { encoderStream: Uint8Array; section: Uint8Array },
        receiveDecoderStream: async (b) => {
          await remote.call('receiveDecoderStream', b);
        },
      },
      max,
      blocked,
      seededRandom(),
      { delayEncoderStream: 0, delaySection: 0, delayAcks: 0 },
    );
    for (let k = 0; k < lists.length; k++) await peer.send(4 * (k + 1), lists[k]!);
    await peer.drain();
  }
}, 60_000);

test('decoder-stream instructions past their prefixes: Section Acknowledgment of stream 200 (Required Insert Count 1), Stream Cancellation of stream 100 (RFC 9204 §4.4.1, §4.4.2) {R10.22,R10.23,R10.34}', async () => {
  const decoder = await sandbox().construct('QpackDecoder', { maxTableCapacity: 4096, maxBlockedStreams: 10 });
  await decoder.call('receiveEncoderStream', new Uint8Array([...encodeInteger(500, 5, 0x20), ...encodeRawString('a', 5, 0x40), ...encodeRawString('1', 7)]));
  // Stream 200 needs the one insert (Required Insert Count 1): an acknowledgment, stream id 200 above the 7-bit prefix.
  await decoder.call('decodeSection', 200, new Uint8Array([...encodeInteger(encodeRic(1, 4096), 8), 0x00, 0x80]));
  // Stream 100 waits for a second insert, then is cancelled: stream id 100 above the 6-bit prefix.
  await decoder.call('decodeSection', 100, new Uint8Array([...encodeInteger(encodeRic(2, 4096), 8), 0x00, 0x80]));
  await decoder.call('cancelStream', 100);
  const raw = new Uint8Array((await decoder.call('takeDecoderStream')) as Uint8Array);
  let got: string[];
  try {
    got = parseDecoderStream(raw).map(describeDecoderInstruction);
  } catch (err) {
    throw new Error(`takeDecoderStream() returned ${hex(raw)}, which is not a sequence of decoder-stream instructions: ${err instanceof Error ? err.message : String(err)}`);
  }
  const want = ['Section Acknowledgment (stream 200)', 'Stream Cancellation (stream 100)'];
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    throw new Error(
      [
        `takeDecoderStream() = ${hex(raw)} = ${got.join(', ') || '(nothing)'}; expected ${want.join(', ')}`,
        '  a section whose Required Insert Count is 1 is acknowledged like any other nonzero count (the acknowledgment covers the insert,',
        '  so no Insert Count Increment is needed); stream ids above 127 and 63 continue past the 7- and 6-bit prefixes',
      ].join('\n'),
    );
  }
});
