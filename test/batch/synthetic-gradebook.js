// A generated gradebook shaped like the real course's (9 exercises, 600 tests, instructor-only tests in four of
// them), for N learners, without grading anything: for report.html at the size of a real term (bench/report.js,
// test/batch/report-300.test.ts). Every status a run can end in appears (passed, failed, compile-error, load-error,
// timeout, tampered, not submitted, rejected, a machinery error), some learners are late with a deduction, and
// roster learners without a submission are listed. Failure messages are jest's, of realistic length. Seeded: the
// same N gives the same gradebook. Plain JS so that the bench runs it without a build step.
'use strict';

/** The real course's exercises and how many tests each suite has (the hidden part in `hidden`). */
const EXERCISES = [
  { id: 'hpack-table', title: 'HPACK header tables and header-block decoding (RFC 7541)', tests: 62, hidden: 3, spec: 'RFC 7541 §4.1' },
  { id: 'frame-parser', title: 'A streaming HTTP/2 frame parser', tests: 71, hidden: 2, spec: 'RFC 9113 §4.1' },
  { id: 'backoff-reconnect', title: 'Reconnecting with exponential backoff and jitter', tests: 48, spec: 'WHATWG HTML §9.2' },
  { id: 'typing-indicator', title: 'A typing indicator over WebSocket', tests: 58, spec: 'RFC 6455 §5.2' },
  { id: 'sse-consumer', title: 'A Server-Sent Events consumer', tests: 66, hidden: 3, spec: 'WHATWG HTML §9.2.6' },
  { id: 'websocket-protocol', title: 'The WebSocket protocol: handshake and frames', tests: 97, hidden: 2, spec: 'RFC 6455 §5.5' },
  { id: 'long-polling', title: 'Long polling with resumable cursors', tests: 55, spec: 'RFC 9110 §15.3' },
  { id: 'h2-flow-control', title: 'HTTP/2 flow control windows', tests: 83, spec: 'RFC 9113 §6.9' },
  { id: 'quic-migration', title: 'QUIC connection migration', tests: 60, spec: 'RFC 9000 §9' },
];

/** mulberry32: small, seedable, the same on every platform. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GROUPS = ['decoding', 'encoding', 'errors the peer must detect', 'edge cases at the limits', 'interop with recorded traffic', 'state after a reset'];
const VERBS = ['accepts', 'rejects', 'keeps', 'evicts', 'reports', 'resumes', 'splits', 'joins', 'counts', 'orders'];
const THINGS = [
  'a frame cut into one-byte chunks',
  'the largest allowed value',
  'an empty payload',
  'a padded payload with its pad length',
  'two streams interleaved',
  'an unknown frame type',
  'a size update after a field',
  'a reconnect after a close with code 1006',
];

/** The tests of a suite: names as long as the real ones, with their spec citation. */
function suiteTests(x) {
  return Array.from({ length: x.tests }, (_, i) => {
    const group = [`${x.id}: ${GROUPS[i % GROUPS.length]}`];
    const title = `${VERBS[(i * 7) % VERBS.length]} ${THINGS[(i * 3) % THINGS.length]} (case ${i + 1}) (${x.spec})`;
    return { group, title, fullName: `${group[0]} › ${title}`, spec: x.spec, hidden: i >= x.tests - (x.hidden ?? 0) };
  });
}

function failureMessage(rng, x, i) {
  const n = Math.floor(rng() * 4096);
  const kinds = [
    () => `expect(received).toBe(expected) // Object.is equality\n\nExpected: ${n}\nReceived: ${n + 1 + Math.floor(rng() * 9)}`,
    () =>
      `expect(received).toEqual(expected) // deep equality\n\n- Expected  - 3\n+ Received  + 1\n\n  Array [\n    Object {\n-     "name": ":authority",\n-     "value": "www.example.com",\n-   },\n+     "name": ":path",\n    Object {\n      "name": "custom-key",\n      "value": "custom-header-${n}",\n    },\n  ]`,
    () =>
      `expect(received).rejects.toThrow()\n\nReceived promise resolved instead of rejected\nResolved to value: {"type":${n % 10},"flags":${n % 256},"streamId":${n},"length":${(n * 7) % 16384}}`,
    () =>
      `${x.id} test ${i + 1}: thrown: "Exceeded timeout of 5000 ms for a test.\nAdd a timeout value to this test to increase the timeout, if this is a long-running test. See https://jestjs.io/docs/api#testname-fn-timeout."`,
    () =>
      `expect(received).toMatchObject(expected)\n\n- Expected  - 1\n+ Received  + 1\n\n  Object {\n-   "code": "PROTOCOL_ERROR",\n+   "code": "FRAME_SIZE_ERROR",\n    "stream": ${n},\n  }`,
  ];
  return kinds[Math.floor(rng() * kinds.length)]();
}

