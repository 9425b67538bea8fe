// Trusted WebSocket clients for grading the typing-indicator room server: each Peer is a real `ws` client in the
// jest process that records everything it receives (with the time) and can wait for a message, or prove that
// nothing more is coming with a ping/pong barrier.
//
// Why the barrier works: a `ws` server answers a ping with a pong when it reads the ping, after it has handled
// (and written the relays of) every message read before it. Frames on one connection arrive in order, so once the
// pong is back, anything the server sent to this peer before it is in the inbox.

import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface Received {
  at: number;
  message: Record<string, unknown> | undefined;
  raw: string;
}

type Waiter = { check: () => boolean; done: (ok: boolean) => void };

export class Peer {
  readonly inbox: Received[] = [];
  closed = false;
  /** The close code the peer saw (1006 when the connection ended without a close frame). */
  closeCode: number | undefined;
  /** A socket error after the connection opened (e.g. ECONNRESET when the server cut a large message short). */
  error: string | undefined;
  private readonly waiters = new Set<Waiter>();

  private constructor(
    readonly name: string,
    private readonly socket: WebSocket,
  ) {
    socket.on('message', (data, isBinary) => {
      const raw = isBinary ? '<binary>' : String(data);
      let message: Record<string, unknown> | undefined;
      try {
        const parsed: unknown = JSON.parse(raw);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) message = parsed as Record<string, unknown>;
      } catch {
        message = undefined;
      }
      this.inbox.push({ at: performance.now(), message, raw });
      this.notify();
    });
    socket.on('close', (code) => {
      this.closed = true;
      this.closeCode = code;
      this.notify();
    });
    // Without a listener, an error on an open socket (the server resetting it) would crash the trusted process.
    socket.on('error', (err) => {
      this.error = err.message;
    });
  }

  /** Opens a connection; rejects with a readable message if the server does not accept it in time. */
  static open(name: string, port: number, timeoutMs = 2000): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}`);
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`${name} could not connect to your server on port ${port} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new Peer(name, socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${name} could not connect to your server on port ${port}: ${err.message}`));
      });
    });
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  sendBinary(bytes: Uint8Array): void {
    this.socket.send(bytes, { binary: true });
  }

  /** Messages received so far (optionally of one type, and only those after index `from`). */
  messages(type?: string, from = 0): Array<Record<string, unknown>> {
    return this.inbox
      .slice(from)
      .map((r) => r.message)
      .filter((m): m is Record<string, unknown> => m !== undefined && (type === undefined || m.type === type));
  }

  /** Waits until a received message matches; returns it, or undefined after timeoutMs. */
  async next(match: (m: Record<string, unknown>) => boolean, timeoutMs = 1500, from = 0): Promise<Record<string, unknown> | undefined> {
    const find = () => this.inbox.slice(from).find((r) => r.message !== undefined && match(r.message))?.message;
    await this.until(() => find() !== undefined || this.closed, timeoutMs);
    return find();
  }

  /** Resolves once every message the server sent to this peer before reading our ping has arrived. */
  async barrier(timeoutMs = 2000): Promise<boolean> {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return false;
    let ponged = false;
    const onPong = () => {
      ponged = true;
      this.notify();
    };
    this.socket.once('pong', onPong);
    this.socket.ping();
    const ok = await this.until(() => ponged || this.closed, timeoutMs);
    this.socket.off('pong', onPong);
    return ok && ponged;
  }

  /**
   * Sends a message and a ping in ONE TCP write, so that the server reads them together, and resolves with what
   * this peer received between the two and the pong (undefined when no pong came). A server that relays from its
   * message handler has written the relay before ws answers the ping read with it; one that defers the relay (a
   * timer, a microtask, a promise) writes it after the pong, whatever the timing.
   */
  async sendWithPing(message: unknown, timeoutMs = 2000): Promise<Received[] | undefined> {
    if (this.closed || this.socket.readyState !== WebSocket.OPEN) return undefined;
    const from = this.inbox.length;
    let beforePong: Received[] | undefined;
    const onPong = () => {
      beforePong = this.inbox.slice(from);
      this.notify();
    };
    this.socket.once('pong', onPong);
    const tcp = (this.socket as unknown as { _socket: import('node:net').Socket })._socket;
    tcp.cork();
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message), { compress: false });
    this.socket.ping();
    tcp.uncork();
    await this.until(() => beforePong !== undefined || this.closed, timeoutMs);
    this.socket.off('pong', onPong);
    return beforePong;
  }

  /** A clean close (close frame 1000). */
  close(): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(1000);
  }

  /** An abrupt end: the TCP connection is destroyed without a close frame. */
  terminate(): void {
    this.socket.terminate();
  }

  /** A transcript of what this peer received, for failure messages. */
  transcript(limit = 12): string {
    if (this.inbox.length === 0) return `  ${this.name} received nothing`;
    const lines = this.inbox.slice(-limit).map((r) => `    ${r.raw.length > 120 ? `${r.raw.slice(0, 117)}...` : r.raw}`);
    const cut = this.inbox.length > limit ? ` (last ${limit} of ${this.inbox.length})` : '';
    return `  ${this.name} received${cut}:\n${lines.join('\n')}`;
  }

  private until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter: Waiter = {
        check,
        done: (ok) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => waiter.done(check()), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private notify(): void {
    for (const w of [...this.waiters]) if (w.check()) w.done(true);
  }
}
