// Watching an exercise's files for `course watch`: file-system events, or (where those do not arrive: WSL2 on a
// Windows drive, network mounts) the files' size and time read every 300 ms. Editors save in several steps
// (truncate, write, rename), so a change is reported once the burst is over, and only when the files' content
// differs from what was last seen (a save without changes re-checks nothing).

import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { markStage } from '../run/stage-marks';

export const SETTLE_MS = 150;
export const POLL_MS = 300;

export interface FileWatch {
  close(): void;
}

export function watchFiles(dir: string, files: readonly string[], options: { poll: boolean }, onChange: () => void): FileWatch {
  const read = (each: (file: string) => string) =>
    files
      .map((f) => {
        try {
          return each(path.join(dir, f));
        } catch {
          return '-';
        }
      })
      .join('\0');
  const content = () => read((f) => `+${readFileSync(f, 'utf8')}`);
  let seen = content();
  let settle: NodeJS.Timeout | undefined;
  const changed = () => {
    markStage('file-event');
    clearTimeout(settle);
    settle = setTimeout(() => {
      const now = content();
      if (now === seen) return;
      seen = now;
      markStage('debounced');
      onChange();
    }, SETTLE_MS);
  };
  let watcher: FSWatcher | undefined;
  let poller: NodeJS.Timeout | undefined;
  if (options.poll) {
    const stamp = () =>
      read((f) => {
        const st = statSync(f);
        return `${st.size}:${st.mtimeMs}`;
      });
    let stamped = stamp();
    poller = setInterval(() => {
      const now = stamp();
      if (now === stamped) return;
      stamped = now;
      changed();
    }, POLL_MS);
  } else {
    watcher = watch(dir, (_event, name) => {
      if (name && !files.includes(String(name))) return;
      changed();
    });
  }
  return {
    close() {
      watcher?.close();
      clearInterval(poller);
      clearTimeout(settle);
    },
  };
}
