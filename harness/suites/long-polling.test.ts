// Hidden suite of exercise 7 (long-polling): both halves of a long-polling feed.
//
// Part 1, the server: the learner's UpdateServer runs in the sandbox on 127.0.0.1:0; real HTTP clients in this
// trusted process (undici, and node:http where a connection must be cut on purpose) poll it. Every verdict is taken
// on what these clients received. The server's own `waiting` count is used only as a readiness hint and is
// cross-checked against behaviour (a leaked waiter fills the server's capacity and shows up as a 503).
//
// Part 2, the client: the learner's PollingClient runs in the sandbox against a trusted long-polling server
// (harness/mocks/long-poll-server.ts) that scripts faults and records every request, sometimes behind a
// fault-injecting TCP proxy (harness/mocks/fault-proxy.ts). Timing is judged with a tight lower bound (never early)
// and a generous upper bound; randomness comes from the run's seed.
//
// Both parts end with a ledger test: many clients, seeded faults, a restart, and every published update must reach
// every client exactly once and in order.

import http from 'node:http';
import { Agent, request, type Dispatcher } from 'undici';
import { useSandbox } from '../support/sandbox';
import { RemoteError, type Remote } from '../sandbox/client';
import { randomInt, runSeed, seededRandom } from '../support/random';
import { formatMs, formatWindow, renderTimeline, type TimelineRow } from '../support/timeline';
import { LongPollMock, type MockFault, type MockOptions } from '../mocks/long-poll-server';
import { FaultProxy, type ProxyAction } from '../mocks/fault-proxy';

// 10 s: the first construct with { $require: 'undici' } loads undici in the sandbox, which took over 4 s on a machine at
// load average 40.
const sandbox = useSandbox({ callTimeoutMs: 10_000 });
const SEED = runSeed();
/** How late something may be on a loaded machine before it counts as wrong. Early is never tolerated. */
const LATE = 1500;
/** Timer slack: a timer may fire a millisecond early, and the two clocks are read at different moments. */
const EARLY = 5;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function failWith(lines: string[]): never {
  const cut = lines.length > 40 ? [...lines.slice(0, 39), `… (${lines.length - 39} more lines)`] : lines;
  throw new Error(cut.join('\n'));
}

function replay(): string {
  return `(seed ${SEED}: \`npx course check long-polling --seed ${SEED}\` replays this run)`;
}

// =================================================================================================================
// Trusted HTTP clients
// =================================================================================================================

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
  /** performance.now() when the response was complete. */
  at: number;
}

const agents: Agent[] = [];
function newAgent(): Agent {
  const agent = new Agent({ keepAliveTimeout: 500, headersTimeout: 8000, bodyTimeout: 8000, connect: { timeout: 2000 } });
  agents.push(agent);
  return agent;
}

async function get(port: number, path: string, dispatcher: Dispatcher, method: 'GET' | 'POST' = 'GET', signal?: AbortSignal): Promise<Answer> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { method, dispatcher, signal });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json, at: performance.now() };
}

function show(a: Answer | undefined): string {
  if (!a) return '(no answer)';
  const body = a.text.length > 160 ? `${a.text.slice(0, 160)}… (${a.text.length} chars)` : a.text;
  return `${a.status}${a.headers['content-type'] ? ` [${String(a.headers['content-type'])}]` : ''} ${body || '(empty body)'}`;
}

interface UpdatesBody {
  updates: Array<{ cursor: number; data: unknown }>;
  cursor: number;
}

function asUpdates(a: Answer): UpdatesBody | undefined {
  const j = a.json as Partial<UpdatesBody> | undefined;
  if (a.status !== 200 || !j || !Array.isArray(j.updates) || typeof j.cursor !== 'number') return undefined;
  if (!j.updates.every((u) => typeof u === 'object' && u !== null && typeof (u as { cursor?: unknown }).cursor === 'number')) return undefined;
  return j as UpdatesBody;
}

/** A GET that must not be answered for now: resolves with the answer, whenever it comes. */
function pending(port: number, path: string, dispatcher: Dispatcher): { answer: Promise<Answer>; settled: () => Answer | undefined } {
  let got: Answer | undefined;
  const answer = get(port, path, dispatcher).then((a) => (got = a));
  answer.catch(() => undefined);
  return { answer, settled: () => got };
}

/** Races a promise against a timeout; undefined on timeout. */
async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** A GET over its own TCP connection (node:http, no pooling) that the test can cut while it is held. */
function rawHeld(port: number, path: string): { cut: () => void; closed: Promise<void>; answered: () => boolean } {
  let answered = false;
  const req = http.get({ host: '127.0.0.1', port, path, agent: false });
  const closed = new Promise<void>((resolve) => req.on('close', () => resolve()));
  req.on('response', (res) => {
    answered = true;
    res.resume();
  });
  req.on('error', () => undefined);
  return { cut: () => req.destroy(), closed, answered: () => answered };
}

// =================================================================================================================
// Part 1: the server
// =================================================================================================================

