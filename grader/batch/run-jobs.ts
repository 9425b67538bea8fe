// The runs of a batch on the pool (grader/run/pool.ts): each lane owns one long-lived trusted jest process (in its
// own network and PID namespaces when isolation is on) and its index picks the lane's uid and cgroup. One run is
// the same runner as `course check` (runGraded), then the survivor sweep and the OOM check; a machinery failure
// gets one more try on a fresh jest process. The canary runs every reference solution on the same lanes first.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ExerciseSpec } from '../course/schema';
import { toMs } from '../course/schema';
import { untrusted } from '../report/escape';
import { runGraded } from '../run/hidden';
import { JestProcess } from '../run/jest-process';
import type { ExerciseResult } from '../run/result';
import { Pool, type Lane } from '../run/pool';
import { killSurvivorsOfUid } from './isolation';
import type { Machinery } from './machinery';
import type { BatchOptions } from './options';
import type { Job } from './plan';

/** The reference solutions do not pass under this run's settings: nothing was graded. */
export class CanaryError extends Error {}

function seedFor(learner: string, exercise: string): number {
  const n = createHash('sha256').update(`${learner}\0${exercise}`).digest().readUInt32BE(0);
  return (n % (2 ** 31 - 2)) + 1;
}

/** The pool of a batch: lane i's jest process runs in lane i's namespaces. */
export function batchPool(m: Machinery, lanes: number): Pool<JestProcess> {
  return new Pool(lanes, {
    open: (index) => new JestProcess({ wrapper: m.isolation.jestWrapper(index) }),
    usable: (jest) => jest.usable,
    close: (jest) => jest.kill(),
  });
}

type RunSettings = Pick<BatchOptions, 'courseRoot' | 'timeoutMs' | 'seed' | 'typecheck'> & {
  /** The exercises' starter stubs as committed (exercise → file → text): an unchanged stub is `not started`. */
  starters?: Record<string, Record<string, string>>;
};

/** One run on a lane; `job.submission.id` seeds it. */
export async function runJob(
  m: Machinery,
  options: RunSettings,
  job: Pick<Job, 'submission' | 'exercise' | 'implRoot'>,
  lane: Lane<JestProcess>,
  attempt = 0,
): Promise<ExerciseResult> {
  const worker = lane.index;
  const cg = m.cgroups;
  const timeoutMs = options.timeoutMs ?? toMs(job.exercise.timeout);
  const oomBefore = cg?.oomKills(worker) ?? 0;
  const result = await runGraded({
    hidden: true,
    freshJest: () => lane.renew(),
    courseRoot: options.courseRoot,
    exercise: job.exercise,
    implRoot: job.implRoot,
    seed: options.seed ?? seedFor(job.submission.id, job.exercise.id),
    timeoutMs,
    jest: lane.get(),
    workDir: path.join(m.workDir, `worker-${worker}`),
    typecheck: options.typecheck ?? false,
    heapMb: m.heapMb,
    packagesRoot: m.packagesRoot,
    starter: options.starters?.[job.exercise.id],
    sandboxWrapper: {
      argv: [
        ...(cg?.wrapper(worker) ?? []),
        ...m.isolation.sandboxWrapper(worker, {
          cpuSeconds: timeoutMs / 1000 + 5,
          dataBytes: m.memoryMb * 1024 * 1024,
          fileSize: 16 * 1024 * 1024,
          openFiles: 256,
          processes: 128,
        }),
      ],
      parentDeathSignal: m.isolation.sandboxParentDeathSignal,
    },
  });
  // Nothing of the code under test may outlive its suite (it would steal CPU from, or use up the process limit
  // of, the next learner graded as this uid).
  const uid = m.isolation.uidOf(worker);
  const survivors = uid === undefined ? undefined : await killSurvivorsOfUid(uid);
  if (survivors) result.anomalies.push(survivors);
  if (cg && cg.oomKills(worker) > oomBefore) {
    result.anomalies.push(`the code under test was killed by the kernel for using more than ${m.memoryMb + 256} MB of memory`);
    if (result.status === 'passed') result.status = 'failed';
  }
  // The trusted process died under this run (not a timeout): try once more on a fresh one before recording it.
  // (Any machinery failure gets the same second chance: a transient one should not need a whole re-run.)
  if (attempt === 0 && result.status === 'error') {
    lane.discard();
    return runJob(m, options, job, lane, 1);
  }
  return result;
}

/** The exercises the canary checks: those with runs to grade and a reference solution on disk. */
export function canaryExercises(options: Pick<BatchOptions, 'canary' | 'exercises' | 'courseRoot'>, jobs: Job[]): ExerciseSpec[] {
  if (options.canary === false) return [];
  return options.exercises.filter(
    (e) => jobs.some((j) => j.exercise.id === e.id) && e.files.every((f) => existsSync(path.join(options.courseRoot, e.solution, f))),
  );
}

/**
 * The canary: before grading anyone, each exercise's reference solution runs through the very same layers, work
 * folder and packages. If one does not get full marks here, every learner would be marked down for the
 * machinery's fault (a denied read, a missing package): stop and say so instead. Returns each one's max score.
 */
export async function runCanary(m: Machinery, options: RunSettings, pool: Pool<JestProcess>, exercises: ExerciseSpec[]): Promise<Map<string, number>> {
  const canaryMax = new Map<string, number>();
  const failures: string[] = [];
  const reference = untrusted('(reference solution)');
  const settled = await pool.run(exercises, async (exercise, lane) => {
    const result = await runJob(
      m,
      options,
      { submission: { id: reference, source: options.courseRoot, kind: 'folder' }, exercise, implRoot: path.join(options.courseRoot, exercise.solution) },
      lane,
    );
    canaryMax.set(exercise.id, result.maxScore);
    if (result.status !== 'passed' || result.maxScore === 0) {
      const firstBad = result.tests.find((t) => t.status !== 'passed');
      failures.push(
        `  ${exercise.id}: ${result.status} ${result.score}/${result.maxScore}${result.message ? ` — ${result.message.split('\n')[0]}` : ''}${firstBad ? `\n    first failing test: ${firstBad.fullName}: ${(firstBad.message ?? firstBad.status).split('\n')[0]}` : ''}`,
      );
    }
  });
  // An internal failure of the canary itself is the run's failure, as before the pool caught errors per job.
  for (const s of settled) if (s.status === 'failed') throw s.error;
  if (failures.length) {
    throw new CanaryError(
      `the reference solution does not get full marks under this run's settings, so no submission was graded:\n${failures.join('\n')}\n` +
        'This is a problem of the grading setup (isolation layers, the output folder, installed packages), not of the learners. ' +
        'Fix it and run the same command again (`--no-canary` skips this check).',
    );
  }
  return canaryMax;
}
