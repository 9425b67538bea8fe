// Issue 12's first "done when", end to end through the CLI: a generated class of 30 (test/batch/class-generator.ts:
// a roster with extensions, GitHub Classroom clones committed on time, late within the cap, late beyond it and
// late but extended; correct, partly correct and failing work; a byte-identical copy, a renamed and re-laid-out
// copy; roster learners with no submission and a submission nobody in the roster made) graded once with an
// instructor-only suite, then released. Every expectation comes from the generator's plan (which tests each
// implementation fails, what lateness costs), never from the grader's output. CLASS30_SEED=n draws another class;
// CLASS30_KEEP=1 keeps the folder.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { BatchMeta, LearnerResult } from '../../grader/batch/model';
import type { SimilarityReport } from '../../grader/similarity';
import * as fx from './fixture-course';
import { CALC_HIDDEN, expectedFor, generateClass, POINTS, type ClassPlan, type Expected, type Learner, type RosterRow } from './class-generator';

const SEED = Number(process.env.CLASS30_SEED ?? 30);
const ASSIGNMENT = 'Lab 1 (55)';
const LMS = path.join(__dirname, '..', 'fixtures', 'lms');

// Instructor-only tests of calc: what the generator's mistakes are judged by (CALC_TESTS.hiddenNegative, hiddenThree).
const HIDDEN_SUITE = `// Instructor-only tests of the calc fixture.
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 1500 });

describe('hidden calc', () => {
  test('adds negative numbers (RFC 0000 §2)', async () => {
    const calc = await sandbox().construct('Calculator');
    const hiddenSuiteMarkerNegativeSum = await calc.call('add', -2, -3);
    expect(hiddenSuiteMarkerNegativeSum).toBe(-5);
  });

  test('the total after three additions (RFC 0000 §3)', async () => {
    const calc = await sandbox().construct('Calculator');
    await calc.call('add', 1, 1);
    await calc.call('add', 2, 2);
    await calc.call('add', 3, 3);
    expect(await calc.call('total')).toBe(12);
  });
});
`;

const rows = (text: string): string[][] => parse(text, { relax_column_count: true }) as string[][];

