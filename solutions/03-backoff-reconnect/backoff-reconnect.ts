// Reference solution: a WebSocket client that reconnects with capped exponential backoff and jitter.

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

const OPEN = 1;

/**
 * The delay before reconnect attempt `attempt` (1-based): min(max, base × factor^(attempt−1)) × (1 − jitter × random).
 * It may be far above what one setTimeout can wait (maxDelayMs Infinity: 48.5 days at attempt 23 from 1 s, Infinity
 * once the power overflows); the client waits it out in steps. A base of 0 is 0 for every attempt: the power may
 * overflow to Infinity, and 0 × Infinity would be NaN.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: number): number {
  const grown = options.baseDelayMs === 0 ? 0 : options.baseDelayMs * Math.pow(options.factor, attempt - 1);
  const capped = Math.min(options.maxDelayMs, grown);
  return capped * (1 - options.jitter * random);
}

/** The longest delay setTimeout honours: 2^31 − 1 ms (about 24.8 days). Node runs a timer with a longer delay, or
 * Infinity, after 1 ms instead; browsers wrap the delay to 32 bits (2^31 becomes negative: at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A timer for any delay: a chain of setTimeouts of at most MAX_TIMER_MS, each arming the next (Infinity never fires). */
interface LongTimer {
  handle: ReturnType<typeof setTimeout> | undefined;
}

function setLongTimeout(fn: () => void, ms: number): LongTimer {
  const timer: LongTimer = { handle: undefined };
  const arm = (left: number): void => {
    const slice = Math.min(left, MAX_TIMER_MS);
    timer.handle = setTimeout(() => (left > slice ? arm(left - slice) : fn()), slice);
  };
  arm(ms);
  return timer;
}

function clearLongTimeout(timer: LongTimer | undefined): void {
  if (timer) clearTimeout(timer.handle);
}

/** Whether a connection that closed with this code should be retried (RFC 6455 §7.4.1). */
export function shouldReconnect(code: number): boolean {
  if (code === 1000) return false;
  return ![1002, 1003, 1007, 1008, 1009, 1010].includes(code);
}

function error(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

export class ReconnectingWebSocket {
  private readonly options: ReconnectOptions;
  private readonly backoff: BackoffOptions;
  private socket: WebSocketLike | undefined;
  private attempts = 0;
  private stopped = false;
  private current: ClientState = 'connecting';
  private readonly queue: string[] = [];
  private retryTimer: LongTimer | undefined;
  private stableTimer: LongTimer | undefined;
  private connectTimer: LongTimer | undefined;

  constructor(
    readonly url: string,
    options: ReconnectOptions,
  ) {
    if (typeof options?.WebSocket !== 'function') throw new TypeError('options.WebSocket must be a WebSocket constructor');
    this.options = options;
    this.backoff = {
      baseDelayMs: options.baseDelayMs ?? 1000,
      maxDelayMs: options.maxDelayMs ?? 30_000,
      factor: options.factor ?? 2,
      jitter: options.jitter ?? 0.5,
    };
    this.connect();
  }

  /** 'connecting' (handshake under way), 'open', 'waiting' (a reconnect is scheduled) or 'closed' (for good). */
  get state(): ClientState {
    return this.current;
  }

  /** Sends now when open; otherwise queues the message for the next connection. */
  send(data: string): void {
    if (this.stopped) throw error('CLOSED', 'the client is closed');
    if (this.current === 'open' && this.socket?.readyState === OPEN) {
      this.socket.send(data);
      return;
    }
    const max = this.options.maxQueue ?? 100;
    if (this.queue.length >= max) throw error('QUEUE_FULL', `the offline queue is full (${max} messages)`);
    this.queue.push(data);
  }

  /** Closes the connection with 1000 and never reconnects. */
  close(code = 1000, reason = ''): void {
    if (this.stopped) return;
    this.stopped = true;
    this.current = 'closed';
    this.clearTimers();
    const socket = this.socket;
    if (socket) {
      this.detach(socket);
      this.socket = undefined;
      try {
        socket.close(code, reason);
      } catch {
        /* already closing */
      }
    }
  }

  private connect(): void {
    this.current = 'connecting';
    let socket: WebSocketLike;
    try {
      socket = new this.options.WebSocket(this.url);
    } catch {
      this.onFailure(1006, 'could not create the WebSocket');
      return;
    }
    this.socket = socket;
    const timeout = this.options.connectTimeoutMs ?? 10_000;
    this.connectTimer = setLongTimeout(() => {
      this.connectTimer = undefined;
      this.detach(socket);
      this.socket = undefined;
      try {
        socket.close();
      } catch {
        /* ignore */
      }
      this.options.onClose?.({ code: 1006, reason: 'connect timeout' });
      this.onFailure(1006, 'connect timeout');
    }, timeout);
    socket.onopen = () => {
      clearLongTimeout(this.connectTimer);
      this.connectTimer = undefined;
      this.current = 'open';
      this.stableTimer = setLongTimeout(() => {
        this.stableTimer = undefined;
        this.attempts = 0;
      }, this.options.stableAfterMs ?? 5000);
      this.options.onOpen?.();
      for (const data of this.queue.splice(0)) socket.send(data);
    };
    socket.onmessage = (event) => {
      this.options.onMessage?.(typeof event.data === 'string' ? event.data : String(event.data));
    };
    socket.onerror = () => {
      /* a close event always follows */
    };
    socket.onclose = (event) => {
      this.detach(socket);
      this.socket = undefined;
      clearLongTimeout(this.connectTimer);
      this.connectTimer = undefined;
      clearLongTimeout(this.stableTimer);
      this.stableTimer = undefined;
      this.options.onClose?.({ code: event.code, reason: event.reason });
      this.onFailure(event.code, event.reason);
    };
  }

  private onFailure(code: number, _reason: string): void {
    if (this.stopped) return;
    if (!shouldReconnect(code)) {
      this.stopped = true;
      this.current = 'closed';
      if (code !== 1000) this.options.onGiveUp?.({ reason: 'not-retryable', code, attempts: this.attempts });
      return;
    }
    const maxRetries = this.options.maxRetries ?? Infinity;
    if (this.attempts >= maxRetries) {
      this.stopped = true;
      this.current = 'closed';
      this.options.onGiveUp?.({ reason: 'max-retries', code, attempts: this.attempts });
      return;
    }
    this.attempts += 1;
    const random = (this.options.random ?? Math.random)();
    const delay = backoffDelay(this.attempts, this.backoff, random);
    this.current = 'waiting';
    this.options.onReconnect?.({ attempt: this.attempts, delay, code });
    this.retryTimer = setLongTimeout(() => {
      this.retryTimer = undefined;
      this.connect();
    }, delay);
  }

  private detach(socket: WebSocketLike): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = () => undefined; // a late error must not become an uncaught 'error' event
  }

  private clearTimers(): void {
    clearLongTimeout(this.retryTimer);
    clearLongTimeout(this.stableTimer);
    clearLongTimeout(this.connectTimer);
    this.retryTimer = this.stableTimer = this.connectTimer = undefined;
  }
}
