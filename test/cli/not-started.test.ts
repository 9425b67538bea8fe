// Black-box: an exercise whose files are still the starter stub, byte for byte, is "not started", not "failed 0/N":
// in `course status` (after checks of the stub too), and in a batch's grades.csv, results/ and report.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { copyCourse, course } from '../helpers';
import * as fx from '../batch/fixture-course';

interface StatusRow {
  id: string;
  status: string;
  score: string;
  attempts: number;
  bestScore?: number;
}

describe('course status', () => {
  const dir = copyCourse();
  const rows = () => (JSON.parse(course(dir, ['status', '--json']).stdout) as { exercises: StatusRow[] }).exercises;

  beforeAll(() => {
    // A learner's clone: the stubs are at git HEAD.
    const git = (...args: string[]) => execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@x', ...args], { stdio: 'ignore' });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'course');
  });

  test('checks of the untouched stub leave it "not started"; an edit makes it "failed" with its score', () => {
    expect(course(dir, ['next']).code).toBe(0);
    // The current exercise (its stub snapshot taken by next), and another one by number (its stub read from git).
    expect(course(dir, ['check']).code).toBe(1);
    expect(course(dir, ['check', '2']).code).toBe(1);
    const [first, second] = rows();
    expect(first).toMatchObject({ id: 'hpack-table', status: 'not-started', score: '-', attempts: 1 });
    expect(second).toMatchObject({ id: 'frame-parser', status: 'not-started', score: '-', attempts: 1 });
    expect(second).not.toHaveProperty('bestScore');
    const table = course(dir, ['status']).stdout;
    expect(table).toMatch(/frame-parser\s+not-started\s+-\s+1\s/);

    appendFileSync(path.join(dir, 'exercises', '02-frame-parser', 'frame-parser.ts'), '\n// started\n');
    expect(rows()[1]).toMatchObject({ id: 'frame-parser', status: 'failed', score: expect.stringMatching(/^0\/\d+$/) });
  });
});

describe('course grade', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-not-started-'));
  const subs = path.join(tmp, 'subs');
  const out = path.join(tmp, 'out');
  let grade: ReturnType<typeof spawnSync>;

  beforeAll(() => {
    const root = fx.makeCourse(tmp, { only: ['calc', 'words'] });
    // ann handed in the stubs as they were; bob started calc (one line changed) and left words untouched.
    fx.writeFolder(path.join(subs, 'ann'), fx.courseLayout({ calc: fx.stub('calc'), words: fx.stub('words') }));
    fx.writeFolder(path.join(subs, 'bob'), fx.courseLayout({ calc: `${fx.stub('calc')}// started\n`, words: fx.stub('words') }));
    grade = spawnSync(process.execPath, [path.join(root, 'bin', 'course.js'), 'grade', subs, '--out', out, '--jobs', '2', '--no-canary'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 8 * 60_000,
    });
  }, 9 * 60_000);

  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('an unchanged stub is "not started" in grades.csv, results/ and the report; a changed one is graded', () => {
    expect({ code: grade.status, stderr: String(grade.stderr).slice(0, 2000) }).toMatchObject({ code: 0 });
    const rows = parse(readFileSync(path.join(out, 'grades.csv'), 'utf8')) as string[][];
    const header = rows[0]!;
    const row = (learner: string) => rows.find((r) => r[0] === learner)!;
    const col = (name: string) => header.indexOf(name);
    expect([row('ann')[col('calc_status')], row('ann')[col('words_status')]]).toEqual(['not started', 'not started']);
    expect([row('bob')[col('calc_status')], row('bob')[col('words_status')]]).toEqual(['failed', 'not started']);
    const ann = JSON.parse(readFileSync(path.join(out, 'results', 'ann.json'), 'utf8')) as {
      exercises: Array<{ exercise: string; status: string; score: number; tests: unknown[] }>;
    };
    expect(ann.exercises.length).toBe(2);
    for (const e of ann.exercises) expect(e).toMatchObject({ status: 'not started', score: 0, tests: [] });
    // The report's summary gives the outcome its own look, not a 0.
    const report = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(report.match(/"kind":"not-started","shade":"none","text":"○ not started"/g)?.length).toBe(3);
    expect(String(grade.stdout)).toMatch(/not started/);
  });
});
