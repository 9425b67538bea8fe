// Issue 12.1-12.4 end to end, through the CLI on a generated class of the fixture course: a roster with
// extensions and a hostile name, on-time and late GitHub-Classroom-style git submissions, a zip timed by the
// metadata file, a tar.gz timed by its entries, a broken .git, learners in the roster with no submission and a
// submission not in the roster. Checks the points (calc: 10, words: 20 by describe block), the late deductions
// (10%/day, max 3 days), the Canvas and Moodle files row by row, and that --only and a changed suite regrade
// exactly what they should, saying so.

import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BatchMeta, LearnerResult } from '../../grader/batch/model';
import { learnerKey } from '../../grader/batch/learner-key';
import * as fx from './fixture-course';

const rows = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

function cli(course: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(course, 'bin', 'course.js'), ...args], { cwd: course, encoding: 'utf8', timeout: 6 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const S = fx.solution;
const CORRECT = () => fx.courseLayout({ calc: S('calc'), words: S('words') });

describe('course grade for an instructor: points, roster, LMS files, deadlines, regrades', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-instructor-'));
  const subs = path.join(dir, 'submissions');
  const out = path.join(dir, 'out');
  let course: string;
  const base = () => [
    'grade',
    subs,
    '--out',
    out,
    '--jobs',
    '2',
    '--roster',
    path.join(dir, 'roster.csv'),
    '--lms',
    'canvas,moodle',
    '--lms-assignment',
    'Lab 1 (55)',
    '--deadline',
    '2026-03-01T23:59:00Z',
    '--late',
    '10%/day,max=3d',
  ];
  // results/<key>.json: `+zed` is not a plain name, so its file is `zed~<hash>.json` (grader/batch/learner-key.ts).
  const results = (id: string) => JSON.parse(readFileSync(path.join(out, 'results', `${learnerKey(id)}.json`), 'utf8')) as LearnerResult;
  const meta = () => JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8')) as BatchMeta;

  function gitSubmission(id: string, files: Record<string, string>, when: string): void {
    const repo = path.join(subs, id);
    fx.writeFolder(repo, files);
    const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
    const git = (args: string[]) => execFileSync('git', ['-c', 'user.name=L', '-c', 'user.email=l@x', ...args], { cwd: repo, env, stdio: 'ignore' });
    git(['init', '-q']);
    git(['add', '-A']);
    git(['commit', '-qm', 'lab 1']);
  }

  beforeAll(() => {
    course = fx.makeCourse(dir, { points: { calc: '10', words: '{ total: 20, groups: { Words: 20 } }' } });
    mkdirSync(subs);
    gitSubmission('lab1-ann', CORRECT(), '2026-03-01T20:00:00Z'); // on time: 30
    gitSubmission('lab1-ben', CORRECT(), '2026-03-02T05:00:00Z'); // 5 h late: -10% = 27
    gitSubmission('lab1-cat', fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }), '2026-03-03T10:00:00Z'); // 2d extension: on time, 6.67 + 10
    gitSubmission('lab1-dan', CORRECT(), '2026-03-06T00:00:00Z'); // more than 3 days late: 0
    gitSubmission('lab1-hal', CORRECT(), '2026-03-05T00:00:00Z'); // extended to 2026-03-10: on time
    gitSubmission('+zed', CORRECT(), '2026-03-01T12:00:00Z'); // not in the roster
    writeFileSync(path.join(subs, 'lab1-eve.zip'), fx.zipBuffer(fx.filesToEntries(CORRECT()))); // metadata: 23 h late
    const faySeconds = Date.parse('2026-03-02T12:00:00Z') / 1000; // its entries: 12 h late
    writeFileSync(path.join(subs, 'lab1-fay.tar.gz'), fx.tarGzBuffer(fx.filesToEntries(CORRECT()).map((e) => ({ ...e, mtime: faySeconds }))));
    fx.writeFolder(path.join(subs, 'lab1-gus'), fx.courseLayout({ calc: S('calc') })); // words missing
    mkdirSync(path.join(subs, 'lab1-gus', '.git')); // a broken repository: the metadata row is used
    writeFileSync(
      path.join(subs, '.submitted-at.csv'),
      'submission,submitted_at\nlab1-eve.zip,2026-03-02T23:00:00Z\nlab1-gus,2026-03-01T10:00:00Z\nlab1-ann,2026-03-09T00:00:00Z\n',
    );
    writeFileSync(
      path.join(dir, 'roster.csv'),
      [
        'submission,name,lms_id,sis_user_id,sis_login_id,email,section,extension',
        'ann,"Archer, Ann",101,S101,ann,ann@example.edu,A,',
        'ben,"=Bell, Ben",102,S102,ben,ben@example.edu,B,',
        'cat,"Cole, Cat",103,S103,cat,cat@example.edu,A,2d',
        'dan,"Dunn, Dan",104,S104,dan,dan@example.edu,B,',
        'lab1-eve.zip,"Evans, Eve",105,S105,eve,eve@example.edu,A,',
        'fay,"Ford, Fay",106,S106,fay,fay@example.edu,B,',
        'gus,"Gray, Gus",107,S107,gus,,A,', // no email: cannot go into Moodle's file
        'hal,"Hill, Hal",108,S108,hal,hal@example.edu,B,2026-03-10T00:00:00Z',
        'ivy,"Ives, Ivy",109,S109,ivy,ivy@example.edu,A,', // no submission: 0
        'jon,"Jones, Jon",110,S110,jon,jon@example.edu,B,1000d', // no submission, deadline ahead: blank
      ].join('\n') + '\n',
    );
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test(
    'points, penalties and the Canvas, Moodle and plain CSV files',
    () => {
      const r = cli(course, base());
      expect(r.stderr).not.toMatch(/Error:/);
      expect(r.code).toBe(0);
      expect(meta().runs).toMatchObject({ graded: 18, resumed: 0, reasons: { new: 18 } });

      // Canvas: its export's identity columns, the Points Possible row, one row per roster learner, then the rest.
      const canvas = rows(readFileSync(path.join(out, 'canvas-grades.csv'), 'utf8'));
      expect(canvas[0]).toEqual(['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Lab 1 (55)']);
      expect(canvas[1]).toEqual(['Points Possible', '', '', '', '', '30']);
      const byId = new Map(canvas.slice(2).map((row) => [row[1] || row[0], row]));
      expect(Object.fromEntries([...byId].map(([k, row]) => [k, row[5]]))).toEqual({
        '101': '30', // on time (the git commit wins over the metadata row)
        '102': '27', // 5 h late: one day, -10%
        '103': '16.67', // 2/3 of 10 + 2/4 of 20, on time with a 2-day extension
        '104': '0', // more than 3 days late
        '105': '27', // zip: 23 h late by the metadata file
        '106': '27', // tar.gz: 12 h late by its entries
        '107': '10', // calc only; the broken .git is a note, the metadata row says on time
        '108': '30', // late by the course deadline, on time by the personal one
        '109': '0', // no submission
        '110': '', // no submission, deadline still ahead
        "'+zed (not in the roster)": '30',
      });
      expect(byId.get('102')![0]).toBe("'=Bell, Ben"); // a formula in a name is neutralised
      expect(canvas[canvas.length - 1]![0]).toBe("'+zed (not in the roster)");

      // Moodle: its import columns; gus (no email) and +zed (not in the roster) go to the file beside it.
      const moodle = rows(readFileSync(path.join(out, 'moodle-grades.csv'), 'utf8'));
      expect(moodle[0]).toEqual(['First name', 'Last name', 'Email address', 'Lab 1 (55)']);
      expect(
        moodle
          .slice(1)
          .map((row) => `${row[2]}=${row[3]}`)
          .sort(),
      ).toEqual(
        [
          'ann@example.edu=30',
          'ben@example.edu=27',
          'cat@example.edu=16.67',
          'dan@example.edu=0',
          'eve@example.edu=27',
          'fay@example.edu=27',
          'hal@example.edu=30',
          'ivy@example.edu=0',
          'jon@example.edu=',
        ].sort(),
      );
      const notImported = rows(readFileSync(path.join(out, 'moodle-not-imported.csv'), 'utf8'));
      expect(notImported.slice(1).map((row) => [row[0], row[3]])).toEqual([
        ["'+zed", 'not in the roster'],
        ['lab1-gus', 'no email address in the roster'],
      ]);

      // grades.csv: points, max, percentage, test counts, submission time, lateness.
      const csv = rows(readFileSync(path.join(out, 'grades.csv'), 'utf8'));
      const h = csv[0]!;
      const cell = (id: string, col: string) => csv.find((row) => row[0] === id)?.[h.indexOf(col)];
      expect(cell('lab1-cat', 'calc')).toBe('6.67');
      expect(cell('lab1-cat', 'words')).toBe('10');
      expect(cell('lab1-cat', 'points')).toBe('16.67');
      expect(cell('lab1-cat', 'max_points')).toBe('30');
      expect(cell('lab1-cat', 'percent')).toBe('55.57');
      expect(cell('lab1-cat', 'tests_passed')).toBe('4');
      expect(cell('lab1-cat', 'deadline')).toBe('2026-03-03T23:59:00.000Z');
      expect(cell('lab1-ann', 'time_source')).toBe('git commit');
      expect(cell('lab1-ben', 'submitted_at')).toBe('2026-03-02T05:00:00.000Z');
      expect(cell('lab1-ben', 'penalty_percent')).toBe('10');
      expect(cell('lab1-dan', 'lateness')).toMatch(/more than 3 d: 0 points/);
      expect(cell('lab1-eve', 'time_source')).toBe('metadata file');
      expect(cell('lab1-fay', 'time_source')).toBe('archive entries');
      expect(cell('lab1-gus', 'time_source')).toBe('metadata file');
      expect(cell('lab1-gus', 'note')).toMatch(/\.git folder that git cannot read/);
      expect(cell("'+zed", 'in_roster')).toBe('no');
      expect(cell('ivy', 'status')).toBe('missing');
      expect(cell('jon', 'final_points')).toBe('');
      expect(h).not.toContain('runs'); // grades only: a merge of shards writes the same file as one run
      expect(results('lab1-ann').exercises.every((e) => e.run?.fresh === true && e.run.reason === 'new')).toBe(true);

      // The other formats carry the same.
      const cat = results('lab1-cat');
      expect([cat.points, cat.maxPoints, cat.finalPoints, cat.roster?.name]).toEqual([16.67, 30, 16.67, 'Cole, Cat']);
      expect(cat.exercises.find((e) => e.exercise === 'words')!.groups).toEqual([{ name: 'Words', points: 10, max: 20, passed: 2, tests: 4 }]);
      const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
      expect(junit).toContain('<property name="penalty_percent" value="10"/>');
      expect(junit).toContain('<testsuite name="ivy.submission"');
      const html = readFileSync(path.join(out, 'report.html'), 'utf8');
      expect(html).toContain('data-missing="jon"');
      expect(html).toContain('data-unrostered="+zed"');
      expect(r.stdout).toMatch(/roster .*: 2 learner\(s\) without a submission, 1 submission\(s\) not in the roster/);
      expect(r.stdout).toMatch(/deadline 2026-03-01T23:59:00.000Z \(10% per started day late, 0 points when more than 3 d late\): 4 late, 4 with a deduction/);
    },
    6 * 60_000,
  );

  test(
    '--only regrades exactly the named learner; the report says which runs came from the checkpoint',
    () => {
      const r = cli(course, [...base(), '--only', 'lab1-cat']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('--only: lab1-cat graded again whatever the checkpoint holds');
      expect(meta().runs).toMatchObject({ graded: 2, resumed: 16, reasons: { '--only': 2 } });
      expect(results('lab1-cat').exercises.map((e) => [e.run?.fresh, e.run?.reason])).toEqual([
        [true, '--only'],
        [true, '--only'],
      ]);
      expect(results('lab1-ann').exercises.every((e) => e.run?.fresh === false && e.run.at)).toBe(true);
      // The summary's learners table and junit.xml say where each run came from.
      expect(r.stdout).toMatch(/^lab1-cat .* this run$/m);
      expect(r.stdout).toMatch(/^lab1-ann .* checkpoint$/m);
      const junit = readFileSync(path.join(out, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testsuite name="lab1-cat\.calc"[\s\S]*?<property name="run" value="this run \(--only\)"\/>/);
      expect(junit).toMatch(/<testsuite name="lab1-ann\.calc"[\s\S]*?<property name="run" value="checkpoint \(2026-/);
      expect(r.stdout).toMatch(/runs: 2 graded by this run \(2 --only\), 16 from the checkpoint/);
      // The same grades as before.
      expect(rows(readFileSync(path.join(out, 'canvas-grades.csv'), 'utf8')).find((row) => row[1] === '103')![5]).toBe('16.67');
    },
    6 * 60_000,
  );

  test(
    'a changed suite regrades that exercise for everyone, and says so; the other comes from the checkpoint',
    () => {
      appendFileSync(path.join(course, 'test', 'fixtures', 'calc', 'calc.test.ts'), '\n// a comment: the suite changed\n');
      const r = cli(course, base());
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /the suite of calc changed since the checkpoint \(was [0-9a-f]{12}, now [0-9a-f]{12}\): calc is graded again for all 9 learner\(s\)/,
      );
      const m = meta();
      expect(m.runs).toMatchObject({ graded: 9, resumed: 9, reasons: { 'suite changed': 9 } });
      expect(m.suiteChanges).toEqual([expect.objectContaining({ exercise: 'calc', runs: 9 })]);
      for (const id of ['lab1-ann', 'lab1-cat', 'lab1-gus', '+zed']) {
        const l = results(id);
        expect(l.exercises.find((e) => e.exercise === 'calc')!.run).toMatchObject({ fresh: true, reason: 'suite changed' });
        expect(l.exercises.find((e) => e.exercise === 'words')!.run).toMatchObject({ fresh: false });
      }
      // A run after that takes everything from the checkpoint.
      const again = cli(course, base());
      expect(again.code).toBe(0);
      expect(meta().runs).toMatchObject({ graded: 0, resumed: 18 });
      expect(again.stderr).not.toContain('changed since the checkpoint');
    },
    6 * 60_000,
  );

  test('input errors are usage errors that name the fix', () => {
    const unknown = cli(course, [...base(), '--only', 'nobody']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--only: no submission named "nobody"');
    const noRoster = cli(course, ['grade', subs, '--out', out, '--lms', 'canvas']);
    expect(noRoster.code).toBe(2);
    expect(noRoster.stderr).toContain('--lms needs --roster');
    const noZone = cli(course, ['grade', subs, '--out', out, '--deadline', '2026-03-01 23:59']);
    expect(noZone.code).toBe(2);
    expect(noZone.stderr).toContain('not an ISO 8601 time with a time zone');
    const badPolicy = cli(course, ['grade', subs, '--out', out, '--deadline', '2026-03-01T23:59:00Z', '--late', '10']);
    expect(badPolicy.code).toBe(2);
    expect(badPolicy.stderr).toContain('use none, zero, or a deduction such as 10%/day');
    const badRoster = path.join(dir, 'bad-roster.csv');
    writeFileSync(badRoster, 'name,email\nAnn,a@x\n');
    const r = cli(course, ['grade', subs, '--out', out, '--roster', badRoster]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no "submission" column');
  }, 60_000);
});
