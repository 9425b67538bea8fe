// What the chat room demo (exercises 3 and 4) sends the page, as types both sides import, with the settings both
// sides must agree on: the panes' names, the typing rules' intervals (exercise 4's defaults) and the reconnecting
// client's backoff settings, with the lesson's formula for the bound each delay is drawn from (exercise 3's
// README). The page's bundle takes only this file, no Node code. Every text from the code under test is already
// neutralised (control characters made visible) and the page shows it as text only.

/** The lab event the chat room's views travel on. */
export const CHAT_EVENT = 'chat';

/** The browser panes, one chat member each; and the reconnecting client, a member too once connected. */
export const CHAT_NAMES = ['Ada', 'Ben'] as const;
export const RECONNECTOR_NAME = 'Rex';
export const CHAT_ROOM = 'lab';

/** The sender's and receiver's rules of exercise 4, with its default intervals. */
export const CHAT_TIMING = { throttleMs: 2000, idleMs: 3000, expiryMs: 5000 } as const;

/** The reconnecting client's settings (exercise 3's BackoffOptions), small enough to watch. */
export const BACKOFF = { baseDelayMs: 500, maxDelayMs: 4000, factor: 2, jitter: 0.5 } as const;
/** The built-in client's schedule: one retry a second, no backoff, no jitter (what exercise 3 replaces). */
export const FIXED_RETRY_MS = 1000;

/** The lesson's bound for reconnect `attempt`: capped(n) = min(max, base × factor^(n−1)), the delay in (capped × (1 − jitter), capped]. */
export function backoffBound(attempt: number): { low: number; high: number } {
  const capped = Math.min(BACKOFF.maxDelayMs, BACKOFF.baseDelayMs * BACKOFF.factor ** (attempt - 1));
  return { low: capped * (1 - BACKOFF.jitter), high: capped };
}

/** The fields of a frame the learner's server sent a pane (each one present only when it had that type). */
export interface ChatFrame {
  type?: string;
  user?: string;
  text?: string;
  event?: string;
  users?: string[];
  code?: string;
  message?: string;
}

/** What the page may ask a pane to send (the page applies the sender's rules: throttle, idle stop). */
export type ChatOutgoing = { type: 'typing' } | { type: 'stop-typing' } | { type: 'message'; text: string };

/** One change the page shows; as sent, it carries the run it belongs to (ChatView). */
export type ChatUpdate =
  | /** Which code runs each half: the learner's ('learner') or the built-in one ('fallback', with why). */ {
      kind: 'status';
      half: 'server' | 'client';
      source: 'learner' | 'fallback';
      text: string;
    }
  | /** A frame the server sent to pane `pane`, exactly as received (raw, neutralised) and its fields. */ {
      kind: 'frame';
      pane: number;
      raw: string;
      frame: ChatFrame;
    }
  | /** A pane's connection to the server opened (joined) or closed (with the close code its socket reported). */ {
      kind: 'pane';
      pane: number;
      connected: boolean;
      code?: number;
    }
  | /** The server's port is accepting connections, or stopped. */ { kind: 'server'; running: boolean; at: number }
  | /** What the reconnecting client reported, when (the lab's clock, ms since the epoch). */ {
      kind: 'client';
      event: 'open' | 'reconnect' | 'giveup';
      at: number;
      attempt?: number;
      delay?: number;
      code?: number;
      /** The bound the delay is drawn from: (low, high] for backoff, low = high for the fixed schedule. */
      low?: number;
      high?: number;
      reason?: string;
    };

export type ChatView = ChatUpdate & { run: number };
