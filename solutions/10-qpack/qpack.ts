// Reference solution: QPACK (RFC 9204), a decoder with blocked streams and an encoder that respects the peer's
// limits and acknowledgments.

import { decodeHuffman, encodeHuffman, huffmanLength } from './huffman';

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
  return name.length + value.length + 32;
}

/**
 * Decodes the Encoded Required Insert Count of a field section prefix (RFC 9204 §4.5.1.1), given the decoder's
 * SETTINGS_QPACK_MAX_TABLE_CAPACITY and the number of inserts it has received so far.
 */
export function decodeRequiredInsertCount(encoded: number, maxTableCapacity: number, totalInserts: number): number {
  if (encoded === 0) return 0;
  const maxEntries = Math.floor(maxTableCapacity / 32);
  const fullRange = 2 * maxEntries;
  if (encoded > fullRange) throw failed(`Encoded Required Insert Count ${encoded} is above 2 × MaxEntries = ${fullRange}`);
  const maxValue = totalInserts + maxEntries;
  const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
  let required = maxWrapped + encoded - 1;
  if (required > maxValue) {
    if (required <= fullRange) throw failed(`Encoded Required Insert Count ${encoded} cannot be produced by an encoder`);
    required -= fullRange;
  }
  if (required === 0) throw failed('the Required Insert Count decodes to 0 from a nonzero encoding');
  return required;
}

/** Encodes a Required Insert Count for the field section prefix (RFC 9204 §4.5.1.1). */
export function encodeRequiredInsertCount(required: number, maxTableCapacity: number): number {
  if (required === 0) return 0;
  return (required % (2 * Math.floor(maxTableCapacity / 32))) + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// Primitives: prefixed integers and string literals (RFC 9204 §4.1, the HPACK encodings of RFC 7541 §5)

/** Thrown inside the readers when the input ends inside an instruction; on the encoder stream that means "wait". */
class Truncated extends Error {}

function failed(message: string): QpackError {
  return new QpackError('QPACK_DECOMPRESSION_FAILED', message);
}

/** Reads prefixed integers and string literals from one buffer, moving `at` forward. */
class Reader {
  at = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly code: QpackErrorCode,
  ) {}

  get done(): boolean {
    return this.at >= this.bytes.length;
  }

  peek(): number {
    if (this.at >= this.bytes.length) throw new Truncated();
    return this.bytes[this.at]!;
  }

  integer(prefixBits: number): number {
    const limit = 2 ** prefixBits - 1;
    let value = this.peek() & limit;
    this.at++;
    if (value < limit) return value;
    let weight = 1;
    for (;;) {
      const octet = this.peek();
      this.at++;
      value += (octet & 0x7f) * weight;
      weight *= 128;
      if (value > Number.MAX_SAFE_INTEGER || weight > 2 ** 63) throw new QpackError(this.code, 'an integer is larger than 2^53 - 1');
      if ((octet & 0x80) === 0) return value;
    }
  }

  /** A string literal whose length has `prefixBits` bits, the H flag just above them. */
  string(prefixBits: number): string {
    const huffman = (this.peek() & (1 << prefixBits)) !== 0;
    const length = this.integer(prefixBits);
    if (this.at + length > this.bytes.length) throw new Truncated();
    const raw = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    if (!huffman) return Buffer.from(raw).toString('latin1');
    try {
      return Buffer.from(decodeHuffman(raw)).toString('latin1');
    } catch (err) {
      throw new QpackError(this.code, `invalid Huffman-coded string: ${(err as Error).message}`);
    }
  }
}

function pushInteger(out: number[], value: number, prefixBits: number, flags: number): void {
  const limit = 2 ** prefixBits - 1;
  if (value < limit) {
    out.push(flags | value);
    return;
  }
  out.push(flags | limit);
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
}

