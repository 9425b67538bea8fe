// No output handed to a learner carries an instructor-only test (issue: "the Gradescope export shows
// instructor-only tests"): not its name, not its failure message, not the shrunk input that message quotes, not
// a run message or hung test that names it. Checked on every format a learner can receive: Gradescope (those
// tests only with "visibility": "hidden"), Exercism, feedback .md and .html, and GitHub Classroom's results (the
// script `course release --classroom` ships). The instructor's own outputs (results/, report.html) keep them.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExerciseOutcome, Gradebook, LearnerResult } from '../../grader/batch/model';
import { CLASSROOM_SCRIPT } from '../../grader/release/classroom';
import { untrusted } from '../../grader/report/escape';
import { feedbackHtml, feedbackMarkdown } from '../../grader/report/feedback';
import { exercismJson, gradescopeJson, writeOutputs } from '../../grader/report/gradebook';

const REPO = path.resolve(__dirname, '..', '..');
const SECRET_NAME = 'decodes the secret corner case nobody expects';
const SECRET_INPUT = '0xDEADBEEF-shrunk-input-7731';
const HIDDEN_FULL = `hidden calc › ${SECRET_NAME} (RFC 0000 §9)`;
const HIDDEN_PASSING = 'hidden calc › another private check of the total';
const SECRETS = [SECRET_NAME, SECRET_INPUT, HIDDEN_PASSING, 'another private check'];

function outcome(overrides: Partial<ExerciseOutcome> = {}): ExerciseOutcome {
  return {
    exercise: 'calc',
    status: 'failed',
    score: 3,
    maxScore: 5,
    seed: 42,
    tests: [
      { fullName: 'Calc › adds', group: ['Calc'], title: 'adds', status: 'passed', durationMs: 3, score: 1, maxScore: 1 },
      { fullName: 'Calc › totals', group: ['Calc'], title: 'totals', status: 'failed', message: 'expected 5, got 4', durationMs: 3, score: 0, maxScore: 1 },
      { fullName: 'Calc › echoes', group: ['Calc'], title: 'echoes', status: 'passed', durationMs: 3, score: 1, maxScore: 1 },
      {
        fullName: HIDDEN_FULL,
        group: ['hidden calc'],
        title: `${SECRET_NAME} (RFC 0000 §9)`,
        status: 'failed',
        message: `property failed after shrinking: input ${SECRET_INPUT}`,
        durationMs: 3,
        score: 0,
        maxScore: 1,
        hidden: true,
      },
      {
        fullName: HIDDEN_PASSING,
        group: ['hidden calc'],
        title: 'another private check of the total',
        status: 'passed',
        durationMs: 3,
        score: 1,
        maxScore: 1,
        hidden: true,
      },
    ],
    anomalies: [untrusted(`the code under test kept a timer running after "${HIDDEN_FULL}"`)],
    diagnostics: [],
    durationMs: 10,
    suiteHash: 'a'.repeat(64),
    hidden: { status: 'failed', score: 1, maxScore: 2, message: `1 test failed: ${HIDDEN_FULL} with ${SECRET_INPUT}` },
    ...overrides,
  };
}

const learners: LearnerResult[] = [
  { learner: untrusted('failing'), kind: 'folder', status: 'graded', score: 3, maxScore: 5, exercises: [outcome()] },
  // The instructor-only suite hung: the run's message and hung test name a hidden test.
  {
    learner: untrusted('hung'),
    kind: 'folder',
    status: 'graded',
    score: 2,
    maxScore: 5,
    exercises: [
      outcome({
        status: 'timeout',
        score: 2,
        message: untrusted(`instructor-only tests: timed out while running "${HIDDEN_FULL}"`),
        hungTest: untrusted(HIDDEN_FULL),
        hidden: { status: 'timeout', score: 0, maxScore: 2, message: `timed out while running "${HIDDEN_FULL}"` },
      }),
    ],
  },
];
const book: Gradebook = {
  meta: {
    tool: 'course grade',
    version: 1,
    course: 'Exports course',
    startedAt: '2026-11-21T10:00:00.000Z',
    finishedAt: '2026-11-21T10:05:00.000Z',
    allLearners: learners.map((l) => l.learner),
    learners: learners.map((l) => l.learner),
    exercises: [{ id: 'calc', title: 'Calc', suiteHash: 'a'.repeat(64), maxScore: 5, hiddenMaxScore: 2 }],
    isolation: [],
    jobs: 1,
    runs: { graded: 2, resumed: 0 },
  },
  learners,
};

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s));
}

