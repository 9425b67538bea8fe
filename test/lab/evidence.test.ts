// The Check view's rich evidence in headless Chromium (issue 25), on a real `course lab` in a course copy: for five
// exercises a known-wrong implementation (a mutant of harness/mutants/ applied to the reference solution) is put in
// the learner's place, Check runs the hidden suite, and the page must draw what the suite handed over on its
// trusted channel: the HPACK dynamic table before/after with the wrong rows marked, the diverging frame's octets
// with the length field highlighted, the backoff and typing timelines and the flow-control windows as SVG charts.
// Values are asserted (cells, octets, the chart points' numbers, the window bounds), not presence; everything is
// put in the page as text (a probe checks that no element came from the learner's values).

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { applyMutantPatch } from '../../grader/run/mutants';
import { copyCourse } from '../helpers';
import { chromiumPresent, launchChromium, overflow, screenshot } from './browser';
import { startLab, type StartedLab } from './start-lab';

const maybe = chromiumPresent('the lab evidence tests') ? describe : describe.skip;
const WAIT = { timeout: 240_000 };

/** exercise id → its folder, the graded file, the mutant put in the learner's place. */
const WRONG: Record<string, { dir: string; file: string; mutant: string }> = {
  'hpack-table': { dir: '01-hpack-table', file: 'hpack-table.ts', mutant: 'evicts-newest' },
  'frame-parser': { dir: '02-frame-parser', file: 'frame-parser.ts', mutant: 'length-16-bit' },
  'backoff-reconnect': { dir: '03-backoff-reconnect', file: 'backoff-reconnect.ts', mutant: 'exponent-from-attempt' },
  'typing-indicator': { dir: '04-typing-indicator', file: 'typing-indicator.ts', mutant: 'expiry-from-first' },
  'h2-flow-control': { dir: '08-h2-flow-control', file: 'h2-connection.ts', mutant: 'settings-moves-connection' },
};

function putMutant(dir: string, id: string): void {
  const { dir: folder, file, mutant } = WRONG[id]!;
  const solution = new Map([[file, readFileSync(path.join(dir, 'solutions', folder, file), 'utf8')]]);
  const patched = applyMutantPatch(solution, readFileSync(path.join(dir, 'harness', 'mutants', id, `${mutant}.patch`), 'utf8'));
  writeFileSync(path.join(dir, 'exercises', folder, file), patched.get(file)!);
}

type Recorder = { __views: string[] };

/** Selects the exercise in the page, waits until the lab's watch session is on it, presses Check. */
async function check(page: Page, id: string): Promise<void> {
  await page.click(`#exercise-list li[data-id="${id}"] button`);
  await page.waitForFunction((x) => (globalThis as unknown as Recorder).__views.includes(x), id, WAIT);
  await page.click('#tab-check');
  await page.click('#check-button');
}

/**
 * The cells of a table's body rows, as text, once it has rows: a run that starts while the test reads (the lab's
 * watch session checks on its own too) re-renders the list, and an instant between the two is empty.
 */
async function cells(page: Page, selector: string): Promise<string[][]> {
  await page.waitForSelector(`${selector} tbody tr`, { ...WAIT, state: 'attached' });
  return page.$$eval(`${selector} tbody tr`, (rows) =>
    rows.map((tr) => [...tr.querySelectorAll('td')].map((td) => (td as { textContent: string | null }).textContent ?? '')),
  );
}

