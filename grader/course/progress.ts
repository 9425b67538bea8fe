// The learner's progress on one exercise as a state machine. The states are course.yaml's `status` values
// (not-started → current → failed / done); every change a command (check, watch, next, reset, hint) makes is one
// of the named transitions below, so they cannot drift apart. Pure: state in, state out (plus what to tell the
// learner); course-file.ts's updateProgress is the one place that saves them, under its lock.

import type { ExerciseResult } from '../run/result';
import type { ProgressData } from './schema';

export type Progress = ProgressData;
export type CheckOutcome = Pick<ExerciseResult, 'status' | 'score' | 'maxScore'>;

export const isDone = (p: Progress): boolean => p.status === 'done';

/** Checked at least once: a check the learner asked for, or one watch ran on a save. */
export const hasBeenChecked = (p: Progress): boolean => p.attempts > 0 || p.lastCheckedAt !== undefined;

/**
 * A check's result. Only checks the learner asked for (`course check`, `r` in watch) count as attempts; a run
 * watch starts on a save does not. A failure of the grading machinery (`error`) is not the learner's: no change.
 */
export function recordCheck(p: Progress, result: CheckOutcome, how: { asked: boolean; at: string }): Progress {
  if (result.status === 'error') return p;
  const next: Progress = { ...p, attempts: p.attempts + (how.asked ? 1 : 0), lastCheckedAt: how.at, startedAt: p.startedAt ?? how.at };
  // A run that scored nothing at all (no test ran: a compile error, a crash) keeps the previous best.
  if (result.maxScore > 0) {
    next.maxScore = result.maxScore;
    next.bestScore = Math.max(p.bestScore ?? 0, result.score);
  }
  if (result.status === 'passed') return { ...next, status: 'done', passedAt: p.passedAt ?? how.at };
  return { ...next, status: p.status === 'done' || p.status === 'current' ? p.status : 'failed' };
}

/** How a check's score compares with the best before it, for the line under the results. */
export type ScoreNote = { kind: 'new-best'; before: string } | { kind: 'best-so-far'; best: string } | undefined;

export function scoreNote(before: Progress | undefined, result: CheckOutcome): ScoreNote {
  if (!before?.maxScore) return undefined;
  const best = before.bestScore ?? 0;
  if (result.maxScore > 0 && result.score > best) return { kind: 'new-best', before: `${best}/${before.maxScore}` };
  return { kind: 'best-so-far', best: `${best}/${before.maxScore}` };
}

/** The exercise a learner moves to (`next`, watch's `n` and list): current from now on. */
export function start(p: Progress, at: string): Progress {
  return p.status === 'current' && p.startedAt ? p : { ...p, status: 'current', startedAt: p.startedAt ?? at };
}

/** The current exercise, left for another before it passed (`next --force`, a jump in watch's list). */
export function leave(p: Progress): Progress {
  return p.status === 'current' ? { ...p, status: hasBeenChecked(p) ? 'failed' : 'not-started' } : p;
}

/** Moving on to `target`: it becomes current, the exercise that was current is left. Unchanged ones: same object. */
export function moveTo(target: string, at: string): (p: Progress, id: string) => Progress {
  return (p, id) => (id === target ? start(p, at) : leave(p));
}

/** The first exercise not done from index `from` on, wrapping round (`next`, and `n` in watch). */
export function nextNotDone<E extends { progress?: Progress }>(list: readonly E[], from: number): E | undefined {
  return [...list.slice(from), ...list.slice(0, from)].find((e) => e.progress?.status !== 'done');
}

/** The course re-check (`next` after the last exercise) found a done exercise failing: it is current again. */
export function reopen(p: Progress): Progress {
  return p.status === 'current' ? p : { ...p, status: 'current' };
}

/**
 * `course reset` restored the stub, which has not passed: a done exercise is done no more (current again if it
 * was the current one). Attempts, hints and best score stay.
 */
export function resetStub(p: Progress, how: { wasCurrent: boolean }): Progress {
  if (!isDone(p)) return p;
  return { ...p, status: how.wasCurrent ? 'current' : hasBeenChecked(p) ? 'failed' : 'not-started', passedAt: undefined };
}

export interface HintShown {
  progress: Progress;
  /** 0-based. */
  index: number;
  text: string;
  /** No hint comes after this one. */
  last: boolean;
}

/** The next hint, counted; once all were shown, the last one again. No hints at all: undefined. */
export function revealHint(p: Progress, hints: readonly string[]): HintShown | undefined {
  if (!hints.length) return undefined;
  const index = Math.min(p.hintsShown, hints.length - 1);
  const progress = p.hintsShown > index ? p : { ...p, hintsShown: index + 1 };
  return { progress, index, text: hints[index]!.trim(), last: index === hints.length - 1 };
}

/** For updateProgress: a transition that changed nothing leaves the exercise's map as it is. */
export function changed(before: Progress, after: Progress): Progress | undefined {
  return after === before ? undefined : after;
}
