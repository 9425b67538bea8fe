// Every test the suite declared is accounted for exactly once: its reported result, or a `timeout`/`missing` entry
// that says why it has none. A result the suite did not declare, or a second result for one test, is never a pass
// (the verdict calls the run tampered). Pure: part of the verdict (verdict.ts).

import type { RunFacts } from './verdict';
import { specOf, type TestResult } from './result';
import type { ExpectedTest } from './worker-protocol';

/** The message of a test that fail-fast skipped: not a failure of the code under test. */
export const NOT_RUN_FAIL_FAST = 'not run: the run stopped at the first failing test (fail-fast)';

/** Why a declared test has no result. */
type Unreported = 'hung' | 'time-limit' | 'crash' | 'fail-fast' | 'unreported';

const SENTENCES: Record<Unreported, (timeoutMs: number) => string> = {
  hung: (ms) => `still running when the ${ms / 1000} s limit for the whole exercise was reached`,
  'time-limit': () => 'not run: the exercise hit its time limit before this test',
  crash: () => 'not run: the grading process stopped unexpectedly',
  'fail-fast': () => NOT_RUN_FAIL_FAST,
  unreported: () => 'no result was reported for this test',
};

export interface Accounting {
  /** One entry per declared test, in the declared order. */
  tests: TestResult[];
  declared: number;
  /** Tests reported more than once; results for tests never declared. */
  duplicates: string[];
  undeclared: string[];
}

export function accountTests(facts: Pick<RunFacts, 'expected' | 'results' | 'running' | 'end' | 'failFast' | 'timeoutMs'>): Accounting {
  const reported = new Map<string, TestResult>();
  const duplicates: string[] = [];
  for (const r of facts.results) {
    if (reported.has(r.fullName)) duplicates.push(r.fullName);
    reported.set(r.fullName, r);
  }
  const declared = facts.expected ?? [];
  const names = new Set(declared.map((t) => t.fullName));
  const anyFailed = facts.results.some((r) => r.status !== 'passed');
  const why = (t: ExpectedTest): Unreported => {
    if (facts.end === 'timeout') return facts.running === t.fullName ? 'hung' : 'time-limit';
    if (facts.end === 'crash') return 'crash';
    return facts.failFast && anyFailed ? 'fail-fast' : 'unreported';
  };
  const tests = declared.map((t): TestResult => {
    const got = reported.get(t.fullName);
    if (got) return got;
    const reason = why(t);
    const message = SENTENCES[reason](facts.timeoutMs);
    return {
      fullName: t.fullName,
      group: t.group,
      title: t.title,
      requirements: t.requirements ?? [],
      status: reason === 'hung' ? 'timeout' : 'missing',
      message,
      durationMs: 0,
      spec: specOf(t.title),
      score: 0,
      maxScore: 1,
    };
  });
  return { tests, declared: declared.length, duplicates, undeclared: [...reported.keys()].filter((name) => !names.has(name)) };
}
