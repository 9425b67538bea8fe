// Issue 22.7 end to end, through the CLI on the fixture course (calc: 3 tests, words: 4 tests) with two assignments
// in its course.yaml: `--assignment` grades only the assignment's exercises, with its points, due date and late
// policy, and writes one Canvas column worth the assignment's points; `--exercises` grades an ad-hoc set; without
// either every exercise is graded, each worth 10 points (no longer one point per test); unknown names list the
// valid ones.

import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'csv-parse/sync';
import type { BatchMeta } from '../../grader/batch/model';
import * as fx from './fixture-course';

const rows = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

function cli(course: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), ...args], { cwd: course, encoding: 'utf8', timeout: 6 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('course grade --assignment / --exercises', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-assignments-'));
  const subs = path.join(dir, 'submissions');
  const roster = path.join(dir, 'roster.csv');
  let course: string;
  const grade = (out: string, ...args: string[]) =>
    cli(course, ['grade', subs, '--out', path.join(dir, out), '--jobs', '2', '--no-canary', '--roster', roster, '--lms', 'canvas', ...args]);
  const csv = (out: string, file: string) => rows(readFileSync(path.join(dir, out, file), 'utf8'));
  const meta = (out: string) => JSON.parse(readFileSync(path.join(dir, out, 'gradebook.json'), 'utf8')) as BatchMeta;

  beforeAll(() => {
    course = fx.makeCourse(dir);
    appendFileSync(
      path.join(course, 'course.yaml'),
      [
        'assignments:',
        '  - id: lab1',
        '    title: Lab 1 (4711)',
        '    exercises: [calc]',
        '    points: 30',
        '    due: 2026-03-01T23:59:00Z',
        "    late: '10%/day'",
        '  - id: lab2',
        '    exercises: [words, calc]',
        '    points: { words: 8, calc: 2 }',
        '',
      ].join('\n'),
    );
    mkdirSync(subs);
    fx.writeFolder(path.join(subs, 'ann'), fx.courseLayout({ calc: fx.solution('calc'), words: fx.solution('words') }));
    fx.writeFolder(path.join(subs, 'ben'), fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }));
    // ann on time, ben 5 hours late (one started day: -10% under lab1's policy).
    writeFileSync(path.join(subs, '.submitted-at.csv'), 'submission,submitted_at\nann,2026-03-01T20:00:00Z\nben,2026-03-02T05:00:00Z\n');
    writeFileSync(roster, 'submission,name,lms_id\nann,"Archer, Ann",101\nben,"Bell, Ben",102\n');
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    '--assignment grades its exercises only, with its points, due date and late policy, in a Canvas column of its own',
    () => {
      const r = grade('lab1', '--assignment', 'lab1');
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.code).toBe(0);
      expect(meta('lab1').exercises.map((e) => e.id)).toEqual(['calc']);
      expect(meta('lab1').assignment).toEqual({ id: 'lab1', title: 'Lab 1 (4711)', points: 30 });
      expect(meta('lab1').deadline).toMatchObject({ at: '2026-03-01T23:59:00.000Z', late: '10%/day' });
      const canvas = csv('lab1', 'canvas-grades.csv');
      expect(canvas[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Lab 1 (4711)']);
      expect(canvas[1]).toEqual(['Points Possible', '', '', '', '', '30']);
      // ann 3/3 of 30 on time; ben 2/3 of 30 = 20, 5 h late: -10% = 18.
      expect(Object.fromEntries(canvas.slice(2).map((row) => [row[1], row[5]]))).toEqual({ '101': '30', '102': '18' });
      const grades = csv('lab1', 'grades.csv');
      expect(grades[0]).toContain('calc');
      expect(grades[0]).not.toContain('words');
      // Feedback covers what was assigned: nothing of words.
      for (const name of readdirSync(path.join(dir, 'lab1', 'feedback'))) {
        const text = readFileSync(path.join(dir, 'lab1', 'feedback', name), 'utf8');
        expect(text).toContain('calc');
        expect(text).not.toContain('words');
      }

      // Per-exercise points: words 8, calc 2 (ben: 2/4 of 8 + 2/3 of 2 = 5.33); no due date, no deduction.
      const two = grade('lab2', '--assignment', 'lab2');
      expect(two.code).toBe(0);
      expect(meta('lab2').exercises.map((e) => [e.id, e.maxPoints])).toEqual([
        ['calc', 2],
        ['words', 8],
      ]);
      expect(meta('lab2').deadline).toBeUndefined();
      const canvas2 = csv('lab2', 'canvas-grades.csv');
      expect(canvas2[0]![5]).toBe('lab2');
      expect(canvas2[1]![5]).toBe('10');
      expect(Object.fromEntries(canvas2.slice(2).map((row) => [row[1], row[5]]))).toEqual({ '101': '10', '102': '5.33' });
    },
    6 * 60_000,
  );

  test(
    'without a selection every exercise is graded and worth 10 points; --exercises grades an ad-hoc set',
    () => {
      const all = grade('all');
      expect(all.code).toBe(0);
      expect(meta('all').exercises.map((e) => [e.id, e.maxPoints])).toEqual([
        ['calc', 10],
        ['words', 10],
      ]);
      const canvas = csv('all', 'canvas-grades.csv');
      expect(canvas[0]![5]).toBe('Batch fixture course');
      expect(canvas[1]![5]).toBe('20');
      // ben: 2 of calc's 3 tests (6.67) + 2 of words' 4 tests (5).
      expect(Object.fromEntries(canvas.slice(2).map((row) => [row[1], row[5]]))).toEqual({ '101': '20', '102': '11.67' });

      const some = grade('words-only', '--exercises', 'words');
      expect(some.code).toBe(0);
      expect(meta('words-only').exercises.map((e) => e.id)).toEqual(['words']);
      expect(csv('words-only', 'canvas-grades.csv')[1]![5]).toBe('10');
    },
    6 * 60_000,
  );

  test('an unknown assignment or exercise names the valid ones', () => {
    const unknown = grade('x', '--assignment', 'lab9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no assignment "lab9"; the assignments are: lab1, lab2');
    const badExercise = grade('x', '--exercises', 'calc,wrds');
    expect(badExercise.code).toBe(2);
    expect(badExercise.stderr).toContain('no exercise "wrds"; the exercises are: calc, words');
    const both = grade('x', '--assignment', 'lab1', '--exercises', 'calc');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--assignment and --exercises cannot be used together');
  }, 60_000);

  test('course.yaml: an assignment naming an unknown exercise or a bad late policy is an error naming the field', () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'course-assignments-bad-'));
    try {
      const root = fx.makeCourse(other);
      const yaml = readFileSync(path.join(root, 'course.yaml'), 'utf8');
      writeFileSync(path.join(root, 'course.yaml'), `${yaml}assignments:\n  - id: lab1\n    exercises: [calc, nope]\n`);
      const r = cli(root, ['grade', subs, '--out', path.join(other, 'out'), '--assignment', 'lab1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('field "assignments.0.exercises.1": no exercise "nope" (the exercises: calc, words)');
      writeFileSync(path.join(root, 'course.yaml'), `${yaml}assignments:\n  - id: lab1\n    exercises: [calc]\n    late: 10 per day\n`);
      const late = cli(root, ['grade', subs, '--out', path.join(other, 'out'), '--assignment', 'lab1']);
      expect(late.code).toBe(2);
      expect(late.stderr).toContain('field "assignments.0.late": "10 per day" is not a policy');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);
});
