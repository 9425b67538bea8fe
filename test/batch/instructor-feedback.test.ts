// Issue 12 points 5, 7, 8 end to end on the fixture course: an instructor-only suite (calc.hidden.test.ts) is
// graded with the visible one and reported apart (results JSON, scores CSV, report, feedback), is absent from
// `course release` and from `course check` there, and `course verify` runs it; feedback files exist for every
// learner (a hostile name too) and hold no line of the hidden suite's source; similarity flags the planted copies.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, symlinkSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as fx from './fixture-course';

const HIDDEN_SUITE = `// Instructor-only tests of the calc fixture.
import { useSandbox } from '../support/sandbox';

const sandbox = useSandbox({ callTimeoutMs: 1500 });

describe('hidden calc', () => {
  test('adds negative numbers (RFC 0000 §2)', async () => {
    const calc = await sandbox().construct('Calculator');
    const secretMarkerOfTheHiddenSuite = await calc.call('add', -2, -3);
    expect(secretMarkerOfTheHiddenSuite).toBe(-5);
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

const HOSTILE = 'evil <script>alert(1)<\\script> `x` ..';

function cli(course: string, args: string[], cwd = course): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(cwd, 'bin', 'course.js'), ...args], { cwd, encoding: 'utf8', timeout: 5 * 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let tmp: string;
let course: string;
let out: string;
let gradeRun: { code: number | null; stdout: string; stderr: string };

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'course-instructor-'));
  course = fx.makeCourse(tmp);
  // The calc suite moves to harness/suites (where a course keeps its suites; test/ is never released), with its
  // instructor-only companion beside it.
  mkdirSync(path.join(course, 'harness/suites'), { recursive: true });
  const visible = readFileSync(path.join(course, 'test/fixtures/calc/calc.test.ts'), 'utf8').replace(
    "'../../../harness/support/sandbox'",
    "'../support/sandbox'",
  );
  writeFileSync(path.join(course, 'harness/suites/calc.test.ts'), visible);
  writeFileSync(path.join(course, 'harness/suites/calc.hidden.test.ts'), HIDDEN_SUITE);
  const yaml = path.join(course, 'course.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('suite: test/fixtures/calc/calc.test.ts', 'suite: harness/suites/calc.test.ts'));
  const subs = path.join(tmp, 'subs');
  const S = fx.solution;
  fx.writeFolder(path.join(subs, 'alice'), fx.courseLayout({ calc: S('calc'), words: S('words') }));
  fx.writeFolder(path.join(subs, 'bob'), fx.courseLayout({ calc: fx.CALC_PARTIAL, words: fx.WORDS_PARTIAL }));
  fx.writeFolder(path.join(subs, HOSTILE), fx.courseLayout({ calc: fx.CALC_PARTIAL }));
  fx.writeFolder(path.join(subs, 'dora'), { 'README.md': 'nothing yet\n' });
  out = path.join(tmp, 'out');
  gradeRun = cli(course, ['grade', subs, '--out', out, '--jobs', '2', '--no-isolation', '--gradescope', '--exercism']);
}, 6 * 60_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function result(name: string): {
  exercises: Array<{
    exercise: string;
    score: number;
    maxScore: number;
    hidden?: { score: number; maxScore: number };
    tests: Array<{ fullName: string; hidden?: boolean; status: string }>;
  }>;
} {
  return JSON.parse(readFileSync(path.join(out, 'results', `${name}.json`), 'utf8'));
}

test('course grade runs the hidden suite and reports visible and hidden scores apart', () => {
  expect(gradeRun.stderr).not.toMatch(/Error:/);
  expect(gradeRun.code).toBe(0);
  const alice = result('alice').exercises.find((e) => e.exercise === 'calc')!;
  expect(alice).toMatchObject({ score: 5, maxScore: 5, hidden: { score: 2, maxScore: 2 } });
  expect(alice.tests.filter((t) => t.hidden).map((t) => t.fullName)).toEqual([
    'hidden calc › adds negative numbers (RFC 0000 §2)',
    'hidden calc › the total after three additions (RFC 0000 §3)',
  ]);
  // CALC_PARTIAL adds right but never totals: 2/3 visible, 1/2 hidden.
  const bob = result('bob').exercises.find((e) => e.exercise === 'calc')!;
  expect(bob).toMatchObject({ score: 3, maxScore: 5, hidden: { score: 1, maxScore: 2 } });
  // An exercise without a hidden suite has no hidden part.
  expect(result('bob').exercises.find((e) => e.exercise === 'words')!.hidden).toBeUndefined();
  const meta = JSON.parse(readFileSync(path.join(out, 'gradebook.json'), 'utf8'));
  expect(meta.exercises.find((e: { id: string }) => e.id === 'calc')).toMatchObject({ maxScore: 5, hiddenMaxScore: 2 });
  const csv = readFileSync(path.join(out, 'scores-visible-hidden.csv'), 'utf8').trim().split('\n');
  expect(csv[0]).toBe('learner,calc visible,calc visible max,calc hidden,calc hidden max');
  expect(csv).toContain('alice,3,3,2,2');
  expect(csv).toContain('bob,2,3,1,2');
  expect(csv).toContain('dora,0,3,0,2');
  const report = readFileSync(path.join(out, 'report.html'), 'utf8');
  expect(report).toContain('instructor-only');
});

test('feedback files exist for every learner, escape hostile text and hold nothing of the hidden suite', () => {
  const files = readdirSync(path.join(out, 'feedback')).sort();
  expect(files.filter((f) => f.endsWith('.md'))).toHaveLength(4);
  expect(files.filter((f) => f.endsWith('.html'))).toHaveLength(4);
  for (const f of files) expect(f).toMatch(/^[a-z0-9._~-]+\.(md|html)$/); // the learners' keys (grader/batch/learner-key.ts)
  const bobMd = readFileSync(path.join(out, 'feedback', 'bob.md'), 'utf8');
  expect(bobMd).toContain('Total: **5/9**');
  expect(bobMd).toMatch(/✗ keeps a running total/);
  expect(bobMd).toMatch(/Instructor-only tests \(1\/2 passed/);
  expect(bobMd).toMatch(/npx course check calc --seed \d+/);
  // No line of the hidden suite's source (beyond trivial ones) appears in any feedback file.
  const sourceLines = HIDDEN_SUITE.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 25 && !l.startsWith('//') && !l.startsWith('test('));
  for (const f of files) {
    const text = readFileSync(path.join(out, 'feedback', f), 'utf8');
    for (const line of sourceLines) expect(text).not.toContain(line);
    expect(text).not.toContain('secretMarkerOfTheHiddenSuite');
  }
  const hostileHtml = files.find((f) => f.startsWith('evil') && f.endsWith('.html'))!;
  const html = readFileSync(path.join(out, 'feedback', hostileHtml), 'utf8');
  expect(html).not.toContain('<script>alert');
  expect(html).toContain('&#60;script&#62;alert(1)');
  const dora = readFileSync(path.join(out, 'feedback', 'dora.md'), 'utf8');
  expect(dora).toMatch(/not submitted/);
});

test('no output handed to a learner names an instructor-only test; Gradescope has them hidden only', () => {
  const secrets = ['adds negative numbers', 'the total after three additions', 'hidden calc'];
  const leaks = (text: string) => secrets.filter((s) => text.includes(s));
  const learnerFiles = ['feedback', 'exercism'].flatMap((dir) =>
    readdirSync(path.join(out, dir), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name)),
  );
  expect(learnerFiles.length).toBe(12);
  for (const f of learnerFiles) expect([path.relative(out, f), leaks(readFileSync(f, 'utf8'))]).toEqual([path.relative(out, f), []]);
  const gradescope = JSON.parse(readFileSync(path.join(out, 'gradescope', 'bob', 'results.json'), 'utf8')) as {
    output: string;
    tests: Array<{ name: string; visibility: string; output: string }>;
  };
  expect(
    gradescope.tests
      .filter((t) => t.visibility === 'hidden')
      .map((t) => t.name)
      .sort(),
  ).toEqual(['hidden calc › adds negative numbers (RFC 0000 §2)', 'hidden calc › the total after three additions (RFC 0000 §3)']);
  expect(leaks(gradescope.output + JSON.stringify(gradescope.tests.filter((t) => t.visibility !== 'hidden')))).toEqual([]);
  expect(gradescope.tests.find((t) => t.name === 'calc: instructor-only tests')!.output).toMatch(/^1\/2 instructor-only test\(s\) passed/);
});

test('similarity.json and the report section exist; identical submissions are flagged, others not', () => {
  const sim = JSON.parse(readFileSync(path.join(out, 'similarity.json'), 'utf8'));
  const calc = sim.exercises.find((e: { exercise: string }) => e.exercise === 'calc');
  // bob and the hostile learner submitted the same file; alice's is different.
  expect(calc.pairs.map((p: { a: string; b: string }) => [p.a, p.b].sort())).toEqual([['bob', HOSTILE].sort()]);
  expect(calc.pairs[0].identical).toBe(true);
  expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toContain('identical files');
  // alice submitted the reference solutions: a finding of its own, for both exercises.
  for (const x of sim.exercises)
    expect([x.exercise, x.reference.map((m: { learner: string; identical: boolean }) => [m.learner, m.identical])]).toEqual([x.exercise, [['alice', true]]]);
  expect(sim.baseline.source).toBe('working tree');
});

test(
  'course release leaves the hidden suite out; check there runs without it; verify runs it',
  () => {
    const rel = path.join(tmp, 'release');
    const r = cli(course, ['release', '--out', rel]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('calc.hidden.test.ts');
    expect(existsSync(path.join(rel, 'harness/suites/calc.test.ts'))).toBe(true);
    expect(existsSync(path.join(rel, 'harness/suites/calc.hidden.test.ts'))).toBe(false);
    // The learners' copy: a correct solution scores the visible tests only.
    const learner = path.join(tmp, 'learner-calc');
    fx.writeFolder(learner, { 'calc.ts': fx.solution('calc') });
    // As after `npm install` in the learners' copy: the packages and the built grader.
    symlinkSync(path.join(fx.REPO, 'node_modules'), path.join(rel, 'node_modules'));
    cpSync(path.join(course, 'dist'), path.join(rel, 'dist'), { recursive: true });
    const check = cli(rel, ['check', 'calc', '--dir', learner, '--json'], rel);
    const json = JSON.parse(check.stdout);
    expect(json).toMatchObject({ score: 3, maxScore: 3 });
    // verify in the authors' course runs the hidden suite with the visible one.
    const v = cli(course, ['verify', 'calc', '--json']);
    const rows = JSON.parse(v.stdout).rows as Array<{ check: string; ok: boolean; detail: string }>;
    const hiddenRow = rows.find((x) => x.check === 'hidden suite')!;
    expect(hiddenRow.ok).toBe(true);
    expect(hiddenRow.detail).toMatch(/solution 2\/2/);
    expect(rows.find((x) => x.check === 'solution passes')!.detail).toMatch(/^5\/5/);
  },
  4 * 60_000,
);
