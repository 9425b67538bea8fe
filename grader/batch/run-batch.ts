// Batch grading (DESIGN §4, §5): intake every submission, then run every submission × exercise through the same
// runner as `course check` (runExercise) in a pool of workers. Each worker owns one long-lived trusted jest
// process (in its own network and PID namespaces when isolation is on) and reuses it across runs; a worker whose
// jest process was killed (a timeout) or died gets a fresh one. Every finished run goes to the checkpoint at once,
// and runs already in the checkpoint with the same suite and the same files are not run again.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { collectCode } from '../similarity/collect';
import os from 'node:os';
import path from 'node:path';
import type { ExerciseSpec } from '../course/schema';
import { toMs } from '../course/schema';
import { collectSources, copyPackages, hashFiles } from '../run/build';
import { JestProcess } from '../run/jest-process';
import type { ExerciseResult } from '../run/result';
import { MACHINERY, runExercise, suiteHash } from '../run/run-exercise';
import { gradingSuiteHash, runGraded } from '../run/hidden';
import { Checkpoint } from './checkpoint';
import { DEFAULT_LIMITS, discoverSubmissions, intakeSubmission, type IntakeLimits, type IntakeResult, type Submission } from './intake';
import { setUpCgroups } from './cgroups';
import { detectIsolation, killSurvivorsOfUid, type Isolation } from './isolation';
import { reserveUidBlock, type UidBlock } from './uid-block';
import { lockOwner, tryLock, unlock } from '../lock';
import { finalize, fromResult, learnerStatus, type BatchMeta, type ExerciseOutcome, type Gradebook, type LearnerResult, type RunReason, type SubmissionTime, type SuiteChange } from './model';
import { describePolicy, lateness, personalDeadline, type LatePolicy } from './late';
import { resolvePoints } from './points';
import { matchRoster, type RosterEntry } from './roster';
import { learnerKeys, LearnerKeyCollision, tupleKey } from './learner-key';
import { readTimesFile, submittedAt } from './submitted-at';
import { untrusted } from '../report/escape';

export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) return undefined;
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index < 1 || index > count) return undefined;
  return { index, count };
}

/** The share of shard i/n: every n-th id of the sorted list, starting at the i-th. Deterministic and balanced. */
export function shardOf<T extends { id: string }>(sorted: T[], shard: Shard | undefined): T[] {
  if (!shard) return sorted;
  return sorted.filter((_, position) => position % shard.count === shard.index - 1);
}

export type BatchEvent =
  | { type: 'start'; total: number; resumed: number; learners: number; rejected: number }
  | { type: 'run'; learner: string; outcome: ExerciseOutcome; resumed: boolean };

export interface BatchOptions {
  courseRoot: string;
  courseTitle: string;
  exercises: ExerciseSpec[];
  submissionsDir: string;
  outDir: string;
  jobs: number;
  shard?: Shard;
  /** Overrides every exercise's time limit. */
  timeoutMs?: number;
  /** V8 heap of a student child, MB. */
  heapMb?: number;
  /** Address-space cap of a student child, MB (caps Buffers too). */
  memoryMb?: number;
  /** Allow isolation layers (default true). */
  isolation?: boolean;
  /** Run each exercise's reference solution first and stop if it does not pass (default true). */
  canary?: boolean;
  typecheck?: boolean;
  limits?: IntakeLimits;
  seed?: number;
  /** Submission ids graded again whatever the checkpoint holds (--only). */
  only?: string[];
  /** The class roster (--roster). */
  roster?: { file: string; entries: RosterEntry[] };
  /** The deadline and late policy (--deadline, --late); `timesFile` is the metadata file of submission times. */
  deadline?: { at: Date; policy: LatePolicy; policyText: string; timesFile?: string };
  onEvent?: (event: BatchEvent) => void;
  /** Said once: which isolation layers are off, where the work folder is, ... */
  onNotice?: (text: string) => void;
}

interface Job {
  submission: Submission;
  exercise: ExerciseSpec;
  implRoot: string;
  reason: RunReason;
}

function short(hash: string): string {
  return hash.slice(0, 12);
}

function seedFor(learner: string, exercise: string): number {
  const n = createHash('sha256').update(`${learner}\0${exercise}`).digest().readUInt32BE(0);
  return (n % (2 ** 31 - 2)) + 1;
}

