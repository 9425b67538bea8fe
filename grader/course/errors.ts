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
