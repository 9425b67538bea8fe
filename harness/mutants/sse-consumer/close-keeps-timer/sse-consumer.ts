// MUTANT: close() aborts the request but leaves a pending reconnection timer running, so the client connects again.
// Everything else is correct (an earlier, simpler version of the reference solution): a Server-Sent Events consumer (WHATWG HTML §9.2).
//   - EventStreamParser: bytes in (any chunking), events out (§9.2.5 parsing, §9.2.6 interpretation).
//   - SseClient: an EventSource-like client over an injected fetch (§9.2.2, §9.2.3 processing model).

import type { fetch as undiciFetch } from 'undici';

/** A dispatched event, as an EventSource would expose it in a MessageEvent. */
export interface SseEvent {
  /** The event type: the last `event:` field of the block, or "message". */
  type: string;
  /** The data lines of the block joined with "\n". */
  data: string;
  /** The last event ID string when the event was dispatched. */
  lastEventId: string;
}

/** What a parser fed a whole stream ends with. */
export interface ParseResult {
  events: SseEvent[];
  /** The last event ID string at the end (what a reconnect sends as Last-Event-ID; "" = no header). */
  lastEventId: string;
  /** The last valid `retry:` value in milliseconds, or null when the stream set none. */
  reconnectionTime: number | null;
}

const LF = 10;
const CR = 13;
const SPACE = 32;
const COLON = 58;
const BOM = 0xfeff;

/** A streaming event-stream parser: feed it bytes as they arrive, get back the events they complete. */
export class EventStreamParser {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** Text of a line whose end has not arrived yet. */
  private pending = '';
  /** The previous chunk ended with CR: a LF at the start of the next one belongs to it. */
  private afterCR = false;
  /** Nothing decoded yet: a leading U+FEFF is the BOM. */
  private atStart = true;
  /** The data buffer, without its trailing LF; null while empty. */
  private data: string | null = null;
  private eventType = '';
  private idBuffer: string;
  private lastId: string;
  private retry: number | null = null;

  /** @param lastEventId the last event ID string carried over from a previous connection */
  constructor(lastEventId = '') {
    this.idBuffer = lastEventId;
    this.lastId = lastEventId;
  }

  /** The last event ID string: set from the id buffer each time a blank line ends a block. */
  get lastEventId(): string {
    return this.lastId;
  }

  /** The last valid `retry:` value seen, in milliseconds, or null. */
  get reconnectionTime(): number | null {
    return this.retry;
  }

  /** Feeds the next bytes of the stream; returns the events dispatched by them, in order. */
  feed(chunk: Uint8Array): SseEvent[] {
    let text = this.decoder.decode(chunk, { stream: true });
    const out: SseEvent[] = [];
    if (text.length === 0) return out;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    this.scan(text, out);
    return out;
  }

  private scan(text: string, out: SseEvent[]): void {
    const len = text.length;
    let pos = 0;
    if (this.afterCR) {
      if (len === 0) return;
      this.afterCR = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Next LF / CR at or after pos; -1 once none is left, so each is searched for at most once per position.
    let lf = -2;
    let cr = -2;
    while (pos < len) {
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
      let end: number;
      if (lf === -1) {
        if (cr === -1) break;
        end = cr;
      } else end = cr === -1 || lf < cr ? lf : cr;
      let line = text.slice(pos, end);
      if (this.pending.length) {
        line = this.pending + line;
        this.pending = '';
      }
      this.line(line, out);
      if (text.charCodeAt(end) === CR) {
        if (end + 1 < len) pos = text.charCodeAt(end + 1) === LF ? end + 2 : end + 1;
        else {
          this.afterCR = true;
          pos = len;
        }
      } else pos = end + 1;
    }
    if (pos < len) this.pending += pos === 0 ? text : text.slice(pos);
  }

  private line(line: string, out: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(out);
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // a comment
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = '';
    } else {
      field = line.slice(0, colon);
      value = line.slice(line.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1);
    }
    switch (field) {
      case 'data':
        this.data = this.data === null ? value : `${this.data}\n${value}`;
        return;
      case 'event':
        this.eventType = value;
        return;
      case 'id':
        if (!value.includes('\0')) this.idBuffer = value;
        return;
      case 'retry':
        if (isDigits(value)) this.retry = Number(value);
        return;
      default:
        return; // unknown fields are ignored
    }
  }

  private dispatch(out: SseEvent[]): void {
    this.lastId = this.idBuffer;
    if (this.data === null) {
      this.eventType = '';
      return;
    }
    out.push({ type: this.eventType || 'message', data: this.data, lastEventId: this.lastId });
    this.data = null;
    this.eventType = '';
  }
}

