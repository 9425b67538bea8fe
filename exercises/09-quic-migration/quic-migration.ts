// Exercise 9: a small QUIC-shaped transport over UDP whose connections survive a change of address.
// Read README.md in this folder first. Replace every `throw new Error('not implemented')` with your code; keep the
// exported names and signatures (the grader uses them). Check your work with `npx course check quic-migration`.
//
// You may import Node built-ins (node:dgram, node:crypto); everything else goes in this file.

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

/** Throw this (with the right code) for bad input; the grader checks the code. */
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

/**
 * Encodes `value` (0 ≤ value ≤ 2^62 − 1; a number must be an integer) in the fewest bytes: 1, 2, 4 or 8.
 * Anything else: QuicError VARINT_RANGE.
 */
export function encodeVarint(value: number | bigint): Uint8Array {
  throw new Error('not implemented');
}

/**
 * Decodes the varint that starts at `offset`: its value (always a bigint) and how many bytes it took.
 * QuicError TRUNCATED when the bytes end before the integer does.
 */
export function decodeVarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } {
  throw new Error('not implemented');
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
  /** The end of the datagram (a short-header packet is always the last one in it). */
  packetEnd: number;
}

export type PacketHeader = LongHeader | ShortHeader;

/**
 * Parses the header of the packet at the start of `datagram`. A short header does not carry the length of its
 * destination connection ID: the receiver passes the length of its own IDs as `shortCidLength`.
 * QuicError codes: TRUNCATED, FIXED_BIT, CID_TOO_LONG, UNSUPPORTED_PACKET (Retry, Version Negotiation).
 */
export function parseHeader(datagram: Uint8Array, shortCidLength: number = CID_LENGTH): PacketHeader {
  throw new Error('not implemented');
}

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
  /** For your own debugging (the grader records these but trusts only the wire). */
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

export class QuicServer {
  constructor(options: ServerOptions) {
    throw new Error('not implemented');
  }

  /** Binds the UDP socket; resolves with its port. */
  listen(): Promise<number> {
    throw new Error('not implemented');
  }

  /** The live connections (for your own debugging). */
  connections(): ConnectionInfo[] {
    throw new Error('not implemented');
  }

  /** Closes the socket and stops every timer. */
  close(): Promise<void> {
    throw new Error('not implemented');
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
  /** Called once, when the whole stream up to its FIN has arrived; the argument is its size in bytes. */
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
  constructor(options: ClientOptions) {
    throw new Error('not implemented');
  }

  /** Binds a socket, sends the Initial and resolves once the server's Initial has arrived. */
  connect(): Promise<HandshakeInfo> {
    throw new Error('not implemented');
  }

  /** Moves to a new local port (a new socket), keeps the connection, tells the server with a PING from there. */
  migrate(): Promise<number> {
    throw new Error('not implemented');
  }

  /** The current local UDP port. */
  localPort(): number {
    throw new Error('not implemented');
  }

  /** The stream bytes received in order so far (from offset 0, without gaps). */
  receivedBytes(): Uint8Array {
    throw new Error('not implemented');
  }

  /** Closes the socket and stops every timer. */
  close(): Promise<void> {
    throw new Error('not implemented');
  }
}
