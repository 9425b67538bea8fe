// coverage.ts without processes: a declared `gap` excuses exactly the hole it names, is counted in the table, and
// becomes an error once the test and the mutant exist (so a gap cannot outlive the work that closes it).

import { coverage, type MutantRuns } from '../../grader/course/coverage';
import type { Requirement } from '../../grader/course/requirements';
import type { TestResult } from '../../grader/run/result';
import { exerciseResult as run, testResult as test } from './result-builders';

const req = (id: string, extra: Partial<Requirement> = {}): Requirement => ({
  id,
  section: 'S',
  text: `sentence ${id}`,
  where: 'requirements.yaml:1',
  ...extra,
});
const mutant = (name: string, declared: string[], failing: TestResult[]): MutantRuns => ({ name, declared, runs: [run(failing)] });

describe('coverage: declared gaps', () => {
  const tests = [test('t1', ['R1.1']), test('t2', ['R1.2'])];

  it('a requirement with a test but no mutant fails verify, unless it declares the gap', () => {
    const plain = coverage('x', [req('R1.1'), req('R1.2')], tests, [mutant('m1', ['R1.1'], [test('t1', ['R1.1'], 'failed')])]);
    expect(plain.findings.filter((f) => !f.ok).map((f) => f.detail)).toEqual([expect.stringMatching(/^R1\.2: no mutant/)]);

    const withGap = coverage('x', [req('R1.1'), req('R1.2', { gap: 'no mutant yet: needs a scripted peer' })], tests, [
      mutant('m1', ['R1.1'], [test('t1', ['R1.1'], 'failed')]),
    ]);
    expect(withGap.findings.every((f) => f.ok)).toBe(true);
    expect(withGap.table.gaps).toEqual([{ id: 'R1.2', reason: 'no mutant yet: needs a scripted peer' }]);
    expect(withGap.table.withMutant).toBe(1);
  });

  it('a gap excuses a missing test too, and is counted', () => {
    const r = coverage('x', [req('R1.1'), req('R1.3', { gap: 'no test yet' })], tests, [mutant('m1', ['R1.1'], [test('t1', ['R1.1'], 'failed')])]);
    expect(r.findings.every((f) => f.ok)).toBe(true);
    expect(r.table.tested).toBe(1);
    expect(r.table.gaps.map((g) => g.id)).toEqual(['R1.3']);
  });

  it('a gap that is no longer true is an error naming the mutant that closed it', () => {
    const r = coverage('x', [req('R1.1'), req('R1.2', { gap: 'no mutant yet' })], tests, [
      mutant('m1', ['R1.1'], [test('t1', ['R1.1'], 'failed')]),
      mutant('m2', ['R1.2'], [test('t2', ['R1.2'], 'failed')]),
    ]);
    const bad = r.findings.filter((f) => !f.ok);
    expect(bad).toHaveLength(1);
    expect(bad[0]!.detail).toMatch(/R1\.2 is tested and broken by m2: its `gap` .* remove it/);
  });
});
