// Hidden suite of exercise 1, hpack-table: the HPACK header table and a header-block decoder (RFC 7541).
// Vectors: RFC 7541 Appendix C (harness/vectors/rfc7541-appendix-c.json) and whole hpack-test-case stories
// (harness/vectors/hpack-test-case/, MIT). Every judgement is made here, on plain data returned by the sandbox.

import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { RemoteError, type Remote } from '../sandbox/client';
import { useSandbox } from '../support/sandbox';
import { showEvidence, tableEvidence } from '../support/evidence';
import {
  firstHeaderDifference,
  firstTableDifference,
  formatHeaders,
  formatTable,
  hex,
  type EntryLike,
} from '../support/hpack-format';

const sandbox = useSandbox({ callTimeoutMs: 2000 });

type Field = [string, string];

// ---------------------------------------------------------------------------------------------------------------
// Vectors

const VECTORS = path.join(__dirname, '..', 'vectors');

interface AppendixC {
  integers: Array<{ section: string; value: number; prefixBits: number; hex: string }>;
  headerFieldExamples: Array<{
    section: string;
    representation: string;
    maxTableSize: number;
    hex: string;
    headers: Field[];
    dynamicTable: EntryLike[];
    tableSize: number;
  }>;
  sequences: Array<{
    section: string;
    title: string;
    maxTableSize: number;
    blocks: Array<{ section: string; hex: string; headers: Field[]; dynamicTable: EntryLike[]; tableSize: number }>;
  }>;
}

const appendixC = JSON.parse(readFileSync(path.join(VECTORS, 'rfc7541-appendix-c.json'), 'utf8')) as AppendixC;

interface StoryCase {
  seqno: number;
  wire: string;
  headers: Array<Record<string, string>>;
  header_table_size?: number | null;
}

function loadStories(encoder: string): Array<{ file: string; cases: StoryCase[] }> {
  const dir = path.join(VECTORS, 'hpack-test-case', encoder);
  return readdirSync(dir)
    .filter((f) => /^story_\d+\.json$/.test(f))
    .sort()
    .map((file) => ({ file, cases: (JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { cases: StoryCase[] }).cases }));
}

/** RFC 7541 Appendix A, as the suite's own reference. */
const STATIC: Field[] = [
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''], ['cache-control', ''],
  ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''], ['content-length', ''],
  ['content-location', ''], ['content-range', ''], ['content-type', ''], ['cookie', ''], ['date', ''], ['etag', ''],
  ['expect', ''], ['expires', ''], ['from', ''], ['host', ''], ['if-match', ''], ['if-modified-since', ''],
  ['if-none-match', ''], ['if-range', ''], ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''],
  ['location', ''], ['max-forwards', ''], ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''],
  ['referer', ''], ['refresh', ''], ['retry-after', ''], ['server', ''], ['set-cookie', ''],
  ['strict-transport-security', ''], ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''],
  ['www-authenticate', ''],
];

// ---------------------------------------------------------------------------------------------------------------
// Helpers (trusted side)

const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string): number[] => Array.from(Buffer.from(s, 'latin1'));
const entry = (name: string, value: string): EntryLike => ({ name, value, size: name.length + value.length + 32 });

