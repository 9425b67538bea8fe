// report.html in a real headless browser: Debian's chromium driven by playwright-core (never a downloaded browser).
// Skips, saying why, when /usr/bin/chromium is not installed.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../../grader/batch/model';
import { writeOutputs } from '../../grader/report/gradebook';
import { untrusted, untrustedOpt } from '../../grader/report/escape';
import { toolPresent } from '../helpers';

/** The little of the DOM these tests touch (the project compiles without the DOM lib). */
interface DomEl {
  className: string;
  getAttribute(name: string): string | null;
}

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = toolPresent(existsSync(CHROMIUM), `${CHROMIUM}, for the report.html browser test (apt-get install -y chromium)`);
const maybe = haveChromium ? describe : describe.skip;

function outcome(exercise: string, score: number, max: number, status: ExerciseOutcome['status'], failedMessage?: string): ExerciseOutcome {
  const tests = Array.from({ length: max }, (_, i) => ({
    fullName: `${exercise} › test ${i + 1}`,
    group: [exercise],
    title: `test ${i + 1}`,
    status: (i < score ? 'passed' : 'failed') as 'passed' | 'failed',
    message: i < score ? undefined : (failedMessage ?? `expected ${i} to be ${i + 1}`),
    durationMs: 12,
    score: i < score ? 1 : 0,
    maxScore: 1,
  }));
  return {
    exercise,
    status,
    score,
    maxScore: max,
    tests: status === 'not submitted' || status === 'rejected' ? [] : tests,
    anomalies: [],
    diagnostics: [],
    durationMs: 800,
    suiteHash: 'a'.repeat(64),
  };
}

function learner(id: string, status: LearnerResult['status'], exercises: ExerciseOutcome[], reason?: string): LearnerResult {
  return {
    learner: untrusted(id),
    kind: 'folder',
    status,
    reason: untrustedOpt(reason),
    score: exercises.reduce((s, e) => s + e.score, 0),
    maxScore: 7,
    exercises,
  };
}

const book: Gradebook = {
  meta: {
    tool: 'course grade',
    version: 1,
    course: 'Report test course',
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:05:00.000Z',
    allLearners: ['alice', 'bob', 'carol', 'dave', 'mallory'],
    learners: ['alice', 'bob', 'carol', 'dave', 'mallory'],
    exercises: [
      { id: 'calc', title: 'Calculator', suiteHash: '0123456789abcdef'.repeat(4), maxScore: 3 },
      { id: 'words', title: 'Words', suiteHash: 'fedcba9876543210'.repeat(4), maxScore: 4 },
    ],
    isolation: [
      { name: 'network namespace (loopback only) per jest worker', on: true },
      { name: 'unprivileged uid (61000+worker) with no-new-privs for student children', on: false, why: 'not running as root' },
    ],
    jobs: 2,
    runs: { graded: 8, resumed: 0 },
  },
  learners: [
    learner('alice', 'graded', [outcome('calc', 3, 3, 'passed'), outcome('words', 4, 4, 'passed')]),
    learner('bob', 'graded', [
      outcome('calc', 3, 3, 'passed'),
      outcome('words', 2, 4, 'failed', 'topWord("b a B") returned null, expected "b" <img src=x onerror="window.__xss=1">'),
    ]),
    learner('carol', 'graded', [outcome('calc', 0, 3, 'failed'), outcome('words', 1, 4, 'failed')]),
    learner('dave', 'not submitted', [outcome('calc', 0, 3, 'not submitted'), outcome('words', 0, 4, 'not submitted')]),
    learner('mallory', 'rejected', [outcome('calc', 0, 3, 'rejected'), outcome('words', 0, 4, 'rejected')], 'path "../x" goes outside the submission'),
  ],
};

