// The warm half of a watch session (`course watch`, the lab's watch view): one trusted jest process and one type
// checker kept for the whole session, and after each check the next one prepared at once (jest set up, the suite
// loaded, waiting for its build: run-exercise.ts, prepareRun), so that after a save only the build and the tests
// themselves remain. The checks are `course check`'s own (checkExercise): the same build, isolation and suite.

import { checkExercise } from '../commands/check';
import type { Context } from '../commands/command';
import type { ExerciseSpec } from '../course/schema';
import { JestProcess } from '../run/jest-process';
import type { ExerciseResult } from '../run/result';
import { prepareRun, type RunEvent } from '../run/run-exercise';
import { markStage } from '../run/stage-marks';
import { TypecheckService } from '../run/typecheck';

export class WarmChecks {
  private jest: JestProcess;
  private readonly typechecker = new TypecheckService();
  private closed = false;

  /** `jest`: a process started earlier (bin/course.js starts one before the CLI has loaded). */
  constructor(jest?: JestProcess) {
    this.jest = jest ?? new JestProcess();
  }

  /** Checks the exercise; once the check is over (however it ends) the next one is prepared. */
  async check(ctx: Context, exercise: ExerciseSpec, onEvent: (event: RunEvent) => void): Promise<ExerciseResult> {
    markStage('run-start');
    if (!this.jest.usable) this.jest = new JestProcess();
    try {
      return await checkExercise(ctx, exercise, { jest: this.jest, typechecker: this.typechecker, quiet: true, onEvent });
    } finally {
      this.prepare(ctx.root, exercise);
    }
  }

  /** Ends the jest process (with the sandbox hosts it started) and the type checker. */
  close(): void {
    this.closed = true;
    this.jest.kill();
    this.typechecker.kill();
  }

  private prepare(courseRoot: string, exercise: ExerciseSpec): void {
    if (this.closed) return;
    // A run that went over time killed the process: the next check gets a fresh one, prepared now.
    if (!this.jest.usable) this.jest = new JestProcess();
    prepareRun({ courseRoot, exercise, jest: this.jest });
  }
}
