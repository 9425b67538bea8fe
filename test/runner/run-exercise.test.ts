// The runner end to end on a tiny fixture exercise: real build, real trusted jest process, real sandbox host.
// Each variant of the learner's file is a behaviour the runner must grade correctly.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JestProcess } from '../../grader/run/jest-process';
import { NOT_RUN_FAIL_FAST, runExercise } from '../../grader/run/run-exercise';
import type { ExerciseResult } from '../../grader/run/result';
import { fixtureExercise, processesMentioning, repoRoot } from '../helpers';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'calc');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'runner-test-'));

function grade(implRoot: string, overrides = {}): Promise<ExerciseResult> {
  return runExercise({ courseRoot: repoRoot, exercise: fixtureExercise('calc', overrides), implRoot, workDir, seed: 42 });
}

const variant = (name: string) => path.join(fixture, 'variants', name);

test('the reference solution passes every test, with per-test results and the spec citation', async () => {
  const r = await grade(path.join(fixture, 'solution'));
  expect(r.status).toBe('passed');
  expect([r.score, r.maxScore]).toEqual([3, 3]);
  expect(r.tests.map((t) => t.status)).toEqual(['passed', 'passed', 'passed']);
  expect(r.tests[0]).toMatchObject({ group: ['Calculator'], spec: 'RFC 0000 §1' });
  expect(r.seed).toBe(42);
});

test('the stub fails every test, with the call that failed in the message', async () => {
  const r = await grade(path.join(fixture, 'stub'));
  expect(r.status).toBe('failed');
  expect(r.score).toBe(0);
  expect(r.tests[0]!.message).toContain('Calculator.add(2, 3) threw Error: not implemented');
});

test('a plausible bug fails exactly the tests it should', async () => {
  const r = await grade(variant('wrong-total'));
  expect(r.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'passed']);
  expect(r.tests[1]!.message).toMatch(/Expected: 5[\s\S]*Received: 0/);
});

test("fail-fast (verify's mutant runs): the tests after the first failure are skipped and marked as not run", async () => {
  const stub = await runExercise({
    courseRoot: repoRoot,
    exercise: fixtureExercise('calc'),
    implRoot: path.join(fixture, 'stub'),
    workDir,
    seed: 42,
    failFast: true,
  });
  expect(stub.tests.map((t) => t.status)).toEqual(['failed', 'missing', 'missing']);
  expect(stub.tests.slice(1).map((t) => t.message)).toEqual([NOT_RUN_FAIL_FAST, NOT_RUN_FAIL_FAST]);
  expect(stub.status).not.toBe('passed');
  // A failure later in the suite: the tests before it ran and passed.
  const late = await runExercise({
    courseRoot: repoRoot,
    exercise: fixtureExercise('calc'),
    implRoot: variant('wrong-total'),
    workDir,
    seed: 42,
    failFast: true,
  });
  expect(late.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'missing']);
  // Without it (every grade), every test runs.
  expect((await grade(path.join(fixture, 'stub'))).tests.map((t) => t.status)).toEqual(['failed', 'failed', 'failed']);
});

test("a module of the learner's own beside the graded file is not built, locally as in batch grading, and the message says why", async () => {
  // The learner's folder is the exercise folder here (as in `course check`), and helper.ts sits in it.
  const own = 'test/fixtures/calc/variants/own-module';
  const r = await grade(path.join(repoRoot, own), { dir: own });
  expect(r.status).toBe('load-error');
  expect(r.score).toBe(0);
  expect(r.tests[0]!.message).toMatch(/Cannot find module '\.\/helper'/);
  expect(r.tests[0]!.message).toMatch(/put your code into the graded file/);
});

test('a syntax error is a compile-error result with file:line:col, never "0 tests" nor a machinery error', async () => {
  const r = await grade(variant('syntax-error'));
  expect(r.status).toBe('compile-error');
  expect(r.diagnostics[0]).toMatchObject({ file: 'calc.ts', line: 3, kind: 'syntax' });
  expect(r.message).toMatch(/does not compile: 1 syntax error/);
});

test('a type error is reported with its line as feedback while the tests still run', async () => {
  const r = await grade(variant('type-error'));
  expect(r.status).toBe('passed');
  expect(r.diagnostics).toEqual([expect.objectContaining({ file: 'calc.ts', line: 6, column: 11, kind: 'type' })]);
});

