// The trusted side's own codec for the quic-migration exercise: RFC 9000 variable-length integers (§16), the long
// and short header layouts (§17.2, §17.3.1) and the frames the exercise uses (§19). The suite and the UDP relay use
// it to build the packets of the raw test peers and to decode every datagram into a timeline; it never trusts the
// learner's parser. Kept independent of the reference solution on purpose.

export const VERSION = 0x51c0de01;
export const CID_LENGTH = 8;
export const MAX_VARINT = (1n << 62n) - 1n;
export const DOWNLOAD_STREAM = 3;

export function encodeVarint(value: number | bigint): Buffer {
  const v = BigInt(value);
  if (v < 0n || v > MAX_VARINT) throw new RangeError(`varint out of range: ${v}`);
  const length = v < 64n ? 1 : v < 16384n ? 2 : v < 1073741824n ? 4 : 8;
  const out = Buffer.alloc(length);
  let rest = v;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  out[0]! |= [0, 0x40, 0, 0x80, 0, 0, 0, 0xc0][length - 1]!;
  return out;
}

export function decodeVarint(bytes: Uint8Array, offset = 0): { value: bigint; length: number } | undefined {
  if (offset >= bytes.length) return undefined;
  const length = 1 << (bytes[offset]! >> 6);
  if (offset + length > bytes.length) return undefined;
  let value = BigInt(bytes[offset]! & 0x3f);
  for (let i = 1; i < length; i++) value = (value << 8n) | BigInt(bytes[offset + i]!);
  return { value, length };
}

export type WireFrame =
  | { type: 'PADDING'; count: number }
  | { type: 'PING' }
  | { type: 'ACK'; ranges: Array<[number, number]> }
  | { type: 'STREAM'; streamId: number; offset: number; length: number; fin: boolean; data: Buffer }
  | { type: 'PATH_CHALLENGE'; data: string }
  | { type: 'PATH_RESPONSE'; data: string }
  | { type: 'OTHER'; frameType: number }
  | { type: 'MALFORMED'; at: number };

export interface WirePacket {
  form: 'long' | 'short' | 'invalid';
  longType?: number;
  version?: number;
  dcid: string;
  scid?: string;
  packetNumber?: number;
  frames: WireFrame[];
  problem?: string;
}

/** Decodes one datagram; `shortCidLength` is the length of the receiver's connection IDs. */
export function decodeDatagram(bytes: Uint8Array, shortCidLength = CID_LENGTH): WirePacket {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (problem: string): WirePacket => ({ form: 'invalid', dcid: '', frames: [], problem });
  if (b.length < 1) return bad('empty datagram');
  const first = b[0]!;
  if ((first & 0x40) === 0) return bad(`fixed bit is 0 (first byte 0x${first.toString(16).padStart(2, '0')})`);
  const pnLength = (first & 0x03) + 1;
  if ((first & 0x80) === 0) {
    if (b.length < 1 + shortCidLength + pnLength) return bad('short header truncated');
    const dcid = b.subarray(1, 1 + shortCidLength).toString('hex');
    const packetNumber = b.readUIntBE(1 + shortCidLength, pnLength);
    return { form: 'short', dcid, packetNumber, frames: decodeFrames(b.subarray(1 + shortCidLength + pnLength)) };
  }
  if (b.length < 7) return bad('long header truncated');
  const version = b.readUInt32BE(1);
  let at = 5;
  const dl = b[at]!;
  if (dl > 20 || at + 1 + dl >= b.length) return bad('bad DCID length');
  const dcid = b.subarray(at + 1, at + 1 + dl).toString('hex');
  at += 1 + dl;
  const sl = b[at]!;
  if (sl > 20 || at + 1 + sl > b.length) return bad('bad SCID length');
  const scid = b.subarray(at + 1, at + 1 + sl).toString('hex');
  at += 1 + sl;
  const longType = (first >> 4) & 0x03;
  if (longType === 0) {
    const tl = decodeVarint(b, at);
    if (!tl) return bad('token length truncated');
    at += tl.length + Number(tl.value);
  }
  const len = decodeVarint(b, at);
  if (!len) return { form: 'long', longType, version, dcid, scid, frames: [], problem: 'Length truncated' };
  at += len.length;
  const end = at + Number(len.value);
  if (end > b.length || Number(len.value) < pnLength)
    return { form: 'long', longType, version, dcid, scid, frames: [], problem: `Length ${len.value} does not fit the datagram` };
  const packetNumber = b.readUIntBE(at, pnLength);
  return { form: 'long', longType, version, dcid, scid, packetNumber, frames: decodeFrames(b.subarray(at + pnLength, end)) };
}

