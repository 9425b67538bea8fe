// Exercise 10: QPACK (RFC 9204), a decoder with blocked streams and an encoder. Read README.md first.
// Replace every `throw new Error('not implemented')` with your code. Keep the exported names and signatures: the
// grader calls them. Check your work with `npx course check qpack`.

import { decodeHuffman, encodeHuffman, huffmanLength } from './huffman'; // ready to use: see huffman.d.ts

/** A field line: [name, value]. Strings are octets, one character per octet (latin1). */
export type HeaderField = [name: string, value: string];

/** The two settings a QPACK peer announces (RFC 9204 §5). */
export interface QpackSettings {
  /** SETTINGS_QPACK_MAX_TABLE_CAPACITY: the most the dynamic table capacity may ever be set to. */
  maxTableCapacity: number;
  /** SETTINGS_QPACK_BLOCKED_STREAMS: how many streams may wait for inserts at the same time. */
  maxBlockedStreams: number;
}

/** A dynamic table entry, as dynamicTable() reports it (newest first). */
export interface TableEntry {
  /** The absolute index: 0 for the first entry ever inserted (RFC 9204 §3.2.4). */
  index: number;
  name: string;
  value: string;
  /** name length + value length + 32 (RFC 9204 §3.2.1). */
  size: number;
}

/** A field section that was blocked and has now been decoded. */
export interface UnblockedSection {
  streamId: number;
  headers: HeaderField[];
}

/** What QpackEncoder.encode returns: bytes for the encoder stream (possibly empty) and the field section. */
export interface EncodedSection {
  encoderStream: Uint8Array;
  section: Uint8Array;
}

export type QpackErrorCode = 'QPACK_DECOMPRESSION_FAILED' | 'QPACK_ENCODER_STREAM_ERROR' | 'QPACK_DECODER_STREAM_ERROR';

/** Every error of this module: in HTTP/3 each is a connection error with that code (RFC 9204 §6). */
export class QpackError extends Error {
  constructor(
    readonly code: QpackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'QpackError';
  }
}

/** The static table (RFC 9204 Appendix A): STATIC_TABLE[i] is index i, from 0 to 98. */
export const STATIC_TABLE: readonly HeaderField[] = [
  [':authority', ''], [':path', '/'], ['age', '0'], ['content-disposition', ''], ['content-length', '0'],
  ['cookie', ''], ['date', ''], ['etag', ''], ['if-modified-since', ''], ['if-none-match', ''],
  ['last-modified', ''], ['link', ''], ['location', ''], ['referer', ''], ['set-cookie', ''],
  [':method', 'CONNECT'], [':method', 'DELETE'], [':method', 'GET'], [':method', 'HEAD'], [':method', 'OPTIONS'],
  [':method', 'POST'], [':method', 'PUT'], [':scheme', 'http'], [':scheme', 'https'], [':status', '103'],
  [':status', '200'], [':status', '304'], [':status', '404'], [':status', '503'], ['accept', '*/*'],
  ['accept', 'application/dns-message'], ['accept-encoding', 'gzip, deflate, br'], ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'], ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'], ['cache-control', 'max-age=0'], ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'], ['cache-control', 'no-cache'], ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'], ['content-encoding', 'br'], ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'], ['content-type', 'application/javascript'],
  ['content-type', 'application/json'], ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'], ['content-type', 'image/jpeg'], ['content-type', 'image/png'],
  ['content-type', 'text/css'], ['content-type', 'text/html; charset=utf-8'], ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'], ['range', 'bytes=0-'], ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'], ['vary', 'accept-encoding'],
  ['vary', 'origin'], ['x-content-type-options', 'nosniff'], ['x-xss-protection', '1; mode=block'],
  [':status', '100'], [':status', '204'], [':status', '206'], [':status', '302'], [':status', '400'],
  [':status', '403'], [':status', '421'], [':status', '425'], [':status', '500'], ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'], ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'], ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'], ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'], ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'], ['access-control-request-method', 'post'], ['alt-svc', 'clear'],
  ['authorization', ''], ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'], ['expect-ct', ''], ['forwarded', ''], ['if-range', ''], ['origin', ''],
  ['purpose', 'prefetch'], ['server', ''], ['timing-allow-origin', '*'], ['upgrade-insecure-requests', '1'],
  ['user-agent', ''], ['x-forwarded-for', ''], ['x-frame-options', 'deny'], ['x-frame-options', 'sameorigin'],
];

