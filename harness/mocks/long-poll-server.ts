// A trusted long-polling server (node:http) for the long-polling suite: the reference protocol of exercise 7
// (GET /updates?after=<cursor>, hold until a publish or the hold timeout, bounded history with 410 "resync"), plus
// scripted faults for the learner's client: error statuses with or without Retry-After, a connection reset before
// the answer, a connection dropped in the middle of the body, a request never answered, a response delayed, old
// updates replayed, and a restart (the port refuses connections for a while; the history survives, as it would in
// a database). It records every request: when it came, its cursor, how it ended, what it delivered.

import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface MockUpdate {
  cursor: number;
  data: unknown;
}

export type MockFault =
  /** Answer at once with this status (and Retry-After when given), body {"error":...}. */
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Destroy the connection before answering (the fetch fails). */
  | { kind: 'reset' }
  /** Answer normally, but cut the connection after half of the body. */
  | { kind: 'cut-body' }
  /** Never answer (until the client goes away). */
  | { kind: 'blackhole' }
  /** Answer normally, but put this many already-sent updates (those up to the cursor) in front. */
  | { kind: 'replay'; count: number };

export interface MockOptions {
  holdMs?: number;
  historyLimit?: number;
  /** How a hold timeout is answered: 204 No Content, or 200 with an empty list and the same cursor. */
  timeoutStyle?: '204' | 'empty' | 'alternate';
  /** Faults for requests 0, 1, 2... (undefined = behave). */
  faults?: (index: number) => MockFault | undefined;
  /**
   * Put this many already-sent updates (those up to the cursor) in front of every answer that carries updates, as an
   * at-least-once relay would: a client that does not drop repeats delivers some twice, whatever the timing.
   */
  replay?: number;
}

export interface MockRequest {
  index: number;
  /** performance.now() when the request arrived. */
  at: number;
  /** The after= value as sent (raw text), and parsed (NaN when not a number). */
  rawAfter: string | null;
  after: number;
  path: string;
  fault?: MockFault;
  endedAt?: number;
  /** How it ended: "200 [3,4]", "204", "200 []", "410", "503", "reset", "cut mid-body", "client went away". */
  ending?: string;
  delivered: number[];
}

interface Held {
  request: MockRequest;
  res: http.ServerResponse;
  timer: NodeJS.Timeout;
}

