// A `course watch` session as a reducer: (state, event) → state + effects. It decides everything (when a check
// runs, which result counts, what the keys do, what the screen shows) and does nothing: effects are data that the
// command (commands/watch.ts) carries out, answering with more events. So the whole behaviour is unit-tested by
// feeding events, with no process, file or terminal (test/watch/session.test.ts). Modelled on rustlings' watch.
// The parts: runs.ts (one check at a time), on-key.ts (the keys), navigate.ts (moving to another exercise).

import type { WatchEvent } from './events';
import { enter } from './navigate';
import { hintPanel, message, onKey } from './on-key';
import { draw, requestRun, runFailed, runFinished, runProgressed, runSaved } from './runs';
import { exerciseOf, type Step, type WatchState } from './state';

export function reduce(state: WatchState, event: WatchEvent): Step {
  // Quitting: nothing more happens (a run stopped by quitting is not counted).
  if (state.quitting) return { state, effects: [] };
  switch (event.type) {
    case 'start':
      return enter(state, state.exerciseId);
    case 'files-changed':
      return requestRun(state, false);
    case 'key':
      return onKey(state, event.key);
    case 'interrupt':
      return onKey(state, 'ctrl-c');
    case 'resize':
      return { state, effects: [draw] };
    case 'failed':
      return message(state, 'error', event.message);
    case 'run-event':
      return runProgressed(state, event.generation, event.event);
    case 'run-finished':
      return runFinished(state, event.generation, event.result);
    case 'run-failed':
      return runFailed(state, event.generation, event.message);
    case 'saved':
    case 'save-failed':
      return onSaved(state, event);
  }
}

/** course.yaml was written (or could not be): the step that asked for it goes on. */
function onSaved(state: WatchState, event: Extract<WatchEvent, { type: 'saved' | 'save-failed' }>): Step {
  const next: WatchState =
    event.type === 'saved' ? { ...state, course: event.course } : { ...state, panel: { kind: 'message', tone: 'error', text: event.message } };
  const reason = event.reason;
  if (reason.kind === 'check') return runSaved(next);
  if (event.type === 'save-failed') return { state: next, effects: [draw] };
  if (reason.kind === 'switch') return enter(next, reason.target);
  return { state: { ...next, panel: hintPanel(exerciseOf(next), reason.index) }, effects: [draw] };
}