describe('the server: GET /updates?after=<cursor>', () => {
  let server: Remote | undefined;
  let proxy: FaultProxy | undefined;

  afterEach(async () => {
    if (proxy) await proxy.close();
    proxy = undefined;
    await Promise.all(agents.splice(0).map((a) => a.destroy().catch(() => undefined)));
    if (server) await server.call('close').catch(() => undefined);
    server = undefined;
  });

  async function start(options: Record<string, unknown> = {}): Promise<number> {
    server = await sandbox().construct('UpdateServer', { host: '127.0.0.1', port: 0, holdMs: 5000, ...options });
    const port = await server.call('listen');
    if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0) {
      failWith([`UpdateServer.listen() must resolve with the port it listens on; it resolved with ${JSON.stringify(port)}`]);
    }
    return port;
  }

  async function publish(...items: unknown[]): Promise<number[]> {
    const cursors: number[] = [];
    for (const item of items) cursors.push((await server!.call('publish', item)) as number);
    return cursors;
  }

  /** Waits until the server says it holds n requests (a readiness hint only; verdicts come from the answers). */
  async function untilWaiting(n: number, timeoutMs = 3000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last: unknown;
    while (performance.now() < deadline) {
      last = await server!.get('waiting');
      if (last === n) return;
      await sleep(10);
    }
    failWith([
      `the server should now hold ${n} request(s) (each asked for updates after the newest cursor, so each must wait), ` +
        `but its \`waiting\` property says ${JSON.stringify(last)} after ${timeoutMs} ms`,
    ]);
  }

  function expectUpdates(a: Answer, cursors: number[], data: unknown[] | undefined, rule: string, request: string): UpdatesBody {
    const body = asUpdates(a);
    const got = body?.updates.map((u) => u.cursor);
    const dataOk = !data || (body && JSON.stringify(body.updates.map((u) => u.data)) === JSON.stringify(data));
    if (body && JSON.stringify(got) === JSON.stringify(cursors) && body.cursor === (cursors.length ? cursors[cursors.length - 1] : body.cursor) && dataOk) return body;
    failWith([
      rule,
      `request: GET ${request}`,
      `expected: 200 {"updates":[${cursors.map((c) => `{"cursor":${c},...}`).join(',')}],"cursor":${cursors[cursors.length - 1] ?? '<same>'}}`,
      `got:      ${show(a)}`,
      ...(body && !dataOk ? [`the data must be what publish() was given: expected ${JSON.stringify(data)}`] : []),
    ]);
  }

  test('publish() returns cursors 1, 2, 3…, and `latest` is the newest one (the cursor names a position in the history) {R7.1}', async () => {
    await start();
    const before = await server!.get('latest');
    const cursors = await publish('a', { b: 2 }, [3]);
    const after = await server!.get('latest');
    if (before !== 0 || JSON.stringify(cursors) !== '[1,2,3]' || after !== 3) {
      failWith([
        'cursors start at 1 and grow by one with every publish, so "after=N" means "I have everything up to N"',
        `latest before any publish: expected 0, got ${JSON.stringify(before)}`,
        `publish() returned ${JSON.stringify(cursors)}, expected [1,2,3]; latest afterwards: ${JSON.stringify(after)}, expected 3`,
      ]);
    }
  });

  test('updates newer than the cursor are returned at once, with their data, as JSON (RFC 9110 §15.3.1) {R7.4,R7.10}', async () => {
    const port = await start();
    await publish('one', { two: 2 }, [3], null);
    const a = await get(port, '/updates?after=0', newAgent());
    expectUpdates(a, [1, 2, 3, 4], ['one', { two: 2 }, [3], null], 'after=0 asks for everything published so far: answer at once, oldest first', '/updates?after=0');
    if (!String(a.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      failWith([`the body is JSON, so say so: Content-Type: application/json (got ${JSON.stringify(a.headers['content-type'] ?? null)})`]);
    }
  });

  test('only updates strictly after the cursor are returned: no repeat of the one the client has, none skipped {R7.2,R7.4}', async () => {
    const port = await start();
    await publish('u1', 'u2', 'u3', 'u4', 'u5');
    const agent = newAgent();
    expectUpdates(await get(port, '/updates?after=2', agent), [3, 4, 5], ['u3', 'u4', 'u5'], 'after=2: the client has 1 and 2, so it gets 3, 4, 5 (an off-by-one repeats 2 or loses 3)', '/updates?after=2');
    expectUpdates(await get(port, '/updates?after=4', agent), [5], ['u5'], 'after=4: only update 5 is new', '/updates?after=4');
  });

  test('with nothing new the request is held, and a publish answers it at once with exactly the new update {R7.5}', async () => {
    const port = await start({ holdMs: 5000 });
    await publish('old');
    const held = pending(port, '/updates?after=1', newAgent());
    await untilWaiting(1);
    await sleep(100);
    if (held.settled()) failWith(['after=1 is the newest cursor: the server must hold the request until there is news, not answer at once', `got: ${show(held.settled())}`]);
    await publish('new');
    const a = await within(held.answer, LATE);
    if (!a) failWith([`the held request must be answered as soon as publish() is called; nothing came within ${LATE} ms`]);
    expectUpdates(a, [2], ['new'], 'the held request gets the update that woke it, and only that one', '/updates?after=1');
  });

  test('a held request that sees no update ends after holdMs with 204 No Content, and the cursor stays valid (RFC 9110 §15.3.5) {R7.5}', async () => {
    const holdMs = 300;
    const port = await start({ holdMs });
    await publish('x');
    const agent = newAgent();
    const t0 = performance.now();
    const a = await within(get(port, '/updates?after=1', agent), holdMs + LATE + 1000);
    const took = a ? a.at - t0 : undefined;
    if (!a || a.status !== 204 || took! < holdMs - EARLY || took! > holdMs + LATE) {
      failWith([
        `with nothing new, the server holds the request for holdMs (${holdMs} ms) and then answers 204 No Content, so that the client polls again before a proxy or the client itself gives up on a silent connection`,
        renderTimeline([{ label: 'GET /updates?after=1 answered', expected: `204 in ${formatWindow(holdMs - EARLY, holdMs + LATE)}`, actual: a ? `${a.status} after ${formatMs(took)}` : undefined, ok: false }]),
        ...(a ? [`answer: ${show(a)}`] : []),
      ]);
    }
    if (a.text.length) failWith([`a 204 has no body (RFC 9110 §15.3.5); got ${JSON.stringify(a.text.slice(0, 80))}`]);
    const next = pending(port, '/updates?after=1', agent);
    await untilWaiting(1);
    await publish('y');
    const b = await within(next.answer, LATE);
    if (!b) failWith(['after a hold timeout the same cursor must work again: the next poll with after=1 should have got update 2']);
    expectUpdates(b, [2], ['y'], 'after a 204 the client polls again with the same cursor and gets what comes next', '/updates?after=1');
  });

  test('one publish wakes every held request: 30 clients each get the update exactly once {R7.12}', async () => {
    const port = await start({ holdMs: 8000 });
    const agent = newAgent();
    const polls = Array.from({ length: 30 }, () => pending(port, '/updates?after=0', agent));
    await untilWaiting(30, 5000);
    await publish('to everyone');
    const answers = await within(Promise.all(polls.map((p) => p.answer)), 3000);
    const rows: string[] = [];
    polls.forEach((p, i) => {
      const a = p.settled();
      const body = a && asUpdates(a);
      const ok = !!body && JSON.stringify(body.updates.map((u) => u.cursor)) === '[1]';
      if (!ok && rows.length < 10) rows.push(`  ✗ client ${i + 1}: ${a ? show(a) : 'still waiting'}`);
    });
    if (!answers || rows.length) {
      failWith([
        'every request held on the same cursor is waiting for the same news: one publish must answer all of them (keep a set of waiters and answer each, not just the first or the last)',
        `${polls.filter((p) => p.settled()).length} of 30 answered within 3000 ms of the publish`,
        ...rows,
      ]);
    }
  });

  test('a client that disconnects while held is released: no leaked waiter, the capacity is free again (RFC 9112 §9.6) {R7.13}', async () => {
    const port = await start({ holdMs: 8000, maxWaiting: 4 });
    await publish('start');
    const first = Array.from({ length: 4 }, () => rawHeld(port, '/updates?after=1'));
    await untilWaiting(4);
    for (const h of first) h.cut();
    await Promise.all(first.map((h) => h.closed));
    const deadline = performance.now() + 3000;
    let waiting: unknown;
    while (performance.now() < deadline) {
      waiting = await server!.get('waiting');
      if (waiting === 0) break;
      await sleep(10);
    }
    const agent = newAgent();
    const second = Array.from({ length: 4 }, () => pending(port, '/updates?after=1', agent));
    await sleep(150);
    const early = second.map((p) => p.settled()).filter((a): a is Answer => !!a);
    if (waiting !== 0 || early.length) {
      failWith([
        'four clients went away while held (their TCP connections closed). The server must forget them at once: listen for the ' +
          "response's 'close' event, clear the hold timer and remove the waiter. A leaked waiter keeps its timer, its memory, and a place in the maxWaiting capacity.",
        `the server's waiting count 3 s after the disconnects: ${JSON.stringify(waiting)} (expected 0)`,
        `four new polls with maxWaiting 4 should all be held; ${early.length} were answered at once: ${early.map(show).slice(0, 2).join(' | ')}`,
      ]);
    }
    await publish('after the leak check');
    const answers = await within(Promise.all(second.map((p) => p.answer)), 3000);
    if (!answers || answers.some((a) => JSON.stringify(asUpdates(a)?.updates.map((u) => u.cursor)) !== '[2]')) {
      failWith(['after the disconnects, a publish must still reach the four new waiters', ...second.map((p, i) => `  client ${i + 1}: ${show(p.settled())}`)]);
    }
  });

  test('a client that disconnects while held leaves no timer behind: its hold timer is cleared at once, not when the hold would have ended {R7.14}', async () => {
    const port = await start({ holdMs: 60_000 });
    await publish('start');
    const timers = async () => (await sandbox().activeResources()).filter((r) => r === 'Timeout').length;
    const before = await timers();
    const held = Array.from({ length: 5 }, () => rawHeld(port, '/updates?after=1'));
    await untilWaiting(5);
    const whileHeld = await timers();
    for (const h of held) h.cut();
    await Promise.all(held.map((h) => h.closed));
    await untilWaiting(0);
    // The waiters are gone from the set; their timers must be gone too (a hold of 60 s: nothing here ends them).
    const deadline = performance.now() + 2000;
    let after = await timers();
    while (after > before && performance.now() < deadline) {
      await sleep(20);
      after = await timers();
    }
    if (after > before) {
      failWith([
        "five clients went away while held (holdMs 60 000). In the response's 'close' handler the server must remove the waiter *and* clear its hold timer: " +
          'a timer left running keeps the closure and the response object alive for the rest of the hold.',
        `active timers in the server's process (process.getActiveResourcesInfo()): ${before} before the polls, ${whileHeld} while they were held, ${after} after they went away and \`waiting\` was 0`,
      ]);
    }
  });

  test('close() answers the held requests with 204 and stops listening {R7.37}', async () => {
    const port = await start({ holdMs: 60_000 });
    await publish('start');
    const agent = newAgent();
    const held = Array.from({ length: 2 }, () => pending(port, '/updates?after=1', agent));
    await untilWaiting(2);
    const closing = server!.callWithin(5000, 'close').then(() => 'closed', (err: unknown) => `close() failed: ${String(err)}`);
    const answers = await within(Promise.all(held.map((h) => h.answer.catch((err: Error) => err))), 3000);
    const closed = await within(closing, 3000);
    const refused = await get(port, '/updates?after=1', newAgent()).then(
      (a) => `answered ${show(a)}`,
      (err: Error & { code?: string }) => (err.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(String(err.message)) ? 'refused' : `failed: ${err.code ?? err.message}`),
    );
    const problems: string[] = [];
    if (!answers) problems.push('the two held polls were not answered within 3 s of close()');
    else answers.forEach((a, i) => {
      if (a instanceof Error || a.status !== 204) problems.push(`held poll ${i + 1}: expected 204 No Content, got ${a instanceof Error ? `an error (${a.message})` : show(a)}`);
    });
    if (closed !== 'closed') problems.push(closed ?? 'close() did not resolve within 3 s');
    if (refused !== 'refused') problems.push(`a new poll after close() must find nothing listening (connection refused); it was ${refused}`);
    if (problems.length) failWith(['close(): answer held requests 204, stop listening, close connections.', ...problems.map((p) => `- ${p}`)]);
  });

  test('when maxWaiting requests are held, one more is refused with 503 and Retry-After (RFC 9110 §15.6.4, §10.2.3) {R7.7}', async () => {
    const port = await start({ holdMs: 8000, maxWaiting: 3, retryAfterSeconds: 7 });
    const agent = newAgent();
    const held = Array.from({ length: 3 }, () => pending(port, '/updates?after=0', agent));
    await untilWaiting(3);
    const extra = await within(get(port, '/updates?after=0', agent), LATE);
    if (!extra || extra.status !== 503 || String(extra.headers['retry-after']) !== '7') {
      failWith([
        'a server that holds requests must bound how many: past maxWaiting it answers 503 Service Unavailable at once, with Retry-After (here 7 seconds) telling the client when to come back',
        `the fourth poll got: ${extra ? `${show(extra)} Retry-After: ${JSON.stringify(extra.headers['retry-after'] ?? null)}` : `no answer within ${LATE} ms`}`,
      ]);
    }
    await publish('go');
    const answers = await within(Promise.all(held.map((p) => p.answer)), 3000);
    if (!answers || answers.some((a) => a.status !== 200)) failWith(['the three held requests must still get the update', ...held.map((p) => show(p.settled()))]);
  });

  test('a backlog is served in batches of at most maxBatch; the cursor of each answer is its last update, so nothing is skipped {R7.4,R7.11}', async () => {
    const port = await start({ maxBatch: 4 });
    await publish(...Array.from({ length: 10 }, (_, i) => `b${i + 1}`));
    const agent = newAgent();
    const seen: number[] = [];
    const log: string[] = [];
    let cursor = 0;
    for (let i = 0; i < 3; i++) {
      const a = await get(port, `/updates?after=${cursor}`, agent);
      log.push(`GET after=${cursor} → ${show(a)}`);
      const body = asUpdates(a);
      if (!body) break;
      seen.push(...body.updates.map((u) => u.cursor));
      if (body.updates.length > 4) break;
      cursor = body.cursor;
    }
    if (JSON.stringify(seen) !== JSON.stringify([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])) {
      failWith([
        '10 updates with maxBatch 4: three polls following the cursor of each answer must get 1-4, 5-8, 9-10. The "cursor" of an answer is the cursor of its last update (not the newest one published, or the client skips what did not fit)',
        ...log,
      ]);
    }
  });

  test('history is bounded: the oldest kept update is still served, a cursor before it gets 410 Gone with a resync cursor (RFC 9110 §15.5.11) {R7.3,R7.6}', async () => {
    const port = await start({ historyLimit: 3 });
    await publish(...Array.from({ length: 10 }, (_, i) => i + 1));
    const agent = newAgent();
    const kept = await get(port, '/updates?after=7', agent);
    expectUpdates(kept, [8, 9, 10], [8, 9, 10], 'historyLimit 3 keeps updates 8, 9, 10; a client at cursor 7 misses nothing, so it is served normally', '/updates?after=7');
    const gone = await get(port, '/updates?after=6', agent);
    const j = gone.json as { error?: unknown; cursor?: unknown } | undefined;
    if (gone.status !== 410 || j?.error !== 'resync' || j.cursor !== 10) {
      failWith([
        'a client at cursor 6 needs update 7, which is no longer kept: serving 8-10 would lose 7 without telling anyone. Answer 410 Gone with {"error":"resync","cursor":<newest cursor>} so the client can reload its state and continue from there',
        `GET /updates?after=6 → ${show(gone)}`,
      ]);
    }
  });

  test('a cursor the server never issued (from before a restart) gets 410 with the resync cursor, not a hang (RFC 9110 §15.5.11) {R7.6}', async () => {
    const port = await start({ holdMs: 5000 });
    await publish('a', 'b');
    const a = await within(get(port, '/updates?after=99', newAgent()), LATE);
    const j = a?.json as { error?: unknown; cursor?: unknown } | undefined;
    if (!a || a.status !== 410 || j?.error !== 'resync' || j.cursor !== 2) {
      failWith([
        'after=99 is ahead of the newest cursor (2): it came from another server or an earlier life of this one. Holding it would never deliver 3..99; answer 410 {"error":"resync","cursor":2}',
        `got: ${a ? show(a) : `no answer within ${LATE} ms (held?)`}`,
      ]);
    }
  });

  test('malformed cursors get 400, other paths 404, other methods 405 with Allow: GET (RFC 9110 §15.5.1, §15.5.5, §15.5.6) {R7.8}', async () => {
    const port = await start();
    await publish('x');
    const agent = newAgent();
    const cases: Array<[string, 'GET' | 'POST', number]> = [
      ['/updates?after=abc', 'GET', 400],
      ['/updates?after=-1', 'GET', 400],
      ['/updates?after=1.5', 'GET', 400],
      ['/updates?after=', 'GET', 400],
      ['/updates', 'GET', 400],
      ['/nothing-here', 'GET', 404],
      ['/updates?after=0', 'POST', 405],
    ];
    const rows: TimelineRow[] = [];
    for (const [path, method, status] of cases) {
      const a = await within(get(port, path, agent, method), LATE);
      const allowOk = status !== 405 || String(a?.headers.allow ?? '').toUpperCase().includes('GET');
      rows.push({ label: `${method} ${path}`, expected: status === 405 ? '405 + Allow: GET' : String(status), actual: a ? `${a.status}${status === 405 ? ` Allow: ${JSON.stringify(a.headers.allow ?? null)}` : ''}` : 'no answer', ok: a?.status === status && allowOk });
    }
    if (rows.some((r) => !r.ok)) {
      failWith(['bad requests get a clear 4xx at once (a cursor is a decimal integer >= 0; a request that cannot succeed must never be held)', renderTimeline(rows, { headings: ['request', 'expected', 'got'] })]);
    }
  });

  test('every answer says Cache-Control: no-store, so no cache replays an old batch (RFC 9111 §5.2.2.5) {R7.9}', async () => {
    const port = await start({ holdMs: 200 });
    await publish('x');
    const agent = newAgent();
    const answers = [await get(port, '/updates?after=0', agent), await get(port, '/updates?after=1', agent), await get(port, '/updates?after=9', agent)];
    const bad = answers.filter((a) => !String(a.headers['cache-control'] ?? '').toLowerCase().includes('no-store'));
    if (bad.length) {
      failWith([
        'a cache between client and server that stored "GET /updates?after=1" would answer the next identical poll from storage: the same batch again, or a stale 204. Send Cache-Control: no-store on every answer (200, 204, 410)',
        ...answers.map((a) => `  ${a.status}: Cache-Control ${JSON.stringify(a.headers['cache-control'] ?? null)}`),
      ]);
    }
  });

  test('ledger: 20 concurrent clients, half of them through a proxy that drops and delays answers and restarts, receive every update exactly once and in order {R7.4,R7.12}', async () => {
    const random = seededRandom(SEED * 7 + 1);
    const holdMs = 250;
    const port = await start({ holdMs, maxBatch: 7, historyLimit: 10_000 });
    const plan: ProxyAction[] = [];
    proxy = await FaultProxy.start(port, (i) => {
      while (plan.length <= i) {
        const r = random();
        plan.push(r < 0.15 ? { kind: 'drop-answer' } : r < 0.3 ? { kind: 'delay', ms: randomInt(random, 20, 120) } : { kind: 'pass' });
      }
      return plan[i]!;
    });
    const M = 40;
    const published: Array<{ cursor: number; data: unknown }> = [];
    interface LedgerClient {
      label: string;
      got: Array<{ cursor: number; data: unknown }>;
      log: string[];
      slowMs: number;
    }
    const t0 = performance.now();
    const stamp = () => `+${(performance.now() - t0).toFixed(0)} ms`.padStart(9);
    const stop = new AbortController();
    const clients: LedgerClient[] = Array.from({ length: 20 }, (_, i) => ({
      label: `client ${i + 1} (${i % 2 === 0 ? 'direct' : 'through the proxy'}${i % 6 === 5 || i % 6 === 2 ? ', slow consumer' : ''})`,
      got: [],
      log: [],
      slowMs: i % 6 === 5 || i % 6 === 2 ? randomInt(random, 30, 100) : 0,
    }));
    const loops = clients.map(async (c, i) => {
      const target = i % 2 === 0 ? port : proxy!.listenPort;
      const agent = newAgent();
      let cursor = 0;
      while (!stop.signal.aborted && c.got.length < M) {
        let a: Answer;
        try {
          a = await get(target, `/updates?after=${cursor}`, agent, 'GET', stop.signal);
        } catch (err) {
          if (stop.signal.aborted) return;
          c.log.push(`${stamp()} GET after=${cursor} → ${(err as { code?: string }).code ?? (err as Error).message}`);
          await sleep(20);
          continue;
        }
        const body = asUpdates(a);
        c.log.push(`${stamp()} GET after=${cursor} → ${a.status}${body ? ` ${JSON.stringify(body.updates.map((u) => u.cursor))} cursor ${body.cursor}` : ''}`);
        if (a.status === 204) continue;
        if (!body) {
          c.log.push(`   ${show(a)}`);
          if (a.status >= 500) {
            await sleep(20);
            continue;
          }
          return;
        }
        c.got.push(...body.updates.map((u) => ({ cursor: u.cursor, data: u.data })));
        cursor = body.cursor;
        if (c.slowMs) await sleep(c.slowMs);
      }
    });
    await untilWaiting(10, 5000).catch(() => undefined);
    // The publishes are sent without waiting for each reply (the RPC keeps their order), so a slow machine
    // stretches the replies, not the schedule.
    const calls: Array<Promise<unknown>> = [];
    for (let n = 1; n <= M; n++) {
      const data = { n, text: `update ${n}`, nonce: randomInt(random, 0, 1e9) };
      published.push({ cursor: NaN, data });
      calls.push(server!.call('publish', data).then((cursor) => (published[n - 1]!.cursor = cursor as number)));
      if (n === 15 || n === 30) await sleep(holdMs + 150); // long enough for hold timeouts
      else await sleep(randomInt(random, 0, 25));
      if (n === 22) void proxy!.restart(150);
    }
    await Promise.all(calls);
    const done = await within(Promise.all(loops), 12_000);
    stop.abort();
    await Promise.allSettled(loops);
    const expected = published.map((p) => p.cursor);
    if (JSON.stringify(expected) !== JSON.stringify(Array.from({ length: M }, (_, i) => i + 1))) {
      failWith([`publish() must return 1, 2, 3… ${M}; it returned ${JSON.stringify(expected.slice(0, 20))}…`]);
    }
    for (const c of clients) {
      const cursors = c.got.map((u) => u.cursor);
      let bad = -1;
      for (let k = 0; k < Math.max(M, cursors.length); k++) {
        if (cursors[k] !== k + 1 || JSON.stringify(c.got[k]?.data) !== JSON.stringify(published[k]?.data)) {
          bad = k;
          break;
        }
      }
      if (bad < 0) continue;
      const dup = cursors.find((x, k) => cursors.indexOf(x) !== k);
      failWith([
        `${c.label} did not receive every update exactly once, in order: each poll asks for updates after the cursor it holds, so ` +
          'whatever the network does (a dropped answer, a delay, a restart of the proxy), the server must answer with exactly the updates after that cursor.',
        `first divergence at position ${bad + 1}: expected update ${bad + 1}${published[bad] ? ` ${JSON.stringify(published[bad]!.data)}` : ''}, got ` +
          (c.got[bad] ? `update ${c.got[bad]!.cursor} ${JSON.stringify(c.got[bad]!.data)}` : 'nothing'),
        `received ${cursors.length} update(s)${dup !== undefined ? `; update ${dup} arrived twice` : ''}: ${JSON.stringify(cursors.slice(Math.max(0, bad - 5), bad + 6))} (around the divergence)`,
        `${done ? '' : 'the clients were still polling 12 s after the last publish. '}proxy: ${JSON.stringify(proxy!.stats)}`,
        `this client's polls (last 18):`,
        ...c.log.slice(-18),
        replay(),
      ]);
    }
  });
});

