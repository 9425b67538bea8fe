// A WebSocket server (the `ws` package) with scripted, seedable fault injection, for the reconnecting-client
// exercise. It runs inside the trusted jest process. Every TCP connection the client opens is one "attempt"; the
// server decides what to do with attempt n from the plan (a list, or a function of n) and records what happened:
// when the attempt arrived, when the server ended it and how, the close frame the client sent, and every message.
//
// Faults:
//   accept              complete the handshake and keep the connection open
//   drop                complete the handshake, then destroy the TCP connection (no close frame: the client sees 1006)
//   close               complete the handshake, then send a close frame with the given code and reason
//   status              answer the upgrade request with an HTTP error status (e.g. 503) instead of 101
//   hang                accept TCP, read the upgrade request, never answer it (only a connect timeout ends it)
//   hold                like hang, until release() is called: then complete the handshake and keep it open
//   delay               answer the upgrade after `ms`, then keep the connection open
// stopListening()/resumeListening() make the port refuse connections for a while (ECONNREFUSED: the client sees 1006).
//
// All times are milliseconds on the monotonic clock of the jest process (performance.now()), measured from the
// server's start. They are the trusted evidence for every timing assertion.

import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, type WebSocket } from 'ws';
import { randomInt } from '../support/random';

export type Fault =
  | { kind: 'accept' }
  | { kind: 'drop'; afterMs?: number }
  | { kind: 'close'; code: number; reason?: string; afterMs?: number }
  | { kind: 'status'; status: number }
  | { kind: 'hang' }
  | { kind: 'hold' }
  | { kind: 'delay'; ms: number };

export interface Attempt {
  /** 1 = the first connection the client opened. */
  index: number;
  /** When the TCP connection arrived. */
  at: number;
  fault: Fault;
  /** The handshake request's target (path and query) and headers, once it arrived. */
  request?: { url: string; headers: http.IncomingHttpHeaders };
  /** When the handshake completed (the server sent 101). */
  openedAt?: number;
  /** When the server itself ended the attempt (drop, close frame, HTTP error), if it did. */
  endedByServerAt?: number;
  /** How the server ended it, for messages: "drop (1006)", "close 1011", "HTTP 503". */
  endedBy?: string;
  /** The close code the client will observe for this attempt, when the server ended it. */
  clientSeesCode?: number;
  /** When the TCP connection closed (whoever closed it). */
  socketClosedAt?: number;
  /** The close frame the client sent, if any. */
  clientClose?: { code: number; reason: string };
  /** Text messages received on this connection, in order. */
  messages: string[];
}

export interface FaultServerOptions {
  /** What to do with attempt n (1-based). A list is indexed from attempt 1; attempts beyond it get `fallback`. */
  plan?: Fault[] | ((index: number) => Fault);
  fallback?: Fault;
}

