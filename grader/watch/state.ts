// The state of a `course watch` session and the effects it asks for (cf. rustlings' watch/state.rs): plain data,
// so the reducer (session.ts) is a pure function and its tests compare values.

import { changed, moveTo, recordCheck, revealHint, type Progress } from '../course/progress';
import type { CourseData, ExerciseSpec } from '../course/schema';
import type { ExerciseResult } from '../run/result';
import type { SaveReason } from './events';

/** A change of progress to save; transitionOf turns it into progress.ts's transition. */
export type Change = { kind: 'check'; result: ExerciseResult; asked: boolean } | { kind: 'hint' } | { kind: 'move-to'; target: string };

export type Effect =
  | { type: 'draw' }
  /** Watch this exercise's files (instead of the ones watched before). */
  | { type: 'watch-files'; exercise: ExerciseSpec }
  | { type: 'run'; exercise: ExerciseSpec; generation: number }
  /** Apply `change` to course.yaml (only to `ids` when given) and answer `saved` / `save-failed` with `reason`. */
  | { type: 'save'; ids?: string[]; change: Change; reason: SaveReason }
  /** Keep the untouched stub of an exercise about to become current (for `course reset`). */
  | { type: 'snapshot-stub'; exercise: ExerciseSpec }
  /** Stop watching, stop the jest process, give the terminal back, end the command. */
  | { type: 'quit' };

export type Panel =
  | { kind: 'hint'; number: number; total: number; text: string; last: boolean }
  | { kind: 'no-hints'; exercise: string }
  | { kind: 'message'; tone: 'warn' | 'error' | 'success'; text: string };

export interface Running {
  generation: number;
  /** The learner asked for this run (`r`): it counts as an attempt. */
  asked: boolean;
  phase: string;
  expected: number;
  done: number;
  failed: number;
  /** The run finished and its result is being saved: shown once saved, with the progress it made. */
  finished?: ExerciseResult;
}

export interface WatchState {
  course: CourseData;
  exerciseId: string;
  /** Bumped by every run and every switch of exercise: a result of an older generation is not the learner's now. */
  generation: number;
  /** One check at a time (one warm jest process). */
  running?: Running;
  /** At most one check waits for the running one; asked if any request for it was. */
  queued?: { asked: boolean };
  result?: ExerciseResult;
  panel?: Panel;
  /** The list of exercises is open, the cursor on this index. */
  listCursor?: number;
  quitting: boolean;
}

export interface Step {
  state: WatchState;
  effects: Effect[];
}

export function initialState(course: CourseData, exerciseId: string): WatchState {
  return { course, exerciseId, generation: 0, quitting: false };
}

export function exerciseOf(state: WatchState, id = state.exerciseId): ExerciseSpec {
  return state.course.exercises.find((e) => e.id === id)!;
}

export const progressIn = (e: ExerciseSpec): Progress => e.progress ?? { status: 'not-started', attempts: 0, hintsShown: 0 };

/** The transition a saved change applies to one exercise's progress (the command runs it inside the lock). */
export function transitionOf(change: Change, at: string): (p: Progress, exercise: ExerciseSpec) => Progress | undefined {
  switch (change.kind) {
    case 'check':
      return (p) => changed(p, recordCheck(p, change.result, { asked: change.asked, at }));
    case 'hint':
      return (p, e) => changed(p, revealHint(p, e.hints)?.progress ?? p);
    case 'move-to': {
      const move = moveTo(change.target, at);
      return (p, e) => changed(p, move(p, e.id));
    }
  }
}
