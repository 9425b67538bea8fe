// Isolation layers for batch grading (DESIGN §4). Detected once per run; every layer that cannot be used is
// named once so the instructor knows what the run did not have.
//
// - jest process (one per pool worker, long-lived, trusted): `unshare --net --pid --fork --kill-child
//   --mount-proc`, then loopback is brought up inside (`ip link set lo up`) before node starts. Nothing it or its
//   children do reaches beyond loopback, and everything it started dies with it (PID namespace).
// - student child (the sandbox host, one per suite file): its own PID namespace again (a detached grandchild
//   cannot outlive the host), then `setpriv` to an unprivileged uid (one per worker, so that the per-uid process
//   limit is per worker) with --no-new-privs and no groups, then `prlimit` (CPU seconds, data memory, file size,
//   open files, processes, no core files). Inside, Node's permission model still applies (set by the harness).
// - cgroup memory and pids limits per worker (cgroups.ts) are set up by the batch beside these layers.

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { FIRST_UID } from './uid-block';

/**
 * The stable id of an isolation layer: what every comparison uses (merge, doctor, the work-folder fallback), while
 * `name` is only for display and may be reworded. Batch layers (this file and cgroups.ts) and a learner's run's
 * layers (grader/run/learner-isolation.ts: `net-ns` and `pid-ns-host`, the same layers for one run) share the list.
 */
export type LayerId = 'net-ns' | 'pid-ns-jest' | 'pid-ns-host' | 'uid' | 'prlimit' | 'cgroup-memory';

export interface IsolationLayer {
  id: LayerId;
  name: string;
  on: boolean;
  /** Why a layer is off. */
  why?: string;
}

export interface Isolation {
  layers: IsolationLayer[];
  /** Prefix for the trusted jest process of worker `index`. */
  jestWrapper(index: number): string[];
  /** Prefix for the sandbox host started by worker `index`. */
  sandboxWrapper(index: number, limits: ChildLimits): string[];
  /** That prefix gives the host a parent-death signal (so the host may run in a session of its own). */
  sandboxParentDeathSignal: boolean;
  /** The uid student children of worker `index` run as (undefined when not dropping privileges). */
  uidOf(index: number): number | undefined;
  /** One line: which layers are on. */
  describe(): string;
}

export interface ChildLimits {
  /** CPU seconds. */
  cpuSeconds: number;
  /**
   * Data-segment limit in bytes (RLIMIT_DATA: private writable memory, so V8 heap and Buffers alike). Not
   * RLIMIT_AS: V8 reserves ~10 GB of address space per WebAssembly memory, so an address-space cap breaks
   * undici's fetch (its HTTP parser is WebAssembly) long before memory is actually used.
   */
  dataBytes: number;
  /** Largest file the child may write. */
  fileSize: number;
  openFiles: number;
  processes: number;
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
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

function works(command: string, args: string[]): boolean {
  const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return r.status === 0;
}

export interface DetectOptions {
  /** Force every layer off (--no-isolation). */
  disabled?: boolean;
  /** A file the unprivileged uid must be able to read (a probe inside the work folder). */
  probeFile?: string;
  /** The run's uid block (uid-block.ts): worker i's student children run as uidBase + i. */
  uidBase?: number;
}

/** What the probes of each layer share: the platform, root or not, the tools found, how an off layer is told. */
interface Host {
  linux: boolean;
  root: boolean;
  unshare?: string;
  setpriv?: string;
  prlimit?: string;
  ip?: string;
  sh: string;
  /** The reason a layer is off: --no-isolation first, else the probe's own. */
  off: (why: string | undefined) => string | undefined;
  /** Without root, an unprivileged user namespace gives the same network and PID namespaces (when the OS allows it). */
  userns: string[];
  how: string;
}

interface Probed {
  on: boolean;
  why?: string;
}

function hostOf(options: DetectOptions): Host {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    linux: process.platform === 'linux',
    root,
    unshare: which('unshare'),
    setpriv: which('setpriv'),
    prlimit: which('prlimit'),
    ip: which('ip'),
    sh: which('sh') ?? '/bin/sh',
    off: (why) => (options.disabled ? 'turned off by --no-isolation' : why),
    userns: root ? [] : ['--user', '--map-root-user'],
    how: root ? '' : ' (unprivileged user namespace)',
  };
}

