// `course lab` in headless Chromium (issue 25), on a real lab server in a course copy, first with the untouched
// stubs, then with the reference solution of exercise 1 copied in (as a learner who finished it). Every step waits
// for what the page shows and asserts values: the exercise list and its progress (live after course.yaml
// changes), the lesson as HTML (tables and code blocks; raw HTML shown as text), the Check tab's results streamed
// test by test with their evidence, the HPACK demo's numbers (octets on the wire against the hex shown, plain
// sizes from the fields shown, the saved totals, the dynamic table's rows and sizes, an eviction), the fallback
// banner with the stub, keyboard use, and the layout at 1280x800 and 390x800 with screenshots (docs/lab/ under
// COURSE_LAB_SCREENSHOTS=1).

import { appendFileSync, copyFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import YAML from 'yaml';
import { loadCourse, updateProgress } from '../../grader/course/course-file';
import { copyCourse } from '../helpers';
import { chromiumPresent, launchChromium, overflow, screenshot } from './browser';
import { startLab, type StartedLab } from './start-lab';

const maybe = chromiumPresent('the lab page tests') ? describe : describe.skip;

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
}

const WAIT = { timeout: 120_000 };

/** What one request of the HPACK demo shows, read from the page. */
interface StepShown {
  wire: number;
  plain: number;
  saved: number;
  hexBytes: number;
  fields: Array<[string, string]>;
  table: Array<{ index: number; name: string; value: string; size: number }>;
  evicted: string;
}

async function readSteps(page: Page): Promise<StepShown[]> {
  return page.$$eval('.hpack-step', (cards) =>
    cards.map((card) => {
      const num = (sel: string) => Number(card.querySelector(sel)?.getAttribute('data-octets'));
      const rows = (sel: string) => [...card.querySelectorAll(`${sel} tbody tr`)].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? ''));
      return {
        wire: num('.wire'),
        plain: num('.plain'),
        saved: num('.saved'),
        hexBytes: (card.querySelector('.wire-hex')?.textContent ?? '').split(' ').filter(Boolean).length,
        fields: rows('table.fields').map(([n, v]) => [n!, v!] as [string, string]),
        table: rows('table.dynamic-table').map(([i, n, v, s]) => ({ index: Number(i), name: n!, value: v!, size: Number(s) })),
        evicted: card.querySelector('.evicted')?.textContent ?? '',
      };
    }),
  );
}

/** The numbers every HPACK result must satisfy, whoever decoded it. */
function checkOctets(steps: StepShown[]): void {
  for (const s of steps) {
    // The wire size is the hex shown; the plain size is "name: value\r\n" of the fields shown; saved is their difference.
    expect(s.hexBytes).toBe(s.wire);
    expect(s.plain).toBe(s.fields.reduce((sum, [n, v]) => sum + n.length + v.length + 4, 0));
    expect(s.saved).toBe(s.plain - s.wire);
    expect(s.wire).toBeGreaterThan(0);
  }
}

async function sendHpack(page: Page): Promise<void> {
  // By keyboard: focus the button and press Enter (its handler says "sending…" at once, then "done: N requests").
  await page.focus('#hpack-send');
  await page.keyboard.press('Enter');
  await page.locator('#hpack-status', { hasText: /^done: \d+ requests$/ }).waitFor(WAIT);
}

