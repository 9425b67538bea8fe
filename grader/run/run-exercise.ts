// Runs one exercise's hidden suite against one implementation root and returns an ExerciseResult. This is the
// single code path behind `course check`, `verify`, `watch` and batch grading; they differ only in the root they
// pass and in what they do with the result.

import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toMs, type ExerciseSpec } from '../course/schema';
import { stateDir } from '../paths';
import type { HostWrapper } from '../../harness/sandbox/contract';
import { buildImplementation } from './build';
import { childIsolation } from './child-isolation';
import { RunCollector, type RunEvent } from './collect';
import { JestProcess } from './jest-process';
import type { Diagnostic, ExerciseResult } from './result';
import type { SuiteJob } from './worker-protocol';
import { visibleControls } from '../report/safe-text';
import { startTypecheck, type TypecheckService } from './typecheck';
import { trace } from '../trace';
import { buildVerdict, decideVerdict, machineryVerdict, notStartedVerdict } from './verdict';
import { lessonSentences } from './lesson-sentences';
import { markStage } from './stage-marks';

export type { RunEvent } from './collect';
export { NOT_RUN_FAIL_FAST } from './test-accounting';
export { MACHINERY } from './verdict';

export interface RunOptions {
  courseRoot: string;
  exercise: ExerciseSpec;
  /** Folder holding the exercise's graded files. */
  implRoot: string;
  seed?: number;
  /** Overrides the exercise's timeout. */
  timeoutMs?: number;
  /** A jest process started earlier (to overlap its start-up with compiling), or reused (batch). */
  jest?: JestProcess;
  /** Where build folders and caches go (default: the course's .course/). */
  workDir?: string;
  /** Type-check the graded files as feedback (default true). */
  typecheck?: boolean;
  /** A warm type checker kept by the caller (watch); default: a checker process for this run alone. */
  typechecker?: TypecheckService;
  heapMb?: number;
  /** The sandbox host's command prefix (batch: its isolation layers; default: child-isolation.ts). */
  sandboxWrapper?: HostWrapper;
  /** The node_modules folder the exercise's packages are taken from (batch: a readable copy). */
  packagesRoot?: string;
  /**
   * The exercise's starter stub (graded file name → text): when every graded file is that stub byte for byte, the
   * result is `not started` and nothing runs (batch grading; a learner's own check always runs the tests).
   */
  starter?: Record<string, string>;
  /** Skip the tests after the first failing one (`course verify`'s mutants only; see SuiteJob.failFast). */
  failFast?: boolean;
  /** Run only the tests of these requirement ids, one failure per id (`course verify`'s mutants; SuiteJob.focus). */
  focus?: string[];
  onEvent?: (event: RunEvent) => void;
}

export function suiteHash(courseRoot: string, exercise: ExerciseSpec): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(courseRoot, exercise.suite)));
  return hash.digest('hex');
}

export async function runExercise(options: RunOptions): Promise<ExerciseResult> {
  const started = Date.now();
  let result: ExerciseResult;
  try {
    result = await runExerciseUnsafe(options, started);
  } catch (err) {
    // Anything thrown here is the grader's own failure (a denied write of a build folder, a full disk, a package
    // the course lacks): an anomaly of this run, never a score of 0 charged to the learner.
    const base = { exercise: options.exercise.id, seed: options.seed ?? 0, filesHash: '', suiteHash: '' };
    result = { ...base, ...machineryVerdict(err), diagnostics: [], anomalies: [], durationMs: Date.now() - started };
  }
  return neutralise(result);
}

/** Every text that may come from the code under test, with control characters made visible (safe-text.ts). */
function neutralise(result: ExerciseResult): ExerciseResult {
  const text = (t: string | undefined) => (t === undefined ? undefined : visibleControls(t));
  return {
    ...result,
    message: text(result.message),
    hungTest: text(result.hungTest),
    anomalies: result.anomalies.map((a) => visibleControls(a)),
    diagnostics: result.diagnostics.map((d) => ({ ...d, message: visibleControls(d.message), file: visibleControls(d.file) })),
    tests: result.tests.map((t) => ({
      ...t,
      message: text(t.message),
      ...(t.output ? { output: { ...t.output, text: visibleControls(t.output.text) } } : {}),
    })),
  };
}

