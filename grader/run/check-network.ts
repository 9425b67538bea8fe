// The network layer of a learner's run (check, watch, verify): the trusted jest process — and with it the mock
// servers the suite starts and the sandbox host that runs the code under test — starts in a network namespace of
// its own, where loopback is brought up (`ip link set lo up`) before node starts. The code under test then sees only
// that namespace's loopback: a scan of 127.0.0.1 finds the suite's own servers and nothing else of the machine.
// Batch grading has the same layer in grader/batch/isolation.ts (with a PID namespace around the jest process too).
// Without root the namespace comes through an unprivileged user namespace; where the OS refuses one, or unshare or
// ip is missing, or COURSE_NO_NETWORK_ISOLATION=1, the layer is off and `why` says why (learner-isolation.ts shows it).

import { childIsolation, prefixWorks, which } from './child-isolation';

export interface NetworkIsolation {
  /** Command prefix for the trusted jest process; empty when the layer is off. */
  wrapper: string[];
  on: boolean;
  /** Why the layer is off. */
  why?: string;
}

export const NETWORK_LAYER = 'network namespace (loopback only) for the tests and the code under test';
/** Turns the layer off (e.g. to compare timings, or on a host where the namespace misbehaves). */
export const NO_NETWORK_ISOLATION_ENV = 'COURSE_NO_NETWORK_ISOLATION';

/** The prefix that starts a program in a new network namespace with loopback up, or undefined without the tools. */
export function networkNamespacePrefix(asRoot: boolean): string[] | undefined {
  const unshare = which('unshare');
  const ip = which('ip');
  if (!unshare || !ip || process.platform !== 'linux') return undefined;
  const sh = which('sh') ?? '/bin/sh';
  // No --fork: unshare and sh exec into node, so the jest process keeps its pid, its process group and its IPC
  // channel, and a kill of the group (jest-process.ts) reaches it as before.
  return [unshare, ...(asRoot ? [] : ['--user', '--map-root-user']), '--net', sh, '-c', `${ip} link set lo up && exec "$@"`, 'course-jest'];
}

let cached: NetworkIsolation | undefined;

function off(why: string): NetworkIsolation {
  return { wrapper: [], on: false, why };
}

/** The network layer for trusted jest processes started by this process (detected once). */
export function networkIsolation(): NetworkIsolation {
  if (cached) return cached;
  if (process.env[NO_NETWORK_ISOLATION_ENV] === '1') return (cached = off(`${NO_NETWORK_ISOLATION_ENV}=1`));
  if (process.platform !== 'linux') return (cached = off(`not available on ${process.platform}`));
  const asRoot = process.getuid?.() === 0;
  const prefix = networkNamespacePrefix(asRoot);
  if (!prefix) return (cached = off(which('unshare') ? 'ip (iproute2) not found' : 'unshare (util-linux) not found'));
  // One probe in the common case: the sandbox host's own PID namespace nested inside this one, as it will run.
  const host = childIsolation();
  if (prefixWorks([...prefix, ...host.wrapper.argv])) {
    return (cached = { wrapper: prefix, on: true });
  }
  if (host.on && prefixWorks(prefix)) return (cached = off("the code under test's PID namespace cannot be created inside it here"));
  return (cached = off(
    asRoot
      ? 'unshare --net failed here'
      : 'unprivileged user namespaces are not allowed here (sysctl kernel.unprivileged_userns_clone, or an AppArmor restriction)',
  ));
}
