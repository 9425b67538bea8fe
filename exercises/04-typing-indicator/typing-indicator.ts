// Exercise 4: "Alice is typing…" over WebSocket. Read README.md first.
// Part 1 is the room server (RoomServer), part 2 the client logic (TypingClient and indicatorText).
// Replace every `throw new Error('not implemented')`; keep the exported names and signatures.

// The `ws` and `zod` packages are available to this file.
// import { WebSocketServer, type WebSocket, type RawData } from 'ws';
// import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the room server
// ---------------------------------------------------------------------------------------------------------------

export interface RoomServerOptions {
  /** TCP port to listen on; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default "127.0.0.1"). */
  host?: string;
  /** At most this many `typing` events per connection are relayed within any `typingWindowMs` (default 5). */
  typingLimit?: number;
  /** The rate-limit window in milliseconds (default 5000). */
  typingWindowMs?: number;
}

/** The `code` of an `{ type: 'error' }` message the server sends back. */
export type ErrorCode = 'bad-json' | 'bad-message' | 'not-joined' | 'name-taken' | 'rate-limited';

export class RoomServer {
  constructor(_options: RoomServerOptions) {
    throw new Error('not implemented');
  }

  /** Starts a `ws` WebSocketServer and handles its connections; resolves with the port it listens on. */
  listen(): Promise<number> {
    throw new Error('not implemented');
  }

  /** Closes every connection and stops listening. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: the client logic
// ---------------------------------------------------------------------------------------------------------------

/** The part of a WebSocket (the browser's, or the `ws` package's) that the client uses. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export type SocketConstructor = new (url: string) => SocketLike;

export interface TypingClientOptions {
  /** The chat server, e.g. "ws://127.0.0.1:8080". */
  url: string;
  room: string;
  /** The local user's name. */
  user: string;
  /** The WebSocket constructor to use (the browser's, or `WebSocket` from the `ws` package). */
  WebSocket: SocketConstructor;
  /** Called with the new indicator text whenever it changes. */
  render: (text: string) => void;
  /** While typing continues, at most one `typing` event per this many ms (default 2000). */
  throttleMs?: number;
  /** After this many ms without a keystroke, send `stop-typing` (default 3000). */
  idleMs?: number;
  /** A remote user is shown for this many ms after their latest `typing` event (default 5000). */
  expiryMs?: number;
}

/** The indicator text for the users typing, in the order given: "", "Alice is typing…", ... */
export function indicatorText(_users: readonly string[]): string {
  throw new Error('not implemented');
}

export class TypingClient {
  constructor(_options: TypingClientOptions) {
    throw new Error('not implemented');
  }

  /** Opens the socket and joins the room; resolves when the server confirms with `joined`. */
  connect(): Promise<void> {
    throw new Error('not implemented');
  }

  /** The local user pressed a key in the message box. */
  keystroke(): void {
    throw new Error('not implemented');
  }

  /** The local user sends a chat message: stop typing at once, then send it. */
  sendMessage(_text: string): void {
    throw new Error('not implemented');
  }

  /** The remote users currently shown as typing, in display order. */
  typingUsers(): string[] {
    throw new Error('not implemented');
  }

  /** Leaves: closes the socket and clears the indicator. */
  close(): void {
    throw new Error('not implemented');
  }
}
