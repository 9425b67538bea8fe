// `course merge` matches isolation layers by their stable id (grader/batch/isolation.ts), so a layer reworded
// between shards' versions is still one layer; gradebooks written before layers had ids are matched by name.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mergeGradebooks, sameLayer } from '../../grader/batch/merge';
import type { BatchMeta } from '../../grader/batch/model';

type Layer = BatchMeta['isolation'][number];

function shard(root: string, name: string, learner: string, isolation: Layer[]): string {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'results'), { recursive: true });
  const meta = {
    tool: 'course grade',
    version: 1,
    course: 'C',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    allLearners: ['ann', 'bob'],
    learners: [learner],
    exercises: [{ id: 'calc', title: 'Calc', suiteHash: 's', maxScore: 3 }],
    isolation,
    jobs: 1,
    runs: { graded: 1, resumed: 0 },
  };
  writeFileSync(path.join(dir, 'gradebook.json'), JSON.stringify(meta));
  const exercise = { exercise: 'calc', status: 'passed', score: 3, maxScore: 3, tests: [], anomalies: [], diagnostics: [], durationMs: 1, suiteHash: 's' };
  writeFileSync(
    path.join(dir, 'results', `${learner}.json`),
    JSON.stringify({ learner, kind: 'folder', status: 'graded', score: 3, maxScore: 3, exercises: [exercise] }),
  );
  return dir;
}

describe('merge: isolation layers', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'course-merge-layers-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  test('by id when both have one, else by name', () => {
    expect(sameLayer({ id: 'uid', name: 'unprivileged uid (100000+worker)' }, { id: 'uid', name: 'unprivileged uid (200000+worker)' })).toBe(true);
    expect(sameLayer({ id: 'uid', name: 'x' }, { id: 'prlimit', name: 'x' })).toBe(false);
    expect(sameLayer({ name: 'prlimit (CPU)' }, { id: 'prlimit', name: 'prlimit (CPU)' })).toBe(true);
    expect(sameLayer({ name: 'prlimit (CPU)' }, { name: 'prlimit' })).toBe(false);
  });

  test('a layer whose name differs between shards (its uid block) is on when on in every shard', () => {
    const a = shard(tmp, 'a', 'ann', [
      { id: 'uid', name: 'unprivileged uid (100000+worker) with no-new-privs', on: true },
      { id: 'prlimit', name: 'prlimit', on: true },
    ]);
    const b = shard(tmp, 'b', 'bob', [
      { id: 'uid', name: 'unprivileged uid (100064+worker) with no-new-privs', on: true },
      { id: 'prlimit', name: 'prlimit', on: false, why: 'prlimit not found' },
    ]);
    const merged = mergeGradebooks([a, b]).meta.isolation;
    expect(merged.map((l) => [l.id, l.on])).toEqual([
      ['uid', true],
      ['prlimit', false],
    ]);
  });

  test('older gradebooks without ids still merge, by name', () => {
    const a = shard(tmp, 'old-a', 'ann', [{ name: 'prlimit', on: true }]);
    const b = shard(tmp, 'old-b', 'bob', [{ name: 'prlimit', on: true }]);
    expect(mergeGradebooks([a, b]).meta.isolation).toEqual([{ name: 'prlimit', on: true }]);
  });
});
