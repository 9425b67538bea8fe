// Starting the trusted jest process is the longest single step of a check (~0.3 s of module loading). bin/course.js
// starts it before the CLI itself has loaded, so the two overlap; `course check` then takes it from here.

import { JestProcess } from './jest-process';

let prestarted: JestProcess | undefined;

export function prestartJest(): void {
  prestarted ??= new JestProcess();
}

/** The early-started process, once (later callers get undefined and start their own). */
export function takePrestarted(): JestProcess | undefined {
  const taken = prestarted;
  prestarted = undefined;
  return taken?.usable ? taken : undefined;
}
