// Trusted-side helpers for HTTP/2 frame suites: build frames from their fields, walk a byte stream frame header by
// frame header (no payload semantics, no error checks: just length/type/flags/stream and offsets), and render
// bytes, headers and decoded frames for failure messages. The walker is deliberately not a frame parser: expected
// results come from the vectors and from what the live peers did, never from a second copy of the solution.

export const FRAME_TYPE_NAMES: Record<number, string> = {
  0x0: 'DATA',
  0x1: 'HEADERS',
  0x2: 'PRIORITY',
  0x3: 'RST_STREAM',
  0x4: 'SETTINGS',
  0x5: 'PUSH_PROMISE',
  0x6: 'PING',
  0x7: 'GOAWAY',
  0x8: 'WINDOW_UPDATE',
  0x9: 'CONTINUATION',
};

export const FRAME_TYPE_CODES: Record<string, number> = Object.fromEntries(Object.entries(FRAME_TYPE_NAMES).map(([code, name]) => [name, Number(code)]));

/** Flag names defined per frame type (RFC 9113 §6). Bits not listed are undefined for that type. */
const FLAG_NAMES: Record<number, Array<[number, string]>> = {
  0x0: [
    [0x1, 'END_STREAM'],
    [0x8, 'PADDED'],
  ],
  0x1: [
    [0x1, 'END_STREAM'],
    [0x4, 'END_HEADERS'],
    [0x8, 'PADDED'],
    [0x20, 'PRIORITY'],
  ],
  0x4: [[0x1, 'ACK']],
  0x5: [
    [0x4, 'END_HEADERS'],
    [0x8, 'PADDED'],
  ],
  0x6: [[0x1, 'ACK']],
  0x9: [[0x4, 'END_HEADERS']],
};

export const CLIENT_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

export interface WireHeader {
  length: number;
  type: number;
  flags: number;
  /** 31-bit stream id (reserved bit masked off). */
  streamId: number;
  /** The reserved bit as sent. */
  reserved: boolean;
}

export interface WalkedFrame {
  /** Offset of the frame header in the byte stream. */
  offset: number;
  header: WireHeader;
}

export function decodeHeader(bytes: Uint8Array, offset: number): WireHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const word = b.readUInt32BE(offset + 5);
  return {
    length: b.readUIntBE(offset, 3),
    type: b[offset + 3]!,
    flags: b[offset + 4]!,
    streamId: word & 0x7fffffff,
    reserved: (word & 0x80000000) !== 0,
  };
}

/** Frame headers and offsets of a byte stream, from `start` (24 to skip a client preface). Stops at a partial frame. */
export function walkFrames(bytes: Uint8Array, start = 0): WalkedFrame[] {
  const frames: WalkedFrame[] = [];
  let at = start;
  while (at + 9 <= bytes.length) {
    const header = decodeHeader(bytes, at);
    if (at + 9 + header.length > bytes.length) break;
    frames.push({ offset: at, header });
    at += 9 + header.length;
  }
  return frames;
}

export function typeName(type: number): string {
  return FRAME_TYPE_NAMES[type] ?? `unknown type 0x${type.toString(16).padStart(2, '0')}`;
}

export function flagNames(type: number, flags: number): string[] {
  const names = (FLAG_NAMES[type] ?? []).filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  const known = (FLAG_NAMES[type] ?? []).reduce((acc, [bit]) => acc | bit, 0);
  const undefinedBits = flags & ~known;
  if (undefinedBits) names.push(`undefined 0x${undefinedBits.toString(16).padStart(2, '0')}`);
  return names;
}

/** "HEADERS length=16384 flags=0x01 [END_STREAM] stream=7" */
export function describeHeader(h: WireHeader): string {
  const names = flagNames(h.type, h.flags);
  return (
    `${typeName(h.type)} length=${h.length} flags=0x${h.flags.toString(16).padStart(2, '0')}` +
    `${names.length ? ` [${names.join('|')}]` : ''} stream=${h.streamId}${h.reserved ? ' (reserved bit set)' : ''}`
  );
}

/** Space-separated hex of at most `max` bytes, with the total when cut. */
export function hex(bytes: Uint8Array, max = 24): string {
  const shown = Array.from(bytes.subarray(0, max), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > max ? `${shown} … (${bytes.length} bytes)` : shown || '(empty)';
}

export function fromHex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

/** A frame from its fields: 9-octet header + payload. `streamId` may carry the reserved bit (>= 2^31). */
export function frame(type: number | string, flags: number, streamId: number, payload: Uint8Array | string = new Uint8Array(0)): Buffer {
  const body = typeof payload === 'string' ? fromHex(payload) : Buffer.from(payload);
  const header = Buffer.alloc(9);
  header.writeUIntBE(body.length, 0, 3);
  header[3] = typeof type === 'string' ? FRAME_TYPE_CODES[type]! : type;
  header[4] = flags;
  header.writeUInt32BE(streamId >>> 0, 5);
  return Buffer.concat([header, body]);
}

export function u32(value: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(value >>> 0);
  return b;
}

/** Renders one value the code under test returned, compactly (byte arrays as hex prefixes). */
export function renderValue(value: unknown, depth = 0): string {
  if (value instanceof Uint8Array) return `<${hex(value, 12)}>`;
  if (value === null || value === undefined || typeof value !== 'object') return JSON.stringify(value) ?? String(value);
  if (depth > 3) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, 8).map((v) => renderValue(v, depth + 1));
    return `[${items.join(', ')}${value.length > 8 ? `, … (${value.length} items)` : ''}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  return `{ ${entries.map(([k, v]) => `${k}: ${renderValue(v, depth + 1)}`).join(', ')} }`;
}

/** Renders a decoded frame or error event: the type first, then its fields. */
export function renderEvent(event: unknown): string {
  if (event === undefined) return '(nothing)';
  if (typeof event !== 'object' || event === null) return renderValue(event);
  const { type, ...rest } = event as Record<string, unknown>;
  return `${String(type)} ${renderValue(rest)}`;
}
