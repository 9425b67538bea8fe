// What one `course grade` grades (issue 22.7): every exercise (the default), an assignment of course.yaml
// (`--assignment lab3`: its exercises, its points, its due date and late policy) or an ad-hoc set (`--exercises
// a,b`). The chosen exercises go to the batch with their points already set to what the assignment gives them, so
// every output (the gradebook, the LMS column's "Points Possible", the feedback files) holds only what was assigned.

import type { AssignmentSpec, CourseData, ExerciseSpec } from '../course/schema';
import { resolvePoints, scalePoints } from './points';

export class SelectionError extends Error {}

/** The assignment a gradebook was made for (stored in its meta). */
export interface AssignmentMeta {
  id: string;
  title: string;
  /** What the assignment is worth in all. */
  points: number;
}

export interface Selection {
  exercises: ExerciseSpec[];
  assignment?: AssignmentSpec;
}

/** "a, b,c" or repeated flags to ids, once each. */
export function splitIds(value: string | string[]): string[] {
  return [
    ...new Set(
      (Array.isArray(value) ? value : [value])
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/** Each exercise of the assignment's share of its points (an exercise's own `points:` when the assignment has none). */
export function assignmentShares(assignment: AssignmentSpec, exercises: ExerciseSpec[]): Map<string, number> {
  const shares = new Map<string, number>();
  for (const id of assignment.exercises) {
    const own = resolvePoints(exercises.find((e) => e.id === id)?.points).total;
    const given = assignment.points;
    shares.set(id, given === undefined ? own : typeof given === 'number' ? given / assignment.exercises.length : given[id]!);
  }
  return shares;
}

/** The exercises a run grades; an unknown assignment or exercise is an error naming the valid ones. */
export function selectExercises(course: CourseData, choice: { assignment?: string; exercises?: string[] }): Selection {
  if (choice.assignment !== undefined && choice.exercises !== undefined) throw new SelectionError('--assignment and --exercises cannot be used together');
  const ids = course.exercises.map((e) => e.id);
  if (choice.exercises !== undefined) {
    if (!choice.exercises.length) throw new SelectionError(`--exercises takes exercise ids, e.g. --exercises ${ids.slice(0, 2).join(',')}`);
    const unknown = choice.exercises.filter((id) => !ids.includes(id));
    if (unknown.length) throw new SelectionError(`--exercises: no exercise ${unknown.map((id) => `"${id}"`).join(', ')}; the exercises are: ${ids.join(', ')}`);
    // In course order, whatever the order on the command line: the columns of every output follow the course.
    return { exercises: course.exercises.filter((e) => choice.exercises!.includes(e.id)) };
  }
  if (choice.assignment === undefined) return { exercises: course.exercises };
  const assignments = course.assignments ?? [];
  const assignment = assignments.find((a) => a.id === choice.assignment);
  if (!assignment) {
    throw new SelectionError(
      assignments.length
        ? `--assignment: no assignment "${choice.assignment}"; the assignments are: ${assignments.map((a) => a.id).join(', ')}`
        : `--assignment: course.yaml has no assignments: (add one, e.g. "assignments: [{ id: lab1, exercises: [${ids[0]}] }]", or use --exercises ${ids[0]})`,
    );
  }
  const shares = assignmentShares(assignment, course.exercises);
  const exercises = course.exercises
    .filter((e) => assignment.exercises.includes(e.id))
    .map((e) => ({ ...e, points: scalePoints(resolvePoints(e.points), shares.get(e.id)!) }));
  return { exercises, assignment };
}

export function assignmentMeta(assignment: AssignmentSpec, exercises: ExerciseSpec[]): AssignmentMeta {
  const points = [...assignmentShares(assignment, exercises).values()].reduce((s, n) => s + n, 0);
  return { id: assignment.id, title: assignment.title ?? assignment.id, points: Math.round(points * 100) / 100 };
}