/** The jest worker's network and PID namespaces (loopback brought up inside): the wrapper, when they work. */
function probeNetwork(h: Host): Probed & { wrapper: string[] } {
  const jestPrefix = h.unshare ? [h.unshare, ...h.userns, '--net', '--pid', '--fork', '--kill-child', '--mount-proc'] : [];
  const loUp = h.ip ? [h.sh, '-c', `${h.ip} link set lo up && exec "$@"`, 'course-jest'] : [];
  const wrapper = [...jestPrefix, ...loUp];
  const why = h.off(!h.linux ? 'not Linux' : !h.unshare ? 'unshare not found' : !h.ip ? 'ip (iproute2) not found' : undefined);
  if (why !== undefined) return { on: false, why, wrapper };
  if (works(jestPrefix[0]!, [...jestPrefix.slice(1), ...loUp, process.execPath, '-e', ''])) return { on: true, wrapper };
  const failed = h.root
    ? 'unshare --net --pid failed on this host'
    : 'unprivileged user namespaces are not allowed here (sysctl kernel.unprivileged_userns_clone, AppArmor), or unshare --net failed';
  return { on: false, why: failed, wrapper };
}

/**
 * The student child: a session of its own (so kill(0) reaches no trusted process; it dies with its parent through
 * the parent-death signal) and a PID namespace of its own, nested inside the jest worker's when that is on.
 */
function probeHostPid(h: Host, inJest: string[]): Probed & { prefix: string[] } {
  const pdeath = h.linux && h.setpriv ? [h.setpriv, '--pdeathsig', 'KILL'] : [];
  const why = h.off(!h.linux ? 'not Linux' : !h.unshare ? 'unshare not found' : !h.setpriv ? 'setpriv not found' : undefined);
  const prefix = h.unshare ? [...pdeath, h.unshare, ...h.userns, '--pid', '--fork', '--kill-child', '--mount-proc'] : [];
  const on =
    why === undefined && works(inJest[0] ?? prefix[0]!, [...inJest.slice(1), ...(inJest.length ? prefix : prefix.slice(1)), process.execPath, '-e', '']);
  return { on, why: on ? undefined : (why ?? (h.root ? 'unshare --pid failed' : 'unprivileged user namespaces are not allowed here')), prefix };
}

/** An unprivileged uid per worker (root only), checked by reading a file of the work folder as that uid. */
function probeUid(h: Host, uidBase: number, probeFile: string | undefined): Probed {
  const why = h.off(
    !h.linux
      ? 'not Linux'
      : !h.root
        ? 'not running as root (the code under test runs as your user, in its own namespaces where they are on)'
        : !h.setpriv
          ? 'setpriv not found'
          : undefined,
  );
  if (why !== undefined) return { on: false, why };
  const probe = probeFile && existsSync(probeFile) ? probeFile : undefined;
  const args = [
    `--reuid=${uidBase}`,
    `--regid=${uidBase}`,
    '--clear-groups',
    '--no-new-privs',
    process.execPath,
    '-e',
    probe ? `require('fs').readFileSync(${JSON.stringify(probe)})` : '',
  ];
  if (works(h.setpriv!, args)) return { on: true };
  return { on: false, why: probe ? 'the work folder is not readable by an unprivileged user (grade into a folder under /tmp?)' : 'setpriv failed' };
}

function probeLimits(h: Host): Probed {
  const why = h.off(!h.linux ? 'not Linux' : !h.prlimit ? 'prlimit not found' : undefined);
  const on = why === undefined && works(h.prlimit!, ['--nofile=256', '--', process.execPath, '-e', '']);
  return { on, why: on ? undefined : (why ?? 'prlimit failed') };
}

