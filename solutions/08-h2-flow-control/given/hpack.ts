// HPACK (RFC 7541), given to you ready to use: the decoder of exercise 1 (static and dynamic tables, Huffman
// strings) and a small encoder. Import it as './hpack' (the code is hpack.js, its API with documentation is
// hpack.d.ts). It is not graded, and the grader always uses the course's copy. One connection has one decoder (for
// the blocks the peer sends) and one encoder (for yours): HPACK state belongs to the connection, so decode every
// header block in the order it arrives, even the blocks of a stream you have already reset (RFC 9113 §4.3).
//
//   const decoder = new HpackDecoder();
//   const headers = decoder.decode(block);                 // [[':status', '200'], ['content-type', 'text/css']]
//   const encoder = new HpackEncoder();
//   const bytes = encoder.encode([[':method', 'GET'], [':path', '/style.css'], ...]);
//
// A decoding error throws an HpackError: in HTTP/2 that is a connection error of type COMPRESSION_ERROR.

// (Author's note: this readable source holds the answer to exercise 1, so it stays in solutions/, which never
// ships. Learners get hpack.js (bundled with the Huffman decoder exercise 1 gives) and hpack.d.ts in
// exercises/08-h2-flow-control/, generated from this file by `node scripts/build-given.js`; run it after every
// change here. Only the comment block above goes into the .d.ts.)

import { decodeHuffman } from '../../../exercises/01-hpack-table/huffman';

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
  /** true when only the name matched (the value must still be sent as a literal). */
  nameOnly: boolean;
}

export type HpackErrorCode =
  | 'HPACK_INDEX_OUT_OF_RANGE'
  | 'HPACK_TRUNCATED'
  | 'HPACK_INTEGER_OVERFLOW'
  | 'HPACK_SIZE_UPDATE_NOT_AT_START'
  | 'HPACK_SIZE_UPDATE_TOO_LARGE';

/** Every error of this module: a decoding error is a connection error of type COMPRESSION_ERROR in HTTP/2. */
export class HpackError extends Error {
  constructor(
    readonly code: HpackErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HpackError';
  }
}

/** The largest integer decodeInteger accepts (a guard against hostile input, RFC 7541 §5.1 and §7.4). */
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

/** The size of an entry (RFC 7541 §4.1). Strings hold one character per octet. */
export function entrySize(name: string, value: string): number {
  return name.length + value.length + 32;
}

/** The static table followed by the dynamic table, in one index space (RFC 7541 §2.3.3, §4). */
export class HeaderTable {
  private readonly dynamic: TableEntry[] = []; // newest first
  private used = 0;
  private max: number;

  constructor(maxSize = 4096) {
    this.max = maxSize;
  }

  add(name: string, value: string): void {
    const size = entrySize(name, value);
    if (size > this.max) {
      // §4.4: an entry larger than the maximum empties the table and is not added.
      this.dynamic.length = 0;
      this.used = 0;
      return;
    }
    this.evictTo(this.max - size);
    this.dynamic.unshift({ name, value, size });
    this.used += size;
  }

  get(index: number): HeaderField {
    if (!Number.isInteger(index) || index < 1 || index > STATIC_TABLE.length + this.dynamic.length) {
      throw new HpackError(
        'HPACK_INDEX_OUT_OF_RANGE',
        `index ${index} is not in the table (1..${STATIC_TABLE.length + this.dynamic.length})`,
      );
    }
    if (index <= STATIC_TABLE.length) {
      const [name, value] = STATIC_TABLE[index - 1]!;
      return [name, value];
    }
    const entry = this.dynamic[index - STATIC_TABLE.length - 1]!;
    return [entry.name, entry.value];
  }

  find(name: string, value: string): FindResult | null {
    let nameIndex = 0;
    for (let i = 0; i < STATIC_TABLE.length; i++) {
      const [n, v] = STATIC_TABLE[i]!;
      if (n !== name) continue;
      if (v === value) return { index: i + 1, nameOnly: false };
      if (nameIndex === 0) nameIndex = i + 1;
    }
    for (let i = 0; i < this.dynamic.length; i++) {
      const entry = this.dynamic[i]!;
      if (entry.name !== name) continue;
      if (entry.value === value) return { index: STATIC_TABLE.length + i + 1, nameOnly: false };
      if (nameIndex === 0) nameIndex = STATIC_TABLE.length + i + 1;
    }
    return nameIndex ? { index: nameIndex, nameOnly: true } : null;
  }

  setMaxSize(maxSize: number): void {
    this.max = maxSize;
    this.evictTo(maxSize);
  }

  maxSize(): number {
    return this.max;
  }

  size(): number {
    return this.used;
  }

  length(): number {
    return this.dynamic.length;
  }

  entries(): TableEntry[] {
    return this.dynamic.map((e) => ({ ...e }));
  }

  /** Evicts from the end (the oldest entries) until the table holds at most `limit` octets (§4.4). */
  private evictTo(limit: number): void {
    while (this.used > limit && this.dynamic.length) {
      this.used -= this.dynamic.pop()!.size;
    }
  }
}

/** A prefixed integer (RFC 7541 §5.1): the value and the offset of the octet after it. */
export function decodeInteger(bytes: Uint8Array, offset: number, prefixBits: number): { value: number; next: number } {
  if (offset >= bytes.length) throw new HpackError('HPACK_TRUNCATED', `an integer is missing at offset ${offset}`);
  const limit = (1 << prefixBits) - 1;
  let value = bytes[offset]! & limit;
  let at = offset + 1;
  if (value < limit) return { value, next: at };
  let factor = 1;
  for (;;) {
    if (at >= bytes.length) {
      throw new HpackError('HPACK_TRUNCATED', `the integer that starts at offset ${offset} is cut off`);
    }
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * factor;
    if (value > MAX_INTEGER) {
      throw new HpackError('HPACK_INTEGER_OVERFLOW', `the integer that starts at offset ${offset} exceeds ${MAX_INTEGER}`);
    }
    if ((byte & 0x80) === 0) return { value, next: at };
    factor *= 128;
    if (factor > 2 ** 35) {
      throw new HpackError('HPACK_INTEGER_OVERFLOW', `the integer that starts at offset ${offset} has too many octets`);
    }
  }
}

