// What a learner may be shown of a graded exercise: every output handed back to learners (feedback files,
// Gradescope's and Exercism's results.json) is built from this view, never from the raw outcome. The
// instructor-only suite's tests (TestResult.hidden) are left out with their names, messages and the inputs those
// quote; what the run said about them (the exercise's message, the test that hung, anomalies naming them) is cut
// to a sentence with no name in it. Their score stays: a count and a score line is all a learner gets of them.
// The instructor's outputs (results/, report.html, junit.xml, gradebook.json) keep everything.

import type { ExerciseOutcome } from '../batch/model';
import { MACHINERY } from '../run/run-exercise';
import { untrusted, type Untrusted } from './escape';

/** How the instructor-only part appears to a learner, in place of anything that named its tests. */
export const INSTRUCTOR_ONLY_SUMMARY = 'instructor-only tests';

/** The sentence that replaces a message about the instructor-only suite. */
function instructorOnlySentence(status: string): Untrusted {
  return untrusted(status === 'error' ? `${MACHINERY} in the ${INSTRUCTOR_ONLY_SUMMARY} (not about your code)` : `${INSTRUCTOR_ONLY_SUMMARY}: ${status}`);
}

/** The outcome without the instructor-only tests and without any text that names them. */
export function learnerOutcome(o: ExerciseOutcome): ExerciseOutcome {
  const instructorOnlyTests = o.tests.filter((t) => t.hidden);
  if (!o.hidden && !instructorOnlyTests.length) return o;
  const secrets = [...new Set(instructorOnlyTests.flatMap((t) => [t.fullName, t.title]).filter((s) => s.length >= 4))];
  const names = (text: string) => secrets.some((s) => text.includes(s));
  let message = o.message;
  if (message !== undefined && o.hidden && (o.messageFrom === 'instructor-only' || names(message))) {
    message = instructorOnlySentence(o.hidden.status);
  }
  const out: ExerciseOutcome = {
    ...o,
    tests: o.tests.filter((t) => !t.hidden),
    anomalies: o.anomalies.map((a) => (names(a) ? untrusted(`something in the ${INSTRUCTOR_ONLY_SUMMARY}`) : a)),
    ...(o.hidden ? { hidden: { status: o.hidden.status, score: o.hidden.score, maxScore: o.hidden.maxScore } } : {}),
  };
  if (message === undefined) delete out.message;
  else out.message = message;
  if (o.hungTest !== undefined && (instructorOnlyTests.some((t) => t.fullName === o.hungTest) || names(o.hungTest))) delete out.hungTest;
  return out;
}

/** A learner's reason line (rejection, machinery failure) with instructor-only test names cut. */
export function learnerReason(reason: Untrusted | undefined, outcomes: ExerciseOutcome[]): Untrusted | undefined {
  if (reason === undefined) return undefined;
  const secrets = outcomes.flatMap((o) => o.tests.filter((t) => t.hidden).flatMap((t) => [t.fullName, t.title])).filter((s) => s.length >= 4);
  // The reason is the message of the exercise that failed (batch/assemble.ts): from the instructor-only suite or not.
  const fromInstructorOnly = outcomes.some((o) => o.messageFrom === 'instructor-only' && o.message === reason);
  return fromInstructorOnly || secrets.some((s) => reason.includes(s)) ? instructorOnlySentence('error') : reason;
}