test('Gradescope: instructor-only tests only with visibility "hidden"; the visible fields name none of them', () => {
  for (const l of learners) {
    const json = JSON.parse(gradescopeJson(l)) as {
      output: string;
      tests: Array<{ name: string; output: string; visibility: string; score: number; max_score: number }>;
    };
    expect([l.learner, leaks(json.output)]).toEqual([l.learner, []]);
    const visible = json.tests.filter((t) => t.visibility !== 'hidden');
    expect([l.learner, leaks(JSON.stringify(visible))]).toEqual([l.learner, []]);
    const hidden = json.tests.filter((t) => t.visibility === 'hidden');
    expect(hidden.map((t) => t.name).sort()).toEqual([HIDDEN_FULL, HIDDEN_PASSING].sort());
    // The learner sees the score of the instructor-only part, worth no extra points.
    const summary = visible.find((t) => t.name === 'calc: instructor-only tests')!;
    expect(summary).toMatchObject({ score: 0, max_score: 0 });
    expect(summary.output).toMatch(/^[01]\/2 instructor-only test\(s\) passed/);
    // Points still add up: the visible tests and the hidden ones together are the exercise's.
    expect(json.tests.reduce((s, t) => s + t.max_score, 0)).toBe(5);
  }
});

test('Exercism, feedback .md and .html carry no instructor-only name or input, only their score', () => {
  for (const l of learners) {
    const exercism = exercismJson(l);
    expect([l.learner, 'exercism', leaks(exercism)]).toEqual([l.learner, 'exercism', []]);
    const tests = (JSON.parse(exercism) as { tests: Array<{ name: string; message?: string }> }).tests;
    expect(tests.map((t) => t.name)).toContain('calc: instructor-only tests');
    const md = feedbackMarkdown(book, l);
    const html = feedbackHtml(book, l);
    expect([l.learner, 'md', leaks(md)]).toEqual([l.learner, 'md', []]);
    expect([l.learner, 'html', leaks(html)]).toEqual([l.learner, 'html', []]);
    expect(md).toMatch(/Instructor-only tests \([01]\/2 passed/);
    expect(md).toContain('✗ totals');
  }
  // What the run said about the hung instructor-only test is a sentence without its name.
  expect(feedbackMarkdown(book, learners[1]!)).toContain('instructor-only tests: timeout');
});

test('written to disk: gradescope/, exercism/ and feedback/ leak nothing; results/ and report.html keep the detail for the instructor', () => {
  const out = mkdtempSync(path.join(os.tmpdir(), 'course-exports-'));
  try {
    writeOutputs(book, out, { gradescope: true, exercism: true });
    const files = (dir: string): string[] =>
      readdirSync(path.join(out, dir), { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.join(d.parentPath, d.name));
    const learnerFiles = [...files('exercism'), ...files('feedback')];
    expect(learnerFiles.length).toBe(6);
    for (const f of learnerFiles) expect([path.relative(out, f), leaks(readFileSync(f, 'utf8'))]).toEqual([path.relative(out, f), []]);
    for (const f of files('gradescope')) {
      const json = JSON.parse(readFileSync(f, 'utf8')) as { output: string; tests: Array<{ visibility: string }> };
      expect(leaks(json.output + JSON.stringify(json.tests.filter((t) => t.visibility !== 'hidden')))).toEqual([]);
    }
    expect(readFileSync(path.join(out, 'results', 'failing.json'), 'utf8')).toContain(SECRET_NAME);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('GitHub Classroom: the released script reports no instructor-only test even if `course check --json` had one', () => {
  // A stand-in for the course around the script: its `course check --json` answers with a result that holds an
  // instructor-only test (as a future or misconfigured check might); the script under test is the real one.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-classroom-'));
  try {
    mkdirSync(path.join(dir, '.github', 'classroom'), { recursive: true });
    mkdirSync(path.join(dir, 'bin'));
    writeFileSync(path.join(dir, '.github', 'classroom', 'course-check.js'), CLASSROOM_SCRIPT);
    writeFileSync(path.join(dir, 'course.yaml'), 'title: t\nexercises:\n  - id: calc\n');
    const result = { ...outcome(), tests: outcome().tests.map(({ group, ...t }) => t) };
    writeFileSync(path.join(dir, 'bin', 'course.js'), `process.stdout.write(${JSON.stringify(JSON.stringify(result))});\n`);
    symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const r = spawnSync(process.execPath, [path.join(dir, '.github', 'classroom', 'course-check.js')], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const report = JSON.parse(Buffer.from(r.stdout.trim().replace(/^result=/, ''), 'base64').toString('utf8')) as {
      max_score: number;
      tests: Array<{ name: string }>;
    };
    expect(leaks(JSON.stringify(report))).toEqual([]);
    expect(report.tests.map((t) => t.name)).toEqual(['calc: Calc › adds', 'calc: Calc › totals', 'calc: Calc › echoes']);
    expect(report.max_score).toBe(3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
