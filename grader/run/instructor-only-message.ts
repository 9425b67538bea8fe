// A message of the instructor-only suite (`<id>.hidden.test.ts`), as joinHidden (hidden.ts) words it for the
// instructor, and where a result says it came from there: `messageFrom`, a field, so what a learner is shown
// (report/learner-view.ts) is decided on data, never on the words. Results written before the field existed are
// read back by a resumed run (the checkpoint) and by `course merge`: withMessageFrom reads their wording once, there.

/** "<the suite's machinery message> (in the instructor-only suite)": a machinery failure keeps its leading words. */
export const IN_INSTRUCTOR_ONLY_SUITE = 'in the instructor-only suite';
/** "instructor-only tests: <status or message>". */
export const INSTRUCTOR_ONLY_TESTS = 'instructor-only tests';

/** The message that stands for the instructor-only suite's outcome when it alone did not complete. */
export function instructorOnlyMessage(status: string, message: string | undefined): string {
  return status === 'error' ? `${message} (${IN_INSTRUCTOR_ONLY_SUITE})` : `${INSTRUCTOR_ONLY_TESTS}: ${message ?? status}`;
}

/** A result (or outcome) of an earlier version with `messageFrom` set from its message's wording. */
export function withMessageFrom<T extends { message?: string; messageFrom?: 'suite' | 'instructor-only'; hidden?: unknown }>(r: T): T {
  // Every result with an instructor-only part says where its message came from since the field exists.
  if (r.messageFrom || !r.hidden) return r;
  const legacy = r.message !== undefined && (r.message.endsWith(`(${IN_INSTRUCTOR_ONLY_SUITE})`) || r.message.startsWith(`${INSTRUCTOR_ONLY_TESTS}:`));
  return { ...r, messageFrom: legacy ? 'instructor-only' : 'suite' };
}
