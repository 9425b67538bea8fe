// `course verify` enforces requirements as data (issue 23), black-box: the real command on a course copy whose only
// exercise is the req-calc fixture, edited to show each kind of failure. The baseline holds every coverage rule.
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { copyCourse, course } from '../helpers';

interface Row {
  exercise: string;
  check: string;
  ok: boolean;
  detail: string;
}
interface VerifyJson {
  ok: boolean;
  seed: number;
  seeds: number[];
  rows: Row[];
  coverage: Array<{
    exercise: string;
    requirements: number;
    testable: number;
    tested: number;
    withMutant: number;
    untestable: Array<{ id: string; reason: string }>;
  }>;
}

const FIXTURE = 'test/fixtures/req-calc';
/** The rows verify adds for requirements; the others (suite size, mutant count) do not hold for a 4-test fixture. */
const REQUIREMENT_CHECKS = /^(requirements|tests name requirements|requirements tested|requirements with a mutant|requirement ids|mutant .*)$/;

function freshCopy(): string {
  const dir = copyCourse();
  const entry = readFileSync(path.join(dir, FIXTURE, 'course-entry.yaml'), 'utf8');
  writeFileSync(path.join(dir, 'course.yaml'), `title: verify fixture\nexercises:\n  - ${entry.trimEnd().split('\n').join('\n    ')}\n`);
  return dir;
}

function verify(dir: string, ...args: string[]): VerifyJson {
  const r = course(dir, ['verify', 'req-calc', '--json', '--seed', '7', ...args]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as VerifyJson;
}

const failures = (out: VerifyJson) => out.rows.filter((r) => !r.ok && REQUIREMENT_CHECKS.test(r.check)).map((r) => `${r.check}: ${r.detail}`);
const edit = (dir: string, file: string, from: string | RegExp, to: string) => {
  const full = path.join(dir, FIXTURE, file);
  const text = readFileSync(full, 'utf8');
  const next = text.replace(from, to);
  expect(next).not.toBe(text);
  writeFileSync(full, next);
};

test('the fixture holds every coverage rule, and --json carries its coverage table', () => {
  const out = verify(freshCopy());
  expect(failures(out)).toEqual([]);
  expect(out.rows.find((r) => r.check === 'mutant subtracts')?.detail).toMatch(
    /caught by "adding › adds two numbers" \{R1\.1\}; the same tests failed in 2 runs/,
  );
  expect(out.coverage).toEqual([
    expect.objectContaining({
      exercise: 'req-calc',
      requirements: 4,
      testable: 3,
      tested: 3,
      withMutant: 3,
      untestable: [{ id: 'R1.4', reason: expect.stringMatching(/advice/) }],
    }),
  ]);
  const text = course(freshCopy(), ['verify', 'req-calc', '--seed', '7']).stdout;
  expect(text).toMatch(/exercise\s+requirements\s+tested\s+with a mutant\s+untestable\s+known gaps\n\s*req-calc\s+4\s+3\/3\s+3\/3\s+1\s+0/);
});

test('a requirement with no test, and one with no mutant, fail verify naming the id', () => {
  const dir = freshCopy();
  appendFileSync(path.join(dir, FIXTURE, 'stub', 'requirements.yaml'), '- id: R1.5\n  section: "The total"\n  text: "total() returns the running total"\n');
  expect(failures(verify(dir))).toEqual([expect.stringMatching(/^requirements tested: R1\.5 has no test/)]);
  edit(dir, 'calc.test.ts', "'keeps a running total {R1.2}'", "'keeps a running total {R1.2,R1.5}'");
  expect(failures(verify(dir))).toEqual([expect.stringMatching(/^requirements with a mutant: R1\.5: no mutant makes a test of it fail/)]);
});

test('a test with no requirement, and a test naming an unknown id, fail verify naming the test', () => {
  const dir = freshCopy();
  edit(dir, 'calc.test.ts', "'a new calculator starts at 0 {R1.3}'", "'a new calculator starts at 0'");
  edit(dir, 'calc.test.ts', "'keeps a running total {R1.2}'", "'keeps a running total {R1.2,R1.9}'");
  expect(failures(verify(dir))).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^tests name requirements: test "the total › a new calculator starts at 0" names no requirement/),
      expect.stringMatching(/^tests name requirements: test "the total › keeps a running total" names R1\.9, which requirements\.yaml does not declare/),
      expect.stringMatching(/^requirements tested: R1\.3 has no test/),
    ]),
  );
});

test('a mutant with no Requirements line, one that declares an unknown id, and one not caught by its tests fail verify', () => {
  const dir = freshCopy();
  edit(dir, 'mutants/subtracts.patch', 'Requirements: R1.1\n', '');
  edit(dir, 'mutants/total-not-kept.patch', 'Requirements: R1.2', 'Requirements: R1.8');
  edit(dir, 'mutants/starts-at-1.patch', 'Requirements: R1.3', 'Requirements: R1.1');
  expect(failures(verify(dir))).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^mutant subtracts: no "Requirements: R…" line in its header: .*\(caught by "adding › adds two numbers"\)/),
      expect.stringMatching(/^mutant total-not-kept: declares R1\.8, which requirements\.yaml does not declare/),
      expect.stringMatching(/^mutant starts-at-1: NOT caught by a test of R1\.1 \(seed 7\)/),
    ]),
  );
});

