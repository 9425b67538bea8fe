// Reference solution: a small QUIC-shaped transport over UDP whose connections survive a change of address.
// Exact where it borrows from RFC 9000 (varints §16, header layouts §17, frame layouts §19, path validation §8.2,
// the anti-amplification limit §8.1, migration §9); no TLS, no encryption, one stream, one packet per datagram.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';

/** The version number of this course's protocol (not QUIC version 1: nothing here is encrypted). */
export const VERSION = 0x51c0de01;
/** Length of every connection ID chosen in this exercise (each side knows its own length, RFC 9000 §5.1). */
export const CID_LENGTH = 8;
/** Smallest datagram that may carry a client's Initial packet (RFC 9000 §14.1). */
export const MIN_INITIAL_DATAGRAM = 1200;
/** Largest value a variable-length integer can hold: 2^62 - 1 (RFC 9000 §16). */
export const MAX_VARINT = (1n << 62n) - 1n;
/** The server-initiated unidirectional stream that carries the download (RFC 9000 §2.1: id 3). */
export const DOWNLOAD_STREAM = 3;
/** Factor of the anti-amplification limit (RFC 9000 §8.1). */
export const AMPLIFICATION_FACTOR = 3;

export type QuicErrorCode = 'TRUNCATED' | 'VARINT_RANGE' | 'FIXED_BIT' | 'CID_TOO_LONG' | 'UNSUPPORTED_PACKET' | 'HANDSHAKE_TIMEOUT';

export class QuicError extends Error {
  constructor(
    readonly code: QuicErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QuicError';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Variable-length integers (RFC 9000 §16)

/** Encodes `value` (0 ≤ value ≤ 2^62 − 1) in the fewest bytes: 1, 2, 4 or 8. */
export function encodeVarint(value: number | bigint): Uint8Array {
  const v = typeof value === 'bigint' ? value : Number.isInteger(value) ? BigInt(value) : -1n;
  if (v < 0n || v > MAX_VARINT) throw new QuicError('VARINT_RANGE', `${String(value)} cannot be encoded as a variable-length integer (0 to 2^62-1)`);
  if (v < 64n) return Uint8Array.of(Number(v));
  if (v < 16384n) return Uint8Array.of(0x40 | Number(v >> 8n), Number(v & 0xffn));
  if (v < 1073741824n) {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(Number(v));
    out[0]! |= 0x80;
    return out;
  }
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(v);
  out[0]! |= 0xc0;
  return out;
}

/** Decodes the varint at `offset`: its value and how many bytes it took. */
export function decodeVarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } {
  if (offset >= bytes.length) throw new QuicError('TRUNCATED', `no byte left for a variable-length integer at offset ${offset}`);
  const length = 1 << (bytes[offset]! >> 6);
  if (offset + length > bytes.length) {
    throw new QuicError('TRUNCATED', `a ${length}-byte variable-length integer at offset ${offset} runs past the end (${bytes.length} bytes)`);
  }
  let value = BigInt(bytes[offset]! & 0x3f);
  for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i]!);
  return { value, length };
}

// ---------------------------------------------------------------------------------------------------------------
// Packet headers (RFC 9000 §17)

export type LongPacketType = 'initial' | '0rtt' | 'handshake';

export interface LongHeader {
  form: 'long';
  type: LongPacketType;
  version: number;
  dcid: Uint8Array;
  scid: Uint8Array;
  /** Initial packets only; empty otherwise. */
  token: Uint8Array;
  /** The Length field: packet number plus payload, in bytes. */
  length: number;
  packetNumberLength: number;
  packetNumber: number;
  /** Where the payload starts in the datagram. */
  payloadOffset: number;
  /** Where this packet ends in the datagram (payloadOffset + length − packetNumberLength). */
  packetEnd: number;
}

export interface ShortHeader {
  form: 'short';
  dcid: Uint8Array;
  spin: boolean;
  keyPhase: boolean;
  packetNumberLength: number;
  packetNumber: number;
  payloadOffset: number;
  packetEnd: number;
}

export type PacketHeader = LongHeader | ShortHeader;