maybe('course lab in Chromium', () => {
  let dir: string;
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;
  let first: Entry;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = copyCourse();
    first = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises[0]!;
    // A lesson with raw HTML and a javascript: link, to see them shown as text.
    const second = path.join(dir, 'exercises', '02-frame-parser', 'README.md');
    writeFileSync(
      second,
      `${readFileSync(second, 'utf8')}\n\nInjected: <img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> [click](javascript:window.__pwned=3)\n`,
    );
    lab = await startLab(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await page.goto(lab.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the exercise list shows every exercise with its progress, and follows course.yaml live', async () => {
    const course = YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] };
    await page.waitForSelector('#connection:has-text("live")', WAIT);
    await expect(page.locator('#exercise-list li').count()).resolves.toBe(course.exercises.length);
    const second = page.locator('#exercise-list li[data-id="frame-parser"]');
    expect(await second.innerText()).toMatch(/2\. A streaming HTTP\/2 frame parser\s+not started/);

    // Progress saved from outside the lab, as `course check` in a terminal saves it (under the course.yaml lock:
    // the lab's own watch run may be saving its first result at this moment): the list changes without a reload.
    await updateProgress(loadCourse(dir), () => ({ status: 'done', attempts: 2, hintsShown: 0, bestScore: 30, maxScore: 30 }), ['frame-parser']);
    await page.waitForSelector('#exercise-list li[data-id="frame-parser"][data-status="done"]', WAIT);
    expect(await second.innerText()).toMatch(/✓\s*2\. A streaming HTTP\/2 frame parser\s+done · best 30\/30 · 2 attempts/);
  }, 180_000);

  test('the lesson is HTML: headings, tables and code blocks; raw HTML in it is text', async () => {
    await page.waitForSelector('#lesson h1', WAIT);
    expect(await page.locator('#lesson h1').first().innerText()).toMatch(/HPACK/);
    expect(await page.locator('#lesson table th').first().innerText()).toBe('first octet');
    expect(await page.locator('#lesson pre.code').count()).toBeGreaterThan(0);

    await page.click('#exercise-list li[data-id="frame-parser"] button');
    await page.locator('#lesson', { hasText: 'Injected:' }).waitFor(WAIT);
    const text = await page.locator('#lesson').innerText();
    expect(text).toContain('<img src=x onerror="window.__pwned=1">');
    expect(text).toContain('<script>window.__pwned=2</script>');
    expect(await page.locator('#lesson img, #lesson script, #lesson a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.click('#exercise-list li[data-id="hpack-table"] button');
    await page.locator('#lesson h1', { hasText: 'HPACK' }).waitFor(WAIT);
  }, 180_000);

  test('the HPACK demo with the stub: the built-in peer, a banner that says why, the wire numbers', async () => {
    await page.click('#tab-demo');
    await sendHpack(page);
    await expect(page.locator('#hpack-banner').isVisible()).resolves.toBe(true);
    expect(await page.locator('#hpack-banner').innerText()).toMatch(/Built-in peer[\s\S]*not implemented/);
    expect(await page.locator('#hpack-total').getAttribute('data-source')).toBe('fallback');
    expect(await page.locator('.dynamic-table').count()).toBe(0);
    const steps = await readSteps(page);
    expect(steps).toHaveLength(2);
    checkOctets(steps);
    // The server received the learner's list: the cookie, and the connection's :authority.
    expect(steps[0]!.fields).toContainEqual(['cookie', 'session=4f2a9c81']);
    expect(steps[0]!.fields.find(([n]) => n === ':authority')![1]).toMatch(/^127\.0\.0\.1:\d+$/);
    // The repeat costs fewer octets (the encoder's dynamic table learned the first request).
    expect(steps[1]!.wire).toBeLessThan(steps[0]!.wire);
    const saved = Number(await page.locator('#hpack-total').getAttribute('data-saved'));
    expect(saved).toBe(steps.reduce((s, x) => s + x.saved, 0));
    await screenshot(page, 'hpack-savings-stub-1280');
  }, 180_000);

  test('Check streams each test as it finishes, with its evidence; a save of a passing file turns it green', async () => {
    await page.click('#tab-check');
    // Every event of the stream, in order, recorded by a second EventSource in the page: each test's result with
    // its run (generation), and each finished run.
    type Seen = { kind: 'test' | 'result' | 'watch'; generation: number };
    type Recorder = { __seen: Seen[] };
    await page.evaluate((t) => {
      const seen: Seen[] = [];
      (globalThis as unknown as Recorder).__seen = seen;
      const ES = (globalThis as unknown as { EventSource: new (u: string) => { addEventListener(n: string, f: (e: { data: string }) => void): void } })
        .EventSource;
      const source = new ES(`/events?t=${t}`);
      source.addEventListener('test', (e) => seen.push({ kind: 'test', generation: (JSON.parse(e.data) as { generation: number }).generation }));
      source.addEventListener('watch', (e) => {
        const view = JSON.parse(e.data) as { generation: number; result?: unknown; running?: unknown };
        seen.push({ kind: view.result && !view.running ? 'result' : 'watch', generation: view.generation });
      });
    }, lab.token);
    await page.waitForFunction(() => (globalThis as unknown as Recorder).__seen.length > 0, undefined, WAIT);
    // The learner's own print-debugging, at the top of the still-failing stub: shown with the test it fell in.
    appendFileSync(path.join(dir, first.dir, first.files[0]!), "\nconsole.log('lab-debug-line: hello from the learner');\n");
    const before = Math.max(...(await page.evaluate(() => (globalThis as unknown as Recorder).__seen.map((e) => e.generation))));
    await page.click('#check-button');
    // The run the button asked for (a later generation than any before the click) has finished.
    await page.waitForFunction((g) => (globalThis as unknown as Recorder).__seen.some((e) => e.kind === 'result' && e.generation > g), before, WAIT);
    await page.waitForSelector('#check-status[data-state="failed"]', WAIT);
    const status = await page.locator('#check-status').innerText();
    const [, failing, total] = /✗ (\d+) of (\d+) tests failing \(0\/\d+\)/.exec(status) ?? [];
    expect(Number(failing)).toBe(Number(total));
    expect(await page.locator('#test-list li.test.failed').count()).toBe(Number(total));
    expect(await page.locator('#test-list li.test.failed pre.evidence').first().innerText()).toMatch(/not implemented/);
    expect(await page.locator('#test-list li.test.failed .status-word').first().innerText()).toBe('failed');
    // Each failure names the lesson sentences its test checks, and the learner's output is shown as theirs.
    expect(await page.locator('#test-list li.test.failed .lesson-pointer').first().innerText()).toMatch(/^↳ lesson § .+ \(R\d+\.\d+\): \S/);
    expect(await page.locator('#test-list .learner-output').first().innerText()).toMatch(/your output[\s\S]*lab-debug-line: hello from the learner/);
    // Streamed: each of the run's tests reached the page before the run's result did.
    const seen = await page.evaluate(() => (globalThis as unknown as Recorder).__seen);
    const run = seen.find((e) => e.kind === 'result' && e.generation > before)!.generation;
    const resultAt = seen.findIndex((e) => e.kind === 'result' && e.generation === run);
    expect(seen.slice(0, resultAt).filter((e) => e.kind === 'test' && e.generation === run)).toHaveLength(Number(total));
    await screenshot(page, 'check-failing-1280');

    // The learner's file now passes: the save alone re-checks it (watch), and the list shows it done.
    copyFileSync(path.join(dir, first.solution, first.files[0]!), path.join(dir, first.dir, first.files[0]!));
    await page.waitForSelector('#check-status[data-state="passed"]', WAIT);
    expect(await page.locator('#check-status').innerText()).toMatch(new RegExp(`✓ passed: all ${total} tests \\(\\d+/\\d+\\)`));
    expect(await page.locator('#test-list li.test.passed').count()).toBe(Number(total));
    await page.waitForSelector('#exercise-list li[data-id="hpack-table"][data-status="done"]', WAIT);
  }, 300_000);

  test("the HPACK demo with the learner's decoder: the dynamic table learns, and evicts", async () => {
    await page.click('#tab-demo');
    await sendHpack(page);
    expect([await page.locator('#hpack-total').getAttribute('data-source'), await page.locator('#hpack-banner').innerText()]).toEqual(['learner', '']);
    await expect(page.locator('#hpack-banner').isVisible()).resolves.toBe(false);
    let steps = await readSteps(page);
    checkOctets(steps);
    // nghttp2 indexes :authority (and not the cookie): one row after each of the two requests, its size §4.1's.
    for (const s of steps) {
      expect(s.table).toHaveLength(1);
      const [row] = s.table;
      expect(row).toMatchObject({ index: 62, name: ':authority' });
      expect(row!.value).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(row!.size).toBe(':authority'.length + row!.value.length + 32);
    }
    expect(await page.locator('.hpack-step[data-step="1"] caption').first().innerText()).toMatch(/1 entry, \d+ of 4096 octets/);

    // A small table: a third request with a new header evicts the oldest entry.
    await page.fill('#hpack-size', '100');
    await page.click('#hpack-add');
    await page.fill('#hpack-requests li:nth-child(3) .req-path', '/style.css');
    await page.fill('#hpack-requests li:nth-child(3) .req-headers', 'x-request-id: 0123456789abcdef');
    await sendHpack(page);
    steps = await readSteps(page);
    expect(steps).toHaveLength(3);
    checkOctets(steps);
    const authority = steps[0]!.table[0]!;
    const added = 'x-request-id'.length + '0123456789abcdef'.length + 32;
    // :authority (10 + 15 or 16 + 32 octets) and the new entry (60) do not fit in 100: the oldest goes.
    expect(authority.size + added).toBeGreaterThan(100);
    expect(steps[2]!.table).toEqual([{ index: 62, name: 'x-request-id', value: '0123456789abcdef', size: added }]);
    expect(steps[2]!.evicted).toContain(`:authority: ${authority.value}`);
    expect(await page.locator('.hpack-step[data-step="3"] caption').first().innerText()).toBe(
      `Dynamic table after this request: 1 entry, ${added} of 100 octets`,
    );
    await screenshot(page, 'hpack-savings-1280');
  }, 180_000);

  test('the frame explorer: fields explained on hover and focus; the stub falls back, a wrong parser is marked, the solution agrees', async () => {
    const second = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises[1]!;
    await page.click('#exercise-list li[data-id="frame-parser"] button');
    await page.click('#tab-demo');
    const record = async () => {
      await page.focus('#frames-send');
      await page.keyboard.press('Enter');
      await page.locator('#frames-status', { hasText: /^done: \d+ frames$/ }).waitFor(WAIT);
    };
    const frames = () =>
      page.$$eval('#frame-list li.frame', (lis) =>
        lis.map((li) => ({
          type: li.getAttribute('data-type'),
          stream: Number(li.getAttribute('data-stream')),
          length: Number(li.getAttribute('data-length')),
          agrees: li.getAttribute('data-agrees'),
          verdict: li.querySelector('.verdict')?.textContent ?? '',
          lengthOctets: li.querySelector('.field-length code')?.textContent ?? '',
        })),
      );

    // The stub: the peer's view, a banner with the reason.
    await record();
    expect(await page.locator('#frames-banner').innerText()).toMatch(/Built-in peer[\s\S]*not implemented/);
    let shown = await frames();
    // Two requests (/ and /style.css): each a HEADERS from the client and HEADERS + DATA from the server.
    expect(shown.filter((f) => f.type === 'HEADERS').map((f) => f.stream)).toEqual([1, 1, 3, 3]);
    expect(shown.filter((f) => f.type === 'DATA')).toEqual([
      expect.objectContaining({ stream: 1, length: 'hello from /\n'.length }),
      expect.objectContaining({ stream: 3, length: 'hello from /style.css\n'.length }),
    ]);
    for (const f of shown) expect(parseInt(f.lengthOctets.replace(/ /g, ''), 16)).toBe(f.length);
    expect(shown.every((f) => f.agrees === null)).toBe(true);

    // Hover: the Length field of the first DATA frame says its value and section.
    const data = shown.findIndex((f) => f.type === 'DATA');
    await page.hover(`#frame-list li[data-index="${data}"] .field-length`);
    expect(await page.locator('#frame-field-info').innerText()).toBe(
      `Length: ${shown[data]!.length} — the payload’s size in octets (24 bits), not counting this 9-octet header. RFC 9113 §4.1`,
    );
    // Keyboard: from the Length field, Tab reaches the Type field, then Flags, then the stream identifier.
    await page.focus(`#frame-list li[data-index="${data}"] .field-length`);
    await page.keyboard.press('Tab');
    expect(await page.locator('#frame-field-info').innerText()).toMatch(/^Type: 0x00 DATA — .* RFC 9113 §6\.1$/);
    await page.keyboard.press('Tab');
    expect(await page.locator('#frame-field-info').innerText()).toMatch(/^Flags: 0x01 END_STREAM — .*§6\.1$/);
    await page.keyboard.press('Tab');
    expect(await page.locator('#frame-field-info').innerText()).toMatch(
      /^Stream Identifier: 1 \(reserved bit 0\) — an odd stream: opened by the client\. RFC 9113 §4\.1, §5\.1\.1$/,
    );
    await screenshot(page, 'frame-explorer-stub-1280');

    // A parser that reads odd stream identifiers 4 too high: the frames of streams 1 and 3 are marked, the others not.
    const file = path.join(dir, second.dir, second.files[0]!);
    const solution = readFileSync(path.join(dir, second.solution, second.files[0]!), 'utf8');
    const line = 'this.streamId = b.readUInt32BE(at + 5) & 0x7fffffff;';
    expect(solution).toContain(line);
    writeFileSync(file, solution.replace(line, `${line} if (this.streamId % 2) this.streamId += 4;`));
    await record();
    shown = await frames();
    expect(await page.locator('#frames-banner').isVisible()).toBe(false);
    for (const f of shown) {
      expect([f.type, f.stream, f.agrees]).toEqual([f.type, f.stream, f.stream % 2 ? 'no' : 'yes']);
      if (f.stream % 2) expect(f.verdict).toBe('✗ your parser differs: stream identifier');
    }

    // The solution: every frame agrees, and the parser's own reading is shown beside it.
    copyFileSync(path.join(dir, second.solution, second.files[0]!), file);
    await record();
    shown = await frames();
    expect(shown.map((f) => f.agrees)).toEqual(shown.map(() => 'yes'));
    expect(shown.every((f) => f.verdict === '✓ your parser agrees')).toBe(true);
    expect(await page.locator(`#frame-list li[data-index="${data}"] pre.learner`).innerText()).toMatch(
      /^your parser: \{"type":"DATA","length":\d+,"flags":1,"streamId":1,"endStream":true/,
    );
    await page.hover(`#frame-list li[data-index="${data}"] .field-stream`);
    await screenshot(page, 'frame-explorer-1280');
    await page.click('#exercise-list li[data-id="hpack-table"] button');
  }, 300_000);

  test("the live feed: the browser's EventSource alone with the stub, then the learner's SseClient side by side", async () => {
    const fifth = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises.find((e) => e.id === 'sse-consumer')!;
    await page.click('#exercise-list li[data-id="sse-consumer"] button');
    await page.click('#tab-demo');
    const column = (side: 'learner' | 'browser') =>
      page.$$eval(`#feed-${side} li`, (lis) =>
        lis.map((li) => ({
          kind: li.getAttribute('data-kind'),
          id: li.getAttribute('data-id'),
          type: li.getAttribute('data-type'),
          text: li.textContent ?? '',
        })),
      );
    // The feed: 10 events, every third a "notice" with two data lines, the connection dropped after every 4
    // events, then 204: three connections, and an EventSource that stops for good.
    const expected = Array.from({ length: 10 }, (_, i) => {
      const id = i + 1;
      return id % 3 === 0
        ? { kind: 'event', id: String(id), type: 'notice', text: `notice · id ${id}notice ${id}\n(a second data line)` }
        : { kind: 'event', id: String(id), type: 'message', text: `message · id ${id}tick ${id}` };
    });
    const startFeed = async () => {
      await page.focus('#feed-start');
      await page.keyboard.press('Enter');
    };

    await startFeed();
    await page.locator('#feed-compare[data-state="peer-only"]').waitFor(WAIT);
    expect(await page.locator('#feed-banner').innerText()).toMatch(/Built-in peer[\s\S]*not implemented/);
    const browserOnly = await column('browser');
    expect(browserOnly.filter((e) => e.kind === 'event')).toEqual(expected);
    expect(browserOnly.filter((e) => e.kind === 'open')).toHaveLength(3);
    expect(browserOnly[browserOnly.length - 1]!.text).toBe('■ error: closed for good');
    expect(await page.locator('#feed-compare').innerText()).toBe("The browser's EventSource dispatched 10 events over 3 connections and stopped.");
    await screenshot(page, 'live-feed-stub-1280');

    copyFileSync(path.join(dir, fifth.solution, fifth.files[0]!), path.join(dir, fifth.dir, fifth.files[0]!));
    await startFeed();
    await page.locator('#feed-compare[data-state="same"]').waitFor(WAIT);
    expect(await page.locator('#feed-banner').isVisible()).toBe(false);
    expect((await column('learner')).filter((e) => e.kind === 'event')).toEqual(expected);
    expect((await column('browser')).filter((e) => e.kind === 'event')).toEqual(expected);
    // The reconnections too: the same opens and errors at the same places, the last one "closed for good" (204).
    const kinds = (list: Array<{ kind: string | null; text: string }>) => list.filter((e) => e.kind !== 'event').map((e) => e.text);
    expect(kinds(await column('learner'))).toEqual(kinds(await column('browser')));
    expect(kinds(await column('learner'))).toEqual([
      ...['↻ open: connected', '⚠ error: connection lost, reconnecting'],
      ...['↻ open: connected', '⚠ error: connection lost, reconnecting'],
      ...['↻ open: connected', '⚠ error: connection lost, reconnecting'],
      '■ error: closed for good',
    ]);
    expect(await page.locator('#feed-compare').innerText()).toBe(
      "✓ Same 10 events, in the same order, with the same ids (connections: yours 3, the browser's 3).",
    );
    await screenshot(page, 'live-feed-1280');
    await page.click('#exercise-list li[data-id="hpack-table"] button');
  }, 300_000);

  test('every control is reachable with the keyboard; the tabs move with the arrow keys', async () => {
    await page.click('#tab-lesson');
    await page.focus('#exercise-list li:first-child button');
    const reached = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await page.keyboard.press('Tab');
      reached.add(
        await page.evaluate(() => {
          const a = (globalThis as unknown as { document: { activeElement: { id: string; tagName: string; getAttribute(n: string): string | null } | null } })
            .document.activeElement;
          return a ? `${a.tagName.toLowerCase()}#${a.id}${a.getAttribute('role') === 'tab' ? '[tab]' : ''}` : '';
        }),
      );
    }
    expect([...reached].filter((r) => r.startsWith('button#tab-'))).toEqual(['button#tab-lesson[tab]']);
    await page.focus('#tab-lesson');
    await page.keyboard.press('ArrowRight');
    await expect(page.locator('#tab-check').getAttribute('aria-selected')).resolves.toBe('true');
    await expect(page.locator('#panel-check').isVisible()).resolves.toBe(true);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement.id)).toBe(
      'check-button',
    );
    // Every button, field and tab on the page can take the focus (none is taken out of the tab order but the
    // tabs that are not selected, which the arrow keys reach).
    const unfocusable = await page.$$eval('button, input, textarea, a[href]', (els) =>
      els.filter((e) => e.getAttribute('tabindex') === '-1' && e.getAttribute('role') !== 'tab').map((e) => e.outerHTML.slice(0, 80)),
    );
    expect(unfocusable).toEqual([]);
  }, 120_000);

  for (const [width, label] of [
    [1280, 'wide'],
    [390, 'narrow'],
  ] as const) {
    test(`at ${width}x800 (${label}) nothing overflows: lesson, check and every demo`, async () => {
      const view = await browser.newPage({ viewport: { width, height: 800 } });
      try {
        const visits = [
          ['hpack-table', 'lesson', 'lesson'],
          ['hpack-table', 'check', 'check'],
          ['hpack-table', 'demo', 'hpack-savings'],
          ['frame-parser', 'demo', 'frame-explorer'],
          ['sse-consumer', 'demo', 'live-feed'],
        ] as const;
        for (const [exercise, tab, name] of visits) {
          await view.goto(`${lab.url}&x=${exercise}&tab=${tab}`);
          await view.waitForSelector(`#panel-${tab}:not([hidden])`, WAIT);
          if (tab === 'lesson') await view.waitForSelector('#lesson h1', WAIT);
          if (tab === 'check') await view.waitForSelector('#check-status[data-state="passed"]', WAIT);
          if (name === 'hpack-savings') await sendHpack(view);
          if (name === 'frame-explorer') {
            await view.click('#frames-send');
            await view.locator('#frames-status', { hasText: /^done: \d+ frames$/ }).waitFor(WAIT);
            await view.hover('#frame-list li[data-type="DATA"] .field-flags');
          }
          if (name === 'live-feed') {
            await view.click('#feed-start');
            await view.locator('#feed-compare[data-state="same"]').waitFor(WAIT);
          }
          // (Code blocks and wide tables scroll inside their own box: what is inside them may be wider.)
          const o = await overflow(view, 'main *:not(pre *):not(.table-box *), nav *');
          expect([name, o]).toEqual([name, { page: false, outside: [] }]);
          // On a narrow window the panel starts below the exercise list: show it.
          await view.locator('#tabs').evaluate((e) => e.scrollIntoView());
          const shot = await screenshot(view, `${name}-${width}`);
          expect(shot.readUInt32BE(16)).toBe(width);
          expect(shot.readUInt32BE(20)).toBe(800);
        }
      } finally {
        await view.close();
      }
    }, 300_000);
  }

  test('no script error on the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
