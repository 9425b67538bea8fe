// report.html with points, a deadline, a roster and runs from the checkpoint, in headless Chromium (Debian's
// chromium driven by playwright-core, as html-report.test.ts). Skips, saying why, when it is not installed.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { finalize, type ExerciseMeta, type ExerciseOutcome, type Gradebook, type LearnerResult } from '../../grader/batch/model';
import { resolvePoints } from '../../grader/batch/points';
import { matchRoster, parseRoster } from '../../grader/batch/roster';
import { writeOutputs } from '../../grader/report/gradebook';
import { untrusted } from '../../grader/report/escape';
import { toolPresent } from '../helpers';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = toolPresent(existsSync(CHROMIUM), `${CHROMIUM}, for the report.html points test (apt-get install -y chromium)`);
const maybe = haveChromium ? describe : describe.skip;

function outcome(exercise: string, passed: number, total: number, fresh: boolean): ExerciseOutcome {
  const tests = Array.from({ length: total }, (_, i) => ({
    fullName: `${exercise} › t${i}`,
    group: [exercise === 'words' ? 'Words' : 'Calc'],
    title: `t${i}`,
    status: (i < passed ? 'passed' : 'failed') as 'passed' | 'failed',
    message: i < passed ? undefined : 'expected 1, got 2',
    durationMs: 3,
    score: i < passed ? 1 : 0,
    maxScore: 1,
  }));
  return {
    exercise,
    status: passed === total ? 'passed' : 'failed',
    score: passed,
    maxScore: total,
    tests,
    anomalies: [],
    diagnostics: [],
    durationMs: 10,
    suiteHash: 'h'.repeat(64),
    run: fresh ? { fresh: true, at: '2026-03-05T10:00:00.000Z', reason: 'suite changed' } : { fresh: false, at: '2026-03-04T09:00:00.000Z' },
  };
}

function book(): Gradebook {
  const exercises: ExerciseMeta[] = [
    { id: 'calc', title: 'Calc', suiteHash: 'h'.repeat(64), maxScore: 3, points: resolvePoints(10), maxPoints: 10 },
    { id: 'words', title: 'Words', suiteHash: 'h'.repeat(64), maxScore: 4, points: resolvePoints({ total: 20, groups: { Words: 20 } }), maxPoints: 20 },
  ];
  const roster = parseRoster('submission,name,email,extension\nann,"Archer, Ann",ann@x.edu,\nben,"<b>Bell</b>",ben@x.edu,\nivy,"Ives, Ivy",ivy@x.edu,\n');
  const match = matchRoster(roster, ['ann', 'ben', 'zed']);
  const learner = (id: string, calc: number, words: number, fresh: boolean, penalty: number): LearnerResult =>
    finalize(
      {
        learner: untrusted(id),
        kind: 'folder',
        status: 'graded',
        score: 0,
        maxScore: 0,
        roster: match.bySubmission.get(id),
        submitted: {
          at: '2026-03-02T05:00:00.000Z',
          source: 'git commit',
          deadline: '2026-03-01T23:59:00.000Z',
          lateMs: penalty ? 18_060_000 : 0,
          penalty,
          label: penalty ? '5 h late, 1 day × 10%: -10%' : 'on time',
        },
        exercises: [outcome('calc', calc, 3, fresh), outcome('words', words, 4, false)],
      },
      exercises,
    );
  return {
    meta: {
      tool: 'course grade',
      version: 1,
      course: 'Points report',
      startedAt: '2026-03-05T10:00:00.000Z',
      finishedAt: '2026-03-05T10:01:00.000Z',
      allLearners: ['ann', 'ben', 'zed'],
      learners: ['ann', 'ben', 'zed'],
      exercises,
      isolation: [],
      jobs: 1,
      runs: { graded: 3, resumed: 3, reasons: { 'suite changed': 3 } },
      suiteChanges: [{ exercise: 'calc', from: ['a'.repeat(64)], to: 'h'.repeat(64), runs: 3 }],
      roster: { file: 'roster.csv', missing: match.missing, unrostered: match.unrostered },
      deadline: { at: '2026-03-01T23:59:00.000Z', policy: '10% per started day late', late: '10%/day' },
    },
    learners: [learner('ann', 3, 2, true, 0), learner('ben', 2, 4, true, 0.1), learner('zed', 3, 4, false, 0)],
  };
}

