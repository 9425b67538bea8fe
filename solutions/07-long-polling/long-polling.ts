// Exercise 7: long polling, both halves (reference solution).
//   - UpdateServer: GET /updates?after=<cursor> answers at once when newer updates exist, otherwise holds the
//     request until a publish or the hold timeout; bounded history with a 410 "resync" answer.
//   - PollingClient: the poll loop with a cursor, backoff with jitter, Retry-After, request timeout, stop().

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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

interface Waiter {
  after: number;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
}

export class UpdateServer {
  private readonly options: Required<UpdateServerOptions>;
  private readonly server: http.Server;
  private readonly history: Update[] = [];
  private latestCursor = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly sockets = new Set<Socket>();

  constructor(options: UpdateServerOptions = {}) {
    this.options = {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      holdMs: options.holdMs ?? 25_000,
      historyLimit: options.historyLimit ?? 1000,
      maxBatch: options.maxBatch ?? 100,
      maxWaiting: options.maxWaiting ?? 10_000,
      retryAfterSeconds: options.retryAfterSeconds ?? 1,
    };
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  /** Starts listening; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Appends an update, wakes every held request, returns the update's cursor. */
  publish(data: unknown): number {
    const update: Update = { cursor: ++this.latestCursor, data };
    this.history.push(update);
    if (this.history.length > this.options.historyLimit) this.history.splice(0, this.history.length - this.options.historyLimit);
    for (const waiter of [...this.waiters]) {
      this.release(waiter);
      this.sendUpdates(waiter.res, waiter.after);
    }
    return update.cursor;
  }

  /** The cursor of the newest update (0 before the first publish). */
  get latest(): number {
    return this.latestCursor;
  }

  /** How many requests are held right now. */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Answers the held requests with 204, stops listening and closes every connection. */
  close(): Promise<void> {
    for (const waiter of [...this.waiters]) {
      this.release(waiter);
      this.send(waiter.res, 204);
    }
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/updates') return this.send(res, 404, { error: 'not-found' });
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return this.send(res, 405, { error: 'method-not-allowed' });
    }
    const raw = url.searchParams.get('after');
    if (raw === null || !/^\d{1,15}$/.test(raw)) return this.send(res, 400, { error: 'bad-cursor' });
    const after = Number(raw);
    const oldest = this.history.length ? this.history[0]!.cursor : this.latestCursor + 1;
    // The client has everything up to `after`; we can serve it only if update after + 1 is still kept.
    if (after > this.latestCursor || after < oldest - 1) return this.send(res, 410, { error: 'resync', cursor: this.latestCursor });
    if (after < this.latestCursor) return this.sendUpdates(res, after);
    if (this.waiters.size >= this.options.maxWaiting) {
      res.setHeader('Retry-After', String(this.options.retryAfterSeconds));
      return this.send(res, 503, { error: 'busy' });
    }
    const waiter: Waiter = {
      after,
      res,
      timer: setTimeout(() => {
        this.release(waiter);
        this.send(res, 204);
      }, this.options.holdMs),
    };
    this.waiters.add(waiter);
    // A client that goes away while held must not stay in the set (nor keep its timer).
    res.on('close', () => this.release(waiter));
  }

  private release(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }

  private sendUpdates(res: http.ServerResponse, after: number): void {
    const start = this.history.findIndex((u) => u.cursor > after);
    const updates = start < 0 ? [] : this.history.slice(start, start + this.options.maxBatch);
    const cursor = updates.length ? updates[updates.length - 1]!.cursor : after;
    this.send(res, 200, { updates, cursor });
  }

  private send(res: http.ServerResponse, status: number, body?: unknown): void {
    if (res.writableEnded || res.destroyed) return;
    res.statusCode = status;
    res.setHeader('Cache-Control', 'no-store');
    if (body === undefined) return void res.end();
    const text = JSON.stringify(body);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }
}

// =================================================================================================================
// The client
// =================================================================================================================

/** The fetch the client uses: undici's, or anything with the same shape. */
export type Fetch = typeof undiciFetch;

export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  factor: number;
  jitter: number;
}

/** min(maxDelayMs, baseDelayMs × factor^(attempt − 1)) × (1 − jitter × random), random in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const capped = Math.min(options.maxDelayMs, options.baseDelayMs * options.factor ** (attempt - 1));
  return capped * (1 - options.jitter * random);
}

/**
 * The wait a Retry-After header asks for, in ms (RFC 9110 §10.2.3): delay-seconds or an HTTP-date (compared with
 * `now`, never negative). null when the header is absent or invalid.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (value === null || value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP-date starts with the day name (IMF-fixdate, and the obsolete RFC 850 and asctime forms). Date.parse
  // alone would also accept "-1" or "1.5" as dates.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

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
  fetch: Fetch;
  /** Start after this cursor (default 0: from the beginning). */
  cursor?: number;
  /** A poll with no answer after this long is abandoned and retried (default 60000 ms). */
  requestTimeoutMs?: number;
  /** Randomness in [0, 1) for the jitter (default Math.random); called once per retry. */
  random?: () => number;
  /** Clock for HTTP-date Retry-After values (default Date.now). */
  now?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