/** name length + value length + 32 (RFC 9204 §3.2.1). */
export function entrySize(name: string, value: string): number {
  throw new Error('not implemented');
}

/**
 * Decodes the Encoded Required Insert Count of a field section prefix (RFC 9204 §4.5.1.1), given the decoder's
 * SETTINGS_QPACK_MAX_TABLE_CAPACITY and the number of inserts it has received so far. A value no encoder could
 * have produced is a QpackError QPACK_DECOMPRESSION_FAILED.
 */
export function decodeRequiredInsertCount(encoded: number, maxTableCapacity: number, totalInserts: number): number {
  throw new Error('not implemented');
}

/** Encodes a Required Insert Count for the field section prefix (RFC 9204 §4.5.1.1): 0, or (count mod 2 × MaxEntries) + 1. */
export function encodeRequiredInsertCount(required: number, maxTableCapacity: number): number {
  throw new Error('not implemented');
}

/** The decoder: one per connection, fed by the peer's encoder stream and its request or response streams. */
export class QpackDecoder {
  /** `settings` are the values this decoder announced to the peer (it starts with a table of capacity 0). */
  constructor(settings: QpackSettings) {
    throw new Error('not implemented');
  }

  /**
   * Bytes of the encoder stream, cut anywhere: apply every complete instruction and keep an incomplete one for the
   * next call. Returns the blocked sections that can now be decoded, decoded, in the order they arrived.
   * Invalid instructions: QPACK_ENCODER_STREAM_ERROR; a section that fails to decode: QPACK_DECOMPRESSION_FAILED.
   */
  receiveEncoderStream(chunk: Uint8Array): UnblockedSection[] {
    throw new Error('not implemented');
  }

  /**
   * One whole field section of a stream: its field lines, or null when its Required Insert Count is above
   * insertCount() (the stream is blocked until receiveEncoderStream brings the inserts). Errors, including one
   * blocked stream more than maxBlockedStreams: QPACK_DECOMPRESSION_FAILED.
   */
  decodeSection(streamId: number, section: Uint8Array): HeaderField[] | null {
    throw new Error('not implemented');
  }

  /** The stream was reset or abandoned: forget its blocked section, queue a Stream Cancellation. */
  cancelStream(streamId: number): void {
    throw new Error('not implemented');
  }

  /**
   * The decoder-stream bytes to send now (and forget): the queued Section Acknowledgments and Stream
   * Cancellations, then one Insert Count Increment for inserts the encoder does not know about yet.
   */
  takeDecoderStream(): Uint8Array {
    throw new Error('not implemented');
  }

  /** The dynamic table, newest entry first. */
  dynamicTable(): TableEntry[] {
    throw new Error('not implemented');
  }

  /** The capacity last set by the encoder stream (0 at first). */
  capacity(): number {
    throw new Error('not implemented');
  }

  /** How many entries have ever been inserted. */
  insertCount(): number {
    throw new Error('not implemented');
  }

  /** The streams whose sections are blocked, in the order they arrived. */
  blockedStreams(): number[] {
    throw new Error('not implemented');
  }
}

/** The encoder: one per connection, for a peer that announced `peer` settings. */
export class QpackEncoder {
  constructor(peer: QpackSettings) {
    throw new Error('not implemented');
  }

  /**
   * Encodes one header list for a stream: the bytes to send on the encoder stream first (possibly none) and the
   * field section. Never above the peer's limits; never evicts an entry that is not evictable (RFC 9204 §2.1.1).
   */
  encode(streamId: number, headers: HeaderField[]): EncodedSection {
    throw new Error('not implemented');
  }

  /** Bytes of the decoder stream, cut anywhere. Invalid instructions: QPACK_DECODER_STREAM_ERROR. */
  receiveDecoderStream(chunk: Uint8Array): void {
    throw new Error('not implemented');
  }
}
