// Hidden suite of exercise 5 (sse-consumer): the event-stream parser and an EventSource-like client over undici's
// fetch (WHATWG HTML §9.2). The learner's code runs in the sandbox host; every judgement is made here, on the
// events it returns or reports through callbacks and on what the mock SSE server (harness/mocks/sse-server.ts)
// observed: each request's headers, and the time between the end of one response and the next request.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { useSandbox } from '../support/sandbox';
import { RemoteError, type Remote } from '../sandbox/client';
import type { CallbackRef } from '../sandbox/protocol';
import { randomSplit, runSeed, seededRandom } from '../support/random';
import { formatMs, formatWindow, renderTimeline, type TimelineRow } from '../support/timeline';
import { SseMockServer, type ScriptedResponse } from '../mocks/sse-server';

const sandbox = useSandbox({ callTimeoutMs: 4000 });

// ---------------------------------------------------------------------------------------------------------------
// The vectors

interface ExpectedEvent {
  type: string;
  data: string;
  lastEventId: string;
}
interface ParseCase {
  id: string;
  description: string;
  input: string;
  inputHex: string;
  chunks?: string[];
  byteChunksHex?: string[];
  initialLastEventId?: string;
  ambiguous?: boolean;
  expected: { events: ExpectedEvent[]; reconnectionTime: number | null; lastEventId: string };
}
interface ScenarioStep {
  afterMs?: number;
  request: { lastEventIdHeader?: string | null };
  response?: { status: number; contentType?: string; body: string };
  expectEvents?: ExpectedEvent[];
}
interface Scenario {
  id: string;
  steps?: ScenarioStep[];
  statuses?: number[];
  response?: { status: number; contentType: string };
}
const vectors = JSON.parse(readFileSync(path.join(__dirname, '..', 'vectors', 'sse-cases.json'), 'utf8')) as {
  cases: ParseCase[];
  connectionScenarios: Scenario[];
};
const gradedCases = vectors.cases.filter((c) => !c.ambiguous);
function scenario(id: string): Scenario {
  const s = vectors.connectionScenarios.find((x) => x.id === id);
  if (!s) throw new Error(`vector scenario ${id} is missing from harness/vectors/sse-cases.json`);
  return s;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const hex = (h: string) => new Uint8Array(Buffer.from(h, 'hex'));

// ---------------------------------------------------------------------------------------------------------------
// Rendering evidence for failure messages

/** The stream as an escaped string literal, cut to a readable length. */
function escapeStream(bytes: Uint8Array, max = 240): string {
  const text = JSON.stringify(Buffer.from(bytes).toString('utf8'));
  return text.length > max ? `${text.slice(0, max)}…" (${bytes.length} bytes in all)` : text;
}

function short(text: string, max = 60): string {
  const j = JSON.stringify(text);
  return j.length > max ? `${j.slice(0, max)}…" (${text.length} chars)` : j;
}

function renderEvent(e: Partial<ExpectedEvent> | undefined): string {
  if (!e) return '—';
  return `${e.type === undefined ? '(no type)' : e.type} data=${typeof e.data === 'string' ? short(e.data) : String(e.data)} ` +
    `lastEventId=${typeof e.lastEventId === 'string' ? short(e.lastEventId, 30) : String(e.lastEventId)}`;
}

function renderEventLists(expected: ExpectedEvent[], actual: Array<Partial<ExpectedEvent>>, limit = 8): string[] {
  const lines: string[] = [];
  const firstDiff = firstDifference(expected, actual);
  const from = Math.max(0, Math.min(firstDiff, Math.max(expected.length, actual.length)) - 2);
  lines.push(`events expected (${expected.length}) vs dispatched (${actual.length})${from > 0 ? `, from #${from + 1}` : ''}:`);
  const to = Math.min(Math.max(expected.length, actual.length), from + limit);
  for (let i = from; i < to; i++) {
    const mark = i === firstDiff ? '✗' : ' ';
    lines.push(`${mark} #${i + 1} expected ${renderEvent(expected[i])}`);
    lines.push(`${mark} #${i + 1} got      ${renderEvent(actual[i])}`);
  }
  if (to < Math.max(expected.length, actual.length)) lines.push(`  … (${Math.max(expected.length, actual.length) - to} more)`);
  return lines;
}

function sameEvent(a: ExpectedEvent | undefined, b: Partial<ExpectedEvent> | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.data === b.data && a.lastEventId === b.lastEventId;
}

function firstDifference(expected: ExpectedEvent[], actual: Array<Partial<ExpectedEvent>>): number {
  const n = Math.max(expected.length, actual.length);
  for (let i = 0; i < n; i++) if (!sameEvent(expected[i], actual[i])) return i;
  return -1;
}

function failWith(lines: string[]): never {
  const cut = lines.length > 40 ? [...lines.slice(0, 39), `… (${lines.length - 39} more lines)`] : lines;
  throw new Error(cut.join('\n'));
}

// ---------------------------------------------------------------------------------------------------------------
// Driving the parser

interface ParseOutcome {
  events: Array<Partial<ExpectedEvent>>;
  lastEventId: unknown;
  reconnectionTime: unknown;
}

async function parse(chunks: Uint8Array[], lastEventId = '', timeoutMs?: number): Promise<ParseOutcome> {
  const args = [chunks, lastEventId];
  const value = timeoutMs
    ? await callInvokeWithin(timeoutMs, 'parseChunks', args)
    : await sandbox().invoke('parseChunks', ...args);
  const result = value as ParseOutcome;
  if (!result || !Array.isArray(result.events)) {
    failWith([`parseChunks returned ${short(String(JSON.stringify(value)), 120)}: expected { events, lastEventId, reconnectionTime }`]);
  }
  return result;
}

/** Like sandbox().invoke(), with a timeout of its own (for the 1 MB and 10 000-event streams). */
async function callInvokeWithin(timeoutMs: number, fn: string, args: unknown[]): Promise<unknown> {
  return sandbox().invokeWithin(timeoutMs, fn, ...args);
}

function chunksLabel(chunks: Uint8Array[], max = 12): string {
  // ASCII shown escaped, other bytes as <hex>: a chunk may end inside a character.
  const render = (c: Uint8Array) =>
    Array.from(c, (b) => (b < 0x80 ? JSON.stringify(String.fromCharCode(b)).slice(1, -1) : `<${b.toString(16).padStart(2, '0')}>`)).join('');
  const shown = chunks.slice(0, max).map((c) => render(c.subarray(0, 40)) + (c.length > 40 ? '…' : '') || '∅');
  return `${chunks.length} chunk(s): ${shown.join(' | ')}${chunks.length > max ? ' | …' : ''}`;
}

function checkParse(
  what: string,
  stream: Uint8Array,
  chunks: Uint8Array[],
  got: ParseOutcome,
  expected: { events: ExpectedEvent[]; lastEventId?: string; reconnectionTime?: number | null },
): void {
  const eventsOk = firstDifference(expected.events, got.events) === -1;
  const idOk = expected.lastEventId === undefined || got.lastEventId === expected.lastEventId;
  const retryOk = expected.reconnectionTime === undefined || got.reconnectionTime === expected.reconnectionTime;
  if (eventsOk && idOk && retryOk) return;
  const lines = [what, `stream: ${escapeStream(stream)}`, `fed as ${chunksLabel(chunks)}`];
  if (!eventsOk) lines.push(...renderEventLists(expected.events, got.events));
  if (!idOk) {
    lines.push(
      `last event ID string at the end: expected ${JSON.stringify(expected.lastEventId)}, got ${JSON.stringify(got.lastEventId)} ` +
        '(it is set from the id buffer when a blank line ends a block, even a block without data, and never by an unfinished block)',
    );
  }
  if (!retryOk) {
    lines.push(
      `reconnection time at the end: expected ${JSON.stringify(expected.reconnectionTime)}, got ${JSON.stringify(got.reconnectionTime)} ` +
        '(only a retry value made of ASCII digits alone counts; it applies at once, without waiting for a blank line)',
    );
  }
  failWith(lines);
}

function sectionFor(c: ParseCase): string {
  return /bom|newline|crlf|cr-|endings|utf|comments|leading-space|parsing/.test(c.id) ? '§9.2.5' : '§9.2.6';
}

/** The lesson's requirements (exercises/05-sse-consumer/requirements.yaml) each vector case checks: its test's tag. */
const vectorRequirements: Record<string, string> = {
  'wpt-format-bom': 'R5.4,R5.5',
  'wpt-format-bom-2': 'R5.4,R5.5',
  'wpt-format-comments': 'R5.10,R5.6',
  'wpt-format-data-before-final-empty-line': 'R5.27,R5.18',
  'wpt-format-field-data': 'R5.12,R5.14,R5.23',
  'wpt-format-field-event': 'R5.15,R5.26',
  'wpt-format-field-event-empty': 'R5.24',
  'wpt-format-field-id-persists': 'R5.25',
  'wpt-format-field-id-resets': 'R5.17',
  'wpt-format-field-id-resets-no-colon': 'R5.17,R5.12',
  'wpt-format-field-id-ellipsis': 'R5.16',
  'wpt-format-field-id-null-1': 'R5.16',
  'wpt-format-field-id-null-2': 'R5.16',
  'wpt-format-field-id-null-3': 'R5.16',
  'wpt-format-field-id-null-4': 'R5.16',
  'wpt-format-field-id-null-5': 'R5.16',
  'wpt-format-field-retry': 'R5.18,R5.20',
  'wpt-format-field-retry-bogus': 'R5.19',
  'wpt-format-field-parsing': 'R5.13,R5.11',
  'wpt-format-field-unknown': 'R5.13,R5.10,R5.12',
  'wpt-format-leading-space': 'R5.11',
  'wpt-format-newlines': 'R5.6',
  'wpt-format-null-character': 'R5.14',
  'wpt-format-utf-8': 'R5.1',
  'wpt-event-data': 'R5.22,R5.12',
  'wpt-eventsource-reconnect-first': 'R5.18',
  'spec-crlf': 'R5.6',
  'spec-cr-only': 'R5.6',
  'spec-mixed-endings': 'R5.6',
  'spec-crlf-split-across-chunks': 'R5.8',
  'spec-cr-at-chunk-end-then-blank': 'R5.7',
  'spec-byte-split-utf8': 'R5.3',
  'spec-two-spaces': 'R5.11',
  'spec-colon-in-value': 'R5.11',
  'spec-no-space-after-colon': 'R5.11',
  'spec-event-without-data': 'R5.22',
  'spec-event-type-reset': 'R5.26',
  'spec-event-last-wins': 'R5.15,R5.12,R5.24',
  'spec-event-named-message': 'R5.24',
  'spec-field-case-sensitive': 'R5.13',
  'spec-space-before-colon': 'R5.13',
  'spec-id-after-data': 'R5.16',
  'spec-id-last-wins': 'R5.16',
  'spec-id-only-block-then-event': 'R5.21',
  'spec-id-only-block-at-end': 'R5.21',
  'spec-id-with-spaces': 'R5.11,R5.16',
  'spec-id-initial': 'R5.25',
  'spec-retry-leading-space': 'R5.18,R5.11',
  'spec-retry-invalid-values': 'R5.19',
  'spec-retry-zero': 'R5.18',
  'spec-comment-only': 'R5.10',
  'spec-eof-no-blank-line': 'R5.27',
  'spec-eof-single-newline': 'R5.27',
  'spec-extra-blank-lines': 'R5.9',
  'spec-bom-inside-value': 'R5.5',
  'spec-invalid-utf8': 'R5.2',
  'spec-empty-stream': 'R5.9',
  'spec-data-multiline-empty-middle': 'R5.14',
  'spec-trailing-newline-in-data': 'R5.23',
};
function requirementsOf(c: ParseCase): string {
  const ids = vectorRequirements[c.id];
  if (!ids) throw new Error(`vector case ${c.id} names no requirement: add it to vectorRequirements`);
  return ids;
}

// ---------------------------------------------------------------------------------------------------------------
// Driving the client

const FETCH = { $require: 'undici', export: 'fetch' };
/** The User-Agent of Node's own global fetch: a request carrying it did not come through options.fetch. */
const GLOBAL_FETCH_USER_AGENT = 'node';

interface Logged {
  /** The listener that received it. */
  listener: string;
  type?: string;
  data?: string;
  lastEventId?: string;
  readyState?: number;
  at: number;
}

class EventLog {
  readonly entries: Logged[] = [];
  private readonly counts = new Map<string, number>();
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  constructor(private readonly origin: number) {}

  push(listener: string, event: unknown): void {
    const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
    this.entries.push({
      listener,
      type: typeof e.type === 'string' ? e.type : undefined,
      data: typeof e.data === 'string' ? e.data : undefined,
      lastEventId: typeof e.lastEventId === 'string' ? e.lastEventId : undefined,
      readyState: typeof e.readyState === 'number' ? e.readyState : undefined,
      at: performance.now(),
    });
    this.counts.set(listener, (this.counts.get(listener) ?? 0) + 1);
    if (this.waiters.length) {
      const ready = this.waiters.filter((w) => w.check());
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve();
    }
  }

  count(listener: string): number {
    return this.counts.get(listener) ?? 0;
  }

  of(listener: string): Logged[] {
    return this.entries.filter((e) => e.listener === listener);
  }

  /** Waits until `count(listener) >= n`; on timeout, fails with the events so far and the server's timeline. */
  waitFor(listener: string, n: number, timeoutMs: number, server?: SseMockServer): Promise<void> {
    const check = () => this.count(listener) >= n;
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.check !== check);
        reject(
          new Error(
            [`waited ${timeoutMs} ms for ${n} "${listener}" event(s), got ${this.count(listener)}.`, 'events the client reported:', this.render(),
              ...(server ? ['what the server saw:', server.timeline()] : [])].join('\n'),
          ),
        );
      }, timeoutMs);
      this.waiters.push({ check, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  render(max = 14): string {
    if (this.entries.length === 0) return '  (none)';
    const rows = this.entries.slice(0, max).map((e) => {
      const t = `+${(e.at - this.origin).toFixed(0)} ms`;
      const detail = e.listener === 'error' || e.listener === 'open'
        ? `${e.listener}${e.readyState === undefined ? '' : ` readyState=${e.readyState}`}`
        : `${e.listener} listener: ${renderEvent(e)}`;
      return `  ${t.padStart(9)} ${detail}`;
    });
    if (this.entries.length > max) rows.push(`  … (${this.entries.length - max} more)`);
    return rows.join('\n');
  }
}

const servers: SseMockServer[] = [];
const clients: Remote[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) {
    try {
      await client.call('close');
    } catch {
      /* the stub, or a dead sandbox */
    }
  }
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(script: ScriptedResponse[] | ((i: number) => ScriptedResponse)): Promise<SseMockServer> {
  const server = await SseMockServer.start(script);
  servers.push(server);
  return server;
}

interface ClientSetup {
  reconnectionTime?: number;
  lastEventId?: string;
  /** Named event types to listen for, besides open, message and error. */
  types?: string[];
}

async function connect(server: SseMockServer, setup: ClientSetup = {}): Promise<{ client: Remote; log: EventLog }> {
  const log = new EventLog(server.started);
  const listeners: Record<string, CallbackRef> = {};
  for (const type of ['open', 'message', 'error', ...(setup.types ?? [])]) {
    listeners[type] = sandbox().callback((event) => log.push(type, event));
  }
  const options: Record<string, unknown> = { fetch: FETCH, reconnectionTime: setup.reconnectionTime ?? 3000, listeners };
  if (setup.lastEventId !== undefined) options.lastEventId = setup.lastEventId;
  const client = await sandbox().construct('SseClient', server.url, options);
  clients.push(client);
  return { client, log };
}

function quiet(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Lower bound for a wait of `ms`, allowing for timer granularity (never more than 10 % early). */
function lowerBound(ms: number): number {
  return ms - Math.max(4, ms * 0.1);
}
/** Generous upper bound: a loaded machine may be slow, but not by seconds. */
const UPPER_MS = 1500;

function checkGap(server: SseMockServer, log: EventLog, index: number, expectedMs: number, why: string): void {
  const gap = server.gapBefore(index);
  const lo = lowerBound(expectedMs);
  if (gap !== undefined && gap >= lo && gap <= expectedMs + UPPER_MS) return;
  const rows: TimelineRow[] = server.requests.map((r, i) => {
    const g = server.gapBefore(i);
    return {
      label: `request #${i + 1}${i === 0 ? '' : ` (after response #${i} ${server.requests[i - 1]!.ending ?? 'still open'})`}`,
      expected: i === index ? formatWindow(lo, expectedMs + UPPER_MS) : undefined,
      actual: i === 0 ? 'first' : formatMs(g),
      ok: i !== index,
    };
  });
  if (server.requests.length <= index) rows.push({ label: `request #${index + 1}`, expected: formatWindow(lo, expectedMs + UPPER_MS), ok: false });
  failWith([
    `the client must wait the reconnection time before connecting again: ${why}`,
    renderTimeline(rows, { title: 'time from the end of the previous response to the next request:' }),
    'events the client reported:',
    log.render(),
  ]);
}

function checkEvents(what: string, log: EventLog, server: SseMockServer, expected: Array<ExpectedEvent & { listener?: string }>, body?: string): void {
  const actual = log.entries.filter((e) => e.listener !== 'open' && e.listener !== 'error');
  const wrongListener = expected.findIndex((x, i) => actual[i] && actual[i]!.listener !== (x.listener ?? x.type));
  if (firstDifference(expected, actual) === -1 && wrongListener === -1) return;
  failWith([
    what,
    ...(body !== undefined ? [`stream: ${escapeStream(utf8(body))}`] : []),
    ...renderEventLists(expected, actual),
    ...(wrongListener >= 0 ? [`event #${wrongListener + 1} reached the "${actual[wrongListener]!.listener}" listeners, expected "${expected[wrongListener]!.listener ?? expected[wrongListener]!.type}"`] : []),
    'all events the client reported:',
    log.render(),
    'what the server saw:',
    server.timeline(),
  ]);
}

/** The retry values of the vector scenarios, scaled down so the suite stays fast (200 -> 50, 1000 -> 250). */
function scaleMs(ms: number): number {
  return ms <= 100 ? ms : Math.round(ms / 4);
}
function scaleRetry(body: string): string {
  return body.replace(/^retry: ?(\d+)$/gm, (_m, n: string) => `retry: ${scaleMs(Number(n))}`);
}

async function expectReadyState(client: Remote, expected: number, why: string, log?: EventLog, server?: SseMockServer): Promise<void> {
  const got = await client.get('readyState');
  if (got === expected) return;
  const names = ['CONNECTING (0)', 'OPEN (1)', 'CLOSED (2)'];
  failWith([
    `readyState: expected ${names[expected]}, got ${typeof got === 'number' ? (names[got] ?? got) : JSON.stringify(got)}: ${why}`,
    ...(log ? ['events the client reported:', log.render()] : []),
    ...(server ? ['what the server saw:', server.timeline()] : []),
  ]);
}

// ===============================================================================================================

describe('parsing the vector streams: whole, in the given chunks, byte by byte, at random split points', () => {
  gradedCases.forEach((c, index) => {
    test(`${c.id}: ${c.description} (WHATWG HTML ${sectionFor(c)}) {${requirementsOf(c)}}`, async () => {
      const stream = hex(c.inputHex);
      const ways: Array<[string, Uint8Array[]]> = [['whole', [stream]]];
      if (c.chunks) ways.push(['in the chunks of the vector', c.chunks.map(utf8)]);
      if (c.byteChunksHex) ways.push(['in the byte chunks of the vector', c.byteChunksHex.map(hex)]);
      ways.push(['byte by byte', Array.from(stream, (b) => Uint8Array.of(b))]);
      const seed = (runSeed() * 7919 + index) >>> 0;
      ways.push([`at random split points (seed ${seed})`, randomSplit(stream, seededRandom(seed), 7)]);
      for (const [how, chunks] of ways) {
        const got = await parse(chunks, c.initialLastEventId ?? '');
        checkParse(`case ${c.id}: ${c.description}; fed ${how}`, stream, chunks, got, c.expected);
      }
    });
  });
});

describe('the parser, chunk by chunk (WHATWG HTML §9.2.5, §9.2.6)', () => {
  async function feedEach(chunks: string[], lastEventId = ''): Promise<Array<Array<Partial<ExpectedEvent>>>> {
    const parser = await sandbox().construct('EventStreamParser', lastEventId);
    const out: Array<Array<Partial<ExpectedEvent>>> = [];
    for (const chunk of chunks) out.push((await parser.call('feed', utf8(chunk))) as Array<Partial<ExpectedEvent>>);
    return out;
  }

  function checkPerChunk(what: string, chunks: string[], got: Array<Array<Partial<ExpectedEvent>>>, expected: ExpectedEvent[][]): void {
    const bad = expected.findIndex((exp, i) => firstDifference(exp, got[i] ?? []) !== -1);
    if (bad === -1) return;
    failWith([
      what,
      ...chunks.map((c, i) => `${i === bad ? '✗' : ' '} feed(${JSON.stringify(c)}) returned ${JSON.stringify((got[i] ?? []).map((e) => e.data))}, expected ${JSON.stringify(expected[i]!.map((e) => e.data))}`),
      ...renderEventLists(expected[bad]!, got[bad] ?? []),
    ]);
  }

  const m = (data: string, lastEventId = '', type = 'message'): ExpectedEvent => ({ type, data, lastEventId });

  test('an event is returned by the feed() call whose bytes complete its blank line, not later (WHATWG HTML §9.2.6) {R5.40}', async () => {
    const chunks = ['data: a\n', '\n', 'data: b\n\ndata: c\n', '\n'];
    checkPerChunk('dispatch happens at the blank line:', chunks, await feedEach(chunks), [[], [m('a')], [m('b')], [m('c')]]);
  });

  test('a CR at the very end of a chunk ends the line at once: "data: a\\n\\r" dispatches without waiting for more bytes (WHATWG HTML §9.2.5) {R5.7}', async () => {
    const chunks = ['data: a\n\r', 'data: b\r\r', '\ndata: c\r\n\r', '\n'];
    checkPerChunk(
      'a CR is a complete line ending by itself; a LF right after it (even in the next chunk) belongs to it:',
      chunks,
      await feedEach(chunks),
      [[m('a')], [m('b')], [m('c')], []],
    );
  });

  test('the LF of a CRLF split across chunks is not a second line end (WHATWG HTML §9.2.5) {R5.8}', async () => {
    const chunks = ['data: a\r', '\n', 'data: b\r', '\n', '\r', '\n'];
    checkPerChunk('"\\r" + "\\n" in two chunks is ONE line ending, so no blank line until the second CR:', chunks, await feedEach(chunks), [
      [], [], [], [], [m('a\nb')], [],
    ]);
  });

  test('a field name must match exactly: names one letter off "data", "event", "id" or "retry" are ignored (WHATWG HTML §9.2.6) {R5.13}', async () => {
    const stream = 'retrx: 10\nrexry: 20\nretryy: 30\nretr: 40\nevenx: a\neventt: b\nidd: 5\nix: 6\ndatx: no\ndat: no\ndatas: no\ndata: yes\n\n';
    const parser = await sandbox().construct('EventStreamParser', '');
    const events = (await parser.call('feed', utf8(stream))) as Array<Partial<ExpectedEvent>>;
    const retry = await parser.get('reconnectionTime');
    const want = [m('yes')];
    if (firstDifference(want, events) !== -1 || retry !== null) {
      failWith([
        `the stream ${JSON.stringify(stream)}: only "data: yes" is a known field; every other line is "otherwise: ignore the field"`,
        ...renderEventLists(want, events),
        `reconnectionTime: ${JSON.stringify(retry)}, expected null (no line is exactly "retry")`,
      ]);
    }
  });

  test('the last event ID carries over from the constructor and persists until an id field changes it (WHATWG HTML §9.2.6) {R5.25}', async () => {
    const chunks = ['data: x\n\n', 'id: 7\ndata: y\n\n', 'data: z\n\n'];
    checkPerChunk('new EventStreamParser("41") starts with last event ID "41":', chunks, await feedEach(chunks, '41'), [
      [m('x', '41')], [m('y', '7')], [m('z', '7')],
    ]);
  });

  test('a character cut short at the end of a chunk becomes U+FFFD when the next chunk does not complete it (WHATWG HTML §9.2.5, WHATWG Encoding) {R5.2}', async () => {
    // F0 90 80 starts U+10000, but a LF follows in the next chunk: one U+FFFD for the three bytes. The chunks before
    // mix ASCII and non-ASCII text, as a real stream does (a decoder that takes shortcuts for ASCII chunks must
    // still never drop bytes it holds).
    const chunks: Uint8Array[] = [utf8('data: é'), ...Array.from({ length: 7 }, () => utf8('x')), utf8('é'), new Uint8Array([0x61, 0xf0, 0x90, 0x80]), utf8('\n\n')];
    const parser = await sandbox().construct('EventStreamParser', '');
    const got: Array<Partial<ExpectedEvent>> = [];
    for (const chunk of chunks) got.push(...((await parser.call('feed', chunk)) as Array<Partial<ExpectedEvent>>));
    const want = [m(`é${'x'.repeat(7)}éa\ufffd`)];
    if (firstDifference(want, got) !== -1) {
      failWith([
        'feed("data: é"), feed("x") × 7, feed("é"), feed(bytes 61 F0 90 80), feed("\\n\\n"): F0 90 80 is the start of a 4-byte character that never comes; the decoder must turn it into one U+FFFD when the newline arrives, in whatever chunk',
        ...renderEventLists(want, got),
      ]);
    }
  });

  test('every split point inside a multi-byte UTF-8 character decodes the same text (WHATWG HTML §9.2.5) {R5.3}', async () => {
    const text = 'data: café ✓ 😀 Ω\n\n';
    const stream = utf8(text);
    for (let cut = 1; cut < stream.length; cut++) {
      const chunks = [stream.subarray(0, cut), stream.subarray(cut)];
      checkParse(`split in two at byte ${cut}: the decoder must keep the bytes of a character that is not complete yet`, stream, chunks, await parse(chunks), {
        events: [m('café ✓ 😀 Ω')],
      });
    }
    const threeWay = [stream.subarray(0, 11), stream.subarray(11, 19), stream.subarray(19, 21), stream.subarray(21)];
    checkParse('split inside the 3-byte ✓ and twice inside the 4-byte 😀', stream, threeWay, await parse(threeWay), { events: [m('café ✓ 😀 Ω')] });
  });

  test('a BOM split across chunks is still stripped, and only once (WHATWG HTML §9.2.5) {R5.4,R5.5}', async () => {
    const stream = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('data: x\n\n')]);
    for (const cut of [1, 2]) {
      const chunks = [stream.subarray(0, cut), stream.subarray(cut, 3), stream.subarray(3)];
      checkParse('the BOM EF BB BF arrives in pieces', stream, chunks, await parse(chunks), { events: [m('x')] });
    }
  });

  test('a 1 MB event arrives whole, as one event with every byte of its data (WHATWG HTML §9.2.6) {R5.14}', async () => {
    const unit = 'abcdefghij–Ω😀'; // ASCII and 3-, 2- and 4-byte characters
    const payload = unit.repeat(Math.ceil((1024 * 1024) / Buffer.byteLength(unit)));
    const second = payload.slice(0, 5000);
    const stream = utf8(`event: big\nid: big-1\ndata: ${payload}\ndata: ${second}\n\n`);
    const chunks = randomSplit(stream, seededRandom(runSeed() ^ 0x5eed), 64 * 1024);
    const got = await parse(chunks, '', 15000);
    const e = got.events[0];
    if (got.events.length === 1 && e?.type === 'big' && e.lastEventId === 'big-1' && e.data === `${payload}\n${second}`) return;
    const data = typeof e?.data === 'string' ? e.data : '';
    const expectedData = `${payload}\n${second}`;
    let at = 0;
    while (at < data.length && data[at] === expectedData[at]) at++;
    failWith([
      `a stream of ${stream.length} bytes fed in ${chunks.length} chunks of up to 64 KiB must give ONE event "big" of ${expectedData.length} chars`,
      `got ${got.events.length} event(s)${e ? `; the first: type ${JSON.stringify(e.type)}, lastEventId ${JSON.stringify(e.lastEventId)}, ${data.length} chars of data` : ''}`,
      ...(e ? [`first difference in the data at char ${at}: expected ${short(expectedData.slice(at, at + 20))}, got ${short(data.slice(at, at + 20))}`] : []),
    ]);
  });

  test('10 000 small events in one stream, split anywhere, all arrive in order (WHATWG HTML §9.2.6) {R5.9}', async () => {
    const parts: string[] = [];
    const expected: ExpectedEvent[] = [];
    for (let i = 0; i < 10_000; i++) {
      const ending = ['\n', '\r\n', '\r'][i % 3]!;
      const type = i % 5 === 0 ? 'tick' : 'message';
      const id = i % 7 === 0 ? `${i}` : undefined;
      parts.push(`${type === 'tick' ? `event: tick${ending}` : ''}${id ? `id: ${id}${ending}` : ''}data: ${i}${ending}${ending}`);
      if (i % 97 === 0) parts.push(`: keep-alive ${i}${ending}`);
      expected.push({ type, data: String(i), lastEventId: `${Math.floor(i / 7) * 7}` });
    }
    const stream = utf8(parts.join(''));
    const chunks = randomSplit(stream, seededRandom(runSeed() ^ 0xabc), 4096);
    const got = await parse(chunks, '', 15000);
    checkParse('10 000 events with LF, CRLF and CR line ends, ids and comments, in random chunks of up to 4 KiB', stream, chunks, got, { events: expected });
  });
});

// ===============================================================================================================

describe('the client: connecting and dispatching', () => {
  test('the request asks for text/event-stream and sends no Last-Event-ID when there is no last event ID (WHATWG HTML §9.2.2) {R5.28,R5.31}', async () => {
    const server = await serve([{ body: ['data: hi\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await log.waitFor('message', 1, 3000, server);
    const r = server.requests[0]!;
    if (r.accept !== 'text/event-stream' || r.lastEventId !== null) {
      failWith([
        'the first request must carry "Accept: text/event-stream" and no Last-Event-ID header (the last event ID string is empty)',
        `got Accept: ${JSON.stringify(r.accept ?? null)}, Last-Event-ID: ${JSON.stringify(r.lastEventId)}`,
      ]);
    }
  });

  test('every request, the first and a reconnection, goes through the fetch given in options.fetch, never the global one (exercise 5, §4) {R5.45}', async () => {
    const server = await serve([{ body: ['retry: 20\ndata: one\n\n'] }, { body: ['data: two\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await log.waitFor('message', 2, 4000, server);
    // options.fetch is undici's fetch, whose requests say "User-Agent: undici"; Node's global fetch says "node".
    const agents = server.requests.map((r) => r.userAgent ?? null);
    if (server.requests.length >= 2 && agents.every((agent) => agent !== GLOBAL_FETCH_USER_AGENT)) return;
    failWith([
      'the client must connect with the fetch it was given (options.fetch, here undici\'s), for the first request and every reconnection',
      `User-Agent of each request: ${JSON.stringify(agents)} ("${GLOBAL_FETCH_USER_AGENT}" is what Node's global fetch sends)`,
      server.timeline(),
    ]);
  });

  test('readyState is CONNECTING until the response arrives, then OPEN, and "open" fires once (WHATWG HTML §9.2.3) {R5.28,R5.29}', async () => {
    const server = await serve([{ headersGate: 'respond', body: [': hello\n\n'], then: 'hold' }]);
    const { client, log } = await connect(server);
    await server.waitForRequests(1, 3000);
    await expectReadyState(client, 0, 'the request was sent but the server has not answered yet', log, server);
    server.open('respond');
    await log.waitFor('open', 1, 3000, server);
    await expectReadyState(client, 1, 'the response (200, text/event-stream) has arrived and "open" fired', log, server);
    if (log.count('open') !== 1 || log.count('error') !== 0 || log.count('message') !== 0) {
      failWith(['one "open" and nothing else was expected (the body so far is a comment)', log.render()]);
    }
  });

  test('message events carry type, data and the last event ID; named events go only to their own listeners (WHATWG HTML §9.2.6) {R5.24,R5.44}', async () => {
    const body = 'data: 1\n\nevent: update\nid: u1\ndata: {"a":1}\ndata: two lines\n\nevent: message\ndata: 3\n\n: comment\nevent: other\ndata: not listened to\n\ndata: 4\n\n';
    const server = await serve([{ body: [body], then: 'hold' }]);
    const { log } = await connect(server, { types: ['update'] });
    await log.waitFor('message', 3, 3000, server);
    checkEvents('events dispatched, in order, to the right listeners:', log, server, [
      { type: 'message', data: '1', lastEventId: '' },
      { type: 'update', data: '{"a":1}\ntwo lines', lastEventId: 'u1' },
      { type: 'message', data: '3', lastEventId: 'u1' },
      { type: 'message', data: '4', lastEventId: 'u1' },
    ], body);
  });

  test('addEventListener() after the connection opened receives the later events of that type (WHATWG HTML §9.2.2) {R5.44}', async () => {
    const server = await serve([{ body: ['data: first\n\n', { gate: 'more' }, 'event: late\ndata: second\n\n'], then: 'hold' }]);
    const { client, log } = await connect(server);
    await log.waitFor('message', 1, 3000, server);
    await client.call('addEventListener', 'late', sandbox().callback((event) => log.push('late', event)));
    server.open('more');
    await log.waitFor('late', 1, 3000, server);
    checkEvents('a listener added later:', log, server, [
      { type: 'message', data: 'first', lastEventId: '' },
      { type: 'late', data: 'second', lastEventId: '' },
    ]);
  });

  test('a CRLF and a UTF-8 character split across network writes are handled by the client (WHATWG HTML §9.2.5) {R5.3,R5.8}', async () => {
    const euro = utf8('€'); // e2 82 ac
    const server = await serve([
      {
        body: ['data: a\r', { pause: 15 }, '\ndata: b\r\n\r', { pause: 15 }, '\ndata: ', euro.subarray(0, 1), { pause: 15 }, euro.subarray(1), '\n\n'],
        then: 'hold',
      },
    ]);
    const { log } = await connect(server);
    await log.waitFor('message', 2, 3000, server);
    await quiet(30);
    checkEvents('writes: "data: a\\r" | "\\ndata: b\\r\\n\\r" | "\\ndata: <e2>" | "<82 ac>\\n\\n"', log, server, [
      { type: 'message', data: 'a\nb', lastEventId: '' },
      { type: 'message', data: '€', lastEventId: '' },
    ]);
  });

  test('a Content-Type with parameters and other letter case is accepted; the body is UTF-8 whatever the charset says (WHATWG HTML §9.2.3) {R5.29,R5.1}', async () => {
    const s = scenario('wpt-format-utf-8-charset-ignored');
    const server = await serve([{ contentType: s.response!.contentType.replace('text/event-stream', 'Text/Event-Stream'), body: ['data:ok…\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await log.waitFor('message', 1, 3000, server);
    checkEvents(`Content-Type: Text/Event-Stream;charset=windows-1252`, log, server, [{ type: 'message', data: 'ok…', lastEventId: '' }]);
  });

  // 3 000 small events, not 10 000: each one crosses from the sandbox to this process as a callback, and under a load
  // average of 40 on two cores 10 000 of them took more than 12 s (the parser test above still uses 10 000).
  test('a 1 MB event and then 3 000 small events arrive through the client intact (WHATWG HTML §9.2.6) {R5.14}', async () => {
    const payload = `${'x'.repeat(999)}é`.repeat(1049);
    const count = 3000;
    const small = Array.from({ length: count }, (_, i) => `id: ${i}\ndata: ${i}\n\n`).join('');
    const server = await serve([{ body: [`event: big\ndata: ${payload}\n\n`, small], then: 'hold' }]);
    const { log } = await connect(server, { types: ['big'] });
    await log.waitFor('message', count, 12000, server);
    const big = log.of('big');
    const msgs = log.of('message');
    const expected: ExpectedEvent[] = Array.from({ length: count }, (_, i) => ({ type: 'message', data: String(i), lastEventId: String(i) }));
    const bad = firstDifference(expected, msgs);
    if (big.length === 1 && big[0]!.data === payload && bad === -1) return;
    failWith([
      `expected one "big" event of ${payload.length} chars, then ${count} message events with data and id 0…${count - 1}`,
      `"big" events: ${big.length}${big[0] ? `, the first with ${big[0].data?.length ?? 0} chars${big[0].data === payload ? ' (correct)' : ' (wrong data)'}` : ''}`,
      ...(bad >= 0 ? renderEventLists(expected, msgs, 4) : []),
    ]);
  });
});

describe('the client: reconnection', () => {
  test('after the stream ends it fires "error" with readyState CONNECTING, waits the retry time, and reconnects (WHATWG HTML §9.2.3) {R5.30,R5.43}', async () => {
    const s = scenario('wpt-eventsource-reconnect');
    const steps = s.steps!;
    const retry = 60;
    const server = await serve([
      { body: [steps[0]!.response!.body.replace(/retry: ?\d+/, `retry: ${retry}`)] },
      { body: [steps[1]!.response!.body], then: 'hold' },
    ]);
    const { log } = await connect(server);
    await log.waitFor('message', 2, 4000, server);
    const errors = log.of('error');
    if (errors.length !== 1 || errors[0]!.readyState !== 0) {
      failWith([
        'when the stream ends the client must set readyState to CONNECTING, fire one "error" event, then reconnect',
        `"error" events seen: ${errors.length}, readyState in them: ${JSON.stringify(errors.map((e) => e.readyState ?? null))} (expected [0])`,
        log.render(),
      ]);
    }
    checkEvents('the events of both connections:', log, server, [
      { type: 'message', data: 'ok', lastEventId: '' },
      { type: 'message', data: 'data', lastEventId: '' },
    ]);
    checkGap(server, log, 1, retry, `the first response set "retry: ${retry}"`);
  });

  test('Last-Event-ID on reconnect is the last event ID, as UTF-8, and it persists across reconnects (WHATWG HTML §9.2.3) {R5.31,R5.38}', async () => {
    const s = scenario('wpt-format-field-id-reconnect');
    const steps = s.steps!;
    const first = scaleRetry(steps[0]!.response!.body);
    const second = steps[1]!.response!.body;
    const server = await serve([{ body: [first] }, { body: [second] }, { body: [': third\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await server.waitForRequests(3, 5000);
    const sent = server.requests.map((r) => r.lastEventId);
    const expectedSent = [null, steps[1]!.request.lastEventIdHeader ?? null, steps[2]!.request.lastEventIdHeader ?? null];
    if (JSON.stringify(sent) !== JSON.stringify(expectedSent)) {
      failWith([
        'each reconnection must send Last-Event-ID with the last event ID string (here "…", U+2026) encoded as UTF-8 bytes; it stays set when later responses have no id',
        `first response: ${escapeStream(utf8(first))}`,
        `second response: ${escapeStream(utf8(second))}`,
        `Last-Event-ID sent with requests 1, 2, 3: expected ${JSON.stringify(expectedSent)}, got ${JSON.stringify(sent)}`,
        server.timeline(),
      ]);
    }
    checkEvents('events of the two connections:', log, server, [...steps[0]!.expectEvents!, ...steps[1]!.expectEvents!]);
    checkGap(server, log, 1, scaleMs(steps[1]!.afterMs!), `the first response set "retry: ${scaleMs(200)}"`);
    checkGap(server, log, 2, scaleMs(steps[2]!.afterMs!), 'the reconnection time set by an earlier connection still holds');
  });

  test('an id containing U+0000 is ignored: no Last-Event-ID on reconnect (WHATWG HTML §9.2.6) {R5.16,R5.31}', async () => {
    const s = scenario('wpt-format-field-id-null-reconnect');
    const body = scaleRetry(s.steps![0]!.response!.body);
    const server = await serve([{ body: [body] }, { body: [': second\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await server.waitForRequests(2, 4000);
    const sent = server.requests.map((r) => r.lastEventId);
    if (sent[1] !== null) {
      failWith([
        'the id field "\\0\\0" contains U+0000, so it must be ignored: the last event ID stays "" and no Last-Event-ID header is sent',
        `stream: ${escapeStream(utf8(body))}`,
        server.timeline(),
      ]);
    }
    checkEvents('events:', log, server, s.steps![0]!.expectEvents!);
  });

  test('an unfinished event at the end of a response is discarded and its id is not sent on reconnect (WHATWG HTML §9.2.6) {R5.27,R5.32}', async () => {
    const s = scenario('wpt-format-data-before-final-empty-line-reconnect');
    const body = scaleRetry(s.steps![0]!.response!.body);
    const server = await serve([{ body: [body] }, { body: [': second\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await server.waitForRequests(2, 4000);
    await quiet(20);
    if (server.requests[1]!.lastEventId !== null) {
      failWith([
        'the block "id:test\\ndata:test2\\n" never got its blank line, so its id was never committed: the reconnect must send no Last-Event-ID',
        `stream: ${escapeStream(utf8(body))}`,
        server.timeline(),
      ]);
    }
    checkEvents('the unfinished "test2" event must never be dispatched:', log, server, s.steps![0]!.expectEvents!, body);
    checkGap(server, log, 1, scaleMs(s.steps![1]!.afterMs!), `the response set "retry: ${scaleMs(1000)}" (a retry applies at once, even in an unfinished block)`);
  });

  test('a connection dropped in the middle of an event: the partial event is discarded and the client reconnects with the committed id (WHATWG HTML §9.2.3) {R5.30,R5.32}', async () => {
    const server = await serve([
      { body: ['retry: 40\nid: 1\ndata: complete\n\nid: 2\ndata: parti', { pause: 10 }, { drop: true }] },
      { body: ['id: 3\ndata: again\n\n'], then: 'hold' },
    ]);
    const { log } = await connect(server);
    await log.waitFor('message', 2, 4000, server);
    checkEvents('after the drop, only complete events:', log, server, [
      { type: 'message', data: 'complete', lastEventId: '1' },
      { type: 'message', data: 'again', lastEventId: '3' },
    ]);
    const r = server.requests[1]!;
    if (r.lastEventId !== '1') {
      failWith(['the reconnect must send Last-Event-ID: 1 (the id of the last complete block; "2" was never committed)', server.timeline()]);
    }
    const errors = log.of('error');
    if (errors.length !== 1 || errors[0]!.readyState !== 0) failWith(['a network error must fire one "error" with readyState CONNECTING, then reconnect', log.render()]);
    checkGap(server, log, 1, 40, 'the stream set "retry: 40" before it broke');
  });

  test('a request that fails before any response (connection reset) is retried after the reconnection time (WHATWG HTML §9.2.3) {R5.30}', async () => {
    const server = await serve([{ refuse: true }, { body: ['data: second try\n\n'], then: 'hold' }]);
    const { log } = await connect(server, { reconnectionTime: 80 });
    await log.waitFor('message', 1, 4000, server);
    if (log.count('open') !== 1 || log.of('error')[0]?.readyState !== 0 || log.entries[0]?.listener !== 'error') {
      failWith(['a network error must give "error" (readyState CONNECTING) and a new attempt; "open" only for the response that arrived', log.render()]);
    }
    checkGap(server, log, 1, 80, 'no retry field was received, so the initial reconnection time (80 ms, from the options) applies');
  });

  test('the initial reconnection time applies until a retry field replaces it (WHATWG HTML §9.2.6) {R5.42,R5.30}', async () => {
    const server = await serve([{ body: ['data: 1\n\n'] }, { body: ['retry: 50\ndata: 2\n\n'] }, { body: [': 3\n\n'], then: 'hold' }]);
    const { log } = await connect(server, { reconnectionTime: 150 });
    await server.waitForRequests(3, 5000);
    checkGap(server, log, 1, 150, 'no retry yet: the initial 150 ms');
    checkGap(server, log, 2, 50, 'the second response set "retry: 50"');
  });

  test('a retry field overrides a long initial reconnection time (WHATWG HTML §9.2.6) {R5.30,R5.18}', async () => {
    const server = await serve([{ body: ['retry: 30\nretry: x\nretry: -5\ndata: 1\n\n'] }, { body: [': 2\n\n'], then: 'hold' }]);
    const { log } = await connect(server, { reconnectionTime: 4000 });
    await server.waitForRequests(2, 3500);
    checkGap(server, log, 1, 30, 'the stream set "retry: 30" ("retry: x" and "retry: -5" are not digits and are ignored), replacing the initial 4000 ms');
  });

  test('the lastEventId option is sent as Last-Event-ID on the first request and seeds the events (WHATWG HTML §9.2.3) {R5.41}', async () => {
    const s = vectors.cases.find((c) => c.id === 'spec-id-initial')!;
    const server = await serve([{ body: [s.input], then: 'hold' }]);
    const { log } = await connect(server, { lastEventId: s.initialLastEventId });
    await log.waitFor('message', 2, 3000, server);
    if (server.requests[0]!.lastEventId !== s.initialLastEventId) {
      failWith([`new SseClient(url, { lastEventId: "41" }) must send Last-Event-ID: 41 on its first request`, server.timeline()]);
    }
    checkEvents('events:', log, server, s.expected.events, s.input);
  });
});

describe('the client: failing and closing', () => {
  const statuses = scenario('wpt-request-status-error').statuses!;

  test.each(statuses)('status %i fails the connection: one "error" with readyState CLOSED, no "open", no message, no reconnect (WHATWG HTML §9.2.3) {R5.33,R5.43}', async (status) => {
    const server = await serve([{ status, body: status === 204 || status === 205 ? [] : ['data: must not be dispatched\n\n'] }]);
    const { client, log } = await connect(server, { reconnectionTime: 10 });
    await log.waitFor('error', 1, 3000, server);
    await quiet(120);
    const errors = log.of('error');
    if (errors.length !== 1 || errors[0]!.readyState !== 2 || log.count('open') !== 0 || log.count('message') !== 0 || server.requests.length !== 1) {
      failWith([
        `a ${status} response is not an event stream: fail the connection (readyState CLOSED, one "error") and never reconnect; got ` +
          `${errors.length} error event(s) with readyState ${JSON.stringify(errors.map((e) => e.readyState ?? null))} (expected [2]), ` +
          `${log.count('open')} open, ${log.count('message')} message, ${server.requests.length} request(s) (expected 1)`,
        'events the client reported:',
        log.render(),
        `what the server saw (the reconnection time was 10 ms; the client was watched for 120 ms after the error):`,
        server.timeline(),
      ]);
    }
    await expectReadyState(client, 2, `after a ${status} response`, log, server);
  });

  test.each([
    ['text/x-bogus', 'text/x-bogus'],
    ['no Content-Type at all', null],
    ['text/plain', 'text/plain'],
  ] as const)('a 200 response with %s fails the connection without reconnecting (WHATWG HTML §9.2.3) {R5.33,R5.43}', async (_label, contentType) => {
    const server = await serve([{ contentType, body: ['data: must not be dispatched\n\n'] }]);
    const { client, log } = await connect(server, { reconnectionTime: 10 });
    await log.waitFor('error', 1, 3000, server);
    await quiet(120);
    const errors = log.of('error');
    if (errors.length !== 1 || errors[0]!.readyState !== 2 || log.count('open') !== 0 || log.count('message') !== 0 || server.requests.length !== 1) {
      failWith([
        `Content-Type ${JSON.stringify(contentType)} is not text/event-stream: fail the connection (readyState CLOSED, one "error", nothing dispatched) and never reconnect; got ` +
          `${errors.length} error event(s) with readyState ${JSON.stringify(errors.map((e) => e.readyState ?? null))} (expected [2]), ` +
          `${log.count('open')} open, ${log.count('message')} message, ${server.requests.length} request(s) (expected 1)`,
        'events the client reported:',
        log.render(),
        'what the server saw:',
        server.timeline(),
      ]);
    }
    await expectReadyState(client, 2, 'after a response that is not an event stream', log, server);
  });

  test('close() aborts the open request, sets readyState CLOSED and never reconnects (WHATWG HTML §9.2.2) {R5.34}', async () => {
    const server = await serve([{ body: ['data: 1\n\n', { gate: 'never' }], then: 'hold' }]);
    const { client, log } = await connect(server, { reconnectionTime: 10 });
    await log.waitFor('message', 1, 3000, server);
    await client.call('close');
    await expectReadyState(client, 2, 'right after close()', log, server);
    await server.waitForEnd(0, 3000);
    await quiet(120);
    if (server.requests[0]!.ending !== 'client-closed' || server.requests.length !== 1 || log.count('error') !== 0) {
      failWith([
        'close() must abort the request (the server sees the connection go), fire no "error", and never connect again',
        'events the client reported:',
        log.render(),
        'what the server saw:',
        server.timeline(),
      ]);
    }
  });

  test('close() while waiting to reconnect cancels the reconnection (WHATWG HTML §9.2.2) {R5.34}', async () => {
    // 500 ms: long enough that close() surely arrives during the wait, even on a busy machine.
    const server = await serve([{ body: ['retry: 500\ndata: 1\n\n'] }, { body: [': 2\n\n'], then: 'hold' }]);
    const { client, log } = await connect(server);
    await log.waitFor('error', 1, 3000, server);
    await client.call('close');
    await quiet(800);
    if (server.requests.length !== 1) {
      failWith(['close() during the 500 ms reconnection wait must cancel the pending reconnection', log.render(), server.timeline()]);
    }
    await expectReadyState(client, 2, 'after close()', log, server);
  });

  test('204 No Content stops the client for good, even with a short retry set earlier (WHATWG HTML §9.2.3) {R5.33}', async () => {
    const server = await serve([{ body: ['retry: 10\ndata: 1\n\n'] }, { status: 204 }, { body: ['data: never\n\n'], then: 'hold' }]);
    const { log } = await connect(server);
    await log.waitFor('error', 2, 3000, server);
    await quiet(120);
    const errors = log.of('error').map((e) => e.readyState ?? null);
    if (JSON.stringify(errors) !== '[0,2]' || server.requests.length !== 2 || log.count('message') !== 1) {
      failWith([
        'first response: a stream that ends (error with CONNECTING, reconnect after 10 ms); second: 204 (error with CLOSED, stop)',
        `readyState in the error events: expected [0,2], got ${JSON.stringify(errors)}`,
        log.render(),
        server.timeline(),
      ]);
    }
  });

  test('a new client reports an empty lastEventId and the initial reconnection time from its options (WHATWG HTML §9.2.2) {R5.42}', async () => {
    const server = await serve([{ body: [': hi\n\n'], then: 'hold' }]);
    try {
      const { client, log } = await connect(server);
      await log.waitFor('open', 1, 3000, server);
      const [lastEventId, reconnectionTime] = [await client.get('lastEventId'), await client.get('reconnectionTime')];
      if (lastEventId !== '' || reconnectionTime !== 3000) {
        failWith([`a new client has lastEventId "" and the initial reconnection time from its options (3000); got ${JSON.stringify(lastEventId)} and ${JSON.stringify(reconnectionTime)}`]);
      }
    } catch (err) {
      if (err instanceof RemoteError) failWith([`new SseClient(url, options) threw ${err.name}: ${err.remoteMessage}`]);
      throw err;
    }
  });
});

// ===============================================================================================================
// Reconnection times beyond what one setTimeout can wait. A retry field may hold any number of digits; Node runs
// a timer whose delay is above 2^31 − 1 ms (or Infinity) after 1 ms, so a client that hands such a
// value to setTimeout as is reconnects at once, in a loop, instead of waiting (found by differential runs against
// Chromium's EventSource, which waits).

const MAX_TIMER_MS = 2 ** 31 - 1;

/** The number a retry value's digits spell, as a JS number: exact up to 2^53, then the nearest double, then Infinity. */
function retryNumber(digits: string): number {
  return Number(digits);
}

/** Whether `got` is the reconnection time `digits` spell (past 2^53 a few units of rounding either way are fine). */
function sameRetry(got: unknown, digits: string): boolean {
  const want = retryNumber(digits);
  if (typeof got !== 'number' || Number.isNaN(got)) return false;
  if (got === want) return true;
  return Number.isFinite(want) && want > Number.MAX_SAFE_INTEGER && Math.abs(got - want) <= want * 2 ** -50;
}

function describeDigits(digits: string): string {
  return digits.length > 40 ? `${digits.slice(0, 12)}…${digits.slice(-6)} (${digits.length} digits)` : digits;
}

const HUGE_RETRIES: Array<[string, string]> = [
  ['2^31, one more than setTimeout can wait', '2147483648'],
  ['2^32 + 1, which wraps to 1 in 32 bits', '4294967297'],
  ['2^53 + 1, beyond exact doubles', '9007199254740993'],
  ['10^20 with 30 leading zeros', `${'0'.repeat(30)}100000000000000000000`],
  ['400 nines, beyond the largest double', '9'.repeat(400)],
];

describe('reconnection times beyond the timer limit of 2^31 − 1 ms', () => {
  test('the parser keeps a retry value of any length: 2^31, 2^32 + 1, 2^53 + 1, 400 digits give a number, never NaN (WHATWG HTML §9.2.6) {R5.35,R5.18}', async () => {
    const rows: string[] = [];
    let bad = false;
    for (const [label, digits] of [['2^31 − 1', String(MAX_TIMER_MS)] as [string, string], ...HUGE_RETRIES]) {
      const stream = utf8(`retry: 5\nretry: ${digits}\ndata: x\n\n`);
      const got = await parse([stream]);
      const ok = sameRetry(got.reconnectionTime, digits);
      bad ||= !ok;
      rows.push(`${ok ? ' ' : '✗'} retry: ${describeDigits(digits)} (${label}): expected ${retryNumber(digits)}, got ${String(got.reconnectionTime)}`);
    }
    if (!bad) return;
    failWith([
      'a retry value of ASCII digits alone sets the reconnection time to the integer they spell, however many digits there are;',
      'as a JS number that is Number(digits): exact up to 2^53, the nearest double beyond, Infinity past ~1.8e308. It is never',
      'ignored for being large, never wrapped to 32 bits, and never NaN. (Each stream was "retry: 5", then the big value.)',
      ...rows,
    ]);
  });

  test('retry values of 2^31 ms and more (2^31, 2^32 + 1, 2^53 + 1, 10^20, 400 digits) make the client wait, not reconnect at once; close() still stops it (WHATWG HTML §9.2.3, §9.2.6) {R5.35,R5.36}', async () => {
    // One server and one client per value, all at once, so that the window below is spent only once.
    const runs = await Promise.all(
      HUGE_RETRIES.map(async ([label, digits]) => {
        const server = await serve([{ body: [`retry: ${digits}\ndata: 1\n\n`] }, { body: [': too early\n\n'], then: 'hold' }]);
        const { client, log } = await connect(server, { reconnectionTime: 20 });
        return { label, digits, server, client, log };
      }),
    );
    await Promise.all(runs.map((r) => r.log.waitFor('error', 1, 4000, r.server)));
    // A correct client never comes back within this window (the wait is 24 days or more); the bug is back within
    // a few ms, so the window can be generous.
    const windowMs = 700;
    await quiet(windowMs);
    for (const r of runs) {
      const came = r.server.requests.length > 1;
      const time = await r.client.get('reconnectionTime');
      const state = await r.client.get('readyState');
      if (came || !sameRetry(time, r.digits) || state !== 0) {
        failWith([
          `the stream set "retry: ${describeDigits(r.digits)}" (${r.label}) and ended: the client must wait that long (${formatMs(retryNumber(r.digits))}) before it reconnects.`,
          'setTimeout cannot wait longer than 2^31 − 1 ms: a larger delay (or Infinity) fires after 1 ms, so passing it on as is turns',
          'the wait into a reconnect loop. Wait in steps of at most 2^31 − 1 ms (each timer arms the next), or never for Infinity.',
          ...(came ? [`a second request arrived ${formatMs(r.server.gapBefore(1))} after the first response ended (watched for ${windowMs} ms)`] : []),
          ...(!sameRetry(time, r.digits) ? [`client.reconnectionTime: expected ${retryNumber(r.digits)}, got ${String(time)} (the value itself, not cut to the timer limit)`] : []),
          ...(state !== 0 ? [`readyState while waiting: expected CONNECTING (0), got ${JSON.stringify(state)}`] : []),
          'events the client reported:',
          r.log.render(),
          'what the server saw:',
          r.server.timeline(),
        ]);
      }
    }
    for (const r of runs) {
      await r.client.call('close');
      await expectReadyState(r.client, 2, `close() during a long reconnection wait (retry: ${describeDigits(r.digits)})`, r.log, r.server);
    }
    await quiet(100);
    const late = runs.find((r) => r.server.requests.length !== 1);
    if (late) {
      failWith([`close() during the reconnection wait must cancel it for good, however long the wait was (retry: ${describeDigits(late.digits)})`, late.server.timeline()]);
    }
  });
});
