// A lock file beside course.yaml so two `course` processes never lose each other's progress update. Exclusive
// create ("wx") is atomic on every local file system; a lock left by a process that no longer exists is stale.

import { openSync, closeSync, writeSync, readFileSync, unlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

function ownerAlive(lockPath: string): boolean {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function withLock<T>(lockPath: string, fn: () => T | Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!ownerAlive(lockPath)) {
        try {
          unlinkSync(lockPath);
        } catch {
          /* another process removed it first */
        }
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`course.yaml is locked by another \`course\` process (${lockPath}); try again when it finishes`);
      }
      await sleep(15 + Math.random() * 20);
    }
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
