// The HPACK savings demo (exercise 1): the learner's list of requests is sent for real on one HTTP/2 connection
// (nghttp2's encoder, in node:http2's client), each request's header block is cut out of the recorded bytes, and
// the learner's HpackDecoder, in the sandbox host, decodes them one after another. Per request the page gets the
// octets on the wire against the plain-text size, the learner's dynamic table after it and what was evicted.
// When the learner's decoder throws, does not load, or decodes anything other than what the server received, the
// demo falls back to the peer's own view (the server's received header lists and the wire sizes, no table): the
// fallback is node:http2 itself, never a reference solution.

import type { ExerciseSpec } from '../../course/schema';
import { CLIENT_PREFACE, walkFrames } from '../../../harness/support/h2-frames';
import { openLearnerCode } from '../learner-code';
import type { HpackDemoResult, HpackRequest, HpackStep } from '../view';
import { captureSession } from './h2-capture';

const HEADERS = 0x1;
const CONTINUATION = 0x9;
const PADDED = 0x8;
const PRIORITY = 0x20;

interface Entry {
  name: string;
  value: string;
  size: number;
}

/** The header block of each HEADERS frame (with its CONTINUATIONs) the client sent, in order. */
export function headerBlocks(clientToServer: Buffer): Buffer[] {
  const blocks: Buffer[] = [];
  let open: Buffer[] | undefined;
  for (const { offset, header } of walkFrames(clientToServer, CLIENT_PREFACE.length)) {
    let payload = clientToServer.subarray(offset + 9, offset + 9 + header.length);
    if (header.type === HEADERS) {
      let pad = 0;
      if (header.flags & PADDED) {
        pad = payload[0]!;
        payload = payload.subarray(1);
      }
      if (header.flags & PRIORITY) payload = payload.subarray(5);
      open = [payload.subarray(0, payload.length - pad)];
      blocks.push(Buffer.alloc(0));
    } else if (header.type === CONTINUATION && open) open.push(payload);
    else continue;
    blocks[blocks.length - 1] = Buffer.concat(open);
    if (header.flags & 0x4) open = undefined;
  }
  return blocks;
}

/** Entries of `before` no longer in `after`: the table keeps a prefix of the old entries, behind the new ones. */
export function evictedBetween(before: Entry[], after: Entry[]): Entry[] {
  const same = (a: Entry, b: Entry) => a.name === b.name && a.value === b.value;
  for (let kept = Math.min(before.length, after.length); kept >= 0; kept--) {
    const tail = after.slice(after.length - kept);
    if (before.slice(0, kept).every((e, i) => same(e, tail[i]!))) return before.slice(kept).reverse();
  }
  return before.slice().reverse();
}

const plainSize = (fields: Array<[string, string]>) => fields.reduce((sum, [n, v]) => sum + Buffer.byteLength(`${n}: ${v}\r\n`, 'latin1'), 0);

function isField(value: unknown): value is [string, string] {
  return Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string';
}

function isEntry(value: unknown): value is Entry {
  const v = value as Partial<Entry> | null;
  return typeof v === 'object' && v !== null && typeof v.name === 'string' && typeof v.value === 'string' && typeof v.size === 'number';
}

const sameFields = (a: Array<[string, string]>, b: Array<[string, string]>) =>
  a.length === b.length && a.every(([n, v], i) => n === b[i]![0] && v === b[i]![1]);

export async function runHpackDemo(root: string, exercise: ExerciseSpec, requests: HpackRequest[], tableSize: number): Promise<HpackDemoResult> {
  const capture = await captureSession(requests, { headerTableSize: tableSize });
  const blocks = headerBlocks(capture.clientToServer);
  const steps: HpackStep[] = blocks.map((block, i) => ({
    path: requests[i]?.path ?? '?',
    wireOctets: block.length,
    plainOctets: plainSize(capture.received[i] ?? []),
    wireHex: block.toString('hex'),
    received: capture.received[i] ?? [],
  }));
  const totals = { totalWire: steps.reduce((s, x) => s + x.wireOctets, 0), totalPlain: steps.reduce((s, x) => s + x.plainOctets, 0) };
  const fallback = (reason: string): HpackDemoResult => ({ source: 'fallback', fallbackReason: reason, steps, ...totals });

  const code = await openLearnerCode(root, exercise);
  if (!code.sandbox) return fallback(code.problem);
  const { sandbox } = code;
  try {
    const decoder = await sandbox.construct('HpackDecoder', tableSize);
    let before: Entry[] = [];
    const learnerSteps: HpackStep[] = [];
    for (const [i, step] of steps.entries()) {
      const decoded = await decoder.call('decode', new Uint8Array(blocks[i]!));
      const table = await decoder.call('dynamicTable');
      if (!Array.isArray(decoded) || !decoded.every(isField)) return fallback(`request ${i + 1}: decode() did not return a list of [name, value] pairs`);
      if (!Array.isArray(table) || !table.every(isEntry)) return fallback(`request ${i + 1}: dynamicTable() did not return a list of entries`);
      if (!sameFields(decoded, step.received))
        return fallback(`request ${i + 1}: your decoder's header list differs from what the server received (${JSON.stringify(decoded).slice(0, 200)})`);
      const tableNow = table.map((e) => ({ name: e.name, value: e.value, size: e.size }));
      learnerSteps.push({
        ...step,
        decoded,
        table: tableNow,
        tableSize: Number(await decoder.call('tableSize')),
        maxTableSize: Number(await decoder.call('maxTableSize')),
        evicted: evictedBetween(before, tableNow).map(({ name, value }) => ({ name, value })),
      });
      before = tableNow;
    }
    return { source: 'learner', steps: learnerSteps, ...totals };
  } catch (err) {
    return fallback(err instanceof Error ? err.message : String(err));
  } finally {
    await sandbox.close();
  }
}