export function decodeFrames(p: Buffer): WireFrame[] {
  const frames: WireFrame[] = [];
  let at = 0;
  const v = (): number | undefined => {
    const r = decodeVarint(p, at);
    if (!r) return undefined;
    at += r.length;
    return Number(r.value);
  };
  while (at < p.length) {
    const start = at;
    const type = v();
    if (type === undefined) return [...frames, { type: 'MALFORMED', at: start }];
    if (type === 0) {
      const last = frames[frames.length - 1];
      if (last?.type === 'PADDING') last.count++;
      else frames.push({ type: 'PADDING', count: 1 });
    } else if (type === 1) frames.push({ type: 'PING' });
    else if (type === 2 || type === 3) {
      const largest = v();
      const delay = v();
      const count = v();
      const first = v();
      if (largest === undefined || delay === undefined || count === undefined || first === undefined || first > largest) {
        return [...frames, { type: 'MALFORMED', at: start }];
      }
      let high = largest;
      let low = largest - first;
      const ranges: Array<[number, number]> = [[low, high]];
      for (let i = 0; i < count; i++) {
        const gap = v();
        const len = v();
        if (gap === undefined || len === undefined || low - gap - 2 - len < 0) return [...frames, { type: 'MALFORMED', at: start }];
        high = low - gap - 2;
        low = high - len;
        ranges.push([low, high]);
      }
      if (type === 3) for (let i = 0; i < 3; i++) if (v() === undefined) return [...frames, { type: 'MALFORMED', at: start }];
      frames.push({ type: 'ACK', ranges });
    } else if (type >= 0x08 && type <= 0x0f) {
      const streamId = v();
      const offset = type & 0x04 ? v() : 0;
      const length = type & 0x02 ? v() : p.length - at;
      if (streamId === undefined || offset === undefined || length === undefined || at + length > p.length) {
        return [...frames, { type: 'MALFORMED', at: start }];
      }
      frames.push({ type: 'STREAM', streamId, offset, length, fin: (type & 1) === 1, data: p.subarray(at, at + length) });
      at += length;
    } else if (type === 0x1a || type === 0x1b) {
      if (at + 8 > p.length) return [...frames, { type: 'MALFORMED', at: start }];
      frames.push({ type: type === 0x1a ? 'PATH_CHALLENGE' : 'PATH_RESPONSE', data: p.subarray(at, at + 8).toString('hex') });
      at += 8;
    } else {
      frames.push({ type: 'OTHER', frameType: type });
      return frames;
    }
  }
  return frames;
}

/** One line per packet for timelines: "short dcid=0a1b… pn=12 STREAM(3, off 1100, len 1100) ACK[0-11]". */
export function describePacket(p: WirePacket): string {
  if (p.form === 'invalid') return `invalid (${p.problem})`;
  const head =
    p.form === 'long'
      ? `long ${['Initial', '0-RTT', 'Handshake', 'Retry'][p.longType ?? 0]} v=0x${(p.version ?? 0).toString(16)} dcid=${p.dcid} scid=${p.scid}`
      : `short dcid=${p.dcid}`;
  const frames = p.frames.map(describeFrame).join(' ');
  return `${head} pn=${p.packetNumber ?? '?'}${p.problem ? ` (${p.problem})` : ''}${frames ? ` | ${frames}` : ''}`;
}