const LONG_TYPES: Array<LongPacketType | 'retry'> = ['initial', '0rtt', 'handshake', 'retry'];

function need(bytes: Uint8Array, end: number, what: string): void {
  if (end > bytes.length) throw new QuicError('TRUNCATED', `the packet ends (${bytes.length} bytes) inside ${what}`);
}

function readPacketNumber(bytes: Uint8Array, at: number, length: number): number {
  let pn = 0;
  for (let i = 0; i < length; i++) pn = pn * 256 + bytes[at + i]!;
  return pn;
}

/**
 * Parses the header of the packet at the start of `datagram`. A short header does not carry the length of its
 * destination connection ID: the receiver passes the length of its own IDs as `shortCidLength`.
 */
export function parseHeader(datagram: Uint8Array, shortCidLength: number = CID_LENGTH): PacketHeader {
  need(datagram, 1, 'the first byte');
  const first = datagram[0]!;
  if ((first & 0x40) === 0) throw new QuicError('FIXED_BIT', `the fixed bit (0x40) of the first byte 0x${first.toString(16)} is 0`);
  const packetNumberLength = (first & 0x03) + 1;
  if ((first & 0x80) === 0) {
    const dcidEnd = 1 + shortCidLength;
    need(datagram, dcidEnd, 'the destination connection ID');
    need(datagram, dcidEnd + packetNumberLength, 'the packet number');
    return {
      form: 'short',
      dcid: datagram.slice(1, dcidEnd),
      spin: (first & 0x20) !== 0,
      keyPhase: (first & 0x04) !== 0,
      packetNumberLength,
      packetNumber: readPacketNumber(datagram, dcidEnd, packetNumberLength),
      payloadOffset: dcidEnd + packetNumberLength,
      packetEnd: datagram.length,
    };
  }
  need(datagram, 5, 'the version');
  const version = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength).readUInt32BE(1);
  if (version === 0) throw new QuicError('UNSUPPORTED_PACKET', 'a Version Negotiation packet (version 0) is not handled here');
  let at = 5;
  const cid = (what: string): Uint8Array => {
    need(datagram, at + 1, `the ${what} length`);
    const len = datagram[at]!;
    if (len > 20) throw new QuicError('CID_TOO_LONG', `the ${what} length is ${len}; at most 20 bytes are allowed`);
    need(datagram, at + 1 + len, `the ${what}`);
    const value = datagram.slice(at + 1, at + 1 + len);
    at += 1 + len;
    return value;
  };
  const dcid = cid('destination connection ID');
  const scid = cid('source connection ID');
  const type = LONG_TYPES[(first >> 4) & 0x03]!;
  if (type === 'retry') throw new QuicError('UNSUPPORTED_PACKET', 'Retry packets are not handled here');
  let token: Uint8Array = new Uint8Array(0);
  if (type === 'initial') {
    const tokenLength = decodeVarint(datagram, at);
    at += tokenLength.length;
    const len = Number(tokenLength.value);
    need(datagram, at + len, 'the token');
    token = datagram.slice(at, at + len);
    at += len;
  }
  const lengthField = decodeVarint(datagram, at);
  at += lengthField.length;
  const length = Number(lengthField.value);
  need(datagram, at + length, 'the packet (its Length field)');
  if (length < packetNumberLength) throw new QuicError('TRUNCATED', `the Length field (${length}) is shorter than the packet number`);
  return {
    form: 'long',
    type,
    version,
    dcid,
    scid,
    token,
    length,
    packetNumberLength,
    packetNumber: readPacketNumber(datagram, at, packetNumberLength),
    payloadOffset: at + packetNumberLength,
    packetEnd: at + length,
  };
}

