// Runs one exercise's hidden suite against one implementation root and returns an ExerciseResult. This is the
// single code path behind `course check`, `verify`, `watch` and batch grading; they differ only in the root they
// pass and in what they do with the result.

import { createHash, randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { toMs, type ExerciseSpec } from '../course/schema';
import { stateDir } from '../paths';
import { buildImplementation } from './build';
import { childIsolation } from './child-isolation';
import { DEBUG_SIGNAL_ANOMALY } from './debug-signal';
import { JestProcess } from './jest-process';
import { specOf, type Diagnostic, type ExerciseResult, type TestResult } from './result';
import { visibleControls } from '../report/safe-text';
import { startTypecheck } from './typecheck';
import { trace } from '../trace';
import type { ExpectedTest, FromWorker } from './worker-protocol';

export type RunEvent =
  | { type: 'phase'; phase: 'compiling' | 'testing' | 'type-checking' }
  | { type: 'test-start'; fullName: string }
  | { type: 'test-result'; test: TestResult }
  | { type: 'expected'; count: number };

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
  heapMb?: number;
  sandboxWrapper?: string[];
  /** The node_modules folder the exercise's packages are taken from (batch: a readable copy). */
  packagesRoot?: string;
  /** Skip the tests after the first failing one (`course verify`'s mutants only; see SuiteJob.failFast). */
  failFast?: boolean;
  onEvent?: (event: RunEvent) => void;
}

/** The message of a test that fail-fast skipped: not a failure of the code under test. */
export const NOT_RUN_FAIL_FAST = 'not run: the run stopped at the first failing test (fail-fast)';

export function suiteHash(courseRoot: string, exercise: ExerciseSpec): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(courseRoot, exercise.suite)));
  return hash.digest('hex');
}

/** Prefix of the message of every `error` result: the grading machinery failed, not the learner. */
export const MACHINERY = 'grading machinery failure';

export async function runExercise(options: RunOptions): Promise<ExerciseResult> {
  const started = Date.now();
  let result: ExerciseResult;
  try {
    result = await runExerciseUnsafe(options, started);
  } catch (err) {
    // Anything thrown here is the grader's own failure (a denied write of a build folder, a full disk, a package
    // the course lacks): an anomaly of this run, never a score of 0 charged to the learner.
    const e = err as NodeJS.ErrnoException;
    result = {
      exercise: options.exercise.id,
      status: 'error',
      score: 0,
      maxScore: 0,
      tests: [],
      diagnostics: [],
      anomalies: [],
      message: `${MACHINERY}: ${e.code && !String(e.message).startsWith(e.code) ? `${e.code}: ` : ''}${e instanceof Error ? e.message : String(err)}`,
      seed: options.seed ?? 0,
      durationMs: Date.now() - started,
      filesHash: '',
      suiteHash: '',
    };
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
    tests: result.tests.map((t) => ({ ...t, message: text(t.message) })),
  };
}