/** A folder for builds that the unprivileged uid can read: inside --out when possible, else under the temp dir. */
function prepareWork(outDir: string, allowIsolation: boolean, uidBase: number | undefined): { workDir: string; isolation: Isolation; external: boolean } {
  const inside = path.join(outDir, '.work');
  mkdirSync(inside, { recursive: true });
  chmodSync(inside, 0o755);
  const probe = path.join(inside, 'probe');
  writeFileSync(probe, 'ok', { mode: 0o644 });
  let isolation = detectIsolation({ disabled: !allowIsolation, probeFile: probe, uidBase });
  const uidLayer = isolation.layers.find((l) => l.name.startsWith('unprivileged uid'));
  if (uidLayer && !uidLayer.on && uidLayer.why?.includes('work folder')) {
    const external = mkdtempSync(path.join(os.tmpdir(), 'course-grade-'));
    chmodSync(external, 0o755);
    const probe2 = path.join(external, 'probe');
    writeFileSync(probe2, 'ok', { mode: 0o644 });
    const second = detectIsolation({ disabled: !allowIsolation, probeFile: probe2, uidBase });
    if (second.layers.find((l) => l.name.startsWith('unprivileged uid'))?.on) {
      rmSync(inside, { recursive: true, force: true });
      return { workDir: external, isolation: second, external: true };
    }
    rmSync(external, { recursive: true, force: true });
    isolation = second;
  }
  return { workDir: inside, isolation, external: false };
}

/** The reference solutions do not pass under this run's settings: nothing was graded. */
export class CanaryError extends Error {}

/** Input that names things that are not there (an unknown --only learner). */
export class BatchInputError extends Error {}

/** The collision-free file names of the ids; a (forced) collision is an input error naming both learners. */
function keysOf(ids: string[]): Map<string, string> {
  try {
    return learnerKeys(ids);
  } catch (err) {
    if (err instanceof LearnerKeyCollision) throw new BatchInputError(err.message);
    throw err;
  }
}

/** A second run started on the same --out by mistake. */
export class OutputBusyError extends Error {}

/** The lock of the run writing to an output folder (removed when it ends). */
export const OUT_LOCK = '.course-grade.lock';

/**
 * Runs `fn` as the only writer of an output folder: two runs would grade the same runs twice into one checkpoint,
 * and the first to finish would remove the work folder under the other. A lock left by a run that died (kill -9)
 * is taken over.
 */
export async function withOutputLock<T>(outDir: string, fn: () => Promise<T>): Promise<T> {
  mkdirSync(outDir, { recursive: true });
  const outLock = path.join(outDir, OUT_LOCK);
  if (!tryLock(outLock)) {
    throw new OutputBusyError(`another \`course grade\` (pid ${lockOwner(outLock) ?? '?'}) is writing to ${outDir}; wait for it to finish or choose another --out`);
  }
  const onExit = () => unlock(outLock);
  process.once('exit', onExit);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', onExit);
    unlock(outLock);
  }
}

export async function runBatch(options: BatchOptions): Promise<Gradebook> {
  // Dropping to unprivileged uids needs root on Linux; the run then holds its own block of uids until it ends.
  const root = process.platform === 'linux' && typeof process.getuid === 'function' && process.getuid() === 0;
  const block = root && options.isolation !== false ? reserveUidBlock(options.jobs) : undefined;
  try {
    return await gradeAll(options, block);
  } finally {
    block?.release();
  }
}

