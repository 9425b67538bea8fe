// Issue 12.1-12.4, the parts that need no grading run: points, late policies, rosters, the LMS files (against
// samples laid out as Canvas and Moodle lay out theirs), CSV neutralisation, and reading the commit time of a
// hostile git repository without running anything it asks for.

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Course } from '../../grader/course/schema';
import { LateError, lateness, parseDuration, parseIsoTime, parseLatePolicy, personalDeadline } from '../../grader/batch/late';
import { finalize, type ExerciseMeta, type ExerciseOutcome, type Gradebook, type LearnerResult } from '../../grader/batch/model';
import { checkPoints, groupOf, pointsOf, resolvePoints } from '../../grader/batch/points';
import { matchRoster, parseRoster, RosterError, type RosterEntry } from '../../grader/batch/roster';
import { gitCommitTime, readTimesFile, submittedAt } from '../../grader/batch/submitted-at';
import { csvDocument, csvField, neutraliseCell } from '../../grader/report/csv-safe';
import { canvasCsv, moodleCsv } from '../../grader/report/lms';
import { gradesCsv, junitXml } from '../../grader/report/gradebook';
import { untrusted } from '../../grader/report/escape';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'lms');
const rows = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

type T = { group: string[]; status: 'passed' | 'failed'; score: number; maxScore: number; fullName: string };
function tests(spec: Array<[string[], number, number]>): T[] {
  // [describe path, passed, failed]
  const out: T[] = [];
  for (const [group, passed, failed] of spec) {
    for (let i = 0; i < passed + failed; i++) {
      const ok = i < passed;
      out.push({ group, status: ok ? 'passed' : 'failed', score: ok ? 1 : 0, maxScore: 1, fullName: `${group.join(' › ')} › t${i}` });
    }
  }
  return out;
}

