// Exercise 3: a WebSocket client that reconnects with capped exponential backoff and jitter.
// Read README.md in this folder first. Replace every `throw new Error('not implemented')` with your code; keep the
// exported names and signatures (the grader uses them). Check your work with `npx course check backoff-reconnect`.

/** The part of a WebSocket (browser or the `ws` package) this client uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** A WebSocket constructor: `WebSocket` in a browser, `require('ws').WebSocket` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The backoff settings used by backoffDelay. */
export interface BackoffOptions {
  /** Delay before reconnect attempt 1, in ms. */
  baseDelayMs: number;
  /** No delay is ever longer than this, in ms. */
  maxDelayMs: number;
  /** Growth per attempt (2 doubles the delay). */
  factor: number;
  /** Jitter ratio in [0, 1]: the delay is reduced by up to this fraction. */
  jitter: number;
}

export interface ReconnectEvent {
  /** 1 for the first reconnect after a failure, 2 for the next... */
  attempt: number;
  /** The delay before that attempt, in ms. */
  delay: number;
  /** The close code that triggered it (1006 when the connection dropped or never opened). */
  code: number;
}

export interface GiveUpEvent {
  reason: 'max-retries' | 'not-retryable';
  /** The close code of the last failure. */
  code: number;
  /** Reconnect attempts made since the last stable connection. */
  attempts: number;
}

export interface ReconnectOptions extends Partial<BackoffOptions> {
  /** The WebSocket constructor to use. */
  WebSocket: WebSocketConstructor;
  /** Reconnect attempts allowed after a failure before giving up (default Infinity). */
  maxRetries?: number;
  /** A connection that stays open this long resets the attempt counter (default 5000 ms). */
  stableAfterMs?: number;
  /** A connection that has not opened after this long is abandoned and counts as a failure (default 10000 ms). */
  connectTimeoutMs?: number;
  /** Most messages kept while disconnected (default 100). */
  maxQueue?: number;
  /** Source of randomness in [0, 1) for the jitter (default Math.random); called once per scheduled reconnect. */
  random?: () => number;
  onOpen?: () => void;
  onMessage?: (data: string) => void;
  onClose?: (event: { code: number; reason: string }) => void;
  onReconnect?: (event: ReconnectEvent) => void;
  onGiveUp?: (event: GiveUpEvent) => void;
}

export type ClientState = 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * The delay in ms before reconnect attempt `attempt` (1 = the first reconnect after a failure):
 * min(maxDelayMs, baseDelayMs × factor^(attempt − 1)) × (1 − jitter × random), with `random` in [0, 1).
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  throw new Error('not implemented');
}

/** Whether a connection that closed with this code is worth reconnecting (RFC 6455 §7.4.1; see the README table). */
export function shouldReconnect(code: number): boolean {
  throw new Error('not implemented');
}

export class ReconnectingWebSocket {
  /** Starts connecting to `url` at once, with `new options.WebSocket(url)`. */
  constructor(
    readonly url: string,
    options: ReconnectOptions,
  ) {
    throw new Error('not implemented');
  }

  /** 'connecting' (handshake under way), 'open', 'waiting' (a reconnect is scheduled) or 'closed' (for good). */
  get state(): ClientState {
    throw new Error('not implemented');
  }

  /**
   * Sends `data` now if the connection is open; otherwise queues it (delivered in order, once, on the next open).
   * Throws an error with `code: 'QUEUE_FULL'` when the queue already holds maxQueue messages, and one with
   * `code: 'CLOSED'` after close() or after giving up.
   */
  send(data: string): void {
    throw new Error('not implemented');
  }

  /** Closes the connection (code 1000 by default) and never reconnects; cancels a scheduled reconnect. */
  close(code = 1000, reason = ''): void {
    throw new Error('not implemented');
  }
}
