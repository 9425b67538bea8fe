// The QPACK offline-interop files (harness/vectors/qpack-interop, MIT): reading the record format and the .qif
// header lists, and the two delivery orders the suite plays to a decoder (file order, and an adversarial order with
// encoder-stream records held back), each with the outcome the suite's own decoder expects record by record.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { encodeInteger, ModelDecoder, type Field } from './qpack-model';

export const INTEROP = path.join(__dirname, '..', 'vectors', 'qpack-interop');
export const ENCODERS = ['f5', 'ls-qpack', 'nghttp3', 'proxygen', 'qthingey', 'quinn'] as const;

export interface QpackRecord {
  streamId: number;
  data: Uint8Array;
}

export interface InteropFile {
  /** e.g. nghttp3/netbsd.out.256.100.1 */
  label: string;
  records: QpackRecord[];
  /** Header list of each stream id. */
  expected: Map<number, Field[]>;
  maxTableCapacity: number;
  maxBlockedStreams: number;
}

export function readRecords(file: string): QpackRecord[] {
  const data = readFileSync(file);
  const out: QpackRecord[] = [];
  for (let at = 0; at < data.length;) {
    const streamId = Number(data.readBigUInt64BE(at));
    const length = data.readUInt32BE(at + 8);
    out.push({ streamId, data: new Uint8Array(data.subarray(at + 12, at + 12 + length)) });
    at += 12 + length;
  }
  return out;
}

const qifCache = new Map<string, Field[][]>();

/** A .qif file: header lists separated by blank lines, name TAB value, `#` comments. */
export function readQif(name: string): Field[][] {
  const cached = qifCache.get(name);
  if (cached) return cached;
  const lists: Field[][] = [];
  let current: Field[] = [];
  for (const line of readFileSync(path.join(INTEROP, 'qifs', `${name}.qif`), 'latin1').split('\n')) {
    if (line.startsWith('#')) continue;
    if (line === '') {
      if (current.length) lists.push(current);
      current = [];
      continue;
    }
    const tab = line.indexOf('\t');
    current.push([line.slice(0, tab), line.slice(tab + 1)]);
  }
  if (current.length) lists.push(current);
  qifCache.set(name, lists);
  return lists;
}

/**
 * One encoded file. The offline-interop convention starts the dynamic table at the maximum capacity without a Set
 * Dynamic Table Capacity instruction (RFC 9204 starts it at 0), so one is put in front of the encoder stream.
 * draft-examples.out uses stream ids 4, 8, 12 and a 220-octet table (the example of the draft's appendix).
 */
export function loadInteropFile(relative: string): InteropFile {
  const base = path.basename(relative);
  const m = /^(.*)\.out(?:\.(\d+)\.(\d+)\.(\d+))?$/.exec(base);
  if (!m) throw new Error(`not an interop file name: ${relative}`);
  const lists = readQif(m[1]!);
  let records = readRecords(path.join(INTEROP, 'encoded', relative));
  const maxTableCapacity = m[2] === undefined ? 220 : Number(m[2]);
  const maxBlockedStreams = m[3] === undefined ? 100 : Number(m[3]);
  if (m[2] !== undefined && maxTableCapacity > 0) records = [{ streamId: 0, data: new Uint8Array(encodeInteger(maxTableCapacity, 5, 0x20)) }, ...records];
  const ids = [...new Set(records.filter((r) => r.streamId !== 0).map((r) => r.streamId))].sort((a, b) => a - b);
  const expected = new Map(ids.map((id, k) => [id, lists[k] ?? []]));
  return { label: relative, records, expected, maxTableCapacity, maxBlockedStreams };
}

/** Every encoded file of one encoder, in name order. */
export function encoderFiles(encoder: string): string[] {
  return readdirSync(path.join(INTEROP, 'encoded', encoder))
    .filter((f) => statSync(path.join(INTEROP, 'encoded', encoder, f)).isFile())
    .sort()
    .map((f) => `${encoder}/${f}`);
}

/** What the decoder under test must do with one record. */
export interface Step {
  record: QpackRecord;
  /** Section records: null when it must block, else it decodes now. */
  blocks?: boolean;
  /** The Required Insert Count of a section (from the suite's decoder). */
  required?: number;
  /** Encoder-stream records: the streams whose blocked sections this record unblocks, in arrival order. */
  unblocks?: number[];
  /** Inserts received after this record. */
  insertsAfter: number;
}

/** The steps of a delivery order, as the suite's decoder sees them. */
export function expectedSteps(records: QpackRecord[], maxTableCapacity: number): Step[] {
  const model = new ModelDecoder(maxTableCapacity);
  const waiting: Array<{ streamId: number; required: number }> = [];
  return records.map((record) => {
    if (record.streamId === 0) {
      model.encoderStream(record.data);
      const ready = waiting.filter((w) => w.required <= model.inserted);
      for (const r of ready) waiting.splice(waiting.indexOf(r), 1);
      return { record, unblocks: ready.map((r) => r.streamId), insertsAfter: model.inserted };
    }
    const required = model.requiredInsertCount(record.data);
    const blocks = required > model.inserted;
    if (blocks) waiting.push({ streamId: record.streamId, required });
    return { record, blocks, required, insertsAfter: model.inserted };
  });
}

/**
 * The adversarial order: every field section moves as early as it can go and every encoder-stream record is held
 * back behind it. "As early as it can" keeps the section decodable by the RFC's rules: its Required Insert Count is
 * at most the inserts received + MaxEntries (the wrap-around of §4.5.1.1 is unambiguous only then; a real encoder
 * guarantees it because an entry is evictable only once acknowledged). Sections keep their relative order.
 */
export function adversarialOrder(records: QpackRecord[], maxTableCapacity: number): QpackRecord[] {
  const inFileOrder = expectedSteps(records, maxTableCapacity);
  const maxEntries = Math.floor(maxTableCapacity / 32);
  const sections = inFileOrder.filter((s) => s.record.streamId !== 0);
  const out: QpackRecord[] = [];
  let inserts = 0;
  const place = (): void => {
    while (sections.length && sections[0]!.required! - maxEntries <= inserts) out.push(sections.shift()!.record);
  };
  place();
  for (const step of inFileOrder) {
    if (step.record.streamId !== 0) continue;
    out.push(step.record);
    inserts = step.insertsAfter;
    place();
  }
  out.push(...sections.map((s) => s.record));
  return out;
}
