// The hint under a load error that a learner's own extra module is not built (harness/sandbox/client.ts) follows
// what the host saw, a require() of a relative module that found nothing (its request, sent as data), never the
// words of the error: a module that throws "Cannot find module './helper'" itself gets no hint.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExercise } from '../../grader/run/run-exercise';
import { fixtureExercise, repoRoot } from '../helpers';

const workDir = mkdtempSync(path.join(os.tmpdir(), 'missing-module-hint-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

const grade = (dir: string) =>
  runExercise({ courseRoot: repoRoot, exercise: fixtureExercise('calc', { dir }), implRoot: path.join(repoRoot, dir), workDir, seed: 42, typecheck: false });

test("a relative import of the learner's own module that is not built gets the hint", async () => {
  const r = await grade('test/fixtures/calc/variants/own-module');
  expect(r.status).toBe('load-error');
  expect(r.tests[0]!.message).toMatch(/put your code into the graded file/);
});

test('an error that only says the words gets no hint', async () => {
  const r = await grade('test/fixtures/calc/variants/missing-module-words');
  expect(r.status).toBe('load-error');
  expect(r.tests[0]!.message).toMatch(/Cannot find module '\.\/helper' \(words of my own/);
  expect(r.tests[0]!.message).not.toMatch(/put your code into the graded file/);
});
