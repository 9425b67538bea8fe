// The progress state machine (grader/course/progress.ts), table-driven: each row is a state, a transition and the
// state it must lead to. Pure functions: no process, no file.
import {
  leave,
  moveTo,
  nextNotDone,
  recordCheck,
  reopen,
  resetStub,
  revealHint,
  scoreNote,
  start,
  type CheckOutcome,
  type Progress,
} from '../../grader/course/progress';

const at = '2026-12-07T12:00:00.000Z';
const earlier = '2026-12-01T09:00:00.000Z';
const fresh: Progress = { status: 'not-started', attempts: 0, hintsShown: 0 };
const current: Progress = { status: 'current', attempts: 2, hintsShown: 1, bestScore: 5, maxScore: 10, startedAt: earlier, lastCheckedAt: earlier };
const done: Progress = {
  status: 'done',
  attempts: 3,
  hintsShown: 0,
  bestScore: 10,
  maxScore: 10,
  startedAt: earlier,
  lastCheckedAt: earlier,
  passedAt: earlier,
};
const failing = (score: number): CheckOutcome => ({ status: 'failed', score, maxScore: 10 });
const passing: CheckOutcome = { status: 'passed', score: 10, maxScore: 10 };
const noScore = (status: CheckOutcome['status']): CheckOutcome => ({ status, score: 0, maxScore: 0 });

describe('recordCheck', () => {
  test.each<[string, Progress, CheckOutcome, boolean, Partial<Progress>]>([
    ['an asked check counts as an attempt', current, failing(3), true, { status: 'current', attempts: 3, bestScore: 5, lastCheckedAt: at }],
    ['a check watch ran on a save does not', current, failing(7), false, { status: 'current', attempts: 2, bestScore: 7, lastCheckedAt: at }],
    [
      'a first failing check of a fresh exercise: failed, started',
      fresh,
      failing(0),
      true,
      { status: 'failed', attempts: 1, bestScore: 0, maxScore: 10, startedAt: at },
    ],
    ['a pass: done, passedAt set', current, passing, true, { status: 'done', attempts: 3, bestScore: 10, passedAt: at }],
    ['a pass on a save: done, still no attempt', current, passing, false, { status: 'done', attempts: 2, passedAt: at }],
    ['a later failure of a done exercise keeps it done and its first passedAt', done, failing(2), true, { status: 'done', passedAt: earlier, bestScore: 10 }],
    ['a compile error scores nothing and keeps the best', current, noScore('compile-error'), true, { attempts: 3, bestScore: 5, maxScore: 10 }],
    ['a timeout without a score keeps the best', current, noScore('timeout'), false, { attempts: 2, bestScore: 5, lastCheckedAt: at }],
  ])('%s', (_name, before, result, asked, expected) => {
    const copy = structuredClone(before);
    expect(recordCheck(before, result, { asked, at })).toMatchObject(expected);
    expect(before).toEqual(copy); // a new state; the old one is not changed in place
  });

  test("a failure of the grading machinery (error) is not the learner's: nothing changes", () => {
    expect(recordCheck(current, noScore('error'), { asked: true, at })).toBe(current);
  });
});

describe('moving between exercises', () => {
  test.each<[string, Progress, (p: Progress) => Progress, Partial<Progress> | 'same']>([
    ['start: a fresh exercise becomes current, started now', fresh, (p) => start(p, at), { status: 'current', startedAt: at }],
    [
      'start: a failed one becomes current, keeping when it started',
      { ...current, status: 'failed' },
      (p) => start(p, at),
      { status: 'current', startedAt: earlier },
    ],
    ['start: the current one stays as it is', current, (p) => start(p, at), 'same'],
    ['leave: a current one that was checked becomes failed', current, leave, { status: 'failed' }],
    ['leave: a current one checked only on saves becomes failed too', { ...current, attempts: 0 }, leave, { status: 'failed' }],
    ['leave: a current one never checked goes back to not-started', { ...fresh, status: 'current' }, leave, { status: 'not-started' }],
    ['leave: a done one stays done', done, leave, 'same'],
    ['reopen: a done one that no longer passes is current again', done, reopen, { status: 'current' }],
    ['reset: a done current one is current, no passedAt', done, (p) => resetStub(p, { wasCurrent: true }), { status: 'current', passedAt: undefined }],
    ['reset: a done one elsewhere becomes failed', done, (p) => resetStub(p, { wasCurrent: false }), { status: 'failed', attempts: 3, bestScore: 10 }],
    ['reset: one not done is left alone', current, (p) => resetStub(p, { wasCurrent: true }), 'same'],
  ])('%s', (_name, before, transition, expected) => {
    const after = transition(before);
    if (expected === 'same') expect(after).toBe(before);
    else expect(after).toMatchObject(expected);
  });

  test('moveTo makes the target current and leaves the current one; the rest are the same objects', () => {
    const move = moveTo('b', at);
    const other = { ...done };
    expect(move(current, 'a')).toMatchObject({ status: 'failed' });
    expect(move(fresh, 'b')).toMatchObject({ status: 'current', startedAt: at });
    expect(move(other, 'c')).toBe(other);
  });

  test('nextNotDone looks from an index on and wraps round', () => {
    const list = [{ id: 'a', progress: done }, { id: 'b' }, { id: 'c', progress: done }, { id: 'd', progress: current }];
    expect(nextNotDone(list, 2)?.id).toBe('d');
    expect(nextNotDone(list, 4)?.id).toBe('b');
    expect(nextNotDone([{ id: 'a', progress: done }], 0)).toBeUndefined();
  });
});

describe('revealHint', () => {
  const hints = ['first ', 'second', 'third'];
  test.each<[number, { index: number; text: string; last: boolean; hintsShown: number }]>([
    [0, { index: 0, text: 'first', last: false, hintsShown: 1 }],
    [1, { index: 1, text: 'second', last: false, hintsShown: 2 }],
    [2, { index: 2, text: 'third', last: true, hintsShown: 3 }],
    [3, { index: 2, text: 'third', last: true, hintsShown: 3 }],
  ])('after %i hints shown', (shown, expected) => {
    const before = { ...fresh, hintsShown: shown };
    const r = revealHint(before, hints)!;
    expect({ index: r.index, text: r.text, last: r.last, hintsShown: r.progress.hintsShown }).toEqual(expected);
    // Once every hint was shown, showing the last again changes nothing.
    if (shown >= hints.length) expect(r.progress).toBe(before);
  });

  test('no hints: nothing to reveal', () => expect(revealHint(fresh, [])).toBeUndefined());
});

describe('scoreNote', () => {
  test.each<[string, Progress | undefined, CheckOutcome, ReturnType<typeof scoreNote>]>([
    ['an improvement is a new best, with the best before it', { ...current, bestScore: 0 }, failing(7), { kind: 'new-best', before: '0/10' }],
    ['no improvement: the best so far', current, failing(3), { kind: 'best-so-far', best: '5/10' }],
    ['equal: the best so far', current, failing(5), { kind: 'best-so-far', best: '5/10' }],
    ['no score this time (does not compile): the best so far', current, noScore('compile-error'), { kind: 'best-so-far', best: '5/10' }],
    ['never scored before: nothing to compare', fresh, failing(3), undefined],
  ])('%s', (_name, before, result, expected) => expect(scoreNote(before, result)).toEqual(expected));
});