/** What happened to one exercise of one learner. */
function exerciseOutcome(rng, x, tests, kind, ability) {
  const base = {
    exercise: x.id,
    maxScore: x.tests,
    anomalies: [],
    diagnostics: [],
    durationMs: 2000 + Math.floor(rng() * 9000),
    suiteHash: 'd'.repeat(64),
    seed: 1,
  };
  const noTests = (status, message, extra = {}) => ({ ...base, status, score: 0, tests: [], message, ...extra });
  switch (kind) {
    case 'not submitted':
      return noTests('not submitted', `${x.id}.ts is missing or empty`);
    case 'compile-error':
      return noTests('compile-error', `${x.id}.ts does not compile: ';' expected`, {
        diagnostics: [{ file: `${x.id}.ts`, line: 42, column: 17, message: "';' expected.", kind: 'syntax' }],
      });
    case 'load-error':
      return noTests('load-error', `loading ${x.id}.ts threw: ReferenceError: window is not defined`);
    case 'tampered':
      return noTests('tampered', 'the code under test wrote to the result channel (forged results)', { anomalies: ['tried to write the result file'] });
    case 'error':
      return noTests('error', 'grading machinery failure: ENOSPC: no space left on device, write');
    case 'rejected':
      return noTests('rejected', 'the submission was rejected');
    default:
      break;
  }
  const timeout = kind === 'timeout';
  const cut = timeout ? Math.floor(tests.length * (0.3 + rng() * 0.5)) : tests.length;
  const results = tests.slice(0, cut).map((t, i) => {
    const pass = kind === 'passed' || rng() < ability;
    return {
      fullName: t.fullName,
      group: t.group,
      title: t.title,
      status: pass ? 'passed' : 'failed',
      ...(pass ? {} : { message: failureMessage(rng, x, i) }),
      durationMs: Math.floor(rng() * 40),
      spec: t.spec,
      score: pass ? 1 : 0,
      maxScore: 1,
      ...(t.hidden ? { hidden: true } : {}),
    };
  });
  const score = results.reduce((s, t) => s + t.score, 0);
  const status = timeout ? 'timeout' : score === x.tests ? 'passed' : 'failed';
  const hiddenTests = results.filter((t) => t.hidden);
  return {
    ...base,
    status,
    score,
    tests: results,
    ...(timeout ? { message: `the exercise's time limit (60 s) was reached`, hungTest: tests[cut]?.fullName } : {}),
    ...(x.hidden
      ? {
          hidden: {
            status: hiddenTests.every((t) => t.status === 'passed') && hiddenTests.length === x.hidden ? 'passed' : 'failed',
            score: hiddenTests.reduce((s, t) => s + t.score, 0),
            maxScore: x.hidden,
          },
        }
      : {}),
    points: score,
    maxPoints: x.tests,
  };
}

/**
 * A gradebook of `n` learners (plus `missing` roster learners without a submission), already finalised: points,
 * percentages, lateness and final points as the grader computes them with one point per test.
 */
