// Jest glue for the sandbox: one host per suite file, replaced before a test when the previous test killed it
// (a timeout or a crash), so one hang costs one test, not the whole suite.

import { Sandbox, SandboxFailure, type SandboxOptions } from '../sandbox/client';

export interface SuiteSandbox {
  /** The live sandbox for the current test. */
  (): Sandbox;
}

export function useSandbox(options: SandboxOptions = {}): SuiteSandbox {
  let current: Sandbox | undefined;
  // A module that failed to load fails the same way every time: remember it instead of paying the wait again.
  let loadFailure: SandboxFailure | undefined;

  async function ensure(): Promise<void> {
    if (loadFailure) throw loadFailure;
    if (current?.alive) return;
    // A host killed by the previous test is waited for: nothing of it may run beside the next one.
    await current?.close();
    try {
      current = await Sandbox.open(options);
    } catch (err) {
      // (The same for a machinery failure or a protocol violation: a new host would meet the same end.)
      if (err instanceof SandboxFailure && ['load', 'machinery', 'protocol'].includes(err.kind)) loadFailure = err;
      throw err;
    }
  }

  // (Room for both of the host's clocks: starting and loading the packages, then loading the code under test.)
  const load = options.loadTimeoutMs ?? 4000;
  beforeEach(ensure, Math.max(30_000, load * 5) + load + 2000);
  afterAll(async () => {
    await current?.close();
  });

  return () => {
    if (!current) throw new Error('the sandbox is not started (useSandbox must be called at the top of the suite)');
    return current;
  };
}
