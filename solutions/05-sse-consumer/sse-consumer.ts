// Reference solution: a Server-Sent Events consumer (WHATWG HTML §9.2).
//   - EventStreamParser: bytes in (any chunking), events out (§9.2.5 parsing, §9.2.6 interpretation).
//   - SseClient: an EventSource-like client over an injected fetch (§9.2.2, §9.2.3 processing model).

import { isAscii } from 'node:buffer';
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
  /** A streaming UTF-8 decoder: keeps the bytes of a character cut by a chunk boundary for the next call. It
   * must not strip the BOM itself (ignoreBOM: true), so that feed() strips exactly one. */
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  /** The decoder holds no bytes of an unfinished character (so an ASCII chunk may skip it). */
  private decoderIdle = true;
  private skipAsciiTest = 0;
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
    let text = this.decode(chunk);
    const out: SseEvent[] = [];
    if (text.length === 0) return out;
    if (this.atStart) {
      this.atStart = false;
      if (text.charCodeAt(0) === BOM) text = text.slice(1);
    }
    this.scan(text, out);
    return out;
  }

  /**
   * Bytes to text. The TextDecoder in stream mode is always right; an all-ASCII chunk, when the decoder holds
   * nothing, is decoded much faster as latin1 (same characters). After a chunk ending in a byte >= 0x80 the decoder
   * may hold part of a character, so the next chunk goes through it whatever it contains.
   */
  private decode(chunk: Uint8Array): string {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (bytes.length === 0) return '';
    // (After a chunk with other characters, only every 8th chunk is tested: most streams are all ASCII or not.)
    if (this.decoderIdle && (this.skipAsciiTest === 0 || --this.skipAsciiTest === 0) && isAscii(bytes)) {
      return bytes.toString('latin1');
    }
    if (this.skipAsciiTest === 0) this.skipAsciiTest = 8;
    this.decoderIdle = bytes[bytes.length - 1]! < 0x80;
    return this.decoder.decode(bytes, { stream: true });
  }

  private scan(text: string, out: SseEvent[]): void {
    const len = text.length;
    let pos = 0;
    if (this.afterCR) {
      this.afterCR = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Next LF and CR at or after pos; -1 once none is left, so each is searched for at most once per position
    // (linear time, whatever the chunking).
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
      if (this.pending.length) {
        const line = this.pending + text.slice(pos, end);
        this.pending = '';
        this.line(line, 0, line.length, out);
      } else this.line(text, pos, end, out);
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

  /**
   * Handles the complete line text[start, end). Only four field names matter, so instead of splitting at the
   * colon it checks whether the line is "<name>" or "<name>:..." for one of them; anything else (a comment, an
   * unknown field) is ignored.
   */
  private line(text: string, start: number, end: number, out: SseEvent[]): void {
    if (start === end) {
      this.dispatch(out);
      return;
    }
    // Field names are matched byte by byte (d-a-t-a, e-v-e-n-t, i-d, r-e-t-r-y), then must be followed by a colon
    // or by the end of the line.
    const n = end - start;
    switch (text.charCodeAt(start)) {
      case 100: // data
        if (n >= 4 && text.charCodeAt(start + 1) === 97 && text.charCodeAt(start + 2) === 116 && text.charCodeAt(start + 3) === 97) {
          const at = valueStart(text, start + 4, end);
          if (at < 0) return;
          const value = text.slice(at, end);
          this.data = this.data === null ? value : `${this.data}\n${value}`;
        }
        return;
      case 101: // event
        if (n >= 5 && text.charCodeAt(start + 1) === 118 && text.charCodeAt(start + 2) === 101 && text.charCodeAt(start + 3) === 110 && text.charCodeAt(start + 4) === 116) {
          const at = valueStart(text, start + 5, end);
          if (at >= 0) this.eventType = text.slice(at, end);
        }
        return;
      case 105: // id
        if (n >= 2 && text.charCodeAt(start + 1) === 100) {
          const at = valueStart(text, start + 2, end);
          if (at < 0) return;
          const value = text.slice(at, end);
          if (value.indexOf('\0') === -1) this.idBuffer = value;
        }
        return;
      case 114: // retry
        if (n >= 5 && text.charCodeAt(start + 1) === 101 && text.charCodeAt(start + 2) === 116 && text.charCodeAt(start + 3) === 114 && text.charCodeAt(start + 4) === 121) {
          const at = valueStart(text, start + 5, end);
          if (at < 0) return;
          const value = text.slice(at, end);
          // Any number of digits is valid: past 2^53 the nearest double, past ~1.8e308 Infinity (wait forever).
          if (isDigits(value)) this.retry = Number(value);
        }
        return;
      default:
        return; // a comment (":...") or a field nobody knows
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

/**
 * Given the index just after a field name, where its value starts: after the colon and one optional space; the
 * end of the line when the name stands alone; -1 when the name goes on ("datum", "data ") and so is another field.
 */
function valueStart(text: string, afterName: number, end: number): number {
  if (afterName === end) return end;
  if (text.charCodeAt(afterName) !== COLON) return -1;
  return afterName + 1 < end && text.charCodeAt(afterName + 1) === SPACE ? afterName + 2 : afterName + 1;
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

/** The longest delay setTimeout honours: 2^31 − 1 ms (a signed 32-bit count of milliseconds). */
const MAX_TIMER_MS = 2 ** 31 - 1;

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
    this.state = CLOSED;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.controller?.abort();
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
    this.wait(this.delay, () => {
      if (this.state === CONNECTING) void this.connect();
    });
  }

  /**
   * Calls `then` after `ms` milliseconds, however large `ms` is. setTimeout cannot wait longer than 2^31 − 1 ms
   * (about 24.8 days): Node runs a longer delay, or Infinity, after 1 ms, and browsers wrap it to 32 bits. So a long
   * wait is a chain of timers of at most that length, each arming the next; Infinity never ends. `this.timer` always
   * holds the current link, so close() cancels the whole chain.
   */
  private wait(ms: number, then: () => void): void {
    const slice = Math.min(ms, MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (ms > slice) this.wait(ms - slice, then);
      else then();
    }, slice);
  }

  /** A wrong status or content type: give up without reconnecting. */
  private fail(): void {
    this.controller = undefined;
    this.state = CLOSED;
    this.emit({ type: 'error', readyState: CLOSED });
  }
}
