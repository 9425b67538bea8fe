// The keyboard of a `course watch` session: stdin in raw mode, each read turned into a named key for the session
// (session.ts). Kept apart so the session never touches the terminal.

import type { Key } from './events';

const NAMED: Record<string, Key> = { '\x1b[A': 'up', '\x1b[B': 'down', '\r': 'enter', '\n': 'enter', '\x1b': 'escape', '\x03': 'ctrl-c' };

/** A read from a raw-mode terminal as a key: arrows, Enter, Esc and Ctrl-C by name, anything else as typed. */
export function keyOf(data: string): Key {
  return NAMED[data] ?? data;
}

/** Reads keys from stdin (raw mode) until the returned function is called, which gives the terminal back. */
export function readKeys(onKey: (key: Key) => void): () => void {
  const stdin = process.stdin;
  const onData = (data: string) => onKey(keyOf(data));
  stdin.setRawMode(true);
  stdin.setEncoding('utf8');
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