async function gradeAll(options: BatchOptions, block: UidBlock | undefined): Promise<Gradebook> {
  const startedAt = new Date().toISOString();
  const emit = options.onEvent ?? (() => undefined);
  const notice = options.onNotice ?? (() => undefined);
  const limits = options.limits ?? DEFAULT_LIMITS;
  const heapMb = options.heapMb ?? 256;
  const memoryMb = options.memoryMb ?? Math.max(1024, heapMb + 768);
  // Input errors first, before anything is set up: an unknown --only name, a bad extension or metadata file.
  const all = discoverSubmissions(options.submissionsDir);
  // Every id's file name, checked over the whole folder (not only this shard's share): two learners never share one.
  const keys = keysOf(all.map((s) => s.id));
  const mine = shardOf(all, options.shard);
  const unknownOnly = (options.only ?? []).filter((id) => !all.some((s) => s.id === id));
  if (unknownOnly.length) throw new BatchInputError(`--only: no submission named ${unknownOnly.map((id) => `"${id}"`).join(', ')}`);
  const only = new Set(options.only ?? []);
  const rosterMatch = options.roster ? matchRoster(options.roster.entries, all.map((s) => s.id)) : undefined;
  // Every learner's deadline up front: a bad extension in the roster is an input error before anything runs.
  const deadlineOf = new Map<string, Date>();
  if (options.deadline) {
    for (const r of options.roster?.entries ?? []) personalDeadline(options.deadline.at, r.extension, r.name ?? r.submission);
    for (const s of mine) {
      const entry = rosterMatch?.bySubmission.get(s.id);
      deadlineOf.set(s.id, personalDeadline(options.deadline.at, entry?.extension, entry?.name ?? s.id));
    }
  }
  const times = options.deadline?.timesFile ? readTimesFile(options.deadline.timesFile) : undefined;
  const previousUmask = process.umask(0o022);
  mkdirSync(options.outDir, { recursive: true });

  const { workDir, isolation, external } = prepareWork(options.outDir, options.isolation !== false, block?.base);
  if (external) notice(`note: builds go to ${workDir} (the output folder is not readable by the unprivileged grading user)`);
  // cgroup limits per worker for the student children: a backstop above the per-process memory cap (which it
  // leaves room for, so the usual out-of-memory is still V8's own, clearer error).
  const cgroups =
    options.isolation === false
      ? { off: 'turned off by --no-isolation' }
      : setUpCgroups(Math.max(1, options.jobs), { memoryBytes: (memoryMb + 256) * 1024 * 1024, pids: 128 });
  const cg = 'off' in cgroups ? undefined : cgroups;
  isolation.layers.push({
    name: `cgroup memory (${memoryMb + 256} MB) and pids limits per worker for student children`,
    on: cg !== undefined,
    why: 'off' in cgroups ? cgroups.off : undefined,
  });
  const off = isolation.layers.filter((l) => !l.on);
  if (off.length) notice(`isolation layers OFF: ${off.map((l) => `${l.name} (${l.why})`).join('; ')}`);

  // The packages the exercises give the code under test, copied where the unprivileged grading uid can read them.
  const packagesRoot = copyPackages(options.courseRoot, [...new Set(options.exercises.flatMap((e) => e.packages))], path.join(workDir, 'packages'));

  const suites = new Map(options.exercises.map((e) => [e.id, gradingSuiteHash(options.courseRoot, e)]));
  const checkpoint = new Checkpoint(path.join(options.outDir, 'checkpoint.jsonl'));

  // Intake: every submission of this shard, into a fresh folder of its own (named by the collision-free key).
  const intakes = new Map<string, IntakeResult>();
  for (const submission of mine) {
    intakes.set(submission.id, await intakeSubmission(submission, options.exercises, path.join(workDir, 'submissions', keys.get(submission.id)!), limits));
  }

  const outcomes = new Map<string, ExerciseOutcome>(); // tupleKey(learner, exercise)
  const jobs: Job[] = [];
  let resumed = 0;
  const reasons: Partial<Record<RunReason, number>> = {};
  const changed = new Map<string, { from: Set<string>; runs: number }>();
  for (const submission of mine) {
    const intake = intakes.get(submission.id)!;
    if (intake.status !== 'accepted') continue;
    for (const exercise of options.exercises) {
      const implRoot = intake.roots[exercise.id]!;
      const filesHash = hashFiles(collectSources(options.courseRoot, exercise, implRoot).files);
      const suite = suites.get(exercise.id)!;
      const done = only.has(submission.id) ? undefined : checkpoint.get(submission.id, exercise.id, suite, filesHash);
      if (done) {
        const outcome = fromResult(done.result);
        outcome.run = { fresh: false, at: done.at };
        outcomes.set(tupleKey(submission.id, exercise.id), outcome);
        resumed++;
        continue;
      }
      // Why this run is graded now: the suite changed since the checkpoint's run (everyone's run of this exercise
      // is graded again), the learner is named in --only, the files changed, or there is no earlier run.
      const last = checkpoint.last(submission.id, exercise.id);
      let reason: RunReason = 'new';
      if (last && last.suiteHash !== suite) {
        reason = 'suite changed';
        const c = changed.get(exercise.id) ?? { from: new Set<string>(), runs: 0 };
        c.from.add(last.suiteHash);
        c.runs++;
        changed.set(exercise.id, c);
      } else if (only.has(submission.id)) reason = '--only';
      else if (last && last.filesHash !== filesHash) reason = 'files changed';
      reasons[reason] = (reasons[reason] ?? 0) + 1;
      jobs.push({ submission, exercise, implRoot, reason });
    }
  }
  const suiteChanges: SuiteChange[] = [...changed].map(([exercise, c]) => ({ exercise, from: [...c.from], to: suites.get(exercise)!, runs: c.runs }));
  for (const c of suiteChanges) {
    notice(`the suite of ${c.exercise} changed since the checkpoint (was ${c.from.map(short).join(', ')}, now ${short(c.to)}): ${c.exercise} is graded again for all ${c.runs} learner(s) the checkpoint had`);
  }
  if (only.size) notice(`--only: ${[...only].join(', ')} graded again whatever the checkpoint holds`);
  const rejected = mine.filter((s) => intakes.get(s.id)!.status === 'rejected').length;
  const code = collectCode(options.courseRoot, options.exercises, mine.map((s) => ({ id: s.id, intake: intakes.get(s.id)! })));
  for (const note of code.baseline?.notes ?? []) notice(`similarity: ${note}`);

  // The pool. Jobs are taken in order (learner by learner), so a resumed run continues where it stopped.
  const jobsCount = Math.max(1, Math.min(options.jobs, jobs.length || 1));
  const jests: Array<JestProcess | undefined> = new Array(jobsCount).fill(undefined);
  let next = 0;
  const runOne = async (worker: number, job: Job, attempt: number): Promise<ExerciseResult> => {
    let jest = jests[worker];
    if (!jest?.usable) {
      jest = new JestProcess({ wrapper: isolation.jestWrapper(worker) });
      jests[worker] = jest;
    }
    const timeoutMs = options.timeoutMs ?? toMs(job.exercise.timeout);
    const oomBefore = cg?.oomKills(worker) ?? 0;
    const result = await runGraded({
      hidden: true,
      freshJest: () => (jests[worker] = new JestProcess({ wrapper: isolation.jestWrapper(worker) })),
      courseRoot: options.courseRoot,
      exercise: job.exercise,
      implRoot: job.implRoot,
      seed: options.seed ?? seedFor(job.submission.id, job.exercise.id),
      timeoutMs,
      jest,
      workDir: path.join(workDir, `worker-${worker}`),
      typecheck: options.typecheck ?? false,
      heapMb,
      packagesRoot,
      sandboxWrapper: { argv: [...(cg?.wrapper(worker) ?? []), ...isolation.sandboxWrapper(worker, {
        cpuSeconds: timeoutMs / 1000 + 5,
        dataBytes: memoryMb * 1024 * 1024,
        fileSize: 16 * 1024 * 1024,
        openFiles: 256,
        processes: 128,
      })], parentDeathSignal: isolation.sandboxParentDeathSignal },
    });
    // Nothing of the code under test may outlive its suite (it would steal CPU from, or use up the process limit
    // of, the next learner graded as this uid).
    const uid = isolation.uidOf(worker);
    const survivors = uid === undefined ? undefined : await killSurvivorsOfUid(uid);
    if (survivors) result.anomalies.push(survivors);
    if (cg && cg.oomKills(worker) > oomBefore) {
      result.anomalies.push(`the code under test was killed by the kernel for using more than ${memoryMb + 256} MB of memory`);
      if (result.status === 'passed') result.status = 'failed';
    }
    // The trusted process died under this run (not a timeout): try once more on a fresh one before recording it.
    // (Any machinery failure gets the same second chance: a transient one should not need a whole re-run.)
    if (attempt === 0 && result.status === 'error') {
      jests[worker]?.kill();
      jests[worker] = undefined;
      return runOne(worker, job, 1);
    }
    return result;
  };
  const worker = async (index: number): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      let result: ExerciseResult;
      try {
        result = await runOne(index, job, 0);
      } catch (err) {
        // An internal failure: reported, not checkpointed (a re-run tries again).
        const outcome: ExerciseOutcome = {
          exercise: job.exercise.id,
          status: 'error',
          score: 0,
          maxScore: 0,
          message: untrusted(`${MACHINERY}: internal error: ${err instanceof Error ? err.message : String(err)}`),
          tests: [],
          anomalies: [],
          diagnostics: [],
          durationMs: 0,
          suiteHash: suites.get(job.exercise.id)!,
          run: { fresh: true, at: new Date().toISOString(), reason: job.reason },
        };
        outcomes.set(tupleKey(job.submission.id, job.exercise.id), outcome);
        emit({ type: 'run', learner: job.submission.id, outcome, resumed: false });
        continue;
      }
      // A machinery failure is not kept: the next run (once the cause is fixed) grades it again.
      const record = result.status !== 'error' ? checkpoint.append(job.submission.id, result, result.filesHash) : { at: new Date().toISOString() };
      const outcome = fromResult(result);
      outcome.run = { fresh: true, at: record.at, reason: job.reason };
      outcomes.set(tupleKey(job.submission.id, job.exercise.id), outcome);
      emit({ type: 'run', learner: job.submission.id, outcome, resumed: false });
    }
  };
  // Also on Ctrl-C (the CLI exits at once): no process, cgroup or work folder is left behind. The checkpoint
  // already holds every finished run.
  const cleanUp = () => {
    for (const jest of jests) jest?.kill();
    cg?.release();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', cleanUp);
  const canaryMax = new Map<string, number>();
  try {
    // The canary: before grading anyone, each exercise's reference solution runs through the very same layers,
    // work folder and packages. If one does not get full marks here, every learner would be marked down for the
    // machinery's fault (a denied read, a missing package): stop and say so instead.
    const canaryExercises = options.canary === false ? [] : options.exercises.filter((e) => jobs.some((j) => j.exercise.id === e.id) && e.files.every((f) => existsSync(path.join(options.courseRoot, e.solution, f))));
    if (canaryExercises.length) {
      notice(`checking the grading machinery: ${canaryExercises.length} reference solution(s) under the same isolation…`);
      let at = 0;
      const failures: string[] = [];
      const canaryWorker = async (index: number) => {
        while (at < canaryExercises.length) {
          const exercise = canaryExercises[at++]!;
          const job: Job = { submission: { id: untrusted('(reference solution)'), source: options.courseRoot, kind: 'folder' }, exercise, implRoot: path.join(options.courseRoot, exercise.solution), reason: 'new' };
          const result = await runOne(index, job, 0);
          canaryMax.set(exercise.id, result.maxScore);
          if (result.status !== 'passed' || result.maxScore === 0) {
            const firstBad = result.tests.find((t) => t.status !== 'passed');
            failures.push(`  ${exercise.id}: ${result.status} ${result.score}/${result.maxScore}${result.message ? ` — ${result.message.split('\n')[0]}` : ''}${firstBad ? `\n    first failing test: ${firstBad.fullName}: ${(firstBad.message ?? firstBad.status).split('\n')[0]}` : ''}`);
          }
        }
      };
      await Promise.all(Array.from({ length: jobsCount }, (_, i) => canaryWorker(i)));
      if (failures.length) {
        throw new CanaryError(
          `the reference solution does not get full marks under this run's settings, so no submission was graded:\n${failures.join('\n')}\n` +
            'This is a problem of the grading setup (isolation layers, the output folder, installed packages), not of the learners. ' +
            'Fix it and run the same command again (`--no-canary` skips this check).',
        );
      }
    }
    emit({ type: 'start', total: jobs.length + resumed, resumed, learners: mine.length, rejected });
    for (const s of mine) {
      for (const e of options.exercises) {
        const outcome = outcomes.get(tupleKey(s.id, e.id));
        if (outcome) emit({ type: 'run', learner: s.id, outcome, resumed: true });
      }
    }
    await Promise.all(Array.from({ length: jobsCount }, (_, i) => worker(i)));
  } finally {
    process.removeListener('exit', cleanUp);
    cleanUp();
    checkpoint.close();
    process.umask(previousUmask);
  }

  // The gradebook. An exercise's max score comes from its runs; one that no submission ran (nobody submitted it)
  // takes it from a run of the reference solution, when the course has one (trusted code: no isolation needed).
  const maxOf = new Map<string, number>();
  for (const e of options.exercises) {
    let max = canaryMax.get(e.id) ?? 0;
    for (const o of outcomes.values()) if (o.exercise === e.id) max = Math.max(max, o.maxScore);
    maxOf.set(e.id, max);
  }
  const refHiddenMax = new Map<string, number>();
  for (const e of options.exercises) {
    const solution = path.join(options.courseRoot, e.solution);
    if (maxOf.get(e.id) || !e.files.every((f) => existsSync(path.join(solution, f)))) continue;
    const refWork = mkdtempSync(path.join(os.tmpdir(), 'course-reference-'));
    try {
      const ref = await runGraded({ hidden: true, courseRoot: options.courseRoot, exercise: e, implRoot: solution, typecheck: false, workDir: refWork });
      maxOf.set(e.id, ref.maxScore);
      if (ref.hidden) refHiddenMax.set(e.id, ref.hidden.maxScore);
      if (ref.status !== 'passed') notice(`warning: the reference solution of ${e.id} does not pass its own suite (${ref.score}/${ref.maxScore})`);
    } finally {
      rmSync(refWork, { recursive: true, force: true });
    }
  }
  const hiddenMaxOf = (id: string): number | undefined => {
    let max: number | undefined = refHiddenMax.get(id);
    for (const o of outcomes.values()) if (o.exercise === id && o.hidden) max = Math.max(max ?? 0, o.hidden.maxScore);
    return max;
  };
  const exerciseMeta = options.exercises.map((e) => {
    const points = resolvePoints(e.points);
    const hidden = hiddenMaxOf(e.id);
    return { id: e.id, title: e.title, suiteHash: suites.get(e.id)!, maxScore: maxOf.get(e.id)!, ...(hidden !== undefined ? { hiddenMaxScore: hidden } : {}), points, maxPoints: points ? points.total : maxOf.get(e.id)! };
  });
  // Who, and when: the roster row, the submission time and what lateness costs (with --deadline).
  const extra = (submission: Submission): Pick<LearnerResult, 'roster' | 'submitted' | 'notes'> => {
    const roster = rosterMatch?.bySubmission.get(submission.id);
    const out: Pick<LearnerResult, 'roster' | 'submitted' | 'notes'> = {};
    if (roster) out.roster = roster;
    if (options.deadline) {
      const intake = intakes.get(submission.id)!;
      const when = submittedAt(submission, times, intake.status === 'accepted' ? intake.newestMtimeMs : undefined);
      const deadline = deadlineOf.get(submission.id)!;
      const submitted: SubmissionTime = when.at
        ? { at: when.at.toISOString(), source: when.source, deadline: deadline.toISOString(), ...lateness(when.at, deadline, options.deadline.policy) }
        : { deadline: deadline.toISOString(), lateMs: 0, penalty: 0, label: 'submission time unknown: no deduction' };
      if (roster?.extension) submitted.extension = roster.extension;
      out.submitted = submitted;
      if (when.notes.length) out.notes = when.notes;
    }
    return out;
  };
  const learners: LearnerResult[] = mine.map((submission) => {
    const intake = intakes.get(submission.id)!;
    if (intake.status === 'rejected') {
      return finalize(
        {
          learner: submission.id,
          kind: submission.kind,
          ...extra(submission),
          status: 'rejected',
          reason: intake.reason,
          score: 0,
          maxScore: 0,
          exercises: options.exercises.map((e) => ({
            exercise: e.id,
            status: 'rejected' as const,
            score: 0,
            maxScore: 0,
            message: untrusted(`submission rejected: ${intake.reason}`),
            tests: [],
            anomalies: [],
            diagnostics: [],
            durationMs: 0,
            suiteHash: suites.get(e.id)!,
          })),
        },
        exerciseMeta,
      );
    }
    const exercises = options.exercises.map((e) => outcomes.get(tupleKey(submission.id, e.id))!);
    const status = learnerStatus(exercises);
    return finalize(
      {
        learner: submission.id,
        kind: submission.kind,
        ...extra(submission),
        status,
        reason: status === 'error' ? exercises.find((x) => x.status === 'error')?.message : undefined,
        score: 0,
        maxScore: 0,
        exercises,
      },
      exerciseMeta,
    );
  });
  const meta: BatchMeta = {
    tool: 'course grade',
    version: 1,
    course: options.courseTitle,
    startedAt,
    finishedAt: new Date().toISOString(),
    shard: options.shard,
    allLearners: all.map((s) => s.id),
    learners: mine.map((s) => s.id),
    exercises: exerciseMeta,
    isolation: isolation.layers,
    uids: isolation.uidOf(0) === undefined ? undefined : { first: isolation.uidOf(0)!, last: isolation.uidOf(jobsCount - 1)! },
    jobs: jobsCount,
    runs: { graded: jobs.length, resumed, reasons },
    ...(suiteChanges.length ? { suiteChanges } : {}),
    ...(only.size ? { only: [...only] } : {}),
    ...(options.roster && rosterMatch ? { roster: { file: options.roster.file, missing: rosterMatch.missing, unrostered: rosterMatch.unrostered } } : {}),
    ...(options.deadline
      ? { deadline: { at: options.deadline.at.toISOString(), policy: describePolicy(options.deadline.policy), late: options.deadline.policyText, timesFile: options.deadline.timesFile } }
      : {}),
  };
  return { meta, learners, code };
}
