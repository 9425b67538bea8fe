// A chat server (the `ws` package) with scripted remote users, for the typing-indicator exercise. It runs inside
// the trusted jest process. The learner's client connects to it and joins a room; the suite then plays remote
// users ("Alice starts typing", "Bob's message arrives", "Carol leaves") and the server records every message the
// client sends, with the time it arrived. Those records and the times at which the server sent each scripted event
// are the trusted evidence for the timing assertions.
//
// All times are milliseconds on the jest process's monotonic clock (performance.now()), measured from the
// server's start.

import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';

/** One message on the wire, as seen by the server. */
export interface WireEvent {
  /** When the server received (dir "in") or sent (dir "out") it. */
  at: number;
  dir: 'in' | 'out';
  /** The parsed message (undefined when the client sent something that is not JSON). */
  message: Record<string, unknown> | undefined;
  raw: string;
}

export type RemoteEvent = 'typing' | 'stop-typing' | 'message' | 'leave' | 'join';

/** One step of a script: at `at` ms after the script starts, remote user `user` does `event`. */
export interface ScriptStep {
  at: number;
  user: string;
  event: RemoteEvent;
  text?: string;
}

export interface ChatServerOptions {
  /** Echo the client's own typing / stop-typing / message events back to it, as a naive broadcast server would. */
  echo?: boolean;
  /** Remote users already in the room when the client joins. */
  present?: string[];
  /** Hold the joined reply back this long (ms), so that a connect() resolving before it shows. */
  joinedDelayMs?: number;
  /** Hold the joined reply back until the suite calls releaseJoined(): the client's socket is open but it has not
   * joined yet, for as long as the suite needs (no timing involved). */
  holdJoined?: boolean;
}

type Waiter = { check: () => boolean; resolve: () => void; cancel: () => void };

/** The connection of the learner's client, from the server's side. */
export class ChatConnection {
  /** Everything received from and sent to this client, in order. */
  readonly log: WireEvent[] = [];
  /** Set when the client has sent its join. */
  user: string | undefined;
  room: string | undefined;
  /** The headers of the client's upgrade request (they tell which WebSocket constructor opened the connection). */
  upgradeHeaders: Readonly<Record<string, string | string[] | undefined>> = {};
  /** When the TCP connection closed (whoever closed it). */
  closedAt: number | undefined;
  private readonly waiters = new Set<Waiter>();
  private readonly users: string[];

