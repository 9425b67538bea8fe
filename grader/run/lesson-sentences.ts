// Feedback that points at the lesson (issue 23): a result carries the lesson sentences its tests name, so every
// reporter (the terminal, --json, feedback files, the grade report) can show a failure beside what it broke. A
// requirements.yaml that is missing or invalid is the author's problem (`course verify` reports it): a check then
// simply shows no sentences, it never fails because of it.

import type { ExerciseSpec } from '../course/schema';
import { loadRequirements } from '../course/requirements';
import type { RequirementRef, TestResult } from './result';

export function lessonSentences(courseRoot: string, exercise: Pick<ExerciseSpec, 'dir'>, tests: TestResult[]): RequirementRef[] {
  const named = new Set(tests.flatMap((t) => t.requirements ?? []));
  if (named.size === 0) return [];
  let requirements;
  try {
    requirements = loadRequirements(courseRoot, exercise) ?? [];
  } catch {
    return [];
  }
  return requirements.filter((r) => named.has(r.id)).map(({ id, section, text }) => ({ id, section, text }));
}

/** The two lists of a visible and a hidden run, each id once. */
export function joinSentences(a: RequirementRef[] | undefined, b: RequirementRef[] | undefined): RequirementRef[] | undefined {
  if (!a?.length && !b?.length) return a ?? b;
  const byId = new Map<string, RequirementRef>();
  for (const r of [...(a ?? []), ...(b ?? [])]) if (!byId.has(r.id)) byId.set(r.id, r);
  return [...byId.values()];
}