function syntheticGradebook(n, options = {}) {
  const rng = prng(options.seed ?? 300);
  const missingCount = options.missing ?? Math.max(1, Math.round(n / 40));
  const suites = new Map(EXERCISES.map((x) => [x.id, suiteTests(x)]));
  const deadline = '2026-12-01T23:59:00.000Z';
  const ids = Array.from({ length: n }, (_, i) => `learner-${String(i + 1).padStart(3, '0')}`);
  const learners = ids.map((id, li) => {
    const rejected = li % 97 === 41;
    const absent = li % 61 === 13;
    const ability = 0.55 + rng() * 0.44;
    const exercises = EXERCISES.map((x, xi) => {
      const r = rng();
      let kind = rng() < 0.35 ? 'passed' : 'failed';
      if (rejected) kind = 'rejected';
      else if (absent) kind = 'not submitted';
      else if (xi >= 6 && r < 0.15 + xi * 0.02)
        kind = 'not submitted'; // later exercises: not everyone got there
      else if (r < 0.03) kind = 'compile-error';
      else if (r < 0.045) kind = 'load-error';
      else if (r < 0.06) kind = 'timeout';
      else if (r < 0.065) kind = 'tampered';
      else if (r < 0.068) kind = 'error';
      else if (r < 0.09) kind = 'not submitted';
      return exerciseOutcome(rng, x, suites.get(x.id), kind, ability);
    });
    for (const e of exercises) Object.assign(e, { points: e.score, maxPoints: e.maxScore });
    const score = exercises.reduce((s, e) => s + e.score, 0);
    const maxScore = exercises.reduce((s, e) => s + e.maxScore, 0);
    const late = !rejected && !absent && rng() < 0.12;
    const lateHours = late ? 1 + Math.floor(rng() * 70) : 0;
    const penalty = late ? Math.min(1, Math.ceil(lateHours / 24) * 0.1) : 0;
    const at = new Date(Date.parse(deadline) + (late ? lateHours : -5 - Math.floor(rng() * 100)) * 3_600_000).toISOString();
    const status = rejected ? 'rejected' : absent ? 'not submitted' : exercises.some((e) => e.status === 'error') ? 'error' : 'graded';
    const round2 = (v) => Math.round(v * 100) / 100;
    const percent = round2((100 * score) / maxScore);
    const finalPoints = round2(score * (1 - penalty));
    return {
      learner: id,
      kind: li % 3 === 0 ? 'zip' : 'folder',
      status,
      ...(rejected ? { reason: 'path "../../etc/passwd" in the archive goes outside the submission' } : {}),
      score,
      maxScore,
      points: score,
      maxPoints: maxScore,
      percent,
      finalPoints,
      finalPercent: round2((100 * finalPoints) / maxScore),
      roster: {
        submission: id,
        name: `Learner ${li + 1} ${['Ng', 'Okafor', 'Lindqvist', 'García', 'Kowalski'][li % 5]}`,
        email: `${id}@example.edu`,
        section: `S${(li % 4) + 1}`,
        lmsId: String(100000 + li),
      },
      submitted: {
        at,
        source: 'git commit',
        deadline,
        lateMs: lateHours * 3_600_000,
        penalty,
        label: late ? `${lateHours} h late, ${Math.ceil(lateHours / 24)} day(s) × 10%: -${Math.round(penalty * 100)}%` : 'on time',
      },
      ...(li % 53 === 5 ? { notes: ['the .git folder could not be read: bad object HEAD'] } : {}),
      exercises,
    };
  });
  const missing = Array.from({ length: missingCount }, (_, i) => ({
    submission: `absent-${String(i + 1).padStart(2, '0')}`,
    name: `Absent Learner ${i + 1}`,
    email: `absent-${i + 1}@example.edu`,
    section: 'S1',
  }));
  return {
    meta: {
      tool: 'course grade',
      version: 1,
      course: 'HTTP/2 and the real-time web, hands-on',
      startedAt: '2026-12-02T08:00:00.000Z',
      finishedAt: '2026-12-02T09:40:00.000Z',
      allLearners: ids,
      learners: ids,
      exercises: EXERCISES.map((x) => ({
        id: x.id,
        title: x.title,
        suiteHash: 'd'.repeat(64),
        maxScore: x.tests,
        maxPoints: x.tests,
        ...(x.hidden ? { hiddenMaxScore: x.hidden } : {}),
      })),
      isolation: [{ name: 'network namespace (loopback only) per jest worker', on: true }],
      jobs: 2,
      runs: { graded: n * EXERCISES.length, resumed: 0 },
      roster: { file: 'roster.csv', missing, unrostered: [] },
      deadline: { at: deadline, policy: '10% per started day late', late: '10%/day' },
    },
    learners,
  };
}

module.exports = { EXERCISES, syntheticGradebook };