  constructor(
    private readonly server: ChatServer,
    private readonly socket: WebSocket,
    present: string[],
    private readonly echo: boolean,
    private readonly joinedDelayMs = 0,
    private readonly holdJoined = false,
  ) {
    this.users = [...present];
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? '<binary>' : String(data);
      let message: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) message = parsed as Record<string, unknown>;
      } catch {
        message = undefined;
      }
      this.log.push({ at: this.server.now(), dir: 'in', message, raw });
      if (message?.type === 'join' && this.user === undefined) {
        this.user = String(message.user);
        this.room = String(message.room);
        this.users.push(this.user);
        const reply = { type: 'joined', room: this.room, user: this.user, users: [...this.users] };
        if (this.holdJoined) this.heldJoined = reply;
        else if (this.joinedDelayMs > 0) setTimeout(() => this.send(reply), this.joinedDelayMs);
        else this.send(reply);
        this.server.joined(this);
      } else if (this.echo && this.user !== undefined && ['typing', 'stop-typing', 'message'].includes(String(message?.type))) {
        this.send({ ...message, user: this.user });
      }
      this.notify();
    });
    socket.on('close', () => {
      this.closedAt = this.server.now();
      this.notify();
    });
    socket.on('error', () => undefined);
  }

  /** The joined reply held back by the holdJoined option, until releaseJoined(). */
  private heldJoined: Record<string, unknown> | undefined;

  /** Sends the joined reply held back by the holdJoined option. */
  releaseJoined(): void {
    const reply = this.heldJoined;
    this.heldJoined = undefined;
    if (reply) this.send(reply);
  }

  /** Messages the client sent, with their arrival times. */
  sent(type?: string): Array<{ at: number; message: Record<string, unknown> }> {
    return this.log
      .filter((e) => e.dir === 'in' && e.message && (type === undefined || e.message.type === type))
      .map((e) => ({ at: e.at, message: e.message! }));
  }

  /** Sends a message to the client; returns the time it was sent. */
  send(message: Record<string, unknown>): number {
    const at = this.server.now();
    const raw = JSON.stringify(message);
    if (this.socket.readyState === 1) this.socket.send(raw);
    this.log.push({ at, dir: 'out', message, raw });
    this.notify();
    return at;
  }

  /** Plays one event of a remote user; returns the time it was sent. */
  play(user: string, event: RemoteEvent, text = 'hello'): number {
    switch (event) {
      case 'typing':
      case 'stop-typing':
        return this.send({ type: event, user });
      case 'message':
        return this.send({ type: 'message', user, text });
      case 'join':
        this.users.push(user);
        return this.send({ type: 'presence', event: 'join', user, users: [...this.users] });
      case 'leave': {
        const i = this.users.indexOf(user);
        if (i >= 0) this.users.splice(i, 1);
        return this.send({ type: 'presence', event: 'leave', user, users: [...this.users] });
      }
    }
  }

  /** Plays a script; resolves with the time each step was actually sent (same order as the steps). */
  runScript(steps: ScriptStep[]): Promise<number[]> {
    const sentAt: number[] = new Array<number>(steps.length);
    let left = steps.length;
    return new Promise((resolve) => {
      if (left === 0) return resolve(sentAt);
      const start = performance.now();
      steps.forEach((step, i) => {
        const fire = () => {
          sentAt[i] = this.play(step.user, step.event, step.text);
          if (--left === 0) resolve(sentAt);
        };
        // Each step is scheduled from the script's start, so a late timer does not shift the later steps.
        this.server.schedule(fire, Math.max(0, start + step.at - performance.now()));
      });
    });
  }

  /** Ends the connection abruptly (no close frame): the client sees code 1006. */
  drop(): number {
    const at = this.server.now();
    this.socket.terminate();
    return at;
  }

  /** Resolves when check() holds (tested after every message in or out and on close), or after timeoutMs. */
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
        cancel: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(false);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(check());
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Calls fn after every message in or out and on close; returns a function that removes it. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private readonly listeners = new Set<() => void>();

  private notify(): void {
    for (const w of [...this.waiters]) if (w.check()) w.resolve();
    for (const fn of [...this.listeners]) fn();
  }

  /** @internal */
  terminate(): void {
    for (const w of [...this.waiters]) w.cancel();
    this.listeners.clear();
    this.socket.terminate();
  }
}

export class ChatServer {
  private readonly connections: ChatConnection[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly connectionWaiters: Array<(c: ChatConnection) => void> = [];
  private readonly origin = performance.now();

  private constructor(
    private readonly wss: WebSocketServer,
    readonly url: string,
    private readonly options: ChatServerOptions,
  ) {
    wss.on('connection', (socket, request) => {
      const conn = new ChatConnection(this, socket, options.present ?? [], options.echo ?? false, options.joinedDelayMs, options.holdJoined);
      conn.upgradeHeaders = request.headers;
      this.connections.push(conn);
    });
  }

  static start(options: ChatServerOptions = {}): Promise<ChatServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.once('error', reject);
      wss.once('listening', () => {
        const address = wss.address();
        const port = typeof address === 'object' && address ? address.port : 0;
        resolve(new ChatServer(wss, `ws://127.0.0.1:${port}`, options));
      });
    });
  }

  /** Milliseconds since the server started (the time base of every record). */
  now(): number {
    return performance.now() - this.origin;
  }

  /** Resolves with the next client connection that joins a room (or undefined after timeoutMs). */
  nextJoin(timeoutMs: number): Promise<ChatConnection | undefined> {
    const already = this.connections.find((c) => c.user !== undefined && !this.handed.has(c));
    if (already) {
      this.handed.add(already);
      return Promise.resolve(already);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const i = this.connectionWaiters.indexOf(take);
        if (i >= 0) this.connectionWaiters.splice(i, 1);
        resolve(undefined);
      }, timeoutMs);
      const take = (c: ChatConnection) => {
        clearTimeout(timer);
        this.handed.add(c);
        resolve(c);
      };
      this.connectionWaiters.push(take);
    });
  }

  private readonly handed = new Set<ChatConnection>();

  /** @internal called by a connection when its client has joined: hands it to a waiting nextJoin(). */
  joined(conn: ChatConnection): void {
    const take = this.connectionWaiters.shift();
    if (take) take(conn);
  }

  /** @internal a timer that close() cancels. */
  schedule(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.connections) c.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
