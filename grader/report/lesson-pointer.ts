// Feedback that points at the lesson (issue 23): under a failed test, the lesson sentences it checks and where
// they are ("lesson § <section>"), so the learner rereads exactly what they broke; one hint at the end says how to
// open the lesson. The sentences come from the course's requirements.yaml (trusted), never from the code under test.

import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };
import type { RequirementRef, TestResult } from '../run/result';

export interface LessonLinks {
  /** The exercise id, for the `course lesson <id>` hint. */
  exercise: string;
  requirements: RequirementRef[];
}

/** The lines under one failed test: one per requirement it names that the lesson links know. */
export function lessonLines(c: ChalkInstance, test: Pick<TestResult, 'requirements'>, links: LessonLinks | undefined, pad: string): string[] {
  if (!links) return [];
  const byId = new Map(links.requirements.map((r) => [r.id, r]));
  return (test.requirements ?? [])
    .map((id) => byId.get(id))
    .filter((r): r is RequirementRef => r !== undefined)
    .map((r) => `${pad}${c.cyan(`↳ lesson § ${r.section}`)} ${c.gray(`(${r.id})`)}: ${r.text}`);
}

/** The closing hint, when some failed test pointed at the lesson. */
export function lessonHint(c: ChalkInstance, links: LessonLinks): string {
  return c.gray(`(the lesson sections above: npx course lesson ${links.exercise})`);
}