interface Waiter {
  check: () => boolean;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class FaultServer {
  readonly attempts: Attempt[] = [];
  /** Every message received, in arrival order, with the attempt it came on. */
  readonly messages: { attempt: number; data: string; at: number }[] = [];
  private readonly started = performance.now();
  private readonly http = http.createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('WebSocket only\n');
  });
  private readonly wss = new WebSocketServer({ noServer: true });
  private listener: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly open = new Map<number, WebSocket>();
  private readonly held: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<Waiter>();
  private closed = false;
  port = 0;

  private constructor(private readonly options: FaultServerOptions) {
    this.http.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  static async start(options: FaultServerOptions = {}): Promise<FaultServer> {
    const server = new FaultServer(options);
    await server.listen(0);
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/live`;
  }

  /** Milliseconds since the server started. */
  now(): number {
    return performance.now() - this.started;
  }

  /** Stops accepting connections: new attempts are refused (ECONNREFUSED). Open connections stay. */
  async stopListening(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return;
    // close() releases the port at once; its callback would wait for the open connections, so do not wait for it.
    listener.close();
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Listens again on the same port. */
  async resumeListening(): Promise<void> {
    if (!this.listener && !this.closed) await this.listen(this.port);
  }

  /** Completes the handshake of the attempts held by a `hold` fault. */
  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  /** Sends a text message on the open connection of attempt n (default: the latest open one). */
  send(data: string, index?: number): void {
    this.openSocket(index).send(data);
  }

  /** Sends a close frame on an open connection. */
  closeConnection(code: number, reason = '', index?: number): void {
    const n = index ?? this.latestOpen();
    const ws = this.openSocket(n);
    this.markEnded(n, `close ${code}`, code);
    ws.close(code, reason);
  }

  /** Destroys an open connection without a close frame (the client sees 1006). */
  dropConnection(index?: number): void {
    const n = index ?? this.latestOpen();
    const ws = this.openSocket(n);
    this.markEnded(n, 'drop', 1006);
    ws.terminate();
  }

  /** Resolves when check() holds, re-checked on every event the server records; rejects after timeoutMs. */
  waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          resolve();
        },
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Waits until attempt n has arrived and returns it. */
  async waitForAttempt(n: number, timeoutMs: number): Promise<Attempt> {
    await this.waitFor(() => this.attempts.length >= n, timeoutMs, `connection attempt ${n}`);
    return this.attempts[n - 1]!;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new Error('the mock server was closed'));
    }
    this.waiters.clear();
    this.held.length = 0;
    for (const ws of this.open.values()) ws.terminate();
    for (const s of this.sockets) s.destroy();
    await this.stopListening();
    this.wss.close();
  }

  private listen(port: number): Promise<void> {
    const listener = net.createServer((socket) => this.onConnection(socket));
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        listener.off('error', reject);
        this.listener = listener;
        this.port = (listener.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private faultFor(index: number): Fault {
    const plan = this.options.plan;
    const fallback = this.options.fallback ?? { kind: 'accept' };
    if (typeof plan === 'function') return plan(index);
    return plan?.[index - 1] ?? fallback;
  }

  private onConnection(socket: net.Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const index = this.attempts.length + 1;
    const attempt: Attempt = { index, at: this.now(), fault: this.faultFor(index), messages: [] };
    this.attempts.push(attempt);
    this.sockets.add(socket);
    (socket as net.Socket & { __attempt?: number }).__attempt = index;
    socket.on('close', () => {
      this.sockets.delete(socket);
      attempt.socketClosedAt ??= this.now();
      this.changed();
    });
    socket.on('error', () => {
      /* the client went away: recorded by 'close' */
    });
    this.changed();
    this.http.emit('connection', socket);
  }

  private onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const index = (socket as Duplex & { __attempt?: number }).__attempt ?? 0;
    const attempt = this.attempts[index - 1];
    if (!attempt || this.closed) {
      socket.destroy();
      return;
    }
    attempt.request = { url: req.url ?? '', headers: req.headers };
    const fault = attempt.fault;
    const complete = (after: (ws: WebSocket) => void) =>
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        attempt.openedAt = this.now();
        this.open.set(index, ws);
        ws.on('message', (data, isBinary) => {
          const text = isBinary ? `<binary ${(data as Buffer).length} bytes>` : data.toString();
          attempt.messages.push(text);
          this.messages.push({ attempt: index, data: text, at: this.now() });
          this.changed();
        });
        ws.on('close', (code, reason) => {
          this.open.delete(index);
          // 1005 = the client closed without a status code; 1006 = no close frame at all (it dropped).
          if (code !== 1006) attempt.clientClose ??= { code, reason: reason.toString() };
          this.changed();
        });
        ws.on('error', () => {
          /* recorded by 'close' */
        });
        this.changed();
        after(ws);
      });
    switch (fault.kind) {
      case 'accept':
        complete(() => undefined);
        return;
      case 'drop':
        complete(() =>
          this.later(fault.afterMs ?? 10, () => {
            if (!this.open.has(index)) return;
            this.markEnded(index, 'drop', 1006);
            this.open.get(index)!.terminate();
          }),
        );
        return;
      case 'close':
        complete(() =>
          this.later(fault.afterMs ?? 10, () => {
            if (!this.open.has(index)) return;
            this.markEnded(index, `close ${fault.code}`, fault.code);
            this.open.get(index)!.close(fault.code, fault.reason ?? '');
          }),
        );
        return;
      case 'status': {
        this.markEnded(index, `HTTP ${fault.status}`, 1006);
        const text = http.STATUS_CODES[fault.status] ?? 'Error';
        socket.end(`HTTP/1.1 ${fault.status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
        return;
      }
      case 'hang':
        return;
      case 'hold':
        this.held.push(() => {
          if (!socket.destroyed) complete(() => undefined);
        });
        return;
      case 'delay':
        this.later(fault.ms, () => {
          if (!socket.destroyed) complete(() => undefined);
        });
        return;
    }
  }

  private markEnded(index: number, how: string, clientSeesCode: number): void {
    const attempt = this.attempts[index - 1]!;
    attempt.endedByServerAt ??= this.now();
    attempt.endedBy ??= how;
    attempt.clientSeesCode ??= clientSeesCode;
    this.changed();
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    this.timers.add(timer);
  }

  private latestOpen(): number {
    const indexes = [...this.open.keys()];
    if (!indexes.length) throw new Error('the mock server has no open WebSocket connection');
    return Math.max(...indexes);
  }

  private openSocket(index?: number): WebSocket {
    const n = index ?? this.latestOpen();
    const ws = this.open.get(n);
    if (!ws) throw new Error(`the mock server has no open WebSocket connection for attempt ${n}`);
    return ws;
  }

  private changed(): void {
    for (const w of [...this.waiters]) {
      let ok = false;
      try {
        ok = w.check();
      } catch {
        ok = false;
      }
      if (ok) w.resolve();
    }
  }
}

/** Close codes after which a client should try again (RFC 6455 §7.4.1 and the IANA registry). */
export const RETRYABLE_SERVER_CODES = [1001, 1011, 1012, 1013, 1014] as const;

/**
 * A seeded schedule of `count` failures, each one a fault a reconnecting client must recover from: an accepted
 * connection dropped or closed with a retryable code, or a handshake answered with 503.
 */
export function randomFailures(random: () => number, count: number): Fault[] {
  const faults: Fault[] = [];
  for (let i = 0; i < count; i++) {
    const pick = randomInt(random, 0, 3);
    if (pick === 0) faults.push({ kind: 'drop', afterMs: randomInt(random, 5, 30) });
    else if (pick === 1) {
      const code = RETRYABLE_SERVER_CODES[randomInt(random, 0, RETRYABLE_SERVER_CODES.length - 1)]!;
      faults.push({ kind: 'close', code, reason: `scripted ${code}`, afterMs: randomInt(random, 5, 30) });
    } else if (pick === 2) faults.push({ kind: 'status', status: 503 });
    else faults.push({ kind: 'drop', afterMs: 5 });
  }
  return faults;
}
