// Watch's warm session on the tiny fixture exercise: a run prepared before the save (jest set up, the suite loaded,
// waiting for its build: grader/run/build-gate.ts) must grade the code saved after it, exactly as a run started
// after the save would; a process prepared for another job is never used for this one. Real build, real trusted
// jest process, real sandbox host.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JestProcess } from '../../grader/run/jest-process';
import { prepareRun, runExercise } from '../../grader/run/run-exercise';
import { fixtureExercise, repoRoot } from '../helpers';

const fixture = path.join(repoRoot, 'test', 'fixtures', 'calc');
const workDir = mkdtempSync(path.join(os.tmpdir(), 'prepared-run-test-'));
const exercise = fixtureExercise('calc');
const save = (implRoot: string, from: string) => cpSync(from, implRoot, { recursive: true });
/** Time for the prepared run to reach its gate (the test holds without it; with it the run really waits there). */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

test('a run prepared before a save grades the saved code, with the seed it was prepared with; again and again on one process', async () => {
  const implRoot = mkdtempSync(path.join(workDir, 'impl-'));
  save(implRoot, path.join(fixture, 'stub'));
  const jest = new JestProcess();
  try {
    const results = [];
    for (const version of ['solution', path.join('variants', 'wrong-total'), 'stub']) {
      prepareRun({ courseRoot: repoRoot, exercise, workDir, jest });
      const seed = jest.preparedSeed;
      expect(seed).toEqual(expect.any(Number));
      await settle();
      // The save comes after the suite was loaded: the run must test this code, not the code the folder held then.
      save(implRoot, path.join(fixture, version));
      const r = await runExercise({ courseRoot: repoRoot, exercise, implRoot, workDir, jest });
      expect(r.seed).toBe(seed);
      expect(jest.usable).toBe(true);
      results.push(r.tests.map((t) => t.status));
    }
    expect(results).toEqual([
      ['passed', 'passed', 'passed'],
      ['passed', 'failed', 'passed'],
      ['failed', 'failed', 'failed'],
    ]);
  } finally {
    jest.kill();
  }
}, 120_000);

test('a process prepared for another job (another seed) is not used: the run gets a fresh one, graded the same', async () => {
  const implRoot = mkdtempSync(path.join(workDir, 'impl-'));
  save(implRoot, path.join(fixture, 'variants', 'wrong-total'));
  const jest = new JestProcess();
  try {
    prepareRun({ courseRoot: repoRoot, exercise, workDir, jest });
    const seed = (jest.preparedSeed ?? 0) + 1;
    await settle();
    const r = await runExercise({ courseRoot: repoRoot, exercise, implRoot, workDir, jest, seed });
    expect(r.seed).toBe(seed);
    expect(r.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'passed']);
    // The prepared process was ended (it held a run of the other job); the caller starts a new one.
    expect(jest.usable).toBe(false);
  } finally {
    jest.kill();
  }
}, 120_000);