/** A string literal with the H flag just above a `prefixBits` length; Huffman-coded when that is shorter. */
function pushString(out: number[], text: string, prefixBits: number, flags: number): void {
  const raw = Buffer.from(text, 'latin1');
  if (huffmanLength(raw) < raw.length) {
    const coded = encodeHuffman(raw);
    pushInteger(out, coded.length, prefixBits, flags | (1 << prefixBits));
    for (const b of coded) out.push(b);
  } else {
    pushInteger(out, raw.length, prefixBits, flags);
    for (const b of raw) out.push(b);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The dynamic table (RFC 9204 §3.2): entries in insertion order, the oldest first, with absolute indices

class DynamicTable {
  entries: TableEntry[] = [];
  inserted = 0;
  capacity = 0;
  size = 0;

  /** The absolute index of the oldest entry still in the table. */
  get dropped(): number {
    return this.inserted - this.entries.length;
  }

  get(absolute: number): TableEntry | undefined {
    return absolute >= this.dropped && absolute < this.inserted ? this.entries[absolute - this.dropped] : undefined;
  }

  /** Evicts the oldest entries until `room` more octets fit; false when they cannot fit at all. */
  makeRoom(room: number, capacity = this.capacity): boolean {
    if (room > capacity) return false;
    while (this.size + room > capacity) this.size -= this.entries.shift()!.size;
    return true;
  }

  insert(name: string, value: string): void {
    const entry = { index: this.inserted, name, value, size: entrySize(name, value) };
    this.makeRoom(entry.size);
    this.entries.push(entry);
    this.size += entry.size;
    this.inserted++;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The decoder

interface Blocked {
  streamId: number;
  section: Uint8Array;
  required: number;
}

export class QpackDecoder {
  private readonly table = new DynamicTable();
  private pending = new Uint8Array(0); // encoder-stream bytes of an instruction not complete yet
  private blocked: Blocked[] = [];
  private output: number[] = [];
  private knownReceived = 0; // what the encoder knows we have (Section Acks and Insert Count Increments sent)

  constructor(private readonly settings: QpackSettings) {}

  /** Bytes of the encoder stream, cut anywhere. Returns the blocked sections this unblocked, in arrival order. */
  receiveEncoderStream(chunk: Uint8Array): UnblockedSection[] {
    const joined = new Uint8Array(this.pending.length + chunk.length);
    joined.set(this.pending);
    joined.set(chunk, this.pending.length);
    const reader = new Reader(joined, 'QPACK_ENCODER_STREAM_ERROR');
    let start = 0;
    try {
      while (!reader.done) {
        this.encoderInstruction(reader);
        start = reader.at;
      }
    } catch (err) {
      if (!(err instanceof Truncated)) throw err;
    }
    this.pending = joined.slice(start);
    const ready = this.blocked.filter((b) => b.required <= this.table.inserted);
    this.blocked = this.blocked.filter((b) => b.required > this.table.inserted);
    return ready.map((b) => ({ streamId: b.streamId, headers: this.decodeNow(b.streamId, b.section, b.required) }));
  }

  private encoderInstruction(r: Reader): void {
    const first = r.peek();
    const t = this.table;
    if (first & 0x80) {
      // Insert With Name Reference: 1 T index(6), then the value
      const isStatic = (first & 0x40) !== 0;
      const index = r.integer(6);
      // The reference is checked before the value arrives: a bad one is an error at once, not a wait.
      let name: string;
      if (isStatic) {
        const field = STATIC_TABLE[index];
        if (!field) throw new QpackError('QPACK_ENCODER_STREAM_ERROR', `static index ${index} does not exist (0..98)`);
        name = field[0];
      } else {
        const entry = t.get(t.inserted - 1 - index);
        if (!entry) throw new QpackError('QPACK_ENCODER_STREAM_ERROR', `relative index ${index} names no entry in the dynamic table`);
        name = entry.name;
      }
      this.insert(name, r.string(7));
    } else if (first & 0x40) {
      // Insert With Literal Name: 01 H length(5) name, then the value
      const name = r.string(5);
      const value = r.string(7);
      this.insert(name, value);
    } else if (first & 0x20) {
      // Set Dynamic Table Capacity: 001 capacity(5)
      const capacity = r.integer(5);
      if (capacity > this.settings.maxTableCapacity) {
        throw new QpackError('QPACK_ENCODER_STREAM_ERROR', `capacity ${capacity} is above SETTINGS_QPACK_MAX_TABLE_CAPACITY ${this.settings.maxTableCapacity}`);
      }
      t.capacity = capacity;
      t.makeRoom(0);
    } else {
      // Duplicate: 000 index(5)
      const index = r.integer(5);
      const entry = t.get(t.inserted - 1 - index);
      if (!entry) throw new QpackError('QPACK_ENCODER_STREAM_ERROR', `Duplicate of relative index ${index}, which names no entry`);
      this.insert(entry.name, entry.value);
    }
  }

  private insert(name: string, value: string): void {
    if (entrySize(name, value) > this.table.capacity) {
      throw new QpackError('QPACK_ENCODER_STREAM_ERROR', `an entry of ${entrySize(name, value)} octets does not fit a table of capacity ${this.table.capacity}`);
    }
    // (name and value are copies already: evicting the entry they came from cannot change them)
    this.table.insert(name, value);
  }

  /** One field section of a stream: its field lines, or null when it must wait for inserts (blocked). */
  decodeSection(streamId: number, section: Uint8Array): HeaderField[] | null {
    const reader = new Reader(section, 'QPACK_DECOMPRESSION_FAILED');
    let required: number;
    try {
      // Decoded against the inserts received now: a blocked section keeps this value (the count moves on).
      required = decodeRequiredInsertCount(reader.integer(8), this.settings.maxTableCapacity, this.table.inserted);
    } catch (err) {
      if (err instanceof Truncated) throw failed('the field section ends inside its prefix');
      throw err;
    }
    if (required > this.table.inserted) {
      if (this.blocked.length >= this.settings.maxBlockedStreams) {
        throw failed(`stream ${streamId} would be blocked stream number ${this.blocked.length + 1}, above SETTINGS_QPACK_BLOCKED_STREAMS ${this.settings.maxBlockedStreams}`);
      }
      this.blocked.push({ streamId, section, required });
      return null;
    }
    return this.decodeNow(streamId, section, required);
  }

  private decodeNow(streamId: number, section: Uint8Array, required: number): HeaderField[] {
    const r = new Reader(section, 'QPACK_DECOMPRESSION_FAILED');
    try {
      r.integer(8); // the Encoded Required Insert Count, decoded already
      const negative = (r.peek() & 0x80) !== 0;
      const delta = r.integer(7);
      const base = negative ? required - delta - 1 : required + delta;
      if (base < 0) throw failed(`the Base is negative (${required} - ${delta} - 1)`);
      const dynamic = (absolute: number): TableEntry => {
        if (absolute < 0 || absolute >= required) throw failed(`dynamic index ${absolute} is not below the Required Insert Count ${required}`);
        const entry = this.table.get(absolute);
        if (!entry) throw failed(`dynamic index ${absolute} has been evicted`);
        return entry;
      };
      const staticField = (index: number): HeaderField => {
        const field = STATIC_TABLE[index];
        if (!field) throw failed(`static index ${index} does not exist (0..98)`);
        return field;
      };
      const headers: HeaderField[] = [];
      while (!r.done) {
        const first = r.peek();
        if (first & 0x80) {
          // Indexed Field Line: 1 T index(6)
          const isStatic = (first & 0x40) !== 0;
          const index = r.integer(6);
          if (isStatic) headers.push([...staticField(index)]);
          else {
            const e = dynamic(base - 1 - index);
            headers.push([e.name, e.value]);
          }
        } else if (first & 0x40) {
          // Literal Field Line With Name Reference: 01 N T index(4), value
          const isStatic = (first & 0x10) !== 0;
          const index = r.integer(4);
          const name = isStatic ? staticField(index)[0] : dynamic(base - 1 - index).name;
          headers.push([name, r.string(7)]);
        } else if (first & 0x20) {
          // Literal Field Line With Literal Name: 001 N H length(3) name, value
          const name = r.string(3);
          headers.push([name, r.string(7)]);
        } else if (first & 0x10) {
          // Indexed Field Line With Post-Base Index: 0001 index(4)
          const e = dynamic(base + r.integer(4));
          headers.push([e.name, e.value]);
        } else {
          // Literal Field Line With Post-Base Name Reference: 0000 N index(3), value
          const name = dynamic(base + r.integer(3)).name;
          headers.push([name, r.string(7)]);
        }
      }
      if (required > 0) {
        pushInteger(this.output, streamId, 7, 0x80); // Section Acknowledgment
        this.knownReceived = Math.max(this.knownReceived, required);
      }
      return headers;
    } catch (err) {
      if (err instanceof Truncated) throw failed('the field section ends inside a field line');
      throw err;
    }
  }

  /** The stream was reset or abandoned: forget its blocked section and tell the encoder (Stream Cancellation). */
  cancelStream(streamId: number): void {
    this.blocked = this.blocked.filter((b) => b.streamId !== streamId);
    pushInteger(this.output, streamId, 6, 0x40);
  }

  /** The decoder-stream bytes to send now: acknowledgments, cancellations, then an Insert Count Increment. */
  takeDecoderStream(): Uint8Array {
    if (this.table.inserted > this.knownReceived) {
      pushInteger(this.output, this.table.inserted - this.knownReceived, 6, 0x00);
      this.knownReceived = this.table.inserted;
    }
    const out = new Uint8Array(this.output);
    this.output = [];
    return out;
  }

  dynamicTable(): TableEntry[] {
    return this.table.entries.map((e) => ({ ...e })).reverse();
  }

  capacity(): number {
    return this.table.capacity;
  }

  insertCount(): number {
    return this.table.inserted;
  }

  blockedStreams(): number[] {
    return this.blocked.map((b) => b.streamId);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The encoder

interface Outstanding {
  streamId: number;
  required: number;
  references: number[]; // absolute indices this section uses
}

export class QpackEncoder {
  private readonly table = new DynamicTable();
  private outstanding: Outstanding[] = []; // sections not acknowledged yet, oldest first
  private knownReceived = 0;
  private capacitySent = false;
  private pendingDecoder = new Uint8Array(0); // decoder-stream bytes of an instruction not complete yet

  constructor(private readonly peer: QpackSettings) {}

  /** Encodes one header list for a stream: instructions for the encoder stream and the field section. */
  encode(streamId: number, headers: HeaderField[]): EncodedSection {
    const encoderStream: number[] = [];
    if (!this.capacitySent && this.peer.maxTableCapacity > 0) {
      this.table.capacity = this.peer.maxTableCapacity;
      pushInteger(encoderStream, this.table.capacity, 5, 0x20);
      this.capacitySent = true;
    }
    const mayBlock = this.mayBlock(streamId);
    const references: number[] = [];
    const lines: Array<(out: number[], base: number) => void> = [];
    for (const [name, value] of headers) {
      const staticExact = STATIC_TABLE.findIndex(([n, v]) => n === name && v === value);
      if (staticExact >= 0) {
        lines.push((out) => pushInteger(out, staticExact, 6, 0xc0));
        continue;
      }
      let exact = this.findDynamic(name, value, mayBlock);
      if (exact === undefined && this.table.capacity > 0) exact = this.tryInsert(name, value, encoderStream, references, mayBlock);
      if (exact !== undefined) {
        const absolute = exact;
        references.push(absolute);
        lines.push((out, base) => pushInteger(out, base - 1 - absolute, 6, 0x80));
        continue;
      }
      const staticName = STATIC_TABLE.findIndex(([n]) => n === name);
      const dynamicName = staticName < 0 ? this.findDynamic(name, undefined, mayBlock) : undefined;
      if (staticName >= 0) {
        lines.push((out) => {
          pushInteger(out, staticName, 4, 0x50);
          pushString(out, value, 7, 0);
        });
      } else if (dynamicName !== undefined) {
        references.push(dynamicName);
        lines.push((out, base) => {
          pushInteger(out, base - 1 - dynamicName, 4, 0x40);
          pushString(out, value, 7, 0);
        });
      } else {
        lines.push((out) => {
          pushString(out, name, 3, 0x20);
          pushString(out, value, 7, 0);
        });
      }
    }
    const required = references.length ? Math.max(...references) + 1 : 0;
    const section: number[] = [];
    pushInteger(section, encodeRequiredInsertCount(required, this.peer.maxTableCapacity), 8, 0);
    pushInteger(section, 0, 7, 0); // Base = Required Insert Count: every reference is below it
    for (const line of lines) line(section, required);
    if (required > 0) this.outstanding.push({ streamId, required, references });
    return { encoderStream: new Uint8Array(encoderStream), section: new Uint8Array(section) };
  }

  /** Whether a new section on this stream may reference entries the decoder may not have yet. */
  private mayBlock(streamId: number): boolean {
    const blocking = new Set(this.outstanding.filter((o) => o.required > this.knownReceived).map((o) => o.streamId));
    return blocking.has(streamId) || blocking.size < this.peer.maxBlockedStreams;
  }

  /** The newest usable entry with this name (and value, when given). */
  private findDynamic(name: string, value: string | undefined, mayBlock: boolean): number | undefined {
    const entries = this.table.entries;
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.name === name && (value === undefined || e.value === value) && (mayBlock || e.index < this.knownReceived)) return e.index;
    }
    return undefined;
  }

  /** Inserts the field when it fits without evicting a referenced entry; its absolute index if usable now. */
  private tryInsert(name: string, value: string, out: number[], current: number[], mayBlock: boolean): number | undefined {
    const size = entrySize(name, value);
    const t = this.table;
    if (size > t.capacity) return undefined;
    const pinned = new Set([...current, ...this.outstanding.flatMap((o) => o.references)]);
    let freed = 0;
    for (const e of t.entries) {
      if (t.size - freed + size <= t.capacity) break;
      // Evictable only once its insert is acknowledged and no unacknowledged section uses it (RFC 9204 §2.1.1).
      if (pinned.has(e.index) || e.index >= this.knownReceived) return undefined;
      freed += e.size;
    }
    const staticName = STATIC_TABLE.findIndex(([n]) => n === name);
    const dynamicName = staticName < 0 ? this.findDynamic(name, undefined, true) : undefined;
    if (staticName >= 0) {
      pushInteger(out, staticName, 6, 0xc0);
    } else if (dynamicName !== undefined) {
      pushInteger(out, t.inserted - 1 - dynamicName, 6, 0x80);
    } else {
      pushString(out, name, 5, 0x40);
    }
    pushString(out, value, 7, 0);
    t.insert(name, value);
    return mayBlock ? t.inserted - 1 : undefined;
  }

  /** Bytes of the decoder stream, cut anywhere: acknowledgments, cancellations, increments. */
  receiveDecoderStream(chunk: Uint8Array): void {
    const joined = new Uint8Array(this.pendingDecoder.length + chunk.length);
    joined.set(this.pendingDecoder);
    joined.set(chunk, this.pendingDecoder.length);
    const r = new Reader(joined, 'QPACK_DECODER_STREAM_ERROR');
    let start = 0;
    try {
      while (!r.done) {
        const first = r.peek();
        if (first & 0x80) {
          const streamId = r.integer(7);
          const at = this.outstanding.findIndex((o) => o.streamId === streamId);
          if (at < 0) throw new QpackError('QPACK_DECODER_STREAM_ERROR', `Section Acknowledgment for stream ${streamId}, which has no unacknowledged section`);
          const [acked] = this.outstanding.splice(at, 1);
          this.knownReceived = Math.max(this.knownReceived, acked!.required);
        } else if (first & 0x40) {
          const streamId = r.integer(6);
          this.outstanding = this.outstanding.filter((o) => o.streamId !== streamId);
        } else {
          const increment = r.integer(6);
          if (increment === 0 || this.knownReceived + increment > this.table.inserted) {
            throw new QpackError('QPACK_DECODER_STREAM_ERROR', `Insert Count Increment of ${increment} with ${this.knownReceived} of ${this.table.inserted} inserts known`);
          }
          this.knownReceived += increment;
        }
        start = r.at;
      }
    } catch (err) {
      if (!(err instanceof Truncated)) throw err;
    }
    this.pendingDecoder = joined.slice(start);
  }

}