export function describeFrame(f: WireFrame): string {
  switch (f.type) {
    case 'PADDING':
      return `PADDING×${f.count}`;
    case 'PING':
      return 'PING';
    case 'ACK':
      return `ACK[${f.ranges
        .slice(0, 4)
        .map(([lo, hi]) => (lo === hi ? `${hi}` : `${hi}..${lo}`))
        .join(',')}${f.ranges.length > 4 ? ',…' : ''}]`;
    case 'STREAM':
      return `STREAM(id ${f.streamId}, off ${f.offset}, len ${f.length}${f.fin ? ', FIN' : ''})`;
    case 'PATH_CHALLENGE':
      return `PATH_CHALLENGE(${f.data})`;
    case 'PATH_RESPONSE':
      return `PATH_RESPONSE(${f.data})`;
    case 'OTHER':
      return `frame type 0x${f.frameType.toString(16)} (not used here)`;
    case 'MALFORMED':
      return `MALFORMED at payload byte ${f.at}`;
  }
}

/** Builds an Initial packet (RFC 9000 §17.2.2) with a 4-byte packet number, padded to `padTo` bytes. */
export function buildInitial(o: { dcid: Buffer; scid: Buffer; pn: number; frames: Buffer; padTo?: number; version?: number; token?: Buffer }): Buffer {
  const token = o.token ?? Buffer.alloc(0);
  const head = (bodyLength: number) =>
    Buffer.concat([
      Buffer.from([0xc3]),
      u32(o.version ?? VERSION),
      Buffer.from([o.dcid.length]),
      o.dcid,
      Buffer.from([o.scid.length]),
      o.scid,
      encodeVarint(token.length),
      token,
      encodeVarint(4 + bodyLength),
    ]);
  let body = o.frames;
  const padTo = o.padTo ?? 0;
  while (head(body.length).length + 4 + body.length < padTo) {
    body = Buffer.concat([body, Buffer.alloc(padTo - (head(body.length).length + 4 + body.length))]);
  }
  return Buffer.concat([head(body.length), u32(o.pn), body]);
}

/** Builds a 1-RTT packet (RFC 9000 §17.3.1) with a 4-byte packet number. */
export function buildShort(dcid: Buffer, pn: number, frames: Buffer): Buffer {
  return Buffer.concat([Buffer.from([0x43]), dcid, u32(pn), frames]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

export const frame = {
  ping: () => Buffer.from([0x01]),
  padding: (n: number) => Buffer.alloc(n),
  pathChallenge: (data: Buffer) => Buffer.concat([Buffer.from([0x1a]), data]),
  pathResponse: (data: Buffer) => Buffer.concat([Buffer.from([0x1b]), data]),
  stream: (streamId: number, offset: number, data: Buffer, fin: boolean) =>
    Buffer.concat([Buffer.from([0x0e | (fin ? 1 : 0)]), encodeVarint(streamId), encodeVarint(offset), encodeVarint(data.length), data]),
  /** ranges descending and disjoint, [low, high] */
  ack: (ranges: Array<[number, number]>) => {
    const parts = [
      Buffer.from([0x02]),
      encodeVarint(ranges[0]![1]),
      encodeVarint(0),
      encodeVarint(ranges.length - 1),
      encodeVarint(ranges[0]![1] - ranges[0]![0]),
    ];
    for (let i = 1; i < ranges.length; i++) parts.push(encodeVarint(ranges[i - 1]![0] - ranges[i]![1] - 2), encodeVarint(ranges[i]![1] - ranges[i]![0]));
    return Buffer.concat(parts);
  },
};

/** Sorted, merged, descending [low, high] ranges of a set of packet numbers (for ACK frames). */
export function rangesOf(pns: Iterable<number>): Array<[number, number]> {
  const sorted = [...new Set(pns)].sort((a, b) => b - a);
  const out: Array<[number, number]> = [];
  for (const pn of sorted) {
    const last = out[out.length - 1];
    if (last && pn === last[0] - 1) last[0] = pn;
    else out.push([pn, pn]);
  }
  return out;
}
