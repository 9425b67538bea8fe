// A small trusted HPACK encoder (RFC 7541 §5, §6) for the generated tests: prefixed integers, raw (non-Huffman)
// string literals, and every field representation, chosen at random, over its own model of the dynamic table.
// It is written from the RFC, apart from the learners' code, and its table model gives the expected dynamic table
// after each block.

export type Field = [string, string];

/** RFC 7541 Appendix A. */
export const STATIC: readonly Field[] = [
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

/** RFC 7541 §5.1. */
export function encodeInteger(value: number, prefixBits: number, firstBits = 0): number[] {
  const limit = 2 ** prefixBits - 1;
  if (value < limit) return [firstBits | value];
  const out = [firstBits | limit];
  let rest = value - limit;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** RFC 7541 §5.2, H = 0; one octet per character (latin1). */
export function encodeString(text: string): number[] {
  return [...encodeInteger(text.length, 7, 0), ...Array.from(text, (c) => c.charCodeAt(0) & 0xff)];
}

export interface EntryModel {
  name: string;
  value: string;
  size: number;
}

export type Representation = 'indexed' | 'incremental' | 'without' | 'never';

/** One decoded step of an encoded block, for the failure message. */
export interface Step {
  what: string;
  bytes: number[];
}

export class ModelEncoder {
  /** Newest first. */
  table: EntryModel[] = [];
  max: number;

  constructor(max = 4096) {
    this.max = max;
  }

  get size(): number {
    return this.table.reduce((s, e) => s + e.size, 0);
  }

  private evict(limit: number): void {
    while (this.size > limit && this.table.length) this.table.pop();
  }

  private add(name: string, value: string): void {
    const size = name.length + value.length + 32;
    if (size > this.max) {
      this.table = [];
      return;
    }
    this.evict(this.max - size);
    this.table.unshift({ name, value, size });
  }

  private find(name: string, value: string): { full?: number; name?: number } {
    const all: Field[] = [...STATIC, ...this.table.map((e) => [e.name, e.value] as Field)];
    let nameAt: number | undefined;
    for (let i = 0; i < all.length; i++) {
      if (all[i]![0] !== name) continue;
      if (all[i]![1] === value) return { full: i + 1, name: nameAt ?? i + 1 };
      nameAt ??= i + 1;
    }
    return { name: nameAt };
  }

  /** A size update (must come first in a block). */
  sizeUpdate(size: number): Step {
    this.max = size;
    this.evict(size);
    return { what: `size update to ${size}`, bytes: encodeInteger(size, 5, 0x20) };
  }

  /** Encodes one field with a representation chosen by `choose` among the ones possible. */
  field(name: string, value: string, choose: (options: Representation[]) => Representation, useNameIndex: boolean): Step {
    const found = this.find(name, value);
    const options: Representation[] = found.full ? ['indexed', 'incremental', 'without', 'never'] : ['incremental', 'without', 'never'];
    const how = choose(options);
    if (how === 'indexed') {
      return { what: `indexed ${found.full} (${JSON.stringify(name)}: ${JSON.stringify(value)})`, bytes: encodeInteger(found.full!, 7, 0x80) };
    }
    const prefix = how === 'incremental' ? 6 : 4;
    const first = how === 'incremental' ? 0x40 : how === 'never' ? 0x10 : 0x00;
    const nameIndex = useNameIndex && found.name ? found.name : 0;
    const bytes = [...encodeInteger(nameIndex, prefix, first), ...(nameIndex ? [] : encodeString(name)), ...encodeString(value)];
    if (how === 'incremental') this.add(name, value);
    const label = how === 'incremental' ? 'literal with incremental indexing' : how === 'never' ? 'literal never indexed' : 'literal without indexing';
    return { what: `${label}, name ${nameIndex ? `index ${nameIndex}` : 'literal'} (${JSON.stringify(name)}: ${JSON.stringify(value)})`, bytes };
  }
}
