// What every `course` command provides, and what it is given. One file per command under grader/commands/.

import type { ParseArgsConfig } from 'node:util';
import type { ChalkInstance } from 'chalk' with { 'resolution-mode': 'import' };

export interface Context {
  /** The course root (where course.yaml is). */
  root: string;
  /** The folder the command was run from (inside an exercise folder, commands act on that exercise). */
  cwd?: string;
  /** Colours (a no-op instance when stdout is not a TTY or NO_COLOR is set). */
  c: ChalkInstance;
  /** stdin and stdout are a terminal: prompts and live progress are allowed. */
  interactive: boolean;
  /** stdout is a terminal: live progress lines are allowed. */
  tty: boolean;
  print: (text?: string) => void;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** e.g. "course check [id] [--seed N] [--json]" */
  usage: string;
  /** More help: what it does, options, examples. */
  help: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Returns the exit code: 0 ok / passed, 1 graded and failed, 2 usage or input error. */
  run(ctx: Context, positionals: string[], values: Record<string, string | boolean | undefined>): Promise<number>;
}

/** 3: some run could not be graded because the grading machinery failed (status `error`; never the learner's). */
// (`anomaly`: the former name of `machinery`, until commands/grade.ts uses the new one.)
export const EXIT = { ok: 0, failed: 1, usage: 2, machinery: 3, anomaly: 3 } as const;