test('a mutant whose failing tests change between runs with one seed fails verify', () => {
  const dir = freshCopy();
  // Wrong on about half the calls, decided by the clock's nanoseconds: no seed replays it.
  writeFileSync(
    path.join(dir, FIXTURE, 'mutants', 'clock-dependent.patch'),
    'MUTANT clock-dependent: add is wrong when the clock says so.\nRequirements: R1.1\n\n--- a/calc.ts\n+++ b/calc.ts\n@@ -3,5 +3,5 @@\n   add(a: number, b: number): number {\n     this.sum += a + b;\n-    return a + b;\n+    return process.hrtime.bigint() % 2n === 0n ? a + b : a - b;\n   }\n   total(): number {\n',
  );
  // Each run stops at R1.1's first failing test, so its failing set is one of three; 8 runs agree by chance less
  // than once in 10^3 (and, per call, the clock decides, never the seed).
  const out = verify(dir, '--mutant-runs', '8');
  expect(failures(out)).toEqual([expect.stringMatching(/^mutant clock-dependent: verdict changed between runs with seed 7: run 1 failed .*; run \d failed /)]);
});

test("requirements.yaml's errors name the file and line; a sentence not in the lesson is named with its id", () => {
  const dir = freshCopy();
  edit(dir, 'stub/requirements.yaml', 'text: "A new calculator starts at 0."', 'text: "A new calculator starts at zero."');
  expect(failures(verify(dir))).toEqual([
    expect.stringMatching(/^requirements: R1\.3 \(test\/fixtures\/req-calc\/stub\/requirements\.yaml:8\): its text is not in the lesson/),
  ]);
  edit(dir, 'stub/requirements.yaml', 'id: R1.2', 'id: R1.1');
  expect(failures(verify(dir))).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^requirements: test\/fixtures\/req-calc\/stub\/requirements\.yaml:5: R1\.1 is declared twice \(first at .*requirements\.yaml:2\)/),
    ]),
  );
});

test('--seeds N: the solution, the stub and every mutant give their verdict with each of N seeds, derived from --seed', () => {
  const dir = freshCopy();
  const seedsRow = (out: VerifyJson) => out.rows.filter((r) => r.check === 'seeds');
  const baseline = verify(dir, '--seeds', '2');
  expect(baseline.seeds).toEqual([7, 1470156522]); // the same seeds for the same --seed: a failure replays
  expect(seedsRow(baseline)).toEqual([
    expect.objectContaining({
      ok: true,
      detail: expect.stringMatching(/^1 more seed\(s\) \(1470156522\): the solution passed, the stub failed every test and 3 mutant\(s\) were caught/),
    }),
  ]);

  // A test whose input the seed decides (5 for odd seeds, 4 for even ones) and a mutant wrong only at 5: the first
  // seed (7) catches it, and the even seeds derived from 7 (1470156522, 227451768) do not.
  edit(
    dir,
    'calc.test.ts',
    "describe('the total', () => {",
    "test('adds the run\\'s number {R1.1}', async () => {\n  const n = runSeed() % 2 ? 5 : 4;\n  expect(await (await sandbox().construct('Calculator')).call('add', n, 1)).toBe(n + 1);\n});\n\ndescribe('the total', () => {",
  );
  edit(
    dir,
    'calc.test.ts',
    "import { useSandbox } from '../../../harness/support/sandbox';",
    "import { runSeed } from '../../../harness/support/random';\nimport { useSandbox } from '../../../harness/support/sandbox';",
  );
  writeFileSync(
    path.join(dir, FIXTURE, 'mutants', 'wrong-at-five.patch'),
    'MUTANT wrong-at-five: add is one off when a is 5.\nRequirements: R1.1\n\n--- a/calc.ts\n+++ b/calc.ts\n@@ -3,5 +3,5 @@\n   add(a: number, b: number): number {\n     this.sum += a + b;\n-    return a + b;\n+    return a === 5 ? a + b + 1 : a + b;\n   }\n   total(): number {\n',
  );
  const out = verify(dir, '--seeds', '3');
  expect(failures(out)).toEqual([]); // with the first seed, every rule holds: only --seeds sees the hole
  expect(out.rows.find((r) => r.check === 'mutant wrong-at-five')).toEqual(expect.objectContaining({ ok: true }));
  expect(seedsRow(out)).toEqual([
    expect.objectContaining({ ok: false, detail: 'seed 1470156522: mutant wrong-at-five NOT caught by a test of R1.1' }),
    expect.objectContaining({ ok: false, detail: 'seed 227451768: mutant wrong-at-five NOT caught by a test of R1.1' }),
  ]);
  expect(out.ok).toBe(false);
  const text = course(dir, ['verify', 'req-calc', '--seed', '7', '--seeds', '3']);
  expect(text.code).toBe(1);
  expect(text.stdout).toMatch(/failed \(seed 7; also seeds 1470156522, 227451768\)/);
});