describe('points', () => {
  test('without points: one point per test, as before', () => {
    expect(pointsOf(tests([[['A'], 2, 1]]), undefined, 0)).toEqual({ points: 2, max: 3, groups: [] });
    expect(pointsOf([], undefined, 7)).toEqual({ points: 0, max: 7, groups: [] });
  });

  test('a number: the tests share it equally', () => {
    const p = pointsOf(tests([[['A'], 2, 1]]), resolvePoints(10), 3);
    expect(p.points).toBe(6.67);
    expect(p.max).toBe(10);
  });

  test('groups: partial credit in proportion within each describe block; the rest share what is left', () => {
    const spec = resolvePoints({ total: 20, groups: { Parsing: 8, 'Encoder › huffman': 6 } })!;
    const t = tests([
      [['Parsing'], 1, 3], // 8 * 1/4 = 2
      [['Encoder', 'huffman'], 3, 0], // 6
      [['Encoder', 'plain'], 1, 1], // rest: 6 points over the 2 ungrouped tests, one passed = 3
    ]);
    const p = pointsOf(t, spec, 0);
    expect(p.groups).toEqual([
      { name: 'Parsing', points: 2, max: 8, passed: 1, tests: 4 },
      { name: 'Encoder › huffman', points: 6, max: 6, passed: 3, tests: 3 },
      { name: '', points: 3, max: 6, passed: 1, tests: 2 },
    ]);
    expect(p.points).toBe(11);
    expect(p.max).toBe(20);
  });

  test('a title names a describe block at any depth; the deepest match wins', () => {
    expect(groupOf({ group: ['Outer', 'Inner'] }, ['Outer', 'Inner'])).toBe('Inner');
    expect(groupOf({ group: ['Outer', 'Other'] }, ['Outer', 'Inner'])).toBe('Outer');
    expect(groupOf({ group: ['Other'] }, ['Outer › Inner'])).toBeUndefined();
  });

  test('verify catches a group that matches no describe block, stranded tests and unreachable points', () => {
    const t = tests([
      [['Parsing'], 1, 0],
      [['Other'], 1, 0],
    ]);
    expect(checkPoints(resolvePoints({ total: 10, groups: { Parsing: 5 } })!, t)).toEqual([]);
    expect(checkPoints(resolvePoints({ total: 10, groups: { Parsing: 5, Nope: 1 } })!, t)[0]).toMatch(/"Nope" matches no describe block.*"Parsing", "Other"/);
    expect(checkPoints(resolvePoints({ groups: { Parsing: 5 } })!, t)[0]).toMatch(/1 test\(s\) are in no points group .* worth nothing/);
    expect(checkPoints(resolvePoints({ total: 10, groups: { Parsing: 5, Other: 2 } })!, t)[0]).toMatch(/3 point\(s\) of the total are in no group/);
  });

  test('the schema takes a number or total + groups, and refuses groups worth more than the total', () => {
    const base = { id: 'x', title: 'X', summary: 'S.', dir: 'exercises/x', solution: 'solutions/x', files: ['x.ts'], suite: 's.test.ts' };
    expect(Course.safeParse({ title: 'C', exercises: [{ ...base, points: 10 }] }).success).toBe(true);
    expect(Course.safeParse({ title: 'C', exercises: [{ ...base, points: { groups: { A: 4, B: 6 } } }] }).success).toBe(true);
    const bad = Course.safeParse({ title: 'C', exercises: [{ ...base, points: { total: 5, groups: { A: 4, B: 6 } } }] });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error?.issues)).toContain('more than the total 5');
    expect(Course.safeParse({ title: 'C', exercises: [{ ...base, points: -1 }] }).success).toBe(false);
  });

  test('finalize totals points, the maximum, the percentage and the points after a late deduction', () => {
    const meta: ExerciseMeta[] = [
      { id: 'a', title: 'A', suiteHash: 'h', maxScore: 3, points: resolvePoints(10), maxPoints: 10 },
      { id: 'b', title: 'B', suiteHash: 'h', maxScore: 4, maxPoints: 4 },
    ];
    const outcome = (exercise: string, t: T[]): ExerciseOutcome => ({
      exercise,
      status: 'failed',
      score: t.filter((x) => x.status === 'passed').length,
      maxScore: t.length,
      tests: t.map((x) => ({ ...x, title: 't', durationMs: 1 })),
      anomalies: [],
      diagnostics: [],
      durationMs: 1,
      suiteHash: 'h',
    });
    const l: LearnerResult = {
      learner: untrusted('x'),
      kind: 'folder',
      status: 'graded',
      score: 0,
      maxScore: 0,
      exercises: [outcome('a', tests([[['A'], 3, 0]])), { ...outcome('b', []), status: 'compile-error' as ExerciseOutcome['status'] }],
      submitted: { lateMs: 1, penalty: 0.2, label: 'late' },
    };
    finalize(l, meta);
    expect([l.points, l.maxPoints, l.percent, l.finalPoints, l.finalPercent]).toEqual([10, 14, 71.43, 8, 57.14]);
    expect([l.score, l.maxScore]).toEqual([3, 7]); // test counts stay
  });

  test('an exercise that ran no test keeps visible and instructor-only maxima apart', () => {
    const meta: ExerciseMeta[] = [{ id: 'a', title: 'A', suiteHash: 'h', maxScore: 5, hiddenMaxScore: 2, maxPoints: 5 }];
    // A compile error: neither suite ran a test, so both parts came back 0/0.
    const l: LearnerResult = {
      learner: untrusted('x'),
      kind: 'folder',
      status: 'graded',
      score: 0,
      maxScore: 0,
      exercises: [
        {
          exercise: 'a',
          status: 'compile-error',
          score: 0,
          maxScore: 0,
          tests: [],
          anomalies: [],
          diagnostics: [],
          durationMs: 1,
          suiteHash: 'h',
          hidden: { status: 'compile-error', score: 0, maxScore: 0 },
        },
      ],
    };
    finalize(l, meta);
    expect(l.exercises[0]).toMatchObject({ maxScore: 5, hidden: { score: 0, maxScore: 2 } });
  });
});

