// Exercise 06: the WebSocket protocol on the wire (RFC 6455 §4, §5, §7, §8).
// Read README.md first. Keep the exported names and types: the grader calls them.
// You need only node:net, node:crypto and node:buffer (no `ws` here: you are writing what it hides).
// Check your work: npx course check websocket-protocol

import * as net from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the opening handshake (RFC 6455 §4)
// ---------------------------------------------------------------------------------------------------------------

/** The fixed GUID appended to the client's key (RFC 6455 §1.3, §4.2.2). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function computeAccept(key: string): string {
  void key;
  throw new Error('not implemented');
}

export interface HttpHead {
  /** The first line, split: ['GET', '/chat', 'HTTP/1.1'] or ['HTTP/1.1', '101', 'Switching Protocols']. */
  startLine: string[];
  /** Header names in lower case; repeated fields joined with ", ". */
  headers: Record<string, string>;
}

/** Given: parses an HTTP/1.1 head (start line and header lines, with or without the final empty line). */
export function parseHttpHead(head: string): HttpHead {
  const lines = head.split('\r\n');
  const first = lines[0] ?? '';
  const space1 = first.indexOf(' ');
  const space2 = space1 < 0 ? -1 : first.indexOf(' ', space1 + 1);
  const startLine =
    space1 < 0
      ? [first]
      : space2 < 0
        ? [first.slice(0, space1), first.slice(space1 + 1)]
        : [first.slice(0, space1), first.slice(space1 + 1, space2), first.slice(space2 + 1)];
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return { startLine, headers };
}

export type HandshakeResult =
  /** Accepted: `response` is the complete 101 response head to write (ending with the empty line). */
  | { ok: true; key: string; accept: string; path: string; response: string }
  /** Refused: `status` is 400, 405 or 426 and `response` a complete HTTP response (head and a short body). */
  | { ok: false; status: number; reason: string; response: string };

/**
 * Server side: checks a client's opening handshake, given its head as text (up to the empty line), and builds the
 * response to send (RFC 6455 §4.2.1, §4.2.2, §4.4). See the README for the status of each refusal.
 */
export function acceptHandshake(head: string): HandshakeResult {
  void head;
  throw new Error('not implemented');
}

/** Client side: checks the server's response head to a handshake we sent with `key` (RFC 6455 §4.1). */
export function checkServerResponse(head: string, key: string): { ok: true } | { ok: false; reason: string } {
  void head;
  void key;
  throw new Error('not implemented');
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: frames (RFC 6455 §5)
// ---------------------------------------------------------------------------------------------------------------

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface OutgoingFrame {
  /** Default true. */
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (RSV1 = 4, RSV2 = 2, RSV3 = 1); default 0. */
  rsv?: number;
  opcode: number;
  payload: Uint8Array;
  /** Four octets: mask the payload with them and set the MASK bit. Omitted or null: unmasked. */
  maskingKey?: Uint8Array | null;
}

/** Encodes one frame, with the minimal length encoding (RFC 6455 §5.2, §5.3). */
export function encodeFrame(frame: OutgoingFrame): Buffer {
  void frame;
  throw new Error('not implemented');
}

/** True for the close codes that may appear in a Close frame (RFC 6455 §7.4.1, §7.4.2, IANA registry). */
export function isValidCloseCode(code: number): boolean {
  void code;
  throw new Error('not implemented');
}

/** The payload of a Close frame: a 2-octet code then the UTF-8 reason; empty when code is undefined (§5.5.1). */
export function encodeClosePayload(code?: number, reason = ''): Buffer {
  void code;
  void reason;
  throw new Error('not implemented');
}

// ---------------------------------------------------------------------------------------------------------------
// Part 3: the receiving side: bytes in, messages out
// ---------------------------------------------------------------------------------------------------------------

export type ReceiverEvent =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  /** A Close frame: its code (1005 when it had no payload) and reason. Nothing is returned after it. */
  | { type: 'close'; code: number; reason: string }
  /** The connection must be failed with this close code (1002, 1007 or 1009). Nothing is returned after it. */
  | { type: 'error'; closeCode: number; message: string };

export interface ReceiverOptions {
  /** 'server' receives a client's frames (they must be masked); 'client' receives a server's (they must not be). */
  role: 'server' | 'client';
  /** The largest message (all its fragments together) accepted, in octets. Default 16 MiB. */
  maxMessageSize?: number;
}

export class Receiver {
  /** The receiving half of one connection. */
  constructor(options: ReceiverOptions) {
    void options;
    throw new Error('not implemented');
  }

  /**
   * Feeds the next chunk of the byte stream (any size, cut anywhere). Returns what it completed, in order: whole
   * messages (fragments reassembled), control frames, and at most one error or close, after which it returns [].
   */
  push(chunk: Uint8Array): ReceiverEvent[] {
    void chunk;
    throw new Error('not implemented');
  }

  /** Given: feeds several chunks in turn and returns everything they completed. You do not need to change it. */
  pushAll(chunks: Uint8Array[]): ReceiverEvent[] {
    const out: ReceiverEvent[] = [];
    for (const chunk of chunks) for (const event of this.push(chunk)) out.push(event);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 4: an echo server and a client on raw TCP (node:net)
// ---------------------------------------------------------------------------------------------------------------

export interface EchoServerOptions {
  /** Passed to each connection's Receiver (default 16 MiB). */
  maxMessageSize?: number;
}

/** A WebSocket echo server on raw TCP: text and binary messages come back as they came, pings get pongs. */
export class EchoServer {
  constructor(options: EchoServerOptions = {}) {
    void options;
    void net;
    throw new Error('not implemented');
  }

  /** Listens (port 0 picks a free port) on host (default 127.0.0.1); resolves with the port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    void port;
    void host;
    throw new Error('not implemented');
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}

export interface ClientOptions {
  /** Passed to the connection's Receiver (default 16 MiB). */
  maxMessageSize?: number;
  onMessage?: (event: { type: 'text'; data: string } | { type: 'binary'; data: Uint8Array }) => void;
  onPing?: (data: Uint8Array) => void;
  onPong?: (data: Uint8Array) => void;
  /** The connection ended: the peer's close code and reason, 1005 for an empty close, 1006 without a close frame. */
  onClose?: (event: { code: number; reason: string }) => void;
  /** We failed the connection (and sent a Close frame with this code). */
  onError?: (event: { closeCode: number; message: string }) => void;
}

/** Given: what open() rejects with when the handshake fails. */
export class HandshakeError extends Error {
  readonly code = 'HANDSHAKE_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'HandshakeError';
  }
}

/** A WebSocket client on raw TCP (ws:// URLs only). */
export class WebSocketClient {
  constructor(
    readonly url: string,
    options: ClientOptions = {},
  ) {
    void options;
    throw new Error('not implemented');
  }

  /** Connects and performs the opening handshake; rejects with a HandshakeError (code HANDSHAKE_FAILED). */
  open(): Promise<void> {
    throw new Error('not implemented');
  }

  /** Sends a text (string) or binary (bytes) message; with fragmentSize > 0, in fragments of that many octets. */
  send(data: string | Uint8Array, fragmentSize = 0): void {
    void data;
    void fragmentSize;
    throw new Error('not implemented');
  }

  /** Sends a ping (at most 125 octets of payload, else RangeError). */
  ping(data: string | Uint8Array = ''): void {
    void data;
    throw new Error('not implemented');
  }

  /** Starts the closing handshake; resolves with the server's close code and reason once the connection ends. */
  close(code?: number, reason = ''): Promise<{ code: number; reason: string }> {
    void code;
    void reason;
    throw new Error('not implemented');
  }
}
