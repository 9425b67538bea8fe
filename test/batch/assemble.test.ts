// The assembly of a gradebook (grader/batch/assemble.ts) from plain data, no process and no file: max scores
// from the runs, the canary and a reference run; rejected and errored learners; lateness; run keys that hold the
// characters a joined key would have confused; the meta's counts.

import { assembleGradebook, exerciseMetas, learnerContext, learnerResult, maxScores } from '../../grader/batch/assemble';
import type { IntakeResult, Submission } from '../../grader/batch/intake';
import type { IsolationLayer } from '../../grader/batch/isolation';
import { parseLatePolicy } from '../../grader/batch/late';
import type { ExerciseOutcome } from '../../grader/batch/model';
import type { Learners, RunPlan } from '../../grader/batch/plan';
import { RunTable } from '../../grader/batch/run-key';
import type { ExerciseSpec } from '../../grader/course/schema';
import { untrusted } from '../../grader/report/escape';

const calc = { id: 'calc', title: 'Calc', files: ['calc.ts'] } as unknown as ExerciseSpec;
const words = { id: 'words', title: 'Words', files: ['words.ts'] } as unknown as ExerciseSpec;
const suites = new Map([
  ['calc', 's-calc'],
  ['words', 's-words'],
]);

function outcome(exercise: string, score: number, maxScore: number, extra: Partial<ExerciseOutcome> = {}): ExerciseOutcome {
  return {
    exercise,
    status: score === maxScore ? 'passed' : 'failed',
    score,
    maxScore,
    tests: [],
    anomalies: [],
    diagnostics: [],
    durationMs: 1,
    suiteHash: suites.get(exercise)!,
    ...extra,
  };
}

const sub = (id: string): Submission => ({ id: untrusted(id), source: `/subs/${id}`, kind: 'folder' });
const accepted = (mtime?: number): IntakeResult => ({
  status: 'accepted',
  roots: {},
  found: {},
  hash: 'h',
  ...(mtime !== undefined ? { newestMtimeMs: mtime } : {}),
});