describe('late policies', () => {
  const deadline = new Date('2026-03-01T23:59:00Z');
  const at = (iso: string) => new Date(iso);

  test('10%/day,max=3d: per started day, zero past the maximum', () => {
    const p = parseLatePolicy('10%/day,max=3d');
    expect(lateness(at('2026-03-01T23:59:00Z'), deadline, p)).toMatchObject({ lateMs: 0, penalty: 0, label: 'on time' });
    expect(lateness(at('2026-03-02T00:00:00Z'), deadline, p).penalty).toBeCloseTo(0.1); // one minute: a started day
    expect(lateness(at('2026-03-02T23:59:00Z'), deadline, p).penalty).toBeCloseTo(0.1); // exactly one day
    expect(lateness(at('2026-03-03T00:00:00Z'), deadline, p).penalty).toBeCloseTo(0.2);
    expect(lateness(at('2026-03-04T23:59:00Z'), deadline, p).penalty).toBeCloseTo(0.3); // exactly 3 days: still allowed
    const over = lateness(at('2026-03-05T00:00:00Z'), deadline, p);
    expect(over.penalty).toBe(1);
    expect(over.label).toMatch(/more than 3 d: 0 points/);
  });

  test('zero, none, hours and grace', () => {
    expect(lateness(at('2026-03-02T00:00:00Z'), deadline, parseLatePolicy('zero')).penalty).toBe(1);
    expect(lateness(at('2026-03-09T00:00:00Z'), deadline, parseLatePolicy('none'))).toMatchObject({
      penalty: 0,
      label: expect.stringMatching(/late \(no deduction\)/),
    });
    expect(lateness(at('2026-03-02T02:30:00Z'), deadline, parseLatePolicy('5%/hour')).penalty).toBeCloseTo(0.15); // 2h31m: 3 started hours
    const grace = parseLatePolicy('10%/day,grace=15m');
    expect(lateness(at('2026-03-02T00:10:00Z'), deadline, grace)).toMatchObject({ penalty: 0, label: expect.stringMatching(/within the 15 min grace/) });
    expect(lateness(at('2026-03-02T00:20:00Z'), deadline, grace).penalty).toBeCloseTo(0.1);
    expect(lateness(at('2026-03-02T00:10:00Z'), deadline, parseLatePolicy('zero,grace=15m')).penalty).toBe(0);
  });

  test('a deduction never passes 100%', () => {
    expect(lateness(at('2026-03-20T00:00:00Z'), deadline, parseLatePolicy('40%/day')).penalty).toBe(1);
  });

  test('bad policies and times are refused with the accepted forms', () => {
    expect(() => parseLatePolicy('10 percent')).toThrow(/use none, zero, or a deduction such as 10%\/day/);
    expect(() => parseLatePolicy('10%/day,max=soon')).toThrow(LateError);
    expect(() => parseLatePolicy('150%/day')).toThrow(/at most 100%/);
    expect(() => parseIsoTime('2026-03-01 23:59', '--deadline')).toThrow(/with a time zone/);
    expect(() => parseIsoTime('2026-03-01T23:59:00', '--deadline')).toThrow(/with a time zone/);
    expect(parseIsoTime('2026-03-01T18:59:00-05:00', '--deadline').toISOString()).toBe('2026-03-01T23:59:00.000Z');
  });

  test('an extension moves the deadline by a duration or a number of days, or replaces it (ISO 8601)', () => {
    expect(personalDeadline(deadline, '2d', 'x').toISOString()).toBe('2026-03-03T23:59:00.000Z');
    expect(personalDeadline(deadline, '36h', 'x').toISOString()).toBe('2026-03-03T11:59:00.000Z');
    expect(personalDeadline(deadline, '3', 'x').toISOString()).toBe('2026-03-04T23:59:00.000Z');
    expect(personalDeadline(deadline, '2026-03-10T12:00:00Z', 'x').toISOString()).toBe('2026-03-10T12:00:00.000Z');
    expect(personalDeadline(deadline, '', 'x')).toBe(deadline);
    expect(() => personalDeadline(deadline, 'next week', 'Ann')).toThrow(/extension of Ann/);
    expect(parseDuration('90m')).toBe(5_400_000);
  });
});

