// The `course watch` session (grader/watch/session.ts) without a process, a file or a terminal: a sequence of
// events in, the state and the effects out. A save effect is carried out here the way the command does it (the
// session's own transition applied to the course data), so the progress it saves is checked too.
import { Course, type CourseData } from '../../grader/course/schema';
import type { ExerciseResult } from '../../grader/run/result';
import type { WatchEvent } from '../../grader/watch/events';
import { renderScreen } from '../../grader/watch/screen';
import { reduce } from '../../grader/watch/session';
import { exerciseOf, initialState, transitionOf, type Effect, type WatchState } from '../../grader/watch/state';

const at = '2026-12-07T12:00:00.000Z';

function courseData(): CourseData {
  const exercise = (id: string, hints: string[]) => ({
    id,
    title: `The ${id}`,
    summary: 'An exercise.',
    dir: `exercises/${id}`,
    solution: `solutions/${id}`,
    files: [`${id}.ts`],
    suite: `harness/suites/${id}.test.ts`,
    hints,
  });
  return Course.parse({
    title: 'A course',
    exercises: [exercise('one', ['look at the table', 'count from 1']), exercise('two', []), exercise('three', ['just one'])],
  });
}

function result(exercise: string, status: ExerciseResult['status'], score: number, maxScore = 4): ExerciseResult {
  return { exercise, status, score, maxScore, tests: [], diagnostics: [], anomalies: [], seed: 1, durationMs: 5, filesHash: '', suiteHash: '' };
}

