// Moving a `course watch` session to another exercise: a done one is simply watched; one not done yet becomes the
// current one first (course.yaml saved, its stub kept for `course reset`). Part of the session's reducer.

import type { ExerciseSpec } from '../course/schema';
import type { SaveReason } from './events';
import { requestRun } from './runs';
import { exerciseOf, progressIn, type Step, type WatchState } from './state';

/** Watches `id` from now on: its files, a first check; what was on screen for the old one is gone. */
export function enter(state: WatchState, id: string): Step {
  const entered = { ...state, exerciseId: id, generation: state.generation + 1, result: undefined, panel: undefined, listCursor: undefined };
  const run = requestRun(entered, false);
  return { state: run.state, effects: [{ type: 'watch-files', exercise: exerciseOf(entered) }, ...run.effects] };
}

/** Moves to another exercise; one not done yet becomes the current one (saved first: `enter` follows the save). */
export function switchTo(state: WatchState, target: ExerciseSpec): Step {
  if (progressIn(target).status === 'done') return enter(state, target.id);
  const reason: SaveReason = { kind: 'switch', target: target.id };
  return {
    state,
    effects: [
      { type: 'snapshot-stub', exercise: target },
      { type: 'save', change: { kind: 'move-to', target: target.id }, reason },
    ],
  };
}