export function detectIsolation(options: DetectOptions = {}): Isolation {
  const h = hostOf(options);
  const uidBase = options.uidBase ?? FIRST_UID;
  const net = probeNetwork(h);
  const hostPid = probeHostPid(h, net.on ? net.wrapper : []);
  const uid = probeUid(h, uidBase, options.probeFile);
  const limits = probeLimits(h);
  const layers: IsolationLayer[] = [
    { id: 'net-ns', name: `network namespace (loopback only) per jest worker${h.how}`, on: net.on, why: net.why },
    { id: 'pid-ns-jest', name: `PID namespace per jest worker${h.how}`, on: net.on, why: net.why },
    { id: 'pid-ns-host', name: `own session and PID namespace per student child${h.how}`, on: hostPid.on, why: hostPid.why },
    { id: 'uid', name: `unprivileged uid (${uidBase}+worker) with no-new-privs for student children`, on: uid.on, why: uid.why },
    { id: 'prlimit', name: 'prlimit (CPU, memory, file size, open files, processes) for student children', on: limits.on, why: limits.why },
  ];
  return {
    layers,
    jestWrapper: () => (net.on ? net.wrapper : []),
    // (hostPid.prefix starts with setpriv --pdeathsig; the uid layer sets it again after the uid change.)
    sandboxParentDeathSignal: hostPid.on || uid.on,
    sandboxWrapper: (index, runLimits) => [
      ...(hostPid.on ? hostPid.prefix : []),
      ...identityArgs(h, hostPid.on, uid.on ? uidBase + index : undefined),
      ...(limits.on ? limitArgs(h.prlimit!, runLimits, uid.on) : []),
    ],
    uidOf: (index) => (uid.on ? uidBase + index : undefined),
    describe() {
      const on = layers.filter((l) => l.on).map((l) => l.name);
      const off = layers.filter((l) => !l.on).map((l) => `${l.name} (${l.why})`);
      return `isolation: ${on.length ? on.join('; ') : 'none beyond the child process'}${off.length ? ` — OFF: ${off.join('; ')}` : ''}`;
    },
  };
}

/**
 * The uid change (and the parent-death signal again). The one `unshare --kill-child` sets is cleared by the kernel
 * when the uid changes: setpriv sets it again after the change (util-linux applies --pdeathsig last), so the host
 * still dies when its wrapper does. (The client does not rely on it: it kills the namespace's init itself, see
 * end-host.ts.)
 */
function identityArgs(h: Host, hostPidOn: boolean, uid: number | undefined): string[] {
  if (uid !== undefined) return [h.setpriv!, `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--no-new-privs', '--pdeathsig', 'KILL'];
  if (hostPidOn && h.setpriv) return [h.setpriv, '--no-new-privs', '--pdeathsig', 'KILL'];
  return [];
}

function limitArgs(prlimit: string, limits: ChildLimits, uidOn: boolean): string[] {
  return [
    prlimit,
    `--cpu=${Math.max(1, Math.ceil(limits.cpuSeconds))}`,
    `--data=${Math.floor(limits.dataBytes)}`,
    `--fsize=${Math.floor(limits.fileSize)}`,
    `--nofile=${limits.openFiles}`,
    // Counted per uid: only meaningful when the uid is the worker's own.
    ...(uidOn ? [`--nproc=${limits.processes}`] : []),
    '--core=0',
    '--',
  ];
}

/**
 * Running processes (zombies aside: they run nothing and cannot be signalled) whose real uid is one of `uids`,
 * read from /proc. The uids are the run's own (uid-block.ts), so every such process is the code under test's.
 */
export function processesOfUids(uids: number[]): number[] {
  if (!uids.length || process.platform !== 'linux') return [];
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const status = readFileSync(`/proc/${name}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      const state = /^State:\s+(\S)/m.exec(status)?.[1];
      if (uids.includes(uid) && state !== 'Z' && state !== 'X') found.push(Number(name));
    } catch {
      /* it ended while we looked */
    }
  }
  return found;
}

/**
 * After a suite has run as `uid`: nothing of it may be left. Every survivor is killed (and waited for, briefly);
 * the text returned, if any, is an anomaly of the run (the host should have taken them all down with it).
 */
export async function killSurvivorsOfUid(uid: number): Promise<string | undefined> {
  // A host killed a moment ago may still be on its way out: a short grace first.
  let left = processesOfUids([uid]);
  for (let waited = 0; left.length && waited < 1000; waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    left = processesOfUids([uid]);
  }
  if (!left.length) return undefined;
  for (const pid of left) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return `${left.length} process(es) of the code under test (uid ${uid}) were still running after the suite and were killed`;
}
