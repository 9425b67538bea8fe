// Lock files: the one beside course.yaml (two `course` processes never lose each other's progress update) and the
// uid blocks of concurrent batch runs (grader/batch/uid-block.ts). A lock is created atomically with its content (write a private file, then hard-link it to the lock name: link() fails
// if the name exists), so a reader never sees an empty lock. A lock whose owner process is gone is stale.

import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function ownerOf(lockPath: string): string | undefined {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** A process with this pid exists (whoever owns it). */
export function processAlive(pidText: string | number): boolean {
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One attempt to take the lock: true when this process now holds it. A lock left by a process that is gone is
 * removed first.
 */
export function tryLock(lockPath: string): boolean {
  const mine = `${lockPath}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        linkSync(mine, lockPath);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = ownerOf(lockPath);
      if (owner === undefined || processAlive(owner)) return false;
      // Stale: left by a process that died. Remove it only if it is still that same stale lock.
      if (ownerOf(lockPath) === owner) {
        try {
          unlinkSync(lockPath);
        } catch {
          /* another process removed it first */
        }
      }
    }
    return false;
  } finally {
    unlinkSync(mine);
  }
}

/** The pid written in a lock, if any. */
export function lockOwner(lockPath: string): string | undefined {
  return ownerOf(lockPath);
}

export function unlock(lockPath: string): void {
  try {
    if (ownerOf(lockPath) === String(process.pid)) unlinkSync(lockPath);
  } catch {
    /* already gone */
  }
}

export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  while (!tryLock(lockPath)) {
    if (Date.now() > deadline) {
      throw new Error(`course.yaml is locked by another \`course\` process (pid ${ownerOf(lockPath)}); try again when it finishes`);
    }
    await sleep(10 + Math.random() * 20);
  }
  try {
    return await fn();
  } finally {
    unlock(lockPath);
  }
}
