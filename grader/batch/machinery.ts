// The grading machinery of a batch, set up once: the work folder the unprivileged uid can read, the isolation
// layers (isolation.ts, cgroups.ts, each with its stable id), and the packages the exercises give the code under
// test. Released at the end and on Ctrl-C: no cgroup or work folder is left behind.

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { copyPackages } from '../run/build';
import { cgroupLayer, setUpCgroups, type Cgroups } from './cgroups';
import { detectIsolation, type Isolation } from './isolation';
import type { BatchOptions } from './options';

export interface Machinery {
  workDir: string;
  isolation: Isolation;
  cgroups?: Cgroups;
  packagesRoot: string;
  heapMb: number;
  memoryMb: number;
}

/** A folder for builds that the unprivileged uid can read: inside --out when possible, else under the temp dir. */
function prepareWork(outDir: string, allowIsolation: boolean, uidBase: number | undefined): { workDir: string; isolation: Isolation; external: boolean } {
  const inside = path.join(outDir, '.work');
  mkdirSync(inside, { recursive: true });
  chmodSync(inside, 0o755);
  const probe = path.join(inside, 'probe');
  writeFileSync(probe, 'ok', { mode: 0o644 });
  let isolation = detectIsolation({ disabled: !allowIsolation, probeFile: probe, uidBase });
  const uidLayer = isolation.layers.find((l) => l.id === 'uid');
  if (uidLayer && !uidLayer.on && uidLayer.why?.includes('work folder')) {
    const external = mkdtempSync(path.join(os.tmpdir(), 'course-grade-'));
    chmodSync(external, 0o755);
    const probe2 = path.join(external, 'probe');
    writeFileSync(probe2, 'ok', { mode: 0o644 });
    const second = detectIsolation({ disabled: !allowIsolation, probeFile: probe2, uidBase });
    if (second.layers.find((l) => l.id === 'uid')?.on) {
      rmSync(inside, { recursive: true, force: true });
      return { workDir: external, isolation: second, external: true };
    }
    rmSync(external, { recursive: true, force: true });
    isolation = second;
  }
  return { workDir: inside, isolation, external: false };
}

export function setUpMachinery(options: BatchOptions, uidBase: number | undefined, notice: (text: string) => void): Machinery {
  const heapMb = options.heapMb ?? 256;
  const memoryMb = options.memoryMb ?? Math.max(1024, heapMb + 768);
  const { workDir, isolation, external } = prepareWork(options.outDir, options.isolation !== false, uidBase);
  if (external) notice(`note: builds go to ${workDir} (the output folder is not readable by the unprivileged grading user)`);
  // cgroup limits per worker for the student children: a backstop above the per-process memory cap (which it
  // leaves room for, so the usual out-of-memory is still V8's own, clearer error).
  const cgroups =
    options.isolation === false
      ? { off: 'turned off by --no-isolation' }
      : setUpCgroups(Math.max(1, options.jobs), { memoryBytes: (memoryMb + 256) * 1024 * 1024, pids: 128 });
  isolation.layers.push(cgroupLayer(cgroups, memoryMb + 256));
  const off = isolation.layers.filter((l) => !l.on);
  if (off.length) notice(`isolation layers OFF: ${off.map((l) => `${l.name} (${l.why})`).join('; ')}`);
  // The packages the exercises give the code under test, copied where the unprivileged grading uid can read them.
  const packagesRoot = copyPackages(options.courseRoot, [...new Set(options.exercises.flatMap((e) => e.packages))], path.join(workDir, 'packages'));
  return { workDir, isolation, ...('off' in cgroups ? {} : { cgroups }), packagesRoot, heapMb, memoryMb };
}

/** Removes the run's cgroups and work folder (the pool's processes must be ended first). */
export function releaseMachinery(m: Machinery): void {
  m.cgroups?.release();
  rmSync(m.workDir, { recursive: true, force: true });
}
