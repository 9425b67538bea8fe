// Which exercise a command is about: the one named on the command line (by id, number or folder name), the one
// whose folder the command was run from, or the learner's current one.

import path from 'node:path';
import type { LoadedCourse } from './course-file';
import { progressOf } from './course-file';
import { UsageError } from './errors';
import type { ExerciseSpec } from './schema';
import { closestNames } from '../did-you-mean';

/** The ids closest to a mistyped one (at most a third of its letters wrong), best first. */
export function closestIds(course: LoadedCourse, typed: string): string[] {
  return closestNames(
    course.data.exercises.map((e) => e.id),
    typed,
  );
}

/** An exercise by id ("hpack-table"), number ("1", as `course status` shows it) or folder name ("01-hpack-table"). */
export function exerciseById(course: LoadedCourse, id: string): ExerciseSpec {
  const list = course.data.exercises;
  if (/^\d+$/.test(id)) {
    const n = Number(id);
    const byNumber = list[n - 1];
    if (!byNumber || n < 1) throw new UsageError(`no exercise number ${id}: the course has exercises 1 to ${list.length} (npx course status lists them)`);
    return byNumber;
  }
  const found = list.find((e) => e.id === id || path.posix.basename(e.dir) === id);
  if (found) return found;
  const near = closestIds(course, id.toLowerCase());
  if (near.length)
    throw new UsageError(
      `no exercise "${id}" in course.yaml. Did you mean ${near
        .slice(0, 3)
        .map((n) => `"${n}"`)
        .join(' or ')}?`,
    );
  throw new UsageError(`no exercise "${id}" in course.yaml (exercises: ${list.map((e, i) => `${i + 1} ${e.id}`).join(', ')})`);
}

/**
 * The learner's current exercise: the one `course next` marked current; once it has passed (done), it stays the
 * current one until `next` moves on, so it is the done exercise checked last; with no progress at all, the first
 * one not done; after the whole course, the last one.
 */
export function currentExercise(course: LoadedCourse): ExerciseSpec {
  const list = course.data.exercises;
  const marked = list.find((e) => progressOf(e).status === 'current');
  if (marked) return marked;
  let lastDone: ExerciseSpec | undefined;
  for (const e of list) {
    const p = progressOf(e);
    if (p.status !== 'done') continue;
    const at = p.lastCheckedAt ?? p.passedAt ?? '';
    const best = lastDone ? (progressOf(lastDone).lastCheckedAt ?? progressOf(lastDone).passedAt ?? '') : undefined;
    if (best === undefined || at >= best) lastDone = e;
  }
  return lastDone ?? list.find((e) => progressOf(e).status !== 'done') ?? list[list.length - 1]!;
}

/** The exercise whose folder `cwd` is in (or below), if any. */
export function exerciseAt(course: LoadedCourse, cwd: string | undefined): ExerciseSpec | undefined {
  if (!cwd) return undefined;
  const rel = path.relative(course.root, path.resolve(cwd));
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  return course.data.exercises.find((e) => {
    const dir = e.dir.split('/');
    return dir.length <= parts.length && dir.every((p, i) => p === parts[i]);
  });
}

/** The exercise named on the command line, else the one whose folder the command runs in, else the current one. */
export function pickExercise(course: LoadedCourse, id: string | undefined, cwd?: string): ExerciseSpec {
  if (id) return exerciseById(course, id);
  return exerciseAt(course, cwd) ?? currentExercise(course);
}

export function numberOf(course: LoadedCourse, exercise: ExerciseSpec): number {
  return course.data.exercises.findIndex((e) => e.id === exercise.id) + 1;
}
