// Reference solution: the WebSocket protocol on the wire (RFC 6455), with node:net and node:crypto only.

import { isAscii, isUtf8 } from 'node:buffer';
import { createHash, randomFillSync } from 'node:crypto';
import * as net from 'node:net';

// ---------------------------------------------------------------------------------------------------------------
// Part 1: the opening handshake (RFC 6455 §4)
// ---------------------------------------------------------------------------------------------------------------

/** The fixed GUID appended to the client's key (RFC 6455 §1.3, §4.2.2). */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function computeAccept(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

export interface HttpHead {
  /** The first line, split: ['GET', '/chat', 'HTTP/1.1'] or ['HTTP/1.1', '101', 'Switching Protocols']. */
  startLine: string[];
  /** Header names in lower case; repeated fields joined with ", ". */
  headers: Record<string, string>;
}

/** Parses an HTTP/1.1 head (start line and header lines, with or without the final empty line). */
export function parseHttpHead(head: string): HttpHead {
  const lines = head.split('\r\n');
  const first = lines[0] ?? '';
  const space1 = first.indexOf(' ');
  const space2 = space1 < 0 ? -1 : first.indexOf(' ', space1 + 1);
  const startLine =
    space1 < 0 ? [first] : space2 < 0 ? [first.slice(0, space1), first.slice(space1 + 1)] : [first.slice(0, space1), first.slice(space1 + 1, space2), first.slice(space2 + 1)];
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

function tokens(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
}

/** A Sec-WebSocket-Key is the base64 encoding of exactly 16 octets: 22 characters and "==" (RFC 6455 §4.1). */
function validKey(key: string | undefined): boolean {
  return key !== undefined && /^[A-Za-z0-9+/]{22}==$/.test(key);
}

export type HandshakeResult =
  | { ok: true; key: string; accept: string; path: string; response: string }
  | { ok: false; status: number; reason: string; response: string };

function reject(status: number, statusText: string, reason: string, extra = ''): HandshakeResult {
  const body = `${reason}\n`;
  const response =
    `HTTP/1.1 ${status} ${statusText}\r\n${extra}Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return { ok: false, status, reason, response };
}

/** Server side: checks a client's opening handshake and builds the response to send (RFC 6455 §4.2). */
export function acceptHandshake(head: string): HandshakeResult {
  const { startLine, headers } = parseHttpHead(head);
  const [method, target, version] = startLine;
  if (startLine.length !== 3 || !target || !/^HTTP\/1\.[1-9]$/.test(version ?? '')) {
    return reject(400, 'Bad Request', 'not an HTTP/1.1 request line');
  }
  if (method !== 'GET') return reject(405, 'Method Not Allowed', `the method must be GET, not ${method}`, 'Allow: GET\r\n');
  if (!headers.host) return reject(400, 'Bad Request', 'missing Host header');
  if (!tokens(headers.upgrade).includes('websocket')) return reject(400, 'Bad Request', 'Upgrade must include "websocket"');
  if (!tokens(headers.connection).includes('upgrade')) return reject(400, 'Bad Request', 'Connection must include "Upgrade"');
  if (headers['sec-websocket-version'] !== '13') {
    return reject(426, 'Upgrade Required', 'only Sec-WebSocket-Version 13 is supported', 'Sec-WebSocket-Version: 13\r\n');
  }
  const key = headers['sec-websocket-key'];
  if (!validKey(key)) return reject(400, 'Bad Request', 'Sec-WebSocket-Key must be base64 of 16 octets');
  const accept = computeAccept(key!);
  const response =
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' + `Sec-WebSocket-Accept: ${accept}\r\n\r\n`;
  return { ok: true, key: key!, accept, path: target, response };
}

/** Client side: checks the server's response to our handshake made with `key` (RFC 6455 §4.1). */
export function checkServerResponse(head: string, key: string): { ok: true } | { ok: false; reason: string } {
  const { startLine, headers } = parseHttpHead(head);
  if (startLine[1] !== '101') return { ok: false, reason: `expected status 101, got ${startLine[1] ?? 'nothing'}` };
  if (!tokens(headers.upgrade).includes('websocket')) return { ok: false, reason: 'Upgrade is not "websocket"' };
  if (!tokens(headers.connection).includes('upgrade')) return { ok: false, reason: 'Connection does not include "Upgrade"' };
  if (headers['sec-websocket-accept'] !== computeAccept(key)) return { ok: false, reason: 'wrong Sec-WebSocket-Accept' };
  if (headers['sec-websocket-extensions']) return { ok: false, reason: 'the server chose an extension we did not offer' };
  if (headers['sec-websocket-protocol']) return { ok: false, reason: 'the server chose a subprotocol we did not offer' };
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Part 2: frames (RFC 6455 §5)
// ---------------------------------------------------------------------------------------------------------------

export const Opcode = { CONTINUATION: 0x0, TEXT: 0x1, BINARY: 0x2, CLOSE: 0x8, PING: 0x9, PONG: 0xa } as const;

export interface OutgoingFrame {
  /** Default true. */
  fin?: boolean;
  /** RSV1..RSV3 as a 3-bit number (RSV1 = 4); default 0. */
  rsv?: number;
  opcode: number;
  payload: Uint8Array;
  /** Four octets: mask the payload with them and set the MASK bit. Omitted or null: unmasked. */
  maskingKey?: Uint8Array | null;
}

/** Encodes one frame, with the minimal length encoding (RFC 6455 §5.2). */
export function encodeFrame(frame: OutgoingFrame): Buffer {
  const payload = frame.payload;
  const length = payload.length;
  const key = frame.maskingKey ?? null;
  const lenBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const headerLength = 2 + lenBytes + (key ? 4 : 0);
  const out = Buffer.allocUnsafe(headerLength + length);
  out[0] = ((frame.fin ?? true) ? 0x80 : 0) | (((frame.rsv ?? 0) & 7) << 4) | (frame.opcode & 0x0f);
  const maskBit = key ? 0x80 : 0;
  if (lenBytes === 0) {
    out[1] = maskBit | length;
  } else if (lenBytes === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(length, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    out.writeUInt32BE(length >>> 0, 6);
  }
  if (key) {
    const at = 2 + lenBytes;
    out[at] = key[0]!;
    out[at + 1] = key[1]!;
    out[at + 2] = key[2]!;
    out[at + 3] = key[3]!;
    mask(payload, 0, length, key, 0, out, headerLength);
  } else {
    out.set(payload, headerLength);
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** b[at + i] ^= key[(keyAt + i) & 3] for i < length. Long runs go 4 octets at a time through an aligned 32-bit view. */
function xorInPlace(b: Uint8Array, at: number, length: number, key: Uint8Array, keyAt: number): void {
  let i = 0;
  if (length >= 128) {
    while ((b.byteOffset + at + i) & 3) {
      b[at + i] = b[at + i]! ^ key[(keyAt + i) & 3]!;
      i++;
    }
    const k0 = key[(keyAt + i) & 3]!;
    const k1 = key[(keyAt + i + 1) & 3]!;
    const k2 = key[(keyAt + i + 2) & 3]!;
    const k3 = key[(keyAt + i + 3) & 3]!;
    const word = LITTLE_ENDIAN ? (k0 | (k1 << 8) | (k2 << 16) | (k3 << 24)) >>> 0 : ((k0 << 24) | (k1 << 16) | (k2 << 8) | k3) >>> 0;
    const words = (length - i) >>> 2;
    const view = new Uint32Array(b.buffer, b.byteOffset + at + i, words);
    for (let w = 0; w < words; w++) view[w] = view[w]! ^ word;
    i += words * 4;
  }
  for (; i < length; i++) b[at + i] = b[at + i]! ^ key[(keyAt + i) & 3]!;
}

/** out[outAt + i] = src[from + i] ^ key[(keyAt + i) & 3] for i < length (src and out must not overlap). */
function mask(src: Uint8Array, from: number, length: number, key: Uint8Array, keyAt: number, out: Uint8Array, outAt: number): void {
  if (length < 128) {
    for (let i = 0; i < length; i++) out[outAt + i] = src[from + i]! ^ key[(keyAt + i) & 3]!;
    return;
  }
  out.set(src.subarray(from, from + length), outAt);
  xorInPlace(out, outAt, length, key, keyAt);
}

/** Close codes that may appear in a Close frame (RFC 6455 §7.4.1, §7.4.2 and the IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** The payload of a Close frame: a 2-octet code and a UTF-8 reason; an empty payload when code is undefined. */
export function encodeClosePayload(code?: number, reason = ''): Buffer {
  if (code === undefined) return Buffer.alloc(0);
  const text = Buffer.from(reason, 'utf8');
  const out = Buffer.allocUnsafe(2 + text.length);
  out.writeUInt16BE(code, 0);
  text.copy(out, 2);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Part 3: the receiving side: frames in, messages out
// ---------------------------------------------------------------------------------------------------------------

export type ReceiverEvent =
  | { type: 'text'; data: string }
  | { type: 'binary'; data: Uint8Array }
  | { type: 'ping'; data: Uint8Array }
  | { type: 'pong'; data: Uint8Array }
  | { type: 'close'; code: number; reason: string }
  | { type: 'error'; closeCode: number; message: string };

export interface ReceiverOptions {
  /** 'server' receives a client's frames (must be masked); 'client' receives a server's (must not be). */
  role: 'server' | 'client';
  /** The largest message (all its fragments together) accepted, in octets. Default 16 MiB. */
  maxMessageSize?: number;
}

/** Incremental UTF-8 checker: bytes still expected in the current sequence and the range of the next one. */
class Utf8Checker {
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;

  /** Feeds bytes; false as soon as they cannot be the start of valid UTF-8. */
  update(b: Uint8Array, from: number, to: number): boolean {
    let need = this.need;
    let lo = this.lo;
    let hi = this.hi;
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      if (need === 0) {
        if (c < 0x80) continue;
        if (c >= 0xc2 && c <= 0xdf) {
          need = 1;
        } else if (c >= 0xe0 && c <= 0xef) {
          need = 2;
          if (c === 0xe0) lo = 0xa0;
          else if (c === 0xed) hi = 0x9f;
        } else if (c >= 0xf0 && c <= 0xf4) {
          need = 3;
          if (c === 0xf0) lo = 0x90;
          else if (c === 0xf4) hi = 0x8f;
        } else {
          return false;
        }
      } else {
        if (c < lo || c > hi) return false;
        need--;
        lo = 0x80;
        hi = 0xbf;
      }
    }
    this.need = need;
    this.lo = lo;
    this.hi = hi;
    return true;
  }

  /**
   * Feeds one fragment. Fast path: finish a sequence left open by the previous fragment, let the native isUtf8
   * check everything up to a possibly unfinished last sequence, and run the byte loop only on that tail.
   */
  check(b: Uint8Array): boolean {
    let from = 0;
    if (this.need > 0) {
      const stop = Math.min(b.length, this.need);
      if (!this.update(b, 0, stop)) return false;
      if (this.need > 0) return true;
      from = stop;
    }
    let tail = b.length;
    let k = 0;
    while (k < 3 && tail > from && (b[tail - 1]! & 0xc0) === 0x80) {
      tail--;
      k++;
    }
    if (tail > from && b[tail - 1]! >= 0xc0) tail--;
    else tail = b.length;
    if (tail > from && !isUtf8(b.subarray(from, tail))) return false;
    return this.update(b, tail, b.length);
  }

  get complete(): boolean {
    return this.need === 0;
  }

  reset(): void {
    this.need = 0;
    this.lo = 0x80;
    this.hi = 0xbf;
  }
}

const EMPTY: Buffer = Buffer.alloc(0);

/** Validates and decodes in one pass; ignoreBOM keeps a leading U+FEFF as part of the text, as it was sent. */
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The text of a complete UTF-8 payload, or null when it is not valid UTF-8. */
function decodeText(b: Buffer): string | null {
  // Long ASCII text (the common case) is faster copied as one-byte characters than decoded as UTF-8.
  if (b.length >= 1024 && isAscii(b)) return b.toString('latin1');
  try {
    return utf8Decoder.decode(b);
  } catch {
    return null;
  }
}

/** The size of a frame header from its second octet: 2, plus 2 or 8 for an extended length, plus 4 for a key. */
function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  return 2 + (length === 126 ? 2 : length === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
}

export class Receiver {
  private readonly server: boolean;
  private readonly maxMessageSize: number;
  /** Set once an error or a Close frame has been returned: nothing after it is read. */
  private done = false;

  /** A frame header cut by the end of a chunk: its octets are gathered here (at most 14) until it is whole. */
  private readonly head = Buffer.alloc(14);
  private headHave = 0;

  // The frame being read, from its header.
  private fin = false;
  private opcode = 0;
  private masked = false;
  private readonly key = Buffer.alloc(4);
  /** Octets of the frame's payload still to come in later chunks (0 when the next octet starts a header). */
  private remaining = 0;
  /** Octets of the payload already read: where the masking key goes on from in the next chunk. */
  private payloadRead = 0;
  /** The payload read so far, as views into the chunks it came in (unmasked in place). */
  private pieces: Buffer[] = [];

  // The fragmented message in progress (opcode 0 when none).
  private messageOpcode = 0;
  private fragments: Buffer[] = [];
  private messageSize = 0;
  private readonly utf8 = new Utf8Checker();

  constructor(options: ReceiverOptions) {
    if (options.role !== 'server' && options.role !== 'client') throw new TypeError('role must be "server" or "client"');
    this.server = options.role === 'server';
    this.maxMessageSize = options.maxMessageSize ?? 16 * 1024 * 1024;
  }

  /**
   * Feeds the next chunk (cut anywhere); returns the messages, control frames and errors it completed. The chunk
   * becomes the receiver's, as a chunk written to ws's Receiver does: masked payloads are unmasked in place, and
   * payloads are views into it (kept until their frame is complete), so the caller must not change it afterwards.
   */
  push(chunk: Uint8Array): ReceiverEvent[] {
    const out: ReceiverEvent[] = [];
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const end = b.length;
    let at = 0;
    while (at < end && !this.done) {
      if (this.remaining > 0) {
        at = this.payloadPiece(b, at, out);
        continue;
      }
      // A header is read where it is when it is whole in this chunk; a cut one is gathered in this.head first.
      let h = b;
      let p = at;
      if (this.headHave === 0 && end - at >= 2 && end - at >= headerSize(b[at + 1]!)) {
        at += headerSize(b[at + 1]!);
      } else {
        while (at < end && this.headMissing() > 0) this.head[this.headHave++] = b[at++]!;
        if (this.headMissing() > 0) break;
        this.headHave = 0;
        h = this.head;
        p = 0;
      }
      const length = this.readHeader(h, p, out);
      if (length < 0) break;
      if (end - at >= length) {
        // The whole payload is in this chunk: a view into it, no copy.
        if (this.masked) xorInPlace(b, at, length, this.key, 0);
        const payload = b.subarray(at, at + length);
        at += length;
        this.frameDone(payload, out);
      } else {
        // The payload goes on in the next chunks: keep its pieces and copy them together once all have come.
        this.remaining = length;
        this.payloadRead = 0;
        this.pieces = [];
      }
    }
    return out;
  }

  /** Given: feeds several chunks in turn and returns everything they completed. */
  pushAll(chunks: Uint8Array[]): ReceiverEvent[] {
    const out: ReceiverEvent[] = [];
    for (const chunk of chunks) for (const event of this.push(chunk)) out.push(event);
    return out;
  }

  /** Octets still missing from the header gathered in this.head (its size is known once it has 2). */
  private headMissing(): number {
    return this.headHave < 2 ? 2 - this.headHave : headerSize(this.head[1]!) - this.headHave;
  }

  /** Takes the next piece of a payload that began in an earlier chunk; returns the position after it. */
  private payloadPiece(b: Buffer, at: number, out: ReceiverEvent[]): number {
    const take = Math.min(this.remaining, b.length - at);
    // The key goes on from the payload's octet payloadRead, not from the start of this chunk.
    if (this.masked) xorInPlace(b, at, take, this.key, this.payloadRead);
    this.pieces.push(b.subarray(at, at + take));
    this.payloadRead += take;
    this.remaining -= take;
    if (this.remaining === 0) {
      const payload = Buffer.concat(this.pieces, this.payloadRead);
      this.pieces = [];
      this.frameDone(payload, out);
    }
    return at + take;
  }

  /**
   * Reads and checks the frame header at h[p...], which is whole; keeps its fields for the payload. Returns the
   * payload length, or -1 after failing the connection. Every check that needs only the header is made here,
   * before any of the payload is read.
   */
  private readHeader(h: Buffer, p: number, out: ReceiverEvent[]): number {
    const b0 = h[p]!;
    const b1 = h[p + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    let length = b1 & 0x7f;
    if (b0 & 0x70) return this.fail(out, 1002, `reserved bits set (RSV ${(b0 >> 4) & 7}) without a negotiated extension`);
    const control = opcode >= 8;
    if (opcode !== 0 && opcode !== 1 && opcode !== 2 && opcode !== 8 && opcode !== 9 && opcode !== 10) {
      return this.fail(out, 1002, `reserved opcode 0x${opcode.toString(16)}`);
    }
    if (masked !== this.server) {
      return this.fail(out, 1002, this.server ? 'a client frame must be masked' : 'a server frame must not be masked');
    }
    p += 2;
    if (length === 126) {
      length = h.readUInt16BE(p);
      p += 2;
    } else if (length === 127) {
      const high = h.readUInt32BE(p);
      if (high & 0x80000000) return this.fail(out, 1002, 'the most significant bit of a 64-bit length must be 0');
      length = high * 2 ** 32 + h.readUInt32BE(p + 4);
      p += 8;
    }
    if (control) {
      if (!fin) return this.fail(out, 1002, 'a control frame must not be fragmented');
      if (length > 125) return this.fail(out, 1002, `a control frame payload is at most 125 octets, got ${length}`);
    } else if (opcode === 0) {
      if (this.messageOpcode === 0) return this.fail(out, 1002, 'a continuation frame with no message to continue');
      if (this.messageSize + length > this.maxMessageSize) {
        return this.fail(out, 1009, `message of more than ${this.maxMessageSize} octets`);
      }
    } else {
      if (this.messageOpcode !== 0) return this.fail(out, 1002, 'a new data frame while a fragmented message is unfinished');
      if (length > this.maxMessageSize) return this.fail(out, 1009, `message of ${length} octets, more than ${this.maxMessageSize}`);
    }
    if (masked) {
      // Copied: the header may be in this.head, which the next cut header overwrites.
      this.key[0] = h[p]!;
      this.key[1] = h[p + 1]!;
      this.key[2] = h[p + 2]!;
      this.key[3] = h[p + 3]!;
    }
    this.fin = fin;
    this.opcode = opcode;
    this.masked = masked;
    return length;
  }

  /** Fails the connection with closeCode; returns -1 for readHeader to return. */
  private fail(out: ReceiverEvent[], closeCode: number, message: string): -1 {
    this.done = true;
    this.pieces = [];
    this.fragments = [];
    out.push({ type: 'error', closeCode, message });
    return -1;
  }

  private frameDone(payload: Buffer, out: ReceiverEvent[]): void {
    const opcode = this.opcode;
    if (opcode >= 8) {
      if (opcode === 9) out.push({ type: 'ping', data: payload });
      else if (opcode === 10) out.push({ type: 'pong', data: payload });
      else this.closeFrame(payload, out);
      return;
    }
    if (opcode !== 0) {
      // The first (maybe only) frame of a message.
      if (this.fin) {
        if (opcode === 1) {
          const data = decodeText(payload);
          if (data === null) {
            this.fail(out, 1007, 'a text message that is not valid UTF-8');
            return;
          }
          out.push({ type: 'text', data });
        } else {
          out.push({ type: 'binary', data: payload });
        }
        return;
      }
      this.messageOpcode = opcode;
      this.fragments = [];
      this.messageSize = 0;
      this.utf8.reset();
    }
    if (this.messageOpcode === 1 && !this.utf8.check(payload)) {
      this.fail(out, 1007, 'invalid UTF-8 in a fragment of a text message');
      return;
    }
    this.fragments.push(payload);
    this.messageSize += payload.length;
    if (!this.fin) return;
    const data = this.fragments.length === 1 ? this.fragments[0]! : Buffer.concat(this.fragments, this.messageSize);
    const kind = this.messageOpcode;
    this.messageOpcode = 0;
    this.fragments = [];
    this.messageSize = 0;
    if (kind === 1) {
      if (!this.utf8.complete) {
        this.fail(out, 1007, 'a text message that ends inside a UTF-8 sequence');
        return;
      }
      // Every fragment has been checked: decoding alone is left.
      out.push({ type: 'text', data: isAscii(data) ? data.toString('latin1') : data.toString('utf8') });
    } else {
      out.push({ type: 'binary', data });
    }
  }

  private closeFrame(payload: Buffer, out: ReceiverEvent[]): void {
    if (payload.length === 0) {
      out.push({ type: 'close', code: 1005, reason: '' });
    } else if (payload.length === 1) {
      this.fail(out, 1002, 'a close payload of 1 octet (a code needs 2)');
      return;
    } else {
      const code = payload.readUInt16BE(0);
      if (!isValidCloseCode(code)) {
        this.fail(out, 1002, `close code ${code} may not be sent in a close frame`);
        return;
      }
      const reason = payload.subarray(2);
      if (!isUtf8(reason)) {
        this.fail(out, 1007, 'the close reason is not valid UTF-8');
        return;
      }
      out.push({ type: 'close', code, reason: reason.toString('utf8') });
    }
    this.done = true;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Part 4: a connection over a TCP socket, and the echo server and client built on it
// ---------------------------------------------------------------------------------------------------------------

const MAX_HEAD = 16 * 1024;

/** Reads an HTTP head from a socket; calls done(head, rest) once, or done(null) when the head is too long. */
function readHead(socket: net.Socket, done: (head: string | null, rest: Buffer) => void): void {
  let buffered: Buffer = EMPTY;
  const onData = (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    const end = buffered.indexOf('\r\n\r\n');
    if (end < 0) {
      if (buffered.length > MAX_HEAD) {
        socket.off('data', onData);
        done(null, EMPTY);
      }
      return;
    }
    socket.off('data', onData);
    done(buffered.subarray(0, end + 2).toString('latin1'), buffered.subarray(end + 4));
  };
  socket.on('data', onData);
}

function truncateReason(reason: string): string {
  let text = reason;
  while (Buffer.byteLength(text) > 123) text = text.slice(0, -1);
  return text;
}

interface ConnectionHooks {
  onMessage?: (event: { type: 'text'; data: string } | { type: 'binary'; data: Uint8Array }) => void;
  onPing?: (data: Uint8Array) => void;
  onPong?: (data: Uint8Array) => void;
  onClose?: (event: { code: number; reason: string }) => void;
  onError?: (event: { closeCode: number; message: string }) => void;
}

/** One open WebSocket connection, either side. */
class Connection {
  private readonly receiver: Receiver;
  private closeSent = false;
  private closeReceived: { code: number; reason: string } | undefined;
  private finished = false;
  private readonly closeWaiters: Array<(e: { code: number; reason: string }) => void> = [];

  constructor(
    private readonly socket: net.Socket,
    private readonly role: 'server' | 'client',
    maxMessageSize: number | undefined,
    private readonly hooks: ConnectionHooks,
  ) {
    this.receiver = new Receiver({ role, maxMessageSize });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.finish(this.closeReceived ?? { code: 1006, reason: '' }));
  }

  onData(chunk: Buffer): void {
    for (const event of this.receiver.push(chunk)) {
      switch (event.type) {
        case 'text':
        case 'binary':
          if (!this.closeSent) this.hooks.onMessage?.(event);
          break;
        case 'ping':
          if (!this.closeSent) this.sendFrame(Opcode.PONG, event.data);
          this.hooks.onPing?.(event.data);
          break;
        case 'pong':
          this.hooks.onPong?.(event.data);
          break;
        case 'close':
          this.closeReceived = { code: event.code, reason: event.reason };
          if (!this.closeSent) {
            // Echo the code (an empty close gets an empty close back), then the server closes TCP first.
            this.sendClose(event.code === 1005 ? undefined : event.code, '');
          }
          // Both close frames have now been sent: end our side of TCP (RFC 6455 §7.1.1).
          this.socket.end();
          break;
        case 'error':
          this.hooks.onError?.({ closeCode: event.closeCode, message: event.message });
          if (!this.closeSent) this.sendClose(event.closeCode, truncateReason(event.message));
          // Fail the connection: close TCP (at once if the peer does not close its side soon).
          this.socket.end();
          setTimeout(() => this.socket.destroy(), 1000).unref();
          break;
      }
    }
  }

  sendFrame(opcode: number, payload: Uint8Array, fin = true): void {
    if (this.socket.destroyed) return;
    const maskingKey = this.role === 'client' ? randomMask() : null;
    this.socket.write(encodeFrame({ fin, opcode, payload, maskingKey }));
  }

  send(data: string | Uint8Array, fragmentSize = 0): void {
    if (this.closeSent) throw new Error('the closing handshake has started: no more data frames');
    const text = typeof data === 'string';
    const bytes = text ? Buffer.from(data, 'utf8') : data;
    const opcode = text ? Opcode.TEXT : Opcode.BINARY;
    if (!fragmentSize || bytes.length <= fragmentSize) {
      this.sendFrame(opcode, bytes);
      return;
    }
    for (let at = 0; at < bytes.length; at += fragmentSize) {
      const last = at + fragmentSize >= bytes.length;
      this.sendFrame(at === 0 ? opcode : Opcode.CONTINUATION, bytes.subarray(at, at + fragmentSize), last);
    }
  }

  sendClose(code?: number, reason = ''): void {
    if (this.closeSent) return;
    this.closeSent = true;
    this.sendFrame(Opcode.CLOSE, encodeClosePayload(code, reason));
  }

  /** Starts the closing handshake; resolves with the peer's answer (or 1006 when the connection just drops). */
  close(code?: number, reason = ''): Promise<{ code: number; reason: string }> {
    return new Promise((resolve) => {
      if (this.finished) {
        resolve(this.closeReceived ?? { code: 1006, reason: '' });
        return;
      }
      this.closeWaiters.push(resolve);
      this.sendClose(code, reason);
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private finish(event: { code: number; reason: string }): void {
    if (this.finished) return;
    this.finished = true;
    this.hooks.onClose?.(event);
    for (const w of this.closeWaiters.splice(0)) w(event);
  }
}

let maskPool = Buffer.alloc(0);
let maskAt = 0;
function randomMask(): Buffer {
  if (maskAt + 4 > maskPool.length) {
    maskPool = randomFillSync(Buffer.allocUnsafe(4096));
    maskAt = 0;
  }
  const key = maskPool.subarray(maskAt, maskAt + 4);
  maskAt += 4;
  return key;
}

export interface EchoServerOptions {
  /** Passed to each connection's Receiver (default 16 MiB). */
  maxMessageSize?: number;
}

/** A WebSocket echo server on raw TCP: text and binary messages come back as they came, pings get pongs. */
export class EchoServer {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly options: EchoServerOptions = {}) {}

  /** Listens (port 0 picks a free port); resolves with the port. */
  listen(port = 0, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.onSocket(socket));
      this.server = server;
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Stops listening and drops every connection. */
  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    return new Promise((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
    });
  }

  private onSocket(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    readHead(socket, (head, rest) => {
      if (head === null) {
        socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      const result = acceptHandshake(head);
      if (!result.ok) {
        socket.end(result.response);
        return;
      }
      socket.write(result.response);
      const connection: Connection = new Connection(socket, 'server', this.options.maxMessageSize, {
        onMessage: (event) => connection.send(event.data),
      });
      if (rest.length) connection.onData(rest);
    });
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
  /** We failed the connection (we sent this close code). */
  onError?: (event: { closeCode: number; message: string }) => void;
}

export class HandshakeError extends Error {
  readonly code = 'HANDSHAKE_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'HandshakeError';
  }
}

/** A WebSocket client on raw TCP (ws:// URLs only). */
export class WebSocketClient {
  private connection: Connection | undefined;
  private socket: net.Socket | undefined;

  constructor(
    readonly url: string,
    private readonly options: ClientOptions = {},
  ) {}

  /** Connects and performs the opening handshake; rejects with a HandshakeError (code HANDSHAKE_FAILED). */
  open(): Promise<void> {
    const url = new URL(this.url);
    if (url.protocol !== 'ws:') return Promise.reject(new TypeError(`only ws:// URLs are supported, not ${url.protocol}`));
    const key = randomFillSync(Buffer.allocUnsafe(16)).toString('base64');
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(url.port || 80), url.hostname.replace(/^\[|\]$/g, ''));
      this.socket = socket;
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        socket.destroy();
        reject(err);
      };
      socket.once('error', (err) => fail(new HandshakeError(`connection failed: ${err.message}`)));
      socket.once('close', () => fail(new HandshakeError('the connection closed during the handshake')));
      socket.once('connect', () => {
        socket.write(
          `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
        );
      });
      readHead(socket, (head, rest) => {
        if (head === null) return fail(new HandshakeError('the response head is too long'));
        const check = checkServerResponse(head, key);
        if (!check.ok) return fail(new HandshakeError(check.reason));
        settled = true;
        this.connection = new Connection(socket, 'client', this.options.maxMessageSize, this.options);
        if (rest.length) this.connection.onData(rest);
        resolve();
      });
    });
  }

  /** Sends a text (string) or binary (bytes) message; with fragmentSize > 0, in fragments of that many octets. */
  send(data: string | Uint8Array, fragmentSize = 0): void {
    this.open_().send(data, fragmentSize);
  }

  /** Sends a ping (at most 125 octets of payload). */
  ping(data: string | Uint8Array = ''): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (bytes.length > 125) throw new RangeError('a ping payload is at most 125 octets');
    this.open_().sendFrame(Opcode.PING, bytes);
  }

  /** Starts the closing handshake; resolves with the server's close code and reason once the connection ends. */
  close(code?: number, reason = ''): Promise<{ code: number; reason: string }> {
    if (!this.connection) {
      this.socket?.destroy();
      return Promise.resolve({ code: 1006, reason: '' });
    }
    return this.connection.close(code, reason);
  }

  private open_(): Connection {
    if (!this.connection) throw new Error('not open: call open() first');
    return this.connection;
  }
}