/** Feeds events one after the other; every effect is collected in order. */
function play(state: WatchState, ...events: WatchEvent[]): { state: WatchState; effects: Effect[] } {
  const effects: Effect[] = [];
  for (const event of events) {
    const step = reduce(state, event);
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

/** Carries out a save effect as the command does (the same transition, applied in memory) and reports it saved. */
function saved(state: WatchState, effect: Effect | undefined): WatchEvent {
  if (effect?.type !== 'save') throw new Error(`expected a save effect, got ${JSON.stringify(effect)}`);
  const change = transitionOf(effect.change, at);
  const course = structuredClone(state.course);
  for (const e of course.exercises) {
    if (effect.ids && !effect.ids.includes(e.id)) continue;
    const next = change(e.progress ?? { status: 'not-started', attempts: 0, hintsShown: 0 }, e);
    if (next) e.progress = next;
  }
  return { type: 'saved', reason: effect.reason, course };
}

const of = <T extends Effect['type']>(effects: Effect[], type: T) => effects.filter((e): e is Extract<Effect, { type: T }> => e.type === type);
const lastSave = (effects: Effect[]) => of(effects, 'save').at(-1);

/** A session on exercise one, its first run finished with `first` and saved. */
function started(first = result('one', 'failed', 1)): WatchState {
  let s = play(initialState(courseData(), 'one'), { type: 'start' });
  const gen = s.state.running!.generation;
  s = play(s.state, { type: 'run-finished', generation: gen, result: first });
  return play(s.state, saved(s.state, lastSave(s.effects))).state;
}

test('start watches the files and runs the first check; its result is shown once saved', () => {
  const s = play(initialState(courseData(), 'one'), { type: 'start' });
  expect(s.effects.map((e) => e.type)).toEqual(['watch-files', 'run', 'draw']);
  expect(of(s.effects, 'watch-files')[0]!.exercise.id).toBe('one');
  const gen = s.state.running!.generation;
  const finished = play(s.state, { type: 'run-finished', generation: gen, result: result('one', 'failed', 1) });
  expect(finished.state.result).toBeUndefined();
  expect(finished.effects.map((e) => e.type)).toEqual(['save']);
  const shown = play(finished.state, saved(finished.state, lastSave(finished.effects)));
  expect(shown.state.result?.score).toBe(1);
  expect(shown.state.running).toBeUndefined();
  expect(shown.effects).toEqual([{ type: 'draw' }]);
});

test('a save triggers a run', () => {
  const s = play(started(), { type: 'files-changed' });
  expect(of(s.effects, 'run')).toHaveLength(1);
  expect(of(s.effects, 'run')[0]!.exercise.id).toBe('one');
  expect(s.state.running).toMatchObject({ phase: 'compiling', asked: false });
});

test('saves during a run queue exactly one re-run, started when the run is over', () => {
  let s = play(started(), { type: 'files-changed' });
  const gen = s.state.running!.generation;
  s = play(s.state, { type: 'files-changed' }, { type: 'files-changed' }, { type: 'files-changed' });
  expect(of(s.effects, 'run')).toHaveLength(0);
  s = play(s.state, { type: 'run-finished', generation: gen, result: result('one', 'failed', 2) });
  expect(of(s.effects, 'run')).toHaveLength(0); // not before the result is saved
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(of(s.effects, 'run')).toHaveLength(1);
  expect(s.state.result?.score).toBe(2);
  expect(s.state.queued).toBeUndefined();
  // ...and only one: when that one finishes, nothing else runs.
  const again = s.state.running!.generation;
  s = play(s.state, { type: 'run-finished', generation: again, result: result('one', 'failed', 2) });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(of(s.effects, 'run')).toHaveLength(0);
  expect(s.state.running).toBeUndefined();
});

test('a save is not counted as an attempt; r (a check asked for) is', () => {
  let s = play(started(), { type: 'files-changed' });
  s = play(s.state, { type: 'run-finished', generation: s.state.running!.generation, result: result('one', 'failed', 3) });
  expect(lastSave(s.effects)!.change).toMatchObject({ kind: 'check', asked: false });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(exerciseOf(s.state).progress).toMatchObject({ attempts: 0, bestScore: 3, maxScore: 4, lastCheckedAt: at });

  s = play(s.state, { type: 'key', key: 'r' });
  s = play(s.state, { type: 'run-finished', generation: s.state.running!.generation, result: result('one', 'failed', 3) });
  expect(lastSave(s.effects)!.change).toMatchObject({ kind: 'check', asked: true });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(exerciseOf(s.state).progress!.attempts).toBe(1);
});

test('r during a run: the queued re-run counts as asked even when saves were queued too', () => {
  let s = play(started(), { type: 'files-changed' });
  const gen = s.state.running!.generation;
  s = play(s.state, { type: 'files-changed' }, { type: 'key', key: 'r' }, { type: 'files-changed' });
  s = play(s.state, { type: 'run-finished', generation: gen, result: result('one', 'failed', 1) });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(s.state.running).toMatchObject({ asked: true });
});

test('n before passing is refused with a word; n after a pass moves on and makes the next exercise current', () => {
  const failing = play(started(), { type: 'key', key: 'n' });
  expect(failing.state.panel).toMatchObject({ kind: 'message', text: expect.stringMatching(/n moves on once this exercise passes/) });
  expect(failing.state.exerciseId).toBe('one');

  let s = play(started(result('one', 'passed', 4)), { type: 'key', key: 'n' });
  expect(s.effects.map((e) => e.type)).toEqual(['snapshot-stub', 'save']);
  expect(lastSave(s.effects)!.change).toEqual({ kind: 'move-to', target: 'two' });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(s.state.exerciseId).toBe('two');
  expect(s.state.result).toBeUndefined();
  expect(s.effects.map((e) => e.type)).toEqual(['watch-files', 'run', 'draw']);
  expect(of(s.effects, 'run')[0]!.exercise.id).toBe('two');
  expect(s.state.course.exercises.map((e) => e.progress?.status)).toEqual(['done', 'current', undefined]);
});

test('n when every exercise is done says so and stays', () => {
  const course = courseData();
  for (const e of course.exercises) e.progress = { status: 'done', attempts: 1, hintsShown: 0 };
  let s = play(initialState(course, 'one'), { type: 'start' });
  s = play(s.state, { type: 'run-finished', generation: s.state.running!.generation, result: result('one', 'passed', 4) });
  s = play(s.state, saved(s.state, lastSave(s.effects)), { type: 'key', key: 'n' });
  expect(s.state.panel).toMatchObject({ kind: 'message', tone: 'success', text: expect.stringMatching(/Every exercise is done/) });
  expect(s.state.exerciseId).toBe('one');
});

test('h shows the next hint once it is counted, and says when it was the last', () => {
  let s = play(started(), { type: 'key', key: 'h' });
  expect(s.state.panel).toBeUndefined(); // shown once saved
  expect(lastSave(s.effects)!.change).toEqual({ kind: 'hint' });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(s.state.panel).toEqual({ kind: 'hint', number: 1, total: 2, text: 'look at the table', last: false });
  expect(exerciseOf(s.state).progress!.hintsShown).toBe(1);

  s = play(s.state, { type: 'key', key: 'h' });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(s.state.panel).toEqual({ kind: 'hint', number: 2, total: 2, text: 'count from 1', last: true });
  const screen = renderScreen(s.state, { c: plainChalk, root: '/course', rows: 40, columns: 100, poll: false });
  expect(screen).toMatch(/Hint 2 of 2:\ncount from 1\n\(that was the last hint\)/);

  // All shown: the last again, nothing more to save.
  s = play(s.state, { type: 'key', key: 'h' });
  expect(of(s.effects, 'save')).toHaveLength(0);
  expect(s.state.panel).toMatchObject({ number: 2, last: true });
});

test('h on an exercise without hints points to the lesson', () => {
  const course = courseData();
  const s = play(initialState(course, 'two'), { type: 'key', key: 'h' });
  expect(s.state.panel).toEqual({ kind: 'no-hints', exercise: 'two' });
  expect(of(s.effects, 'save')).toHaveLength(0);
});

test('the list: down and Enter jump to another exercise; the run in progress is not recorded', () => {
  let s = play(started(), { type: 'files-changed' });
  const oldRun = s.state.running!.generation;
  s = play(s.state, { type: 'key', key: 'l' }, { type: 'key', key: 'down' }, { type: 'key', key: 'down' });
  expect(s.state.listCursor).toBe(2);
  expect(renderScreen(s.state, { c: plainChalk, root: '/course', rows: 40, columns: 100, poll: false })).toMatch(/❯ +3\. three/);
  s = play(s.state, { type: 'key', key: 'enter' });
  expect(lastSave(s.effects)!.change).toEqual({ kind: 'move-to', target: 'three' });
  s = play(s.state, saved(s.state, lastSave(s.effects)));
  expect(s.state.exerciseId).toBe('three');
  expect(of(s.effects, 'run')).toHaveLength(0); // one check at a time: three's waits for the old run
  s = play(s.state, { type: 'run-finished', generation: oldRun, result: result('one', 'passed', 4) });
  expect(of(s.effects, 'save')).toHaveLength(0);
  expect(of(s.effects, 'run')[0]!.exercise.id).toBe('three');
  expect(exerciseOf(s.state, 'one').progress!.status).not.toBe('done');
});

test('q quits and cleans up; a run still going is not recorded', () => {
  let s = play(started(), { type: 'files-changed' });
  const gen = s.state.running!.generation;
  s = play(s.state, { type: 'key', key: 'q' });
  expect(s.effects).toEqual([{ type: 'quit' }]);
  s = play(s.state, { type: 'run-finished', generation: gen, result: result('one', 'passed', 4) }, { type: 'files-changed' }, { type: 'key', key: 'h' });
  expect(s.effects).toEqual([]);
  // Ctrl-C (a key in raw mode, SIGINT otherwise) quits too; q inside the list only closes it.
  expect(play(started(), { type: 'interrupt' }).effects).toEqual([{ type: 'quit' }]);
  const list = play(started(), { type: 'key', key: 'l' }, { type: 'key', key: 'q' });
  expect(list.state).toMatchObject({ quitting: false, listCursor: undefined });
});

test('a check that could not run shows why and frees the session for the next save', () => {
  let s = play(started(), { type: 'files-changed' });
  s = play(s.state, { type: 'run-failed', generation: s.state.running!.generation, message: 'jest died' });
  expect(s.state.panel).toMatchObject({ kind: 'message', tone: 'error', text: 'jest died' });
  expect(s.state.running).toBeUndefined();
  expect(of(play(s.state, { type: 'files-changed' }).effects, 'run')).toHaveLength(1);
});

// Colours off: the screen's text as a test reads it.
const identity = (text: string) => text;
const plainChalk = new Proxy(identity, { get: () => plainChalk }) as unknown as Parameters<typeof renderScreen>[1]['c'];

test('a result that could not be saved (course.yaml unreadable) is still shown, with why, and the next save runs', () => {
  let s = play(started(), { type: 'files-changed' });
  s = play(s.state, { type: 'run-finished', generation: s.state.running!.generation, result: result('one', 'failed', 2) });
  s = play(s.state, { type: 'save-failed', reason: lastSave(s.effects)!.reason, message: 'course.yaml:3:1: invalid YAML' });
  expect(s.state).toMatchObject({ running: undefined, result: { score: 2 }, panel: { kind: 'message', tone: 'error', text: 'course.yaml:3:1: invalid YAML' } });
  expect(of(play(s.state, { type: 'files-changed' }).effects, 'run')).toHaveLength(1);
});