// =================================================================================================================
// Part 2: the client
// =================================================================================================================

const FETCH = { $require: 'undici', export: 'fetch' };

interface RetryLogged {
  attempt?: unknown;
  delayMs?: unknown;
  status?: unknown;
  retryAfter?: unknown;
  at: number;
}

interface Batch {
  type?: unknown;
  updates?: Array<{ cursor?: unknown; data?: unknown }>;
  cursor?: unknown;
}

/** How long a test watches for a request that a client polling ahead would send at once (and a correct one never). */
const IDLE_WINDOW_MS = 1000;

describe('the client: PollingClient', () => {
  const mocks: LongPollMock[] = [];
  const proxies: FaultProxy[] = [];
  const clients: Remote[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.call('stop').catch(() => undefined);
    await Promise.all(proxies.splice(0).map((p) => p.close()));
    await Promise.all(mocks.splice(0).map((m) => m.close()));
  });

  async function serve(options: MockOptions = {}): Promise<LongPollMock> {
    const mock = await LongPollMock.start(options);
    mocks.push(mock);
    return mock;
  }

  interface ClientSetup {
    cursor?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    factor?: number;
    jitter?: number;
    random?: number[];
    now?: number;
    requestTimeoutMs?: number;
    url?: string;
  }

  async function connect(mock: LongPollMock, setup: ClientSetup = {}): Promise<{ client: Remote; retries: RetryLogged[] }> {
    const retries: RetryLogged[] = [];
    const options: Record<string, unknown> = {
      fetch: FETCH,
      baseDelayMs: setup.baseDelayMs ?? 50,
      maxDelayMs: setup.maxDelayMs ?? 1000,
      factor: setup.factor ?? 2,
      jitter: setup.jitter ?? 0,
      random: { $sequence: setup.random ?? [0] },
      requestTimeoutMs: setup.requestTimeoutMs ?? 10_000,
      onRetry: sandbox().callback((e) => retries.push({ ...(e as object), at: performance.now() })),
    };
    if (setup.cursor !== undefined) options.cursor = setup.cursor;
    if (setup.now !== undefined) options.now = { $sequence: [setup.now] };
    const client = await sandbox().construct('PollingClient', setup.url ?? mock.url, options);
    clients.push(client);
    return { client, retries };
  }

  async function next(client: Remote, mock: LongPollMock, timeoutMs = 5000): Promise<Batch | null> {
    try {
      return (await client.callWithin(timeoutMs + 2000, 'next')) as Batch | null;
    } catch (err) {
      if (err instanceof RemoteError) failWith([`next() threw ${err.name}${err.code ? ` [${err.code}]` : ''}: ${err.remoteMessage}`, 'what the server saw:', mock.timeline()]);
      throw err;
    }
  }

  /** next(), failing with the timeline if nothing comes within timeoutMs. */
  async function nextWithin(client: Remote, mock: LongPollMock, timeoutMs: number, what: string): Promise<Batch | null> {
    const b = await within(next(client, mock, timeoutMs + 4000), timeoutMs);
    if (b === undefined) failWith([`next() should have delivered ${what} within ${timeoutMs} ms; it is still waiting`, 'what the server saw:', mock.timeline()]);
    return b;
  }

  function cursorsOf(b: Batch | null): unknown {
    return b?.updates?.map((u) => u.cursor);
  }

  function expectBatch(b: Batch | null, cursors: number[], mock: LongPollMock, rule: string): void {
    const ok = b?.type === 'updates' && JSON.stringify(cursorsOf(b)) === JSON.stringify(cursors) && b.cursor === cursors[cursors.length - 1] &&
      b.updates!.every((u) => JSON.stringify(u.data) === JSON.stringify(mock.history.find((h) => h.cursor === u.cursor)?.data));
    if (ok) return;
    failWith([
      rule,
      `expected next() → {"type":"updates","updates":[${cursors.map((c) => `{"cursor":${c},"data":…}`).join(',')}],"cursor":${cursors[cursors.length - 1]}}`,
      `got            → ${JSON.stringify(b)?.slice(0, 300)}`,
      'what the server saw:',
      mock.timeline(),
    ]);
  }

  /** Checks the gaps between failed requests and the next ones against the expected delays, plus the onRetry reports. */
  function checkRetries(mock: LongPollMock, retries: RetryLogged[], failed: number[], expected: Array<{ attempt: number; delayMs: number; status: number | null; retryAfter?: boolean }>, title: string): void {
    const rows: TimelineRow[] = [];
    const problems: string[] = [];
    expected.forEach((exp, k) => {
      const i = failed[k]!;
      const gap = mock.gapBefore(i + 1);
      const ev = retries[k];
      const lo = exp.delayMs - EARLY;
      const hi = exp.delayMs + LATE;
      let ok = gap !== undefined && gap >= lo && gap <= hi;
      let note = gap === undefined ? 'no next request' : gap < lo ? 'too early' : gap > hi ? 'too late' : '';
      const evOk = !!ev && ev.attempt === exp.attempt && typeof ev.delayMs === 'number' && Math.abs(ev.delayMs - exp.delayMs) <= 1 &&
        ev.status === exp.status && (exp.retryAfter === undefined || ev.retryAfter === exp.retryAfter);
      if (!evOk) {
        ok = false;
        note = `${note ? `${note}; ` : ''}onRetry ${ev ? JSON.stringify({ attempt: ev.attempt, delayMs: typeof ev.delayMs === 'number' ? Number(ev.delayMs.toFixed(2)) : ev.delayMs, status: ev.status, retryAfter: ev.retryAfter }) : 'not called'}`;
      }
      if (!ok && problems.length < 3) {
        problems.push(`retry ${k + 1} after request #${i + 1} (${mock.requests[i]?.ending ?? '?'}): expected attempt ${exp.attempt}, ${formatMs(exp.delayMs)}, status ${exp.status}${exp.retryAfter ? ', retryAfter true' : ''}` +
          (gap !== undefined ? `; the next request came ${formatMs(gap)} later` : ''));
      }
      rows.push({
        label: `after #${i + 1} ${mock.requests[i]?.ending ?? '?'}`,
        expected: `#${exp.attempt} ${formatMs(exp.delayMs)} (${formatWindow(lo, hi)})`,
        actual: gap === undefined ? undefined : formatMs(gap),
        ok,
        note,
      });
    });
    if (rows.every((r) => r.ok)) return;
    failWith([
      title,
      renderTimeline(rows, { headings: ['retry (time from the failed answer to the next request)', 'expected #attempt delay (window)', 'actual'] }),
      ...problems.map((p) => `- ${p}`),
      'what the server saw:',
      mock.timeline(),
      replay(),
    ]);
  }

  function model(attempt: number, b: { baseDelayMs: number; maxDelayMs: number; factor: number; jitter: number }, r: number): number {
    return Math.min(b.maxDelayMs, b.baseDelayMs * b.factor ** (attempt - 1)) * (1 - b.jitter * r);
  }

  test('the first poll asks for updates after the initial cursor; next() delivers them as one batch and the cursor advances {R7.34,R7.18}', async () => {
    const mock = await serve();
    for (let i = 1; i <= 5; i++) mock.publish({ i });
    const { client } = await connect(mock, { cursor: 2 });
    const b = await nextWithin(client, mock, 8000, 'updates 3-5');
    if (mock.requests[0]?.rawAfter !== '2') failWith([`new PollingClient(url, { cursor: 2 }) must ask GET /updates?after=2 first`, mock.timeline()]);
    expectBatch(b, [3, 4, 5], mock, 'the client starts after cursor 2, so the first batch is 3, 4, 5');
    const cursor = await client.get('cursor');
    if (cursor !== 5) failWith([`after delivering update 5 the client's cursor is 5; it says ${JSON.stringify(cursor)}`]);
  });

  test('each poll carries the cursor of the last update delivered, so updates published between polls are not lost (the seed\'s bug) {R7.18,R7.34}', async () => {
    const mock = await serve({ holdMs: 2000 });
    const { client } = await connect(mock);
    mock.publish('a');
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'first batch');
    // The consumer is busy: three updates arrive while nobody polls.
    mock.publish('b');
    mock.publish('c');
    mock.publish('d');
    expectBatch(await nextWithin(client, mock, 8000, 'updates 2-4'), [2, 3, 4], mock, 'updates published while the client was not polling are waiting for it at the server; a poll with after=1 gets all three');
    const afters = mock.requests.map((r) => r.rawAfter);
    if (JSON.stringify(afters.slice(0, 2)) !== '["0","1"]') failWith([`the polls must ask after=0, then after=1; they asked ${JSON.stringify(afters)}`, mock.timeline()]);
  });

  test('next() polls only when the application asks: no request goes out between two next() calls, and the next poll collects what piled up {R7.27}', async () => {
    const mock = await serve({ holdMs: 5000 });
    const { client } = await connect(mock);
    mock.publish('a');
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'first batch');
    // The application is busy with its batch and asks for nothing. A client that polls ahead sends its next poll as
    // soon as it has the answer (within milliseconds); this one may send none, so the window only bounds the wait.
    const quiet = await mock.waitForRequests(2, IDLE_WINDOW_MS).then(
      () => false,
      () => true,
    );
    const requestsWhileBusy = mock.requests.length - 1;
    mock.publish('b');
    mock.publish('c');
    mock.publish('d');
    const second = await nextWithin(client, mock, 8000, 'updates 2-4');
    if (!quiet || requestsWhileBusy !== 0) {
      failWith([
        `next() polls only when the application asks for the next batch: after next() delivered update 1 and before next() was called again, the server received ${requestsWhileBusy} request(s).`,
        'Polling ahead holds a request at the server that the application did not ask for, and the updates it fetches wait in the client instead of piling up at the server.',
        'what the server saw:',
        mock.timeline(),
      ]);
    }
    expectBatch(second, [2, 3, 4], mock, 'the three updates published while the application was busy are collected by the one poll its next() call sends');
  });

  test('hold timeouts (204, or 200 with no updates) are not errors: the client polls again at once with the same cursor {R7.29}', async () => {
    const mock = await serve({ holdMs: 120, timeoutStyle: 'alternate' });
    mock.publish('first');
    const { client, retries } = await connect(mock, { cursor: 1, baseDelayMs: 5000, maxDelayMs: 20_000 });
    const pendingNext = next(client, mock, 12_000);
    await mock.waitForRequests(4, 8000);
    mock.publish('later');
    const b = await within(pendingNext, 5000);
    if (b === undefined) failWith(['next() should have delivered update 2', mock.timeline()]);
    expectBatch(b, [2], mock, 'the update published after three hold timeouts');
    const gaps = [1, 2, 3].map((i) => mock.gapBefore(i));
    const afters = mock.requests.slice(0, 4).map((r) => r.rawAfter);
    if (gaps.some((g) => g === undefined || g > LATE) || afters.some((a) => a !== '1') || retries.length) {
      failWith([
        'an empty answer after the hold timeout is the normal rhythm of long polling, not a failure: poll again right away (no backoff, no onRetry) with the same cursor. A client that backs off here (baseDelayMs is 5000 in this test) delays every update that follows a quiet period',
        `gaps between the answers and the next polls: ${gaps.map((g) => formatMs(g)).join(', ')} (expected at most ${LATE} ms each)`,
        `cursors asked: ${JSON.stringify(afters)}; onRetry calls: ${retries.length}`,
        mock.timeline(),
      ]);
    }
  });

  test('updates the server sends again (at-least-once delivery) are dropped: never delivered twice {R7.20}', async () => {
    const mock = await serve({ holdMs: 2000, faults: (i) => (i === 1 ? { kind: 'replay', count: 2 } : undefined) });
    for (let i = 1; i <= 3; i++) mock.publish(i);
    const { client } = await connect(mock);
    expectBatch(await nextWithin(client, mock, 8000, 'updates 1-3'), [1, 2, 3], mock, 'first batch');
    mock.publish(4);
    const b = await nextWithin(client, mock, 8000, 'update 4');
    expectBatch(b, [4], mock, 'the server put updates 2 and 3 in front of 4 again (a retry layer, a replica that replays); the client already delivered them, so only 4 is new: drop every update whose cursor is not greater than yours');
  });

  test('server errors are retried with exponential backoff, measured at the server (RFC 9110 §15.6) {R7.21,R7.32,R7.36}', async () => {
    const mock = await serve({ faults: (i) => (i < 4 ? { kind: 'status', status: i % 2 ? 502 : 500 } : undefined) });
    mock.publish('ok');
    const b = { baseDelayMs: 40, maxDelayMs: 1000, factor: 2, jitter: 0 };
    const { client, retries } = await connect(mock, b);
    expectBatch(await nextWithin(client, mock, 8000, 'update 1 after four failures'), [1], mock, 'after the failures the update arrives');
    checkRetries(mock, retries, [0, 1, 2, 3], [1, 2, 3, 4].map((n) => ({ attempt: n, delayMs: model(n, b, 0), status: n % 2 ? 500 : 502 })),
      'Four answers 500/502 in a row: wait base, base × factor, base × factor²… before polling again (here 40, 80, 160, 320 ms). Polling a failing server in a tight loop (the seed polls again after 100 ms whatever happened) turns an outage into a flood.');
  });

  test('the backoff is capped at maxDelayMs and reduced by jitter × random(), one random draw per retry {R7.21,R7.36}', async () => {
    const mock = await serve({ faults: (i) => (i < 4 ? { kind: 'status', status: 503 } : undefined) });
    mock.publish('ok');
    const random = [0.5, 0.1, 0.9, 0.3];
    const b = { baseDelayMs: 60, maxDelayMs: 150, factor: 3, jitter: 0.5 };
    const { client, retries } = await connect(mock, { ...b, random });
    expectBatch(await nextWithin(client, mock, 8000, 'update 1 after four failures'), [1], mock, 'after the failures the update arrives');
    checkRetries(mock, retries, [0, 1, 2, 3], random.map((r, k) => ({ attempt: k + 1, delayMs: model(k + 1, b, r), status: 503, retryAfter: false })),
      `delay = min(maxDelayMs, base × factor^(attempt − 1)) × (1 − jitter × random()), with ${JSON.stringify(b)} and random() returning ${random.join(', ')}. Jitter spreads a crowd of clients apart after an outage.`);
  });

  test('a successful poll resets the attempt counter: the next failure waits baseDelayMs again {R7.22}', async () => {
    const mock = await serve({ holdMs: 2000, faults: (i) => (i === 0 || i === 1 || i === 3 ? { kind: 'status', status: 500 } : undefined) });
    mock.publish('one');
    const b = { baseDelayMs: 60, maxDelayMs: 5000, factor: 4, jitter: 0 };
    const { client, retries } = await connect(mock, b);
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'first update');
    mock.publish('two');
    expectBatch(await nextWithin(client, mock, 8000, 'update 2'), [2], mock, 'second update');
    checkRetries(mock, retries, [0, 1, 3], [
      { attempt: 1, delayMs: 60, status: 500 },
      { attempt: 2, delayMs: 240, status: 500 },
      { attempt: 1, delayMs: 60, status: 500 },
    ], 'fail, fail, success, fail: the success in between resets the counter, so the third failure is attempt 1 again (60 ms, not 960 ms)');
  });

  test('a poll that ends with 204 (no news before the hold timeout) is a success too: it resets the attempt counter {R7.22}', async () => {
    const mock = await serve({ holdMs: 150, faults: (i) => (i === 0 || i === 1 || i === 3 ? { kind: 'status', status: 500 } : undefined) });
    const b = { baseDelayMs: 60, maxDelayMs: 5000, factor: 4, jitter: 0 };
    const { client, retries } = await connect(mock, b);
    // #1 and #2 fail, #3 is held and answered 204, #4 fails, #5 is held: then the update arrives.
    const waiting = nextWithin(client, mock, 8000, 'update 1'); // next() is what makes the client poll
    waiting.catch(() => undefined); // judged below; handled here in case waitForRequests throws first
    await mock.waitForRequests(5, 6000);
    mock.publish('one');
    expectBatch(await waiting, [1], mock, 'the update after the 204');
    checkRetries(mock, retries, [0, 1, 3], [
      { attempt: 1, delayMs: 60, status: 500 },
      { attempt: 2, delayMs: 240, status: 500 },
      { attempt: 1, delayMs: 60, status: 500 },
    ], 'fail, fail, 204 (held, no news), fail: the 204 was a successful poll, so the third failure is attempt 1 again (60 ms, not 960 ms)');
  });

  test('503 with Retry-After in seconds: the client waits that long instead of its backoff (RFC 9110 §10.2.3) {R7.23,R7.31}', async () => {
    const mock = await serve({ faults: (i) => (i === 0 ? { kind: 'status', status: 503, retryAfter: '1' } : undefined) });
    mock.publish('after the wait');
    const { client, retries } = await connect(mock, { baseDelayMs: 20 });
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'the update after the wait');
    checkRetries(mock, retries, [0], [{ attempt: 1, delayMs: 1000, status: 503, retryAfter: true }],
      'the server answered 503 with Retry-After: 1. It knows better than the client\'s backoff (20 ms here) when it can serve again: wait 1 s.');
  });

  test('429 with Retry-After as an HTTP-date: the wait is that date minus now, from the injected clock (RFC 9110 §10.2.3, RFC 6585 §4) {R7.23,R7.31}', async () => {
    const now = Date.UTC(2026, 0, 15, 10, 30, 0);
    const when = new Date(now + 1000).toUTCString();
    const mock = await serve({ faults: (i) => (i === 0 ? { kind: 'status', status: 429, retryAfter: when } : undefined) });
    mock.publish('after the wait');
    const { client, retries } = await connect(mock, { baseDelayMs: 20, now });
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'the update after the wait');
    checkRetries(mock, retries, [0], [{ attempt: 1, delayMs: 1000, status: 429, retryAfter: true }],
      `429 Too Many Requests with Retry-After: ${when}; the client's clock (options.now) says ${new Date(now).toUTCString()}, so wait 1000 ms`);
  });

  test('429 or 503 without a usable Retry-After falls back to the backoff (RFC 9110 §10.2.3) {R7.24,R7.31}', async () => {
    const mock = await serve({ faults: (i) => (i === 0 ? { kind: 'status', status: 429, retryAfter: 'soon' } : i === 1 ? { kind: 'status', status: 503 } : undefined) });
    mock.publish('x');
    const b = { baseDelayMs: 50, maxDelayMs: 1000, factor: 2, jitter: 0 };
    const { client, retries } = await connect(mock, b);
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'the update');
    checkRetries(mock, retries, [0, 1], [
      { attempt: 1, delayMs: 50, status: 429, retryAfter: false },
      { attempt: 2, delayMs: 100, status: 503, retryAfter: false },
    ], '"Retry-After: soon" is neither delay-seconds nor an HTTP-date, and the second 503 has none: use the backoff');
  });

  test('a connection reset and a body cut in the middle are retried with the same cursor: nothing lost, nothing twice (RFC 9112 §9.6) {R7.19,R7.32}', async () => {
    const mock = await serve({ holdMs: 2000, faults: (i) => (i === 0 ? { kind: 'reset' } : i === 1 ? { kind: 'cut-body' } : undefined) });
    mock.publish('p1');
    mock.publish('p2');
    const b = { baseDelayMs: 30, maxDelayMs: 1000, factor: 2, jitter: 0 };
    const { client, retries } = await connect(mock, b);
    expectBatch(await nextWithin(client, mock, 8000, 'updates 1-2'), [1, 2], mock, 'the third request gets the batch whole');
    const afters = mock.requests.slice(0, 3).map((r) => r.rawAfter);
    if (JSON.stringify(afters) !== '["0","0","0"]') failWith([`the half-received batch must be thrown away and asked for again with the same cursor: polls asked ${JSON.stringify(afters)}`, mock.timeline()]);
    checkRetries(mock, retries, [0, 1], [
      { attempt: 1, delayMs: 30, status: null },
      { attempt: 2, delayMs: 60, status: null },
    ], 'a network failure (no status: report status null) is retried with the backoff, like a 5xx');
  });

  test('a poll that gets no answer is abandoned after requestTimeoutMs and retried (the connection is closed) {R7.17,R7.26,R7.32}', async () => {
    const mock = await serve({ holdMs: 2000, faults: (i) => (i === 0 ? { kind: 'blackhole' } : undefined) });
    mock.publish('x');
    const { client, retries } = await connect(mock, { requestTimeoutMs: 400, baseDelayMs: 30, jitter: 0 });
    const t0 = performance.now();
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'after the silent request the retry gets the update');
    const first = mock.requests[0]!;
    // The client starts its timer after next() was called (t0) and before the request reaches the server, so the
    // abort is seen at the server no earlier than t0 + 400 ms, and (generously) no later than its arrival + 400 ms.
    const sinceNext = (first.endedAt ?? performance.now()) - t0;
    const lived = (first.endedAt ?? performance.now()) - first.at;
    if (first.ending !== 'client went away' || sinceNext < 400 - EARLY || lived > 400 + LATE || retries[0]?.status !== null) {
      failWith([
        'a request that is never answered (a dead proxy, a half-open TCP connection) would block the client forever: abort it after requestTimeoutMs (400 ms here) with the AbortController of that fetch, then retry with backoff (onRetry with status null)',
        renderTimeline([
          { label: 'request #1 closed by the client, from the call to next()', expected: `>= ${formatMs(400 - EARLY)}`, actual: first.endedAt === undefined ? undefined : formatMs(sinceNext), ok: sinceNext >= 400 - EARLY },
          { label: 'request #1 closed by the client, from its arrival', expected: `<= ${formatMs(400 + LATE)}`, actual: first.endedAt === undefined ? undefined : formatMs(lived), ok: lived <= 400 + LATE },
        ]),
        `onRetry: ${JSON.stringify(retries.map((r) => ({ attempt: r.attempt, status: r.status })))}`,
        mock.timeline(),
      ]);
    }
  });

  test('410 resync: a consumer that fell behind the bounded history gets a resync batch, then the updates after it {R7.28,R7.30}', async () => {
    const mock = await serve({ holdMs: 2000, historyLimit: 3 });
    mock.publish('u1');
    const { client } = await connect(mock);
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'first batch');
    for (let i = 2; i <= 10; i++) mock.publish(`u${i}`);
    const r = await nextWithin(client, mock, 8000, 'a resync');
    if (r?.type !== 'resync' || r.cursor !== 10) {
      failWith([
        'the slow consumer is at cursor 1, but the server keeps only updates 8-10: it answers 410 {"error":"resync","cursor":10}. next() must resolve {"type":"resync","cursor":10} (the application reloads its state) and carry on from cursor 10, never treat it as an error to retry',
        `next() → ${JSON.stringify(r)}`,
        mock.timeline(),
      ]);
    }
    mock.publish('u11');
    expectBatch(await nextWithin(client, mock, 8000, 'update 11'), [11], mock, 'after the resync the client continues from cursor 10');
  });

  test('stop() aborts the poll in flight: the server sees the connection close, next() resolves null, no more requests {R7.25}', async () => {
    const mock = await serve({ holdMs: 5000 });
    const { client } = await connect(mock);
    const pendingNext = next(client, mock, 6000);
    await mock.waitForRequests(1, 3000);
    await client.call('stop');
    const r = await within(pendingNext, 3000);
    await mock.waitForEnd(0, 3000).catch(() => undefined);
    await sleep(200);
    if (r !== null || mock.requests[0]!.ending !== 'client went away' || mock.requests.length !== 1) {
      failWith([
        'stop() must abort the fetch in flight (pass an AbortSignal to fetch and abort its controller): the held request is released at once at the server, the pending next() resolves null, and nothing is polled again',
        `next() after stop(): ${r === undefined ? 'still pending after 3000 ms' : JSON.stringify(r)}`,
        mock.timeline(),
      ]);
    }
  });

  test('stop() during a backoff wait cancels it: next() resolves null at once, no request after stop() {R7.25}', async () => {
    const mock = await serve({ faults: () => ({ kind: 'status', status: 500 }) });
    const { client, retries } = await connect(mock, { baseDelayMs: 8000, maxDelayMs: 20_000, jitter: 0 });
    const pendingNext = next(client, mock, 10_000);
    await mock.waitForEnd(0, 3000);
    const deadline = performance.now() + 3000;
    while (!retries.length && performance.now() < deadline) await sleep(5);
    const stoppedAt = performance.now();
    await client.call('stop');
    const r = await within(pendingNext, 2500);
    const took = performance.now() - stoppedAt;
    await sleep(800);
    if (r !== null || mock.requests.length !== 1) {
      failWith([
        'stop() while waiting 8 s to retry must cancel the wait (clear the timer, or have the wait listen to the abort signal) and resolve the pending next() with null right away; nothing may be polled afterwards',
        `next() after stop(): ${r === undefined ? `still pending ${formatMs(took)} after stop()` : JSON.stringify(r)}`,
        mock.timeline(),
      ]);
    }
  });

  test('a 4xx other than 408, 410 and 429 is final: next() rejects with code POLL_FAILED and the status, and polling stops (RFC 9110 §15.5) {R7.33}', async () => {
    const mock = await serve({ faults: () => ({ kind: 'status', status: 404 }) });
    const { client } = await connect(mock, { baseDelayMs: 20 });
    let thrown: unknown;
    try {
      await client.callWithin(5000, 'next');
    } catch (err) {
      thrown = err;
    }
    await sleep(200);
    const e = thrown instanceof RemoteError ? thrown : undefined;
    if (e?.code !== 'POLL_FAILED' || e.props.status !== 404 || mock.requests.length !== 1) {
      failWith([
        'a 404 (or 400, 401, 403) will not get better by asking again: stop, and make next() reject with an error whose code is "POLL_FAILED" and whose status is 404',
        `next(): ${thrown === undefined ? 'resolved' : e ? `threw ${e.name} code=${JSON.stringify(e.code ?? null)} status=${JSON.stringify(e.props.status ?? null)}: ${e.remoteMessage}` : String(thrown)}`,
        mock.timeline(),
      ]);
    }
  });

  test('a server restart (connection refused, then back): the client retries with backoff and resumes at its cursor, nothing lost or repeated {R7.18,R7.19,R7.32}', async () => {
    const mock = await serve({ holdMs: 2000 });
    mock.publish('before');
    const { client } = await connect(mock, { baseDelayMs: 25, maxDelayMs: 200, jitter: 0 });
    expectBatch(await nextWithin(client, mock, 8000, 'update 1'), [1], mock, 'before the restart');
    const pendingNext = next(client, mock, 8000);
    await mock.waitFor(() => mock.holding === 1, 3000, 'the second poll to be held');
    const count = mock.requests.length;
    await mock.restart(300);
    mock.publish('after');
    const b = await within(pendingNext, 8000);
    expectBatch(b ?? null, [2], mock, 'after the restart the client must poll again with after=1 and get update 2 (and only update 2)');
    const afterRestart = mock.requests.slice(count).map((r) => r.rawAfter);
    if (afterRestart.some((a) => a !== '1')) {
      failWith([`every poll after the restart must still carry the cursor 1; they carried ${JSON.stringify(afterRestart)} (a client that starts over from 0 gets everything twice)`, mock.timeline()]);
    }
  });

  test('ledger: four clients, two of them slow, through a faulty proxy and a server restart, each deliver every update exactly once and in order {R7.19,R7.27,R7.28}', async () => {
    const random = seededRandom(SEED * 13 + 5);
    const faults: Array<MockFault | undefined> = [];
    const mock = await serve({
      holdMs: 250,
      timeoutStyle: 'alternate',
      // Every answer repeats the two updates before the cursor (at-least-once delivery): which requests carry
      // repeats must not hang on timing, or a client that keeps duplicates would pass or fail by chance.
      replay: 2,
      faults: (i) => {
        while (faults.length <= i) {
          const r = random();
          faults.push(r < 0.05 ? undefined : r < 0.1 ? { kind: 'cut-body' } : r < 0.14 ? { kind: 'status', status: 503, retryAfter: '0' } : r < 0.18 ? { kind: 'status', status: 500 } : undefined);
        }
        return faults[i];
      },
    });
    const plan: ProxyAction[] = [];
    const proxy = await FaultProxy.start(Number(new URL(mock.url).port), (i) => {
      while (plan.length <= i) {
        const r = random();
        plan.push(r < 0.12 ? { kind: 'drop-answer' } : r < 0.24 ? { kind: 'delay', ms: randomInt(random, 20, 100) } : { kind: 'pass' });
      }
      return plan[i]!;
    });
    proxies.push(proxy);
    const M = 40;
    const url = `http://127.0.0.1:${proxy.listenPort}/updates`;
    const t0 = performance.now();
    const stamp = () => `+${(performance.now() - t0).toFixed(0)} ms`.padStart(9);
    const users = await Promise.all(
      [0, 1, 2, 3].map(async (k) => {
        const { client, retries } = await connect(mock, {
          url,
          baseDelayMs: 15,
          maxDelayMs: 150,
          jitter: 0.5,
          random: Array.from({ length: 200 }, () => random()),
          requestTimeoutMs: 2500,
        });
        return { k, client, retries, slowMs: k >= 2 ? randomInt(random, 40, 120) : 0, got: [] as Array<{ cursor: unknown; data: unknown }>, log: [] as string[], error: undefined as string | undefined };
      }),
    );
    const loops = users.map(async (u) => {
      while (u.got.length < M) {
        let b: Batch | null;
        try {
          b = (await u.client.callWithin(12_000, 'next')) as Batch | null;
        } catch (err) {
          u.error = err instanceof RemoteError ? `next() threw ${err.name}: ${err.remoteMessage}` : String(err);
          return;
        }
        u.log.push(`${stamp()} next() → ${b === null ? 'null' : b.type === 'updates' ? JSON.stringify(cursorsOf(b)) : JSON.stringify(b)}`);
        if (!b || b.type !== 'updates' || !Array.isArray(b.updates)) return;
        u.got.push(...b.updates.map((x) => ({ cursor: x.cursor, data: x.data })));
        if (u.slowMs) await sleep(u.slowMs);
      }
    });
    const nonces = Array.from({ length: M }, () => randomInt(random, 0, 1e9));
    for (let n = 1; n <= M; n++) {
      mock.publish({ n, text: `update ${n}`, nonce: nonces[n - 1] });
      if (n === 15) void proxy.restart(120);
      if (n === 27) void mock.restart(150);
      await sleep(n === 22 ? 400 : randomInt(random, 0, 30));
    }
    const done = await within(Promise.all(loops), 20_000);
    for (const u of users) await u.client.call('stop').catch(() => undefined);
    await Promise.allSettled(loops);
    for (const u of users) {
      const cursors = u.got.map((x) => x.cursor);
      let bad = -1;
      for (let k = 0; k < Math.max(M, cursors.length); k++) {
        if (cursors[k] !== k + 1 || JSON.stringify(u.got[k]?.data) !== JSON.stringify({ n: k + 1, text: `update ${k + 1}`, nonce: nonces[k] })) {
          bad = k;
          break;
        }
      }
      if (bad < 0 && !u.error) continue;
      const dup = cursors.find((x, k) => cursors.indexOf(x) !== k);
      failWith([
        `client ${u.k + 1}${u.slowMs ? ' (a slow consumer)' : ''} did not deliver every update exactly once and in order. The cursor is the only truth: ` +
          'advance it only past updates you deliver, drop any you already delivered, keep it across errors and restarts.',
        ...(u.error ? [u.error] : []),
        ...(bad >= 0 ? [`first divergence at position ${bad + 1}: expected update ${bad + 1}, got ${u.got[bad] ? `update ${String(u.got[bad]!.cursor)}` : 'nothing'}` +
          `${dup !== undefined ? `; update ${String(dup)} was delivered twice` : ''}`] : []),
        `delivered ${cursors.length}: ${JSON.stringify(cursors.slice(Math.max(0, bad - 5), bad + 6))} (around the divergence)${done ? '' : '; still polling after 20 s'}`,
        `retries reported: ${u.retries.length}; proxy: ${JSON.stringify(proxy.stats)}`,
        'what this client delivered (last 10):',
        ...u.log.slice(-10),
        'the server (last requests of all four clients):',
        mock.timeline(14),
        replay(),
      ]);
    }
  });
});

