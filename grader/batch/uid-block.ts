// Each `course grade` run reserves its own block of unprivileged uids for student children (worker i runs as
// base + i). Two runs on one machine (two shards, two courses) must not share uids: the per-uid process limit
// (RLIMIT_NPROC) would count both runs' children, and "no process of this uid is left" would mean nothing.
// A block is held by a lock file holding the run's pid; a block whose run died (kill -9) is reclaimed.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { lockOwner, tryLock, unlock } from '../lock';

/** Blocks of BLOCK_SIZE uids from FIRST_UID; the last block ends below 65534 (nobody) and 65535. */
export const FIRST_UID = 61_000;
export const BLOCK_SIZE = 100;
export const BLOCK_COUNT = 40;
/** Root-owned, shared by every run on the machine whatever its TMPDIR. */
export const DEFAULT_LOCK_DIR = '/tmp/.course-grade-uids';

export interface UidBlock {
  /** The first uid: worker i runs as base + i. */
  base: number;
  release(): void;
}

export class UidBlockError extends Error {}

export function reserveUidBlock(workers: number, lockDir = DEFAULT_LOCK_DIR): UidBlock {
  if (workers > BLOCK_SIZE) throw new UidBlockError(`at most ${BLOCK_SIZE} workers per run (asked for ${workers})`);
  mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const holders: string[] = [];
  for (let k = 0; k < BLOCK_COUNT; k++) {
    const base = FIRST_UID + k * BLOCK_SIZE;
    const lockPath = path.join(lockDir, String(base));
    if (tryLock(lockPath)) {
      const onExit = () => unlock(lockPath);
      process.once('exit', onExit);
      return {
        base,
        release() {
          process.removeListener('exit', onExit);
          unlock(lockPath);
        },
      };
    }
    holders.push(lockOwner(lockPath) ?? '?');
  }
  throw new UidBlockError(
    `all ${BLOCK_COUNT} uid blocks (${FIRST_UID}-${FIRST_UID + BLOCK_COUNT * BLOCK_SIZE - 1}) are held by running \`course grade\` processes (pids ${[...new Set(holders)].join(', ')}); wait for one to finish`,
  );
}
