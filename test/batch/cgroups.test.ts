// The cgroup layer on its own (grader/batch/cgroups.ts): a process moved into a worker's group is held to the
// group's memory and process limits, the kernel's OOM kill is counted, and the groups are gone after release.
// Skipped (with a warning) where the host offers no writable cgroups or the tests do not run as root.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setUpCgroups, type Cgroups } from '../../grader/batch/cgroups';

const MB = 1024 * 1024;
const set = setUpCgroups(2, { memoryBytes: 160 * MB, pids: 16 });
const cg: Cgroups | undefined = 'off' in set ? undefined : set;
if (!cg) console.warn(`cgroup tests skipped: ${'off' in set ? set.off : ''}`);
const maybe = cg ? test : test.skip;
afterAll(() => cg?.release());

maybe('memory: a process that allocates past the limit is killed by the kernel, and the kill is counted', () => {
  const before = cg!.oomKills(0);
  const bomb = 'const a = []; for (let i = 0; i < 60; i++) a.push(Buffer.alloc(8 * 1024 * 1024, 1)); console.log("survived");';
  const r = spawnSync(cg!.wrapper(0)[0]!, [...cg!.wrapper(0).slice(1), process.execPath, '-e', bomb], { encoding: 'utf8', timeout: 60_000 });
  expect(r.stdout).not.toContain('survived');
  expect(r.signal).toBe('SIGKILL');
  expect(cg!.oomKills(0)).toBeGreaterThan(before);
  // The other worker's group was not touched, and a modest process runs fine in it.
  const fine = spawnSync(cg!.wrapper(1)[0]!, [...cg!.wrapper(1).slice(1), process.execPath, '-e', 'console.log(Buffer.alloc(32 * 1024 * 1024, 1).length)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(fine.stdout.trim()).toBe(String(32 * MB));
  expect(cg!.oomKills(1)).toBe(0);
});

maybe('processes: no more than the limit can exist in the group at once', () => {
  // A shell starts sleepers until a fork fails (the group allows 16 processes); the sleepers stay behind, counted.
  const w = cg!.wrapper(1);
  const r = spawnSync(w[0]!, [...w.slice(1), '/bin/sh', '-c', 'for i in $(seq 40); do sleep 30 >/dev/null 2>&1 & done; echo all forked'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const members = w.filter((a) => a.endsWith('cgroup.procs')).map((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number));
  for (const pids of members) for (const pid of pids) process.kill(pid, 'SIGKILL');
  expect(r.stdout).not.toContain('all forked');
  expect(r.stderr).toMatch(/fork/i);
  const counted = Math.max(...members.map((m) => m.length));
  expect(counted).toBeGreaterThanOrEqual(10);
  expect(counted).toBeLessThanOrEqual(16);
});

maybe('release removes every group', () => {
  const dirs = cg!
    .wrapper(0)
    .filter((a) => a.endsWith('cgroup.procs'))
    .map((p) => p.replace(/\/w0\/cgroup\.procs$/, ''));
  expect(dirs.length).toBeGreaterThan(0);
  for (const d of dirs) expect(existsSync(d)).toBe(true);
  cg!.release();
  for (const d of dirs) expect(existsSync(d)).toBe(false);
  expect(readFileSync('/proc/self/cgroup', 'utf8')).not.toContain('course-grade-');
});