/** A prefixed integer (RFC 7541 §5.1), to build inputs: `flags` are the bits above the prefix. */
function encodeInteger(value: number, prefixBits: number, flags = 0): number[] {
  const limit = 2 ** prefixBits - 1;
  if (value < limit) return [flags | value];
  const out = [flags | limit];
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A raw (not Huffman) string literal (RFC 7541 §5.2). */
const literal = (s: string): number[] => [...encodeInteger(s.length, 7), ...ascii(s)];

function fail(lines: Array<string | undefined>): never {
  throw new Error(lines.filter((l) => l !== undefined).join('\n'));
}

/** What a rejected call carried, in words. */
function describeThrown(err: unknown): string {
  if (err instanceof RemoteError) return `threw ${err.name}${err.code ? ` with code ${err.code}` : ' without a code'}: ${err.remoteMessage}`;
  return `failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** Awaits a call that must throw an error with this `code`; anything else fails with the evidence. */
async function expectCode(call: Promise<unknown>, code: string, what: string, evidence: string[] = []): Promise<void> {
  let value: unknown;
  try {
    value = await call;
  } catch (err) {
    if (err instanceof RemoteError && err.code === code) return;
    fail([`${what}: expected an error with code ${code}, but the call ${describeThrown(err)}`, ...evidence]);
  }
  fail([`${what}: expected an error with code ${code}, but the call returned ${JSON.stringify(value)?.slice(0, 200)}`, ...evidence]);
}

/** Decodes one block; a throw becomes a message with the bytes and the table before. */
async function decodeBlock(decoder: Remote, block: Uint8Array, before: unknown, label: string): Promise<unknown> {
  try {
    return await decoder.call('decode', block);
  } catch (err) {
    fail([
      `${label}: decode() ${describeThrown(err)}`,
      `  header block: ${hex(block)}`,
      '  dynamic table before:',
      formatTable(before),
    ]);
  }
}

async function newDecoder(settingsLimit: number): Promise<Remote> {
  return sandbox().construct('HpackDecoder', settingsLimit);
}

async function newTable(maxSize: number): Promise<Remote> {
  return sandbox().construct('HeaderTable', maxSize);
}

/** Decodes a block and checks the header list, the dynamic table and its size against the vector. */
async function checkBlock(
  decoder: Remote,
  before: unknown,
  block: { section: string; hex: string; headers: Field[]; dynamicTable: EntryLike[]; tableSize: number },
): Promise<unknown> {
  const wire = bytes(block.hex);
  const headers = await decodeBlock(decoder, wire, before, `RFC 7541 ${block.section}`);
  const after = await decoder.call('dynamicTable');
  const size = await decoder.call('tableSize');
  const headerDiff = firstHeaderDifference(block.headers, headers);
  const tableDiff = firstTableDifference(block.dynamicTable, after);
  if (headerDiff || tableDiff || size !== block.tableSize) {
    showEvidence(tableEvidence(`RFC 7541 ${block.section}: the dynamic table`, { before, after, expected: block.dynamicTable }));
    fail([
      `RFC 7541 ${block.section}: ${headerDiff ?? tableDiff ?? `tableSize() is ${String(size)}, expected ${block.tableSize} (the sum of the entry sizes, each name + value + 32)`}`,
      `  header block: ${hex(wire)}`,
      '  expected header list:',
      formatHeaders(block.headers),
      ...(headerDiff ? ['  decoded:', formatHeaders(headers)] : []),
      '  dynamic table before:',
      formatTable(before),
      '  dynamic table after (yours):',
      formatTable(after),
      ...(tableDiff || size !== block.tableSize ? ['  dynamic table after (expected):', formatTable(block.dynamicTable)] : []),
    ]);
  }
  return after;
}

/** Decodes a whole hpack-test-case story with one decoder, checking every header list. */
async function checkStory(encoder: string, story: { file: string; cases: StoryCase[] }): Promise<void> {
  const decoder = await newDecoder(4096);
  for (let i = 0; i < story.cases.length; i++) {
    const c = story.cases[i]!;
    const wire = bytes(c.wire);
    const expected = c.headers.map((h) => Object.entries(h)[0] as Field);
    let headers: unknown;
    let thrown: unknown;
    try {
      headers = await decoder.call('decode', wire);
    } catch (err) {
      thrown = err;
    }
    const diff = thrown === undefined ? firstHeaderDifference(expected, headers) : `decode() ${describeThrown(thrown)}`;
    // A block that opens with a size update (001xxxxx) must leave the table at the size it announced.
    let maxDiff: string | undefined;
    if (!diff && (wire[0]! & 0xe0) === 0x20 && typeof c.header_table_size === 'number') {
      const max = await decoder.call('maxTableSize');
      if (max !== c.header_table_size) {
        maxDiff = `maxTableSize() is ${String(max)} after a block that opens with a size update to ${c.header_table_size}`;
      }
    }
    if (diff || maxDiff) {
      // Replay the story on a fresh decoder to show the table before and after the block that diverged.
      const replay = await newDecoder(4096);
      let before: unknown = '(could not replay the earlier blocks)';
      let after: unknown = '(decode threw)';
      try {
        for (let j = 0; j < i; j++) await replay.call('decode', bytes(story.cases[j]!.wire));
        before = await replay.call('dynamicTable');
        await replay.call('decode', wire);
        after = await replay.call('dynamicTable');
      } catch {
        /* shown as is */
      }
      showEvidence(tableEvidence(`hpack-test-case ${encoder}/${story.file}, block ${c.seqno}: the dynamic table`, { before, after }));
      fail([
        `hpack-test-case ${encoder}/${story.file}, block ${c.seqno} (of ${story.cases.length}, one decoder for the whole story): ${diff ?? maxDiff}`,
        `  header block: ${hex(wire)}`,
        '  expected header list:',
        formatHeaders(expected),
        ...(headers !== undefined && diff ? ['  decoded:', formatHeaders(headers)] : []),
        '  dynamic table before this block:',
        formatTable(before),
        '  dynamic table after it (yours):',
        formatTable(after),
      ]);
    }
  }
  // The table left at the end must be consistent: each entry name + value + 32, the sum within the maximum.
  const table = (await decoder.call('dynamicTable')) as EntryLike[];
  const size = await decoder.call('tableSize');
  const max = await decoder.call('maxTableSize');
  const wrong = Array.isArray(table) ? table.find((e) => e.size !== e.name.length + e.value.length + 32) : undefined;
  const sum = Array.isArray(table) ? table.reduce((s, e) => s + e.size, 0) : NaN;
  if (!Array.isArray(table) || wrong || sum !== size || (size as number) > (max as number)) {
    fail([
      `hpack-test-case ${encoder}/${story.file}: after the last block the table is inconsistent ` +
        (wrong
          ? `(entry ${JSON.stringify(wrong.name)} has size ${wrong.size}, expected ${wrong.name.length + wrong.value.length + 32})`
          : `(tableSize() ${String(size)}, sum of entry sizes ${sum}, maxTableSize() ${String(max)})`),
      '  dynamic table:',
      formatTable(table),
    ]);
  }
}

// ---------------------------------------------------------------------------------------------------------------

describe('integers', () => {
  test.each(appendixC.integers.map((v) => [v.section, v] as const))('Appendix %s: prefixed integer example (RFC 7541 §5.1) {R1.15,R1.32}', async (_s, v) => {
    const out = (await sandbox().invoke('decodeInteger', bytes(v.hex), 0, v.prefixBits)) as { value: number; next: number };
    const want = { value: v.value, next: v.hex.length / 2 };
    if (out?.value !== want.value || out?.next !== want.next) {
      fail([
        `decodeInteger(${hex(bytes(v.hex))}, 0, ${v.prefixBits}) returned ${JSON.stringify(out)}, expected ${JSON.stringify(want)}`,
        v.hex.length > 2
          ? '  the prefix is all ones, so the value continues: each next octet adds 7 bits, least significant group first; the high bit says "more follows"'
          : '  a value below 2^N - 1 fits in the N-bit prefix; the bits above the prefix are not part of it',
      ]);
    }
  });

  test('the bits above the prefix are ignored, and decoding starts at the given offset (RFC 7541 §5.1) {R1.14,R1.32}', async () => {
    const cases: Array<[string, number, number, { value: number; next: number }]> = [
      ['ea', 0, 5, { value: 10, next: 1 }], // 111 01010
      ['55 3f 9a 0a 99', 1, 5, { value: 1337, next: 4 }], // 001 11111, then 1337 - 31
      ['7f 00', 0, 7, { value: 127, next: 2 }], // exactly 2^7 - 1: one continuation octet of 0
      ['fe', 0, 7, { value: 126, next: 1 }],
      ['00 ff 80 80 01', 1, 8, { value: 255 + 2 ** 14, next: 5 }],
    ];
    for (const [h, offset, prefix, want] of cases) {
      const out = (await sandbox().invoke('decodeInteger', bytes(h), offset, prefix)) as { value: number; next: number };
      if (out?.value !== want.value || out?.next !== want.next) {
        fail([`decodeInteger(${hex(bytes(h))}, ${offset}, ${prefix}) returned ${JSON.stringify(out)}, expected ${JSON.stringify(want)}`]);
      }
    }
  });

  test('the largest value the overflow guard allows is 2^32 - 1 (RFC 7541 §5.1) {R1.16,R1.17}', async () => {
    const max = 2 ** 32 - 1;
    const input = new Uint8Array(encodeInteger(max, 5, 0x20));
    const out = (await sandbox().invoke('decodeInteger', input, 0, 5)) as { value: number; next: number };
    if (out?.value !== max || out?.next !== input.length) {
      fail([`decodeInteger(${hex(input)}, 0, 5) returned ${JSON.stringify(out)}, expected ${JSON.stringify({ value: max, next: input.length })}`]);
    }
  });

  test('a value above 2^32 - 1 is rejected with HPACK_INTEGER_OVERFLOW (RFC 7541 §5.1) {R1.16}', async () => {
    for (const input of [new Uint8Array(encodeInteger(2 ** 32, 5)), bytes('1f ff ff ff ff ff ff ff ff ff 01')]) {
      await expectCode(sandbox().invoke('decodeInteger', input, 0, 5), 'HPACK_INTEGER_OVERFLOW', `decodeInteger(${hex(input)}, 0, 5)`, [
        '  an implementation must guard against integers too large to represent (RFC 7541 §5.1, §7.4)',
      ]);
    }
  });

  test('long runs of continuation octets: no 32-bit wrap, no NaN, HPACK_INTEGER_OVERFLOW once past 2^32 - 1 (RFC 7541 §5.1) {R1.17,R1.18}', async () => {
    // 15 × 2^28 + 31 fits in 32 bits unsigned but not signed: a decoder that shifts with << turns it negative.
    const fits = bytes('1f 80 80 80 80 0f');
    const out = (await sandbox().invoke('decodeInteger', fits, 0, 5)) as { value: number; next: number };
    const want = 15 * 2 ** 28 + 31;
    if (out?.value !== want || out?.next !== fits.length) {
      fail([
        `decodeInteger(${hex(fits)}, 0, 5) returned ${JSON.stringify(out)}, expected ${JSON.stringify({ value: want, next: fits.length })}`,
        '  the last octet adds 15 × 128^4 = 15 × 2^28: above 2^31, so 32-bit signed arithmetic (<<, |) makes it negative; multiply instead',
      ]);
    }
    // 1 × 128^5 = 2^35 (a << shift by 35 wraps to 8), and 1 × 128^201, far beyond any double (factor × 0 is then NaN).
    const zeros = (n: number) => Array(n).fill('80').join(' ');
    for (const h of [`1f ${zeros(5)} 01`, `1f ${zeros(200)} 01`]) {
      await expectCode(sandbox().invoke('decodeInteger', bytes(h), 0, 5), 'HPACK_INTEGER_OVERFLOW', `decodeInteger(${h.length > 40 ? `1f, 80 × ${h.split(' ').length - 2}, 01` : h}, 0, 5)`, [
        '  each continuation octet multiplies the weight of the next by 128: past 2^32 - 1 the value must be rejected (RFC 7541 §5.1),',
        '  even when the octets before were all 0x80 (zero bits); shifts wrap at 32 bits and 0 × Infinity is NaN, so neither may decide it',
      ]);
    }
    // 200 octets of zero bits then a last 00: the value is 31, but the encoding exceeds any sane octet limit. Either
    // answer is allowed (§5.1 lets a decoder limit the octet length); NaN or any other value is not.
    const padded = bytes(`1f ${zeros(200)} 00`);
    let got: unknown;
    try {
      got = await sandbox().invoke('decodeInteger', padded, 0, 5);
    } catch (err) {
      if (err instanceof RemoteError && err.code === 'HPACK_INTEGER_OVERFLOW') return;
      fail([`decodeInteger(1f, 80 × 200, 00, 0, 5) ${describeThrown(err)}; expected { value: 31, next: 202 } or an HPACK_INTEGER_OVERFLOW error (an octet-length limit)`]);
    }
    const g = got as { value?: unknown; next?: unknown } | undefined;
    if (g?.value !== 31 || g?.next !== padded.length) {
      fail([`decodeInteger(1f, 80 × 200, 00, 0, 5) returned ${JSON.stringify(got, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}, expected { value: 31, next: 202 } or an HPACK_INTEGER_OVERFLOW error`]);
    }
  });

  test('an integer cut off in its continuation octets is HPACK_TRUNCATED (RFC 7541 §5.1) {R1.31}', async () => {
    for (const [h, offset] of [['1f', 0], ['1f 9a', 0], ['82', 1]] as const) {
      await expectCode(sandbox().invoke('decodeInteger', bytes(h), offset, 5), 'HPACK_TRUNCATED', `decodeInteger(${hex(bytes(h))}, ${offset}, 5)`);
    }
  });
});

describe('string literals', () => {
  test('a raw string literal: 7-bit length prefix, then the octets (RFC 7541 §5.2) {R1.19}', async () => {
    const input = new Uint8Array([0x99, ...literal('custom-key'), 0x00]);
    const out = await sandbox().invoke('decodeString', input, 1);
    expect(out).toEqual({ value: 'custom-key', next: 12 });
    expect(await sandbox().invoke('decodeString', input, 12)).toEqual({ value: '', next: 13 });
  });

  test('a Huffman-coded string literal (H bit set) goes through the given decoder (RFC 7541 §5.2, Appendix C.4.1) {R1.19,R1.20}', async () => {
    const input = bytes('8c f1e3 c2e5 f23a 6ba0 ab90 f4ff');
    const out = await sandbox().invoke('decodeString', input, 0);
    if (JSON.stringify(out) !== JSON.stringify({ value: 'www.example.com', next: 13 })) {
      fail([
        `decodeString(${hex(input)}, 0) returned ${JSON.stringify(out)}, expected {"value":"www.example.com","next":13}`,
        '  the high bit of the first octet (H) says the 12 octets are Huffman-coded: pass them to decodeHuffman() from ./huffman',
      ]);
    }
  });

  test('a string longer than the bytes left is HPACK_TRUNCATED (RFC 7541 §5.2) {R1.31}', async () => {
    for (const input of [bytes('0a 63 75 73'), bytes(''), bytes('7f')]) {
      await expectCode(sandbox().invoke('decodeString', input, 0), 'HPACK_TRUNCATED', `decodeString(${hex(input)}, 0)`);
    }
  });

  test('invalid Huffman padding is reported as HPACK_HUFFMAN_INVALID (RFC 7541 §5.2) {R1.21}', async () => {
    // 00 = the 5-bit code of "0" then 3 bits of 0-padding: padding must be the start of EOS (all ones).
    await expectCode(sandbox().invoke('decodeString', bytes('81 00'), 0), 'HPACK_HUFFMAN_INVALID', 'decodeString(81 00, 0)', [
      '  let the error thrown by decodeHuffman() propagate',
    ]);
  });
  test("octets above 0x7f are one character each, and the entry's size counts octets, not UTF-8 characters (RFC 7541 §4.1, §5.2) {R1.22}", async () => {
    // "é" sent as the two UTF-8 octets c3 a9: the header string is those two octets, "\u00c3\u00a9" (latin1).
    const value = [0xc3, 0xa9];
    const out = await sandbox().invoke('decodeString', new Uint8Array([value.length, ...value]), 0);
    const decoder = await newDecoder(4096);
    const block = new Uint8Array([0x40, ...literal('x-name'), value.length, ...value]);
    await decodeBlock(decoder, block, [], `decode(${hex(block)})`);
    const size = await decoder.call('tableSize');
    const want = 6 + 2 + 32;
    if (JSON.stringify(out) !== JSON.stringify({ value: '\u00c3\u00a9', next: 3 }) || size !== want) {
      fail([
        `decodeString(02 c3 a9, 0) returned ${JSON.stringify(out)}, expected {"value":"\u00c3\u00a9","next":3}`,
        `after inserting x-name with that 2-octet value, tableSize() is ${String(size)}, expected ${want} (6 + 2 + 32)`,
        "  header strings are octets: one character per octet (Buffer.from(octets).toString('latin1')), so lengths count octets",
      ]);
    }
  });
});

describe('header table', () => {
  test('indices 1 to 61 are the static table (RFC 7541 §2.3.1, Appendix A) {R1.2}', async () => {
    const table = await newTable(4096);
    for (let i = 1; i <= STATIC.length; i++) {
      const got = await table.call('get', i);
      if (JSON.stringify(got) !== JSON.stringify(STATIC[i - 1])) {
        fail([`get(${i}) returned ${JSON.stringify(got)}, expected ${JSON.stringify(STATIC[i - 1])} (RFC 7541 Appendix A)`]);
      }
    }
    expect(await table.call('length')).toBe(0);
    expect(await table.call('size')).toBe(0);
  });

  test('entry size is name length + value length + 32 (RFC 7541 §4.1) {R1.7,R1.8}', async () => {
    for (const [name, value, want] of [['custom-key', 'custom-header', 55], ['', '', 32]] as const) {
      const got = await sandbox().invoke('entrySize', name, value);
      if (got !== want) {
        fail([
          `entrySize(${JSON.stringify(name)}, ${JSON.stringify(value)}) returned ${JSON.stringify(got)}, expected ${want}`,
          '  an entry costs its name and value lengths in octets plus 32 octets of overhead (the estimated cost of storing it)',
        ]);
      }
    }
    const table = await newTable(4096);
    await table.call('add', 'custom-key', 'custom-header');
    await table.call('add', 'a', '');
    const entries = await table.call('entries');
    const size = await table.call('size');
    if (size !== 55 + 33 || firstTableDifference([entry('a', ''), entry('custom-key', 'custom-header')], entries)) {
      fail([
        `after add("custom-key", "custom-header") and add("a", ""): size() is ${String(size)}, expected 88 (55 + 33)`,
        '  each entry costs its name and value lengths plus 32 octets of overhead',
        '  entries() (yours):',
        formatTable(entries),
      ]);
    }
  });

  test('new entries go to the front: 62 is the newest, then older ones (RFC 7541 §2.3.3, §4.1) {R1.2,R1.5,R1.10}', async () => {
    const table = await newTable(4096);
    await table.call('add', 'first', '1');
    await table.call('add', 'second', '2');
    await table.call('add', 'third', '3');
    const got = [await table.call('get', 62), await table.call('get', 63), await table.call('get', 64)];
    if (JSON.stringify(got) !== JSON.stringify([['third', '3'], ['second', '2'], ['first', '1']])) {
      fail([
        `after adding first, second, third: get(62), get(63), get(64) returned ${JSON.stringify(got)}`,
        '  expected [["third","3"],["second","2"],["first","1"]]: index 62 is the most recently added entry',
        '  entries() (yours):',
        formatTable(await table.call('entries')),
      ]);
    }
    expect(await table.call('length')).toBe(3);
    expect(await table.call('get', 61)).toEqual(['www-authenticate', '']);
  });

  test('index 0 and indices past the end are HPACK_INDEX_OUT_OF_RANGE (RFC 7541 §2.3.3) {R1.3,R1.4}', async () => {
    const table = await newTable(4096);
    await table.call('add', 'only', 'entry');
    for (const index of [0, 63, 1000]) {
      await expectCode(table.call('get', index), 'HPACK_INDEX_OUT_OF_RANGE', `get(${index}) on a table with 61 static entries and 1 dynamic entry`);
    }
    expect(await table.call('get', 62)).toEqual(['only', 'entry']);
  });

  test('when full, the oldest entries are evicted until the new one fits (RFC 7541 §4.4) {R1.5,R1.8,R1.9}', async () => {
    const table = await newTable(120); // room for three 40-octet entries
    for (const [n, v] of [['a', '1234567'], ['b', '1234567'], ['c', '1234567']] as const) await table.call('add', n, v);
    const before = await table.call('entries');
    await table.call('add', 'd', '12345678901'); // 44 octets: a and b must go (c + d = 84 <= 120; with b it would be 124)
    const after = await table.call('entries');
    const diff = firstTableDifference([entry('d', '12345678901'), entry('c', '1234567')], after);
    if (diff || (await table.call('size')) !== 84) {
      fail([
        `adding a 44-octet entry to a 120-octet table holding 3 × 40 octets: ${diff ?? 'size() is wrong'}`,
        '  evict from the end (the oldest) only as many entries as needed for the new one to fit',
        '  entries before:',
        formatTable(before),
        '  entries after (yours):',
        formatTable(after),
      ]);
    }
  });

  test('an entry exactly as large as the maximum fits, alone (RFC 7541 §4.4) {R1.12}', async () => {
    const table = await newTable(64);
    await table.call('add', 'old', 'x');
    await table.call('add', 'name-of-sixteen!', 'value-of-sixteen'); // 16 + 16 + 32 = 64
    const after = await table.call('entries');
    const diff = firstTableDifference([entry('name-of-sixteen!', 'value-of-sixteen')], after);
    if (diff) fail([`a 64-octet entry in a 64-octet table: ${diff}`, '  entries after (yours):', formatTable(after)]);
    expect(await table.call('size')).toBe(64);
  });

  test('an entry larger than the maximum empties the table and is not added (RFC 7541 §4.4) {R1.11}', async () => {
    const table = await newTable(64);
    await table.call('add', 'a', 'b');
    const before = await table.call('entries');
    await table.call('add', 'name-of-sixteen!', 'value-of-seventeen'); // 66 > 64
    const after = await table.call('entries');
    if (firstTableDifference([], after) || (await table.call('size')) !== 0) {
      fail([
        'adding a 66-octet entry to a 64-octet table must leave it empty (not an error: the field is still emitted)',
        '  entries before:',
        formatTable(before),
        '  entries after (yours):',
        formatTable(after),
      ]);
    }
    await expectCode(table.call('get', 62), 'HPACK_INDEX_OUT_OF_RANGE', 'get(62) on the emptied table');
  });

  test('setMaxSize evicts the oldest entries until the table fits; 0 empties it (RFC 7541 §4.3) {R1.13}', async () => {
    const table = await newTable(4096);
    for (const n of ['one', 'two', 'three']) await table.call('add', n, 'v'); // 36, 36, 38
    const before = await table.call('entries');
    await table.call('setMaxSize', 80);
    const after = await table.call('entries');
    const diff = firstTableDifference([entry('three', 'v'), entry('two', 'v')], after);
    if (diff) {
      fail([`setMaxSize(80) on a table of 110 octets: ${diff}`, '  entries before:', formatTable(before), '  entries after (yours):', formatTable(after)]);
    }
    expect(await table.call('maxSize')).toBe(80);
    expect(await table.call('size')).toBe(74);
    await table.call('setMaxSize', 0);
    expect(await table.call('entries')).toEqual([]);
    expect(await table.call('size')).toBe(0);
  });

  test('after a new maximum, additions are limited by it; growing keeps the entries (RFC 7541 §4.3, §4.4) {R1.9,R1.13}', async () => {
    const table = await newTable(4096);
    await table.call('setMaxSize', 70);
    await table.call('add', 'k1', 'v1'); // 36
    await table.call('add', 'k2', 'v2'); // 36: 72 > 70, k1 goes
    let after = await table.call('entries');
    if (firstTableDifference([entry('k2', 'v2')], after)) {
      fail(['with a maximum of 70, adding two 36-octet entries must evict the first', '  entries after (yours):', formatTable(after)]);
    }
    await table.call('setMaxSize', 200);
    await table.call('add', 'k3', 'v3');
    after = await table.call('entries');
    const diff = firstTableDifference([entry('k3', 'v3'), entry('k2', 'v2')], after);
    if (diff) fail([`after setMaxSize(200) and another add: ${diff}`, '  entries after (yours):', formatTable(after)]);
  });

  test('find: a full match gives its index, a name-only match is flagged, no match is null (RFC 7541 §2.3.3) {R1.30}', async () => {
    const table = await newTable(4096);
    const checks: Array<[string, string, unknown]> = [
      [':method', 'GET', { index: 2, nameOnly: false }],
      [':method', 'POST', { index: 3, nameOnly: false }],
      [':method', 'PUT', { index: 2, nameOnly: true }],
      [':status', '404', { index: 13, nameOnly: false }],
      ['accept-encoding', 'gzip, deflate', { index: 16, nameOnly: false }],
      ['cookie', 'a=b', { index: 32, nameOnly: true }],
      ['x-unknown', 'y', null],
    ];
    for (const [name, value, want] of checks) {
      const got = await table.call('find', name, value);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        fail([`find(${JSON.stringify(name)}, ${JSON.stringify(value)}) returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`]);
      }
    }
  });

  test('find: a full match in the dynamic table beats a name match in the static table (RFC 7541 §2.3.3) {R1.30}', async () => {
    const table = await newTable(4096);
    await table.call('add', 'cache-control', 'no-cache');
    await table.call('add', 'x-custom', 'one');
    await table.call('add', 'x-custom', 'two');
    const checks: Array<[string, string, unknown]> = [
      ['cache-control', 'no-cache', { index: 64, nameOnly: false }],
      ['cache-control', 'max-age=0', { index: 24, nameOnly: true }],
      ['x-custom', 'one', { index: 63, nameOnly: false }],
      ['x-custom', 'three', { index: 62, nameOnly: true }],
    ];
    for (const [name, value, want] of checks) {
      const got = await table.call('find', name, value);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        fail([
          `find(${JSON.stringify(name)}, ${JSON.stringify(value)}) returned ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
          '  a full match anywhere wins; otherwise the lowest index whose name matches',
          '  dynamic table:',
          formatTable(await table.call('entries')),
        ]);
      }
    }
  });
});