async function runExerciseUnsafe(options: RunOptions, started: number): Promise<ExerciseResult> {
  const { courseRoot, exercise } = options;
  const workDir = options.workDir ?? stateDir(courseRoot);
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  const emit = options.onEvent ?? (() => undefined);
  const base = {
    exercise: exercise.id,
    seed,
    suiteHash: suiteHash(courseRoot, exercise),
    anomalies: [] as string[],
  };

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
  const finishEarly = (status: ExerciseResult['status'], message: string, diagnostics: Diagnostic[] = []): ExerciseResult => {
    return { ...base, status, score: 0, maxScore: 0, tests: [], diagnostics, message, durationMs: Date.now() - started, filesHash: build.filesHash };
  };
  if (build.missing.length) {
    return finishEarly('not submitted', `not submitted: ${build.missing.join(', ')} ${build.missing.length > 1 ? 'are' : 'is'} missing or empty`);
  }
  if (!build.buildDir) {
    const n = build.diagnostics.length;
    return finishEarly('compile-error', `does not compile: ${n} syntax error${n === 1 ? '' : 's'}; no test was run`, build.diagnostics);
  }

  const graded = build.files.filter((f) => f.graded);
  const typecheck =
    options.typecheck === false
      ? Promise.resolve<Diagnostic[]>([])
      : startTypecheck({
          request: {
            files: graded.map((f) => f.absPath),
            entry: graded[0]!.absPath,
            contract: exercise.contract ? path.join(courseRoot, exercise.contract) : undefined,
            implRoot: path.resolve(options.implRoot),
            graded: graded.map((f) => f.name),
            // A given .js is seen through its .d.ts (the checker does not read JavaScript).
            support: build.files.filter((f) => !f.graded && !f.name.endsWith('.js')).map((f) => ({ name: f.name, absPath: f.absPath })),
          },
          filesHash: build.filesHash,
          cacheDir: path.join(workDir, 'cache', 'typecheck'),
        });

  trace(`build ready (${build.buildDir})`);
  emit({ type: 'phase', phase: 'testing' });
  const jest = options.jest ?? new JestProcess();
  const timeoutMs = options.timeoutMs ?? toMs(exercise.timeout);
  let expected: ExpectedTest[] | undefined;
  const reported = new Map<string, TestResult>();
  const duplicates: string[] = [];
  const anomalies: string[] = [];
  let running: string | undefined;
  let suiteError: string | undefined;
  /** How the sandbox hosts fared: loads that worked, load failures (the learner's), machinery failures, protocol breaks. */
  const sandbox = { loaded: 0, loadErrors: [] as string[], machinery: [] as string[], protocol: [] as string[] };

  const outcome = await jest.run(
    {
      suite: path.join(courseRoot, exercise.suite),
      buildDir: build.buildDir,
      seed,
      testTimeoutMs: toMs(exercise.testTimeout),
      cacheDir: path.join(workDir, 'cache', 'jest'),
      rootDir: courseRoot,
      failFast: options.failFast,
    },
    timeoutMs,
    (message: FromWorker) => {
      switch (message.type) {
        case 'tests':
          trace('suite collected');
          expected = message.tests;
          emit({ type: 'expected', count: message.tests.length });
          return;
        case 'test-start':
          running = message.fullName;
          emit({ type: 'test-start', fullName: message.fullName });
          return;
        case 'test-result': {
          if (message.status === 'skipped') return;
          running = undefined;
          if (reported.has(message.fullName)) duplicates.push(message.fullName);
          const test: TestResult = {
            fullName: message.fullName,
            group: message.group,
            title: message.title,
            status: message.status,
            message: message.message,
            durationMs: message.durationMs,
            spec: specOf(message.title),
            score: message.status === 'passed' ? 1 : 0,
            maxScore: 1,
          };
          reported.set(message.fullName, test);
          emit({ type: 'test-result', test });
          return;
        }
        case 'suite-error':
          suiteError = message.message;
          return;
        case 'anomaly': {
          const what = String(message.what).slice(0, 1000);
          if (anomalies.length < 20 && !anomalies.includes(what)) anomalies.push(what);
          return;
        }
        case 'sandbox': {
          const detail = String(message.detail).slice(0, 4000);
          if (message.kind === 'loaded') sandbox.loaded++;
          else {
            const list = message.kind === 'load-error' ? sandbox.loadErrors : message.kind === 'machinery' ? sandbox.machinery : sandbox.protocol;
            if (list.length < 5 && !list.includes(detail)) list.push(detail);
          }
          return;
        }
        default:
          return;
      }
    },
  );
  trace(`jest job ended (${outcome.end})`);
  if (!options.jest) jest.close();

  emit({ type: 'phase', phase: 'type-checking' });
  const diagnostics = await typecheck;
  trace('type-check done');

  // Every declared test must be reported exactly once; anything else is never a pass.
  const tests: TestResult[] = [];
  const declared = expected ?? [];
  for (const t of declared) {
    const got = reported.get(t.fullName);
    if (got) {
      tests.push(got);
      continue;
    }
    const hung = outcome.end === 'timeout' && running === t.fullName;
    const skipped = options.failFast && outcome.end !== 'timeout' && outcome.end !== 'crash' && [...reported.values()].some((r) => r.status !== 'passed');
    tests.push({
      fullName: t.fullName,
      group: t.group,
      title: t.title,
      status: hung ? 'timeout' : 'missing',
      message: hung
        ? `still running when the ${timeoutMs / 1000} s limit for the whole exercise was reached`
        : outcome.end === 'timeout'
          ? 'not run: the exercise hit its time limit before this test'
          : outcome.end === 'crash'
            ? 'not run: the grading process stopped unexpectedly'
            : skipped
              ? NOT_RUN_FAIL_FAST
              : 'no result was reported for this test',
      durationMs: 0,
      spec: specOf(t.title),
      score: 0,
      maxScore: 1,
    });
  }
  const undeclared = [...reported.keys()].filter((name) => !declared.some((t) => t.fullName === name));
  const score = tests.reduce((sum, t) => sum + t.score, 0);
  const maxScore = tests.reduce((sum, t) => sum + t.maxScore, 0);
  const result: ExerciseResult = {
    ...base,
    status: 'failed',
    score,
    maxScore,
    tests,
    diagnostics,
    anomalies,
    durationMs: Date.now() - started,
    filesHash: build.filesHash,
  };
  if (outcome.end === 'timeout') {
    result.status = 'timeout';
    result.hungTest = running;
    result.message = running
      ? `stopped after ${timeoutMs / 1000} s: "${running}" never finished (an infinite loop, or a promise that never settles?)`
      : `stopped after ${timeoutMs / 1000} s`;
  } else if (outcome.end === 'crash' || (suiteError && declared.length === 0)) {
    result.status = 'error';
    result.message = `${MACHINERY}: the hidden suite could not run: ${suiteError ?? outcome.detail ?? 'unknown error'}`;
  } else if (sandbox.machinery.length) {
    // E.g. the sandbox may not read a package the exercise provides: every test that needed it failed, and none of
    // that is the learner's doing.
    result.status = 'error';
    result.message = `${MACHINERY}: ${sandbox.machinery[0]}`;
  } else if (sandbox.protocol.length) {
    result.status = 'tampered';
    result.message = sandbox.protocol[0];
  } else if (duplicates.length || undeclared.length) {
    result.status = 'tampered';
    result.message = `results that the suite did not declare were reported (${[...duplicates, ...undeclared].slice(0, 3).join('; ')})`;
  } else if (anomalies.includes(DEBUG_SIGNAL_ANOMALY)) {
    result.status = 'tampered';
    result.message = 'the code under test tried to open the debugger of the grader (SIGUSR1)';
  } else if (anomalies.some((a) => a.includes('process.exit'))) {
    result.status = 'tampered';
    result.message = 'the code under test tried to end the process that runs it';
  } else if (sandbox.loadErrors.length && sandbox.loaded === 0) {
    result.status = 'load-error';
    result.message = `your module could not be loaded, so no test could run it: ${sandbox.loadErrors[0]!.replace(/^your module (could not be loaded: )?/, '')}`;
  } else if (declared.length > 0 && score === maxScore) {
    result.status = 'passed';
  }
  return result;
}
