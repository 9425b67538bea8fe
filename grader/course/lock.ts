// A lock file beside course.yaml so two `course` processes never lose each other's progress update. The lock is
// created atomically with its content (write a private file, then hard-link it to the lock name: link() fails
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

function alive(pidText: string): boolean {
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

export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  const mine = `${lockPath}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (;;) {
      try {
        linkSync(mine, lockPath);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = ownerOf(lockPath);
      if (owner !== undefined && !alive(owner)) {
        // Stale: left by a process that died. Remove it only if it is still that same stale lock.
        if (ownerOf(lockPath) === owner) {
          try {
            unlinkSync(lockPath);
          } catch {
            /* another process removed it first */
          }
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`course.yaml is locked by another \`course\` process (pid ${owner}); try again when it finishes`);
      }
      await sleep(10 + Math.random() * 20);
    }
  } finally {
    unlinkSync(mine);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  }
}
