// Suite of exercise 10, qpack: a QPACK decoder with blocked streams and an encoder (RFC 9204). Graded against the
// offline-interop files of six real encoders (harness/vectors/qpack-interop, MIT), in file order and in an
// adversarial order, and the encoder through the suite's own decoder (harness/support/qpack-model.ts) under delayed
// and reordered delivery. Every judgement is made here, on plain data returned by the sandbox.

import path from 'node:path';
import { RemoteError, type Remote } from '../sandbox/client';
import { useSandbox } from '../support/sandbox';
import { seededRandom } from '../support/random';
import {
  encodeInteger,
  encodeRawString,
  encodeRic,
  firstFieldDifference,
  formatEntries,
  formatFields,
  hex,
  ModelDecoder,
  parseDecoderStream,
  describeDecoderInstruction,
  STATIC,
  type Field,
} from '../support/qpack-model';
import { adversarialOrder, ENCODERS, encoderFiles, INTEROP, loadInteropFile, readQif, readRecords } from '../support/qpack-interop';
import { playRecords } from '../support/qpack-playback';
import { EncoderPeer, type Schedule } from '../support/qpack-peer';
import { encodeHuffman } from '../../exercises/10-qpack/huffman';

const sandbox = useSandbox({ callTimeoutMs: 5000 });

const bytes = (...parts: Array<number | number[]>): Uint8Array => new Uint8Array(parts.flat());

function fail(lines: Array<string | undefined>): never {
  throw new Error(lines.filter((l) => l !== undefined).join('\n'));
}

