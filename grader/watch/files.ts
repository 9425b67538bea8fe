// Watching an exercise's files for `course watch`: file-system events, or (where those do not arrive: WSL2 on a
// Windows drive, network mounts) the files' size and time read every 300 ms. Editors save in several steps
// (truncate, write, rename), so a change is reported once the burst is over, and only when the files' content
// differs from what was last seen (a save without changes re-checks nothing). The steps of one save follow each
// other within a few milliseconds, so QUIET_MS without an event ends the burst (the wait is part of every re-check
// the learner waits for); a file then empty or missing is the middle of a truncate-then-write or a rename, and is
// given SETTLE_MS more before it counts as a change.

import { readFileSync, statSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { markStage } from '../run/stage-marks';

export const QUIET_MS = 20;
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
  const contents = () =>
    files.map((f) => {
      try {
        return readFileSync(path.join(dir, f), 'utf8');
      } catch {
        return undefined;
      }
    });
  const key = (texts: Array<string | undefined>) => texts.map((t) => (t === undefined ? '-' : `+${t}`)).join('\0');
  let seen = key(contents());
  let settle: NodeJS.Timeout | undefined;
  let lastEvent = 0;
  const check = () => {
    const texts = contents();
    // Half-way through a save (truncated, or renamed away): wait for the rest, up to SETTLE_MS after the last event.
    const waited = performance.now() - lastEvent;
    if (texts.some((t) => !t) && waited < SETTLE_MS) {
      settle = setTimeout(check, SETTLE_MS - waited);
      return;
    }
    const now = key(texts);
    if (now === seen) return;
    seen = now;
    markStage('debounced');
    onChange();
  };
  const changed = () => {
    markStage('file-event');
    lastEvent = performance.now();
    clearTimeout(settle);
    settle = setTimeout(check, QUIET_MS);
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