/** The phases of one run: build, start the type check, run the suite while collecting, decide. */
async function runExerciseUnsafe(options: RunOptions, started: number): Promise<ExerciseResult> {
  const { courseRoot, exercise } = options;
  const workDir = options.workDir ?? stateDir(courseRoot);
  // A run prepared ahead (watch) loaded the suite with its seed already.
  const seed = options.seed ?? options.jest?.preparedSeed ?? randomInt(1, 2 ** 31 - 1);
  const emit = options.onEvent ?? (() => undefined);
  const base = { exercise: exercise.id, seed, suiteHash: suiteHash(courseRoot, exercise) };

  emit({ type: 'phase', phase: 'compiling' });
  const build = buildImplementation({
    courseRoot,
    exercise,
    implRoot: options.implRoot,
    buildRoot: path.join(workDir, 'build'),
    heapMb: options.heapMb,
    // Batch grading passes its own layers; everywhere else the code under test gets a PID namespace when the OS
    // offers one (child-isolation.ts).
    wrapper: options.sandboxWrapper ?? childIsolation().wrapper,
    packagesRoot: options.packagesRoot,
  });
  if (build.missing.length || !build.buildDir) {
    const verdict = buildVerdict(build.missing, build.diagnostics);
    return { ...base, ...verdict, diagnostics: build.diagnostics, anomalies: [], durationMs: Date.now() - started, filesHash: build.filesHash };
  }
  const graded = build.files.filter((f) => f.graded);
  if (options.starter && graded.every((f) => options.starter![f.name] === f.text)) {
    return { ...base, ...notStartedVerdict(), diagnostics: [], anomalies: [], durationMs: Date.now() - started, filesHash: build.filesHash };
  }
  const typecheck = options.typecheck === false ? Promise.resolve<Diagnostic[]>([]) : typecheckBuild(options, workDir, build);

  trace(`build ready (${build.buildDir})`);
  markStage('built');
  emit({ type: 'phase', phase: 'testing' });
  const timeoutMs = options.timeoutMs ?? toMs(exercise.timeout);
  const collector = new RunCollector(emit);
  const job = suiteJob(options, workDir, seed, build.buildDir);
  // A given process prepared for another job (watch switched exercise, or the suite changed) cannot take this one.
  const given = options.jest && options.jest.canTake(job, base.suiteHash) ? options.jest : undefined;
  if (options.jest && !given) options.jest.kill();
  const jest = given ?? new JestProcess();
  let tested = false;
  const outcome = await jest.run(job, timeoutMs, (message) => {
    if (message.type === 'tests') markStage('suite-loaded');
    if (message.type === 'sandbox' && message.kind === 'loaded') markStage('sandbox-ready');
    if (message.type === 'test-result' && !tested) markStage('first-test-done');
    if (message.type === 'test-result') tested = true;
    collector.receive(message);
  });
  trace(`jest job ended (${outcome.end})`);
  markStage('tests-done');
  if (!given) jest.close();

  emit({ type: 'phase', phase: 'type-checking' });
  const diagnostics = await typecheck;
  trace('type-check done');
  markStage('typechecked');

  const verdict = decideVerdict(collector.facts(outcome, timeoutMs, options.failFast === true || options.focus !== undefined));
  const requirements = lessonSentences(courseRoot, exercise, verdict.tests);
  return {
    ...base,
    ...verdict,
    ...(requirements.length ? { requirements } : {}),
    tests: collector.withOutput(verdict.tests),
    diagnostics,
    anomalies: collector.anomalies,
    durationMs: Date.now() - started,
    filesHash: build.filesHash,
  };
}

/** The job the jest process runs for one check (the same for a prepared run, whose buildDir is not known yet). */
function suiteJob(options: Pick<RunOptions, 'courseRoot' | 'exercise' | 'failFast' | 'focus'>, workDir: string, seed: number, buildDir: string): SuiteJob {
  const { courseRoot, exercise } = options;
  return {
    suite: path.join(courseRoot, exercise.suite),
    buildDir,
    seed,
    testTimeoutMs: toMs(exercise.testTimeout),
    cacheDir: path.join(workDir, 'cache', 'jest'),
    rootDir: courseRoot,
    failFast: options.failFast,
    focus: options.focus,
  };
}

/**
 * Watch's warm session: the next check of `exercise` starts now on `jest` (jest set up, the suite loaded, a seed
 * chosen) and waits for its build; runExercise() with this process then only compiles and names the build.
 */
export function prepareRun(options: Pick<RunOptions, 'courseRoot' | 'exercise' | 'workDir'> & { jest: JestProcess }): void {
  const workDir = options.workDir ?? stateDir(options.courseRoot);
  const job = suiteJob(options, workDir, randomInt(1, 2 ** 31 - 1), '');
  options.jest.prepare(job, suiteHash(options.courseRoot, options.exercise));
}

/** Type-checks the graded files as feedback beside the test results (never a verdict). */
function typecheckBuild(options: RunOptions, workDir: string, build: ReturnType<typeof buildImplementation>): Promise<Diagnostic[]> {
  const graded = build.files.filter((f) => f.graded);
  return startTypecheck({
    request: {
      files: graded.map((f) => f.absPath),
      entry: graded[0]!.absPath,
      contract: options.exercise.contract ? path.join(options.courseRoot, options.exercise.contract) : undefined,
      implRoot: path.resolve(options.implRoot),
      graded: graded.map((f) => f.name),
      // A given .js is seen through its .d.ts (the checker does not read JavaScript).
      support: build.files.filter((f) => !f.graded && !f.name.endsWith('.js')).map((f) => ({ name: f.name, absPath: f.absPath })),
    },
    filesHash: build.filesHash,
    cacheDir: path.join(workDir, 'cache', 'typecheck'),
    service: options.typechecker,
  });
}
