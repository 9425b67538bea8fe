// The trusted jest process. It runs hidden suites with the grader's own configuration (never the learner's), in
// band, and streams results to the grader over IPC. It never loads the code under test: the suites reach that
// through the sandbox host (harness/sandbox). One worker can run many jobs in a row (batch grading reuses it;
// jest's runCLI costs ~0.6 s the first time and ~0.1 s after that).

import { ENV } from '../../harness/sandbox/contract';
import { refuseDebugSignal } from './debug-signal';
import { close as closeGate, openWith } from './build-gate';
import { jestConfig } from './jest-worker-config';
import { markStage } from './stage-marks';
import type { FromWorker, SuiteJob, ToWorker } from './worker-protocol';

// First of all: the code under test must not be able to open this process's debugger (debug-signal.ts).
refuseDebugSignal(() => send({ type: 'anomaly', anomaly: { kind: 'debug-signal', detail: '' } }));

// Loading jest is most of a check's start-up time: do it now, while the grader compiles the learner's code.
// `jest` itself loads lazily, so the modules every run needs are required here explicitly.
const { runCLI } = require('@jest/core') as typeof import('jest');
for (const module of ['jest-circus/runner', 'jest-runtime', 'jest-environment-node', 'jest-snapshot', 'expect', 'esbuild']) {
  try {
    require(module);
  } catch {
    /* an optional speed-up only */
  }
}

/**
 * What a prepared run reports (build-gate.ts) is held until its build folder arrives: the grader listens to a run
 * from then on. (Everything in this process reports through process.send: the environment, the reporter, here.)
 */
let held: FromWorker[] | undefined;
const post = process.send?.bind(process);
if (post) {
  process.send = ((message: FromWorker) => {
    if (held) {
      held.push(message);
      return true;
    }
    return post(message);
  }) as typeof process.send;
}

function send(message: FromWorker): void {
  process.send?.(message);
}

async function run(job: SuiteJob): Promise<void> {
  process.env[ENV.buildDir] = job.buildDir;
  process.env[ENV.seed] = String(job.seed);
  if (job.buildDir) markStage('jest-started');
  await runCLI(
    {
      $0: 'course',
      _: [job.suite],
      config: JSON.stringify(jestConfig(job)),
      runInBand: true,
      runTestsByPath: true,
      silent: true,
      cache: true,
      watch: false,
      watchAll: false,
    },
    [job.rootDir],
  );
}

function runAndReport(job: SuiteJob): void {
  run(job).then(
    () => send({ type: 'done' }),
    (err: unknown) => send({ type: 'worker-error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
}

process.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'exit':
      process.disconnect?.();
      return;
    case 'run':
      openWith(message.job.buildDir);
      return runAndReport(message.job);
    case 'prepare':
      held = [];
      closeGate();
      return runAndReport(message.job);
    case 'start': {
      markStage('jest-started');
      const messages = held ?? [];
      held = undefined;
      for (const m of messages) send(m);
      openWith(message.buildDir);
      return;
    }
  }
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });
