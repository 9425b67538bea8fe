// Batch grading (DESIGN §4, §5): intake every submission, then run every submission × exercise through the same
// runner as `course check` (runExercise) in a pool of workers. Each worker owns one long-lived trusted jest
// process (in its own network and PID namespaces when isolation is on) and reuses it across runs; a worker whose
// jest process was killed (a timeout) or died gets a fresh one. Every finished run goes to the checkpoint at once,
// and runs already in the checkpoint with the same suite and the same files are not run again.

import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { SubmittedCode } from '../similarity';
import os from 'node:os';
import path from 'node:path';
import type { ExerciseSpec } from '../course/schema';
import { toMs } from '../course/schema';
import { collectSources, copyPackages, hashFiles } from '../run/build';
import { JestProcess } from '../run/jest-process';
import type { ExerciseResult } from '../run/result';
import { gradingSuiteHash, runGraded } from '../run/hidden';
import { Checkpoint } from './checkpoint';
import { DEFAULT_LIMITS, discoverSubmissions, intakeSubmission, type IntakeLimits, type IntakeResult, type Submission } from './intake';
import { setUpCgroups } from './cgroups';
import { detectIsolation, type Isolation } from './isolation';
import { reserveUidBlock, type UidBlock } from './uid-block';
import { lockOwner, tryLock, unlock } from '../lock';
import { finalize, fromResult, learnerStatus, safeName, type BatchMeta, type ExerciseOutcome, type Gradebook, type LearnerResult } from './model';

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
  typecheck?: boolean;
  limits?: IntakeLimits;
  seed?: number;
  onEvent?: (event: BatchEvent) => void;
  /** Said once: which isolation layers are off, where the work folder is, ... */
  onNotice?: (text: string) => void;
}

interface Job {
  submission: Submission;
  exercise: ExerciseSpec;
  implRoot: string;
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

  const all = discoverSubmissions(options.submissionsDir);
  const mine = shardOf(all, options.shard);
  const suites = new Map(options.exercises.map((e) => [e.id, gradingSuiteHash(options.courseRoot, e)]));
  const checkpoint = new Checkpoint(path.join(options.outDir, 'checkpoint.jsonl'));

  // Intake: every submission of this shard, into a fresh folder.
  const intakes = new Map<string, IntakeResult>();
  for (const submission of mine) {
    intakes.set(submission.id, await intakeSubmission(submission, options.exercises, path.join(workDir, 'submissions', safeName(submission.id)), limits));
  }

