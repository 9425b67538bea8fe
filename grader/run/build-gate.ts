// A prepared run's wait for its build folder (watch's warm session). `course watch` and the lab start the next
// run's jest work before the learner saves: runCLI reads its config, the test environment is set up and the hidden
// suite is loaded, and the run then waits here, at jest-circus's run_start (before any hook or test), until the
// grader has compiled the saved code and sends the build folder. A run that is not prepared finds the gate open.
// Shared by the jest worker (which opens it) and the trusted test environment (which waits on it): both are loaded
// by Node's own require in the trusted jest process, so this module is one instance there.

let waiting: Promise<string> | undefined;
let open: ((buildDir: string) => void) | undefined;
let current = '';

/** A run that knows its build folder: the gate is open with it. */
export function openWith(buildDir: string): void {
  current = buildDir;
  waiting = undefined;
  const release = open;
  open = undefined;
  release?.(buildDir);
}

/** A prepared run: the gate stays closed until openWith() names the build folder. */
export function close(): void {
  if (open) return;
  waiting = new Promise((resolve) => (open = resolve));
}

/** The build folder of the run, once known. */
export function buildFolder(): Promise<string> {
  return waiting ?? Promise.resolve(current);
}
