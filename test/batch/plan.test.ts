// The plan of a batch (grader/batch/plan.ts) without any process: real submission folders and a real checkpoint
// file in a temp folder. Who is graded (shard, --only, roster, deadlines), which runs the checkpoint already holds,
// and why each other run is graded now.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Checkpoint } from '../../grader/batch/checkpoint';
import type { IntakeResult } from '../../grader/batch/intake';
import { parseLatePolicy } from '../../grader/batch/late';
import { BatchInputError, planLearners, planNotices, planRuns } from '../../grader/batch/plan';
import type { ExerciseSpec } from '../../grader/course/schema';
import type { ExerciseResult } from '../../grader/run/result';
import { untrusted } from '../../grader/report/escape';

const calc = { id: 'calc', dir: 'exercises/calc', files: ['calc.ts'], given: [] } as unknown as ExerciseSpec;
const words = { id: 'words', dir: 'exercises/words', files: ['words.ts'], given: [] } as unknown as ExerciseSpec;

function result(exercise: string, suiteHash: string, filesHash: string): ExerciseResult {
  return { exercise, status: 'passed', score: 1, maxScore: 1, tests: [], diagnostics: [], anomalies: [], seed: 1, durationMs: 5, filesHash, suiteHash };
}

describe('plan', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-plan-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const subs = path.join(tmp, 'subs');
  const ids = ['ann', 'bob', 'carol jones', 'dan', 'eve'];
  for (const id of ids) {
    mkdirSync(path.join(subs, id), { recursive: true });
    writeFileSync(path.join(subs, id, 'calc.ts'), `export const who = ${JSON.stringify(id)};\n`);
    writeFileSync(path.join(subs, id, 'words.ts'), 'export const n = 1;\n');
  }

  test('learners: the shard share, keys over the whole folder, unknown --only refused', () => {
    const l = planLearners({ submissionsDir: subs, shard: { index: 2, count: 2 } });
    expect(l.all.map((s) => s.id)).toEqual(ids);
    expect(l.mine.map((s) => s.id)).toEqual(['bob', 'dan']);
    expect(l.keys.size).toBe(5);
    expect(l.keys.get('carol jones')).toMatch(/^carol_jones~[0-9a-f]{12}$/);
    expect(() => planLearners({ submissionsDir: subs, only: ['bob', 'zed'] })).toThrow(BatchInputError);
    expect(() => planLearners({ submissionsDir: subs, only: ['bob', 'zed'] })).toThrow(/"zed"/);
  });

  test('learners: deadlines with roster extensions, checked before anything runs', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const deadline = { at, policy: parseLatePolicy('10%/day'), policyText: '10%/day' };
    const entries = [{ submission: untrusted('ann'), extension: untrusted('2d') }, { submission: untrusted('bob') }];
    const l = planLearners({ submissionsDir: subs, roster: { file: 'roster.csv', entries }, deadline });
    expect(l.deadlineOf.get('ann')!.toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(l.deadlineOf.get('bob')!.toISOString()).toBe(at.toISOString());
    expect(l.roster?.missing ?? []).toEqual([]);
    const bad = [{ submission: untrusted('ann'), extension: untrusted('next tuesday') }];
    expect(() => planLearners({ submissionsDir: subs, roster: { file: 'r.csv', entries: bad }, deadline })).toThrow(/extension of ann/);
  });

  test('runs: resumed from the checkpoint, or graded now with the reason; rejected intakes have no runs', () => {
    const learners = planLearners({ submissionsDir: subs, only: ['dan'] });
    const intakes = new Map<string, IntakeResult>(
      ids.map((id) => [id, { status: 'accepted', roots: { calc: path.join(subs, id), words: path.join(subs, id) }, found: {}, hash: 'h' } as IntakeResult]),
    );
    intakes.set('eve', { status: 'rejected', reason: untrusted('too big') });
    const suites = new Map([
      ['calc', 'suite-calc-2'],
      ['words', 'suite-words-1'],
    ]);
    const checkpoint = new Checkpoint(path.join(tmp, 'checkpoint.jsonl'));
    // A first plan gives every file hash; the checkpoint is then filled as a previous run would have.
    const first = planRuns({ courseRoot: tmp, exercises: [calc, words], learners: learners.mine, intakes, suites, checkpoint, only: new Set() });
    expect(first.jobs.map((j) => `${j.key.learner}/${j.key.exercise}:${j.reason}`)).toEqual(
      ['ann', 'bob', 'carol jones', 'dan'].flatMap((id) => [`${id}/calc:new`, `${id}/words:new`]),
    );
    for (const id of ['ann', 'bob', 'carol jones', 'dan']) {
      // calc was graded with an older suite for everyone; words with today's suite.
      checkpoint.append(id, result('calc', 'suite-calc-1', 'x'), filesHashOf(first, id, 'calc'));
      checkpoint.append(id, result('words', 'suite-words-1', 'x'), filesHashOf(first, id, 'words'));
    }
    // bob's words changed since.
    writeFileSync(path.join(subs, 'bob', 'words.ts'), 'export const n = 2;\n');
    const plan = planRuns({ courseRoot: tmp, exercises: [calc, words], learners: learners.mine, intakes, suites, checkpoint, only: learners.only });
    checkpoint.close();
    expect(plan.jobs.map((j) => `${j.key.learner}/${j.key.exercise}:${j.reason}`)).toEqual([
      'ann/calc:suite changed',
      'bob/calc:suite changed',
      'bob/words:files changed',
      'carol jones/calc:suite changed',
      'dan/calc:suite changed',
      'dan/words:--only',
    ]);
    expect(plan.resumed.size).toBe(2);
    expect(plan.resumed.get({ learner: 'ann', exercise: 'words' })?.run).toEqual({ fresh: false, at: expect.any(String) });
    expect(plan.resumed.get({ learner: 'carol jones', exercise: 'words' })).toBeDefined();
    expect(plan.reasons).toEqual({ 'suite changed': 4, 'files changed': 1, '--only': 1 });
    expect(plan.suiteChanges).toEqual([{ exercise: 'calc', from: ['suite-calc-1'], to: 'suite-calc-2', runs: 4 }]);
    expect(planNotices(plan, learners.only)).toEqual([
      'the suite of calc changed since the checkpoint (was suite-calc-1, now suite-calc-2): calc is graded again for all 4 learner(s) the checkpoint had',
      '--only: dan graded again whatever the checkpoint holds',
    ]);
  });
});

/** The files hash the plan computed for a run. */
function filesHashOf(plan: ReturnType<typeof planRuns>, learner: string, exercise: string): string {
  const job = plan.jobs.find((j) => j.key.learner === learner && j.key.exercise === exercise)!;
  return job.filesHash;
}
