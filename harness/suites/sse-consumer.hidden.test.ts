// Instructor-only suite of exercise 5, sse-consumer: generated property tests of the stream parser. Random event
// streams (data, event, id, retry, comments and unknown fields interleaved in random blocks, every line ending,
// multi-byte UTF-8, an optional BOM) are built here together with what the WHATWG algorithm dispatches for them
// (a model written from the spec, computed from the generated blocks), cut into chunks at random byte offsets
// (inside UTF-8 sequences and between CR and LF too) and fed to the learner's parser. A failing input is shrunk
// (fewer blocks and lines, shorter values, plain LF, fewer cuts) before it is shown. Not in the learners' copy.

import { checkProperty, pick, shrinkList, shrinkString } from '../support/property';
import { randomInt } from '../support/random';
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 4000 });

type Ending = '\n' | '\r' | '\r\n';

interface Line {
  /** The field name, or ':' for a comment. */
  field: string;
  value: string;
  /** "name: value" (one space dropped) or "name:value". */
  space: boolean;
  ending: Ending;
}

interface Block {
  lines: Line[];
  /** The blank line that ends the block (absent for an unfinished last block). */
  end?: Ending;
}

interface Case {
  bom: boolean;
  blocks: Block[];
  cuts: number[];
}

interface Expected {
  events: Array<{ type: string; data: string; lastEventId: string }>;
  lastEventId: string;
  reconnectionTime: number | null;
}

const WORDS = ['hello', 'data', 'id', '42', 'é', 'naïve', '中文', '😀', 'a:b', ' lead', 'trail ', '', '{"k":1}', 'x'];

function text(random: () => number): string {
  return Array.from({ length: randomInt(random, 0, 4) }, () => pick(random, WORDS)).join(pick(random, [' ', '', '-']));
}

function generate(random: () => number): Case {
  const blocks: Block[] = Array.from({ length: randomInt(random, 1, 7) }, () => {
    const lines: Line[] = Array.from({ length: randomInt(random, 0, 5) }, () => {
      const r = random();
      const ending = pick<Ending>(random, ['\n', '\r', '\r\n']);
      const space = random() < 0.6;
      if (r < 0.45) return { field: 'data', value: text(random), space, ending };
      if (r < 0.57) return { field: 'event', value: pick(random, ['update', 'ping', 'message', 'é']), space, ending };
      if (r < 0.7) return { field: 'id', value: random() < 0.15 ? 'bad\u0000id' : text(random), space, ending };
      if (r < 0.8) return { field: 'retry', value: random() < 0.7 ? String(randomInt(random, 0, 99_999)) : pick(random, ['12a', '1.5', ' 100']), space, ending };
      if (r < 0.92) return { field: ':', value: text(random), space, ending };
      // Unknown fields, many of them one letter off a known name: ignored whole (a number after "retrx" must not
      // set the reconnection time).
      const field = pick(random, ['foo', 'Data', 'ID', 'retrx', 'rexry', 'xetry', 'retr', 'retryy', 'evenx', 'eventt', 'xvent', 'idd', 'ix', 'xd', 'datx', 'dat', 'xata', 'datas']);
      return { field, value: random() < 0.5 ? String(randomInt(random, 0, 99_999)) : text(random), space, ending };
    });
    return { lines, end: pick<Ending>(random, ['\n', '\r', '\r\n']) };
  });
  if (random() < 0.3) delete blocks[blocks.length - 1]!.end; // the stream stops inside a block
  return { bom: random() < 0.25, blocks, cuts: [] };
}

function lineText(l: Line): string {
  if (l.field === ':') return `:${l.value}`;
  return `${l.field}:${l.space ? ' ' : ''}${l.value}`;
}

function streamText(c: Case): string {
  let out = c.bom ? '\ufeff' : '';
  for (const b of c.blocks) {
    for (const l of b.lines) out += lineText(l) + l.ending;
    if (b.end) out += b.end;
  }
  return out;
}

/** What the WHATWG event-stream interpretation dispatches (HTML §9.2.6), from the generated lines. */
function model(c: Case, initialId: string): Expected {
  const events: Expected['events'] = [];
  let data = '';
  let type = '';
  let idBuffer = initialId;
  let lastEventId = initialId;
  let reconnectionTime: number | null = null;
  // The lines come from the stream itself (mergedLines), so a CR ending followed by a blank block end of LF is
  // one CRLF there, as a parser must see it.
  for (const line of mergedLines(c)) {
    if (line === '') {
      lastEventId = idBuffer;
      if (data === '') {
        type = '';
        continue;
      }
      events.push({ type: type || 'message', data: data.endsWith('\n') ? data.slice(0, -1) : data, lastEventId });
      data = '';
      type = '';
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data += `${value}\n`;
    else if (field === 'event') type = value;
    else if (field === 'id') {
      if (!value.includes('\u0000')) idBuffer = value;
    } else if (field === 'retry') {
      if (/^[0-9]+$/.test(value)) reconnectionTime = Number(value);
    }
  }
  return { events, lastEventId, reconnectionTime };
}

/** The lines as a parser splits the stream: CRLF, LF and CR end a line; a CR followed by LF is one line end. */
function mergedLines(c: Case): string[] {
  let s = streamText(c);
  if (s.startsWith('\ufeff')) s = s.slice(1);
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\r' || ch === '\n') {
      out.push(current);
      current = '';
      if (ch === '\r' && s[i + 1] === '\n') i++;
    } else current += ch;
  }
  return out; // an unfinished last line is never processed
}

