// The grader's handle on a trusted jest process (jest-worker.ts): start it early, hand it a job, receive the
// streamed events, and kill it and everything it started when a run goes over time. It runs in its own process
// group so that one kill reaches the sandbox hosts it spawned. A learner's run (check, watch, verify) starts it in
// a network namespace of its own where the OS allows one (check-network.ts); batch grading passes its own layers.

import { spawn, type ChildProcess } from 'node:child_process';
import { distFile } from '../paths';
import { networkIsolation } from './check-network';
import { hardenedExecArgv } from './debug-signal';
import type { FromWorker, SuiteJob, ToWorker } from './worker-protocol';
import { trace } from '../trace';

export interface JobOutcome {
  /** How the job ended: normally, by the overall timeout, or because the jest process died. */
  end: 'done' | 'timeout' | 'crash';
  detail?: string;
}

const live = new Set<JestProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Ctrl-C reaches the foreground process group only; the jest process has its own group, so end it here.
  const killAll = () => {
    for (const p of live) p.kill();
  };
  process.on('exit', killAll);
}

export interface JestProcessOptions {
  /** Command prefix (e.g. unshare) for batch isolation; default: the learner's network namespace, when on. */
  wrapper?: string[];
  env?: NodeJS.ProcessEnv;
}

export class JestProcess {
  private readonly child: ChildProcess;
  /** Settles when the process can take a suite (rejects if it failed to start). */
  readonly ready: Promise<void>;
  private stderr = '';
  private exited = false;
  /** kill() was called: the exit may not have been seen yet. */
  private killed = false;
  private listener: ((message: FromWorker) => void) | undefined;
  /** A job started ahead of its build (prepare()), and the version of the suite it loaded. */
  private preparedJob: { job: SuiteJob; suiteVersion: string } | undefined;
  private onExit: ((detail: string) => void) | undefined;

  constructor(options: JestProcessOptions = {}) {
    installExitHook();
    const wrapper = options.wrapper ?? networkIsolation().wrapper;
    const command = wrapper.length ? wrapper[0]! : process.execPath;
    const args = [...wrapper.slice(1), ...(wrapper.length ? [process.execPath] : []), ...hardenedExecArgv(), distFile('run', 'jest-worker.js')];
    this.child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
      env: {
        ...process.env,
        ...options.env,
        // Colour codes would end up inside failure messages; the grader colours its own output.
        FORCE_COLOR: '0',
        // All traffic is loopback; Node 20 pays ~70 ms per process start for extra CA certificates.
        NODE_EXTRA_CA_CERTS: '',
        // The process that holds the verdicts takes no options from the environment (an --inspect or a --require
        // there would open it to other processes); its own flags are set above.
        NODE_OPTIONS: undefined,
      },
    });
    live.add(this);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      if (this.stderr.length < 16_384) this.stderr += chunk.toString('utf8');
    });
    this.child.on('message', (message: FromWorker) => this.listener?.(message));
    // A send to a process that is being killed fails with EPIPE, emitted here; its 'exit' reports the real cause.
    this.child.on('error', () => undefined);
    this.ready = new Promise((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.type === 'ready') {
          trace('jest process ready');
          this.child.off('message', onMessage);
          resolve();
        }
      };
      this.child.on('message', onMessage);
      this.child.once('exit', () => reject(new Error(`the grader's jest process failed to start:\n${this.stderr}`)));
    });
    this.ready.catch(() => undefined);
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(this);
      this.onExit?.(`the grader's jest process exited (${signal ?? `code ${code}`})${this.stderr ? `:\n${this.stderr.slice(-2000)}` : ''}`);
    });
  }

  get usable(): boolean {
    return !this.exited && !this.killed;
  }

  /**
   * Watch's warm session: starts `job` now, before its build exists (its buildDir is ignored), so that jest's
   * set-up and the loading of the suite are done before the learner saves; the next run() of the same job only
   * names the build folder. `suiteVersion` (the suite's hash) tells a suite edited meanwhile.
   */
  prepare(job: SuiteJob, suiteVersion: string): void {
    if (!this.usable || this.preparedJob) return;
    const prepared = { job: { ...job, buildDir: '' }, suiteVersion };
    this.preparedJob = prepared;
    this.ready.then(
      () => {
        if (this.usable && this.preparedJob === prepared) this.child.send({ type: 'prepare', job: prepared.job } satisfies ToWorker, () => undefined);
      },
      () => undefined,
    );
  }

  /** The seed of the prepared job (its run must use it: the suite was loaded with it). */
  get preparedSeed(): number | undefined {
    return this.preparedJob?.job.seed;
  }

  /** Whether run(job) can be carried out here: nothing prepared, or this very job (with any build folder). */
  canTake(job: SuiteJob, suiteVersion: string): boolean {
    const prepared = this.preparedJob;
    return !prepared || (prepared.suiteVersion === suiteVersion && JSON.stringify(prepared.job) === JSON.stringify({ ...job, buildDir: '' }));
  }

  /** Runs one suite; `onEvent` sees every streamed message. Resolves when the job ends, however it ends. */
  async run(job: SuiteJob, timeoutMs: number, onEvent: (message: FromWorker) => void): Promise<JobOutcome> {
    await this.ready;
    if (!this.usable) return { end: 'crash', detail: "the grader's jest process had already ended" };
    // (A prepared job for another suite would still hold the process: the caller checks canTake() first.)
    const prepared = this.preparedJob !== undefined;
    this.preparedJob = undefined;
    return new Promise<JobOutcome>((resolve) => {
      let finished = false;
      const finish = (outcome: JobOutcome) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.listener = undefined;
        this.onExit = undefined;
        resolve(outcome);
      };
      const timer = setTimeout(() => {
        this.kill();
        finish({ end: 'timeout' });
      }, timeoutMs);
      this.listener = (message) => {
        onEvent(message);
        if (message.type === 'done') finish({ end: 'done' });
        if (message.type === 'worker-error') {
          this.kill();
          finish({ end: 'crash', detail: message.message });
        }
      };
      this.onExit = (detail) => finish({ end: 'crash', detail });
      const message: ToWorker = prepared ? { type: 'start', buildDir: job.buildDir } : { type: 'run', job };
      this.child.send(message);
    });
  }

  /** Kills the jest process and every process in its group (the sandbox hosts). */
  kill(): void {
    this.killed = true;
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    try {
      this.child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** Ends an idle process politely. */
  close(): void {
    if (this.exited || this.killed) return;
    try {
      this.child.send({ type: 'exit' } satisfies ToWorker, () => undefined);
    } catch {
      this.kill();
    }
    setTimeout(() => this.kill(), 1000).unref();
  }
}
