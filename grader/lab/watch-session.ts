// The lab's check/watch view is `course watch`'s own session (grader/watch/session.ts, a reducer over watch
// events), carried out for a browser instead of a terminal: the same warm jest process, the same file watching,
// the same progress saved to course.yaml. A "draw" becomes a WatchView pushed to every open page; each test's
// result is pushed the moment it finishes; the Check button is watch's `r` (a check that counts as an attempt).
// The learner's code runs only where `check` runs it: in the sandbox host started by the trusted jest process.

import path from 'node:path';
import { loadCourse, updateProgress } from '../course/course-file';
import type { Context } from '../commands/command';
import { snapshotStub } from '../commands/next';
import { visibleControls } from '../report/safe-text';
import type { RunEvent } from '../run/run-exercise';
import { markStage } from '../run/stage-marks';
import type { WatchEvent } from '../watch/events';
import { watchFiles, type FileWatch } from '../watch/files';
import { reduce } from '../watch/session';
import { WarmChecks } from '../watch/warm-checks';
import { initialState, transitionOf, type Effect, type WatchState } from '../watch/state';
import type { TestView, WatchView } from './view';

export interface LabWatchOptions {
  ctx: Context;
  exerciseId: string;
  poll: boolean;
  onView: (view: WatchView) => void;
  onTest: (test: TestView) => void;
}

export class LabWatch {
  private state: WatchState;
  private readonly checks = new WarmChecks();
  private files: FileWatch | undefined;

  constructor(private readonly options: LabWatchOptions) {
    this.state = initialState(loadCourse(options.ctx.root).data, options.exerciseId);
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /** The Check button: a run the learner asked for (an attempt), as watch's `r`. */
  check(): void {
    this.dispatch({ type: 'key', key: 'r' });
  }

  /** Watches and checks another exercise (reading a lesson does not make it the current one in course.yaml). */
  select(id: string): void {
    if (id === this.state.exerciseId) return;
    this.state = { ...this.state, exerciseId: id, result: undefined, panel: undefined };
    this.dispatch({ type: 'start' });
  }

  view(): WatchView {
    const { state } = this;
    const r = state.running;
    const panel = state.panel?.kind === 'message' ? { tone: state.panel.tone, text: state.panel.text } : undefined;
    return {
      exerciseId: state.exerciseId,
      generation: state.generation,
      running: r && !r.finished ? { generation: r.generation, phase: r.phase, expected: r.expected, done: r.done, failed: r.failed } : undefined,
      result: state.result?.exercise === state.exerciseId ? state.result : undefined,
      message: panel,
    };
  }

  close(): void {
    this.state = { ...this.state, quitting: true };
    this.files?.close();
    this.checks.close();
  }

  private dispatch(event: WatchEvent): void {
    const step = reduce(this.state, event);
    this.state = step.state;
    for (const effect of step.effects) {
      try {
        this.perform(effect);
      } catch (err) {
        this.dispatch({ type: 'failed', message: messageOf(err) });
      }
    }
  }

  private perform(effect: Effect): void {
    const { ctx } = this.options;
    switch (effect.type) {
      case 'draw': {
        const view = this.view();
        this.options.onView(view);
        if (!view.running && view.result) markStage('result-shown');
        return;
      }
      case 'watch-files':
        this.files?.close();
        this.files = watchFiles(path.join(ctx.root, effect.exercise.dir), effect.exercise.files, { poll: this.options.poll }, () =>
          this.dispatch({ type: 'files-changed' }),
        );
        return;
      case 'run': {
        const { generation } = effect;
        const onEvent = (event: RunEvent) => {
          if (event.type === 'test-result') {
            const test = { ...event.test, message: event.test.message === undefined ? undefined : visibleControls(event.test.message) };
            this.options.onTest({ generation, test });
            markStage('first-shown');
          }
          this.dispatch({ type: 'run-event', generation, event });
        };
        this.checks.check(ctx, effect.exercise, onEvent).then(
          (result) => this.dispatch({ type: 'run-finished', generation, result }),
          (err: unknown) => this.dispatch({ type: 'run-failed', generation, message: messageOf(err) }),
        );
        return;
      }
      case 'save': {
        const { reason } = effect;
        Promise.resolve()
          .then(() => updateProgress(loadCourse(ctx.root), transitionOf(effect.change, new Date().toISOString()), effect.ids))
          .then(
            (saved) => this.dispatch({ type: 'saved', reason, course: saved.data }),
            (err: unknown) => this.dispatch({ type: 'save-failed', reason, message: messageOf(err) }),
          );
        return;
      }
      case 'snapshot-stub':
        return snapshotStub(ctx.root, effect.exercise);
      case 'quit':
        return this.close();
    }
  }
}

function messageOf(err: unknown): string {
  return String(err instanceof Error ? err.message : err);
}
