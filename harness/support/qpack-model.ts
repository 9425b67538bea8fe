// The suite's own QPACK decoder (RFC 9204), written from the RFC apart from the learners' code and the reference:
// it decides what every interop record must decode to, describes each instruction field by field for failure
// messages, and tracks what an encoder under test references, so its limits can be checked (trusted side only).

import { decodeHuffman } from '../../exercises/10-qpack/huffman';

export type Field = [string, string];

export interface Entry {
  index: number;
  name: string;
  value: string;
  size: number;
}

/** RFC 9204 Appendix A. */
export const STATIC: readonly Field[] = [
  [':authority', ''],
  [':path', '/'],
  ['age', '0'],
  ['content-disposition', ''],
  ['content-length', '0'],
  ['cookie', ''],
  ['date', ''],
  ['etag', ''],
  ['if-modified-since', ''],
  ['if-none-match', ''],
  ['last-modified', ''],
  ['link', ''],
  ['location', ''],
  ['referer', ''],
  ['set-cookie', ''],
  [':method', 'CONNECT'],
  [':method', 'DELETE'],
  [':method', 'GET'],
  [':method', 'HEAD'],
  [':method', 'OPTIONS'],
  [':method', 'POST'],
  [':method', 'PUT'],
  [':scheme', 'http'],
  [':scheme', 'https'],
  [':status', '103'],
  [':status', '200'],
  [':status', '304'],
  [':status', '404'],
  [':status', '503'],
  ['accept', '*/*'],
  ['accept', 'application/dns-message'],
  ['accept-encoding', 'gzip, deflate, br'],
  ['accept-ranges', 'bytes'],
  ['access-control-allow-headers', 'cache-control'],
  ['access-control-allow-headers', 'content-type'],
  ['access-control-allow-origin', '*'],
  ['cache-control', 'max-age=0'],
  ['cache-control', 'max-age=2592000'],
  ['cache-control', 'max-age=604800'],
  ['cache-control', 'no-cache'],
  ['cache-control', 'no-store'],
  ['cache-control', 'public, max-age=31536000'],
  ['content-encoding', 'br'],
  ['content-encoding', 'gzip'],
  ['content-type', 'application/dns-message'],
  ['content-type', 'application/javascript'],
  ['content-type', 'application/json'],
  ['content-type', 'application/x-www-form-urlencoded'],
  ['content-type', 'image/gif'],
  ['content-type', 'image/jpeg'],
  ['content-type', 'image/png'],
  ['content-type', 'text/css'],
  ['content-type', 'text/html; charset=utf-8'],
  ['content-type', 'text/plain'],
  ['content-type', 'text/plain;charset=utf-8'],
  ['range', 'bytes=0-'],
  ['strict-transport-security', 'max-age=31536000'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains'],
  ['strict-transport-security', 'max-age=31536000; includesubdomains; preload'],
  ['vary', 'accept-encoding'],
  ['vary', 'origin'],
  ['x-content-type-options', 'nosniff'],
  ['x-xss-protection', '1; mode=block'],
  [':status', '100'],
  [':status', '204'],
  [':status', '206'],
  [':status', '302'],
  [':status', '400'],
  [':status', '403'],
  [':status', '421'],
  [':status', '425'],
  [':status', '500'],
  ['accept-language', ''],
  ['access-control-allow-credentials', 'FALSE'],
  ['access-control-allow-credentials', 'TRUE'],
  ['access-control-allow-headers', '*'],
  ['access-control-allow-methods', 'get'],
  ['access-control-allow-methods', 'get, post, options'],
  ['access-control-allow-methods', 'options'],
  ['access-control-expose-headers', 'content-length'],
  ['access-control-request-headers', 'content-type'],
  ['access-control-request-method', 'get'],
  ['access-control-request-method', 'post'],
  ['alt-svc', 'clear'],
  ['authorization', ''],
  ['content-security-policy', "script-src 'none'; object-src 'none'; base-uri 'none'"],
  ['early-data', '1'],
  ['expect-ct', ''],
  ['forwarded', ''],
  ['if-range', ''],
  ['origin', ''],
  ['purpose', 'prefetch'],
  ['server', ''],
  ['timing-allow-origin', '*'],
  ['upgrade-insecure-requests', '1'],
  ['user-agent', ''],
  ['x-forwarded-for', ''],
  ['x-frame-options', 'deny'],
  ['x-frame-options', 'sameorigin'],
];

export type ModelErrorCode = 'QPACK_DECOMPRESSION_FAILED' | 'QPACK_ENCODER_STREAM_ERROR' | 'QPACK_DECODER_STREAM_ERROR';

export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The input ended inside an instruction. */
export class Incomplete extends Error {}

// ---------------------------------------------------------------------------------------------------------------
// Wire primitives

export function encodeInteger(value: number, prefixBits: number, flags = 0): number[] {
  const limit = 2 ** prefixBits - 1;
  if (value < limit) return [flags | value];
  const out = [flags | limit];
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A raw string literal with the H bit (0) just above a `prefixBits` length. */
export function encodeRawString(text: string, prefixBits: number, flags = 0): number[] {
  return [...encodeInteger(text.length, prefixBits, flags), ...Buffer.from(text, 'latin1')];
}

class Cursor {
  at = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly code: ModelErrorCode,
  ) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw new Incomplete();
    return this.bytes[this.at]!;
  }

  int(prefixBits: number): number {
    const limit = 2 ** prefixBits - 1;
    let value = this.byte() & limit;
    this.at++;
    if (value < limit) return value;
    for (let shift = 0; ; shift += 7) {
      const b = this.byte();
      this.at++;
      value += (b & 0x7f) * 2 ** shift;
      if (value > Number.MAX_SAFE_INTEGER || shift > 56) throw new ModelError(this.code, 'integer too large');
      if (!(b & 0x80)) return value;
    }
  }

  str(prefixBits: number): { text: string; huffman: boolean } {
    const huffman = (this.byte() >> prefixBits) & 1;
    const length = this.int(prefixBits);
    if (this.at + length > this.bytes.length) throw new Incomplete();
    const raw = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    if (!huffman) return { text: Buffer.from(raw).toString('latin1'), huffman: false };
    try {
      return { text: Buffer.from(decodeHuffman(raw)).toString('latin1'), huffman: true };
    } catch {
      throw new ModelError(this.code, 'invalid Huffman string');
    }
  }
}