test('a call that loops forever fails that test by name; the other tests still run', async () => {
  const r = await grade(variant('loop-in-call'));
  expect(r.status).toBe('failed');
  expect(r.tests[0]!.message).toMatch(/Calculator\.add\(2, 3\) did not answer within 1500 ms/);
  expect(r.tests[2]!.status).toBe('passed');
});

test('a module that loops at import fails every test without paying the wait each time', async () => {
  const r = await grade(variant('loop-at-import'));
  expect(r.status).toBe('load-error');
  expect(r.tests.every((t) => t.status === 'failed' && /did not finish loading/.test(t.message ?? ''))).toBe(true);
  expect(r.durationMs).toBeLessThan(15_000);
});

test('promises that never settle and a timer that never stops do not hang the run', async () => {
  const r = await grade(variant('never-settles'));
  expect(r.status).toBe('failed');
  expect(r.tests.every((t) => t.status === 'failed')).toBe(true);
});

test('the overall timeout ends the run, names the test that hung, and leaves no process behind', async () => {
  // A unique copy, so that its build folder (and so its processes) can be recognised.
  const impl = mkdtempSync(path.join(os.tmpdir(), 'hang-'));
  cpSync(variant('never-settles'), impl, { recursive: true });
  writeFileSync(
    path.join(impl, 'calc.ts'),
    `// ${impl}\nexport class Calculator { add(): number { for (;;) {} } total(): number { return 0; } }\nexport function echoBytes(b: Uint8Array) { return b; }\n`,
  );
  const r = await grade(impl, { suite: 'test/fixtures/calc/hang.test.ts', timeout: '8s', testTimeout: '10m' });
  expect(r.status).toBe('timeout');
  expect(r.hungTest).toBe('Calculator › adds two numbers (RFC 0000 §1)');
  expect(r.tests[0]).toMatchObject({ status: 'timeout' });
  expect(r.tests.slice(1).every((t) => t.status === 'missing' && t.score === 0)).toBe(true);
  expect(r.message).toMatch(/"Calculator › adds two numbers \(RFC 0000 §1\)" never finished/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(processesMentioning(r.filesHash.slice(0, 8))).toEqual([]);
  expect(processesMentioning(path.join(workDir, 'build', 'calc'))).toEqual([]);
});

test('process.exit(0) in the code under test does not pass and is reported as tampering', async () => {
  const r = await grade(variant('process-exit'));
  expect(r.status).toBe('tampered');
  expect(r.score).toBe(0);
  expect(r.anomalies.join('\n')).toMatch(/process\.exit\(0\)/);
});

test('replacing test/expect/jest state in the code under test has no effect on the verdict', async () => {
  const r = await grade(variant('patch-globals'));
  expect(r.status).toBe('failed');
  expect(r.score).toBe(0);
});

test('a forged results file and a fake summary on stdout do not pass', async () => {
  const r = await grade(variant('fake-results'));
  expect(r.status).toBe('failed');
  expect(r.score).toBe(0);
});

test('a missing graded file is "not submitted", not a crash', async () => {
  const empty = mkdtempSync(path.join(os.tmpdir(), 'empty-'));
  const r = await grade(empty);
  expect(r.status).toBe('not submitted');
  expect(r.message).toMatch(/not submitted: calc\.ts is missing or empty/);
});

test('the sandbox refuses reads outside its build folder, writes, processes and workers, and has a scrubbed env', async () => {
  const r = await runExercise({
    courseRoot: repoRoot,
    exercise: fixtureExercise('probe'),
    implRoot: path.join(repoRoot, 'test/fixtures/probe/solution'),
    workDir,
  });
  expect(r.tests.filter((t) => t.status !== 'passed').map((t) => `${t.fullName}: ${t.message}`)).toEqual([]);
  expect(r.status).toBe('passed');
});

test('a jest process killed and closed at once (as after a timeout) raises no stray EPIPE, and a later run on it ends at once', async () => {
  const jest = new JestProcess();
  await jest.ready;
  const errors: unknown[] = [];
  const onError = (err: unknown) => errors.push(err);
  process.on('uncaughtException', onError);
  try {
    jest.kill();
    jest.close();
    expect(jest.usable).toBe(false);
    const outcome = await jest.run({ suite: 'none', buildDir: 'none' } as never, 60_000, () => undefined);
    expect(outcome.end).toBe('crash');
    await new Promise((r) => setTimeout(r, 300));
    expect(errors).toEqual([]);
  } finally {
    process.off('uncaughtException', onError);
  }
});
