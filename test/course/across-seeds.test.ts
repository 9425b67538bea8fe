// across-seeds.ts without processes: with more seeds, each seed's reference, stub and mutants are judged on their
// own, and every problem names its seed (so `course verify --seed S --seeds N` replays it).

import { acrossSeedsFindings, moreSeeds, type SeedRuns } from '../../grader/course/across-seeds';
import type { TestResult } from '../../grader/run/result';
import { exerciseResult as run, testResult } from './result-builders';

const result = (status: TestResult['status'], ids: string[] = ['R1.1'], name = 't1'): TestResult =>
  testResult(name, ids, status, status === 'failed' ? 'expected 5\nreceived 4' : undefined);
const seedRuns = (seed: number, over: Partial<SeedRuns> = {}): SeedRuns => ({
  seed,
  solution: run([result('passed')]),
  stub: run([result('failed')]),
  mutants: [{ name: 'm1', declared: ['R1.1'], runs: [run([result('failed')])] }],
  ...over,
});

test('moreSeeds: distinct, in range, never the first, the same for the same first seed', () => {
  const seeds = moreSeeds(7, 50);
  expect(new Set(seeds).size).toBe(50);
  expect(seeds).not.toContain(7);
  expect(seeds.every((s) => Number.isInteger(s) && s >= 1 && s <= 2 ** 31 - 1)).toBe(true);
  expect(moreSeeds(7, 3)).toEqual(seeds.slice(0, 3));
  expect(moreSeeds(8, 3)).not.toEqual(moreSeeds(7, 3));
  expect(moreSeeds(7, 0)).toEqual([]);
});

test('every seed holding gives one passing row that lists the seeds', () => {
  expect(acrossSeedsFindings([seedRuns(11), seedRuns(12)])).toEqual([
    { check: 'seeds', ok: true, detail: expect.stringMatching(/^2 more seed\(s\) \(11, 12\): .* 1 mutant\(s\) were caught/) },
  ]);
});

test('a reference failing, a stub passing and a mutant surviving with one seed are each a failing row naming it', () => {
  const rows = acrossSeedsFindings([
    seedRuns(11),
    seedRuns(12, {
      solution: run([result('failed', ['R1.1'], 'adds')]),
      stub: run([result('passed', ['R1.1'], 'vacuous')]),
      mutants: [{ name: 'm1', declared: ['R1.1'], runs: [run([result('failed', ['R1.2'])])] }],
    }),
  ]);
  expect(rows.map((r) => [r.ok, r.detail])).toEqual([
    [false, 'seed 12: the solution failed 0/1: "adds": expected 5'],
    [false, 'seed 12: the stub passes "vacuous"'],
    [false, 'seed 12: mutant m1 NOT caught by a test of R1.1'],
  ]);
});

test("a mutant that could not run or declares nothing is left to its own row (the first seed's)", () => {
  const rows = acrossSeedsFindings([
    seedRuns(11, {
      mutants: [
        { name: 'stale', declared: ['R1.1'], error: 'patch does not apply', runs: [] },
        { name: 'undeclared', runs: [run([])] },
      ],
    }),
  ]);
  expect(rows).toEqual([expect.objectContaining({ ok: true, detail: expect.stringMatching(/0 mutant\(s\)/) })]);
});