function longHeaderPacket(dcid: Uint8Array, scid: Uint8Array, pn: number, payload: Uint8Array, padTo = 0): Buffer {
  const fixed = 1 + 4 + 1 + dcid.length + 1 + scid.length + 1; // + token length 0
  // The Length field is itself a varint: grow the padding until the datagram reaches padTo.
  let body = payload;
  for (;;) {
    const lengthField = encodeVarint(4 + body.length);
    const total = fixed + lengthField.length + 4 + body.length;
    if (total >= padTo) {
      const out = Buffer.alloc(total);
      out[0] = 0xc0 | 0x03; // long header, fixed bit, type Initial (0), 4-byte packet number
      out.writeUInt32BE(VERSION, 1);
      let at = 5;
      out[at++] = dcid.length;
      out.set(dcid, at);
      at += dcid.length;
      out[at++] = scid.length;
      out.set(scid, at);
      at += scid.length;
      out[at++] = 0; // token length
      out.set(lengthField, at);
      at += lengthField.length;
      out.writeUInt32BE(pn, at);
      out.set(body, at + 4);
      return out;
    }
    body = Buffer.concat([body, Buffer.alloc(padTo - total)]); // PADDING frames are zero bytes
  }
}

function shortHeaderPacket(dcid: Uint8Array, pn: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(1 + dcid.length + 4 + payload.length);
  out[0] = 0x40 | 0x03; // short header, fixed bit, 4-byte packet number
  out.set(dcid, 1);
  out.writeUInt32BE(pn, 1 + dcid.length);
  out.set(payload, 5 + dcid.length);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Frames (RFC 9000 §19)

type Frame =
  | { type: 'padding' }
  | { type: 'ping' }
  | { type: 'ack'; ranges: Array<[number, number]> }
  | { type: 'stream'; streamId: number; offset: number; data: Buffer; fin: boolean }
  | { type: 'path-challenge'; data: Buffer }
  | { type: 'path-response'; data: Buffer };

function parseFrames(payload: Buffer): Frame[] {
  const frames: Frame[] = [];
  let at = 0;
  const varint = (): number => {
    const v = decodeVarint(payload, at);
    at += v.length;
    return Number(v.value);
  };
  while (at < payload.length) {
    const type = varint();
    if (type === 0x00) {
      frames.push({ type: 'padding' });
    } else if (type === 0x01) {
      frames.push({ type: 'ping' });
    } else if (type === 0x02 || type === 0x03) {
      const largest = varint();
      varint(); // ACK Delay
      const count = varint();
      let high = largest;
      let low = largest - varint();
      const ranges: Array<[number, number]> = [[low, high]];
      for (let i = 0; i < count; i++) {
        high = low - varint() - 2;
        low = high - varint();
        ranges.push([low, high]);
      }
      if (type === 0x03) for (let i = 0; i < 3; i++) varint();
      frames.push({ type: 'ack', ranges });
    } else if (type >= 0x08 && type <= 0x0f) {
      const streamId = varint();
      const offset = type & 0x04 ? varint() : 0;
      const length = type & 0x02 ? varint() : payload.length - at;
      if (at + length > payload.length) throw new QuicError('TRUNCATED', 'a STREAM frame runs past the packet');
      frames.push({ type: 'stream', streamId, offset, data: payload.subarray(at, at + length), fin: (type & 0x01) !== 0 });
      at += length;
    } else if (type === 0x1a || type === 0x1b) {
      if (at + 8 > payload.length) throw new QuicError('TRUNCATED', 'a PATH_CHALLENGE/PATH_RESPONSE frame is shorter than 8 bytes');
      const data = Buffer.from(payload.subarray(at, at + 8));
      at += 8;
      frames.push({ type: type === 0x1a ? 'path-challenge' : 'path-response', data });
    } else {
      break; // a frame this exercise does not use: ignore the rest of the packet
    }
  }
  return frames;
}

function ackFrame(ranges: Array<[number, number]>): Buffer {
  // ranges: descending, disjoint, [low, high]
  const parts: Uint8Array[] = [Uint8Array.of(0x02)];
  const shown = ranges.slice(0, 32);
  parts.push(encodeVarint(shown[0]![1]), encodeVarint(0), encodeVarint(shown.length - 1), encodeVarint(shown[0]![1] - shown[0]![0]));
  for (let i = 1; i < shown.length; i++) {
    parts.push(encodeVarint(shown[i - 1]![0] - shown[i]![1] - 2), encodeVarint(shown[i]![1] - shown[i]![0]));
  }
  return Buffer.concat(parts);
}

function streamFrame(streamId: number, offset: number, data: Uint8Array, fin: boolean): Buffer {
  return Buffer.concat([Uint8Array.of(0x0e | (fin ? 1 : 0)), encodeVarint(streamId), encodeVarint(offset), encodeVarint(data.length), data]);
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const addressKey = (address: string, port: number) => `${address}:${port}`;
const isAckEliciting = (frames: Frame[]) => frames.some((f) => f.type !== 'ack' && f.type !== 'padding');
const isProbingOnly = (frames: Frame[]) => frames.every((f) => f.type === 'padding' || f.type === 'path-challenge' || f.type === 'path-response');

// ---------------------------------------------------------------------------------------------------------------
// The server

export type ServerEvent =
  | { type: 'connection'; cid: string; peer: string }
  | { type: 'migrated'; cid: string; from: string; to: string }
  | { type: 'path-validated'; cid: string; peer: string }
  | { type: 'dropped'; reason: string; peer: string }
  | { type: 'complete'; cid: string };

export interface ServerOptions {
  /** What every client downloads, on stream 3. */
  payload: Uint8Array;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Most packets carrying stream data unacknowledged at a time (default 16). */
  maxInFlight?: number;
  /** A packet not acknowledged this long is lost, and so is an unanswered PATH_CHALLENGE (default 100 ms). */
  retransmitMs?: number;
  onEvent?: (event: ServerEvent) => void;
}

export interface ConnectionInfo {
  /** The connection ID the server chose (hex). */
  cid: string;
  /** The client's connection ID (hex). */
  clientCid: string;
  /** The address the server sends to, "host:port". */
  peer: string;
  validated: boolean;
  /** Stream bytes acknowledged by the client. */
  acked: number;
}

interface Path {
  address: string;
  port: number;
  validated: boolean;
  bytesIn: number;
  bytesOut: number;
  challenges: Buffer[];
  challengeAt: number;
}

interface Chunk {
  offset: number;
  length: number;
  fin: boolean;
}

interface SentPacket {
  sentAt: number;
  chunks: Chunk[];
}

interface ServerConnection {
  cid: Buffer;
  clientCid: Buffer;
  originalDcid: string;
  path: Path;
  paths: Path[];
  largestReceived: number;
  nextPn: number;
  initialReply: Buffer;
  sent: Map<number, SentPacket>;
  sendOffset: number;
  finSent: boolean;
  lost: Chunk[];
  acked: number;
  complete: boolean;
}

const CHUNK = 1100;

export class QuicServer {
  private socket: dgram.Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly byCid = new Map<string, ServerConnection>();
  private readonly byOriginalDcid = new Map<string, ServerConnection>();
  private readonly payload: Buffer;
  private readonly maxInFlight: number;
  private readonly retransmitMs: number;

  constructor(private readonly options: ServerOptions) {
    this.payload = Buffer.from(options.payload);
    this.maxInFlight = options.maxInFlight ?? 16;
    this.retransmitMs = options.retransmitMs ?? 100;
  }

  /** Binds the UDP socket; resolves with the port. */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo.address, rinfo.port));
      socket.bind(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        this.socket = socket;
        this.timer = setInterval(() => this.tick(), 10);
        resolve(socket.address().port);
      });
    });
  }

  connections(): ConnectionInfo[] {
    return [...this.byCid.values()].map((c) => ({
      cid: hex(c.cid),
      clientCid: hex(c.clientCid),
      peer: addressKey(c.path.address, c.path.port),
      validated: c.path.validated,
      acked: c.acked,
    }));
  }

  close(): Promise<void> {
    clearInterval(this.timer);
    const socket = this.socket;
    this.socket = undefined;
    return new Promise((resolve) => (socket ? socket.close(() => resolve()) : resolve()));
  }

  private emit(event: ServerEvent): void {
    this.options.onEvent?.(event);
  }

  private drop(reason: string, address: string, port: number): void {
    this.emit({ type: 'dropped', reason, peer: addressKey(address, port) });
  }

  private onDatagram(msg: Buffer, address: string, port: number): void {
    let header: PacketHeader;
    try {
      header = parseHeader(msg, CID_LENGTH);
    } catch (err) {
      this.drop(`unparsable header: ${(err as Error).message}`, address, port);
      return;
    }
    if (header.form === 'long') {
      this.onLongHeader(msg, header, address, port);
      return;
    }
    const conn = this.byCid.get(hex(header.dcid));
    if (!conn) {
      this.drop(`unknown connection ID ${hex(header.dcid)}`, address, port);
      return;
    }
    let frames: Frame[];
    try {
      frames = parseFrames(msg.subarray(header.payloadOffset, header.packetEnd));
    } catch (err) {
      this.drop(`bad frames: ${(err as Error).message}`, address, port);
      return;
    }
    let path = conn.paths.find((p) => p.address === address && p.port === port);
    if (!path) {
      path = { address, port, validated: false, bytesIn: 0, bytesOut: 0, challenges: [], challengeAt: 0 };
      conn.paths.push(path);
    }
    path.bytesIn += msg.length;
    // The first short-header packet on the handshake path proves the client got our Initial: the address is valid.
    if (path === conn.paths[0] && !path.validated) path.validated = true;
    const newest = header.packetNumber > conn.largestReceived;
    if (newest) conn.largestReceived = header.packetNumber;
    if (path !== conn.path && newest && !isProbingOnly(frames)) {
      const from = addressKey(conn.path.address, conn.path.port);
      conn.path = path;
      this.emit({ type: 'migrated', cid: hex(conn.cid), from, to: addressKey(address, port) });
      // What was in flight on the old path is probably gone with it.
      for (const [pn, packet] of conn.sent) {
        conn.lost.push(...packet.chunks);
        conn.sent.delete(pn);
      }
      if (!path.validated) this.challenge(conn, path);
    }
    let ackEliciting = false;
    for (const frame of frames) {
      if (frame.type === 'ack') this.onAck(conn, frame.ranges);
      else if (frame.type === 'path-response') this.onPathResponse(conn, frame.data);
      else if (frame.type === 'path-challenge') {
        this.sendShort(conn, path, Buffer.concat([Uint8Array.of(0x1b), frame.data]));
      }
      if (frame.type !== 'ack' && frame.type !== 'padding') ackEliciting = true;
    }
    if (ackEliciting) this.sendShort(conn, path, ackFrame([[header.packetNumber, header.packetNumber]]));
    this.pump(conn);
  }

  private onLongHeader(msg: Buffer, header: LongHeader, address: string, port: number): void {
    if (header.version !== VERSION) return this.drop(`unsupported version 0x${header.version.toString(16)}`, address, port);
    if (header.type !== 'initial') return this.drop(`unexpected ${header.type} packet`, address, port);
    if (msg.length < MIN_INITIAL_DATAGRAM) return this.drop(`Initial in a ${msg.length}-byte datagram (< 1200)`, address, port);
    if (header.dcid.length < 8) return this.drop('Initial with a destination connection ID shorter than 8 bytes', address, port);
    const known = this.byOriginalDcid.get(hex(header.dcid)) ?? this.byCid.get(hex(header.dcid));
    if (known) {
      // A repeated Initial: answer again on the handshake path, within its budget.
      const path = known.paths[0]!;
      if (path.address === address && path.port === port) {
        path.bytesIn += msg.length;
        this.sendRaw(known, path, known.initialReply);
      }
      return;
    }
    let cid: Buffer;
    do cid = randomBytes(CID_LENGTH);
    while (this.byCid.has(hex(cid)));
    const path: Path = { address, port, validated: false, bytesIn: msg.length, bytesOut: 0, challenges: [], challengeAt: 0 };
    const conn: ServerConnection = {
      cid,
      clientCid: Buffer.from(header.scid),
      originalDcid: hex(header.dcid),
      path,
      paths: [path],
      largestReceived: -1,
      nextPn: 0,
      initialReply: longHeaderPacket(header.scid, cid, 0, ackFrame([[header.packetNumber, header.packetNumber]])),
      sent: new Map(),
      sendOffset: 0,
      finSent: false,
      lost: [],
      acked: 0,
      complete: false,
    };
    this.byCid.set(hex(cid), conn);
    this.byOriginalDcid.set(conn.originalDcid, conn);
    this.emit({ type: 'connection', cid: hex(cid), peer: addressKey(address, port) });
    this.sendRaw(conn, path, conn.initialReply);
    this.pump(conn);
  }

  private onAck(conn: ServerConnection, ranges: Array<[number, number]>): void {
    let largest = -1;
    for (const [low, high] of ranges) {
      largest = Math.max(largest, high);
      for (const [pn, packet] of conn.sent) {
        if (pn < low || pn > high) continue;
        for (const c of packet.chunks) conn.acked += c.length;
        conn.sent.delete(pn);
      }
    }
    // Packet threshold (RFC 9002 §6.1.1): a packet 3 below an acknowledged one is lost.
    for (const [pn, packet] of conn.sent) {
      if (pn <= largest - 3) {
        conn.lost.push(...packet.chunks);
        conn.sent.delete(pn);
      }
    }
    this.checkComplete(conn);
  }

  private checkComplete(conn: ServerConnection): void {
    if (conn.complete || !conn.finSent || conn.sent.size || conn.lost.length) return;
    conn.complete = true;
    this.emit({ type: 'complete', cid: hex(conn.cid) });
  }

  private onPathResponse(conn: ServerConnection, data: Buffer): void {
    for (const path of conn.paths) {
      if (path.validated || !path.challenges.some((c) => c.equals(data))) continue;
      path.validated = true;
      path.challenges = [];
      this.emit({ type: 'path-validated', cid: hex(conn.cid), peer: addressKey(path.address, path.port) });
    }
  }

  private challenge(conn: ServerConnection, path: Path): void {
    const data = randomBytes(8);
    if (this.sendShort(conn, path, Buffer.concat([Uint8Array.of(0x1a), data]))) {
      path.challenges.push(data);
      path.challengeAt = Date.now();
    }
  }

  private budget(path: Path): number {
    return path.validated ? Infinity : AMPLIFICATION_FACTOR * path.bytesIn - path.bytesOut;
  }

  private sendRaw(conn: ServerConnection, path: Path, datagram: Buffer): boolean {
    if (!this.socket || datagram.length > this.budget(path)) return false;
    path.bytesOut += datagram.length;
    this.socket.send(datagram, path.port, path.address);
    void conn;
    return true;
  }

  private sendShort(conn: ServerConnection, path: Path, payload: Buffer): boolean {
    const pn = conn.nextPn;
    if (!this.sendRaw(conn, path, shortHeaderPacket(conn.clientCid, pn, payload))) return false;
    conn.nextPn++;
    return true;
  }

  private nextChunk(conn: ServerConnection): Chunk | undefined {
    if (conn.lost.length) return conn.lost.shift();
    if (conn.finSent) return undefined;
    const length = Math.min(CHUNK, this.payload.length - conn.sendOffset);
    const chunk = { offset: conn.sendOffset, length, fin: conn.sendOffset + length === this.payload.length };
    conn.sendOffset += length;
    if (chunk.fin) conn.finSent = true;
    return chunk;
  }

  /** Sends stream data while the window and the path's budget allow. */
  private pump(conn: ServerConnection): void {
    // Data waits for the handshake path to be confirmed or for its amplification budget.
    while (conn.sent.size < this.maxInFlight) {
      const chunk = this.nextChunk(conn);
      if (!chunk) return;
      const payload = streamFrame(DOWNLOAD_STREAM, chunk.offset, this.payload.subarray(chunk.offset, chunk.offset + chunk.length), chunk.fin);
      const pn = conn.nextPn;
      if (!this.sendShort(conn, conn.path, payload)) {
        conn.lost.unshift(chunk);
        return;
      }
      conn.sent.set(pn, { sentAt: Date.now(), chunks: [chunk] });
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const conn of this.byCid.values()) {
      for (const [pn, packet] of conn.sent) {
        if (now - packet.sentAt < this.retransmitMs) continue;
        conn.lost.push(...packet.chunks);
        conn.sent.delete(pn);
      }
      const path = conn.path;
      if (!path.validated && path !== conn.paths[0] && now - path.challengeAt >= this.retransmitMs) this.challenge(conn, path);
      this.pump(conn);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The client

export type ClientEvent =
  | { type: 'handshake'; cid: string; serverCid: string }
  | { type: 'path-challenge'; data: string }
  | { type: 'migrated'; localPort: number }
  | { type: 'dropped'; reason: string }
  | { type: 'complete'; bytes: number };

export interface ClientOptions {
  /** The server's (or the relay's) address. */
  host: string;
  port: number;
  /** While the download is incomplete, send a PING when nothing arrived for this long (default 50 ms). */
  probeMs?: number;
  /** connect() fails with HANDSHAKE_TIMEOUT after this long (default 3000 ms). */
  handshakeTimeoutMs?: number;
  onEvent?: (event: ClientEvent) => void;
  /** Called once, when the whole stream up to its FIN has arrived. */
  onComplete?: (bytes: number) => void;
}

export interface HandshakeInfo {
  localPort: number;
  /** The client's own connection ID (hex). */
  cid: string;
  /** The connection ID the server chose (hex): the DCID of every short-header packet the client sends. */
  serverCid: string;
}

export class QuicClient {
  private socket: dgram.Socket | undefined;
  private readonly cid = randomBytes(CID_LENGTH);
  private readonly originalDcid = randomBytes(CID_LENGTH);
  private serverCid: Buffer | undefined;
  private nextPn = 0;
  private data = Buffer.alloc(64 * 1024);
  private received: Array<[number, number]> = []; // stream byte intervals [start, end)
  private finalSize: number | undefined;
  private packets: Array<[number, number]> = []; // packet number ranges [low, high], descending
  private lastReceived = Date.now();
  private probeTimer: NodeJS.Timeout | undefined;
  private done = false;
  private closed = false;
  private handshakeDone: (() => void) | undefined;

  constructor(private readonly options: ClientOptions) {}

  /** Binds a socket, sends the Initial and resolves once the server's Initial has arrived. */
  async connect(): Promise<HandshakeInfo> {
    this.socket = await this.bind();
    const initial = longHeaderPacket(this.originalDcid, this.cid, 0, Uint8Array.of(0x01), MIN_INITIAL_DATAGRAM);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.handshakeDone = undefined;
        reject(new QuicError('HANDSHAKE_TIMEOUT', `no Initial from the server within ${this.options.handshakeTimeoutMs ?? 3000} ms`));
      }, this.options.handshakeTimeoutMs ?? 3000);
      this.handshakeDone = () => {
        clearTimeout(timer);
        resolve();
      };
      this.send(initial);
    });
    this.sendShort(Uint8Array.of(0x01)); // confirms the handshake path for the server
    this.lastReceived = Date.now();
    this.probeTimer = setInterval(() => this.probe(), Math.max(5, Math.floor((this.options.probeMs ?? 50) / 2)));
    const info = { localPort: this.localPort(), cid: hex(this.cid), serverCid: hex(this.serverCid!) };
    this.options.onEvent?.({ type: 'handshake', cid: info.cid, serverCid: info.serverCid });
    return info;
  }

  /** Moves to a new local port (a new socket), keeps the connection, and tells the server with a PING from there. */
  async migrate(): Promise<number> {
    const old = this.socket;
    this.socket = await this.bind();
    old?.close();
    this.sendShort(Uint8Array.of(0x01));
    this.options.onEvent?.({ type: 'migrated', localPort: this.localPort() });
    return this.localPort();
  }

  localPort(): number {
    return this.socket ? this.socket.address().port : 0;
  }

  /** The stream bytes received in order so far. */
  receivedBytes(): Uint8Array {
    const end = this.received[0]?.[0] === 0 ? this.received[0][1] : 0;
    return Uint8Array.from(this.data.subarray(0, end));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probeTimer);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private bind(): Promise<dgram.Socket> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.once('error', reject);
      socket.on('message', (msg) => {
        if (socket === this.socket) this.onDatagram(msg);
      });
      socket.bind(0, '127.0.0.1', () => {
        socket.off('error', reject);
        socket.on('error', () => undefined);
        resolve(socket);
      });
    });
  }

  private send(datagram: Uint8Array): void {
    if (!this.closed) this.socket?.send(datagram, this.options.port, this.options.host);
  }

  private sendShort(payload: Uint8Array): void {
    if (!this.serverCid) return;
    this.send(shortHeaderPacket(this.serverCid, this.nextPn++, payload));
  }

  private probe(): void {
    if (this.done || Date.now() - this.lastReceived < (this.options.probeMs ?? 50)) return;
    this.lastReceived = Date.now();
    this.sendShort(this.packets.length ? Buffer.concat([Uint8Array.of(0x01), ackFrame(this.packets)]) : Uint8Array.of(0x01));
  }

  private onDatagram(msg: Buffer): void {
    let header: PacketHeader;
    try {
      header = parseHeader(msg, CID_LENGTH);
    } catch (err) {
      this.options.onEvent?.({ type: 'dropped', reason: (err as Error).message });
      return;
    }
    if (!Buffer.from(header.dcid).equals(this.cid)) {
      this.options.onEvent?.({ type: 'dropped', reason: `unknown connection ID ${hex(header.dcid)}` });
      return;
    }
    if (header.form === 'long') {
      if (header.type === 'initial' && header.version === VERSION && !this.serverCid) {
        this.serverCid = Buffer.from(header.scid);
        this.handshakeDone?.();
        this.handshakeDone = undefined;
      }
      return;
    }
    if (!this.serverCid) return;
    let frames: Frame[];
    try {
      frames = parseFrames(msg.subarray(header.payloadOffset, header.packetEnd));
    } catch (err) {
      this.options.onEvent?.({ type: 'dropped', reason: (err as Error).message });
      return;
    }
    this.lastReceived = Date.now();
    const replies: Uint8Array[] = [];
    for (const frame of frames) {
      if (frame.type === 'stream' && frame.streamId === DOWNLOAD_STREAM) this.onStream(frame.offset, frame.data, frame.fin);
      else if (frame.type === 'path-challenge') {
        this.options.onEvent?.({ type: 'path-challenge', data: hex(frame.data) });
        replies.push(Uint8Array.of(0x1b), frame.data);
      }
    }
    if (isAckEliciting(frames)) {
      this.notePacket(header.packetNumber);
      replies.push(ackFrame(this.packets));
    }
    if (replies.length) this.sendShort(Buffer.concat(replies));
  }

  private notePacket(pn: number): void {
    const ranges = this.packets;
    ranges.push([pn, pn]);
    ranges.sort((a, b) => b[1] - a[1]);
    const merged: Array<[number, number]> = [];
    for (const r of ranges) {
      const last = merged[merged.length - 1];
      if (last && r[1] >= last[0] - 1) last[0] = Math.min(last[0], r[0]);
      else merged.push([r[0], r[1]]);
    }
    this.packets = merged.slice(0, 64);
  }

  private onStream(offset: number, bytes: Buffer, fin: boolean): void {
    const end = offset + bytes.length;
    if (fin) this.finalSize = end;
    if (end > this.data.length) {
      const grown = Buffer.alloc(Math.max(end, this.data.length * 2));
      this.data.copy(grown);
      this.data = grown;
    }
    bytes.copy(this.data, offset);
    const intervals = [...this.received, [offset, end] as [number, number]].sort((a, b) => a[0] - b[0]);
    const merged: Array<[number, number]> = [];
    for (const r of intervals) {
      const last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    }
    this.received = merged;
    const contiguous = merged[0]?.[0] === 0 ? merged[0][1] : 0;
    if (!this.done && this.finalSize !== undefined && contiguous >= this.finalSize) {
      this.done = true;
      this.options.onEvent?.({ type: 'complete', bytes: this.finalSize });
      this.options.onComplete?.(this.finalSize);
    }
  }
}
