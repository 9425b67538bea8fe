// A scripted Server-Sent Events server (node:http) for the sse-consumer suite. It runs inside the trusted jest
// process: it answers each request with the response the test scripted for it (status, content type, body pieces
// written one by one with pauses, gates the test opens, a dropped connection mid-event) and records what the
// client did: when each request arrived, its Accept and Last-Event-ID headers, and when each response ended, so
// the suite can measure the time between the end of one connection and the next request.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type BodyStep =
  /** Written as UTF-8, in one write. */
  | string
  /** Written as is, in one write. */
  | Uint8Array
  /** Wait this long before the next step (to separate writes into different TCP reads). */
  | { pause: number }
  /** Wait until the test calls `server.open(name)`. */
  | { gate: string }
  /** Destroy the connection here (a network failure, possibly in the middle of an event). */
  | { drop: true };

export interface ScriptedResponse {
  /** Default 200. */
  status?: number;
  /** Default "text/event-stream"; null sends no Content-Type at all. */
  contentType?: string | null;
  /** Wait for this gate before sending the status line and headers. */
  headersGate?: string;
  /** Destroy the connection before sending anything (the fetch itself fails). */
  refuse?: boolean;
  body?: BodyStep[];
  /** After the body: end the response (default), destroy the connection, or keep it open until the client goes. */
  then?: 'end' | 'drop' | 'hold';
}

export interface RecordedRequest {
  index: number;
  /** performance.now() when the request arrived. */
  at: number;
  accept: string | undefined;
  /** The User-Agent header: tells which fetch sent the request (undici's sends "undici", Node's global one "node"). */
  userAgent: string | undefined;
  /** The Last-Event-ID header decoded as UTF-8 (null when absent). */
  lastEventId: string | null;
  /** performance.now() when this response ended, was dropped, or the client went away. */
  endedAt?: number;
  /** How it ended. */
  ending?: 'ended' | 'dropped' | 'client-closed';
}

export type Script = (index: number) => ScriptedResponse;

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

export class SseMockServer {
  readonly requests: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly gates = new Map<string, { opened: boolean; waiters: Array<() => void> }>();
  private waiters: Waiter[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  readonly started = performance.now();

  private constructor(
    private readonly server: http.Server,
    private readonly script: Script,
  ) {}

  /** Starts a server on 127.0.0.1 (a free port) and resolves once it is listening. */
  static async start(script: Script | ScriptedResponse[]): Promise<SseMockServer> {
    const fn: Script = Array.isArray(script) ? (i) => script[Math.min(i, script.length - 1)]! : script;
    const server = http.createServer();
    const mock = new SseMockServer(server, fn);
    server.on('connection', (socket) => {
      mock.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => mock.sockets.delete(socket));
    });
    server.on('request', (req, res) => void mock.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/events`;
  }

  /** Opens a gate: steps waiting on it continue (now, or as soon as they reach it). */
  open(name: string): void {
    const gate = this.gate(name);
    gate.opened = true;
    for (const w of gate.waiters.splice(0)) w();
  }

  /** Resolves once `n` requests have arrived; rejects after `timeoutMs` with the timeline. */
  waitForRequests(n: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.requests.length >= n, timeoutMs, `${n} request(s)`);
  }

  /** Resolves once request `index` (0-based) has ended in any way. */
  waitForEnd(index: number, timeoutMs: number): Promise<void> {
    return this.waitUntil(() => this.requests[index]?.endedAt !== undefined, timeoutMs, `the end of response #${index + 1}`);
  }

  waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`the SSE server waited ${timeoutMs} ms for ${what}; what it saw:\n${this.timeline()}`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Milliseconds between the end of response i-1 and the arrival of request i. */
  gapBefore(i: number): number | undefined {
    const prev = this.requests[i - 1];
    const cur = this.requests[i];
    if (!prev || !cur || prev.endedAt === undefined) return undefined;
    return cur.at - prev.endedAt;
  }

  /** A readable account of the requests and how the responses ended, times relative to the server's start. */
  timeline(): string {
    if (this.requests.length === 0) return '  (no request arrived)';
    const rel = (t: number) => `${(t - this.started).toFixed(0)} ms`;
    return this.requests
      .map((r, i) => {
        const gap = this.gapBefore(i);
        const header = r.lastEventId === null ? 'no Last-Event-ID' : `Last-Event-ID: ${JSON.stringify(r.lastEventId)}`;
        const ended = r.endedAt === undefined ? 'still open' : `${r.ending} at ${rel(r.endedAt)}`;
        return (
          `  request #${i + 1} at ${rel(r.at)}${gap === undefined ? '' : ` (${gap.toFixed(0)} ms after the previous response ended)`}: ` +
          `Accept: ${JSON.stringify(r.accept ?? null)}, ${header}; response ${ended}`
        );
      })
      .join('\n');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const g of this.gates.values()) for (const w of g.waiters.splice(0)) w();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private gate(name: string) {
    let gate = this.gates.get(name);
    if (!gate) this.gates.set(name, (gate = { opened: false, waiters: [] }));
    return gate;
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private waitGate(name: string): Promise<void> {
    const gate = this.gate(name);
    if (gate.opened || this.closed) return Promise.resolve();
    return new Promise((resolve) => gate.waiters.push(resolve));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const index = this.requests.length;
    const raw = req.headers['last-event-id'];
    const record: RecordedRequest = {
      index,
      at: performance.now(),
      accept: req.headers.accept,
      userAgent: req.headers['user-agent'],
      // Node reads header bytes as latin1: turn them back into the UTF-8 text the client sent.
      lastEventId: typeof raw === 'string' ? Buffer.from(raw, 'latin1').toString('utf8') : null,
    };
    this.requests.push(record);
    const finish = (ending: RecordedRequest['ending']) => {
      if (record.endedAt !== undefined) return;
      record.endedAt = performance.now();
      record.ending = ending;
      this.notify();
    };
    res.on('close', () => finish(res.writableFinished ? 'ended' : 'client-closed'));
    this.notify();

    const script = this.script(index);
    const drop = () => {
      finish('dropped');
      req.socket.destroy();
    };
    if (script.refuse) return drop();
    if (script.headersGate) await this.waitGate(script.headersGate);
    if (this.closed || res.destroyed) return;
    const headers: Record<string, string> = { 'cache-control': 'no-store' };
    const contentType = script.contentType === undefined ? 'text/event-stream' : script.contentType;
    if (contentType !== null) headers['content-type'] = contentType;
    const status = script.status ?? 200;
    // A 205 has no content (RFC 9110 §15.3.6), but node:http would frame it as chunked and send the "0" chunk,
    // bytes a client cannot expect after a 205: say "no content" explicitly.
    if (status === 205) headers['content-length'] = '0';
    res.writeHead(status, headers);
    res.flushHeaders();
    for (const step of script.body ?? []) {
      if (this.closed || res.destroyed) return;
      if (typeof step === 'string' || step instanceof Uint8Array) {
        res.write(step);
      } else if ('pause' in step) {
        await this.sleep(step.pause);
      } else if ('gate' in step) {
        await this.waitGate(step.gate);
      } else {
        return drop();
      }
    }
    if (this.closed || res.destroyed) return;
    const then = script.then ?? 'end';
    if (then === 'drop') return drop();
    if (then === 'end') {
      // The moment the server lets go: the client cannot see the end before this.
      finish('ended');
      res.end();
    }
  }
}