// =================================================================================================================
// Pure helpers
// =================================================================================================================

describe('backoffDelay and parseRetryAfter', () => {
  test('backoffDelay: min(maxDelayMs, base × factor^(attempt − 1)) × (1 − jitter × random) {R7.21}', async () => {
    const b = { baseDelayMs: 100, maxDelayMs: 1000, factor: 2, jitter: 0.5 };
    const calls: Array<[number, number]> = [[1, 0], [2, 0], [4, 0], [5, 0], [9, 0], [1, 0.5], [3, 0.999], [12, 0.25]];
    const rows: TimelineRow[] = [];
    for (const [attempt, r] of calls) {
      const got = await sandbox().invoke('backoffDelay', attempt, b, r);
      const want = Math.min(1000, 100 * 2 ** (attempt - 1)) * (1 - 0.5 * r);
      rows.push({ label: `attempt ${attempt}, random ${r}`, expected: formatMs(want), actual: typeof got === 'number' ? `${Number(got.toFixed(3))} ms` : JSON.stringify(got), ok: typeof got === 'number' && Math.abs(got - want) <= 0.5 });
    }
    if (rows.some((r) => !r.ok)) failWith([`cap first, then jitter, with ${JSON.stringify(b)}`, renderTimeline(rows, { headings: ['backoffDelay(...)', 'expected', 'returned'] })]);
  });

  test('parseRetryAfter: delay-seconds and IMF-fixdate are understood; anything else is null (RFC 9110 §10.2.3, §5.6.7) {R7.23,R7.24}', async () => {
    const now = Date.UTC(2015, 9, 21, 7, 28, 0);
    const cases: Array<[string | null, number | null]> = [
      ['120', 120_000],
      ['0', 0],
      ['Wed, 21 Oct 2015 07:28:30 GMT', 30_000],
      ['Wed, 21 Oct 2015 07:27:00 GMT', 0],
      ['soon', null],
      ['-5', null],
      ['1.5', null],
      ['', null],
      [null, null],
    ];
    const rows: TimelineRow[] = [];
    for (const [value, want] of cases) {
      const got = await sandbox().invoke('parseRetryAfter', value, now);
      rows.push({ label: JSON.stringify(value), expected: JSON.stringify(want), actual: JSON.stringify(got), ok: got === want });
    }
    if (rows.some((r) => !r.ok)) {
      failWith([
        'Retry-After = HTTP-date / delay-seconds (one or more digits). A date in the past means "now" (0); anything else is invalid (null) and the client falls back to its backoff',
        `now = ${new Date(now).toUTCString()}`,
        renderTimeline(rows, { headings: ['parseRetryAfter(value, now)', 'expected', 'returned'] }),
      ]);
    }
  });
});
