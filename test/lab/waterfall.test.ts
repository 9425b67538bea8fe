// The waterfall demo (issue 25, demo 3) in headless Chromium, on a real `course lab` in a course copy: first with
// exercise 11's untouched stub (the built-in node:http + node:http2 pair serves, a banner says why), then with the
// reference solution copied in (the learner's AlpnServer serves both lanes, no banner). Each run fetches N=12
// resources through the relay at 40 ms each way; the test reads what the page drew: the rows of each waterfall,
// their connections (six distinct on HTTP/1.1, one on HTTP/2), each bar ending after it starts, the totals said in
// words. Timings are measurements: only what the design guarantees is asserted (counts, orderings), never a
// duration. With loss on, the lost chunks listed are the ones marked on the chart. Layout at 1280x800 and 480x800;
// screenshots to docs/lab/ under COURSE_LAB_SCREENSHOTS=1.

import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import YAML from 'yaml';
import { copyCourse } from '../helpers';
import { chromiumPresent, launchChromium, overflow, screenshot } from './browser';
import { startLab, type StartedLab } from './start-lab';

const maybe = chromiumPresent('the waterfall demo tests') ? describe : describe.skip;

const WAIT = { timeout: 120_000 };

interface Entry {
  id: string;
  dir: string;
  solution: string;
  files: string[];
}

interface LaneShown {
  rows: Array<{ path: string; connection: number; sent: number; end: number; label: string }>;
  total: { ms: number; connections: number; rows: number; text: string };
  stallMarks: number;
  stallText: string;
}

async function readLane(page: Page, protocol: 'http/1.1' | 'h2'): Promise<LaneShown> {
  return page.$eval(`.wf-lane[data-protocol="${protocol}"]`, (section) => {
    const total = section.querySelector('.wf-total')!;
    return {
      rows: [...section.querySelectorAll('g.wf-row')].map((g) => ({
        path: g.getAttribute('data-path') ?? '',
        connection: Number(g.getAttribute('data-connection')),
        sent: Number(g.getAttribute('data-sent')),
        end: Number(g.getAttribute('data-end')),
        label: g.querySelector('.wf-conn')?.textContent ?? '',
      })),
      total: {
        ms: Number(total.getAttribute('data-total-ms')),
        connections: Number(total.getAttribute('data-connections')),
        rows: Number(total.getAttribute('data-rows')),
        text: total.textContent ?? '',
      },
      stallMarks: section.querySelectorAll('.wf-stall').length,
      stallText: section.querySelector('.wf-stalls')?.textContent ?? '',
    };
  });
}

async function run(page: Page, settings: { resources: number; latencyMs: number; lossPercent: number }): Promise<void> {
  await page.fill('#wf-resources', String(settings.resources));
  await page.fill('#wf-latency', String(settings.latencyMs));
  await page.fill('#wf-loss', String(settings.lossPercent));
  // By keyboard: focus the button and press Enter ("running…" at once, then "done: N resources per lane").
  await page.focus('#wf-run');
  await page.keyboard.press('Enter');
  await page.locator('#wf-status', { hasText: /^(done|failed)/ }).waitFor(WAIT);
  expect(await page.locator('#wf-status').innerText()).toBe(`done: ${settings.resources} resources per lane`);
}

/** Scrolls the result (the sentence comparing the lanes, then the charts) to the top, for the screenshot. */
async function showLanes(page: Page): Promise<void> {
  await page.locator('#wf-compare').evaluate((e) => e.scrollIntoView());
}

