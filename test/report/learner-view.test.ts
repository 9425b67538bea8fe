// What a learner is shown of an exercise whose instructor-only suite did not complete (grader/report/learner-view.ts),
// decided on where the message came from (ExerciseResult.messageFrom, set by joinHidden), never on its words: a
// message of the instructor-only suite is replaced by a sentence without its words, a message of the suite the
// learner has is kept whatever it says, and a result of an earlier version (no field) is read by its old wording.

import { fromResult } from '../../grader/batch/model';
import { learnerOutcome, learnerReason } from '../../grader/report/learner-view';
import { joinHidden } from '../../grader/run/hidden';
import { withMessageFrom } from '../../grader/run/instructor-only-message';
import type { ExerciseResult, ExerciseStatus } from '../../grader/run/result';

function result(status: ExerciseStatus, message?: string): ExerciseResult {
  return {
    exercise: 'e',
    status,
    score: status === 'passed' ? 2 : 0,
    maxScore: 2,
    tests: [],
    diagnostics: [],
    anomalies: [],
    seed: 1,
    durationMs: 1,
    filesHash: 'f',
    suiteHash: 's',
    message,
  };
}

test("the instructor-only suite's message is replaced for the learner: it came from there (messageFrom)", () => {
  const timedOut = joinHidden(result('passed'), result('timeout', 'the secret replay test hung at frame 12'), 'h');
  expect(timedOut).toMatchObject({ status: 'timeout', messageFrom: 'instructor-only' });
  expect(timedOut.message).toMatch(/secret replay/); // the instructor sees it whole
  const shown = learnerOutcome(fromResult(timedOut));
  expect(shown.message).toBe('instructor-only tests: timeout');

  const broken = joinHidden(result('failed'), result('error', 'the grading machinery failed: jest died'), 'h');
  const outcome = fromResult(broken);
  expect(learnerOutcome(outcome).message).not.toMatch(/jest died/);
  expect(learnerReason(outcome.message, [outcome])).not.toMatch(/jest died/);
});

test("a message of the learner's own suite is kept, even when its words look like the instructor-only suite's", () => {
  const ownWords = 'instructor-only tests: my own load error text';
  const joined = joinHidden(result('load-error', ownWords), result('passed'), 'h');
  expect(joined.messageFrom).toBe('suite');
  expect(learnerOutcome(fromResult(joined)).message).toBe(ownWords);
  const reason = 'a machinery failure of the visible suite (in the instructor-only suite)';
  const visibleError = fromResult(joinHidden(result('error', reason), result('passed'), 'h'));
  expect(learnerReason(visibleError.message, [visibleError])).toBe(reason);
});

test('a result of an earlier version, without messageFrom, is read by its old wording where it is read back', () => {
  const legacy = { ...result('timeout', 'instructor-only tests: the secret test hung'), hidden: { status: 'timeout' as const, score: 0, maxScore: 1 } };
  expect(withMessageFrom(legacy).messageFrom).toBe('instructor-only');
  expect(learnerOutcome(fromResult(legacy)).message).toBe('instructor-only tests: timeout');
  expect(withMessageFrom({ ...legacy, message: 'the learner code hung' }).messageFrom).toBe('suite');
  expect(withMessageFrom({ ...legacy, hidden: undefined }).messageFrom).toBeUndefined();
});