function cli(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(cwd, 'bin', 'course.js'), ...args], { cwd, encoding: 'utf8', timeout: 6 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function csvLine(cells: string[]): string {
  return cells.map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}

const fmt = (n: number) => String(Math.round(n * 100) / 100);

describe(`a generated class of 30 graded end to end (seed ${SEED}; CLASS30_SEED=n draws another)`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'course-class30-'));
  const subs = path.join(dir, 'submissions');
  const out = path.join(dir, 'out');
  const release = path.join(dir, 'release');
  let course: string;
  let plan: ClassPlan;
  let grade: { code: number | null; stdout: string; stderr: string };
  let rel: { code: number | null; stdout: string; stderr: string };
  const rowOf = new Map<string, RosterRow>();
  const expected = new Map<string, Expected>();
  const read = (rel: string) => readFileSync(path.join(out, rel), 'utf8');
  const result = (folder: string) => JSON.parse(read(`results/${folder}.json`)) as LearnerResult;

  function commit(l: Learner): void {
    const repo = path.join(subs, l.folder);
    const git = (args: string[], when: string) =>
      execFileSync('git', ['-c', 'user.name=Learner', '-c', `user.email=${l.username}@example.edu`, ...args], {
        cwd: repo,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: dir, GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when },
        stdio: 'ignore',
      });
    mkdirSync(repo, { recursive: true });
    git(['init', '-q'], l.commits[0]!);
    // With two commits, the first is work in progress (calc only); HEAD, the last, is what counts.
    if (l.commits.length > 1) {
      fx.writeFolder(repo, { 'README.md': l.files['README.md']!, 'exercises/01-calc/calc.ts': l.files['exercises/01-calc/calc.ts']! });
      git(['add', '-A'], l.commits[0]!);
      git(['commit', '-q', '--allow-empty', '-m', 'calc'], l.commits[0]!);
    }
    fx.writeFolder(repo, l.files);
    git(['add', '-A'], l.commits[l.commits.length - 1]!);
    git(['commit', '-q', '--allow-empty', '-m', 'lab 1'], l.commits[l.commits.length - 1]!);
  }

  beforeAll(() => {
    course = fx.makeCourse(dir, { points: { calc: String(POINTS.calc), words: `{ total: ${POINTS.words}, groups: { Words: ${POINTS.words} } }` } });
    // calc's suite moves to harness/suites (test/ is never released), with its instructor-only companion.
    mkdirSync(path.join(course, 'harness/suites'), { recursive: true });
    const visible = readFileSync(path.join(course, 'test/fixtures/calc/calc.test.ts'), 'utf8').replace(
      "'../../../harness/support/sandbox'",
      "'../support/sandbox'",
    );
    writeFileSync(path.join(course, 'harness/suites/calc.test.ts'), visible);
    writeFileSync(path.join(course, 'harness/suites/calc.hidden.test.ts'), HIDDEN_SUITE);
    const yaml = path.join(course, 'course.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('suite: test/fixtures/calc/calc.test.ts', 'suite: harness/suites/calc.test.ts'));

    plan = generateClass(SEED, { calc: fx.stub('calc'), words: fx.stub('words') });
    for (const r of plan.roster) if (r.folder) rowOf.set(r.folder, r);
    for (const l of plan.learners) expected.set(l.folder, expectedFor(l, rowOf.get(l.folder), plan.deadline));
    mkdirSync(subs);
    for (const l of plan.learners) commit(l);
    writeFileSync(
      path.join(dir, 'roster.csv'),
      [
        'submission,name,lms_id,sis_user_id,sis_login_id,email,section,extension',
        ...plan.roster.map((r) => csvLine([r.submission, r.name, r.lmsId, r.sisUserId, r.sisLoginId, r.email, r.section, r.extension])),
      ].join('\n') + '\n',
    );
    grade = cli(course, [
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
      ASSIGNMENT,
      '--deadline',
      plan.deadline,
      '--late',
      '10%/day,max=3d',
    ]);
    rel = cli(course, ['release', '--out', release]);
  }, 8 * 60_000);

  afterAll(() => {
    if (!process.env.CLASS30_KEEP) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`class of thirty kept in ${dir}\n`);
  });

  test('the class is what the brief asks for', () => {
    expect(plan.roster).toHaveLength(30);
    const submitted = plan.learners.filter((l) => l.role !== 'not in the roster');
    expect(submitted).toHaveLength(24);
    expect(plan.roster.filter((r) => !r.folder)).toHaveLength(6);
    expect(plan.learners.filter((l) => l.role === 'copy')).toHaveLength(1);
    expect(plan.learners.filter((l) => l.role === 'renamed copy')).toHaveLength(1);
    const kinds = new Set(plan.learners.map((l) => expected.get(l.folder)!.lateDays));
    expect([...kinds]).toEqual(expect.arrayContaining([0, 1, 2, 3, 'zero']));
    expect(plan.learners.some((l) => l.timing.startsWith('extended') && rowOf.get(l.folder)?.extension)).toBe(true);
    expect(new Set(plan.learners.map((l) => l.quality))).toEqual(new Set(['correct', 'partial', 'failing']));
    expect([plan.learners.some((l) => l.calc.syntaxError), plan.learners.some((l) => l.words.stub), plan.learners.some((l) => l.words.missing)]).toEqual([
      true,
      true,
      true,
    ]);
    // The renamed copy is the same code, not the same text.
    const renamed = plan.learners.find((l) => l.role === 'renamed copy')!;
    const source = plan.learners.find((l) => l.username === renamed.source)!;
    expect(renamed.files['exercises/01-calc/calc.ts']).not.toBe(source.files['exercises/01-calc/calc.ts']);
    expect(renamed.files['exercises/02-words/words.ts']).not.toBe(source.files['exercises/02-words/words.ts']);
  });

  test('the grade run succeeds and grades every submission', () => {
    expect(grade.stderr).not.toMatch(/Error:/);
    expect(grade.code).toBe(0);
    const meta = JSON.parse(read('gradebook.json')) as BatchMeta;
    expect(meta.allLearners).toEqual(plan.learners.map((l) => l.folder).sort());
    expect(meta.runs).toMatchObject({ graded: 50, resumed: 0 });
  });

  test('points, late deductions and final points of every learner (grades.csv and results/)', () => {
    const csv = rows(read('grades.csv'));
    const h = csv[0]!;
    const cols = [
      'in_roster',
      'email',
      'calc',
      'words',
      'points',
      'max_points',
      'percent',
      'tests_passed',
      'tests_total',
      'submitted_at',
      'time_source',
      'deadline',
      'late_hours',
      'penalty_percent',
      'final_points',
      'final_percent',
      'status',
      'calc_status',
      'words_status',
    ];
    const got: Record<string, Record<string, string>> = {};
    const want: Record<string, Record<string, string>> = {};
    for (const l of plan.learners) {
      const row = csv.find((r) => r[0] === l.folder);
      got[l.folder] = Object.fromEntries(cols.map((c) => [c, row?.[h.indexOf(c)] ?? '(no row)']));
      const e = expected.get(l.folder)!;
      want[l.folder] = {
        in_roster: rowOf.has(l.folder) ? 'yes' : 'no',
        email: rowOf.get(l.folder)?.email ?? '',
        calc: fmt((e.calcPassed * POINTS.calc) / 5),
        words: fmt((e.wordsPassed * POINTS.words) / 4),
        points: fmt(e.points),
        max_points: '30',
        percent: fmt((100 * e.points) / 30),
        tests_passed: String(e.calcPassed + e.wordsPassed),
        tests_total: '9',
        submitted_at: new Date(l.commits[l.commits.length - 1]!).toISOString(),
        time_source: 'git commit',
        deadline: e.deadline,
        late_hours: fmt(e.lateMs / 3_600_000),
        penalty_percent: String(e.penaltyPercent),
        final_points: fmt(e.finalPoints),
        final_percent: fmt((100 * e.finalPoints) / 30),
        status: 'graded',
        calc_status: e.calcStatus,
        words_status: e.wordsStatus,
      };
    }
    expect(got).toEqual(want);

    // The per-learner results say the same, with the instructor-only part of calc apart.
    const gotJson: Record<string, unknown> = {};
    const wantJson: Record<string, unknown> = {};
    for (const l of plan.learners) {
      const r = result(l.folder);
      const e = expected.get(l.folder)!;
      const calc = r.exercises.find((x) => x.exercise === 'calc')!;
      gotJson[l.folder] = {
        points: r.points,
        finalPoints: r.finalPoints,
        penalty: r.submitted?.penalty,
        calc: calc.score,
        calcHidden: calc.hidden && { score: calc.hidden.score, maxScore: calc.hidden.maxScore },
        name: r.roster?.name,
      };
      wantJson[l.folder] = {
        points: e.points,
        finalPoints: e.finalPoints,
        penalty: e.penaltyPercent / 100,
        calc: e.calcPassed,
        calcHidden: { score: e.calcHiddenPassed, maxScore: 2 },
        name: rowOf.get(l.folder)?.name,
      };
    }
    expect(gotJson).toEqual(wantJson);

    // Roster learners with no submission: listed with 0, or blank while their extended deadline is ahead.
    for (const r of plan.roster.filter((x) => !x.folder)) {
      const row = csv.find((x) => x[0] === r.submission)!;
      expect([r.submission, row[h.indexOf('status')], row[h.indexOf('final_points')]]).toEqual([
        r.submission,
        'missing',
        plan.ahead.includes(r.submission) ? '' : '0',
      ]);
    }
    expect(csv).toHaveLength(1 + 25 + 6);
  });

  test('Canvas and Moodle files have the columns of the published samples and one row per importable learner', () => {
    // Canvas: the sample's header without the read-only columns its Points Possible row marks (Canvas ignores them
    // on import), the assignment column named "Name (id)", then one row per roster learner.
    const sample = rows(readFileSync(path.join(LMS, 'canvas-gradebook-export.csv'), 'utf8'));
    const importable = sample[0]!.filter((_, i) => sample[1]![i]!.trim() !== '(read only)');
    const canvas = rows(read('canvas-grades.csv'));
    expect(canvas[0]).toEqual([...importable.slice(0, -1), ASSIGNMENT]);
    expect(importable[importable.length - 1]).toMatch(/^.+ \(\d+\)$/);
    expect(canvas[1]![0]!.trim()).toBe(sample[1]![0]!.trim());
    expect(canvas[1]!.slice(1)).toEqual(['', '', '', '', '30']);
    const value = (r: RosterRow) => (r.folder ? fmt(expected.get(r.folder)!.finalPoints) : plan.ahead.includes(r.submission) ? '' : '0');
    const body = canvas.slice(2);
    const unrostered = plan.learners.find((l) => l.role === 'not in the roster')!;
    expect(body).toHaveLength(31);
    expect(body[30]).toEqual([`${unrostered.folder} (not in the roster)`, '', '', '', '', fmt(expected.get(unrostered.folder)!.finalPoints)]);
    expect(new Set(body.slice(0, 30).map((r) => JSON.stringify(r)))).toEqual(
      new Set(plan.roster.map((r) => JSON.stringify([r.name, r.lmsId, r.sisUserId, r.sisLoginId, r.section, value(r)]))),
    );

    // Moodle: the sample's columns (the identifier is the email address), the last one the grade item; learners
    // without an email address and the submission not in the roster go to the file beside it.
    const moodleSample = rows(readFileSync(path.join(LMS, 'moodle-grade-import.csv'), 'utf8'));
    const moodle = rows(read('moodle-grades.csv'));
    expect(moodle[0]).toEqual([...moodleSample[0]!.slice(0, -1), ASSIGNMENT]);
    const withEmail = plan.roster.filter((r) => r.email);
    expect(withEmail.length).toBeLessThan(30);
    expect(new Set(moodle.slice(1).map((r) => JSON.stringify(r)))).toEqual(new Set(withEmail.map((r) => JSON.stringify([r.first, r.last, r.email, value(r)]))));
    expect(moodle).toHaveLength(1 + withEmail.length);
    const notImported = rows(read('moodle-not-imported.csv'));
    expect(new Set(notImported.slice(1).map((r) => `${r[0]}: ${r[3]}`))).toEqual(
      new Set([
        `${unrostered.folder}: not in the roster`,
        ...plan.roster.filter((r) => !r.email).map((r) => `${r.folder ?? r.submission}: no email address in the roster`),
      ]),
    );
  });

  test('feedback for every graded learner, with nothing of the instructor-only suite in it', () => {
    const files = readdirSync(path.join(out, 'feedback')).sort();
    expect(files).toEqual(plan.learners.flatMap((l) => [`${l.folder}.html`, `${l.folder}.md`]).sort());
    const secretLines = HIDDEN_SUITE.split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 20 && !l.startsWith('//') && !l.startsWith('test(') && !l.startsWith('describe('));
    expect(secretLines.length).toBeGreaterThan(5);
    for (const l of plan.learners) {
      const e = expected.get(l.folder)!;
      const md = read(`feedback/${l.folder}.md`);
      const md_ = (t: string) => t.replace(/-/g, '\\-');
      const table = [
        `Total: **${e.calcPassed + e.wordsPassed}/9**`,
        `| 1. calc | ${md_(e.calcStatus)} | ${e.calcPassed}/5 | ${e.calcPassed - e.calcHiddenPassed}/3 | ${e.calcHiddenPassed}/2 |`,
        `| 2. words | ${md_(e.wordsStatus)} | ${e.wordsPassed}/4 | ${e.wordsPassed}/4 | — |`,
      ];
      expect([l.folder, table.filter((line) => !md.includes(line))]).toEqual([l.folder, []]);
      if (e.calcStatus !== 'compile-error')
        expect([l.folder, md]).toEqual([l.folder, expect.stringContaining(`Instructor-only tests (${e.calcHiddenPassed}/2 passed`)]);
      for (const f of [md, read(`feedback/${l.folder}.html`)]) {
        for (const line of secretLines) expect([l.folder, f.includes(line)]).toEqual([l.folder, false]);
        expect(f).not.toContain('hiddenSuiteMarkerNegativeSum');
      }
    }
  });

  test('similarity flags exactly the planted pairs, in similarity.json and in the report', () => {
    const copy = plan.learners.find((l) => l.role === 'copy')!;
    const renamed = plan.learners.find((l) => l.role === 'renamed copy')!;
    const folderOf = (username: string) => plan.learners.find((l) => l.username === username)!.folder;
    const planted = [
      { pair: [copy.folder, folderOf(copy.source!)].sort().join(' ~ '), identical: true },
      { pair: [renamed.folder, folderOf(renamed.source!)].sort().join(' ~ '), identical: false },
    ].sort((a, b) => (a.pair < b.pair ? -1 : 1));
    const sim = JSON.parse(read('similarity.json')) as SimilarityReport;
    const html = read('report.html');
    for (const exercise of ['calc', 'words']) {
      const x = sim.exercises.find((e) => e.exercise === exercise)!;
      const pairs = x.pairs.map((p) => ({ pair: [p.a, p.b].sort().join(' ~ '), identical: p.identical })).sort((a, b) => (a.pair < b.pair ? -1 : 1));
      expect({ exercise, pairs }).toEqual({ exercise, pairs: planted });
      // Everyone's code was compared (a words file equal to the stub, or none, is left out).
      const words = plan.learners.filter((l) => !l.words.stub && !l.words.missing).length;
      expect(x.submissions).toBe(exercise === 'calc' ? 25 : words);
      const section = html.slice(html.indexOf(`<section class="similarity" data-exercise="${exercise}">`));
      const inReport = [...section.slice(0, section.indexOf('</section>')).matchAll(/<tr class="pair" data-a="([^"]+)" data-b="([^"]+)"/g)]
        .map((m) => [m[1], m[2]].sort().join(' ~ '))
        .sort();
      expect({ exercise, inReport }).toEqual({ exercise, inReport: planted.map((p) => p.pair) });
    }
  });

  test('the instructor-only tests count in the grade and are absent from the release', () => {
    const meta = JSON.parse(read('gradebook.json')) as BatchMeta;
    expect(meta.exercises.find((e) => e.id === 'calc')).toMatchObject({ maxScore: 5, hiddenMaxScore: 2, maxPoints: POINTS.calc });
    const split = rows(read('scores-visible-hidden.csv'));
    expect(split[0]).toEqual(['learner', 'calc visible', 'calc visible max', 'calc hidden', 'calc hidden max']);
    for (const l of plan.learners) {
      const e = expected.get(l.folder)!;
      expect(split.find((r) => r[0] === l.folder)).toEqual([l.folder, String(e.calcPassed - e.calcHiddenPassed), '3', String(e.calcHiddenPassed), '2']);
    }
    // A learner whose only mistake in calc the instructor-only tests catch lost points for it (2 of 10).
    const caughtByHiddenOnly = plan.learners.filter((x) => x.calc.abs && !x.calc.totalZero && x.calc.echoBug === undefined && !x.calc.syntaxError);
    expect(caughtByHiddenOnly.length).toBeGreaterThan(0);
    for (const l of caughtByHiddenOnly) {
      expect([l.folder, result(l.folder).exercises.find((x) => x.exercise === 'calc')!.points]).toEqual([l.folder, 8]);
      expect([
        l.folder,
        result(l.folder)
          .exercises.find((x) => x.exercise === 'calc')!
          .tests.filter((t) => t.status !== 'passed')
          .map((t) => t.title),
      ]).toEqual([l.folder, [CALC_HIDDEN[0]]]);
    }

    expect(rel.code).toBe(0);
    expect(rel.stdout).toContain('calc.hidden.test.ts');
    expect(existsSync(path.join(release, 'harness/suites/calc.test.ts'))).toBe(true);
    expect(existsSync(path.join(release, 'harness/suites/calc.hidden.test.ts'))).toBe(false);
    const leaks: string[] = [];
    const walk = (d: string) => {
      for (const n of readdirSync(d)) {
        const p = path.join(d, n);
        const st = statSync(p);
        if (st.isDirectory()) walk(p);
        else if (st.size < 5_000_000 && readFileSync(p, 'latin1').includes('hiddenSuiteMarkerNegativeSum')) leaks.push(path.relative(release, p));
      }
    };
    walk(release);
    expect(leaks).toEqual([]);
  });

  test('roster learners with no submission and the submission not in the roster are listed, never dropped', () => {
    const meta = JSON.parse(read('gradebook.json')) as BatchMeta;
    const missing = plan.roster.filter((r) => !r.folder);
    const unrostered = plan.learners.filter((l) => l.role === 'not in the roster').map((l) => l.folder);
    expect(meta.roster!.missing.map((r) => r.submission).sort()).toEqual(missing.map((r) => r.submission).sort());
    expect(meta.roster!.unrostered).toEqual(unrostered);
    expect(grade.stdout).toMatch(new RegExp(`roster .*: ${missing.length} learner\\(s\\) without a submission, 1 submission\\(s\\) not in the roster`));
    for (const r of missing)
      expect(grade.stdout).toMatch(
        new RegExp(`no submission\\s+${r.submission} \\(${r.name}\\)${plan.ahead.includes(r.submission) ? ' — deadline still ahead' : '$'}`, 'm'),
      );
    expect(grade.stdout).toMatch(new RegExp(`not in the roster\\s+${unrostered[0]}$`, 'm'));
    const html = read('report.html');
    for (const r of missing) expect(html).toContain(`data-missing="${r.submission}"`);
    expect(html).toContain(`data-unrostered="${unrostered[0]}"`);
    // The deadline line counts what the plan says.
    const late = plan.learners.filter((l) => expected.get(l.folder)!.lateMs > 0).length;
    const deducted = plan.learners.filter((l) => expected.get(l.folder)!.penaltyPercent > 0).length;
    expect(grade.stdout).toMatch(new RegExp(`: ${late} late, ${deducted} with a deduction`));
  });
});
