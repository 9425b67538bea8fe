// Which exercise a command is about: the one named on the command line, or the learner's current one.

import type { LoadedCourse } from './course-file';
import { progressOf } from './course-file';
import { UsageError } from './errors';
import type { ExerciseSpec } from './schema';

export function exerciseById(course: LoadedCourse, id: string): ExerciseSpec {
  const found = course.data.exercises.find((e) => e.id === id || e.dir.endsWith(`/${id}`));
  if (!found) {
    const ids = course.data.exercises.map((e) => e.id).join(', ');
    throw new UsageError(`no exercise "${id}" in course.yaml (exercises: ${ids})`);
  }
  return found;
}

/** The exercise marked current, else the first one not done, else the last one. */
export function currentExercise(course: LoadedCourse): ExerciseSpec {
  const list = course.data.exercises;
  return (
    list.find((e) => progressOf(e).status === 'current') ??
    list.find((e) => progressOf(e).status !== 'done') ??
    list[list.length - 1]!
  );
}

export function pickExercise(course: LoadedCourse, id: string | undefined): ExerciseSpec {
  return id ? exerciseById(course, id) : currentExercise(course);
}

export function numberOf(course: LoadedCourse, exercise: ExerciseSpec): number {
  return course.data.exercises.indexOf(exercise) + 1;
}
