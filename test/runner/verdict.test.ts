// The verdict as a table: each row is the plain facts of one run (what the suite declared and reported, how its
// sandbox hosts fared, the anomalies by kind, how the job ended) and the status, score and message they must give.
// No process is started: grader/run/verdict.ts is pure. (The same outcomes end to end: run-exercise.test.ts.)
import type { ExerciseResult, TestResult } from '../../grader/run/result';
import { joinHidden } from '../../grader/run/hidden';
import { NOT_RUN_FAIL_FAST } from '../../grader/run/test-accounting';
import { buildVerdict, decideVerdict, machineryVerdict, MACHINERY, type RunFacts, type Verdict } from '../../grader/run/verdict';

const declared = ['a', 'b', 'c'].map((title) => ({ fullName: `calc › ${title}`, group: ['calc'], title }));
const result = (title: string, status: 'passed' | 'failed'): TestResult => ({
  fullName: `calc › ${title}`,
  group: ['calc'],
  title,
  status,
  durationMs: 1,
  score: status === 'passed' ? 1 : 0,
  maxScore: 1,
});
const allPass = declared.map((t) => result(t.title, 'passed'));
const facts = (over: Partial<RunFacts>): RunFacts => ({
  expected: declared,
  results: allPass,
  anomalyKinds: [],
  sandbox: { loaded: 1, loadErrors: [], machinery: [], protocol: [] },
  end: 'done',
  timeoutMs: 10_000,
  failFast: false,
  ...over,
});
const tally = (over: Partial<RunFacts['sandbox']>) => ({ loaded: 0, loadErrors: [], machinery: [], protocol: [], ...over });

type Row = [string, RunFacts, Partial<Verdict> & { statuses?: string[]; messages?: Array<string | undefined> }];
const rows: Row[] = [
  ['every declared test passed', facts({}), { status: 'passed', score: 3, maxScore: 3 }],
  ['one test failed', facts({ results: [result('a', 'passed'), result('b', 'failed'), result('c', 'passed')] }), { status: 'failed', score: 2, maxScore: 3 }],
  ['a suite that declares no test never passes', facts({ expected: [], results: [] }), { status: 'failed', score: 0, maxScore: 0 }],
  [
    'a declared test with no result is missing, never a pass',
    facts({ results: allPass.slice(0, 2) }),
    {
      status: 'failed',
      score: 2,
      maxScore: 3,
      statuses: ['passed', 'passed', 'missing'],
      messages: [undefined, undefined, 'no result was reported for this test'],
    },
  ],
  [
    'the time limit: the running test hung, the later ones did not run',
    facts({ end: 'timeout', results: allPass.slice(0, 1), running: 'calc › b' }),
    {
      status: 'timeout',
      score: 1,
      hungTest: 'calc › b',
      statuses: ['passed', 'timeout', 'missing'],
      message: 'stopped after 10 s: "calc › b" never finished (an infinite loop, or a promise that never settles?)',
    },
  ],
  ['the time limit between tests', facts({ end: 'timeout', results: [] }), { status: 'timeout', message: 'stopped after 10 s' }],
  [
    'the jest process crashed: machinery',
    facts({ end: 'crash', endDetail: 'killed by SIGKILL', results: [] }),
    {
      status: 'error',
      message: `${MACHINERY}: the hidden suite could not run: killed by SIGKILL`,
      messages: Array(3).fill('not run: the grading process stopped unexpectedly'),
    },
  ],
  [
    'the suite failed before declaring a test: machinery',
    facts({ expected: undefined, results: [], suiteError: 'SyntaxError in the suite' }),
    { status: 'error', message: `${MACHINERY}: the hidden suite could not run: SyntaxError in the suite` },
  ],
  [
    'the sandbox could not read a provided package: machinery, not the learner',
    facts({ sandbox: tally({ machinery: ['the package "ws" cannot be loaded'] }), results: [] }),
    { status: 'error', message: `${MACHINERY}: the package "ws" cannot be loaded` },
  ],
  [
    'the host broke the protocol: tampered',
    facts({ sandbox: tally({ protocol: ['it sent a malformed "reply" message'] }) }),
    { status: 'tampered', message: 'it sent a malformed "reply" message' },
  ],
  [
    'a second result for one test: tampered',
    facts({ results: [...allPass, result('a', 'passed')] }),
    { status: 'tampered', message: 'results that the suite did not declare were reported (calc › a)' },
  ],
  [
    'a result for a test never declared: tampered',
    facts({ results: [...allPass, result('forged', 'passed')] }),
    { status: 'tampered', message: 'results that the suite did not declare were reported (calc › forged)' },
  ],
  [
    'an exit attempt, decided by its kind: tampered',
    facts({ anomalyKinds: ['uncaught-exception', 'exit-attempt'] }),
    { status: 'tampered', score: 3, message: 'the code under test tried to end the process that runs it' },
  ],
  [
    'SIGUSR1 to the grader outranks an exit attempt',
    facts({ anomalyKinds: ['exit-attempt', 'debug-signal'] }),
    { status: 'tampered', message: 'the code under test tried to open the debugger of the grader (SIGUSR1)' },
  ],
  [
    'anomalies that are not tampering leave the verdict alone',
    facts({ anomalyKinds: ['uncaught-exception', 'unhandled-rejection', 'unsendable-callback', 'survivor'] }),
    { status: 'passed' },
  ],
  [
    'the module never loaded: load-error',
    facts({ sandbox: tally({ loadErrors: ['your module threw while loading: Error: boom'] }), results: declared.map((t) => result(t.title, 'failed')) }),
    { status: 'load-error', score: 0, message: 'your module could not be loaded, so no test could run it: threw while loading: Error: boom' },
  ],
  [
    'a load failure after a load that worked is a plain failure',
    facts({
      sandbox: tally({ loaded: 1, loadErrors: ['your module could not be loaded: exited'] }),
      results: [result('a', 'failed'), result('b', 'passed'), result('c', 'passed')],
    }),
    { status: 'failed' },
  ],
  [
    'fail-fast: the tests after the first failure are not run, and say so',
    facts({ failFast: true, results: [result('a', 'failed')] }),
    { status: 'failed', statuses: ['failed', 'missing', 'missing'], messages: [undefined, NOT_RUN_FAIL_FAST, NOT_RUN_FAIL_FAST] },
  ],
  [
    'fail-fast with no failure: a missing test is just missing',
    facts({ failFast: true, results: allPass.slice(0, 2) }),
    { status: 'failed', messages: [undefined, undefined, 'no result was reported for this test'] },
  ],
];

