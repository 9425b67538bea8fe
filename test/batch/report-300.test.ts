// report.html for a term: 300 generated learners shaped like the real course (9 exercises, 600 tests;
// synthetic-gradebook.js) in headless Chromium (Debian's, driven by playwright-core) at 1280×800. The page and its
// per-learner detail files stay under 10 MB in all (they were 54 MB in one page); the learner and total columns
// stay in view wherever the table is scrolled sideways; a learner's detail opens from file://; every outcome has a
// look of its own (a compile error is not a "0"); roster learners without a submission are rows of the table.
// How fast it loads is bench/report.js's business, not an assertion here. Skips, saying why, without /usr/bin/chromium.

import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { writeOutputs } from '../../grader/report/gradebook';
import { syntheticGradebook } from './synthetic-gradebook';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`SKIPPED: the 300-learner report test needs ${CHROMIUM} (apt-get install -y chromium); it is not installed here`);
const maybe = haveChromium ? describe : describe.skip;

const WIDTH = 1280;
const HEIGHT = 800;

/** The DOM as these tests use it (the project's tsconfig has no DOM lib). */
interface Rect {
  left: number;
  right: number;
  top: number;
  bottom: number;
}
interface Box {
  getBoundingClientRect(): Rect;
}
interface Win {
  document: { elementFromPoint(x: number, y: number): { closest(s: string): unknown } | null; querySelector(s: string): unknown };
  getComputedStyle(e: unknown): Record<string, string>;
}

function sizeOf(p: string): number {
  if (!statSync(p).isDirectory()) return statSync(p).size;
  return readdirSync(p).reduce((s, f) => s + sizeOf(path.join(p, f)), 0);
}

