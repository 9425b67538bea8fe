// Small ExerciseResult / TestResult values for the pure verify logic's unit tests (coverage, across-seeds): only the
// fields those functions read are meaningful; the status and score follow the tests.

import type { ExerciseResult, TestResult } from '../../grader/run/result';

export const testResult = (name: string, ids: string[], status: TestResult['status'] = 'passed', message?: string): TestResult => ({
  fullName: name,
  group: [],
  title: name,
  status,
  durationMs: 1,
  score: status === 'passed' ? 1 : 0,
  maxScore: 1,
  requirements: ids,
  ...(message === undefined ? {} : { message }),
});

export const exerciseResult = (tests: TestResult[]): ExerciseResult =>
  ({
    exercise: 'x',
    status: tests.every((t) => t.status === 'passed') ? 'passed' : 'failed',
    score: tests.filter((t) => t.status === 'passed').length,
    maxScore: tests.length,
    tests,
    diagnostics: [],
    anomalies: [],
    durationMs: 1,
    seed: 1,
  }) as unknown as ExerciseResult;