/** What every run of N=12 must show, whoever served it. */
function checkLanes(h1: LaneShown, h2: LaneShown): void {
  const paths = Array.from({ length: 12 }, (_, i) => `/resource/${i}`);
  expect(h1.rows.map((r) => r.path)).toEqual(paths);
  expect(h2.rows.map((r) => r.path)).toEqual(paths);
  // Six distinct HTTP/1.1 connections (numbered 1-6 by the relay); one HTTP/2 connection.
  expect([...new Set(h1.rows.map((r) => r.connection))].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  expect(new Set(h2.rows.map((r) => r.connection))).toEqual(new Set([1]));
  for (const r of [...h1.rows, ...h2.rows]) {
    expect(r.end).toBeGreaterThan(r.sent);
    expect(r.sent).toBeGreaterThanOrEqual(0);
    expect(r.label).toBe(`c${r.connection}`);
  }
  // HTTP/1.1: a connection carries one request at a time, so each of its requests leaves after the one before ended.
  for (let c = 1; c <= 6; c++) {
    const onIt = h1.rows.filter((r) => r.connection === c).sort((x, y) => x.sent - y.sent);
    for (let i = 1; i < onIt.length; i++) expect(onIt[i]!.sent).toBeGreaterThanOrEqual(onIt[i - 1]!.end);
  }
  expect(h1.total).toMatchObject({ connections: 6, rows: 12, ms: Math.max(...h1.rows.map((r) => r.end)) });
  expect(h2.total).toMatchObject({ connections: 1, rows: 12, ms: Math.max(...h2.rows.map((r) => r.end)) });
  expect(h1.total.text).toMatch(/^Total \d+ ms for 12 resources over 6 connections/);
  expect(h2.total.text).toMatch(/^Total \d+ ms for 12 resources over 1 connection\b/);
}

maybe('the waterfall demo in Chromium', () => {
  let dir: string;
  let lab: StartedLab;
  let browser: Browser;
  let page: Page;
  let alpn: Entry;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dir = copyCourse();
    alpn = (YAML.parse(readFileSync(path.join(dir, 'course.yaml'), 'utf8')) as { exercises: Entry[] }).exercises.find((e) => e.id === 'alpn')!;
    lab = await startLab(dir);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e: Error) => pageErrors.push(e.message));
    await page.goto(`${lab.url}&x=alpn&tab=demo`);
    await page.waitForSelector('#panel-demo:not([hidden]) #wf-run', WAIT);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('with the stub: the built-in pair serves both lanes, a banner says why; 6 connections vs 1, 12 rows each', async () => {
    await run(page, { resources: 12, latencyMs: 40, lossPercent: 0 });
    await expect(page.locator('#waterfall-banner').isVisible()).resolves.toBe(true);
    expect(await page.locator('#waterfall-banner').innerText()).toMatch(/Built-in peer[\s\S]*not implemented/);
    expect(await page.locator('#wf-server').getAttribute('data-source')).toBe('fallback');
    expect(await page.locator('#wf-server').innerText()).toMatch(/built-in pair[\s\S]*12 resources of 2000 octets, 40 ms each way/);
    const h1 = await readLane(page, 'http/1.1');
    const h2 = await readLane(page, 'h2');
    checkLanes(h1, h2);
    expect(h1.total.text).not.toMatch(/your server counted/);
    expect([h1.stallMarks, h2.stallMarks, h1.stallText, h2.stallText]).toEqual([0, 0, 'No chunk lost.', 'No chunk lost.']);
    // The table repeats the chart's numbers: 24 rows, each request's connection.
    expect(await page.locator('.wf-table tbody tr').count()).toBe(24);
    await showLanes(page);
    await screenshot(page, 'waterfall-stub-1280');
  }, 180_000);

  test("with the reference copied in: the learner's AlpnServer serves both lanes, no banner, its own counts agree", async () => {
    copyFileSync(path.join(dir, alpn.solution, alpn.files[0]!), path.join(dir, alpn.dir, alpn.files[0]!));
    await run(page, { resources: 12, latencyMs: 40, lossPercent: 0 });
    expect(await page.locator('#wf-server').getAttribute('data-source')).toBe('learner');
    await expect(page.locator('#waterfall-banner').isVisible()).resolves.toBe(false);
    expect(await page.locator('#waterfall-banner').innerText()).toBe('');
    expect(await page.locator('#wf-server').innerText()).toMatch(/your AlpnServer \(exercise 11\)/);
    const h1 = await readLane(page, 'http/1.1');
    const h2 = await readLane(page, 'h2');
    checkLanes(h1, h2);
    // The server's own connections() says the same as the relay: 6 HTTP/1.1 connections, then 1 h2 connection.
    expect(h1.total.text).toMatch(/over 6 connections \(your server counted 6\)\.$/);
    expect(h2.total.text).toMatch(/over 1 connection \(your server counted 1\)\.$/);
    await showLanes(page);
    await screenshot(page, 'waterfall-1280');
  }, 180_000);

  test('with loss on: every lost chunk is listed and marked on its lane; the run still completes', async () => {
    await run(page, { resources: 12, latencyMs: 40, lossPercent: 10 });
    const h1 = await readLane(page, 'http/1.1');
    const h2 = await readLane(page, 'h2');
    checkLanes(h1, h2);
    for (const lane of [h1, h2]) {
      if (lane.stallMarks === 0) expect(lane.stallText).toBe('No chunk lost.');
      else expect(lane.stallText).toMatch(new RegExp(`^✕ ${lane.stallMarks} lost chunks?: `));
    }
    // Seed 1's draws for connection 1, towards the client, start with 0.06: at 10% the server's first chunk on
    // connection 1 is lost in both lanes, whatever the timing.
    expect(h1.stallText).toMatch(/connection 1 \(to the client\) at \d+ ms, held 200 ms/);
    expect(h2.stallText).toMatch(/connection 1 \(to the client\) at \d+ ms, held 200 ms/);
    await showLanes(page);
    await screenshot(page, 'waterfall-loss-1280');
  }, 180_000);

  test('at 480x800 nothing overflows; every control is a field or a button', async () => {
    const view = await browser.newPage({ viewport: { width: 480, height: 800 } });
    try {
      await view.goto(`${lab.url}&x=alpn&tab=demo`);
      await view.waitForSelector('#panel-demo:not([hidden]) #wf-run', WAIT);
      await run(view, { resources: 12, latencyMs: 40, lossPercent: 0 });
      const o = await overflow(view, 'main *:not(pre *):not(.table-box *), nav *');
      expect(o).toEqual({ page: false, outside: [] });
      expect(await view.$$eval('#panel-demo input, #panel-demo button', (els) => els.map((e) => e.id))).toEqual([
        'wf-resources',
        'wf-size',
        'wf-latency',
        'wf-loss',
        'wf-seed',
        'wf-run',
      ]);
      await showLanes(view);
      const shot = await screenshot(view, 'waterfall-480');
      expect(shot.readUInt32BE(16)).toBe(480);
    } finally {
      await view.close();
    }
    const wide = await overflow(page, 'main *:not(pre *):not(.table-box *), nav *');
    expect(wide).toEqual({ page: false, outside: [] });
  }, 180_000);

  test('no script error on the page; on SIGTERM the lab exits and leaves no process of the course copy behind', async () => {
    expect(pageErrors).toEqual([]);
    await lab.stop();
    // 143: the CLI's own SIGTERM handler (128 + 15), not a crash.
    expect([lab.child.exitCode, lab.child.signalCode]).toEqual([143, null]);
    const leftovers = () =>
      execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes(dir));
    for (let waited = 0; leftovers().length && waited < 10_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    expect(leftovers()).toEqual([]);
  }, 60_000);
});