export class LongPollMock {
  readonly requests: MockRequest[] = [];
  readonly history: MockUpdate[] = [];
  readonly started = performance.now();
  private latest = 0;
  private readonly held = new Set<Held>();
  private readonly sockets = new Set<Socket>();
  private server: http.Server;
  private port = 0;
  private down = false;
  private closed = false;
  private timeouts = 0;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];
  private readonly options: Required<Omit<MockOptions, 'faults'>> & Pick<MockOptions, 'faults'>;

  private constructor(options: MockOptions) {
    this.options = {
      holdMs: options.holdMs ?? 300,
      historyLimit: options.historyLimit ?? 10_000,
      timeoutStyle: options.timeoutStyle ?? '204',
      replay: options.replay ?? 0,
      faults: options.faults,
    };
    this.server = this.createServer();
  }

  static async start(options: MockOptions = {}): Promise<LongPollMock> {
    const mock = new LongPollMock(options);
    await mock.listenOn(0);
    return mock;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/updates`;
  }

  /** Appends an update and answers every held request. */
  publish(data: unknown): number {
    const update = { cursor: ++this.latest, data };
    this.history.push(update);
    if (this.history.length > this.options.historyLimit) this.history.splice(0, this.history.length - this.options.historyLimit);
    for (const h of [...this.held]) {
      this.release(h);
      this.answerUpdates(h.request, h.res, h.request.after);
    }
    return update.cursor;
  }

  get latestCursor(): number {
    return this.latest;
  }

  /** Requests currently held. */
  get holding(): number {
    return this.held.size;
  }

  /** Stops listening and drops every connection; listens again on the same port after downMs. */
  async restart(downMs: number): Promise<void> {
    this.down = true;
    for (const h of [...this.held]) this.release(h);
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    await new Promise((r) => setTimeout(r, downMs));
    if (this.closed) return;
    this.server = this.createServer();
    await this.listenOn(this.port);
    this.down = false;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const h of [...this.held]) this.release(h);
    if (this.down) return;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  /** Gap between the end of request i-1 and the arrival of request i. */
  gapBefore(i: number): number | undefined {
    const prev = this.requests[i - 1];
    const cur = this.requests[i];
    if (!prev || !cur || prev.endedAt === undefined) return undefined;
    return cur.at - prev.endedAt;
  }

  waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.check !== check);
        reject(new Error(`waited ${timeoutMs} ms for ${what}\nwhat the server saw:\n${this.timeline()}`));
      }, timeoutMs);
      this.waiters.push({ check, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  waitForRequests(n: number, timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.requests.length >= n, timeoutMs, `request #${n}`);
  }

  waitForEnd(i: number, timeoutMs: number): Promise<void> {
    return this.waitFor(() => this.requests[i]?.endedAt !== undefined, timeoutMs, `request #${i + 1} to end`);
  }

  /** One line per request: time, cursor, fault, how it ended. */
  timeline(max = 24): string {
    if (!this.requests.length) return '  (no request)';
    const from = Math.max(0, this.requests.length - max);
    const rows = this.requests.slice(from).map((r) => {
      const t = `+${(r.at - this.started).toFixed(0)} ms`.padStart(9);
      const took = r.endedAt === undefined ? 'still open' : `${r.ending} after ${(r.endedAt - r.at).toFixed(0)} ms`;
      const gap = this.gapBefore(r.index);
      return (
        `  ${t}  #${r.index + 1} GET ${r.path}${r.rawAfter === null ? '' : `?after=${r.rawAfter}`}` +
        `${gap === undefined ? '' : ` (${gap.toFixed(0)} ms after #${r.index} ended)`}` +
        `${r.fault ? ` [fault: ${describeFault(r.fault)}]` : ''} → ${took}`
      );
    });
    if (from > 0) rows.unshift(`  … (${from} earlier requests)`);
    return rows.join('\n');
  }

  private notify(): void {
    if (!this.waiters.length) return;
    const ready = this.waiters.filter((w) => w.check());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  private createServer(): http.Server {
    const server = http.createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 2000;
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private listenOn(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private end(request: MockRequest, ending: string): void {
    if (request.endedAt !== undefined) return;
    request.endedAt = performance.now();
    request.ending = ending;
    this.notify();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const rawAfter = url.searchParams.get('after');
    const request: MockRequest = {
      index: this.requests.length,
      at: performance.now(),
      rawAfter,
      after: rawAfter !== null && /^\d+$/.test(rawAfter) ? Number(rawAfter) : NaN,
      path: url.pathname,
      delivered: [],
    };
    this.requests.push(request);
    const fault = this.options.faults?.(request.index);
    if (fault) request.fault = fault;
    res.on('close', () => this.end(request, res.writableFinished ? 'ended' : 'client went away'));
    this.notify();

    if (fault?.kind === 'reset') {
      this.end(request, 'reset');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'blackhole') return;
    if (fault?.kind === 'status') {
      if (fault.retryAfter !== undefined) res.setHeader('Retry-After', fault.retryAfter);
      this.send(request, res, fault.status, { error: 'scripted' }, String(fault.status));
      return;
    }
    if (url.pathname !== '/updates') return this.send(request, res, 404, { error: 'not-found' }, '404');
    if (Number.isNaN(request.after)) return this.send(request, res, 400, { error: 'bad-cursor' }, '400');
    const oldest = this.history.length ? this.history[0]!.cursor : this.latest + 1;
    if (request.after > this.latest || request.after < oldest - 1) {
      return this.send(request, res, 410, { error: 'resync', cursor: this.latest }, `410 resync to ${this.latest}`);
    }
    if (request.after < this.latest) return this.answerUpdates(request, res, request.after);
    const held: Held = {
      request,
      res,
      timer: setTimeout(() => {
        this.release(held);
        const style = this.options.timeoutStyle === 'alternate' ? (this.timeouts++ % 2 === 0 ? '204' : 'empty') : this.options.timeoutStyle;
        if (style === '204') this.send(request, res, 204, undefined, '204 (hold timeout)');
        else this.send(request, res, 200, { updates: [], cursor: request.after }, '200 [] (hold timeout)');
      }, this.options.holdMs),
    };
    this.held.add(held);
    res.on('close', () => this.release(held));
    this.notify();
  }

  private release(h: Held): void {
    clearTimeout(h.timer);
    this.held.delete(h);
  }

  private answerUpdates(request: MockRequest, res: http.ServerResponse, after: number): void {
    let updates = this.history.filter((u) => u.cursor > after);
    const replayed = request.fault?.kind === 'replay' ? request.fault.count : this.options.replay;
    if (replayed > 0) {
      const old = this.history.filter((u) => u.cursor <= after).slice(-replayed);
      updates = [...old, ...updates];
    }
    const cursor = updates.length ? updates[updates.length - 1]!.cursor : after;
    const cursors = updates.map((u) => u.cursor);
    if (request.fault?.kind === 'cut-body') {
      const text = JSON.stringify({ updates, cursor });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
      res.write(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
      this.end(request, `cut mid-body (was ${JSON.stringify(cursors)})`);
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    request.delivered = cursors;
    this.send(request, res, 200, { updates, cursor }, `200 ${JSON.stringify(cursors)}`);
  }

  private send(request: MockRequest, res: http.ServerResponse, status: number, body: unknown, ending: string): void {
    if (res.writableEnded || res.destroyed) return;
    res.statusCode = status;
    res.setHeader('Cache-Control', 'no-store');
    this.end(request, ending);
    if (body === undefined) return void res.end();
    const text = JSON.stringify(body);
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }
}

function describeFault(f: MockFault): string {
  switch (f.kind) {
    case 'status':
      return `${f.status}${f.retryAfter !== undefined ? ` Retry-After: ${f.retryAfter}` : ''}`;
    case 'replay':
      return `replays ${f.count} old update(s)`;
    case 'cut-body':
      return 'connection cut mid-body';
    default:
      return f.kind;
  }
}