describe('decoding header fields (RFC 7541 Appendix C.2)', () => {
  test.each(appendixC.headerFieldExamples.map((v) => [v.section, v.representation, v] as const))(
    'Appendix %s: %s (RFC 7541 §6) {R1.23,R1.24}',
    async (_s, _r, v) => {
      const decoder = await newDecoder(v.maxTableSize);
      await checkBlock(decoder, [], v);
    },
  );
});

describe('decoding header block sequences (RFC 7541 Appendix C.3-C.6)', () => {
  test.each(appendixC.sequences.map((s) => [s.section, s.title, s] as const))('Appendix %s: %s (RFC 7541 §2.3, §4.4) {R1.1,R1.9}', async (_s, _t, s) => {
    const decoder = await newDecoder(s.maxTableSize);
    let before: unknown = [];
    for (const block of s.blocks) before = await checkBlock(decoder, before, block);
  });
});

describe('dynamic table size updates', () => {
  /** A decoder whose table holds the three entries of Appendix C.3 (164 octets). */
  async function decoderAfterC3(): Promise<Remote> {
    const decoder = await newDecoder(4096);
    let before: unknown = [];
    for (const block of appendixC.sequences[0]!.blocks) {
      await decodeBlock(decoder, bytes(block.hex), before, `setting up the table with RFC 7541 ${block.section}`);
      before = await decoder.call('dynamicTable');
    }
    return decoder;
  }

  test('a size update at the start of a block sets the maximum and evicts (RFC 7541 §6.3, §4.3) {R1.13,R1.26}', async () => {
    const decoder = await decoderAfterC3();
    const before = await decoder.call('dynamicTable');
    const block = new Uint8Array([...encodeInteger(110, 5, 0x20), 0x82]); // size update to 110, then :method GET
    const headers = await decodeBlock(decoder, block, before, 'size update to 110 then an indexed field');
    const after = await decoder.call('dynamicTable');
    const diff =
      firstHeaderDifference([[':method', 'GET']], headers) ??
      firstTableDifference([entry('custom-key', 'custom-value'), entry('cache-control', 'no-cache')], after);
    const max = await decoder.call('maxTableSize');
    if (diff || max !== 110) {
      fail([
        `a block opening with a size update to 110: ${diff ?? `maxTableSize() is ${String(max)}, expected 110`}`,
        `  header block: ${hex(block)}`,
        '  dynamic table before:',
        formatTable(before),
        '  dynamic table after (yours):',
        formatTable(after),
      ]);
    }
    expect(await decoder.call('tableSize')).toBe(107);
  });

  test('several size updates may open a block: 0 empties the table, then the last one applies (RFC 7541 §4.2, §6.3) {R1.26}', async () => {
    const decoder = await decoderAfterC3();
    const before = await decoder.call('dynamicTable');
    const block = new Uint8Array([0x20, ...encodeInteger(4096, 5, 0x20), 0x40, ...literal('k'), ...literal('v')]);
    const headers = await decodeBlock(decoder, block, before, 'size updates to 0 and 4096, then a literal');
    const after = await decoder.call('dynamicTable');
    const diff = firstHeaderDifference([['k', 'v']], headers) ?? firstTableDifference([entry('k', 'v')], after);
    if (diff) {
      fail([
        `updates to 0 then 4096 at the start of a block: ${diff}`,
        `  header block: ${hex(block)}`,
        '  dynamic table before:',
        formatTable(before),
        '  dynamic table after (yours):',
        formatTable(after),
      ]);
    }
    expect(await decoder.call('maxTableSize')).toBe(4096);
  });

  test('a size update after a header field is HPACK_SIZE_UPDATE_NOT_AT_START (RFC 7541 §4.2) {R1.27}', async () => {
    for (const block of [bytes('82 3f 4f'), new Uint8Array([0x40, ...literal('k'), ...literal('v'), 0x20])]) {
      const decoder = await decoderAfterC3();
      const before = await decoder.call('dynamicTable');
      await expectCode(decoder.call('decode', block), 'HPACK_SIZE_UPDATE_NOT_AT_START', `decode(${hex(block)})`, [
        '  a dynamic table size update may only open a header block, before its first field',
        '  dynamic table before:',
        formatTable(before),
      ]);
    }
  });

  test('a size update above the SETTINGS_HEADER_TABLE_SIZE limit is HPACK_SIZE_UPDATE_TOO_LARGE (RFC 7541 §6.3) {R1.28}', async () => {
    for (const size of [257, 4096]) {
      const decoder = await newDecoder(256);
      const block = new Uint8Array(encodeInteger(size, 5, 0x20));
      await expectCode(decoder.call('decode', block), 'HPACK_SIZE_UPDATE_TOO_LARGE', `new HpackDecoder(256).decode(${hex(block)}) (a size update to ${size})`, [
        '  the new maximum must not exceed the limit the decoder announced in SETTINGS_HEADER_TABLE_SIZE',
      ]);
    }
    const decoder = await newDecoder(256);
    expect(await decoder.call('decode', new Uint8Array(encodeInteger(256, 5, 0x20)))).toEqual([]);
    expect(await decoder.call('maxTableSize')).toBe(256);
  });
});

