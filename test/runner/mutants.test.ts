// Mutant patches: applied to the reference solution; a stale patch is an error, never a silently skipped mutant.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadCourse } from '../../grader/course/course-file';
import { applyMutantPatch, prepareMutants } from '../../grader/run/mutants';
import { repoRoot } from '../helpers';

const solution = new Map([['calc.ts', 'export const a = 1;\nexport const b = 2;\nexport const c = 3;\n']]);

test('a patch changes only what it says', () => {
  const patch =
    'b is off by one\n\n--- a/calc.ts\n+++ b/calc.ts\n@@ -1,3 +1,3 @@\n export const a = 1;\n-export const b = 2;\n+export const b = 3;\n export const c = 3;\n';
  expect(applyMutantPatch(solution, patch).get('calc.ts')).toBe('export const a = 1;\nexport const b = 3;\nexport const c = 3;\n');
});

test('a patch that no longer applies to the solution is reported', () => {
  const stale = '--- a/calc.ts\n+++ b/calc.ts\n@@ -1,3 +1,3 @@\n export const a = 1;\n-export const b = 7;\n+export const b = 8;\n export const c = 3;\n';
  expect(() => applyMutantPatch(solution, stale)).toThrow(/no longer applies to the solution's calc\.ts/);
  const elsewhere = '--- a/other.ts\n+++ b/other.ts\n@@ -1 +1 @@\n-x\n+y\n';
  expect(() => applyMutantPatch(solution, elsewhere)).toThrow(/changes other\.ts, which the solution does not have/);
});

test("every mutant of the course's exercises applies to its solution", () => {
  const course = loadCourse(repoRoot);
  const work = mkdtempSync(path.join(os.tmpdir(), 'mutants-'));
  for (const exercise of course.data.exercises) {
    const mutants = prepareMutants(repoRoot, exercise, work);
    expect(mutants.filter((m) => m.error).map((m) => `${exercise.id}/${m.name}: ${m.error}`)).toEqual([]);
    expect(mutants.length).toBeGreaterThanOrEqual(6);
  }
});
