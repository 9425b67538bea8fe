// cgroup limits for student children (DESIGN §4: "cgroup memory and pids limits where the host offers them").
// Each pool worker gets a cgroup of its own for the student children it starts, with a memory limit (the
// whole process: V8 heap, Buffers, native memory, page cache; swap included where the host accounts it) and a
// process limit. The per-process rlimits stay; the cgroup is the backstop that also counts what they do not,
// and the kernel's OOM-kill count tells us afterwards that a run was killed for memory.
//
// cgroup v2 is used when the unified hierarchy delegates memory and pids at its root; otherwise cgroup v1 when
// the memory and pids hierarchies are mounted and writable (as root). Groups are created under the grader's
// own cgroup, named after the run's pid; groups left by a run that died are removed at the next run.

import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { processAlive } from '../lock';
import type { IsolationLayer } from './isolation';

export interface CgroupLimits {
  memoryBytes: number;
  pids: number;
}

export interface Cgroups {
  /** "cgroup v1" or "cgroup v2". */
  version: string;
  /** Prefix that moves the process into worker `index`'s group (run as root, before dropping privileges). */
  wrapper(index: number): string[];
  /** OOM kills so far in worker `index`'s group. */
  oomKills(index: number): number;
  /** Removes the run's groups (their processes must be gone). */
  release(): void;
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Mounted cgroup hierarchies, with the grader's own cgroup folder in each. */
function hierarchies(): { v1: Map<string, string>; v2?: string } {
  const own = new Map<string, string>(); // "memory" / "pids" / "" (v2) -> path inside the hierarchy
  for (const line of (read('/proc/self/cgroup') ?? '').split('\n')) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    for (const c of m[1]!.split(',')) own.set(c, m[2]!);
  }
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of (read('/proc/self/mountinfo') ?? '').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions] = right.split(' ');
    const root = fields[3]!;
    const mountPoint = fields[4]!;
    if (fsType === 'cgroup2') {
      const inside = own.get('') ?? '/';
      v2 = path.join(mountPoint, path.relative(root, inside));
    } else if (fsType === 'cgroup') {
      for (const c of ['memory', 'pids']) {
        if ((superOptions ?? '').split(',').includes(c) && own.has(c)) v1.set(c, path.join(mountPoint, path.relative(root, own.get(c)!)));
      }
    }
  }
  return { v1, v2 };
}

/** Removes a group and its sub-groups, deepest first; false when one is still busy. */
function removeTree(dir: string): boolean {
  if (!existsSync(dir)) return true;
  let ok = true;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    if (name.isDirectory()) ok = removeTree(path.join(dir, name.name)) && ok;
  }
  try {
    rmdirSync(dir);
  } catch {
    ok = false;
  }
  return ok;
}

function sweepStale(parent: string): void {
  try {
    for (const name of readdirSync(parent)) {
      const m = /^course-grade-(\d+)$/.exec(name);
      if (m && !processAlive(m[1]!)) removeTree(path.join(parent, name));
    }
  } catch {
    /* nothing to sweep */
  }
}

const JOIN = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/**
 * Sets up one group per worker, or says why it cannot. `sh` is the shell used by the wrapper.
 */
export function setUpCgroups(workers: number, limits: CgroupLimits, sh = '/bin/sh'): Cgroups | { off: string } {
  if (process.platform !== 'linux') return { off: 'not Linux' };
  if (process.getuid?.() !== 0) return { off: 'not running as root' };
  const { v1, v2 } = hierarchies();
  const name = `course-grade-${process.pid}`;
  const created: string[] = [];
  const fail = (why: string) => {
    for (const dir of created.reverse()) removeTree(dir);
    return { off: why };
  };
  try {
    // v2: the root of the unified hierarchy must hand memory and pids down.
    const v2Root = v2 && (read(path.join(v2, 'cgroup.subtree_control')) ?? '').split(/\s+/);
    if (v2 && v2Root && v2Root.includes('memory') && v2Root.includes('pids')) {
      sweepStale(v2);
      const top = path.join(v2, name);
      mkdirSync(top);
      created.push(top);
      writeFileSync(path.join(top, 'cgroup.subtree_control'), '+memory +pids');
      const groups: string[] = [];
      for (let i = 0; i < workers; i++) {
        const g = path.join(top, `w${i}`);
        mkdirSync(g);
        writeFileSync(path.join(g, 'memory.max'), String(limits.memoryBytes));
        if (existsSync(path.join(g, 'memory.swap.max'))) writeFileSync(path.join(g, 'memory.swap.max'), '0');
        writeFileSync(path.join(g, 'pids.max'), String(limits.pids));
        groups.push(g);
      }
      return make(
        'cgroup v2',
        [top],
        (i) => [path.join(groups[i]!, 'cgroup.procs')],
        (i) => events(path.join(groups[i]!, 'memory.events')),
        sh,
      );
    }
    const memory = v1.get('memory');
    const pids = v1.get('pids');
    if (!memory || !pids) return fail('no cgroup v2 with memory and pids delegated, and no cgroup v1 memory and pids hierarchies');
    const tops = [path.join(memory, name), path.join(pids, name)];
    for (const top of tops) {
      sweepStale(path.dirname(top));
      mkdirSync(top);
      created.push(top);
    }
    for (let i = 0; i < workers; i++) {
      const m = path.join(tops[0]!, `w${i}`);
      mkdirSync(m);
      writeFileSync(path.join(m, 'memory.limit_in_bytes'), String(limits.memoryBytes));
      // memory + swap: the same limit, so that swapping does not stretch it (only where the host accounts swap).
      if (existsSync(path.join(m, 'memory.memsw.limit_in_bytes'))) writeFileSync(path.join(m, 'memory.memsw.limit_in_bytes'), String(limits.memoryBytes));
      const p = path.join(tops[1]!, `w${i}`);
      mkdirSync(p);
      writeFileSync(path.join(p, 'pids.max'), String(limits.pids));
    }
    return make(
      'cgroup v1',
      tops,
      (i) => tops.map((top) => path.join(top, `w${i}`, 'cgroup.procs')),
      (i) => events(path.join(tops[0]!, `w${i}`, 'memory.oom_control')),
      sh,
    );
  } catch (err) {
    return fail(`cgroups not writable here (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/** The cgroup layer as the gradebook records it (id `cgroup-memory`): on, or off with the reason. */
export function cgroupLayer(cgroups: Cgroups | { off: string }, memoryMb: number): IsolationLayer {
  return {
    id: 'cgroup-memory',
    name: `cgroup memory (${memoryMb} MB) and pids limits per worker for student children`,
    on: !('off' in cgroups),
    why: 'off' in cgroups ? cgroups.off : undefined,
  };
}

/** The oom_kill counter of a memory.events (v2) or memory.oom_control (v1) file. */
function events(file: string): number {
  const m = /^oom_kill (\d+)$/m.exec(read(file) ?? '');
  return m ? Number(m[1]) : 0;
}

function make(version: string, tops: string[], procs: (i: number) => string[], oom: (i: number) => number, sh: string): Cgroups {
  return {
    version,
    wrapper: (i) => [sh, '-c', JOIN, 'course-cgroup', ...procs(i), '--'],
    oomKills: oom,
    release() {
      for (const top of tops) {
        // The processes of the run may take a moment to be reaped after their namespace was killed.
        for (let attempt = 0; attempt < 100 && !removeTree(top); attempt++) {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        }
      }
    },
  };
}
