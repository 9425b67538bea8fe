// Errors the CLI turns into a clear message and exit code 2 (usage or input error), never a stack trace.

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** course.yaml is unreadable or invalid. `where` is "course.yaml:12:5" when the place is known. */
export class CourseFileError extends UsageError {
  constructor(
    message: string,
    readonly where: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'CourseFileError';
  }
}

/** The grading machinery cannot grade correctly here (e.g. the reference solution fails under the run's
 * settings): a clear message and exit code 3, never a stack trace, and never a grade. (A machinery error is the
 * grader's failure; an "anomaly" is something the code under test did, ExerciseResult.anomalies.) */
export class MachineryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MachineryError';
  }
}

/** The former name of MachineryError, until commands/grade.ts (another branch's) uses the new one. */
export const AnomalyError = MachineryError;

/** course.yaml has git conflict markers (a course update conflicted with the progress in it). */
export class CourseConflictError extends CourseFileError {
  constructor(where: string) {
    super(
      'merge conflict markers (<<<<<<<, =======, >>>>>>>) from a course update that conflicted with your progress. Run `npx course update`: it resolves the file, taking the course from the update and keeping your progress',
      where,
    );
    this.name = 'CourseConflictError';
  }
}
