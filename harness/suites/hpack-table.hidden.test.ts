// Instructor-only suite of exercise 1, hpack-table: generated property tests. Random header lists are encoded by a
// small trusted encoder (harness/support/hpack-encoder.ts) with randomly chosen representations and decoded by
// the learner's HpackDecoder; the decoded lists and the dynamic table must match the encoder's. A failing input
// is shrunk (fewer blocks, fewer fields, shorter strings) before it is shown. Not in the learners' copy.

import { RemoteError } from '../sandbox/client';
import { encodeInteger, ModelEncoder, STATIC, type EntryModel, type Field, type Representation, type Step } from '../support/hpack-encoder';
import { firstHeaderDifference, firstTableDifference, formatHeaders, formatTable, hex } from '../support/hpack-format';
import { checkProperty, pick, shrinkList, shrinkString } from '../support/property';
import { randomInt, seededRandom } from '../support/random';
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 3000 });

interface Block {
  /** A dynamic table size update at the start of the block. */
  update?: number;
  fields: Field[];
}

interface Case {
  /** SETTINGS_HEADER_TABLE_SIZE given to the decoder and the encoder. */
  limit: number;
  blocks: Block[];
  /** Seeds the encoder's choices of representation. */
  encoderSeed: number;
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
  if (used.length && r < 0.3) return [...pick(random, used)] as Field;
  const name = r < 0.65 ? pick(random, STATIC)[0] : `x-${randomText(random, 12).toLowerCase().replace(/[^a-z0-9-]/g, 'q') || 'h'}`;
  const value = random() < 0.5 ? pick(random, VALUES) : randomText(random, 40);
  return [name, value];
}

function generate(random: () => number, small: boolean): Case {
  const limit = small ? randomInt(random, 0, 320) : pick(random, [4096, 4096, 256, 1024]);
  const used: Field[] = [];
  const blocks: Block[] = Array.from({ length: randomInt(random, 1, small ? 6 : 4) }, () => {
    const fields = Array.from({ length: randomInt(random, 1, 8) }, () => {
      const f = randomField(random, used);
      used.push(f);
      return f;
    });
    const update = small && random() < 0.35 ? randomInt(random, 0, limit) : undefined;
    return update === undefined ? { fields } : { update, fields };
  });
  return { limit, blocks, encoderSeed: randomInt(random, 1, 2 ** 30) };
}

function shrinkCase(c: Case): Case[] {
  const out: Case[] = [];
  for (const blocks of shrinkList(c.blocks, shrinkBlock, 1)) out.push({ ...c, blocks });
  if (c.limit !== 4096 && c.blocks.every((b) => b.update === undefined)) out.push({ ...c, limit: 4096 });
  return out;
}

function shrinkBlock(b: Block): Block[] {
  const out: Block[] = [];
  if (b.update !== undefined) out.push({ fields: b.fields });
  for (const fields of shrinkList(b.fields, shrinkField, 1)) out.push({ ...b, fields });
  return out;
}

function shrinkField([name, value]: Field): Field[] {
  return [...shrinkString(value).map((v) => [name, v] as Field), ...(name.startsWith('x-') && name.length > 3 ? [['x-h', value] as Field] : [])];
}

function showCase(c: Case): string {
  const lines = [`decoder = new HpackDecoder(${c.limit})`];
  c.blocks.forEach((b, i) => {
    lines.push(`block ${i + 1}:${b.update !== undefined ? ` size update to ${b.update}, then` : ''}`);
    for (const [n, v] of b.fields) lines.push(`  ${JSON.stringify(n)}: ${JSON.stringify(v)}`);
  });
  return lines.join('\n');
}

function encodeCase(c: Case): Array<{ bytes: Uint8Array; steps: Step[]; table: EntryModel[]; size: number }> {
  const encoder = new ModelEncoder(c.limit);
  const random = seededRandom(c.encoderSeed);
  return c.blocks.map((b) => {
    const steps: Step[] = [];
    if (b.update !== undefined) steps.push(encoder.sizeUpdate(b.update));
    for (const [name, value] of b.fields) {
      steps.push(encoder.field(name, value, (options: Representation[]) => pick(random, options), random() < 0.6));
    }
    return { bytes: Uint8Array.from(steps.flatMap((s) => s.bytes)), steps, table: encoder.table.map((e) => ({ ...e })), size: encoder.size };
  });
}

function describeSteps(steps: Step[]): string {
  return steps.map((s) => `  ${hex(Uint8Array.from(s.bytes), 16).padEnd(36)} ${s.what}`).join('\n');
}

