// The inspector takeover starts with SIGUSR1, which makes Node open a debugger in the process that receives it.
// Every trusted process of the grader must refuse it, on the Node that runs these tests (CI runs them on 20 and 24).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { hardenedExecArgv } from '../../grader/run/debug-signal';
import { repoRoot } from '../helpers';

const PROBE = `
  let heard = 0;
  if (process.argv[1] === 'protect') require(${JSON.stringify(path.join(repoRoot, 'dist', 'grader', 'run', 'debug-signal.js'))}).refuseDebugSignal(() => heard++);
  process.kill(process.pid, 'SIGUSR1');
  setTimeout(() => {
    console.log(JSON.stringify({ inspector: require('node:inspector').url() ?? null, heard }));
    process.exit(0);
  }, 400);
`;

function probe(mode: 'protect' | 'bare', execArgv: string[]): { inspector: string | null; heard: number } {
  const r = spawnSync(process.execPath, [...execArgv, '-e', PROBE, mode], { encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { inspector: string | null; heard: number };
}

test('without protection, SIGUSR1 opens the inspector (the attack this defends against is real here)', () => {
  // (Port 0: the probe's inspector must not take a port another process may use.)
  expect(probe('bare', ['--inspect-port=0']).inspector).toMatch(/^ws:\/\//);
});

test('a trusted process refuses SIGUSR1: no inspector opens (and without --disable-sigusr1 the attempt is heard)', () => {
  const result = probe('protect', [...hardenedExecArgv(), '--inspect-port=0']);
  expect(result.inspector).toBeNull();
  // With --disable-sigusr1 (Node 22.14+) the signal never reaches the listener; without it, the listener hears it.
  if (!hardenedExecArgv().includes('--disable-sigusr1')) expect(result.heard).toBe(1);
});

test('--disable-sigusr1 is used where this Node has it', () => {
  expect(hardenedExecArgv().includes('--disable-sigusr1')).toBe(process.allowedNodeEnvironmentFlags.has('--disable-sigusr1'));
});