maybe('report.html in headless Chromium', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-report-'));
  let browser: Browser;
  const requests: string[] = [];
  const errors: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: any;

  beforeAll(async () => {
    writeOutputs(book, dir, { gradescope: true, exercism: true });
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
    page = await browser.newPage();
    page.on('request', (r: { url: () => string }) => requests.push(r.url()));
    page.on('pageerror', (e: Error) => errors.push(e.message));
    page.on('console', (m: { type: () => string; text: () => string }) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`file://${path.join(dir, 'report.html')}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('loads without errors and without any network request', () => {
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
  });

  test('shows one row per learner with colour-coded scores', async () => {
    const rows = await page.$$eval('#grades tbody tr', (trs: DomEl[]) => trs.map((tr) => tr.getAttribute('data-learner')));
    expect(rows).toEqual(['alice', 'bob', 'carol', 'dave', 'mallory']);
    const classes = await page.$$eval('#grades tbody tr[data-learner="bob"] td[data-exercise]', (tds: DomEl[]) => tds.map((td) => td.className));
    expect(classes).toEqual(['score-full st-passed', 'score-partial st-failed']);
    expect(await page.$eval('tr[data-learner="carol"] td[data-exercise="calc"]', (td: DomEl) => td.className)).toBe('score-zero st-failed');
    expect(await page.$eval('tr[data-learner="dave"] td[data-exercise="calc"]', (td: DomEl) => td.className)).toBe('score-none st-not-submitted');
    // The colours are real computed colours, not just class names.
    const bg = (sel: string) =>
      page.$eval(
        sel,
        (td: DomEl) => (globalThis as unknown as { getComputedStyle(e: DomEl): { backgroundColor: string } }).getComputedStyle(td).backgroundColor,
      );
    const full = await bg('tr[data-learner="alice"] td[data-exercise="calc"]');
    const zero = await bg('tr[data-learner="carol"] td[data-exercise="calc"]');
    expect(full).not.toBe(zero);
    expect(full).toBe('rgb(218, 251, 225)');
  });

  test('sorts by a column when its header is clicked, and reverses on a second click', async () => {
    await page.click('#grades th[data-key="total"]');
    const order = async () => page.$$eval('#grades tbody tr[data-learner]', (trs: DomEl[]) => trs.map((tr) => tr.getAttribute('data-learner')));
    expect((await order())[0]).toBe('alice');
    expect(await page.getAttribute('#grades th[data-key="total"]', 'aria-sort')).toBe('descending');
    await page.click('#grades th[data-key="total"]');
    const asc = await order();
    expect(asc[asc.length - 1]).toBe('alice');
    expect(await page.getAttribute('#grades th[data-key="total"]', 'aria-sort')).toBe('ascending');
    await page.click('#grades th[data-key="learner"]');
    expect(await order()).toEqual(['alice', 'bob', 'carol', 'dave', 'mallory']);
  });

  test("drills down to a learner's failed tests and their messages, as text", async () => {
    await page.click('tr[data-learner="bob"] button.learner');
    const detail = page.locator('tr[data-detail-for="bob"][data-state="shown"]');
    await detail.waitFor();
    const text: string = await detail.innerText();
    expect(text).toContain('words — failed 2/4');
    expect(text).toContain('words › test 3');
    expect(text).toContain('topWord("b a B") returned null');
    // The learner's message is shown, never interpreted.
    expect(text).toContain('<img src=x onerror=');
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.click('tr[data-learner="bob"] button.learner');
    expect(await page.locator('tr[data-detail-for="bob"]').count()).toBe(0);
    await page.click('tr[data-learner="mallory"] button.learner');
    expect(await page.locator('tr[data-detail-for="mallory"][data-state="shown"]').innerText()).toContain('goes outside the submission');
  });

  test("a learner's detail file missing (report.html copied without report/): the drill-down says which file it needs", async () => {
    rmSync(path.join(dir, 'report', 'carol.js'));
    await page.click('tr[data-learner="carol"] button.learner');
    const detail = page.locator('tr[data-detail-for="carol"][data-state="failed"]');
    expect(await detail.innerText()).toContain('could not load report/carol.js (it belongs beside report.html)');
    await page.click('tr[data-learner="carol"] button.learner');
  });

  test('shows the score distribution per exercise', async () => {
    const counts = await page.$$eval('.dist[data-exercise="calc"] .bar', (bars: DomEl[]) => bars.map((b) => Number(b.getAttribute('data-count'))));
    expect(counts).toEqual([1, 0, 0, 2]); // carol 0; alice and bob 3; dave and mallory apart
    const words = await page.$$eval('.dist[data-exercise="words"] .bar', (bars: DomEl[]) => bars.map((b) => Number(b.getAttribute('data-count'))));
    expect(words).toEqual([0, 1, 1, 0, 1]);
  });

  test('shows the run metadata: date, suite hashes, isolation layers', async () => {
    const meta: string = await page.locator('#meta').innerText();
    expect(meta).toContain('2026-11-21T10:00:00.000Z');
    expect(await page.locator('#suites').innerText()).toContain('0123456789abcdef');
    const iso: string = await page.locator('#isolation').innerText();
    expect(iso).toContain('network namespace');
    expect(iso).toContain('not running as root');
  });

  test('the other formats were written beside it', () => {
    const gs = JSON.parse(readFileSync(path.join(dir, 'gradescope', 'bob', 'results.json'), 'utf8'));
    expect(gs.score).toBe(5);
    expect(gs.tests).toHaveLength(7);
    expect(gs.tests[0]).toMatchObject({ score: 1, max_score: 1, visibility: 'visible' });
    const ex = JSON.parse(readFileSync(path.join(dir, 'exercism', 'bob', 'results.json'), 'utf8'));
    expect(ex.version).toBe(3);
    expect(ex.status).toBe('fail');
    expect(ex.tests.filter((t: { status: string }) => t.status === 'fail')).toHaveLength(2);
    const ok = JSON.parse(readFileSync(path.join(dir, 'exercism', 'alice', 'results.json'), 'utf8'));
    expect(ok.status).toBe('pass');
    const junit = readFileSync(path.join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="bob.words" tests="4" failures="2"');
    expect(junit).toContain('&lt;img src=x');
    expect(readFileSync(path.join(dir, 'grades.csv'), 'utf8').split('\n')[0]).toBe(
      'learner,calc,calc_tests,words,words_tests,points,max_points,percent,tests_passed,tests_total,status,note,calc_status,words_status',
    );
  });
});

if (!haveChromium) {
  test('report.html browser test (skipped: /usr/bin/chromium is not installed)', () => undefined);
}
