// `course watch`: re-checks the exercise on every save, on a screen redrawn each run. This file only wires the
// pieces of grader/watch/: the session (a reducer over WatchEvents that decides everything), the keys, the file
// watching and the screen; it carries out the session's effects (run a check on one warm jest process, save
// progress through course-file.ts, draw) and feeds what happens back in as events.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { loadCourse, updateProgress } from '../course/course-file';
import { UsageError } from '../course/errors';
import { fsWatchWorks } from '../course/fs-probe';
import { pickExercise } from '../course/select';
import { stateDir } from '../paths';
import { takePrestarted } from '../run/prestart';
import type { RunEvent } from '../run/run-exercise';
import { markStage } from '../run/stage-marks';
import type { WatchEvent } from '../watch/events';
import { watchFiles, type FileWatch } from '../watch/files';
import { readKeys } from '../watch/keys';
import { renderScreen } from '../watch/screen';
import { reduce } from '../watch/session';
import { WarmChecks } from '../watch/warm-checks';
import { initialState, transitionOf, type Effect, type WatchState } from '../watch/state';
import { EXIT, type Command } from './command';
import { snapshotStub } from './next';

export const watch: Command = {
  name: 'watch',
  summary: 're-check your code every time you save it',
  usage: 'course watch [id] [--poll]',
  help: `Checks the exercise (the one whose folder you are in, else the current one, or the one you name)
now and again after every save of its files. The screen is redrawn on each run: a summary line with
progress bars, the failing tests first (the first one with its evidence), the passes counted. A trusted
jest process is kept warm between runs, so re-checks are quick. Your best score and whether the
exercise passed are saved as with check; only the re-runs you ask for (r) count as attempts, not the
runs on a save. A run stopped by quitting is not recorded.

Keys: n next exercise (once this one passed), h hint, l list of exercises (pick one to jump to),
r re-run, q quit (or Ctrl-C).

Options:
  --poll   look for changes by reading the files every 300 ms instead of file-system events. Chosen by
           itself when a probe shows that file-system events do not arrive (WSL2 on a Windows drive,
           network mounts)`,
  options: { poll: { type: 'boolean' } },
  async run(ctx, positionals, values) {
    if (positionals.length > 1) throw new UsageError('watch takes at most one exercise id');
    const loaded = loadCourse(ctx.root);
    const exercise = pickExercise(loaded, positionals[0], ctx.cwd);
    let poll = Boolean(values.poll);
    if (!poll && !(await fsWatchWorks(stateDirReady(ctx.root)))) {
      poll = true;
      process.stderr.write('course: file-system events do not arrive in this folder; watching by polling instead (--poll)\n');
    }

    let state: WatchState = initialState(loaded.data, exercise.id);
    const checks = new WarmChecks(takePrestarted());
    let files: FileWatch | undefined;
    let stopKeys: (() => void) | undefined;
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));

    const draw = () => {
      const text = renderScreen(state, { c: ctx.c, root: ctx.root, rows: process.stdout.rows || 24, columns: process.stdout.columns || 80, poll });
      // In a terminal the screen is redrawn (no newline after its last row: at the bottom of the terminal one would
      // scroll the title off); elsewhere each result is printed once, as a log.
      if (ctx.tty) process.stdout.write(`\x1b[H\x1b[2J\x1b[3J${text}`);
      else if (!state.running) ctx.print(`${text}\n`);
      markShown(state);
    };
    const dispatch = (event: WatchEvent) => {
      const step = reduce(state, event);
      state = step.state;
      for (const effect of step.effects) {
        try {
          perform(effect);
        } catch (err) {
          dispatch({ type: 'failed', message: message(err) });
        }
      }
    };
    const perform = (effect: Effect): void => {
      switch (effect.type) {
        case 'draw':
          return draw();
        case 'watch-files':
          files?.close();
          files = watchFiles(path.join(ctx.root, effect.exercise.dir), effect.exercise.files, { poll }, () => dispatch({ type: 'files-changed' }));
          return;
        case 'run': {
          const { generation } = effect;
          const onEvent = (event: RunEvent) => dispatch({ type: 'run-event', generation, event });
          checks.check(ctx, effect.exercise, onEvent).then(
            (result) => dispatch({ type: 'run-finished', generation, result }),
            (err: unknown) => dispatch({ type: 'run-failed', generation, message: message(err) }),
          );
          return;
        }
        case 'save': {
          const { reason } = effect;
          // Re-read inside the promise: an unreadable course.yaml is a save-failed, which the session recovers from.
          Promise.resolve()
            .then(() => updateProgress(loadCourse(ctx.root), transitionOf(effect.change, new Date().toISOString()), effect.ids))
            .then(
              (saved) => dispatch({ type: 'saved', reason, course: saved.data }),
              (err: unknown) => dispatch({ type: 'save-failed', reason, message: message(err) }),
            );
          return;
        }
        case 'snapshot-stub':
          return snapshotStub(ctx.root, effect.exercise);
        case 'quit':
          files?.close();
          checks.close();
          stopKeys?.();
          process.off('SIGINT', interrupt);
          process.stdout.off('resize', resize);
          return finish();
      }
    };
    const interrupt = () => dispatch({ type: 'interrupt' });
    const resize = () => dispatch({ type: 'resize' });
    process.on('SIGINT', interrupt);
    if (ctx.interactive) stopKeys = readKeys((key) => dispatch({ type: 'key', key }));
    if (ctx.tty) process.stdout.on('resize', resize);
    dispatch({ type: 'start' });
    await finished;
    if (ctx.tty) ctx.print();
    return EXIT.ok;
  },
};

function message(err: unknown): string {
  return String(err instanceof Error ? err.message : err);
}

/** For bench/watch.js (run-exercise's stage marks): a run's first test, or a whole result, is on the screen now. */
function markShown(state: WatchState): void {
  if (state.running?.done) markStage('first-shown');
  else if (!state.running && state.result) markStage('result-shown');
}

function stateDirReady(root: string): string {
  const dir = stateDir(root);
  mkdirSync(dir, { recursive: true });
  return dir;
}
