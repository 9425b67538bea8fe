// COURSE_TRACE=1 prints where a command spends its time (milliseconds since the process started) on stderr.

const enabled = Boolean(process.env.COURSE_TRACE);

export function trace(what: string): void {
  if (enabled) process.stderr.write(`[trace ${Math.round(performance.now())} ms] ${what}\n`);
}
