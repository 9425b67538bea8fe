// Does fs.watch report changes in this folder? On WSL2 with the course on a Windows drive (/mnt/c), on network
// mounts and in some containers it never does: there, `course watch` must poll instead.

import { mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Watches a fresh folder inside `dir`, writes a file there, and says whether an event arrived in time. */
export async function fsWatchWorks(dir: string, timeoutMs = 1500): Promise<boolean> {
  let probe: string;
  try {
    probe = mkdtempSync(path.join(dir, '.watch-probe-'));
  } catch {
    return false;
  }
  try {
    return await new Promise<boolean>((resolve) => {
      let watcher: ReturnType<typeof watch> | undefined;
      const done = (ok: boolean) => {
        clearTimeout(timer);
        watcher?.close();
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      try {
        watcher = watch(probe, () => done(true));
        watcher.on('error', () => done(false));
      } catch {
        done(false);
        return;
      }
      writeFileSync(path.join(probe, 'touch'), String(Date.now()));
    });
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}