const q = (s: string, max = 50): string => {
  const j = JSON.stringify(s);
  return j.length > max ? `${j.slice(0, max - 4)}…"` : j;
};
const hs = (s: { text: string; huffman: boolean }): string => `${q(s.text)}${s.huffman ? ' (Huffman)' : ''}`;

/** Bytes as spaced hex, cut after `max` octets. */
export function hex(bytes: Uint8Array, max = 40): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} octets)` : shown || '(empty)';
}

// ---------------------------------------------------------------------------------------------------------------
// The decoder model

export interface SectionResult {
  headers: Field[];
  required: number;
  base: number;
  /** Absolute indices of the dynamic entries the section uses. */
  references: number[];
  /** Each field line, decoded field by field. */
  lines: string[];
}

export class ModelDecoder {
  entries: Entry[] = []; // oldest first
  inserted = 0;
  capacity = 0;
  private pending = new Uint8Array(0);

  constructor(readonly maxTableCapacity: number) {}

  get size(): number {
    return this.entries.reduce((s, e) => s + e.size, 0);
  }

  /** Newest first, as dynamicTable() reports it. */
  table(): Entry[] {
    return [...this.entries].reverse().map((e) => ({ ...e }));
  }

  private entry(absolute: number, code: ModelErrorCode): Entry {
    const e = this.entries.find((x) => x.index === absolute);
    if (!e) throw new ModelError(code, `absolute index ${absolute} is not in the dynamic table`);
    return e;
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    if (size > this.capacity) throw new ModelError('QPACK_ENCODER_STREAM_ERROR', `entry of ${size} octets above capacity ${this.capacity}`);
    this.evictTo(this.capacity - size);
    this.entries.push({ index: this.inserted++, name, value, size });
  }

  private evictTo(limit: number): void {
    let size = this.size;
    while (size > limit) size -= this.entries.shift()!.size;
  }

  /** Applies encoder-stream bytes (cut anywhere); returns each complete instruction, described. */
  encoderStream(chunk: Uint8Array): string[] {
    const all = new Uint8Array([...this.pending, ...chunk]);
    const c = new Cursor(all, 'QPACK_ENCODER_STREAM_ERROR');
    const done: string[] = [];
    let start = 0;
    try {
      while (c.at < all.length) {
        const b = c.byte();
        if (b & 0x80) {
          const isStatic = (b & 0x40) !== 0;
          const index = c.int(6);
          let name: string;
          if (isStatic) {
            const f = STATIC[index];
            if (!f) throw new ModelError('QPACK_ENCODER_STREAM_ERROR', `static index ${index} out of range`);
            name = f[0];
          } else name = this.entry(this.inserted - 1 - index, 'QPACK_ENCODER_STREAM_ERROR').name;
          const value = c.str(7);
          done.push(
            `Insert With Name Reference: T=${isStatic ? '1 (static)' : '0 (dynamic)'}, name index ${index}${isStatic ? '' : ` (relative: absolute ${this.inserted - 1 - index})`} = ${q(name)}, value ${hs(value)} -> absolute index ${this.inserted}`,
          );
          this.add(name, value.text);
        } else if (b & 0x40) {
          const name = c.str(5);
          const value = c.str(7);
          done.push(`Insert With Literal Name: name ${hs(name)}, value ${hs(value)} -> absolute index ${this.inserted}`);
          this.add(name.text, value.text);
        } else if (b & 0x20) {
          const cap = c.int(5);
          if (cap > this.maxTableCapacity) throw new ModelError('QPACK_ENCODER_STREAM_ERROR', `capacity ${cap} above the maximum ${this.maxTableCapacity}`);
          done.push(`Set Dynamic Table Capacity: ${cap}`);
          this.capacity = cap;
          this.evictTo(cap);
        } else {
          const index = c.int(5);
          const e = this.entry(this.inserted - 1 - index, 'QPACK_ENCODER_STREAM_ERROR');
          done.push(`Duplicate: relative index ${index} (absolute ${e.index}, ${q(e.name)}: ${q(e.value)}) -> absolute index ${this.inserted}`);
          this.add(e.name, e.value);
        }
        start = c.at;
      }
    } catch (err) {
      if (!(err instanceof Incomplete)) throw err;
    }
    this.pending = all.slice(start);
    return done;
  }

  /** The Required Insert Count of a section (RFC 9204 §4.5.1.1), against the inserts received so far. */
  requiredInsertCount(section: Uint8Array): number {
    const c = new Cursor(section, 'QPACK_DECOMPRESSION_FAILED');
    try {
      return decodeRic(c.int(8), this.maxTableCapacity, this.inserted);
    } catch (err) {
      if (err instanceof Incomplete) throw new ModelError('QPACK_DECOMPRESSION_FAILED', 'truncated prefix');
      throw err;
    }
  }

  /** Decodes a section whose Required Insert Count (`required`, when known from its arrival) is reached. */
  decodeSection(section: Uint8Array, required = this.requiredInsertCount(section)): SectionResult {
    const c = new Cursor(section, 'QPACK_DECOMPRESSION_FAILED');
    const fail = (m: string): never => {
      throw new ModelError('QPACK_DECOMPRESSION_FAILED', m);
    };
    try {
      c.int(8);
      const sign = (c.byte() & 0x80) !== 0;
      const delta = c.int(7);
      const base = sign ? required - delta - 1 : required + delta;
      if (base < 0) fail('negative Base');
      if (required > this.inserted) fail(`Required Insert Count ${required} not reached (${this.inserted} inserts)`);
      const headers: Field[] = [];
      const references: number[] = [];
      const lines: string[] = [`prefix: Required Insert Count ${required}, Base ${base} (sign ${sign ? 1 : 0}, delta ${delta})`];
      const dyn = (absolute: number): Entry => {
        if (absolute < 0 || absolute >= required) fail(`dynamic absolute index ${absolute} not below the Required Insert Count ${required}`);
        const e = this.entry(absolute, 'QPACK_DECOMPRESSION_FAILED');
        references.push(absolute);
        return e;
      };
      const stat = (i: number): Field => STATIC[i] ?? fail(`static index ${i} out of range`);
      while (c.at < section.length) {
        const b = c.byte();
        if (b & 0x80) {
          const isStatic = (b & 0x40) !== 0;
          const i = c.int(6);
          const f: Field = isStatic ? [...stat(i)] : (({ name, value }) => [name, value] as Field)(dyn(base - 1 - i));
          lines.push(
            `Indexed Field Line: T=${isStatic ? '1 static' : '0 dynamic'}, index ${i}${isStatic ? '' : ` (absolute ${base - 1 - i})`} = ${q(f[0])}: ${q(f[1])}`,
          );
          headers.push(f);
        } else if (b & 0x40) {
          const n = (b & 0x20) !== 0;
          const isStatic = (b & 0x10) !== 0;
          const i = c.int(4);
          const name = isStatic ? stat(i)[0] : dyn(base - 1 - i).name;
          const v = c.str(7);
          lines.push(
            `Literal Field Line With Name Reference: N=${n ? 1 : 0}, T=${isStatic ? '1 static' : '0 dynamic'}, name index ${i}${isStatic ? '' : ` (absolute ${base - 1 - i})`} = ${q(name)}, value ${hs(v)}`,
          );
          headers.push([name, v.text]);
        } else if (b & 0x20) {
          const n = (b & 0x10) !== 0;
          const name = c.str(3);
          const v = c.str(7);
          lines.push(`Literal Field Line With Literal Name: N=${n ? 1 : 0}, name ${hs(name)}, value ${hs(v)}`);
          headers.push([name.text, v.text]);
        } else if (b & 0x10) {
          const i = c.int(4);
          const e = dyn(base + i);
          lines.push(`Indexed Field Line With Post-Base Index: index ${i} (absolute ${base + i}) = ${q(e.name)}: ${q(e.value)}`);
          headers.push([e.name, e.value]);
        } else {
          const n = (b & 0x08) !== 0;
          const i = c.int(3);
          const name = dyn(base + i).name;
          const v = c.str(7);
          lines.push(`Literal Field Line With Post-Base Name Reference: N=${n ? 1 : 0}, index ${i} (absolute ${base + i}) = ${q(name)}, value ${hs(v)}`);
          headers.push([name, v.text]);
        }
      }
      return { headers, required, base, references, lines };
    } catch (err) {
      if (err instanceof Incomplete) throw new ModelError('QPACK_DECOMPRESSION_FAILED', 'the section ends inside a field line');
      throw err;
    }
  }
}

/** RFC 9204 §4.5.1.1, written from the RFC's pseudocode. */
export function decodeRic(encoded: number, maxTableCapacity: number, totalInserts: number): number {
  if (encoded === 0) return 0;
  const maxEntries = Math.floor(maxTableCapacity / 32);
  const fullRange = 2 * maxEntries;
  if (encoded > fullRange) throw new ModelError('QPACK_DECOMPRESSION_FAILED', 'Encoded Required Insert Count above FullRange');
  const maxValue = totalInserts + maxEntries;
  const maxWrapped = Math.floor(maxValue / fullRange) * fullRange;
  let ric = maxWrapped + encoded - 1;
  if (ric > maxValue) {
    if (ric <= fullRange) throw new ModelError('QPACK_DECOMPRESSION_FAILED', 'impossible Required Insert Count');
    ric -= fullRange;
  }
  if (ric === 0) throw new ModelError('QPACK_DECOMPRESSION_FAILED', 'Required Insert Count 0 from a nonzero encoding');
  return ric;
}

export function encodeRic(ric: number, maxTableCapacity: number): number {
  return ric === 0 ? 0 : (ric % (2 * Math.floor(maxTableCapacity / 32))) + 1;
}

// ---------------------------------------------------------------------------------------------------------------
// The decoder stream, parsed

export type DecoderInstruction = { kind: 'ack'; streamId: number } | { kind: 'cancel'; streamId: number } | { kind: 'increment'; increment: number };

/** Parses whole decoder-stream bytes; throws ModelError (QPACK_DECODER_STREAM_ERROR) when cut or malformed. */
export function parseDecoderStream(bytes: Uint8Array): DecoderInstruction[] {
  const c = new Cursor(bytes, 'QPACK_DECODER_STREAM_ERROR');
  const out: DecoderInstruction[] = [];
  try {
    while (c.at < bytes.length) {
      const b = c.byte();
      if (b & 0x80) out.push({ kind: 'ack', streamId: c.int(7) });
      else if (b & 0x40) out.push({ kind: 'cancel', streamId: c.int(6) });
      else out.push({ kind: 'increment', increment: c.int(6) });
    }
  } catch (err) {
    if (err instanceof Incomplete) throw new ModelError('QPACK_DECODER_STREAM_ERROR', `the decoder-stream bytes end inside an instruction: ${hex(bytes)}`);
    throw err;
  }
  return out;
}

export function describeDecoderInstruction(i: DecoderInstruction): string {
  if (i.kind === 'ack') return `Section Acknowledgment (stream ${i.streamId})`;
  if (i.kind === 'cancel') return `Stream Cancellation (stream ${i.streamId})`;
  return `Insert Count Increment (${i.increment})`;
}

export function encodeDecoderInstruction(i: DecoderInstruction): number[] {
  if (i.kind === 'ack') return encodeInteger(i.streamId, 7, 0x80);
  if (i.kind === 'cancel') return encodeInteger(i.streamId, 6, 0x40);
  return encodeInteger(i.increment, 6, 0x00);
}

/** A dynamic table, newest first, for failure messages. */
export function formatEntries(entries: unknown, maxLines = 8): string {
  if (!Array.isArray(entries)) return `    (not a list: ${String(JSON.stringify(entries)).slice(0, 80)})`;
  if (!entries.length) return '    (empty)';
  const lines = (entries as Partial<Entry>[])
    .slice(0, maxLines)
    .map((e) => `    [abs ${String(e?.index)}] ${q(String(e?.name), 40)}: ${q(String(e?.value), 50)}  size ${String(e?.size)}`);
  if (entries.length > maxLines) lines.push(`    … ${entries.length - maxLines} older entries`);
  return lines.join('\n');
}

export function formatFields(fields: unknown, maxLines = 8): string {
  if (!Array.isArray(fields)) return `    (not a list: ${String(JSON.stringify(fields)).slice(0, 80)})`;
  if (!fields.length) return '    (no fields)';
  const lines = fields
    .slice(0, maxLines)
    .map((f, i) => (Array.isArray(f) ? `    ${i + 1}. ${q(String(f[0]), 40)}: ${q(String(f[1]), 60)}` : `    ${i + 1}. ${JSON.stringify(f)}`));
  if (fields.length > maxLines) lines.push(`    … ${fields.length - maxLines} more`);
  return lines.join('\n');
}

/** The first difference between two header lists, in words; undefined when equal. */
export function firstFieldDifference(expected: Field[], actual: unknown): string | undefined {
  if (!Array.isArray(actual)) return `got ${String(JSON.stringify(actual)).slice(0, 80)} instead of a list of [name, value] pairs`;
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    const e = expected[i];
    const a = actual[i] as unknown;
    if (!e) return `field ${i + 1}: got ${JSON.stringify(a)} but the section holds only ${expected.length} fields`;
    if (!Array.isArray(a) || a[0] !== e[0] || a[1] !== e[1]) return `field ${i + 1}: expected ${q(e[0])}: ${q(e[1])}, got ${JSON.stringify(a)?.slice(0, 100)}`;
  }
  return undefined;
}
