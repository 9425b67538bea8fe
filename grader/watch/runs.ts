// The checks of a `course watch` session: one at a time (one warm jest process), at most one more queued behind it,
// and a result counted only when it belongs to the exercise on screen (its generation). Part of the session's
// reducer (session.ts): pure functions from state to state and effects.

import type { ExerciseResult } from '../run/result';
import type { RunEvent } from '../run/run-exercise';
import type { SaveReason } from './events';
import { exerciseOf, type Effect, type Running, type Step, type WatchState } from './state';

export const draw: Effect = { type: 'draw' };

/** A check asked for (`asked`: by the learner, `r`) or caused by a save: started now, or queued behind the running one. */
export function requestRun(state: WatchState, asked: boolean): Step {
  if (state.quitting) return { state, effects: [] };
  if (state.running) return { state: { ...state, queued: { asked: asked || Boolean(state.queued?.asked) } }, effects: [] };
  const generation = state.generation + 1;
  const running: Running = { generation, asked, phase: 'compiling', expected: 0, done: 0, failed: 0 };
  // A new run replaces the old panel (a hint asked for during this run stays until the next one); not the list.
  const panel = state.listCursor === undefined ? undefined : state.panel;
  return { state: { ...state, generation, running, queued: undefined, panel }, effects: [{ type: 'run', exercise: exerciseOf(state), generation }, draw] };
}

/** The running check is over (shown, discarded or failed): start the queued one, if any. */
export function afterRun(state: WatchState, effects: Effect[]): Step {
  const idle = { ...state, running: undefined, queued: undefined };
  if (!state.queued) return { state: idle, effects };
  const next = requestRun(idle, state.queued.asked);
  return { state: next.state, effects: [...effects, ...next.effects] };
}

/** Progress of the running check (compiling, tests expected, a test's result) for the status line. */
export function runProgressed(state: WatchState, generation: number, event: RunEvent): Step {
  const r = state.running;
  if (!r || r.generation !== generation || r.finished) return { state, effects: [] };
  const running = { ...r };
  if (event.type === 'phase') running.phase = event.phase === 'testing' ? 'running tests' : event.phase;
  if (event.type === 'expected') running.expected = event.count;
  if (event.type === 'test-result') {
    running.done++;
    if (event.test.status !== 'passed') running.failed++;
  }
  return { state: { ...state, running }, effects: event.type === 'test-start' ? [] : [draw] };
}

/** A check finished: its result is saved first (shown once saved), unless the learner switched exercise meanwhile. */
export function runFinished(state: WatchState, generation: number, result: ExerciseResult): Step {
  const r = state.running;
  if (!r || r.generation !== generation) return { state, effects: [] };
  // Switched exercise during the run: its result is not an attempt, and not shown.
  if (r.generation !== state.generation) return afterRun(state, []);
  const reason: SaveReason = { kind: 'check' };
  const save: Effect = { type: 'save', ids: [state.exerciseId], change: { kind: 'check', result, asked: r.asked }, reason };
  return { state: { ...state, running: { ...r, finished: result } }, effects: [save] };
}

/** The check could not run (not a failing test): say why, and free the session for the next save. */
export function runFailed(state: WatchState, generation: number, message: string): Step {
  if (state.running?.generation !== generation) return { state, effects: [] };
  return afterRun({ ...state, panel: { kind: 'message', tone: 'error', text: message } }, [draw]);
}

/** The check's result was saved (or could not be): shown now, with the progress it made. */
export function runSaved(state: WatchState): Step {
  const r = state.running;
  const shown = r?.finished && r.generation === state.generation ? { ...state, result: r.finished } : state;
  return afterRun(shown, [draw]);
}