test.each(rows)('%s', (_name, input, expected) => {
  const { statuses, messages, ...verdict } = expected;
  const got = decideVerdict(input);
  expect(got).toMatchObject(verdict);
  if (statuses) expect(got.tests.map((t) => t.status)).toEqual(statuses);
  if (messages) expect(got.tests.map((t) => t.message)).toEqual(messages);
  // Every declared test is accounted for exactly once, in the declared order.
  expect(got.tests.map((t) => t.fullName)).toEqual((input.expected ?? []).map((t) => t.fullName));
});

test('a build with nothing to run: not submitted, compile error', () => {
  expect(buildVerdict(['calc.ts', 'util.ts'], [])).toEqual({
    status: 'not submitted',
    score: 0,
    maxScore: 0,
    tests: [],
    message: 'not submitted: calc.ts, util.ts are missing or empty',
  });
  const syntax = { file: 'calc.ts', line: 1, column: 1, message: 'Expected ";"', kind: 'syntax' as const };
  expect(buildVerdict([], [syntax])).toMatchObject({ status: 'compile-error', message: 'does not compile: 1 syntax error; no test was run' });
});

test('the grader itself threw: machinery, with the error code once', () => {
  const denied = Object.assign(new Error('EACCES: permission denied, mkdir'), { code: 'EACCES' });
  expect(machineryVerdict(denied)).toMatchObject({ status: 'error', score: 0, message: `${MACHINERY}: EACCES: permission denied, mkdir` });
  expect(machineryVerdict(Object.assign(new Error('no space'), { code: 'ENOSPC' })).message).toBe(`${MACHINERY}: ENOSPC: no space`);
});

describe('hidden suite parts (joinHidden)', () => {
  const part = (status: ExerciseResult['status'], score: number, maxScore: number, message?: string): ExerciseResult => ({
    exercise: 'calc',
    status,
    score,
    maxScore,
    tests: [],
    diagnostics: [],
    anomalies: [],
    seed: 1,
    durationMs: 1,
    filesHash: 'f',
    suiteHash: 's',
    ...(message ? { message } : {}),
  });
  const join = (visible: ExerciseResult, hidden: ExerciseResult) => joinHidden(visible, hidden, 'h');
  test.each<[string, ExerciseResult, ExerciseResult, Partial<ExerciseResult>]>([
    [
      'both passed',
      part('passed', 3, 3),
      part('passed', 2, 2),
      { status: 'passed', score: 5, maxScore: 5, hidden: { status: 'passed', score: 2, maxScore: 2 } },
    ],
    ['a hidden failure fails the exercise', part('passed', 3, 3), part('failed', 1, 2), { status: 'failed', score: 4, maxScore: 5 }],
    [
      'a hidden timeout outranks a visible pass, and says where',
      part('passed', 3, 3),
      part('timeout', 0, 2, 'stopped after 60 s'),
      { status: 'timeout', message: 'instructor-only tests: stopped after 60 s' },
    ],
    [
      'a hidden machinery failure stays an error and keeps its words',
      part('passed', 3, 3),
      part('error', 0, 0, `${MACHINERY}: x`),
      { status: 'error', message: `${MACHINERY}: x (in the instructor-only suite)` },
    ],
    ['a visible verdict that is not a pass or fail stands', part('tampered', 0, 3, 'forged'), part('passed', 2, 2), { status: 'tampered', message: 'forged' }],
  ])('%s', (_name, visible, hidden, expected) => {
    expect(join(visible, hidden)).toMatchObject(expected);
  });
});