function bytesOf(c: Case): Uint8Array {
  return new Uint8Array(Buffer.from(streamText(c), 'utf8'));
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

function shrinkLine(l: Line): Line[] {
  const out: Line[] = shrinkString(l.value).map((value) => ({ ...l, value }));
  if (l.ending !== '\n') out.unshift({ ...l, ending: '\n' });
  return out;
}

function shrinkBlock(b: Block): Block[] {
  const out: Block[] = shrinkList(b.lines, shrinkLine).map((lines) => ({ ...b, lines }));
  if (b.end && b.end !== '\n') out.unshift({ ...b, end: '\n' });
  return out;
}

function shrinkCase(c: Case): Case[] {
  const out: Case[] = [];
  if (c.cuts.length > 1) out.push({ ...c, cuts: [] });
  for (const blocks of shrinkList(c.blocks, shrinkBlock, 1)) out.push({ ...c, blocks });
  if (c.bom) out.push({ ...c, bom: false });
  for (const cuts of shrinkList(c.cuts)) out.push({ ...c, cuts });
  return out;
}

function showCase(c: Case): string {
  const all = bytesOf(c);
  const chunks = chunksOf(all, c.cuts);
  const shown = chunks.slice(0, 40).map((ch) => {
    const text = Buffer.from(ch).toString('utf8');
    return Buffer.from(text, 'utf8').equals(Buffer.from(ch)) ? JSON.stringify(text) : `<${Buffer.from(ch).toString('hex')}>`;
  });
  return [`the stream: ${JSON.stringify(streamText(c))}`, `fed in ${chunks.length} chunk(s) (bytes; <hex> = a piece of a UTF-8 sequence): ${shown.join(' ')}${chunks.length > 40 ? ' …' : ''}`].join('\n');
}

function render(events: unknown): string {
  if (!Array.isArray(events)) return JSON.stringify(events);
  return events.length ? events.map((e, i) => `  ${i + 1}. ${JSON.stringify(e)}`).join('\n') : '  (none)';
}

async function checkCase(c: Case): Promise<void> {
  const expected = model(c, '');
  const got = (await sandbox().invoke('parseChunks', chunksOf(bytesOf(c), c.cuts), '')) as Partial<Expected> | null;
  const events = Array.isArray(got?.events) ? got!.events.map((e) => ({ type: e?.type, data: e?.data, lastEventId: e?.lastEventId })) : got?.events;
  const problems: string[] = [];
  if (JSON.stringify(events) !== JSON.stringify(expected.events)) problems.push(`the events dispatched differ (WHATWG HTML §9.2.6):\nexpected:\n${render(expected.events)}\ngot:\n${render(events)}`);
  if (got?.lastEventId !== expected.lastEventId) problems.push(`the last event ID string at the end is ${JSON.stringify(got?.lastEventId)}, expected ${JSON.stringify(expected.lastEventId)} (set from the id buffer at every blank line; an id with U+0000 is ignored)`);
  if (got?.reconnectionTime !== expected.reconnectionTime) problems.push(`reconnectionTime is ${JSON.stringify(got?.reconnectionTime)}, expected ${JSON.stringify(expected.reconnectionTime)} (the last retry: made only of ASCII digits)`);
  if (problems.length) throw new Error(problems.join('\n'));
}

describe('hidden: generated event streams', () => {
  test('random streams cut at random byte offsets dispatch what the spec says (WHATWG HTML §9.2.6) {R5.9,R5.11,R5.14,R5.22,R5.23}', async () => {
    await checkProperty<Case>({
      name: 'parse(cut(stream)) = model(stream)',
      generate: (random) => {
        const c = generate(random);
        const total = bytesOf(c).length;
        c.cuts = Array.from({ length: randomInt(random, 0, 10) }, () => randomInt(random, 1, Math.max(1, total - 1)));
        return c;
      },
      shrink: shrinkCase,
      check: checkCase,
      show: showCase,
      runs: 20,
    });
  }, 40_000);

  test('random streams fed one byte at a time (WHATWG HTML §9.2.5, §9.2.6) {R5.3,R5.6}', async () => {
    const everyByte = (c: Case): Case => ({ ...c, cuts: Array.from({ length: bytesOf(c).length }, (_, i) => i + 1) });
    await checkProperty<Case>({
      name: 'parse(bytes one by one) = model(stream)',
      generate: (random) => everyByte(generate(random)),
      shrink: (c) => shrinkCase({ ...c, cuts: [] }).map(everyByte),
      check: checkCase,
      show: showCase,
      runs: 8,
    });
  }, 40_000);

  test('random streams cut right after every CR, so a CRLF arrives in two chunks (WHATWG HTML §9.2.5) {R5.8}', async () => {
    const afterEveryCr = (c: Case): Case => {
      const all = bytesOf(c);
      const cuts: number[] = [];
      all.forEach((b, i) => {
        if (b === 13) cuts.push(i + 1);
      });
      return { ...c, cuts };
    };
    await checkProperty<Case>({
      name: 'parse(cut after each CR) = model(stream)',
      generate: (random) => afterEveryCr(generate(random)),
      shrink: (c) => shrinkCase({ ...c, cuts: [] }).map(afterEveryCr),
      check: checkCase,
      show: showCase,
      runs: 12,
    });
  }, 40_000);
});
