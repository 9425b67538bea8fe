// What each key does in a `course watch` session: in the list of exercises (move, Enter to jump, Esc to close) and
// on the results (r re-run, h hint, n next, l list, q quit). Part of the session's reducer: state in, state and
// effects out.

import { nextNotDone, revealHint } from '../course/progress';
import type { ExerciseSpec } from '../course/schema';
import type { Key } from './events';
import { switchTo } from './navigate';
import { draw, requestRun } from './runs';
import { exerciseOf, progressIn, type Panel, type Step, type WatchState } from './state';

export function hintPanel(exercise: ExerciseSpec, index: number): Panel {
  const total = exercise.hints.length;
  return { kind: 'hint', number: index + 1, total, text: exercise.hints[index]!.trim(), last: index === total - 1 };
}

export function message(state: WatchState, tone: 'warn' | 'error' | 'success', text: string): Step {
  return { state: { ...state, panel: { kind: 'message', tone, text } }, effects: [draw] };
}

export function onKey(state: WatchState, key: Key): Step {
  if (key === 'ctrl-c' || (state.listCursor === undefined && key === 'q')) return { state: { ...state, quitting: true }, effects: [{ type: 'quit' }] };
  return state.listCursor === undefined ? onResultsKey(state, key) : onListKey(state, state.listCursor, key);
}

function onListKey(state: WatchState, cursor: number, key: Key): Step {
  const list = state.course.exercises;
  const n = list.length;
  if (key === 'up' || key === 'k') return { state: { ...state, listCursor: (cursor + n - 1) % n }, effects: [draw] };
  if (key === 'down' || key === 'j') return { state: { ...state, listCursor: (cursor + 1) % n }, effects: [draw] };
  if (key === 'enter') {
    const target = list[cursor]!;
    const closed = { ...state, listCursor: undefined, panel: undefined };
    return target.id === state.exerciseId ? { state: closed, effects: [draw] } : switchTo(closed, target);
  }
  if (key === 'escape' || key === 'q' || key === 'l') return { state: { ...state, listCursor: undefined, panel: undefined }, effects: [draw] };
  return { state, effects: [] };
}

function onResultsKey(state: WatchState, key: Key): Step {
  const list = state.course.exercises;
  const exercise = exerciseOf(state);
  switch (key) {
    case 'r':
      return requestRun(state, true);
    case 'l':
      return { state: { ...state, listCursor: Math.max(0, list.indexOf(exercise)) }, effects: [draw] };
    case 'h':
      return showHint(state, exercise);
    case 'n': {
      if (state.result?.status !== 'passed') return message(state, 'warn', 'n moves on once this exercise passes (npx course next --force skips it).');
      const target = nextNotDone(list, list.indexOf(exercise) + 1);
      if (!target) return message(state, 'success', 'Every exercise is done. Quit and run npx course next to re-check them all and finish the course.');
      return switchTo(state, target);
    }
    default:
      return { state, effects: [] };
  }
}

function showHint(state: WatchState, exercise: ExerciseSpec): Step {
  const shown = revealHint(progressIn(exercise), exercise.hints);
  if (!shown) return { state: { ...state, panel: { kind: 'no-hints', exercise: exercise.id } }, effects: [draw] };
  // A hint seen for the first time is counted: the screen shows it once that is saved.
  if (shown.progress !== progressIn(exercise))
    return { state, effects: [{ type: 'save', ids: [exercise.id], change: { kind: 'hint' }, reason: { kind: 'hint', index: shown.index } }] };
  return { state: { ...state, panel: hintPanel(exercise, shown.index) }, effects: [draw] };
}
