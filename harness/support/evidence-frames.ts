// The frame parser's evidence (harness/support/evidence.ts): the octets of the first frame a learner's parser read
// differently, cut into the 9-octet header's fields (RFC 9113 §4.1) and the payload, each with the reference's
// reading, the learner's, and whether they differ. Apart from evidence.ts because it needs Node's Buffer (h2-frames).

import { evidenceHex, evidenceText, type FrameBytesEvidence, type FrameField } from './evidence';
import { decodeHeader, flagNames, renderValue, typeName } from './h2-frames';

/** Event keys the header carries; any other key of a decoded frame comes from its payload. */
const FLAG_KEYS = new Set(['flags', 'endStream', 'endHeaders', 'ack', 'padded', 'priority']);

function headerPart(key: string): 'length' | 'type' | 'flags' | 'stream' | 'payload' {
  if (key === 'length') return 'length';
  if (key === 'type') return 'type';
  if (key === 'streamId') return 'stream';
  return FLAG_KEYS.has(key) ? 'flags' : 'payload';
}

/**
 * The frame at `offset` of `bytes`, as `expected` (the reference's event) and `actual` (the learner's, or nothing)
 * read it; `differing` are the event keys that differ (the suite's own comparison decides).
 */
export function frameEvidence(
  title: string,
  bytes: Uint8Array,
  offset: number,
  expected: Record<string, unknown>,
  actual: Record<string, unknown> | undefined,
  differing: string[],
): FrameBytesEvidence {
  const header = decodeHeader(bytes, offset);
  const end = Math.min(bytes.length, offset + 9 + header.length);
  const diverged = new Set(differing.map(headerPart));
  if (!actual) ['length', 'type', 'flags', 'stream', 'payload'].forEach((p) => diverged.add(p as 'payload'));
  const learner = (keys: string[]): string | undefined =>
    actual
      ? keys
          .filter((k) => k in actual || k in expected)
          .map((k) => `${k}: ${evidenceText(renderValue(actual[k]), 100)}`)
          .join(', ') || '—'
      : undefined;
  const keysOf = (part: string) => Object.keys(expected).filter((k) => headerPart(k) === part);
  const flags = flagNames(header.type, header.flags);
  const field = (name: string, part: ReturnType<typeof headerPart>, start: number, stop: number, reference: string, keys: string[]): FrameField => {
    const learnerText = learner(keys.length ? keys : part === 'stream' ? ['streamId'] : [part]);
    return { name, start, end: stop, expected: reference, ...(learnerText !== undefined ? { actual: learnerText } : {}), diverged: diverged.has(part) };
  };
  const payloadKeys = keysOf('payload');
  const fields: FrameField[] = [
    field('length', 'length', 0, 3, String(header.length), ['length']),
    field('type', 'type', 3, 4, `${typeName(header.type)} (0x${header.type.toString(16).padStart(2, '0')})`, ['type']),
    field('flags', 'flags', 4, 5, `0x${header.flags.toString(16).padStart(2, '0')}${flags.length ? ` ${flags.join('|')}` : ''}`, keysOf('flags')),
    field('stream identifier', 'stream', 5, 9, `${header.streamId}${header.reserved ? ' (reserved bit set)' : ''}`, ['streamId']),
  ];
  if (end > offset + 9) {
    const reference = payloadKeys.map((k) => `${k}: ${evidenceText(renderValue(expected[k]), 100)}`).join(', ') || `${header.length} octets`;
    fields.push(field('payload', 'payload', 9, end - offset, reference, payloadKeys));
  }
  return { kind: 'frame-bytes', title, ...evidenceHex(bytes.subarray(offset, end)), fields };
}