describe('assemble', () => {
  test('run keys are exact pairs: ids holding separators never meet', () => {
    const t = new RunTable<number>();
    t.set({ learner: 'a\0b', exercise: 'c' }, 1);
    t.set({ learner: 'a', exercise: 'b\0c' }, 2);
    t.set({ learner: 'a","b', exercise: 'c' }, 3);
    t.set({ learner: 'x words', exercise: 'calc' }, 4);
    expect(t.size).toBe(4);
    expect(t.get({ learner: 'a\0b', exercise: 'c' })).toBe(1);
    expect(t.get({ learner: 'a', exercise: 'b\0c' })).toBe(2);
    // ofExercise compares the exercise part itself (a suffix match would take 'x words' for 'words').
    expect(t.ofExercise('c')).toEqual([1, 3]);
    expect(t.ofExercise('words')).toEqual([]);
  });

  test('max scores from the runs and the canary; a reference run sizes an exercise nobody ran', () => {
    const outcomes = new RunTable<ExerciseOutcome>();
    outcomes.set({ learner: 'ann', exercise: 'calc' }, outcome('calc', 1, 3, { hidden: { status: 'failed', score: 0, maxScore: 2 } }));
    outcomes.set({ learner: 'bob', exercise: 'calc' }, outcome('calc', 0, 0, { status: 'compile-error' }));
    const maxOf = maxScores([calc, words], outcomes, new Map([['calc', 2]]));
    expect([...maxOf]).toEqual([
      ['calc', 3],
      ['words', 0],
    ]);
    const metas = exerciseMetas([calc, words], suites, outcomes, maxOf, new Map([['words', { maxScore: 4, hiddenMaxScore: 1 }]]));
    expect(metas.map((m) => [m.id, m.maxScore, m.hiddenMaxScore, m.maxPoints, m.suiteHash])).toEqual([
      ['calc', 3, 2, 10, 's-calc'], // no points: in course.yaml: 10 points (issue 22.7)
      ['words', 4, 1, 10, 's-words'],
    ]);
  });

  test('learners: rejected (every exercise rejected), graded, error; lateness from the deadline and policy', () => {
    const outcomes = new RunTable<ExerciseOutcome>();
    outcomes.set({ learner: 'ann', exercise: 'calc' }, outcome('calc', 3, 3));
    outcomes.set({ learner: 'ann', exercise: 'words' }, outcome('words', 2, 4));
    outcomes.set({ learner: 'bob', exercise: 'calc' }, outcome('calc', 0, 0, { status: 'error', message: untrusted('machinery: boom') }));
    outcomes.set({ learner: 'bob', exercise: 'words' }, outcome('words', 4, 4));
    const metas = exerciseMetas([calc, words], suites, outcomes, maxScores([calc, words], outcomes, new Map()), new Map());
    const ann = learnerResult(sub('ann'), accepted(), {}, outcomes, metas);
    expect([ann.status, ann.score, ann.maxScore, ann.exercises.map((e) => e.score)]).toEqual(['graded', 5, 7, [3, 2]]);
    const bob = learnerResult(sub('bob'), accepted(), {}, outcomes, metas);
    expect([bob.status, bob.reason]).toEqual(['error', 'machinery: boom']);
    const eve = learnerResult(sub('eve'), { status: 'rejected', reason: untrusted('too big') }, {}, outcomes, metas);
    expect(eve.status).toBe('rejected');
    expect(eve.exercises.map((e) => [e.exercise, e.status, e.message, e.suiteHash])).toEqual([
      ['calc', 'rejected', 'submission rejected: too big', 's-calc'],
      ['words', 'rejected', 'submission rejected: too big', 's-words'],
    ]);

    const due = new Date('2026-03-01T12:00:00Z');
    const learners: Learners = { all: [sub('ann')], mine: [sub('ann')], keys: new Map(), only: new Set(), deadlineOf: new Map([['ann', due]]) };
    const deadline = { at: due, policy: parseLatePolicy('10%/day'), policyText: '10%/day' };
    const late = learnerContext(sub('ann'), accepted(due.getTime() + 30 * 3_600_000), learners, deadline);
    expect(late.submitted).toMatchObject({ source: 'file times', deadline: due.toISOString(), penalty: 0.2 });
    const unknown = learnerContext(sub('ann'), accepted(), learners, deadline);
    expect(unknown.submitted).toEqual({ deadline: due.toISOString(), lateMs: 0, penalty: 0, label: 'submission time unknown: no deduction' });
    expect(learnerContext(sub('ann'), accepted(), learners, undefined)).toEqual({});
  });

  test('the gradebook: learners in order, the meta counts runs and carries the layers with their ids', () => {
    const outcomes = new RunTable<ExerciseOutcome>();
    for (const id of ['ann', 'bob']) for (const e of ['calc', 'words']) outcomes.set({ learner: id, exercise: e }, outcome(e, 1, 1));
    const plan: RunPlan = { jobs: [], resumed: outcomes, reasons: { new: 3 }, suiteChanges: [] };
    const isolation: IsolationLayer[] = [{ id: 'net-ns', name: 'network namespace', on: false, why: 'not Linux' }];
    const learners: Learners = {
      all: [sub('ann'), sub('bob'), sub('cy')],
      mine: [sub('ann'), sub('bob')],
      keys: new Map(),
      only: new Set(['bob']),
      deadlineOf: new Map(),
    };
    const book = assembleGradebook({
      options: { courseTitle: 'T', exercises: [calc, words], shard: { index: 1, count: 2 } },
      learners,
      intakes: new Map([
        ['ann', accepted()],
        ['bob', accepted()],
      ]),
      plan,
      outcomes,
      metas: exerciseMetas([calc, words], suites, outcomes, maxScores([calc, words], outcomes, new Map()), new Map()),
      isolation,
      lanes: 2,
      startedAt: 'a',
      finishedAt: 'b',
      code: { exercises: [], learners: [] } as never,
    });
    expect(book.learners.map((l) => [l.learner, l.score])).toEqual([
      ['ann', 2],
      ['bob', 2],
    ]);
    expect(book.meta).toMatchObject({
      allLearners: ['ann', 'bob', 'cy'],
      learners: ['ann', 'bob'],
      jobs: 2,
      runs: { graded: 0, resumed: 4, reasons: { new: 3 } },
      only: ['bob'],
      shard: { index: 1, count: 2 },
    });
    expect(book.meta.isolation[0]!.id).toBe('net-ns');
  });
});
