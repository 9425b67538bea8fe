// Where a re-check's time goes, for bench/watch.js: with COURSE_STAGE_MARKS=<file> set, each stage of a watch
// re-check (file event, debounce over, build done, jest started, sandbox host ready, first test done, shown...)
// appends one JSON line with its wall-clock time in milliseconds, from whichever process reaches it (the watch or
// lab process, the trusted jest process). Off (one environment read) otherwise: no file is ever written then.

import { appendFileSync } from 'node:fs';

const file = process.env.COURSE_STAGE_MARKS;

export function markStage(stage: string): void {
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ stage, at: performance.timeOrigin + performance.now(), pid: process.pid })}\n`);
  } catch {
    /* a measurement only */
  }
}
