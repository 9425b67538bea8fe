// The verdict of one run, decided from plain data: what the suite declared and reported, how its sandbox hosts
// fared, the anomalies seen (by kind, never by text) and how the jest job ended. It starts no process and reads no
// file: run-exercise.ts gathers the facts, and test/runner/verdict.test.ts decides every status from a table.

import type { AnomalyKind } from '../../harness/sandbox/contract';
import type { JobOutcome } from './jest-process';
import { accountTests } from './test-accounting';
import type { Diagnostic, ExerciseResult, ExerciseStatus, TestResult } from './result';
import type { ExpectedTest } from './worker-protocol';

/** Prefix of the message of every `error` result: the grading machinery failed, not the learner. */
export const MACHINERY = 'grading machinery failure';

/** How the sandbox hosts of a run fared: loads that worked, load failures (the learner's), machinery, protocol. */
export interface SandboxTally {
  loaded: number;
  loadErrors: string[];
  machinery: string[];
  protocol: string[];
}

/** What a run of the suite produced, as the grader collected it. */
export interface RunFacts {
  /** The tests the suite declared before the first one ran (undefined: it never got that far). */
  expected?: ExpectedTest[];
  /** Every result reported, in arrival order, repeats included (skipped tests are not results). */
  results: TestResult[];
  /** The test that started and never reported. */
  running?: string;
  suiteError?: string;
  /** Every kind of anomaly seen in the run (the texts are for the result, never for the verdict). */
  anomalyKinds: AnomalyKind[];
  sandbox: SandboxTally;
  end: JobOutcome['end'];
  endDetail?: string;
  timeoutMs: number;
  failFast: boolean;
}

export type Verdict = Pick<ExerciseResult, 'status' | 'score' | 'maxScore' | 'tests' | 'message' | 'hungTest'>;

/** Anomalies that mean the code under test tried to interfere with grading, first the one named when both occur. */
const TAMPERING: Array<[AnomalyKind, string]> = [
  ['debug-signal', 'the code under test tried to open the debugger of the grader (SIGUSR1)'],
  ['exit-attempt', 'the code under test tried to end the process that runs it'],
];

/** The verdict of a build that produced nothing to run: a graded file is missing, or a syntax error. */
export function buildVerdict(missing: string[], diagnostics: Diagnostic[]): Verdict {
  const none = { score: 0, maxScore: 0, tests: [] };
  if (missing.length) {
    return { ...none, status: 'not submitted', message: `not submitted: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing or empty` };
  }
  const n = diagnostics.length;
  return { ...none, status: 'compile-error', message: `does not compile: ${n} syntax error${n === 1 ? '' : 's'}; no test was run` };
}

/** The verdict of graded files that are the starter stub, unchanged: not started (rather than "failed 0/N"). */
export function notStartedVerdict(): Verdict {
  return { status: 'not started', score: 0, maxScore: 0, tests: [], message: 'not started: the graded files are the starter stub, unchanged' };
}

export function decideVerdict(facts: RunFacts): Verdict {
  const { tests, declared, duplicates, undeclared } = accountTests(facts);
  const score = tests.reduce((sum, t) => sum + t.score, 0);
  const maxScore = tests.reduce((sum, t) => sum + t.maxScore, 0);
  const verdict = (status: ExerciseStatus, message?: string): Verdict => ({ status, score, maxScore, tests, ...(message === undefined ? {} : { message }) });
  const { sandbox, running, suiteError } = facts;
  const seconds = facts.timeoutMs / 1000;
  const tampering = TAMPERING.find(([kind]) => facts.anomalyKinds.includes(kind))?.[1];

  if (facts.end === 'timeout') {
    const message = running
      ? `stopped after ${seconds} s: "${running}" never finished (an infinite loop, or a promise that never settles?)`
      : `stopped after ${seconds} s`;
    return { ...verdict('timeout', message), hungTest: running };
  }
  if (facts.end === 'crash' || (suiteError && declared === 0)) {
    return verdict('error', `${MACHINERY}: the hidden suite could not run: ${suiteError ?? facts.endDetail ?? 'unknown error'}`);
  }
  // E.g. the sandbox may not read a package the exercise provides: every test that needed it failed, and none of
  // that is the learner's doing.
  if (sandbox.machinery.length) return verdict('error', `${MACHINERY}: ${sandbox.machinery[0]}`);
  if (sandbox.protocol.length) return verdict('tampered', sandbox.protocol[0]);
  if (duplicates.length || undeclared.length) {
    return verdict('tampered', `results that the suite did not declare were reported (${[...duplicates, ...undeclared].slice(0, 3).join('; ')})`);
  }
  if (tampering) return verdict('tampered', tampering);
  if (sandbox.loadErrors.length && sandbox.loaded === 0) {
    return verdict(
      'load-error',
      `your module could not be loaded, so no test could run it: ${sandbox.loadErrors[0]!.replace(/^your module (could not be loaded: )?/, '')}`,
    );
  }
  return verdict(declared > 0 && score === maxScore ? 'passed' : 'failed');
}

/** The verdict when the grader itself threw (a denied write of a build folder, a full disk): never the learner's. */
export function machineryVerdict(err: unknown): Verdict {
  const e = err as NodeJS.ErrnoException | undefined;
  // (The code in front unless the message already starts with it: formatting, not a decision.)
  const code = e?.code && !String(e.message).startsWith(e.code) ? `${e.code}: ` : '';
  return { status: 'error', score: 0, maxScore: 0, tests: [], message: `${MACHINERY}: ${code}${e instanceof Error ? e.message : String(err)}` };
}
