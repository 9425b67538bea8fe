// Type-checking as feedback: started beside the tests in a child process, cached by content hash so that an
// unchanged file is never checked twice (a warm `course check` pays nothing for it).

import { hardenedExecArgv } from './debug-signal';
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript/package.json';
import { distFile } from '../paths';
import type { Diagnostic } from './result';
import type { TypecheckRequest } from './typecheck-worker';

export interface TypecheckJob {
  request: TypecheckRequest;
  /** Hash of the sources; with the contract text and the TypeScript version it keys the cache. */
  filesHash: string;
  cacheDir: string;
  timeoutMs?: number;
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

function note(message: string): Diagnostic {
  return { file: '(type-check)', line: 1, column: 1, message, kind: 'type' };
}
