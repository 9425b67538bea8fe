// Type-checking as feedback: started beside the tests in a child process, cached by content hash so that an
// unchanged file is never checked twice (a warm `course check` pays nothing for it). `course watch` and the lab
// keep one checker warm for the whole session (TypecheckService): the lib files are parsed once, not on every save.

import { hardenedExecArgv } from './debug-signal';
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript/package.json';
import { distFile } from '../paths';
import type { Diagnostic } from './result';
import type { TypecheckReply, TypecheckRequest } from './typecheck-worker';

export interface TypecheckJob {
  request: TypecheckRequest;
  /** Hash of the sources; with the contract text and the TypeScript version it keys the cache. */
  filesHash: string;
  cacheDir: string;
  timeoutMs?: number;
  /** A warm checker (watch); without one, a checker process is started for this job alone. */
  service?: TypecheckService;
}

/** A long-lived checker process (typecheck-worker.ts --serve) answering one request after the other. */
export class TypecheckService {
  private child: ChildProcess | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (reply: TypecheckReply) => void>();

  /** Checks one request; a reply with `error` when the checker died (the next request starts a new one). */
  check(request: TypecheckRequest): Promise<TypecheckReply> {
    const child = this.process();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      child.send({ id, request }, (err) => {
        if (err) this.settle(id, { error: 'the type checker could not be reached' });
      });
    });
  }

  /** Ends the checker (a check that took too long, or the end of the session); pending checks get an error. */
  kill(): void {
    const child = this.child;
    this.child = undefined;
    child?.kill('SIGKILL');
    for (const id of [...this.waiting.keys()]) this.settle(id, { error: 'the type checker was stopped' });
  }

  private settle(id: number, reply: TypecheckReply): void {
    const resolve = this.waiting.get(id);
    this.waiting.delete(id);
    resolve?.(reply);
  }

  private process(): ChildProcess {
    if (this.child) return this.child;
    const child = fork(distFile('run', 'typecheck-worker.js'), ['--serve'], {
      execArgv: hardenedExecArgv(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NODE_OPTIONS: undefined },
    });
    this.child = child;
    // If the grader exits first (Ctrl-C), the checker must not linger.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.on('message', (reply: TypecheckReply & { id: number }) => this.settle(reply.id, reply));
    child.on('error', () => undefined);
    child.on('exit', () => {
      process.off('exit', killOnExit);
      if (this.child === child) this.kill();
    });
    return child;
  }
}

export function startTypecheck(job: TypecheckJob): Promise<Diagnostic[]> {
  const contractText = job.request.contract ? readFileSync(job.request.contract, 'utf8') : '';
  // The checker's own code is part of the key: a change in its settings invalidates old verdicts.
  const checker = readFileSync(distFile('run', 'typecheck-worker.js'));
  const key = createHash('sha256')
    .update(job.filesHash)
    .update(contractText)
    .update(ts.version)
    .update(checker)
    .update(JSON.stringify(job.request.support))
    .digest('hex');
  const cacheFile = path.join(job.cacheDir, `${key}.json`);
  try {
    return Promise.resolve(JSON.parse(readFileSync(cacheFile, 'utf8')) as Diagnostic[]);
  } catch {
    /* not cached yet */
  }
  if (job.service) return checkOnService(job, job.service, cacheFile);
  return new Promise((resolve) => {
    const child = fork(distFile('run', 'typecheck-worker.js'), [], {
      execArgv: hardenedExecArgv(),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', NODE_OPTIONS: undefined },
    });
    // If the grader exits first (Ctrl-C), the checker must not linger.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    let settled = false;
    const finish = (diagnostics: Diagnostic[], cache: boolean) => {
      if (settled) return;
      settled = true;
      process.off('exit', killOnExit);
      clearTimeout(timer);
      child.kill('SIGKILL');
      if (cache) {
        mkdirSync(job.cacheDir, { recursive: true });
        writeFileSync(cacheFile, JSON.stringify(diagnostics));
      }
      resolve(diagnostics);
    };
    // Type errors are feedback, never the verdict: if checking fails, say so and let the tests decide.
    const timer = setTimeout(() => finish([note('type-checking took too long and was skipped')], false), job.timeoutMs ?? 30_000);
    child.on('message', (reply: { diagnostics?: Diagnostic[]; error?: string }) => {
      if (reply.diagnostics) finish(reply.diagnostics, true);
      else finish([note(`type-checking failed: ${reply.error}`)], false);
    });
    child.on('exit', () => finish([note('type-checking stopped unexpectedly')], false));
    child.send(job.request);
  });
}

/** The same check on the session's warm checker, with the same time limit and cache. */
function checkOnService(job: TypecheckJob, service: TypecheckService, cacheFile: string): Promise<Diagnostic[]> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (diagnostics: Diagnostic[], cache: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (cache) {
        mkdirSync(job.cacheDir, { recursive: true });
        writeFileSync(cacheFile, JSON.stringify(diagnostics));
      }
      resolve(diagnostics);
    };
    const timer = setTimeout(() => {
      service.kill();
      finish([note('type-checking took too long and was skipped')], false);
    }, job.timeoutMs ?? 30_000);
    void service.check(job.request).then((reply) => {
      if (reply.diagnostics) finish(reply.diagnostics, true);
      else finish([note(`type-checking failed: ${reply.error}`)], false);
    });
  });
}

function note(message: string): Diagnostic {
  return { file: '(type-check)', line: 1, column: 1, message, kind: 'type' };
}