/** A string literal (RFC 7541 §5.2), Huffman-decoded when its H bit is set. */
export function decodeString(bytes: Uint8Array, offset: number): { value: string; next: number } {
  if (offset >= bytes.length) throw new HpackError('HPACK_TRUNCATED', `a string is missing at offset ${offset}`);
  const huffman = (bytes[offset]! & 0x80) !== 0;
  const { value: length, next: start } = decodeInteger(bytes, offset, 7);
  const end = start + length;
  if (end > bytes.length) {
    throw new HpackError(
      'HPACK_TRUNCATED',
      `the string at offset ${offset} declares ${length} octets but only ${bytes.length - start} remain`,
    );
  }
  const raw = bytes.subarray(start, end);
  const octets = huffman ? decodeHuffman(raw) : raw;
  return { value: Buffer.from(octets.buffer, octets.byteOffset, octets.byteLength).toString('latin1'), next: end };
}

/** Decodes header blocks (RFC 7541 §3, §6) against one connection's dynamic table. */
export class HpackDecoder {
  private readonly table: HeaderTable;

  /** @param settingsLimit SETTINGS_HEADER_TABLE_SIZE: the largest size a size update may ask for (§4.2). */
  constructor(private readonly settingsLimit = 4096) {
    this.table = new HeaderTable(settingsLimit);
  }

  decode(block: Uint8Array): HeaderField[] {
    const headers: HeaderField[] = [];
    let at = 0;
    while (at < block.length) {
      const byte = block[at]!;
      if (byte & 0x80) {
        // §6.1 indexed header field
        const { value: index, next } = decodeInteger(block, at, 7);
        headers.push(this.table.get(index));
        at = next;
      } else if (byte & 0x40) {
        // §6.2.1 literal with incremental indexing
        const { field, next } = this.literal(block, at, 6);
        this.table.add(field[0], field[1]);
        headers.push(field);
        at = next;
      } else if (byte & 0x20) {
        // §6.3 dynamic table size update
        if (headers.length > 0) {
          throw new HpackError('HPACK_SIZE_UPDATE_NOT_AT_START', `a dynamic table size update at offset ${at} follows a header field`);
        }
        const { value: size, next } = decodeInteger(block, at, 5);
        if (size > this.settingsLimit) {
          throw new HpackError(
            'HPACK_SIZE_UPDATE_TOO_LARGE',
            `a dynamic table size update asks for ${size} octets, above the SETTINGS limit of ${this.settingsLimit}`,
          );
        }
        this.table.setMaxSize(size);
        at = next;
      } else {
        // §6.2.2 without indexing (0000) and §6.2.3 never indexed (0001)
        const { field, next } = this.literal(block, at, 4);
        headers.push(field);
        at = next;
      }
    }
    return headers;
  }

  dynamicTable(): TableEntry[] {
    return this.table.entries();
  }

  tableSize(): number {
    return this.table.size();
  }

  maxTableSize(): number {
    return this.table.maxSize();
  }

  private literal(block: Uint8Array, at: number, prefixBits: number): { field: HeaderField; next: number } {
    const { value: nameIndex, next } = decodeInteger(block, at, prefixBits);
    let name: string;
    let cursor = next;
    if (nameIndex === 0) {
      const literalName = decodeString(block, cursor);
      name = literalName.value;
      cursor = literalName.next;
    } else {
      name = this.table.get(nameIndex)[0];
    }
    const value = decodeString(block, cursor);
    return { field: [name, value.value], next: value.next };
  }
}

/** A prefixed integer (RFC 7541 §5.1) with the first octet's high bits set to `pattern`. */
function encodeInteger(value: number, prefixBits: number, pattern: number, out: number[]): void {
  const limit = (1 << prefixBits) - 1;
  if (value < limit) {
    out.push(pattern | value);
    return;
  }
  out.push(pattern | limit);
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

function encodeString(text: string, out: number[]): void {
  const octets = Buffer.from(text, 'latin1');
  encodeInteger(octets.length, 7, 0x00, out); // H bit 0: a raw literal (no Huffman coding)
  for (const b of octets) out.push(b);
}

/**
 * A simple HPACK encoder: a field that matches a static table entry exactly is sent indexed (§6.1); any other is
 * a literal without indexing (§6.2.2), with the static name index when there is one. It never adds to the
 * dynamic table, so the peer's decoder needs no state from it (any decoder decodes its blocks).
 */
export class HpackEncoder {
  encode(headers: ReadonlyArray<readonly [string, string]>): Buffer {
    const out: number[] = [];
    for (const [name, value] of headers) {
      let exact = 0;
      let nameOnly = 0;
      for (let i = 0; i < STATIC_TABLE.length; i++) {
        const [n, v] = STATIC_TABLE[i]!;
        if (n !== name) continue;
        if (v === value) {
          exact = i + 1;
          break;
        }
        if (!nameOnly) nameOnly = i + 1;
      }
      if (exact) {
        encodeInteger(exact, 7, 0x80, out);
        continue;
      }
      encodeInteger(nameOnly, 4, 0x00, out);
      if (!nameOnly) encodeString(name, out);
      encodeString(value, out);
    }
    return Buffer.from(out);
  }
}