async function checkCase(c: Case): Promise<void> {
  const decoder = await sandbox().construct('HpackDecoder', c.limit);
  const encoded = encodeCase(c);
  for (let i = 0; i < encoded.length; i++) {
    const { bytes, steps, table, size } = encoded[i]!;
    const expected = c.blocks[i]!.fields;
    let got: unknown;
    try {
      got = await decoder.call('decode', bytes);
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      throw new Error(
        `decode() threw ${err.name}${err.code ? ` (${err.code})` : ''} "${err.remoteMessage}" on block ${i + 1}, a valid header block (RFC 7541 §6):\n${describeSteps(steps)}`,
      );
    }
    const headerDiff = firstHeaderDifference(expected, got);
    if (headerDiff) {
      throw new Error(
        `block ${i + 1} decoded to the wrong header list (RFC 7541 §3.2, §6): ${headerDiff}\nthe block, representation by representation:\n${describeSteps(steps)}\nexpected:\n${formatHeaders(expected)}\ngot:\n${formatHeaders(got)}`,
      );
    }
    const actualTable = await decoder.call('dynamicTable');
    const tableDiff = firstTableDifference(table, actualTable);
    if (tableDiff) {
      throw new Error(
        `after block ${i + 1} the dynamic table is wrong (RFC 7541 §4.1-§4.4): ${tableDiff}\nthe block:\n${describeSteps(steps)}\nexpected table (${size} octets):\n${formatTable(table)}\ngot:\n${formatTable(actualTable)}`,
      );
    }
  }
}

describe('hidden: generated header lists', () => {
  test('random header lists from a trusted encoder decode to the same lists and tables (RFC 7541 §6) {R1.1,R1.7,R1.22}', async () => {
    await checkProperty({
      name: 'decode(encode(headers)) = headers',
      generate: (random) => generate(random, false),
      shrink: shrinkCase,
      check: checkCase,
      show: showCase,
      runs: 12,
    });
  }, 40_000);

  test('random size updates and small tables evict the oldest entries (RFC 7541 §4.3, §4.4, §6.3) {R1.9,R1.13,R1.26}', async () => {
    await checkProperty({
      name: 'decoding with small tables and size updates tracks the encoder',
      generate: (random) => generate(random, true),
      shrink: shrinkCase,
      check: checkCase,
      show: showCase,
      runs: 12,
    });
  }, 40_000);

  test('random prefixed integers decode to their value and end offset (RFC 7541 §5.1) {R1.15,R1.32}', async () => {
    interface IntCase {
      value: number;
      prefix: number;
      high: number;
      lead: number;
    }
    await checkProperty<IntCase>({
      name: 'decodeInteger(encodeInteger(v)) = v',
      generate: (random) => {
        const prefix = randomInt(random, 1, 8);
        const kind = random();
        const value = kind < 0.3 ? randomInt(random, 0, 2 ** prefix + 2) : kind < 0.8 ? randomInt(random, 0, 70_000) : randomInt(random, 0, 2 ** 32 - 1);
        return { value, prefix, high: randomInt(random, 0, 255) & ~(2 ** prefix - 1) & 0xff, lead: randomInt(random, 0, 3) };
      },
      shrink: (c) => {
        const out: IntCase[] = [];
        if (c.lead) out.push({ ...c, lead: 0 });
        if (c.high) out.push({ ...c, high: 0 });
        if (c.value > 0) out.push({ ...c, value: Math.floor(c.value / 2) }, { ...c, value: c.value - 1 });
        return out;
      },
      show: (c) => `value ${c.value}, ${c.prefix}-bit prefix, other bits of the first octet ${c.high.toString(2).padStart(8, '0')}, at offset ${c.lead}`,
      check: async (c) => {
        const encoded = [...Array(c.lead).fill(0xff), ...encodeInteger(c.value, c.prefix, c.high)];
        let got: unknown;
        try {
          got = await sandbox().invoke('decodeInteger', Uint8Array.from(encoded), c.lead, c.prefix);
        } catch (err) {
          if (!(err instanceof RemoteError)) throw err;
          throw new Error(`decodeInteger threw ${err.code ?? err.name} "${err.remoteMessage}" on a valid integer: ${hex(Uint8Array.from(encoded))}`);
        }
        const r = got as { value?: unknown; next?: unknown } | null;
        if (!r || r.value !== c.value || r.next !== encoded.length) {
          throw new Error(
            `decodeInteger(${hex(Uint8Array.from(encoded))}, ${c.lead}, ${c.prefix}) returned ${JSON.stringify(got)}; expected { value: ${c.value}, next: ${encoded.length} } (the prefix holds min(v, 2^N - 1), then 7 bits per octet, least significant first)`,
          );
        }
      },
      runs: 40,
    });
  }, 40_000);
});
