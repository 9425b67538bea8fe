// Exercise 7: long polling, both halves. Read README.md in this folder first.
//   - UpdateServer: GET /updates?after=<cursor>; answer at once when there is news, otherwise hold the request
//     until a publish or the hold timeout; bounded history with 410 "resync".
//   - PollingClient: the poll loop with a cursor, backoff with jitter, Retry-After, a request timeout, stop().
// Replace every `throw new Error('not implemented')`; keep the exported names and signatures (the grader calls
// them). Check your work with `npx course check long-polling`.

import http from 'node:http';
import type { fetch as undiciFetch } from 'undici';

/** One published update. Cursors start at 1 and grow by 1 with every publish; cursor 0 means "nothing yet". */
export interface Update {
  cursor: number;
  data: unknown;
}

// =================================================================================================================
// The server
// =================================================================================================================

export interface UpdateServerOptions {
  /** Where to listen (default 127.0.0.1, port 0 = any free port). */
  host?: string;
  port?: number;
  /** How long a request with nothing new is held before a 204 (default 25000 ms). */
  holdMs?: number;
  /** How many of the newest updates are kept (default 1000). */
  historyLimit?: number;
  /** Most updates in one response (default 100). */
  maxBatch?: number;
  /** Most requests held at the same time; one more is answered 503 with Retry-After (default 10000). */
  maxWaiting?: number;
  /** The Retry-After value (seconds) of that 503 (default 1). */
  retryAfterSeconds?: number;
}

export class UpdateServer {
  constructor(options: UpdateServerOptions = {}) {
    void options;
    void http;
    throw new Error('not implemented');
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    throw new Error('not implemented');
  }

  /** Appends an update to the history, answers every held request, returns the update's cursor. */
  publish(data: unknown): number {
    void data;
    throw new Error('not implemented');
  }

  /** The cursor of the newest update (0 before the first publish). */
  get latest(): number {
    throw new Error('not implemented');
  }

  /** How many requests are held right now. */
  get waiting(): number {
    throw new Error('not implemented');
  }

  /** Answers the held requests with 204, stops listening and closes every connection. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}

// =================================================================================================================
// The client
// =================================================================================================================

/** The fetch the client uses: undici's, injected by the grader (or anything with the same shape). */
export type Fetch = typeof undiciFetch;

export interface BackoffOptions {
  /** Delay before retry 1, in ms. */
  baseDelayMs: number;
  /** No delay is ever longer than this, in ms. */
  maxDelayMs: number;
  /** Growth per attempt (2 doubles the delay). */
  factor: number;
  /** Jitter ratio in [0, 1]: the delay is reduced by up to this fraction. */
  jitter: number;
}

/** min(maxDelayMs, baseDelayMs × factor^(attempt − 1)) × (1 − jitter × random), random in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  void attempt;
  void options;
  void random;
  throw new Error('not implemented');
}

/**
 * The wait a Retry-After header asks for, in ms (RFC 9110 §10.2.3): delay-seconds or an HTTP-date (compared with
 * `now`, never negative). null when the header is absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  void value;
  void now;
  throw new Error('not implemented');
}

/** What next() delivers: new updates, or the news that the server no longer has what came after our cursor. */
export type Batch = { type: 'updates'; updates: Update[]; cursor: number } | { type: 'resync'; cursor: number };

export interface RetryEvent {
  /** 1 for the first retry after a success, 2 for the next... */
  attempt: number;
  /** How long the client waits before the next poll. */
  delayMs: number;
  /** The status that failed, or null for a network error or a request timeout. */
  status: number | null;
  /** true when the wait came from a Retry-After header. */
  retryAfter: boolean;
}

export interface PollingClientOptions extends Partial<BackoffOptions> {
  /** The fetch to poll with. */
  fetch: Fetch;
  /** Start after this cursor (default 0: from the beginning). */
  cursor?: number;
  /** A poll with no answer after this long is abandoned and retried (default 60000 ms). */
  requestTimeoutMs?: number;
  /** Randomness in [0, 1) for the jitter (default Math.random); called once per retry that uses the backoff. */
  random?: () => number;
  /** Clock for HTTP-date Retry-After values (default Date.now). */
  now?: () => number;
  /** Called before every wait that follows a failed poll. */
  onRetry?: (event: RetryEvent) => void;
}

export class PollingClient {
  /** Polls `url` (e.g. http://127.0.0.1:8080/updates), adding ?after=<cursor>. Sends nothing until next(). */
  constructor(
    readonly url: string,
    options: PollingClientOptions,
  ) {
    void options;
    throw new Error('not implemented');
  }

  /** The cursor of the last update delivered by next() (or of the last resync). */
  get cursor(): number {
    throw new Error('not implemented');
  }

  /**
   * Polls until there is something to deliver: new updates (never one already delivered), or a resync when the
   * server no longer has what came after our cursor. Resolves null once stop() is called. Rejects with an error
   * whose `code` is "POLL_FAILED" (and `status` the HTTP status) on a final 4xx.
   */
  next(): Promise<Batch | null> {
    throw new Error('not implemented');
  }

  /** Aborts the poll in flight and any wait, for good; a pending next() resolves null. */
  stop(): void {
    throw new Error('not implemented');
  }

  /** Given: `for await (const batch of client)` calls next() until stop(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (;;) {
      const batch = await this.next();
      if (batch === null) return;
      yield batch;
    }
  }
}
