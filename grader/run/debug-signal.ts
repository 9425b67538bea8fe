// Node opens its inspector (a debugger on 127.0.0.1:9229 that runs any code sent to it) when it receives SIGUSR1,
// and any process of the same user may send that signal. The code under test could so take over a trusted
// process of the grader and rewrite its results. Every trusted Node process refuses the signal: it is started with
// --disable-sigusr1 where Node has that flag (22.14+, 23.7+), and on every version it listens for SIGUSR1 itself,
// which replaces Node's own handler (test/security/debug-signal.test.ts checks both on the running Node).

/** Node flags for a trusted child process (the jest process, the type checker). */
export function hardenedExecArgv(): string[] {
  return process.allowedNodeEnvironmentFlags.has('--disable-sigusr1') ? ['--disable-sigusr1'] : [];
}

/** Keeps SIGUSR1 from opening the inspector of this process; `onSignal` hears each attempt. */
export function refuseDebugSignal(onSignal: () => void = () => undefined): void {
  process.on('SIGUSR1', onSignal);
}