maybe('report.html with points, lateness, roster and run origins', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-report-points-'));
  let browser: Browser;
  const errors: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let page: any;

  beforeAll(async () => {
    writeOutputs(book(), dir);
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
    page = await browser.newPage();
    page.on('pageerror', (e: Error) => errors.push(e.message));
    await page.goto(`file://${path.join(dir, 'report.html')}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the table shows points of the maximum, the percentage, lateness, the final points and where each run came from', async () => {
    expect(errors).toEqual([]);
    const headers: string[] = await page.$$eval('#grades th', (ths: Array<{ textContent: string }>) => ths.map((th) => th.textContent));
    expect(headers).toEqual(['Learner', 'calc /10', 'words /20', 'Total /30', '%', 'Late', 'Final', 'Status', 'Run']);
    const ben: string[] = await page.$$eval('tr[data-learner="ben"] td', (tds: Array<{ textContent: string }>) => tds.map((td) => td.textContent));
    // Each cell says what it is beside its colour (✗ some tests failed, ✓ all passed, ⇥ late); the roster name is text.
    expect(ben).toEqual(['ben<b>Bell</b>', '✗ 6.67', '✓ 20', '26.67/30', '88.9%', '⇥ -10%', '24', 'graded', 'mixed']);
    expect(await page.$eval('tr[data-learner="zed"] td.run', (td: { textContent: string }) => td.textContent)).toBe('checkpoint');
  }, 60_000);

  test("the drill-down names the learner, the submission time, the deduction, each run's origin and the group points, as text", async () => {
    await page.click('tr[data-learner="ben"] button.learner');
    const text: string = await page.locator('tr[data-detail-for="ben"][data-state="shown"]').innerText();
    expect(text).toContain('<b>Bell</b>'); // a roster name is text, never markup
    expect(text).toContain(
      'submitted 2026-03-02T05:00:00.000Z (git commit), deadline 2026-03-01T23:59:00.000Z: 5 h late, 1 day × 10%: -10% → 24 of 26.67 points',
    );
    expect(text).toContain('calc — failed 2/3 tests, 6.67/10 points');
    expect(text).toContain('graded by this run (suite changed)');
    expect(text).toContain('from the checkpoint (graded 2026-03-04T09:00:00.000Z)');
    expect(text).toContain('Words: 20/20 points, 4 of 4 tests passed');
  }, 60_000);

  test('a roster learner without a submission is a row of the main table, every exercise marked as such', async () => {
    const ivy: string[] = await page.$$eval('tr[data-learner="ivy"] td', (tds: Array<{ textContent: string }>) => tds.map((td) => td.textContent));
    expect(ivy[0]).toContain('ivy');
    expect(ivy.slice(1, 3)).toEqual(['∅ no submission', '∅ no submission']);
    expect(ivy[ivy.length - 2]).toBe('no submission');
    expect(await page.$$eval('tr[data-learner="ivy"] td[data-exercise]', (tds: Array<{ className: string }>) => tds.map((td) => td.className))).toEqual([
      'score-none st-missing',
      'score-none st-missing',
    ]);
  }, 60_000);

  test('roster learners without a submission and submissions not in the roster are listed; the run says what changed', async () => {
    expect(await page.locator('#roster tr[data-missing="ivy"]').innerText()).toContain('in the roster, no submission');
    expect(await page.locator('#roster tr[data-unrostered="zed"]').innerText()).toContain('submission not in the roster');
    const meta: string = await page.locator('#meta').innerText();
    expect(meta).toContain('3 graded now (3 suite changed), 3 taken from the checkpoint');
    expect(meta).toMatch(/calc: a{12} → h{12}, regraded for 3 learner\(s\)/);
    expect(meta).toContain('10% per started day late');
  }, 60_000);
});
