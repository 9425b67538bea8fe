// Ends a sandbox host and everything it started, in a way the code under test cannot escape. The host is started
// through a wrapper (setpriv → unshare --pid --fork → [setpriv --reuid] → prlimit → node): the process the client
// holds is unshare, and the host is its child, the init of a PID namespace of its own. A parent-death signal set by
// `unshare --kill-child` does not survive the uid change that follows, so killing the wrapper alone leaves the host
// running (reparented, spinning until its CPU limit). Here the wrapper is stopped (so it cannot fork while we look),
// each of its children is killed (a namespace's init killed: the kernel kills the whole namespace), the wrapper is
// let go to reap them, and only then killed; every child must be gone within a bounded wait or it is reported.
// Without a namespace (the layer is off) the same steps kill the host and the processes it started directly, and
// the host's own session when it has one.

import { readdirSync, readFileSync } from 'node:fs';

/** Time a killed process gets to disappear before it is reported as a survivor. */
const GONE_WITHIN_MS = 3000;

function state(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": comm may hold spaces and parentheses, the state follows the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Gone, or dead and waiting to be reaped (a zombie holds no CPU and runs nothing). */
function gone(pid: number): boolean {
  const s = state(pid);
  return s === undefined || s === 'Z' || s === 'X' || s === 'x';
}

/** The children of every thread of `pid` (a Node host forks from whichever thread runs the spawn). */
export function childrenOf(pid: number): number[] {
  const out = new Set<number>();
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  for (const task of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/)) {
        if (c) out.add(Number(c));
      }
    } catch {
      /* the thread ended */
    }
  }
  return [...out];
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    /* already gone */
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(pause, 0, 0, ms);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Kills the host started as `pid` (the wrapper, or the host itself when there is no wrapper) with everything it
 * started. `running` says whether `pid` is still unreaped (after that its number may be reused: it is not signalled
 * again). Resolves with the pids that were still running after the bounded wait (none, normally).
 */
export async function endHost(pid: number, ownSession: boolean, running: () => boolean): Promise<number[]> {
  const linux = process.platform === 'linux';
  let children: number[] = [];
  if (linux) {
    // Stopped, the wrapper cannot fork a child we would not see (a stop takes effect on its way back to user mode).
    signal(pid, 'SIGSTOP');
    for (let waited = 0; waited < 200 && state(pid) !== undefined && state(pid) !== 'T' && state(pid) !== 't' && !gone(pid); waited++) sleepSync(1);
    children = childrenOf(pid);
    for (const child of children) signal(child, 'SIGKILL');
    // Let the wrapper reap them (killed first, a wrapper would leave them to a parent that may never reap them).
    signal(pid, 'SIGCONT');
  }
  const deadline = Date.now() + GONE_WITHIN_MS;
  while (children.some((c) => !gone(c)) && Date.now() < deadline) await sleep(5);
  const survivors = children.filter((c) => !gone(c));
  if (running()) {
    signal(pid, 'SIGKILL');
    if (ownSession) signal(-pid, 'SIGKILL');
  }
  for (const s of survivors) signal(s, 'SIGKILL');
  return survivors;
}
