// Exercise 1: the HPACK header table and a header-block decoder (RFC 7541). Read README.md first.
// Replace every `throw new Error('not implemented')` with your code. Keep the exported names and signatures: the
// grader calls them. Check your work with `npx course check hpack-table`.

import { decodeHuffman } from './huffman'; // ready to use: decodes the octets of a Huffman-coded string literal

/** A header field: [name, value]. */
export type HeaderField = [name: string, value: string];

/** A dynamic table entry as reported by entries() / dynamicTable(). */
export interface TableEntry {
  name: string;
  value: string;
  /** name length + value length + 32 (RFC 7541 §4.1). */
  size: number;
}

/** The result of HeaderTable.find. */
export interface FindResult {
  index: number;
  /** true when only the name matched (an encoder would still send the value as a literal). */
  nameOnly: boolean;
}

/** The `code` of every error this module throws. */
export type HpackErrorCode =
  | 'HPACK_INDEX_OUT_OF_RANGE' // index 0, or an index past the end of the table
  | 'HPACK_TRUNCATED' // the input ends inside an integer or a string
  | 'HPACK_INTEGER_OVERFLOW' // an integer above MAX_INTEGER
  | 'HPACK_SIZE_UPDATE_NOT_AT_START' // a dynamic table size update after a header field
  | 'HPACK_SIZE_UPDATE_TOO_LARGE'; // a size update above the SETTINGS_HEADER_TABLE_SIZE limit

/** Throw this (given, complete): `throw new HpackError('HPACK_TRUNCATED', 'what happened')`. */
export class HpackError extends Error {
  constructor(
    readonly code: HpackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HpackError';
  }
}

/** The largest integer decodeInteger accepts; anything larger is HPACK_INTEGER_OVERFLOW. */
export const MAX_INTEGER = 2 ** 32 - 1;

/** The static table (RFC 7541 Appendix A): STATIC_TABLE[i - 1] is index i. */
export const STATIC_TABLE: readonly HeaderField[] = [
  [':authority', ''],
  [':method', 'GET'],
  [':method', 'POST'],
  [':path', '/'],
  [':path', '/index.html'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '200'],
  [':status', '204'],
  [':status', '206'],
  [':status', '304'],
  [':status', '400'],
  [':status', '404'],
  [':status', '500'],
  ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'],
  ['accept-language', ''],
  ['accept-ranges', ''],
  ['accept', ''],
  ['access-control-allow-origin', ''],
  ['age', ''],
  ['allow', ''],
  ['authorization', ''],
  ['cache-control', ''],
  ['content-disposition', ''],
  ['content-encoding', ''],
  ['content-language', ''],
  ['content-length', ''],
  ['content-location', ''],
  ['content-range', ''],
  ['content-type', ''],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['expect', ''],
  ['expires', ''],
  ['from', ''],
  ['host', ''],
  ['if-match', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['if-range', ''],
  ['if-unmodified-since', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['max-forwards', ''],
  ['proxy-authenticate', ''],
  ['proxy-authorization', ''],
  ['range', ''],
  ['referer', ''],
  ['refresh', ''],
  ['retry-after', ''],
  ['server', ''],
  ['set-cookie', ''],
  ['strict-transport-security', ''],
  ['transfer-encoding', ''],
  ['user-agent', ''],
  ['vary', ''],
  ['via', ''],
  ['www-authenticate', ''],
];

/** The size of an entry: name length + value length + 32 (RFC 7541 §4.1). Strings hold one character per octet. */
export function entrySize(name: string, value: string): number {
  throw new Error('not implemented');
}

/** The static table followed by the dynamic table, in one index space (RFC 7541 §2.3.3, §4). */
export class HeaderTable {
  /** @param maxSize the maximum size of the dynamic table, in octets (RFC 7541 §4.2). */
  constructor(maxSize = 4096) {
    throw new Error('not implemented');
  }

  /** Inserts an entry at the front (index 62), evicting the oldest entries as needed (RFC 7541 §4.4). */
  add(name: string, value: string): void {
    throw new Error('not implemented');
  }

  /** The field at `index`: 1..61 static, 62.. dynamic newest first; otherwise HPACK_INDEX_OUT_OF_RANGE. */
  get(index: number): HeaderField {
    throw new Error('not implemented');
  }

  /** The lowest index with this name and value; else the lowest index with this name (nameOnly: true); else null. */
  find(name: string, value: string): FindResult | null {
    throw new Error('not implemented');
  }

  /** Changes the maximum size, evicting the oldest entries until the table fits (RFC 7541 §4.3). */
  setMaxSize(maxSize: number): void {
    throw new Error('not implemented');
  }

  /** The current maximum size. */
  maxSize(): number {
    throw new Error('not implemented');
  }

  /** The sum of the sizes of the dynamic entries. */
  size(): number {
    throw new Error('not implemented');
  }

  /** The number of dynamic entries. */
  length(): number {
    throw new Error('not implemented');
  }

  /** The dynamic entries, newest first, as plain objects. */
  entries(): TableEntry[] {
    throw new Error('not implemented');
  }
}

/**
 * Decodes a prefixed integer (RFC 7541 §5.1) whose first octet is bytes[offset], using its low `prefixBits` bits.
 * Returns the value and the offset of the octet after the integer.
 * Errors: HPACK_TRUNCATED, HPACK_INTEGER_OVERFLOW.
 */
export function decodeInteger(bytes: Uint8Array, offset: number, prefixBits: number): { value: number; next: number } {
  throw new Error('not implemented');
}

/**
 * Decodes a string literal (RFC 7541 §5.2) that starts at bytes[offset]: H bit, 7-bit length, then the octets,
 * Huffman-coded when H is set (use decodeHuffman). Returns the string (one character per octet) and the next offset.
 * Errors: HPACK_TRUNCATED, HPACK_INTEGER_OVERFLOW, and HPACK_HUFFMAN_INVALID from decodeHuffman.
 */
export function decodeString(bytes: Uint8Array, offset: number): { value: string; next: number } {
  throw new Error('not implemented');
}

/** Decodes the header blocks of one direction of one connection (RFC 7541 §3, §6). */
export class HpackDecoder {
  /**
   * @param settingsLimit the SETTINGS_HEADER_TABLE_SIZE this endpoint announced: the table starts with this maximum,
   * and no size update may go above it (RFC 7541 §4.2, §6.3).
   */
  constructor(settingsLimit = 4096) {
    throw new Error('not implemented');
  }

  /** Decodes one complete header block into its header list, in order, updating the dynamic table. */
  decode(block: Uint8Array): HeaderField[] {
    throw new Error('not implemented');
  }

  /** The dynamic table, newest first (the entry at index 62 comes first). */
  dynamicTable(): TableEntry[] {
    throw new Error('not implemented');
  }

  /** The current size of the dynamic table in octets. */
  tableSize(): number {
    throw new Error('not implemented');
  }

  /** The current maximum size of the dynamic table (changed by size updates). */
  maxTableSize(): number {
    throw new Error('not implemented');
  }
}