  const outcomes = new Map<string, ExerciseOutcome>(); // learner\0exercise
  const jobs: Job[] = [];
  let resumed = 0;
  for (const submission of mine) {
    const intake = intakes.get(submission.id)!;
    if (intake.status !== 'accepted') continue;
    for (const exercise of options.exercises) {
      const implRoot = intake.roots[exercise.id]!;
      const filesHash = hashFiles(collectSources(options.courseRoot, exercise, implRoot).files);
      const done = checkpoint.get(submission.id, exercise.id, suites.get(exercise.id)!, filesHash);
      if (done) {
        outcomes.set(`${submission.id}\0${exercise.id}`, fromResult(done.result));
        resumed++;
      } else jobs.push({ submission, exercise, implRoot });
    }
  }
  const rejected = mine.filter((s) => intakes.get(s.id)!.status === 'rejected').length;
  const code = collectCode(options.courseRoot, options.exercises, mine.map((s) => ({ id: s.id, intake: intakes.get(s.id)! })));
  emit({ type: 'start', total: jobs.length + resumed, resumed, learners: mine.length, rejected });
  for (const [key, outcome] of outcomes) emit({ type: 'run', learner: key.split('\0')[0]!, outcome, resumed: true });

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
      sandboxWrapper: [...(cg?.wrapper(worker) ?? []), ...isolation.sandboxWrapper(worker, {
        cpuSeconds: timeoutMs / 1000 + 5,
        dataBytes: memoryMb * 1024 * 1024,
        fileSize: 16 * 1024 * 1024,
        openFiles: 256,
        processes: 128,
      })],
    });
    if (cg && cg.oomKills(worker) > oomBefore) {
      result.anomalies.push(`the code under test was killed by the kernel for using more than ${memoryMb + 256} MB of memory`);
      if (result.status === 'passed') result.status = 'failed';
    }
    // The trusted process died under this run (not a timeout): try once more on a fresh one before recording it.
    if (attempt === 0 && result.status === 'error' && result.message?.startsWith('the hidden suite could not run')) {
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
          message: `the hidden suite could not run: internal error: ${err instanceof Error ? err.message : String(err)}`,
          tests: [],
          anomalies: [],
          diagnostics: [],
          durationMs: 0,
          suiteHash: suites.get(job.exercise.id)!,
        };
        outcomes.set(`${job.submission.id}\0${job.exercise.id}`, outcome);
        emit({ type: 'run', learner: job.submission.id, outcome, resumed: false });
        continue;
      }
      checkpoint.append(job.submission.id, result, result.filesHash);
      const outcome = fromResult(result);
      outcomes.set(`${job.submission.id}\0${job.exercise.id}`, outcome);
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
  try {
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
    let max = 0;
    for (const [key, o] of outcomes) if (key.endsWith(`\0${e.id}`)) max = Math.max(max, o.maxScore);
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
    for (const [key, o] of outcomes) if (key.endsWith(`\0${id}`) && o.hidden) max = Math.max(max ?? 0, o.hidden.maxScore);
    return max;
  };
  const exerciseMeta = options.exercises.map((e) => ({
    id: e.id,
    title: e.title,
    suiteHash: suites.get(e.id)!,
    maxScore: maxOf.get(e.id)!,
    ...(hiddenMaxOf(e.id) !== undefined ? { hiddenMaxScore: hiddenMaxOf(e.id) } : {}),
  }));
  const learners: LearnerResult[] = mine.map((submission) => {
    const intake = intakes.get(submission.id)!;
    if (intake.status === 'rejected') {
      return finalize(
        {
          learner: submission.id,
          kind: submission.kind,
          status: 'rejected',
          reason: intake.reason,
          score: 0,
          maxScore: 0,
          exercises: options.exercises.map((e) => ({
            exercise: e.id,
            status: 'rejected' as const,
            score: 0,
            maxScore: 0,
            message: `submission rejected: ${intake.reason}`,
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
    const exercises = options.exercises.map((e) => outcomes.get(`${submission.id}\0${e.id}`)!);
    const status = learnerStatus(exercises);
    return finalize(
      {
        learner: submission.id,
        kind: submission.kind,
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
    runs: { graded: jobs.length, resumed },
  };
  return { meta, learners, code };
}

/** Largest file taken into the similarity check. */
const CODE_CAP = 256 * 1024;

/** The graded files of the accepted submissions, and the starters, for the similarity check. */
function collectCode(courseRoot: string, exercises: ExerciseSpec[], submissions: Array<{ id: string; intake: IntakeResult }>): SubmittedCode {
  const read = (file: string): string | undefined => {
    try {
      const st = statSync(file);
      return st.isFile() && st.size > 0 && st.size <= CODE_CAP ? readFileSync(file, 'utf8') : undefined;
    } catch {
      return undefined;
    }
  };
  const code: SubmittedCode = { starters: {}, learners: {} };
  for (const e of exercises) {
    const starter: Record<string, string> = {};
    for (const f of e.files) {
      const text = read(path.join(courseRoot, e.dir, f));
      if (text !== undefined) starter[f] = text;
    }
    code.starters[e.id] = starter;
  }
  for (const { id, intake } of submissions) {
    if (intake.status !== 'accepted') continue;
    const mine: Record<string, Record<string, string>> = {};
    for (const e of exercises) {
      const root = intake.roots[e.id];
      if (!root) continue;
      const files: Record<string, string> = {};
      for (const f of e.files) {
        const text = read(path.join(root, f));
        if (text !== undefined) files[f] = text;
      }
      if (Object.keys(files).length) mine[e.id] = files;
    }
    code.learners[id] = mine;
  }
  return code;
}
