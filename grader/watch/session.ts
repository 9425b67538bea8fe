// A `course watch` session as a reducer: (state, event) → state + effects. It decides everything (when a check
// runs, which result counts, what the keys do, what the screen shows) and does nothing: effects are data that the
// command (commands/watch.ts) carries out, answering with more events. So the whole behaviour is unit-tested by
// feeding events, with no process, file or terminal (test/watch/session.test.ts). Modelled on rustlings' watch.

import { nextNotDone, revealHint } from '../course/progress';
import type { ExerciseSpec } from '../course/schema';
import type { SaveReason, WatchEvent } from './events';
import { exerciseOf, progressIn, type Effect, type Panel, type Running, type Step, type WatchState } from './state';

const draw: Effect = { type: 'draw' };

function requestRun(state: WatchState, asked: boolean): Step {
  if (state.quitting) return { state, effects: [] };
  if (state.running) return { state: { ...state, queued: { asked: asked || Boolean(state.queued?.asked) } }, effects: [] };
  const generation = state.generation + 1;
  const running: Running = { generation, asked, phase: 'compiling', expected: 0, done: 0, failed: 0 };
  // A new run replaces the old panel (a hint asked for during this run stays until the next one); not the list.
  const panel = state.listCursor === undefined ? undefined : state.panel;
  return { state: { ...state, generation, running, queued: undefined, panel }, effects: [{ type: 'run', exercise: exerciseOf(state), generation }, draw] };
}

/** The running check is over (shown, discarded or failed): start the queued one, if any. */
function afterRun(state: WatchState, effects: Effect[]): Step {
  const idle = { ...state, running: undefined, queued: undefined };
  if (!state.queued) return { state: idle, effects };
  const next = requestRun(idle, state.queued.asked);
  return { state: next.state, effects: [...effects, ...next.effects] };
}

function enter(state: WatchState, id: string): Step {
  const entered = { ...state, exerciseId: id, generation: state.generation + 1, result: undefined, panel: undefined, listCursor: undefined };
  const run = requestRun(entered, false);
  return { state: run.state, effects: [{ type: 'watch-files', exercise: exerciseOf(entered) }, ...run.effects] };
}

/** Moves to another exercise; one not done yet becomes the current one (saved first). */
function switchTo(state: WatchState, target: ExerciseSpec): Step {
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

function onKey(state: WatchState, key: string): Step {
  if (key === 'ctrl-c' || (state.listCursor === undefined && key === 'q')) return { state: { ...state, quitting: true }, effects: [{ type: 'quit' }] };
  const list = state.course.exercises;
  if (state.listCursor !== undefined) {
    const n = list.length;
    if (key === 'up' || key === 'k') return { state: { ...state, listCursor: (state.listCursor + n - 1) % n }, effects: [draw] };
    if (key === 'down' || key === 'j') return { state: { ...state, listCursor: (state.listCursor + 1) % n }, effects: [draw] };
    if (key === 'enter') {
      const target = list[state.listCursor]!;
      const closed = { ...state, listCursor: undefined, panel: undefined };
      return target.id === state.exerciseId ? { state: closed, effects: [draw] } : switchTo(closed, target);
    }
    if (key === 'escape' || key === 'q' || key === 'l') return { state: { ...state, listCursor: undefined, panel: undefined }, effects: [draw] };
    return { state, effects: [] };
  }
  const exercise = exerciseOf(state);
  switch (key) {
    case 'r':
      return requestRun(state, true);
    case 'l':
      return { state: { ...state, listCursor: Math.max(0, list.indexOf(exercise)) }, effects: [draw] };
    case 'h': {
      const shown = revealHint(progressIn(exercise), exercise.hints);
      if (!shown) return { state: { ...state, panel: { kind: 'no-hints', exercise: exercise.id } }, effects: [draw] };
      // A hint seen for the first time is counted: the screen shows it once that is saved.
      if (shown.progress !== progressIn(exercise))
        return { state, effects: [{ type: 'save', ids: [exercise.id], change: { kind: 'hint' }, reason: { kind: 'hint', index: shown.index } }] };
      return { state: { ...state, panel: hintPanel(exercise, shown.index) }, effects: [draw] };
    }
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

function hintPanel(exercise: ExerciseSpec, index: number): Panel {
  const total = exercise.hints.length;
  return { kind: 'hint', number: index + 1, total, text: exercise.hints[index]!.trim(), last: index === total - 1 };
}

function message(state: WatchState, tone: 'warn' | 'error' | 'success', text: string): Step {
  return { state: { ...state, panel: { kind: 'message', tone, text } }, effects: [draw] };
}

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
    case 'run-event': {
      const r = state.running;
      if (!r || r.generation !== event.generation || r.finished) return { state, effects: [] };
      const e = event.event;
      const running = { ...r };
      if (e.type === 'phase') running.phase = e.phase === 'testing' ? 'running tests' : e.phase;
      if (e.type === 'expected') running.expected = e.count;
      if (e.type === 'test-result') {
        running.done++;
        if (e.test.status !== 'passed') running.failed++;
      }
      return { state: { ...state, running }, effects: e.type === 'test-start' ? [] : [draw] };
    }
    case 'run-finished': {
      const r = state.running;
      if (!r || r.generation !== event.generation) return { state, effects: [] };
      // Switched exercise during the run: its result is not an attempt, and not shown.
      if (r.generation !== state.generation) return afterRun(state, []);
      const reason: SaveReason = { kind: 'check' };
      const save: Effect = { type: 'save', ids: [state.exerciseId], change: { kind: 'check', result: event.result, asked: r.asked }, reason };
      return { state: { ...state, running: { ...r, finished: event.result } }, effects: [save] };
    }
    case 'run-failed': {
      if (state.running?.generation !== event.generation) return { state, effects: [] };
      return afterRun({ ...state, panel: { kind: 'message', tone: 'error', text: event.message } }, [draw]);
    }
    case 'saved':
    case 'save-failed': {
      const next =
        event.type === 'saved'
          ? { ...state, course: event.course }
          : { ...state, panel: { kind: 'message' as const, tone: 'error' as const, text: event.message } };
      const reason = event.reason;
      if (reason.kind === 'check') {
        const r = state.running;
        const shown = r?.finished && r.generation === state.generation ? { ...next, result: r.finished } : next;
        return afterRun(shown, [draw]);
      }
      if (reason.kind === 'switch' && event.type === 'saved') return enter(next, reason.target);
      if (reason.kind === 'hint' && event.type === 'saved') return { state: { ...next, panel: hintPanel(exerciseOf(next), reason.index) }, effects: [draw] };
      return { state: next, effects: [draw] };
    }
  }
}
