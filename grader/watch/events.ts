// Everything that can happen to a `course watch` session, as one union: the session (session.ts) is a reducer over
// these, and the input (keys.ts), file watching (files.ts) and the running check only produce them.

import type { CourseData } from '../course/schema';
import type { ExerciseResult } from '../run/result';
import type { RunEvent } from '../run/run-exercise';

/** A key as keys.ts names it: 'up', 'down', 'enter', 'escape', 'ctrl-c', or the character typed ('q', 'h'...). */
export type Key = string;

/** What a save of course.yaml was for: the session continues from there once it is written. */
export type SaveReason = { kind: 'check' } | { kind: 'hint'; index: number } | { kind: 'switch'; target: string };

export type WatchEvent =
  | { type: 'start' }
  /** The watched files changed (files.ts waits for the editor's burst of writes to end, and skips no-op saves). */
  | { type: 'files-changed' }
  | { type: 'key'; key: Key }
  /** SIGINT (Ctrl-C when the keys are not read in raw mode). */
  | { type: 'interrupt' }
  | { type: 'resize' }
  /** Progress of run `generation` (compiling, tests expected, a test's result). */
  | { type: 'run-event'; generation: number; event: RunEvent }
  | { type: 'run-finished'; generation: number; result: ExerciseResult }
  /** The check itself threw (not a failing test: the grader could not run it). */
  | { type: 'run-failed'; generation: number; message: string }
  /** course.yaml was written; `course` is what it holds now. */
  | { type: 'saved'; reason: SaveReason; course: CourseData }
  | { type: 'save-failed'; reason: SaveReason; message: string }
  /** Something the command did for the session failed (watching the files, keeping the stub). */
  | { type: 'failed'; message: string };