describe('defaults', () => {
  test('without arguments a HeaderTable and a HpackDecoder start at 4096 octets, SETTINGS_HEADER_TABLE_SIZE\'s initial value (RFC 7541 §4.2, RFC 9113 §6.5.2) {R1.6}', async () => {
    const table = await sandbox().construct('HeaderTable');
    expect({ 'new HeaderTable().maxSize()': await table.call('maxSize') }).toEqual({ 'new HeaderTable().maxSize()': 4096 });
    const decoder = await sandbox().construct('HpackDecoder');
    expect({ 'new HpackDecoder().maxTableSize()': await decoder.call('maxTableSize') }).toEqual({ 'new HpackDecoder().maxTableSize()': 4096 });
    const block = new Uint8Array(encodeInteger(4097, 5, 0x20));
    await expectCode(decoder.call('decode', block), 'HPACK_SIZE_UPDATE_TOO_LARGE', `new HpackDecoder().decode(${hex(block)}) (a size update to 4097)`, [
      '  a decoder built without a limit announced the default SETTINGS_HEADER_TABLE_SIZE, 4096: a size update may not exceed it',
    ]);
  });
});

describe('decoding errors {R1.29}', () => {
  test('an indexed field with index 0 or past the table is HPACK_INDEX_OUT_OF_RANGE (RFC 7541 §6.1, §2.3.3) {R1.3,R1.4}', async () => {
    for (const h of ['80', 'be', '82 bf']) {
      const decoder = await newDecoder(4096);
      await expectCode(decoder.call('decode', bytes(h)), 'HPACK_INDEX_OUT_OF_RANGE', `decode(${h}) on a fresh decoder (no dynamic entries)`);
    }
    const decoder = await newDecoder(4096);
    await decoder.call('decode', new Uint8Array([0x40, ...literal('k'), ...literal('v')]));
    expect(await decoder.call('decode', bytes('be'))).toEqual([['k', 'v']]);
    await expectCode(decoder.call('decode', bytes('bf')), 'HPACK_INDEX_OUT_OF_RANGE', 'decode(bf) with one dynamic entry (index 63 does not exist)');
  });

  test('a literal whose name index is past the table is HPACK_INDEX_OUT_OF_RANGE (RFC 7541 §6.2) {R1.4,R1.24}', async () => {
    for (const first of [0x7e, 0x0f]) {
      const block = new Uint8Array([...encodeInteger(62, first === 0x7e ? 6 : 4, first === 0x7e ? 0x40 : 0x00), ...literal('x')]);
      const decoder = await newDecoder(4096);
      await expectCode(decoder.call('decode', block), 'HPACK_INDEX_OUT_OF_RANGE', `decode(${hex(block)}) (name index 62, empty dynamic table)`);
    }
  });

  test('a block that ends inside an integer or a string is HPACK_TRUNCATED (RFC 7541 §5.1, §5.2) {R1.31}', async () => {
    const cases = ['ff', '40', '40 01 6b', '40 0a 63 75 73', '04', '04 05 2f 61', '3f'];
    for (const h of cases) {
      const decoder = await newDecoder(4096);
      await expectCode(decoder.call('decode', bytes(h)), 'HPACK_TRUNCATED', `decode(${h})`, ['  the header block ends in the middle of a representation']);
    }
  });

  test('a huge integer inside a block is HPACK_INTEGER_OVERFLOW, not a huge allocation (RFC 7541 §5.1, §7.4) {R1.16}', async () => {
    const zeros = Array(200).fill('80').join(' ');
    for (const h of ['ff ff ff ff ff ff ff ff ff 01', '40 7f ff ff ff ff ff ff ff ff 01 61', `3f ${zeros} 01`, `ff ${zeros} 01`]) {
      const decoder = await newDecoder(4096);
      const shown = h.length > 60 ? `${h.slice(0, 12)}… (${h.split(' ').length} octets, ending 01)` : h;
      await expectCode(decoder.call('decode', bytes(h)), 'HPACK_INTEGER_OVERFLOW', `decode(${shown})`);
    }
  });

  test('literals without indexing and never indexed leave the table unchanged (RFC 7541 §6.2.2, §6.2.3) {R1.25}', async () => {
    const decoder = await newDecoder(4096);
    const block = new Uint8Array([0x00, ...literal('a'), ...literal('1'), 0x10, ...literal('b'), ...literal('2'), 0x04, ...literal('/x'), 0x14, ...literal('/y')]);
    const headers = await decodeBlock(decoder, block, [], 'four literals that must not be indexed');
    const after = await decoder.call('dynamicTable');
    const diff =
      firstHeaderDifference([['a', '1'], ['b', '2'], [':path', '/x'], [':path', '/y']], headers) ?? firstTableDifference([], after);
    if (diff) {
      fail([`literal without indexing (0000) and never indexed (0001): ${diff}`, `  header block: ${hex(block)}`, '  dynamic table after (yours):', formatTable(after)]);
    }
  });
});

describe('hpack-test-case stories (one decoder per story, every block checked) {R1.1,R1.24}', () => {
  // The stories kept in harness/vectors/hpack-test-case (see its README): whole stories, a subset of them.
  test.each(['nghttp2', 'nghttp2-change-table-size', 'go-hpack', 'swift-nio-hpack-plain-text'])(
    '%s: every header list of every story (RFC 7541 §3, §6)',
    async (encoder) => {
      for (const story of loadStories(encoder)) await checkStory(encoder, story);
    },
  );
});
