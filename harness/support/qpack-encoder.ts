// A small trusted QPACK encoder (RFC 9204 §4.3, §4.5) for the generated tests: every encoder instruction and every
// field line representation, chosen at random (post-Base indexing, either sign of Delta Base, Duplicate, dynamic
// name references, Huffman or raw strings, the N bit), over its own model of the dynamic table. It never evicts an
// entry that any section so far references, so every delivery order that respects the inserts stays decodable.

import { encodeHuffman } from '../../exercises/10-qpack/huffman';
import type { QpackRecord } from './qpack-interop';
import { encodeInteger, encodeRic, STATIC, type Field } from './qpack-model';

interface Slot {
  index: number;
  name: string;
  value: string;
  size: number;
}

export class RandomEncoder {
  private entries: Slot[] = []; // oldest first
  private inserted = 0;
  private pinned = new Set<number>();
  private capacity = 0;

  constructor(
    readonly maxTableCapacity: number,
    private readonly random: () => number,
  ) {}

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private string(text: string, prefixBits: number, flags: number): number[] {
    const raw = Buffer.from(text, 'latin1');
    if (this.chance(0.5)) {
      const coded = encodeHuffman(raw);
      return [...encodeInteger(coded.length, prefixBits, flags | (1 << prefixBits)), ...coded];
    }
    return [...encodeInteger(raw.length, prefixBits, flags), ...raw];
  }

  private get size(): number {
    return this.entries.reduce((s, e) => s + e.size, 0);
  }

  /** Inserts when it fits without evicting a pinned entry; the instruction bytes, or undefined. */
  private insert(name: string, value: string): number[] | undefined {
    const size = name.length + value.length + 32;
    if (size > this.capacity) return undefined;
    let freed = 0;
    let evict = 0;
    for (const e of this.entries) {
      if (this.size - freed + size <= this.capacity) break;
      if (this.pinned.has(e.index)) return undefined;
      freed += e.size;
      evict++;
    }
    const exact = this.entries.slice(evict).find((e) => e.name === name && e.value === value);
    const dynamicName = this.entries.find((e) => e.name === name); // may be evicted by this very insert (§3.2.2)
    const staticName = STATIC.findIndex(([n]) => n === name);
    let out: number[];
    if (exact && this.chance(0.5)) out = encodeInteger(this.inserted - 1 - exact.index, 5, 0x00);
    else if (dynamicName && this.chance(0.6)) out = [...encodeInteger(this.inserted - 1 - dynamicName.index, 6, 0x80), ...this.string(value, 7, 0)];
    else if (staticName >= 0 && this.chance(0.7)) out = [...encodeInteger(staticName, 6, 0xc0), ...this.string(value, 7, 0)];
    else out = [...this.string(name, 5, 0x40), ...this.string(value, 7, 0)];
    this.entries.splice(0, evict);
    this.entries.push({ index: this.inserted++, name, value, size });
    return out;
  }

  /** Encodes header lists on streams 4, 8, 12…: the records in generation order (encoder-stream chunks first). */
  encodeAll(lists: Field[][]): QpackRecord[] {
    const records: QpackRecord[] = [];
    lists.forEach((headers, k) => {
      const stream: number[] = [];
      if (this.capacity === 0 || this.chance(0.1)) {
        // Set (or change) the capacity; a reduction may only evict unpinned entries, else keep the old one.
        const wanted = Math.min(this.maxTableCapacity, Math.floor(this.maxTableCapacity * (0.4 + 0.6 * this.random())));
        let size = this.size;
        let drop = 0;
        for (const e of this.entries) {
          if (size <= wanted || this.pinned.has(e.index)) break;
          size -= e.size;
          drop++;
        }
        if (size <= wanted) {
          this.entries.splice(0, drop);
          this.capacity = wanted;
          stream.push(...encodeInteger(wanted, 5, 0x20));
        }
      }
      const refs: Array<{ field: Field; absolute?: number; nameOnly?: boolean; staticIndex?: number }> = [];
      for (const [name, value] of headers) {
        const staticExact = STATIC.findIndex(([n, v]) => n === name && v === value);
        if (staticExact >= 0 && this.chance(0.8)) {
          refs.push({ field: [name, value], staticIndex: staticExact });
          continue;
        }
        if (this.capacity > 0 && this.chance(0.7)) {
          const ins = this.insert(name, value);
          if (ins) {
            stream.push(...ins);
            refs.push({ field: [name, value], absolute: this.inserted - 1 });
            this.pinned.add(this.inserted - 1); // from now on: a later insert of this section must not evict it
            continue;
          }
        }
        const existing = [...this.entries].reverse().find((e) => e.name === name && (e.value === value || this.chance(0.5)));
        if (existing && this.chance(0.7)) {
          refs.push({ field: [name, value], absolute: existing.index, nameOnly: existing.value !== value || this.chance(0.2) });
          this.pinned.add(existing.index);
        } else refs.push({ field: [name, value] });
      }
      const dynamic = refs.filter((r) => r.absolute !== undefined).map((r) => r.absolute!);
      const required = dynamic.length ? Math.max(...dynamic) + 1 : 0;
      // Any Base from the oldest reference to the inserts so far: below it post-Base indexing, above it relative.
      const base = required === 0 ? 0 : Math.min(...dynamic) + Math.floor(this.random() * (this.inserted - Math.min(...dynamic) + 1));
      const section: number[] = [...encodeInteger(encodeRic(required, this.maxTableCapacity), 8)];
      section.push(...(base >= required ? encodeInteger(base - required, 7, 0x00) : encodeInteger(required - base - 1, 7, 0x80)));
      for (const r of refs) {
        const n = this.chance(0.2) ? 1 : 0;
        const [name, value] = r.field;
        if (r.staticIndex !== undefined) section.push(...encodeInteger(r.staticIndex, 6, 0xc0));
        else if (r.absolute !== undefined && !r.nameOnly) {
          section.push(...(r.absolute < base ? encodeInteger(base - 1 - r.absolute, 6, 0x80) : encodeInteger(r.absolute - base, 4, 0x10)));
        } else if (r.absolute !== undefined) {
          section.push(
            ...(r.absolute < base ? encodeInteger(base - 1 - r.absolute, 4, 0x40 | (n << 5)) : encodeInteger(r.absolute - base, 3, n << 3)),
            ...this.string(value, 7, 0),
          );
        } else {
          const staticName = STATIC.findIndex(([sn]) => sn === name);
          if (staticName >= 0 && this.chance(0.7)) section.push(...encodeInteger(staticName, 4, 0x50 | (n << 5)), ...this.string(value, 7, 0));
          else section.push(...this.string(name, 3, 0x20 | (n << 4)), ...this.string(value, 7, 0));
        }
      }
      // The encoder stream goes out in random pieces, the section after its own inserts (generation order).
      for (let at = 0; at < stream.length;) {
        const piece = 1 + Math.floor(this.random() * Math.min(24, stream.length - at));
        records.push({ streamId: 0, data: new Uint8Array(stream.slice(at, at + piece)) });
        at += piece;
      }
      records.push({ streamId: 4 * (k + 1), data: new Uint8Array(section) });
    });
    return records;
  }
}
