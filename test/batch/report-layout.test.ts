// report.html answers an instructor's questions (issue 12 point 6), checked in headless Chromium (Debian's, driven
// by playwright-core): per exercise the tests ordered by how many learners failed them, with the count and the
// first message; the similar pairs side by side; and a layout check at 1280 and 800 px: nothing overflows the
// page horizontally, the drill-down into one learner (long unbreakable messages included) stays within the
// viewport, screenshots taken. Skips, saying why, when /usr/bin/chromium is not installed.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../../grader/batch/model';
import { writeOutputs } from '../../grader/report/gradebook';
import { failingTests } from '../../grader/report/html';
import { untrusted } from '../../grader/report/escape';
import { toolPresent } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = toolPresent(existsSync(CHROMIUM), `${CHROMIUM}, for the report layout test (apt-get install -y chromium)`);
const maybe = haveChromium ? describe : describe.skip;

const EXERCISES = ['hpack-table', 'frame-parser', 'backoff-reconnect', 'typing-indicator', 'sse-consumer', 'extra-one', 'extra-two', 'extra-three'];
const LONG = `the frame bytes were ${'ab'.repeat(400)} and then ${'x'.repeat(300)}`;

/** Test i of an exercise fails for learner n when (i * 7 + n) % (i + 2) === 0: a different count per test. */
function outcome(exercise: string, n: number): ExerciseOutcome {
  const tests = Array.from({ length: 6 }, (_, i) => {
    const failed = (i * 7 + n) % (i + 2) === 0;
    return {
      fullName: `${exercise} › test ${i + 1} (RFC 9113 §4.1)`,
      group: [exercise],
      title: `test ${i + 1} (RFC 9113 §4.1)`,
      status: (failed ? 'failed' : 'passed') as 'failed' | 'passed',
      message: failed ? (i === 3 ? LONG : `learner-${n} got it wrong in test ${i + 1}`) : undefined,
      durationMs: 5,
      score: failed ? 0 : 1,
      maxScore: 1,
      ...(i >= 4 ? { hidden: true } : {}),
    };
  });
  const score = tests.reduce((s, t) => s + t.score, 0);
  const hidden = tests.filter((t) => t.hidden);
  return {
    exercise,
    status: score === 6 ? 'passed' : 'failed',
    score,
    maxScore: 6,
    tests,
    anomalies: [],
    diagnostics: [],
    durationMs: 1000,
    suiteHash: 'c'.repeat(64),
    hidden: { status: 'failed', score: hidden.reduce((s, t) => s + t.score, 0), maxScore: 2 },
  };
}

const SOURCE = `export class Table {\n  private items: string[] = [];\n  add(name: string, value: string): void {\n    const joined = name + ':' + value;\n    if (joined.length > 100) throw new Error('too long: ' + joined);\n    this.items.unshift(joined);\n    while (this.items.length > 10) this.items.pop();\n  }\n  get(i: number): string {\n    if (i < 0 || i >= this.items.length) throw new Error('out of range ' + i);\n    return this.items[i]!;\n  }\n}\n`;

const learners: LearnerResult[] = Array.from({ length: 12 }, (_, n) => {
  const exercises = EXERCISES.map((e) => outcome(e, n));
  return {
    learner: untrusted(`learner-with-a-long-name-${String(n).padStart(2, '0')}`),
    kind: 'folder',
    status: 'graded',
    score: exercises.reduce((s, e) => s + e.score, 0),
    maxScore: 48,
    exercises,
  };
});

const book: Gradebook = {
  meta: {
    tool: 'course grade',
    version: 1,
    course: 'Layout test course',
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:05:00.000Z',
    allLearners: learners.map((l) => l.learner),
    learners: learners.map((l) => l.learner),
    exercises: EXERCISES.map((id) => ({ id, title: `Exercise ${id}`, suiteHash: 'c'.repeat(64), maxScore: 6, hiddenMaxScore: 2 })),
    isolation: [],
    jobs: 2,
    runs: { graded: 96, resumed: 0 },
  },
  learners,
  code: {
    starters: { 'hpack-table': { 'table.ts': 'export class Table {}\n' } },
    learners: {
      [learners[0]!.learner]: { 'hpack-table': { 'table.ts': SOURCE } },
      [learners[1]!.learner]: { 'hpack-table': { 'table.ts': SOURCE.replace(/items/g, 'entries').replace(/joined/g, 'line') } },
      [learners[2]!.learner]: {
        'hpack-table': { 'table.ts': 'export class Table {\n  map = new Map<string, number>();\n  count(w: string) { return this.map.get(w) ?? 0; }\n}\n' },
      },
    },
  },
};

