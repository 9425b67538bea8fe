// The score line under a check's results (report/terminal.ts's renderResult): after an improvement it says "new
// best" and what the best was before, not "your best so far" with the old, lower score.
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { ProgressData } from '../../grader/course/schema';
import { renderResult } from '../../grader/report/terminal';
import type { ExerciseResult } from '../../grader/run/result';
import { fixtureExercise } from '../helpers';

const identity = (text: string) => text;
const c = new Proxy(identity, { get: () => c }) as unknown as ChalkInstance;

function checked(status: ExerciseResult['status'], score: number, maxScore: number): ExerciseResult {
  return { exercise: 'calc', status, score, maxScore, tests: [], diagnostics: [], anomalies: [], seed: 1, durationMs: 5, filesHash: '', suiteHash: '' };
}
const before = (bestScore: number): ProgressData => ({ status: 'current', attempts: 1, hintsShown: 0, bestScore, maxScore: 45 });
const scoreLine = (result: ExerciseResult, previous?: ProgressData) =>
  renderResult(c, result, fixtureExercise(), 1, { previous })
    .split('\n')
    .find((l) => /Score|Does not compile/.test(l));

test.each<[string, ExerciseResult, ProgressData | undefined, string]>([
  ['an improvement: new best, and the best before it', checked('failed', 15, 45), before(0), 'Score: 15/45  (new best; before: 0/45)'],
  ['no improvement: the best so far', checked('failed', 10, 45), before(20), 'Score: 10/45  (your best so far: 20/45)'],
  ['the first score: nothing to compare', checked('failed', 15, 45), undefined, 'Score: 15/45'],
  ['a pass says passed', checked('passed', 45, 45), before(0), 'Score: 45/45  ✔ passed'],
  [
    'no compile: the best so far stays in view',
    checked('compile-error', 0, 0),
    before(20),
    'Does not compile — no test ran, nothing was scored.  (your best so far: 20/45)',
  ],
])('%s', (_name, result, previous, line) => expect(scoreLine(result, previous)).toBe(line));