describe('roster', () => {
  test('reads the columns in any order, with aliases, quotes, a BOM and CRLF', () => {
    const text =
      '\ufeffEmail,Student,Folder,Canvas ID,SIS User ID,Section,Extension,Notes\r\nann@x.edu,"Archer, Ann",lab1-ann,101,S101,A,2d,hi\r\nben@x.edu,"Bell, Ben",lab1-ben.zip,102,,B,,\r\n\r\n';
    expect(parseRoster(text)).toEqual([
      { email: 'ann@x.edu', name: 'Archer, Ann', submission: 'lab1-ann', lmsId: '101', sisUserId: 'S101', section: 'A', extension: '2d' },
      { email: 'ben@x.edu', name: 'Bell, Ben', submission: 'lab1-ben', lmsId: '102', section: 'B' },
    ]);
  });

  test('first_name and last_name make the name Canvas shows ("Last, First")', () => {
    expect(parseRoster('submission,first_name,last_name\nx,Ann,Archer\n')[0]!.name).toBe('Archer, Ann');
  });

  test('no submission column, a row without one, or the same submission twice are errors with the line', () => {
    expect(() => parseRoster('name,email\nA,a@x\n', 'r.csv')).toThrow(/r.csv: no "submission" column/);
    expect(() => parseRoster('submission,name\n,Ann\n', 'r.csv')).toThrow(/r.csv, line 2: no submission name/);
    expect(() => parseRoster('submission\nann\nann.zip\n', 'r.csv')).toThrow(/line 3: submission "ann" is already on line 2/);
    expect(() => parseRoster('', 'r.csv')).toThrow(RosterError);
  });

  test('two rows for one LMS learner (several submissions mapped to one learner) are refused, both lines named', () => {
    expect(() => parseRoster('submission,name,lms_id\ncarol jones,Carol,17\ncarol_jones,Carol,17\n', 'r.csv')).toThrow(
      /r.csv, line 3: lmsId "17" is already on line 2: two submissions for one learner \("carol_jones" and line 2's\)/,
    );
    expect(() => parseRoster('submission,email\nann,Ann@x.edu\nann2,ann@X.edu\n', 'r.csv')).toThrow(/line 3: email "ann@X.edu" is already on line 2/);
    expect(() => parseRoster('submission,sis_user_id\na,S1\nb,S1\n', 'r.csv')).toThrow(/line 3: sisUserId "S1"/);
    // Different learners whose names differ only in case or Unicode form are different rows.
    const nfc = 'José'.normalize('NFC');
    const nfd = 'José'.normalize('NFD');
    expect(parseRoster(`submission,lms_id\nAnn,1\nann,2\n${nfc},3\n${nfd},4\n`).map((r) => r.submission)).toEqual(['Ann', 'ann', nfc, nfd]);
  });

  test('submission names are exact: Ann and ann, José in NFC and NFD each get their own row; an ambiguous inexact match takes nothing', () => {
    const nfc = 'José'.normalize('NFC');
    const nfd = 'José'.normalize('NFD');
    const roster = parseRoster(`submission,name\nAnn,Upper\nann,Lower\n${nfc},Composed\n${nfd},Decomposed\n`);
    const m = matchRoster(roster, ['ann', 'Ann', nfd, nfc]);
    expect(m.bySubmission.get('Ann')!.name).toBe('Upper');
    expect(m.bySubmission.get('ann')!.name).toBe('Lower');
    expect(m.bySubmission.get(nfc)!.name).toBe('Composed');
    expect(m.bySubmission.get(nfd)!.name).toBe('Decomposed');
    // Two rows that differ only in case and one submission in a third case: neither row takes it.
    const ambiguous = matchRoster(parseRoster('submission,name\nBob,One\nbob,Two\n'), ['BOB']);
    expect(ambiguous.bySubmission.size).toBe(0);
    expect(ambiguous.missing.map((r) => r.name)).toEqual(['One', 'Two']);
    expect(ambiguous.unrostered).toEqual(['BOB']);
  });

  test('matches exact names, other cases and GitHub Classroom "<assignment>-<user>" clones; lists the rest', () => {
    const roster = parseRoster('submission,name\nann,Ann\nBEN,Ben\ncat,Cat\nivy,Ivy\n');
    const m = matchRoster(roster, ['ann', 'ben', 'lab1-cat', 'lab1-zed']);
    expect([...m.bySubmission].map(([id, r]) => [id, r.name])).toEqual([
      ['ann', 'Ann'],
      ['ben', 'Ben'],
      ['lab1-cat', 'Cat'],
    ]);
    expect(m.missing.map((r) => r.name)).toEqual(['Ivy']);
    expect(m.unrostered).toEqual(['lab1-zed']);
  });
});

describe('CSV cells against formula injection (OWASP "CSV Injection"; RFC 4180 quoting)', () => {
  test('a leading = + - @ tab or CR gets a single quote; numbers stay numbers', () => {
    for (const lead of ['=', '+', '-', '@']) expect(neutraliseCell(`${lead}SUM(A1)`)).toBe(`'${lead}SUM(A1)`);
    // A leading tab or CR is shown as an escape (escape.ts: no raw control character in a cell), and still quoted.
    expect(neutraliseCell('\tSUM(A1)')).toBe("'\\tSUM(A1)");
    expect(neutraliseCell('\rSUM(A1)')).toBe("'\\u000dSUM(A1)");
    expect(neutraliseCell('Ann')).toBe('Ann');
    expect(csvField(-3)).toBe('-3');
    expect(csvField('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField(undefined)).toBe('');
    expect(
      csvDocument([
        ['a', 1],
        ['-b', 2],
      ]),
    ).toBe("a,1\n'-b,2\n");
  });
});

// ---- LMS files ----

function outcome(exercise: string, passed: number, total: number): ExerciseOutcome {
  return {
    exercise,
    status: passed === total ? 'passed' : 'failed',
    score: passed,
    maxScore: total,
    tests: tests([[[exercise], passed, total - passed]]).map((t) => ({ ...t, title: 't', durationMs: 1 })),
    anomalies: [],
    diagnostics: [],
    durationMs: 5,
    suiteHash: 'h',
  };
}

function sampleBook(): Gradebook {
  const exercises: ExerciseMeta[] = [
    { id: 'calc', title: 'Calc', suiteHash: 'h', maxScore: 3, points: resolvePoints(10), maxPoints: 10 },
    { id: 'words', title: 'Words', suiteHash: 'h', maxScore: 4, points: resolvePoints(20), maxPoints: 20 },
  ];
  const roster: RosterEntry[] = parseRoster(
    [
      'submission,name,lms_id,sis_user_id,sis_login_id,email,section,extension',
      'lab1-ann,"Archer, Ann",101,S101,ann,ann@example.edu,Section A,',
      'lab1-ben,"=Bell, Ben",102,S102,ben,,Section B,',
      'ivy,"Ivers, Ivy",103,S103,ivy,ivy@example.edu,Section A,',
      'jon,"Jones, Jon",104,S104,jon,jon@example.edu,Section B,1000d',
    ].join('\n'),
  );
  const match = matchRoster(roster, ['lab1-ann', 'lab1-ben', '+zed']);
  const learner = (id: string, calc: number, words: number, penalty = 0): LearnerResult =>
    finalize(
      {
        learner: untrusted(id),
        kind: 'folder',
        status: 'graded',
        score: 0,
        maxScore: 0,
        roster: match.bySubmission.get(id),
        submitted: { lateMs: penalty ? 3_600_000 : 0, penalty, label: penalty ? 'late' : 'on time' },
        exercises: [outcome('calc', calc, 3), outcome('words', words, 4)],
      },
      exercises,
    );
  return {
    meta: {
      tool: 'course grade',
      version: 1,
      course: 'Web protocols',
      startedAt: '2026-03-05T10:00:00.000Z',
      finishedAt: '2026-03-05T10:10:00.000Z',
      allLearners: ['+zed', 'lab1-ann', 'lab1-ben'],
      learners: ['+zed', 'lab1-ann', 'lab1-ben'],
      exercises,
      isolation: [],
      jobs: 1,
      runs: { graded: 6, resumed: 0 },
      roster: { file: 'roster.csv', missing: match.missing, unrostered: match.unrostered },
      deadline: { at: '2026-03-01T23:59:00.000Z', policy: '10% per started day late', late: '10%/day' },
    },
    learners: [learner('+zed', 3, 4), learner('lab1-ann', 3, 2), learner('lab1-ben', 3, 4, 0.1)],
  };
}

describe('LMS import files', () => {
  test('Canvas: the identity columns and the Points Possible row of its own export, then one row per learner', () => {
    const sample = rows(readFileSync(path.join(FIXTURES, 'canvas-gradebook-export.csv'), 'utf8'));
    const ours = rows(canvasCsv(sampleBook(), { assignment: 'Lab 1 (55)' }));
    expect(ours[0]!.slice(0, 5)).toEqual(sample[0]!.slice(0, 5));
    expect(ours[0]![5]).toBe(sample[0]![5]); // "Name (assignment id)"
    expect(ours[1]![0]!.trim()).toBe(sample[1]![0]!.trim());
    expect(ours[1]!.slice(1)).toEqual(['', '', '', '', '30']);
    expect(ours.slice(2)).toEqual([
      ["'=Bell, Ben", '102', 'S102', 'ben', 'Section B', '27'], // 30 points - 10%; the name neutralised
      ['Archer, Ann', '101', 'S101', 'ann', 'Section A', '20'],
      ['Ivers, Ivy', '103', 'S103', 'ivy', 'Section A', '0'], // no submission, deadline passed
      ['Jones, Jon', '104', 'S104', 'jon', 'Section B', ''], // no submission, extended deadline still ahead
      ["'+zed (not in the roster)", '', '', '', '', '30'], // listed for Canvas's "match the student" step
    ]);
  });

  test('Moodle: first and last name, the identifier and the grade item, as its import reads; the rest listed beside', () => {
    const sample = rows(readFileSync(path.join(FIXTURES, 'moodle-grade-import.csv'), 'utf8'));
    const m = moodleCsv(sampleBook(), { assignment: 'Lab 1' });
    const ours = rows(m.csv);
    expect(ours[0]).toEqual(sample[0]);
    expect(ours.slice(1)).toEqual([
      ['Ann', 'Archer', 'ann@example.edu', '20'],
      ['Ivy', 'Ivers', 'ivy@example.edu', '0'],
      ['Jon', 'Jones', 'jon@example.edu', ''],
    ]);
    expect(rows(m.notImported)).toEqual([
      ['submission', 'name', 'Lab 1', 'why'],
      ["'+zed", '', '30', 'not in the roster'],
      ['lab1-ben', "'=Bell, Ben", '27', 'no email address in the roster'],
    ]);
    const byId = rows(moodleCsv(sampleBook(), { assignment: 'Lab 1', moodleId: 'idnumber' }).csv);
    expect(byId[0]).toEqual(['First name', 'Last name', 'ID number', 'Lab 1']);
  });

  test('grades.csv and junit.xml carry points, the percentage, lateness and every roster learner', () => {
    const book = sampleBook();
    const csv = rows(gradesCsv(book));
    const header = csv[0]!;
    const get = (id: string, col: string) => csv.find((r) => r[0] === id)![header.indexOf(col)];
    expect(header.slice(0, 6)).toEqual(['learner', 'name', 'lms_id', 'email', 'section', 'in_roster']);
    expect(get('lab1-ann', 'points')).toBe('20');
    expect(get('lab1-ann', 'max_points')).toBe('30');
    expect(get('lab1-ann', 'percent')).toBe('66.67');
    expect(get('lab1-ann', 'tests_passed')).toBe('5');
    expect(get('lab1-ben', 'penalty_percent')).toBe('10');
    expect(get('lab1-ben', 'final_points')).toBe('27');
    expect(get("'+zed", 'in_roster')).toBe('no');
    expect(get('ivy', 'status')).toBe('missing');
    expect(get('jon', 'final_points')).toBe('');
    const junit = junitXml(book);
    expect(junit).toContain('<property name="final_points" value="27"/>');
    expect(junit).toContain('<testsuite name="ivy.submission" tests="1" failures="1"');
  });
});

// ---- the commit time of a hostile repository ----

describe('submission time from git, safely', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-git-time-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const git = (cwd: string, args: string[], env: Record<string, string> = {}) =>
    execFileSync('git', ['-c', 'user.name=L', '-c', 'user.email=l@x', ...args], {
      cwd,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, ...env },
      encoding: 'utf8',
    });

  function repo(name: string, when: string): string {
    const r = path.join(dir, name);
    mkdirSync(r);
    writeFileSync(path.join(r, 'calc.ts'), 'export {};\n');
    git(r, ['init', '-q']);
    git(r, ['add', '-A']);
    git(r, ['commit', '-qm', 'work'], { GIT_COMMITTER_DATE: when, GIT_AUTHOR_DATE: when });
    return r;
  }

  test('the committer time of HEAD', () => {
    const r = repo('plain', '2026-03-02T05:00:00+01:00');
    expect(gitCommitTime(r).at?.toISOString()).toBe('2026-03-02T04:00:00.000Z');
    expect(submittedAt({ id: 'plain', source: r, kind: 'folder' }, new Map([['plain', new Date(0)]]), 1)).toMatchObject({ source: 'git commit' });
  });

  test('a repository owned by another user (a clone made by someone else) is still read', () => {
    if (process.getuid?.() !== 0) return; // only root can give a folder away
    const r = repo('foreign', '2026-03-02T06:00:00Z');
    execFileSync('chown', ['-R', '65534:65534', r]);
    expect(gitCommitTime(r).at?.toISOString()).toBe('2026-03-02T06:00:00.000Z');
  });

  test('a repository whose config asks git to run programs runs none of them', () => {
    const r = repo('hostile', '2026-03-02T05:00:00Z');
    const canary = path.join(dir, 'canary');
    const script = path.join(dir, 'evil.sh');
    writeFileSync(script, `#!/bin/sh\necho "$0 $*" >> ${canary}\nexit 1\n`);
    chmodSync(script, 0o755);
    // A commit with a signature, so that log.showSignature makes git call gpg.program on it.
    const tree = git(r, ['rev-parse', 'HEAD^{tree}']).trim();
    const signed = [
      `tree ${tree}`,
      'author L <l@x> 1772427600 +0000',
      'committer L <l@x> 1772427600 +0000',
      'gpgsig -----BEGIN PGP SIGNATURE-----',
      ' ',
      ' iQEzBAABCAAdFiEE',
      ' -----END PGP SIGNATURE-----',
      '',
      'signed work',
      '',
    ].join('\n');
    const id = execFileSync('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: r, input: signed, encoding: 'utf8' }).trim();
    git(r, ['update-ref', 'HEAD', id]);
    const hooks = path.join(r, '.git', 'hooks');
    writeFileSync(path.join(hooks, 'post-checkout'), `#!/bin/sh\necho hook >> ${canary}\n`, { mode: 0o755 });
    writeFileSync(
      path.join(r, '.git', 'config'),
      readFileSync(path.join(r, '.git', 'config'), 'utf8') +
        `[log]\n\tshowSignature = true\n[gpg]\n\tprogram = ${script}\n[core]\n\tfsmonitor = ${script}\n\tpager = ${script}\n\thooksPath = ${hooks}\n`,
    );
    // The trap is real: plain git runs the configured program...
    execFileSync('git', ['log', '-1', '--format=%cI'], { cwd: r, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir }, stdio: 'ignore' });
    expect(existsSync(canary)).toBe(true);
    rmSync(canary);
    // ...the grader's git does not, and still reads the time (1772427600 = 2026-03-02T05:00:00Z).
    expect(gitCommitTime(r).at?.toISOString()).toBe('2026-03-02T05:00:00.000Z');
    expect(existsSync(canary)).toBe(false);
  });

  test('a broken, symlinked or "gitdir:" .git is a note, and the next source is used', () => {
    const broken = path.join(dir, 'broken');
    mkdirSync(path.join(broken, '.git'), { recursive: true });
    expect(gitCommitTime(broken).note).toMatch(/a \.git folder that git cannot read/);
    const when = submittedAt({ id: 'broken', source: broken, kind: 'folder' }, new Map([['broken', new Date('2026-03-01T00:00:00Z')]]), undefined);
    expect(when).toMatchObject({ source: 'metadata file', at: new Date('2026-03-01T00:00:00Z') });
    expect(when.notes[0]).toMatch(/cannot read/);

    const linked = path.join(dir, 'linked');
    mkdirSync(linked);
    symlinkSync(path.join(dir, 'plain', '.git'), path.join(linked, '.git'));
    expect(gitCommitTime(linked).note).toMatch(/\.git is a symbolic link/);
    const file = path.join(dir, 'gitfile');
    mkdirSync(file);
    writeFileSync(path.join(file, '.git'), `gitdir: ${path.join(dir, 'plain', '.git')}\n`);
    expect(gitCommitTime(file).note).toMatch(/\.git is not a folder/);
    expect(submittedAt({ id: 'gitfile', source: file, kind: 'folder' }, undefined, Date.parse('2026-03-04T00:00:00Z'))).toMatchObject({ source: 'file times' });
    expect(submittedAt({ id: 'none', source: file, kind: 'zip' }, undefined, undefined).notes.join()).toMatch(/no submission time found/);
  });

  test('the metadata file: submission,submitted_at with ISO times; archive names without their extension', () => {
    const f = path.join(dir, 'times.csv');
    writeFileSync(f, 'submission,submitted_at\nlab1-eve.zip,2026-03-02T23:00:00Z\n');
    expect(readTimesFile(f).get('lab1-eve')?.toISOString()).toBe('2026-03-02T23:00:00.000Z');
    writeFileSync(f, 'submission,submitted_at\nx,yesterday\n');
    expect(() => readTimesFile(f)).toThrow(/line 2: "yesterday" is not an ISO 8601 time/);
  });

  test('the metadata file: two times for one submission are refused, both lines named; Ann and ann are two submissions', () => {
    const f = path.join(dir, 'times-twice.csv');
    writeFileSync(f, 'submission,submitted_at\nx.zip,2026-03-01T10:00:00Z\nx,2026-03-09T10:00:00Z\n');
    expect(() => readTimesFile(f)).toThrow(/line 3: a second time for submission "x" \(line 2 has one\)/);
    writeFileSync(f, 'submission,submitted_at\nAnn,2026-03-01T10:00:00Z\nann,2026-03-09T10:00:00Z\n');
    const times = readTimesFile(f);
    expect([times.get('Ann')?.toISOString(), times.get('ann')?.toISOString()]).toEqual(['2026-03-01T10:00:00.000Z', '2026-03-09T10:00:00.000Z']);
  });
});