maybe('report.html for 300 learners at 1280×800', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-report300-'));
  const book = syntheticGradebook(300);
  const rows = book.learners.length + book.meta.roster!.missing.length;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    writeOutputs(book, dir);
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT } });
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(`file://${path.join(dir, 'report.html')}`, { timeout: 120_000 });
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }).document.querySelectorAll('#grades tbody tr[data-learner]')
          .length === n,
      rows,
      { timeout: 120_000 },
    );
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('report.html and its detail files are under 10 MB in all, one detail file per learner', () => {
    const html = sizeOf(path.join(dir, 'report.html'));
    const detail = sizeOf(path.join(dir, 'report'));
    expect(readdirSync(path.join(dir, 'report')).length).toBe(300);
    expect(html + detail).toBeLessThan(10_000_000);
    expect(errors).toEqual([]);
  });

  test('roster learners without a submission are rows of the main table', async () => {
    for (const r of book.meta.roster!.missing) {
      expect(await page.locator(`#grades tr[data-learner="${r.submission}"] td.status`).innerText()).toBe('no submission');
    }
  });

  test('the learner and total columns stay visible wherever the table is scrolled sideways', async () => {
    const wrap = page.locator('.table-wrap');
    const overflow = await wrap.evaluate((w) => {
      const el = w as unknown as { scrollWidth: number; clientWidth: number };
      return el.scrollWidth - el.clientWidth;
    });
    // The table is wider than the page at 1280 px: without sticky columns the totals would be off-screen.
    expect(overflow).toBeGreaterThan(100);
    const learner = 'learner-150';
    for (const fraction of [0, 0.5, 1]) {
      await wrap.evaluate((w, f) => {
        const el = w as unknown as { scrollLeft: number; scrollWidth: number; clientWidth: number };
        el.scrollLeft = (el.scrollWidth - el.clientWidth) * f;
      }, fraction);
      await page.locator(`#grades tr[data-learner="${learner}"]`).scrollIntoViewIfNeeded();
      for (const cls of ['learner-col', 'total-col']) {
        const cell = page.locator(`#grades tr[data-learner="${learner}"] td.${cls}`);
        const shown = await cell.evaluate(
          (td, [w, h]) => {
            const r = (td as unknown as Box).getBoundingClientRect();
            const x = (r.left + r.right) / 2;
            const y = (r.top + r.bottom) / 2;
            const within = r.left >= 0 && r.right <= w && r.top >= 0 && r.bottom <= h;
            // Not covered by another cell: the point at its centre belongs to it.
            const top = (globalThis as unknown as Win).document.elementFromPoint(x, y)?.closest('td');
            return { within, onTop: top === td };
          },
          [WIDTH, HEIGHT] as const,
        );
        expect({ fraction, cls, ...shown }).toEqual({ fraction, cls, within: true, onTop: true });
      }
      // The header's learner and total cells too.
      for (const cls of ['learner-col', 'total-col']) {
        const r = await page.locator(`#grades th.${cls}`).evaluate((th) => (th as unknown as Box).getBoundingClientRect());
        expect({ fraction, cls, left: r.left >= 0, right: r.right <= WIDTH }).toEqual({ fraction, cls, left: true, right: true });
      }
    }
  });

  test("a learner's detail opens from file:// on a click, and closes on a second", async () => {
    const learner = book.learners.find((l) => l.status === 'graded' && l.exercises.some((e) => e.status === 'failed'))!;
    const button = page.locator(`#grades tr[data-learner="${learner.learner}"] button.learner`);
    await button.click();
    const detail = page.locator(`tr[data-detail-for="${learner.learner}"][data-state="shown"]`);
    await detail.waitFor({ timeout: 30_000 });
    expect(await detail.locator('.exercise-detail').count()).toBe(9);
    const failed = learner.exercises.flatMap((e) => e.tests.filter((t) => t.status !== 'passed'));
    expect(await detail.locator('.failed-test').count()).toBe(failed.length);
    expect(await detail.locator('.failed-test .name').first().innerText()).toContain(failed[0]!.fullName);
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    await button.click();
    expect(await page.locator(`tr[data-detail-for="${learner.learner}"]`).count()).toBe(0);
    expect(errors).toEqual([]);
  });

  test('every outcome has its own look and its own text: colour is never the only signal', async () => {
    const cells: Array<{ kind: string; cls: string; text: string; look: string }> = await page.$$eval('#grades td[data-kind]', (tds) =>
      tds.map((td) => {
        const style = (globalThis as unknown as Win).getComputedStyle(td);
        return {
          kind: td.getAttribute('data-kind') ?? '',
          cls: td.className,
          text: (td.textContent ?? '').replace(/[\d.]+/g, '#'),
          look: [style.backgroundColor, style.backgroundImage, style.color, style.fontStyle, style.textDecorationLine].join(' '),
        };
      }),
    );
    const kinds = ['passed', 'failed', 'compile-error', 'load-error', 'timeout', 'tampered', 'not-submitted', 'rejected', 'error', 'missing'];
    const byKind = new Map<string, { classes: Set<string>; texts: Set<string>; looks: Set<string> }>();
    for (const c of cells) {
      const k = byKind.get(c.kind) ?? { classes: new Set<string>(), texts: new Set<string>(), looks: new Set<string>() };
      k.classes.add(c.cls.split(' ').find((x: string) => x.startsWith('st-'))!);
      k.texts.add(c.text);
      k.looks.add(c.look);
      byKind.set(c.kind, k);
    }
    expect([...byKind.keys()].sort()).toEqual([...kinds].sort());
    for (const k of kinds) expect([k, ...byKind.get(k)!.classes]).toEqual([k, `st-${k}`]);
    // No two kinds share a text (a compile error never reads "0") or a look.
    const texts = kinds.map((k) => [...byKind.get(k)!.texts]);
    for (let i = 0; i < kinds.length; i++) {
      for (let j = i + 1; j < kinds.length; j++) {
        expect({ a: kinds[i], b: kinds[j], shared: texts[i]!.filter((t) => texts[j]!.includes(t)) }).toEqual({ a: kinds[i], b: kinds[j], shared: [] });
        const looks = [...byKind.get(kinds[j]!)!.looks];
        expect({ a: kinds[i], b: kinds[j], shared: [...byKind.get(kinds[i]!)!.looks].filter((l) => looks.includes(l)) }).toEqual({
          a: kinds[i],
          b: kinds[j],
          shared: [],
        });
      }
    }
    expect(byKind.get('compile-error')!.texts).toEqual(new Set(['✎ compile error']));
    // Late submissions are marked in words and icon too.
    const late = await page.$$eval('#grades td.late-penalty', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(late.length).toBeGreaterThan(0);
    for (const t of late) expect(t).toMatch(/^⇥ -\d+%$/);
  });
});

if (!haveChromium) {
  test('300-learner report test (skipped: /usr/bin/chromium is not installed)', () => undefined);
}
