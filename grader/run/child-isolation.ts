// The process layer around every sandbox host, in every mode (check, watch, verify, and batch grading without
// root). The code under test runs as the same user as the grader when a learner checks their own code or an
// instructor grades without root, so it could signal, debug or inspect every process of that user: send SIGUSR1 to
// open the inspector of the trusted jest process, kill(-1), read /proc/<pid>/environ. In a PID namespace of its
// own (created through an unprivileged user namespace when not root) it sees and can signal only itself.
// Where the OS offers no such namespace (macOS; Linux with unprivileged user namespaces turned off, e.g. Ubuntu's
// AppArmor restriction) the layer is off and `describeChildIsolation()` says so.

import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { HostWrapper } from '../../harness/sandbox/contract';

export interface ChildIsolation {
  /** Command prefix for the sandbox host (its argv empty when the layer is off). */
  wrapper: HostWrapper;
  /** A sentence for the summary: which layer is on, or why it is off. */
  describe: string;
  on: boolean;
}

export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin'])) {
    const full = path.join(dir, command);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      /* next */
    }
  }
  return undefined;
}

/** True when the prefix can start a program (probed with `true`, so it costs a few milliseconds). */
export function prefixWorks(prefix: string[]): boolean {
  const truePath = which('true') ?? '/bin/true';
  const r = spawnSync(prefix[0]!, [...prefix.slice(1), truePath], { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

/**
 * Candidate prefixes for a PID namespace around one process, best first: with its own /proc (so it cannot even
 * see the grader's processes), then without (some container runtimes refuse a new proc mount). As root no user
 * namespace is needed; otherwise an unprivileged one makes the PID namespace possible.
 */
export function pidNamespaceCandidates(asRoot: boolean): string[][] {
  const unshare = which('unshare');
  const setpriv = which('setpriv');
  if (!unshare || !setpriv || process.platform !== 'linux') return [];
  const user = asRoot ? [] : ['--user', '--map-root-user'];
  // The host also gets a session of its own (the client starts it detached): a process group shared with the
  // jest process would let kill(0, ...) reach it even from inside the PID namespace. The parent-death signal
  // then ends it when the jest process dies (it is no longer in that process's group).
  const pdeath = [setpriv, '--pdeathsig', 'KILL'];
  return [
    [...pdeath, unshare, ...user, '--pid', '--fork', '--kill-child', '--mount-proc'],
    [...pdeath, unshare, ...user, '--pid', '--fork', '--kill-child'],
  ];
}

let cached: ChildIsolation | undefined;
const NO_WRAPPER: HostWrapper = { argv: [], parentDeathSignal: false };

/** The PID-namespace layer for sandbox hosts started by this process (detected once). */
export function childIsolation(): ChildIsolation {
  if (cached) return cached;
  if (process.env.COURSE_NO_CHILD_ISOLATION === '1') {
    return (cached = { wrapper: NO_WRAPPER, on: false, describe: 'PID namespace for the code under test: off (COURSE_NO_CHILD_ISOLATION=1)' });
  }
  if (process.platform !== 'linux') {
    return (cached = { wrapper: NO_WRAPPER, on: false, describe: `PID namespace for the code under test: off (not available on ${process.platform})` });
  }
  const asRoot = process.getuid?.() === 0;
  for (const prefix of pidNamespaceCandidates(asRoot)) {
    if (prefixWorks(prefix)) {
      // Every candidate starts with the parent-death signal (pidNamespaceCandidates).
      return (cached = {
        wrapper: { argv: prefix, parentDeathSignal: true },
        on: true,
        describe: `PID namespace for the code under test: on${asRoot ? '' : ' (through an unprivileged user namespace)'}${prefix.includes('--mount-proc') ? '' : ', without its own /proc'}`,
      });
    }
  }
  const why =
    which('unshare') && which('setpriv')
      ? asRoot
        ? 'unshare --pid failed here'
        : 'unprivileged user namespaces are not allowed here (sysctl kernel.unprivileged_userns_clone, or an AppArmor restriction)'
      : 'unshare or setpriv (util-linux) not found';
  return (cached = { wrapper: NO_WRAPPER, on: false, describe: `PID namespace for the code under test: off (${why})` });
}