function isDigits(value: string): boolean {
  if (value.length === 0) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Feeds the chunks, in order, to a fresh parser and reports what it dispatched and where it ended.
 * (Given: it only drives your EventStreamParser. The grader uses it to feed a whole stream in one call.)
 */
export function parseChunks(chunks: Uint8Array[], lastEventId = ''): ParseResult {
  const parser = new EventStreamParser(lastEventId);
  const events: SseEvent[] = [];
  for (const chunk of chunks) events.push(...parser.feed(chunk));
  return { events, lastEventId: parser.lastEventId, reconnectionTime: parser.reconnectionTime };
}

/** EventSource's readyState values. */
export const CONNECTING = 0;
export const OPEN = 1;
export const CLOSED = 2;
export type ReadyState = typeof CONNECTING | typeof OPEN | typeof CLOSED;

/** The fetch the client uses: undici's, or anything with the same shape. */
export type Fetch = typeof undiciFetch;

export interface OpenEvent {
  type: 'open';
}

export interface ErrorEvent {
  type: 'error';
  /** readyState when the event fired: CONNECTING (a reconnect follows) or CLOSED (the client gave up). */
  readyState: ReadyState;
}

export type ClientEvent = SseEvent | OpenEvent | ErrorEvent;
export type Listener = (event: ClientEvent) => void;

export interface SseClientOptions {
  /** The fetch to connect with (undici's fetch). */
  fetch: Fetch;
  /** Reconnection time in ms until the stream sets one with `retry:` (default 3000). */
  reconnectionTime?: number;
  /** Last event ID to start with (sent as Last-Event-ID on the first request when not empty). */
  lastEventId?: string;
  /** Listeners added before the first request, by event type ("open", "message", "error", or a named type). */
  listeners?: Record<string, Listener>;
}

/** An EventSource-like client: connects at once, dispatches events, reconnects until closed or failed. */
export class SseClient {
  static readonly CONNECTING = CONNECTING;
  static readonly OPEN = OPEN;
  static readonly CLOSED = CLOSED;

  private state: ReadyState = CONNECTING;
  private readonly fetchImpl: Fetch;
  private readonly handlers = new Map<string, Set<Listener>>();
  private controller: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastId: string;
  private delay: number;

  constructor(
    readonly url: string,
    options: SseClientOptions,
  ) {
    this.fetchImpl = options.fetch;
    this.delay = options.reconnectionTime ?? 3000;
    this.lastId = options.lastEventId ?? '';
    for (const [type, listener] of Object.entries(options.listeners ?? {})) this.addEventListener(type, listener);
    void this.connect();
  }

  get readyState(): ReadyState {
    return this.state;
  }

  /** The last event ID string (sent as Last-Event-ID on reconnection when not empty). */
  get lastEventId(): string {
    return this.lastId;
  }

  /** The current reconnection time in ms. */
  get reconnectionTime(): number {
    return this.delay;
  }

  addEventListener(type: string, listener: Listener): void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    set.add(listener);
  }

  removeEventListener(type: string, listener: Listener): void {
    this.handlers.get(type)?.delete(listener);
  }

  /** Aborts the request in flight and cancels any pending reconnection, for good. */
  close(): void {
    this.controller?.abort();
    if (!this.timer) this.state = CLOSED;
    this.controller = undefined;
  }

  private emit(event: ClientEvent): void {
    const set = this.handlers.get(event.type);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event);
      } catch {
        // a throwing listener must not break the stream
      }
    }
  }

  private async connect(): Promise<void> {
    const controller = new AbortController();
    this.controller = controller;
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache' };
    // Header values travel as bytes: send the id's UTF-8 bytes (one latin1 char per byte).
    if (this.lastId !== '') headers['last-event-id'] = Buffer.from(this.lastId, 'utf8').toString('latin1');
    let response: Awaited<ReturnType<Fetch>>;
    try {
      response = await this.fetchImpl(this.url, { headers, signal: controller.signal, cache: 'no-store' });
    } catch {
      if (!controller.signal.aborted) this.reestablish();
      return;
    }
    if (controller.signal.aborted || this.state === CLOSED) {
      void response.body?.cancel().catch(() => undefined);
      return;
    }
    const contentType = response.headers.get('content-type') ?? '';
    const essence = contentType.split(';')[0]!.trim().toLowerCase();
    if (response.status !== 200 || essence !== 'text/event-stream' || !response.body) {
      this.fail();
      void response.body?.cancel().catch(() => undefined);
      return;
    }
    this.state = OPEN;
    this.emit({ type: 'open' });
    const parser = new EventStreamParser(this.lastId);
    try {
      for await (const chunk of response.body) {
        if (this.controller !== controller) break;
        const events = parser.feed(chunk);
        this.lastId = parser.lastEventId;
        if (parser.reconnectionTime !== null) this.delay = parser.reconnectionTime;
        for (const event of events) {
          if (this.controller !== controller) break;
          this.emit(event);
        }
      }
    } catch {
      // a network error in the middle of the body: reconnect like after a clean end
    }
    if (this.controller === controller && !controller.signal.aborted) this.reestablish();
  }

  /** The stream ended or the network failed: announce it, wait the reconnection time, connect again. */
  private reestablish(): void {
    if (this.state === CLOSED) return;
    this.controller = undefined;
    this.state = CONNECTING;
    this.emit({ type: 'error', readyState: CONNECTING });
    if (this.state !== CONNECTING) return; // a listener called close()
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, this.delay);
  }

  /** A wrong status or content type: give up without reconnecting. */
  private fail(): void {
    this.controller = undefined;
    this.state = CLOSED;
    this.emit({ type: 'error', readyState: CLOSED });
  }
}