maybe('the Check view draws the evidence of a failing test', () => {
  let dir: string;
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = copyCourse();
    for (const id of Object.keys(WRONG)) putMutant(dir, id);
    lab = await startLab(dir, ['hpack-table']);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await page.goto(lab.url);
    await page.waitForSelector('#connection:has-text("live")', WAIT);
    // Every watch view's exercise, recorded by a second EventSource: tells when a selection reached the session.
    await page.evaluate((t) => {
      const views: string[] = [];
      (globalThis as unknown as Recorder).__views = views;
      const ES = (globalThis as unknown as { EventSource: new (u: string) => { addEventListener(n: string, f: (e: { data: string }) => void): void } })
        .EventSource;
      new ES(`/events?t=${t}`).addEventListener('watch', (e) => views.push((JSON.parse(e.data) as { exerciseId: string }).exerciseId));
    }, lab.token);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('hpack-table: the dynamic table before, after (yours) and expected, the rows that differ marked in words', async () => {
    await page.click('#tab-check');
    await page.click('#check-button');
    const figure = 'figure.evidence-hpack-table:has(figcaption:text-is("RFC 7541 C.5.2: the dynamic table"))';
    await page.waitForSelector(figure, WAIT);
    await page.waitForSelector('#check-status[data-state="failed"]', WAIT);
    // RFC 7541 C.5.2: ":status: 307" evicts the oldest entry; the mutant evicts the newest ("location") instead.
    expect(await cells(page, `${figure} table[data-table="before"]`)).toEqual([
      ['62', 'location', 'https://www.example.com', '63', ''],
      ['63', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', '65', ''],
      ['64', 'cache-control', 'private', '52', ''],
      ['65', ':status', '302', '42', ''],
    ]);
    expect(await cells(page, `${figure} table[data-table="expected"]`)).toEqual([
      ['62', ':status', '307', '42', ''],
      ['63', 'location', 'https://www.example.com', '63', ''],
      ['64', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', '65', ''],
      ['65', 'cache-control', 'private', '52', ''],
    ]);
    const after = await cells(page, `${figure} table[data-table="after"]`);
    expect(after[0]).toEqual(['62', ':status', '307', '42', '']);
    expect(after[1]).toEqual(['63', 'date', 'Mon, 21 Oct 2013 20:13:21 GMT', '65', '✗ differs']);
    expect(after.filter((row) => row[4] === '✗ differs').length).toBe(3);
    // The text message is still there, under the drawing.
    expect(await page.locator(`li.test:has(${figure}) pre.evidence`).innerText()).toMatch(/dynamic table after \(yours\):/);
    await page
      .locator(figure)
      .first()
      .evaluate((f) => (f as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evidence-hpack-table-1280');
  }, 300_000);

  test('frame-parser: the diverging frame’s octets, its length field highlighted, the readings side by side', async () => {
    await check(page, 'frame-parser');
    const figure = 'figure.evidence-frame-bytes:has(figcaption:has-text("hand-built frames: frame #0"))';
    await page.waitForSelector(figure, WAIT);
    // 70 000 = 0x011170: a 16-bit reader sees 0x1170 = 4464.
    const diverged = page.locator(`${figure} .byte-field.diverged`);
    expect(await diverged.first().getAttribute('data-field')).toBe('length');
    expect(await page.locator(`${figure} .byte-field[data-field="length"] .byte-field-octets`).innerText()).toBe('01 11 70');
    expect(await page.locator(`${figure} .byte-field[data-field="length"] .byte-field-name`).innerText()).toBe('✗ length');
    expect(await page.locator(`${figure} .byte-field[data-field="type"] .byte-field-octets`).innerText()).toBe('00');
    expect(await page.locator(`${figure} .byte-field[data-field="stream identifier"] .byte-field-octets`).innerText()).toBe('00 00 00 01');
    expect(await page.locator(`${figure} .byte-field[data-field="type"]`).getAttribute('data-diverged')).toBe('false');
    const rows = await cells(page, `${figure} table.frame-fields`);
    expect(rows[0]).toEqual(['length', '0–2', '70000', 'length: 4464', '✗ differs']);
    expect(rows[1]).toEqual(['type', '3', 'DATA (0x00)', 'type: "DATA"', '✓ same']);
    expect(rows[3]).toEqual(['stream identifier', '5–8', '1', 'streamId: 1', '✓ same']);
    await page
      .locator(figure)
      .first()
      .evaluate((f) => (f as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evidence-frame-parser-1280');
  }, 300_000);

  test('backoff-reconnect: each reconnect against its backoff window, drawn to scale', async () => {
    await check(page, 'backoff-reconnect');
    const figure = 'figure.evidence-timeline:has(figcaption:has-text("After close code 1001 (Going Away)"))';
    await page.waitForSelector(figure, WAIT);
    // Attempt 1 must wait baseDelayMs = 40 ms (35 … 390 ms allowed at the server, wider when the grader's own timers
    // ran late: harness/support/loop-lag.ts); the mutant reports 80 ms.
    const server = page.locator(`${figure} g.event[data-lane="reconnect 1: server"]`);
    const delay = page.locator(`${figure} g.event[data-lane="reconnect 1: delay"]`);
    expect(Number(await server.locator('rect.window').getAttribute('data-from'))).toBeLessThanOrEqual(35);
    expect(Number(await server.locator('rect.window').getAttribute('data-to'))).toBeGreaterThanOrEqual(390);
    expect(await delay.locator('rect.window').getAttribute('data-from')).toBe('39');
    expect(await delay.locator('rect.window').getAttribute('data-to')).toBe('41');
    expect(await delay.getAttribute('data-ok')).toBe('false');
    expect(await delay.locator('.point').getAttribute('data-at-ms')).toBe('80');
    // A wrong event is a cross (a path), not a dot: the shape says it, colour only repeats it.
    expect(await delay.locator('path.point').count()).toBe(1);
    // To scale: the 80 ms cross lies between the window's 39 ms edge and the 390 ms end of the other window.
    const x = async (sel: string, attr: string) => Number(await page.locator(sel).first().getAttribute(attr));
    const crossX = await delay.locator('path.point').evaluate((p) => (p as unknown as { getBBox(): { x: number; width: number } }).getBBox().x + 5);
    expect(crossX).toBeGreaterThan(await x(`${figure} g.event[data-lane="reconnect 1: delay"] rect.window`, 'x'));
    const [serverX, serverW] = [
      await x(`${figure} g.event[data-lane="reconnect 1: server"] rect.window`, 'x'),
      await x(`${figure} g.event[data-lane="reconnect 1: server"] rect.window`, 'width'),
    ];
    expect(crossX).toBeLessThan(serverX + serverW);
    await page
      .locator(figure)
      .first()
      .evaluate((f) => (f as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evidence-backoff-1280');
  }, 300_000);

  test('typing-indicator: the typing and expiry timeline, one lane per actor, the failed expectation marked', async () => {
    await check(page, 'typing-indicator');
    const figure = 'figure.evidence-timeline:has(figcaption:has-text("Alice sent typing every 60 ms"))';
    await page.waitForSelector(figure, WAIT);
    const lanes = await page.$$eval(`${figure} text.lane`, (ts) => ts.map((t) => t.textContent ?? ''));
    expect(lanes).toEqual(expect.arrayContaining(['your client sent', 'server sent', 'indicator shown']));
    // Alice's typing events, every 60 ms, are drawn in time order left to right.
    const points = await page.$$eval(`${figure} g.event[data-lane="server sent"] circle.point`, (cs) =>
      cs.map((c) => ({ at: Number(c.getAttribute('data-at-ms')), x: Number(c.getAttribute('cx')) })),
    );
    expect(points.length).toBeGreaterThan(10);
    for (let i = 1; i < points.length; i++) expect(points[i]!.x >= points[i - 1]!.x).toBe(points[i]!.at >= points[i - 1]!.at);
    expect(await page.locator(`${figure} g.event[data-ok="false"]`).count()).toBeGreaterThan(0);
    // The same events as a table, every number readable without the chart.
    const rows = await cells(page, `${figure} details.evidence-events table`);
    expect(rows.some((r) => r[0] === '✗')).toBe(true);
    await page
      .locator(figure)
      .first()
      .evaluate((f) => (f as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evidence-typing-1280');
  }, 300_000);

  test('h2-flow-control: the windows per stream as a chart, yours against the expected ones', async () => {
    await check(page, 'h2-flow-control');
    const figure = 'figure.evidence-series:has(figcaption:has-text("the send window of the connection must be 64535"))';
    await page.waitForSelector(figure, WAIT);
    const point = (series: string) => page.locator(`${figure} g[data-series="${series}"] [data-y]`).last();
    expect(await point('send, connection (yours)').getAttribute('data-y')).toBe('15384');
    expect(await point('send, connection (expected)').getAttribute('data-y')).toBe('64535');
    expect(await point('send, stream 1 (yours)').getAttribute('data-y')).toBe('15384');
    // Higher values are drawn higher (SVG y grows downwards).
    const y = async (series: string) => Number((await point(series).getAttribute('cy')) ?? (await point(series).getAttribute('y')));
    expect(await y('send, connection (yours)')).toBeGreaterThan(await y('send, connection (expected)'));
    const legend = await page.$$eval(`${figure} .series-legend li`, (lis) => lis.map((li) => li.textContent ?? ''));
    expect(legend).toEqual(expect.arrayContaining(['● solid: send, connection (yours)', '▫ dashed: send, connection (expected)']));
    await page
      .locator(figure)
      .first()
      .evaluate((f) => (f as unknown as { scrollIntoView(o: object): void }).scrollIntoView({ block: 'start' }));
    await screenshot(page, 'evidence-h2-flow-control-1280');
  }, 300_000);

  test('nothing overflows at 480x800, and the page raised no error', async () => {
    await page.setViewportSize({ width: 480, height: 800 });
    const result = await overflow(page, '.evidence-rich, .evidence-rich .chart-box, .evidence-rich .table-box');
    expect(result).toEqual({ page: false, outside: [] });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