class PollFailed extends Error {
  readonly code = 'POLL_FAILED';
  constructor(readonly status: number) {
    super(`the server answered ${status}: polling stopped`);
    this.name = 'PollFailed';
  }
}

type Outcome = { kind: 'batch'; batch: Batch } | { kind: 'again' } | { kind: 'retry'; status: number | null; waitMs: number | null };

export class PollingClient {
  private position: number;
  private readonly fetchImpl: Fetch;
  private readonly backoff: BackoffOptions;
  private readonly requestTimeoutMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly onRetry?: (event: RetryEvent) => void;
  private readonly controller = new AbortController();
  private attempts = 0;
  private busy = false;

  constructor(
    readonly url: string,
    options: PollingClientOptions,
  ) {
    this.fetchImpl = options.fetch;
    this.position = options.cursor ?? 0;
    this.backoff = {
      baseDelayMs: options.baseDelayMs ?? 100,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      factor: options.factor ?? 2,
      jitter: options.jitter ?? 0.5,
    };
    this.requestTimeoutMs = options.requestTimeoutMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.onRetry = options.onRetry;
  }

  /** The cursor of the last update delivered by next() (or of the last resync). */
  get cursor(): number {
    return this.position;
  }

  /** Whether stop() was called. */
  get stopped(): boolean {
    return this.controller.signal.aborted;
  }

  /**
   * Polls until there is something to deliver: new updates (never one already delivered), or a resync when the
   * server no longer has what came after our cursor. Resolves null once stop() is called.
   */
  async next(): Promise<Batch | null> {
    if (this.busy) throw Object.assign(new Error('next() is already waiting'), { code: 'BUSY' });
    this.busy = true;
    try {
      while (!this.stopped) {
        const outcome = await this.pollOnce();
        if (this.stopped) return null;
        if (outcome.kind === 'batch') return outcome.batch;
        if (outcome.kind === 'retry') {
          this.attempts++;
          const delayMs = outcome.waitMs ?? backoffDelay(this.attempts, this.backoff, this.random());
          this.onRetry?.({ attempt: this.attempts, delayMs, status: outcome.status, retryAfter: outcome.waitMs !== null });
          await this.sleep(delayMs);
        }
      }
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Aborts the poll in flight and any wait, for good; a pending next() resolves null. */
  stop(): void {
    this.controller.abort();
  }

  /** Given: `for await (const batch of client)` calls next() until stop(). */
  async *[Symbol.asyncIterator](): AsyncGenerator<Batch> {
    for (;;) {
      const batch = await this.next();
      if (batch === null) return;
      yield batch;
    }
  }

  private async pollOnce(): Promise<Outcome> {
    const request = new AbortController();
    const onStop = () => request.abort();
    this.controller.signal.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => request.abort(), this.requestTimeoutMs);
    try {
      const target = `${this.url}${this.url.includes('?') ? '&' : '?'}after=${this.position}`;
      const res = await this.fetchImpl(target, { signal: request.signal, headers: { accept: 'application/json' }, cache: 'no-store' });
      if (res.status === 204) {
        await res.body?.cancel().catch(() => undefined);
        this.attempts = 0;
        return { kind: 'again' };
      }
      if (res.status === 200) {
        const body = (await res.json()) as { updates?: unknown };
        if (!Array.isArray(body?.updates)) return { kind: 'retry', status: 200, waitMs: null };
        this.attempts = 0;
        const fresh: Update[] = [];
        for (const u of body.updates as Update[]) {
          if (typeof u?.cursor !== 'number') continue;
          if (u.cursor > this.position) {
            fresh.push({ cursor: u.cursor, data: u.data });
            this.position = u.cursor;
          }
        }
        return fresh.length ? { kind: 'batch', batch: { type: 'updates', updates: fresh, cursor: this.position } } : { kind: 'again' };
      }
      if (res.status === 410) {
        const body = (await res.json().catch(() => null)) as { cursor?: unknown } | null;
        if (typeof body?.cursor !== 'number') return { kind: 'retry', status: 410, waitMs: null };
        this.attempts = 0;
        this.position = body.cursor;
        return { kind: 'batch', batch: { type: 'resync', cursor: body.cursor } };
      }
      await res.body?.cancel().catch(() => undefined);
      if (res.status === 429 || res.status === 503) {
        return { kind: 'retry', status: res.status, waitMs: parseRetryAfter(res.headers.get('retry-after'), this.now()) };
      }
      if (res.status >= 500 || res.status === 408) return { kind: 'retry', status: res.status, waitMs: null };
      this.controller.abort();
      throw new PollFailed(res.status);
    } catch (err) {
      if (err instanceof PollFailed) throw err;
      return { kind: 'retry', status: null, waitMs: null };
    } finally {
      clearTimeout(timer);
      this.controller.signal.removeEventListener('abort', onStop);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.controller.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.controller.signal.addEventListener('abort', done, { once: true });
    });
  }
}