function describeThrown(err: unknown): string {
  if (err instanceof RemoteError) return `threw ${err.name}${err.code ? ` with code ${err.code}` : ' without a code'}: ${err.remoteMessage}`;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

async function expectCode(call: Promise<unknown>, code: string, what: string, evidence: string[] = []): Promise<void> {
  let value: unknown;
  try {
    value = await call;
  } catch (err) {
    if (err instanceof RemoteError && err.code === code) return;
    fail([`${what}: expected a QpackError with code ${code}, but the call ${describeThrown(err)}`, ...evidence]);
  }
  fail([`${what}: expected a QpackError with code ${code}, but the call returned ${JSON.stringify(value)?.slice(0, 200)}`, ...evidence]);
}

async function newDecoder(maxTableCapacity: number, maxBlockedStreams: number): Promise<Remote> {
  return sandbox().construct('QpackDecoder', { maxTableCapacity, maxBlockedStreams });
}

/** A section prefix: Required Insert Count `ric` and Base = ric + delta (or ric - delta - 1 with the sign bit). */
function prefix(ric: number, maxTableCapacity: number, delta = 0, sign = false): number[] {
  return [...encodeInteger(encodeRic(ric, maxTableCapacity), 8), ...encodeInteger(delta, 7, sign ? 0x80 : 0)];
}

const setCapacity = (c: number): number[] => encodeInteger(c, 5, 0x20);
const insertLiteral = (name: string, value: string): number[] => [...encodeRawString(name, 5, 0x40), ...encodeRawString(value, 7)];
const insertStaticName = (index: number, value: string): number[] => [...encodeInteger(index, 6, 0xc0), ...encodeRawString(value, 7)];
const insertDynamicName = (relative: number, value: string): number[] => [...encodeInteger(relative, 6, 0x80), ...encodeRawString(value, 7)];
const duplicate = (relative: number): number[] => encodeInteger(relative, 5, 0x00);

/** Decodes one section and compares it with the expected header list, showing the field lines on a difference. */
async function expectSection(decoder: Remote, streamId: number, section: Uint8Array, expected: Field[], model: ModelDecoder, what: string): Promise<void> {
  let got: unknown;
  try {
    got = await decoder.call('decodeSection', streamId, section);
  } catch (err) {
    got = undefined;
    fail([`${what}: decodeSection(${streamId}, …) ${describeThrown(err)}`, `  section: ${hex(section)}`, ...explain(model, section), '  dynamic table:', formatEntries(model.table())]);
  }
  const diff = firstFieldDifference(expected, got);
  if (diff) {
    fail([`${what}: ${diff}`, `  section: ${hex(section)}`, ...explain(model, section), '  expected:', formatFields(expected), '  decoded:', formatFields(got), '  dynamic table:', formatEntries(model.table())]);
  }
}

/** The suite's decoding of a section, field line by field line (for messages). */
function explain(model: ModelDecoder, section: Uint8Array): string[] {
  try {
    return ['  the section, field by field:', ...model.decodeSection(section).lines.map((l) => `    ${l}`)];
  } catch (err) {
    return [`  (the suite's decoder rejects it too: ${err instanceof Error ? err.message : String(err)})`];
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('decoder: field sections', () => {
  test('all 99 static table entries, one indexed field line each (RFC 9204 Appendix A, §4.5.2) {R10.3,R10.8}', async () => {
    const decoder = await newDecoder(0, 0);
    const section = bytes(prefix(0, 0), ...STATIC.map((_f, i) => encodeInteger(i, 6, 0xc0)));
    await expectSection(decoder, 1, section, STATIC.map((f) => [...f] as Field), new ModelDecoder(0), 'the static table');
  });

  test('literal field lines: static name reference, literal name, raw and Huffman strings (RFC 9204 §4.5.4, §4.5.6, §4.1.2) {R10.8,R10.17,R10.18,R10.31}', async () => {
    const decoder = await newDecoder(0, 0);
    const coded = Array.from(encodeHuffman(Buffer.from('no-cache', 'latin1')));
    const section = bytes(
      prefix(0, 0),
      encodeInteger(1, 4, 0x50), // :path, static, N=0
      encodeRawString('/index.html', 7),
      encodeInteger(95, 4, 0x70), // user-agent, static, N=1 (never indexed)
      encodeRawString('curl/8', 7),
      encodeRawString('x-custom', 3, 0x20), // literal name
      encodeRawString('', 7),
      encodeRawString('x-huff', 3, 0x30), // N=1
      encodeInteger(coded.length, 7, 0x80), // H=1
      coded,
    );
    const model = new ModelDecoder(0);
    const expected: Field[] = [[':path', '/index.html'], ['user-agent', 'curl/8'], ['x-custom', ''], ['x-huff', 'no-cache']];
    await expectSection(decoder, 1, section, expected, model, 'literal field lines');
  });

  test('dynamic references relative to the Base, post-Base indexing and the Delta Base sign bit (RFC 9204 §4.5.1.2, §4.5.3, §4.5.5) {R10.10,R10.15,R10.17}', async () => {
    const max = 4096;
    const decoder = await newDecoder(max, 10);
    const model = new ModelDecoder(max);
    const stream = bytes(setCapacity(300), insertLiteral('a', '0'), insertLiteral('b', '1'), insertLiteral('c', '2'), insertLiteral('d', '3'));
    await decoder.call('receiveEncoderStream', stream);
    model.encoderStream(stream);
    // Base 2 (sign bit: RIC 4 - 1 - 1): relative 0 = abs 1 "b", post-base 0 = abs 2 "c", post-base 1 = abs 3 "d".
    const signed = bytes(prefix(4, max, 1, true), encodeInteger(0, 6, 0x80), encodeInteger(0, 4, 0x10), encodeInteger(1, 3, 0x00), encodeRawString('x', 7), encodeInteger(1, 4, 0x40), encodeRawString('y', 7));
    await expectSection(decoder, 1, signed, [['b', '1'], ['c', '2'], ['d', 'x'], ['a', 'y']], model, 'Base below the Required Insert Count (sign bit 1)');
    // Base 6 (RIC 4 + delta 2): relative 2 = abs 3 "d", relative 5 = abs 0 "a".
    const above = bytes(prefix(4, max, 2), encodeInteger(2, 6, 0x80), encodeInteger(5, 6, 0x80));
    await expectSection(decoder, 2, above, [['d', '3'], ['a', '0']], model, 'Base above the Required Insert Count (sign bit 0)');
  });

  test('Required Insert Count: the wrap-around of §4.5.1.1 (RFC 9204 §4.5.1.1) {R10.12,R10.13}', async () => {
    // MaxEntries = 100 for 3200 octets, FullRange 200.
    const cases: Array<[number, number, number, number]> = [[0, 3200, 0, 0]];
    for (const [ric, total] of [[1, 0], [5, 10], [100, 0], [199, 150], [200, 150], [201, 150], [250, 200], [1000, 990], [1001, 1000], [1090, 1000], [1100, 1000]] as const) {
      cases.push([encodeRic(ric, 3200), 3200, total, ric]);
    }
    for (const [encoded, max, total, want] of cases) {
      const got = await sandbox().invoke('decodeRequiredInsertCount', encoded, max, total);
      if (got !== want) {
        fail([
          `decodeRequiredInsertCount(${encoded}, ${max}, ${total}) returned ${JSON.stringify(got)}, expected ${want}`,
          `  MaxEntries = ${max} / 32 = ${max / 32}, FullRange = ${max / 16}; the encoder sent ${want} mod ${max / 16} + 1 = ${encoded}`,
          `  the decoder recovers it as the only value in (${total} - ${max / 32}, ${total} + ${max / 32}] with that remainder`,
        ]);
      }
    }
    for (const [encoded, max, total] of [[201, 3200, 0], [150, 3200, 0], [1, 3200, 0], [1, 0, 0]] as const) {
      await expectCode(sandbox().invoke('decodeRequiredInsertCount', encoded, max, total), 'QPACK_DECOMPRESSION_FAILED', `decodeRequiredInsertCount(${encoded}, ${max}, ${total})`, [
        '  above FullRange, or a value no encoder could have produced for this many inserts (RFC 9204 §4.5.1.1)',
      ]);
    }
  });

  test('malformed sections are QPACK_DECOMPRESSION_FAILED: truncated, negative Base, references at or above the Required Insert Count, evicted, static index 99 (RFC 9204 §4.5) {R10.13,R10.16,R10.19}', async () => {
    const max = 256;
    const fill = bytes(setCapacity(100), insertLiteral('aa', '1'), insertLiteral('bb', '2'), insertLiteral('cc', '3'));
    const cases: Array<[string, number[]]> = [
      ['a section cut inside its prefix', [0x00]],
      ['a literal cut inside its value', [...prefix(0, max), ...encodeInteger(1, 4, 0x50), 0x05, 0x61]],
      ['a negative Base (RIC 0, sign 1)', [...prefix(0, max, 0, true)]],
      ['a dynamic reference with Required Insert Count 0', [...prefix(0, max), ...encodeInteger(0, 6, 0x80)]],
      ['a post-Base reference at the Required Insert Count', [...prefix(3, max), ...encodeInteger(0, 4, 0x10)]],
      // "cc" (absolute 2) is in the table, but a section with Required Insert Count 2 may not reach it.
      ['a post-Base reference at the Required Insert Count to an entry the decoder has', [...prefix(2, max), ...encodeInteger(0, 4, 0x10)]],
      ['static index 99', [...prefix(0, max), ...encodeInteger(99, 6, 0xc0)]],
      ['an evicted entry (absolute 0)', [...prefix(3, max), ...encodeInteger(2, 6, 0x80)]],
      ['invalid Huffman padding', [...prefix(0, max), ...encodeInteger(1, 4, 0x50), 0x81, 0x00]],
    ];
    for (const [what, section] of cases) {
      const decoder = await newDecoder(max, 10);
      await decoder.call('receiveEncoderStream', fill); // capacity 100: "aa" is evicted by "cc"
      const table = formatEntries(await decoder.call('dynamicTable')); // (read first: the call below must be awaited at once)
      await expectCode(decoder.call('decodeSection', 1, new Uint8Array(section)), 'QPACK_DECOMPRESSION_FAILED', `${what}: decodeSection(1, ${hex(new Uint8Array(section))})`, [
        '  dynamic table (yours):',
        table,
      ]);
    }
  });

  test('the interop error files: ten rejected with the RFC error codes, err9 and err10 decode (RFC 9204 §4.5.2, §6) {R10.13,R10.19}', async () => {
    const rejected: Record<string, string> = {
      err1: 'QPACK_DECOMPRESSION_FAILED', err2: 'QPACK_DECOMPRESSION_FAILED', err3: 'QPACK_DECOMPRESSION_FAILED',
      err4: 'QPACK_DECOMPRESSION_FAILED', err5: 'QPACK_DECOMPRESSION_FAILED', err6: 'QPACK_DECOMPRESSION_FAILED',
      err7: 'QPACK_DECOMPRESSION_FAILED', err8: 'QPACK_DECOMPRESSION_FAILED', err11: 'QPACK_ENCODER_STREAM_ERROR',
      err12: 'QPACK_ENCODER_STREAM_ERROR',
    };
    const decodes: Record<string, Field[]> = { err9: [[':authority', '']], err10: [['x-xss-protection', '1; mode=block']] };
    for (const name of [...Object.keys(rejected), ...Object.keys(decodes)]) {
      const decoder = await newDecoder(4096, 100);
      const records = readRecords(path.join(INTEROP, 'errors', name));
      const run = async (): Promise<unknown> => {
        let last: unknown;
        for (const r of records) last = r.streamId === 0 ? await decoder.call('receiveEncoderStream', r.data) : await decoder.call('decodeSection', r.streamId, r.data);
        return last;
      };
      const shown = records.map((r) => `stream ${r.streamId}: ${hex(r.data)}`).join('; ');
      if (rejected[name]) {
        await expectCode(run(), rejected[name], `errors/${name} (${shown})`);
      } else {
        let got: unknown;
        try {
          got = await run();
        } catch (err) {
          fail([`errors/${name} (${shown}): ${describeThrown(err)}`, '  with RFC 9204 static table of 99 entries (index 0 to 98) this is a valid section; the file dates from a draft with HPACK\'s 1-based table']);
        }
        const diff = firstFieldDifference(decodes[name]!, got);
        if (diff) fail([`errors/${name} (${shown}): ${diff}`]);
      }
    }
  });
});

describe('decoder: the encoder stream', () => {
  test('the four encoder instructions, cut one byte at a time, build the dynamic table (RFC 9204 §4.3) {R10.4,R10.9,R10.20}', async () => {
    const decoder = await newDecoder(4096, 0);
    const stream = bytes(setCapacity(4096), insertStaticName(95, 'curl'), insertLiteral('x-a', 'one'), insertDynamicName(0, 'two'), duplicate(2), insertDynamicName(1, 'three'));
    const model = new ModelDecoder(4096);
    const instructions = model.encoderStream(stream);
    for (const b of stream) {
      const out = await decoder.call('receiveEncoderStream', new Uint8Array([b]));
      if (!Array.isArray(out) || out.length) fail([`receiveEncoderStream returned ${JSON.stringify(out)}; with no blocked sections it returns []`]);
    }
    const table = await decoder.call('dynamicTable');
    const want = model.table();
    if (JSON.stringify(table) !== JSON.stringify(want) || (await decoder.call('insertCount')) !== 5 || (await decoder.call('capacity')) !== 4096) {
      fail([
        'after the encoder stream arrived one byte at a time, the dynamic table differs (or insertCount() is not 5, or capacity() not 4096)',
        `  encoder stream: ${hex(stream)}`,
        '  instructions:',
        ...instructions.map((i) => `    ${i}`),
        '  expected table (newest first):',
        formatEntries(want),
        '  yours:',
        formatEntries(table),
      ]);
    }
  });

  test('eviction: oldest first, a smaller capacity evicts, an insert may name the entry it evicts (RFC 9204 §3.2.2, §4.3.1, §4.3.2) {R10.5,R10.6,R10.11}', async () => {
    const decoder = await newDecoder(200, 0);
    const model = new ModelDecoder(200);
    const steps: Array<[string, Uint8Array]> = [
      ['capacity 100, then two entries of 34 octets', bytes(setCapacity(100), insertLiteral('a', 'x'), insertLiteral('b', 'y'))],
      ['a third entry of 34 octets evicts the oldest', bytes(insertLiteral('c', 'z'))],
      ['capacity 40 evicts down to one entry', bytes(setCapacity(40))],
      ['an insert of 38 octets naming the only entry, which it evicts', bytes(insertDynamicName(0, 'long!'))],
      ['capacity 0 empties the table', bytes(setCapacity(0))],
    ];
    for (const [what, chunk] of steps) {
      const before = model.table();
      const instructions = model.encoderStream(chunk);
      try {
        await decoder.call('receiveEncoderStream', chunk);
      } catch (err) {
        fail([`${what}: receiveEncoderStream ${describeThrown(err)}`, ...instructions.map((i) => `    ${i}`), '  table before:', formatEntries(before)]);
      }
      const table = await decoder.call('dynamicTable');
      if (JSON.stringify(table) !== JSON.stringify(model.table())) {
        fail([
          `${what}: the dynamic table differs`,
          '  instructions:',
          ...instructions.map((i) => `    ${i}`),
          '  table before:',
          formatEntries(before),
          '  expected after:',
          formatEntries(model.table()),
          '  yours after:',
          formatEntries(table),
          '  the size of an entry is name + value + 32; evict the oldest until the new one fits, and copy a referenced name before evicting it',
        ]);
      }
    }
  });

  test('encoder-stream errors are QPACK_ENCODER_STREAM_ERROR: capacity above the maximum, an entry larger than the capacity, bad references (RFC 9204 §4.3, §6) {R10.4,R10.7,R10.21}', async () => {
    const cases: Array<[string, number[]]> = [
      ['Set Dynamic Table Capacity above SETTINGS_QPACK_MAX_TABLE_CAPACITY (300 > 256)', setCapacity(300)],
      ['an insert before any capacity was set (capacity 0)', insertLiteral('a', 'b')],
      ['an entry of 65 octets in a table of capacity 64', [...setCapacity(64), ...insertLiteral('abc', 'x'.repeat(30))]],
      ['Insert With Name Reference to static index 99', [...setCapacity(256), ...encodeInteger(99, 6, 0xc0), 0x01]],
      ['Insert With Name Reference to a dynamic entry that does not exist', [...setCapacity(256), ...insertDynamicName(0, 'v')]],
      ['Duplicate of an entry that does not exist', [...setCapacity(256), ...insertLiteral('a', 'b'), ...duplicate(1)]],
    ];
    for (const [what, stream] of cases) {
      const decoder = await newDecoder(256, 0);
      await expectCode(decoder.call('receiveEncoderStream', new Uint8Array(stream)), 'QPACK_ENCODER_STREAM_ERROR', `${what}: ${hex(new Uint8Array(stream))}`);
    }
  });
});

describe('decoder: blocked streams', () => {
  test('a section waits for its Required Insert Count without holding up other streams, and decodes the moment the insert arrives (RFC 9204 §2.1.2) {R10.1}', async () => {
    const max = 4096;
    const decoder = await newDecoder(max, 2);
    const timeline: string[] = [];
    const first = bytes(setCapacity(1000), insertLiteral('k1', 'v1'));
    await decoder.call('receiveEncoderStream', first);
    timeline.push('encoder stream: capacity 1000, insert 0 (k1: v1)');
    const needs3 = bytes(prefix(3, max), encodeInteger(0, 6, 0x80)); // abs 2
    const needs2 = bytes(prefix(2, max), encodeInteger(0, 6, 0x80), encodeInteger(1, 6, 0x80)); // abs 1, 0
    const needs1 = bytes(prefix(1, max), encodeInteger(0, 6, 0x80));
    const show = (): string[] => ['  timeline:', ...timeline.map((t) => `    ${t}`)];
    const step = async (what: string, call: Promise<unknown>, want: unknown): Promise<void> => {
      let got: unknown;
      try {
        got = await call;
      } catch (err) {
        fail([`${what}: ${describeThrown(err)}`, ...show()]);
      }
      timeline.push(`${what} -> ${JSON.stringify(got)}`);
      if (JSON.stringify(got) !== JSON.stringify(want)) fail([`${what}: returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`, ...show()]);
    };
    await step('stream 4 (needs 3 inserts, 1 received): decodeSection', decoder.call('decodeSection', 4, needs3), null);
    await step('stream 8 (needs 2 inserts, 1 received): decodeSection', decoder.call('decodeSection', 8, needs2), null);
    await step('stream 12 (needs 1 insert): decodeSection', decoder.call('decodeSection', 12, needs1), [['k1', 'v1']]);
    await step('blockedStreams()', decoder.call('blockedStreams'), [4, 8]);
    await step('encoder stream: insert 1 (k2: v2)', decoder.call('receiveEncoderStream', bytes(insertLiteral('k2', 'v2'))), [{ streamId: 8, headers: [['k2', 'v2'], ['k1', 'v1']] }]);
    await step('encoder stream: the first half of insert 2', decoder.call('receiveEncoderStream', bytes(insertLiteral('k3', 'v3').slice(0, 3))), []);
    await step('encoder stream: the rest of insert 2', decoder.call('receiveEncoderStream', bytes(insertLiteral('k3', 'v3').slice(3))), [{ streamId: 4, headers: [['k3', 'v3']] }]);
    await step('blockedStreams()', decoder.call('blockedStreams'), []);
  });

  test('one blocked stream more than SETTINGS_QPACK_BLOCKED_STREAMS is QPACK_DECOMPRESSION_FAILED (RFC 9204 §2.1.2) {R10.32}', async () => {
    for (const limit of [0, 1, 3]) {
      const decoder = await newDecoder(4096, limit);
      const section = bytes(prefix(1, 4096), encodeInteger(0, 6, 0x80));
      for (let i = 0; i < limit; i++) {
        const got = await decoder.call('decodeSection', 4 * i, section);
        if (got !== null) fail([`with SETTINGS_QPACK_BLOCKED_STREAMS ${limit}, blocked stream ${i + 1} returned ${JSON.stringify(got)} instead of null (its insert has not arrived)`]);
      }
      await expectCode(decoder.call('decodeSection', 4 * limit, section), 'QPACK_DECOMPRESSION_FAILED', `with SETTINGS_QPACK_BLOCKED_STREAMS ${limit}, blocked stream number ${limit + 1}`);
    }
  });

  test('cancelStream forgets a blocked section and emits a Stream Cancellation (RFC 9204 §4.4.2) {R10.23}', async () => {
    const decoder = await newDecoder(4096, 5);
    await decoder.call('decodeSection', 4, bytes(prefix(1, 4096), encodeInteger(0, 6, 0x80)));
    await decoder.call('cancelStream', 4);
    const out = (await decoder.call('takeDecoderStream')) as Uint8Array;
    const instructions = parseDecoderStream(new Uint8Array(out));
    const unblocked = await decoder.call('receiveEncoderStream', bytes(setCapacity(100), insertLiteral('a', 'b')));
    const blocked = await decoder.call('blockedStreams');
    const describe = instructions.map(describeDecoderInstruction);
    if (!describe.includes('Stream Cancellation (stream 4)') || JSON.stringify(unblocked) !== '[]' || JSON.stringify(blocked) !== '[]') {
      fail([
        'after cancelStream(4) of a blocked stream: the decoder stream must carry a Stream Cancellation for stream 4, and the insert must unblock nothing',
        `  decoder stream: ${hex(new Uint8Array(out))} = ${describe.join(', ') || '(nothing)'}`,
        `  receiveEncoderStream after it returned ${JSON.stringify(unblocked)}, blockedStreams() ${JSON.stringify(blocked)}`,
      ]);
    }
  });
});

describe('decoder: the decoder stream', () => {
  test('Section Acknowledgment for sections with a nonzero Required Insert Count only, Insert Count Increment for the rest (RFC 9204 §4.4.1, §4.4.3) {R10.22,R10.24}', async () => {
    const max = 4096;
    const decoder = await newDecoder(max, 10);
    const log: string[] = [];
    const take = async (): Promise<string[]> => {
      const raw = new Uint8Array((await decoder.call('takeDecoderStream')) as Uint8Array);
      const got = parseDecoderStream(raw).map(describeDecoderInstruction);
      log.push(`takeDecoderStream() = ${hex(raw)} = ${got.join(', ') || '(nothing)'}`);
      return got;
    };
    const expectTake = async (when: string, want: string[]): Promise<void> => {
      const got = await take();
      if (JSON.stringify(got) !== JSON.stringify(want)) fail([`${when}: expected ${want.join(', ') || 'nothing'}, got ${got.join(', ') || 'nothing'}`, '  so far:', ...log.map((l) => `    ${l}`)]);
    };
    await expectTake('before anything arrived', []);
    await decoder.call('receiveEncoderStream', bytes(setCapacity(500), insertLiteral('a', '1'), insertLiteral('b', '2'), insertLiteral('c', '3')));
    await decoder.call('decodeSection', 4, bytes(prefix(0, max), encodeInteger(17, 6, 0xc0)));
    await decoder.call('decodeSection', 8, bytes(prefix(2, max), encodeInteger(0, 6, 0x80)));
    await expectTake('3 inserts received, a static-only section on stream 4 and a section with Required Insert Count 2 on stream 8', ['Section Acknowledgment (stream 8)', 'Insert Count Increment (1)']);
    await expectTake('nothing new', []);
    await decoder.call('receiveEncoderStream', bytes(insertLiteral('d', '4')));
    await decoder.call('decodeSection', 12, bytes(prefix(4, max), encodeInteger(0, 6, 0x80)));
    await expectTake('insert 4 and a section that needs it (the acknowledgment covers the insert)', ['Section Acknowledgment (stream 12)']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Real encoders

describe('decoder: six real encoders (offline interop files)', () => {
  test.each(ENCODERS.map((e) => [e]))('%s: every file, records in file order (RFC 9204 §2.1, §4.5) {R10.12,R10.17,R10.18}', async (encoder) => {
    for (const name of encoderFiles(encoder)) {
      const file = loadInteropFile(name);
      await playRecords(await newDecoder(file.maxTableCapacity, file.maxBlockedStreams), file, file.records, 'file order');
    }
  }, 60_000);

  test.each(ENCODERS.map((e) => [e]))('%s: every file, field sections first and encoder-stream records held back (RFC 9204 §2.1.2) {R10.1}', async (encoder) => {
    for (const name of encoderFiles(encoder)) {
      const file = loadInteropFile(name);
      await playRecords(await newDecoder(file.maxTableCapacity, 1000), file, adversarialOrder(file.records, file.maxTableCapacity), 'adversarial order, SETTINGS_QPACK_BLOCKED_STREAMS 1000');
    }
  }, 60_000);

  test('the example of the draft (stream ids 4, 8, 12; a 220-octet table) (RFC 9204 Appendix B) {R10.1,R10.22,R10.24}', async () => {
    const file = loadInteropFile('draft-examples.out');
    await playRecords(await newDecoder(file.maxTableCapacity, 100), file, file.records, 'file order');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The encoder

function encoderUnderTest(remote: Remote): { encode: (s: number, h: Field[]) => Promise<{ encoderStream: Uint8Array; section: Uint8Array }>; receiveDecoderStream: (b: Uint8Array) => Promise<void> } {
  return {
    encode: async (s, h) => (await remote.call('encode', s, h)) as { encoderStream: Uint8Array; section: Uint8Array },
    receiveDecoderStream: async (b) => {
      await remote.call('receiveDecoderStream', b);
    },
  };
}

/** Header lists for the encoder tests: requests of netbsd.qif and fb-req.qif, responses of fb-resp.qif. */
function headerLists(count: number, random: () => number): Field[][] {
  const pools = [readQif('netbsd'), readQif('fb-req'), readQif('fb-resp')];
  const pool = pools[Math.floor(random() * pools.length)]!;
  const start = Math.floor(random() * Math.max(1, pool.length - count));
  return pool.slice(start, start + count);
}

async function runEncoder(max: number, blocked: number, schedule: Schedule, lists: Field[][]): Promise<EncoderPeer> {
  const encoder = await sandbox().construct('QpackEncoder', { maxTableCapacity: max, maxBlockedStreams: blocked });
  const peer = new EncoderPeer(encoderUnderTest(encoder), max, blocked, seededRandom(), schedule);
  for (let k = 0; k < lists.length; k++) await peer.send(4 * k, lists[k]!);
  await peer.drain();
  return peer;
}

const inOrder: Schedule = { delayEncoderStream: 0, delaySection: 0, delayAcks: 0 };
const reordered: Schedule = { delayEncoderStream: 0.5, delaySection: 0.4, delayAcks: 0.6, cancel: 0.1 };

describe('encoder', () => {
  test('round trip through the suite\'s decoder in order, for table capacities 0, 256 and 4096 and 0, 1 or 100 blocked streams (RFC 9204 §2.1) {R10.4,R10.34}', async () => {
    const random = seededRandom();
    for (const [max, blocked] of [[0, 0], [256, 0], [256, 1], [4096, 100]] as const) await runEncoder(max, blocked, inOrder, headerLists(40, random));
  }, 60_000);

  test('the Required Insert Count is sent modulo 2 × MaxEntries, plus one: 40 fresh fields through a 128-octet table (MaxEntries 4) wrap it five times (RFC 9204 §4.5.1.1) {R10.14}', async () => {
    // Random header lists reach 2 × MaxEntries inserts only sometimes; 40 distinct small fields, each sent twice,
    // always do, whether the encoder references an insert at once (1 blocked stream) or after its acknowledgment.
    const lists: Field[][] = [];
    for (let k = 0; k < 40; k++) lists.push([['x-n', String(k)]], [['x-n', String(k)]]);
    for (const blocked of [0, 1]) await runEncoder(128, blocked, inOrder, lists);
  }, 60_000);

  test('delayed and reordered delivery, cancelled streams: within the blocked-streams limit, no eviction of entries still needed (RFC 9204 §2.1.1, §2.1.2) {R10.2,R10.27,R10.28}', async () => {
    const random = seededRandom();
    for (const [max, blocked] of [[256, 1], [512, 2], [4096, 5], [4096, 100]] as const) await runEncoder(max, blocked, reordered, headerLists(60, random));
  }, 60_000);

  test('acknowledgments withheld: only unacknowledged references, nothing evicted, still correct (RFC 9204 §2.1.1) {R10.27,R10.28}', async () => {
    const random = seededRandom();
    for (const [max, blocked] of [[256, 0], [128, 3], [1024, 10]] as const) await runEncoder(max, blocked, { delayEncoderStream: 0, delaySection: 0, delayAcks: 1, withholdAcks: true }, headerLists(40, random));
  }, 60_000);

  test('acts on acknowledgments: with SETTINGS_QPACK_BLOCKED_STREAMS 0 it still uses the dynamic table once inserts are acknowledged (RFC 9204 §2.1.2, §4.4) {R10.25,R10.29}', async () => {
    const lists = readQif('netbsd');
    const peer = await runEncoder(4096, 0, inOrder, lists);
    const raw = lists.flat().reduce((s, [n, v]) => s + n.length + v.length, 0);
    if (peer.totalOctets > raw / 3) {
      fail([
        `netbsd.qif (${lists.length} requests, ${raw} octets of names and values) took ${peer.totalOctets} octets: an encoder that reuses acknowledged entries needs far fewer (the reference: about 900)`,
        '  with no blocked streams allowed, insert a field, send it as a literal this time, and reference the entry once an acknowledgment (Section Acknowledgment or Insert Count Increment) says the decoder has it',
      ]);
    }
  }, 60_000);

  test('decoder-stream errors are QPACK_DECODER_STREAM_ERROR: an increment of 0, beyond the inserts sent, an acknowledgment of nothing (RFC 9204 §4.4, §6) {R10.26}', async () => {
    for (const [what, stream] of [
      ['Insert Count Increment of 0', [0x00]],
      ['Insert Count Increment of 5 before any insert', [0x05]],
      ['Section Acknowledgment for stream 4, which has no unacknowledged section', encodeInteger(4, 7, 0x80)],
    ] as const) {
      const encoder = await sandbox().construct('QpackEncoder', { maxTableCapacity: 4096, maxBlockedStreams: 10 });
      await expectCode(encoder.call('receiveDecoderStream', new Uint8Array(stream)), 'QPACK_DECODER_STREAM_ERROR', what);
    }
  });

  test('size: within 1.5 × the median of six real encoders on netbsd, fb-req and fb-resp (4096-octet table, 100 blocked streams, prompt acknowledgments) {R10.30}', async () => {
    const rows: string[] = [];
    let worst = 0;
    for (const name of ['netbsd', 'fb-req', 'fb-resp']) {
      const peer = await runEncoder(4096, 100, inOrder, readQif(name));
      const real = ENCODERS.map((e) => [e, readRecords(path.join(INTEROP, 'encoded', e, `${name}.out.4096.100.1`)).reduce((s, r) => s + r.data.length, 0)] as const);
      const sorted = real.map(([, n]) => n).sort((a, b) => a - b);
      const median = (sorted[2]! + sorted[3]!) / 2;
      worst = Math.max(worst, peer.totalOctets / median);
      rows.push(`  ${name.padEnd(8)} yours ${String(peer.totalOctets).padStart(7)} (${(peer.totalOctets / median).toFixed(2)} × median ${median})  ${real.map(([e, n]) => `${e} ${n}`).join(', ')}`);
    }
    if (worst > 1.5) fail([`your encoder's output is ${worst.toFixed(2)} × the median real encoder on at least one list (pass: 1.5 ×); octets (encoder stream + sections):`, ...rows, '  Huffman-code strings when shorter, insert fields into the dynamic table and reference them, and reference names when only the name matches']);
  }, 60_000);
});