test('failing tests are ordered by how many learners failed them, with the first message', () => {
  const x = failingTests(book).find((e) => e.exercise === 'hpack-table')!;
  const counts = x.tests.map((t) => t.failed);
  expect(counts).toEqual([...counts].sort((a, b) => b - a));
  // Test 1 fails for n % 2 === 0 (6 of 12), test 2 for (7 + n) % 3 === 0 (4 of 12).
  const t1 = x.tests.find((t) => t.fullName.includes('test 1 '))!;
  expect(t1).toMatchObject({ failed: 6, ran: 12, firstLearner: 'learner-with-a-long-name-00', firstMessage: 'learner-0 got it wrong in test 1' });
  expect(x.tests.find((t) => t.fullName.includes('test 2 '))!.failed).toBe(4);
  expect(x.tests.find((t) => t.fullName.includes('test 5 '))!.hidden).toBe(true);
});

maybe('report.html layout in headless Chromium', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-layout-'));
  let browser: Browser;
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
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the failing-tests section lists tests most failed first, with count and first message', async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(`file://${path.join(dir, 'report.html')}`);
    const rows = await page.$$eval('#failing section[data-exercise="hpack-table"] tr[data-test]', (trs) =>
      trs.map((tr) => Number(tr.getAttribute('data-failed'))),
    );
    expect(rows.length).toBeGreaterThan(3);
    expect(rows).toEqual([...rows].sort((a, b) => b - a));
    const first = await page.locator('#failing section[data-exercise="hpack-table"] tr[data-test]').first().innerText();
    expect(first).toMatch(/6\/12 \(50%\)/);
    expect(first).toContain('got it wrong');
    expect(await page.locator('#failing .tag').first().innerText()).toBe('instructor-only');
    // The planted pair is in the similarity section with its fragments side by side.
    const pair = page.locator('#similarity tr.pair');
    expect(await pair.count()).toBe(1);
    expect(await pair.getAttribute('data-a')).toBe('learner-with-a-long-name-00');
    await page.locator('#similarity tr.pair-fragments summary').click();
    const sides = await page.$$eval('#similarity .side-by-side pre', (pres) => pres.map((p) => p.textContent ?? ''));
    expect(sides.length).toBeGreaterThanOrEqual(2);
    expect(sides[0]).toContain('items');
    expect(sides[1]).toContain('entries');
    expect(errors).toEqual([]);
    await page.close();
  });

  for (const width of [1280, 800]) {
    test(`at ${width} px nothing overflows the page and the drill-down stays within it`, async () => {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.goto(`file://${path.join(dir, 'report.html')}`);
      await page.click('tr[data-learner="learner-with-a-long-name-00"] button.learner');
      await page.locator('tr[data-detail-for="learner-with-a-long-name-00"][data-state="shown"]').waitFor();
      // Every <details> open: the similarity fragments and the learner lists of the failing tests.
      await page.$$eval('details', (all) => all.forEach((d) => d.setAttribute('open', '')));
      const sizes = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
        return { scroll: doc.documentElement.scrollWidth, client: doc.documentElement.clientWidth };
      });
      // The page itself never scrolls sideways (a wide grade table scrolls inside its own box).
      expect(sizes.scroll).toBeLessThanOrEqual(sizes.client);
      const boxes = async (selector: string) =>
        page.$$eval(selector, (els) => els.map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right, width: r.width })));
      const inside = (list: Array<{ left: number; right: number; width: number }>) =>
        list.filter((b) => b.width > 0 && (b.left < -0.5 || b.right > width + 0.5));
      const detail = await boxes('tr.detail .detail-box, tr.detail .detail-box pre, tr.detail .detail-box h4');
      expect(detail.length).toBeGreaterThan(5);
      expect(inside(detail)).toEqual([]);
      expect(inside(await boxes('#failing table, #failing pre, #similarity table, #similarity .side-by-side pre, h1, h2'))).toEqual([]);
      const shot = await page.screenshot({ fullPage: false, path: path.join(dir, `report-${width}.png`) });
      // A PNG of exactly the viewport's width (IHDR: width at byte 16).
      expect(shot.readUInt32BE(16)).toBe(width);
      expect(readFileSync(path.join(dir, `report-${width}.png`)).length).toBe(shot.length);
      await page.close();
    }, 120_000);
  }
});

if (!haveChromium) {
  test('report layout browser test (skipped: /usr/bin/chromium is not installed)', () => undefined);
}
