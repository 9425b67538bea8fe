// HTTP/2 frame codec (RFC 9113 §4, §6), given to you ready to use: the streaming frame parser of exercise 2 and
// the encoders for every frame type. Import it as './h2-codec' (the code is h2-codec.js, its API with documentation
// is h2-codec.d.ts). It is not graded, and the grader always uses the course's copy.
//
//   const parser = new FrameParser({ expectPreface: true });   // a server's parser; a client's: new FrameParser()
//   for (const event of parser.push(chunk)) {                   // every frame (or error) the chunk completed
//     if (event.type === 'error') ...                            // a frame-level error: code, scope, streamId
//     else ...                                                   // a Frame: event.type is 'DATA', 'HEADERS', ...
//   }
//   socket.write(encodeFrame({ type: 'WINDOW_UPDATE', streamId: 5, windowSizeIncrement: 1024 }));
//   for (const f of encodeHeaderBlock(5, block, { endStream: false, maxFrameSize: 16384 })) socket.write(f);
//
// The parser checks everything the bytes alone decide (sizes, stream 0 rules, padding, CONTINUATION order, zero
// WINDOW_UPDATE increments, SETTINGS ranges). Stream states and flow-control windows are not its job: that is
// what you build in h2-connection.ts.

// (Author's note: this readable source holds the answer to exercise 2, so it stays in solutions/, which never
// ships. Learners get h2-codec.js and h2-codec.d.ts in exercises/08-h2-flow-control/, generated from this file by
// `node scripts/build-given.js`; run it after every change here. Only the comment block above goes into the .d.ts.)

export type FrameTypeName =
  | 'DATA'
  | 'HEADERS'
  | 'PRIORITY'
  | 'RST_STREAM'
  | 'SETTINGS'
  | 'PUSH_PROMISE'
  | 'PING'
  | 'GOAWAY'
  | 'WINDOW_UPDATE'
  | 'CONTINUATION';

export type ErrorCodeName =
  | 'NO_ERROR'
  | 'PROTOCOL_ERROR'
  | 'INTERNAL_ERROR'
  | 'FLOW_CONTROL_ERROR'
  | 'SETTINGS_TIMEOUT'
  | 'STREAM_CLOSED'
  | 'FRAME_SIZE_ERROR'
  | 'REFUSED_STREAM'
  | 'CANCEL'
  | 'COMPRESSION_ERROR'
  | 'CONNECT_ERROR'
  | 'ENHANCE_YOUR_CALM'
  | 'INADEQUATE_SECURITY'
  | 'HTTP_1_1_REQUIRED';

/** The fields of the 9-octet frame header every frame carries. */
export interface FrameHeader {
  /** Payload length (24 bits), as in the header. */
  length: number;
  /** The flags octet exactly as received (undefined bits included). */
  flags: number;
  /** Stream identifier (31 bits, reserved bit masked off). */
  streamId: number;
}

export interface Priority {
  exclusive: boolean;
  dependency: number;
  /** 1..256: the weight octet plus one. */
  weight: number;
}

export interface DataFrame extends FrameHeader {
  type: 'DATA';
  endStream: boolean;
  /** Padding octets removed (0 when PADDED is not set). */
  padLength: number;
  data: Uint8Array;
}

export interface HeadersFrame extends FrameHeader {
  type: 'HEADERS';
  endStream: boolean;
  endHeaders: boolean;
  padLength: number;
  /** The priority fields when the PRIORITY flag is set, else null. */
  priority: Priority | null;
  fragment: Uint8Array;
}

export interface PriorityFrame extends FrameHeader {
  type: 'PRIORITY';
  priority: Priority;
}

export interface RstStreamFrame extends FrameHeader {
  type: 'RST_STREAM';
  errorCode: number;
}

export interface Setting {
  id: number;
  value: number;
}

export interface SettingsFrame extends FrameHeader {
  type: 'SETTINGS';
  ack: boolean;
  /** Every identifier/value pair, in order, unknown identifiers included. */
  settings: Setting[];
}

export interface PushPromiseFrame extends FrameHeader {
  type: 'PUSH_PROMISE';
  endHeaders: boolean;
  padLength: number;
  promisedStreamId: number;
  fragment: Uint8Array;
}

export interface PingFrame extends FrameHeader {
  type: 'PING';
  ack: boolean;
  opaqueData: Uint8Array;
}

export interface GoawayFrame extends FrameHeader {
  type: 'GOAWAY';
  lastStreamId: number;
  errorCode: number;
  debugData: Uint8Array;
}

export interface WindowUpdateFrame extends FrameHeader {
  type: 'WINDOW_UPDATE';
  windowSizeIncrement: number;
}

export interface ContinuationFrame extends FrameHeader {
  type: 'CONTINUATION';
  endHeaders: boolean;
  fragment: Uint8Array;
}

export type Frame =
  | DataFrame
  | HeadersFrame
  | PriorityFrame
  | RstStreamFrame
  | SettingsFrame
  | PushPromiseFrame
  | PingFrame
  | GoawayFrame
  | WindowUpdateFrame
  | ContinuationFrame;

/** An error detected in the byte stream, reported in the output list in place of a frame. */
export interface FrameError {
  type: 'error';
  code: ErrorCodeName;
  /** 'connection': the parser stops; 'stream': the offending frame is dropped and parsing goes on. */
  scope: 'connection' | 'stream';
  /** Stream identifier of the frame that caused the error (0 for a bad connection preface). */
  streamId: number;
  message: string;
}

export type ParserEvent = Frame | FrameError;

export interface FrameParserOptions {
  /** Consume and check the 24-octet client connection preface first (a server's parser). Default false. */
  expectPreface?: boolean;
  /** The largest payload accepted (our SETTINGS_MAX_FRAME_SIZE). Default 16384. */
  maxFrameSize?: number;
}

/** The client connection preface (RFC 9113 §3.4). */
export const CONNECTION_PREFACE = 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n';

const PREFACE = Buffer.from(CONNECTION_PREFACE, 'latin1');
const TYPE_NAMES: readonly FrameTypeName[] = [
  'DATA',
  'HEADERS',
  'PRIORITY',
  'RST_STREAM',
  'SETTINGS',
  'PUSH_PROMISE',
  'PING',
  'GOAWAY',
  'WINDOW_UPDATE',
  'CONTINUATION',
];
const DEFAULT_MAX_FRAME_SIZE = 16_384;
const MAX_MAX_FRAME_SIZE = 16_777_215;
const HEADER_SIZE = 9;
const END_STREAM = 0x1;
const ACK = 0x1;
const END_HEADERS = 0x4;
const PADDED = 0x8;
const PRIORITY_FLAG = 0x20;
const EMPTY = Buffer.alloc(0);

type Phase = 'preface' | 'header' | 'payload' | 'skip' | 'dead';

export class FrameParser {
  private phase: Phase;
  private limit: number;
  private prefaceSeen = 0;
  private readonly header = Buffer.alloc(HEADER_SIZE);
  private headerFill = 0;
  // The frame being read.
  private length = 0;
  private typeCode = 0;
  private flags = 0;
  private streamId = 0;
  private payload: Buffer | null = null;
  private payloadFill = 0;
  private skipLeft = 0;
  /** Stream whose header block is open (HEADERS/PUSH_PROMISE without END_HEADERS), or -1. */
  private openBlock = -1;

  constructor(options: FrameParserOptions = {}) {
    this.limit = DEFAULT_MAX_FRAME_SIZE;
    if (options.maxFrameSize !== undefined) this.setMaxFrameSize(options.maxFrameSize);
    this.phase = options.expectPreface ? 'preface' : 'header';
  }

  /** The largest payload currently accepted. */
  get maxFrameSize(): number {
    return this.limit;
  }

  /** Sets the largest payload accepted (after our SETTINGS_MAX_FRAME_SIZE was acknowledged). */
  setMaxFrameSize(size: number): void {
    if (!Number.isInteger(size) || size < DEFAULT_MAX_FRAME_SIZE || size > MAX_MAX_FRAME_SIZE) {
      throw new RangeError(`max frame size must be an integer in [16384, 16777215], got ${size}`);
    }
    this.limit = size;
  }

  /** Feeds one chunk; returns the frames (and errors) it completed, in order. */
  push(chunk: Uint8Array): ParserEvent[] {
    const out: ParserEvent[] = [];
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let pos = 0;
    const end = bytes.length;
    while (pos < end && this.phase !== 'dead') {
      switch (this.phase) {
        case 'preface': {
          while (pos < end && this.prefaceSeen < PREFACE.length) {
            if (bytes[pos] !== PREFACE[this.prefaceSeen]) {
              this.fail(out, 'PROTOCOL_ERROR', 'connection', 0, `invalid connection preface at octet ${this.prefaceSeen}`);
              return out;
            }
            pos++;
            this.prefaceSeen++;
          }
          if (this.prefaceSeen === PREFACE.length) this.phase = 'header';
          break;
        }
        case 'header': {
          if (this.headerFill === 0 && end - pos >= HEADER_SIZE) {
            this.readHeader(bytes, pos);
            pos += HEADER_SIZE;
          } else {
            const n = Math.min(HEADER_SIZE - this.headerFill, end - pos);
            bytes.copy(this.header, this.headerFill, pos, pos + n);
            this.headerFill += n;
            pos += n;
            if (this.headerFill < HEADER_SIZE) break;
            this.headerFill = 0;
            this.readHeader(this.header, 0);
          }
          this.onHeader(out);
          break;
        }
        case 'skip': {
          const n = Math.min(this.skipLeft, end - pos);
          this.skipLeft -= n;
          pos += n;
          if (this.skipLeft === 0) this.phase = 'header';
          break;
        }
        case 'payload': {
          if (this.payloadFill === 0 && end - pos >= this.length) {
            const payload = bytes.subarray(pos, pos + this.length); // a view: no copy
            pos += this.length;
            this.phase = 'header';
            this.onPayload(payload, out);
          } else {
            if (!this.payload) this.payload = Buffer.allocUnsafe(this.length);
            const n = Math.min(this.length - this.payloadFill, end - pos);
            bytes.copy(this.payload, this.payloadFill, pos, pos + n);
            this.payloadFill += n;
            pos += n;
            if (this.payloadFill === this.length) {
              const payload = this.payload;
              this.payload = null;
              this.payloadFill = 0;
              this.phase = 'header';
              this.onPayload(payload, out);
            }
          }
          break;
        }
      }
    }
    return out;
  }

  /** Feeds several chunks in turn (one call for many small chunks); returns everything they completed. */
  pushAll(chunks: Uint8Array[]): ParserEvent[] {
    const out: ParserEvent[] = [];
    for (const chunk of chunks) {
      for (const event of this.push(chunk)) out.push(event);
    }
    return out;
  }

  private readHeader(b: Buffer, at: number): void {
    this.length = (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
    this.typeCode = b[at + 3]!;
    this.flags = b[at + 4]!;
    this.streamId = b.readUInt32BE(at + 5) & 0x7fffffff;
  }

  private fail(out: ParserEvent[], code: ErrorCodeName, scope: 'connection' | 'stream', streamId: number, message: string): void {
    out.push({ type: 'error', code, scope, streamId, message });
    if (scope === 'connection') {
      this.phase = 'dead';
      this.payload = null;
    }
  }

  /** Drops the current frame's payload after a stream error. */
  private skipPayload(): void {
    this.skipLeft = this.length;
    this.phase = this.length > 0 ? 'skip' : 'header';
  }

  /** Everything the header alone decides. Sets the next phase. */
  private onHeader(out: ParserEvent[]): void {
    const { length, typeCode, streamId } = this;
    const name = TYPE_NAMES[typeCode];
    if (this.openBlock >= 0 && (typeCode !== 9 || streamId !== this.openBlock)) {
      this.fail(out, 'PROTOCOL_ERROR', 'connection', streamId,
        `header block of stream ${this.openBlock} is open: only CONTINUATION frames of that stream may follow, got ${name ?? `type 0x${typeCode.toString(16)}`} on stream ${streamId}`);
      return;
    }
    if (length > this.limit) {
      this.fail(out, 'FRAME_SIZE_ERROR', 'connection', streamId, `frame length ${length} exceeds the maximum frame size ${this.limit}`);
      return;
    }
    if (name === undefined) {
      // Unknown type: ignored (RFC 9113 §4.1, §5.5), its payload skipped without buffering.
      this.skipPayload();
      return;
    }
    const mustBeZero = name === 'SETTINGS' || name === 'PING' || name === 'GOAWAY';
    if (mustBeZero && streamId !== 0) {
      this.fail(out, 'PROTOCOL_ERROR', 'connection', streamId, `${name} must be sent on stream 0, not ${streamId}`);
      return;
    }
    if (!mustBeZero && name !== 'WINDOW_UPDATE' && streamId === 0) {
      this.fail(out, 'PROTOCOL_ERROR', 'connection', 0, `${name} must not be sent on stream 0`);
      return;
    }
    if (name === 'CONTINUATION' && this.openBlock < 0) {
      this.fail(out, 'PROTOCOL_ERROR', 'connection', streamId, 'CONTINUATION without an open header block');
      return;
    }
    const sizeError = (scope: 'connection' | 'stream', what: string) => {
      this.fail(out, 'FRAME_SIZE_ERROR', scope, streamId, `${name} ${what}, got length ${length}`);
      if (scope === 'stream') this.skipPayload();
    };
    switch (name) {
      case 'PRIORITY':
        if (length !== 5) return sizeError('stream', 'payload must be 5 octets');
        break;
      case 'RST_STREAM':
        if (length !== 4) return sizeError('connection', 'payload must be 4 octets');
        break;
      case 'SETTINGS':
        if (this.flags & ACK && length !== 0) return sizeError('connection', 'ACK must have an empty payload');
        if (length % 6 !== 0) return sizeError('connection', 'payload must be a multiple of 6 octets');
        break;
      case 'PING':
        if (length !== 8) return sizeError('connection', 'payload must be 8 octets');
        break;
      case 'GOAWAY':
        if (length < 8) return sizeError('connection', 'payload must be at least 8 octets');
        break;
      case 'WINDOW_UPDATE':
        if (length !== 4) return sizeError('connection', 'payload must be 4 octets');
        break;
      default:
        break;
    }
    if (length === 0) {
      this.phase = 'header';
      this.onPayload(EMPTY, out);
    } else {
      this.phase = 'payload';
      this.payloadFill = 0;
    }
  }

  /** Decodes a complete payload of a known type whose header passed the checks. */
  private onPayload(p: Buffer, out: ParserEvent[]): void {
    const { length, flags, streamId } = this;
    const base = { length, flags, streamId };
    const name = TYPE_NAMES[this.typeCode]!;
    switch (name) {
      case 'DATA': {
        const body = this.unpad(p, 0, out);
        if (!body) return;
        out.push({ type: 'DATA', ...base, endStream: (flags & END_STREAM) !== 0, padLength: body.padLength, data: body.bytes });
        return;
      }
      case 'HEADERS': {
        const hasPriority = (flags & PRIORITY_FLAG) !== 0;
        const body = this.unpad(p, hasPriority ? 5 : 0, out);
        if (!body) return;
        const priority = hasPriority ? readPriority(p, (flags & PADDED) !== 0 ? 1 : 0) : null;
        this.openBlock = (flags & END_HEADERS) !== 0 ? -1 : streamId;
        out.push({
          type: 'HEADERS',
          ...base,
          endStream: (flags & END_STREAM) !== 0,
          endHeaders: (flags & END_HEADERS) !== 0,
          padLength: body.padLength,
          priority,
          fragment: body.bytes,
        });
        return;
      }
      case 'PRIORITY':
        out.push({ type: 'PRIORITY', ...base, priority: readPriority(p, 0) });
        return;
      case 'RST_STREAM':
        out.push({ type: 'RST_STREAM', ...base, errorCode: p.readUInt32BE(0) });
        return;
      case 'SETTINGS': {
        const settings: Setting[] = [];
        for (let at = 0; at < length; at += 6) {
          const id = p.readUInt16BE(at);
          const value = p.readUInt32BE(at + 2);
          const problem = checkSetting(id, value);
          if (problem) {
            this.fail(out, problem.code, 'connection', 0, problem.message);
            return;
          }
          settings.push({ id, value });
        }
        out.push({ type: 'SETTINGS', ...base, ack: (flags & ACK) !== 0, settings });
        return;
      }
      case 'PUSH_PROMISE': {
        const body = this.unpad(p, 4, out);
        if (!body) return;
        const promisedStreamId = p.readUInt32BE((flags & PADDED) !== 0 ? 1 : 0) & 0x7fffffff;
        this.openBlock = (flags & END_HEADERS) !== 0 ? -1 : streamId;
        out.push({
          type: 'PUSH_PROMISE',
          ...base,
          endHeaders: (flags & END_HEADERS) !== 0,
          padLength: body.padLength,
          promisedStreamId,
          fragment: body.bytes,
        });
        return;
      }
      case 'PING':
        out.push({ type: 'PING', ...base, ack: (flags & ACK) !== 0, opaqueData: p });
        return;
      case 'GOAWAY':
        out.push({
          type: 'GOAWAY',
          ...base,
          lastStreamId: p.readUInt32BE(0) & 0x7fffffff,
          errorCode: p.readUInt32BE(4),
          debugData: p.subarray(8),
        });
        return;
      case 'WINDOW_UPDATE': {
        const increment = p.readUInt32BE(0) & 0x7fffffff;
        if (increment === 0) {
          // Zero increment: a stream error on a stream, a connection error on stream 0 (RFC 9113 §6.9).
          this.fail(out, 'PROTOCOL_ERROR', streamId === 0 ? 'connection' : 'stream', streamId, 'WINDOW_UPDATE increment of 0');
          return;
        }
        out.push({ type: 'WINDOW_UPDATE', ...base, windowSizeIncrement: increment });
        return;
      }
      case 'CONTINUATION':
        if ((flags & END_HEADERS) !== 0) this.openBlock = -1;
        out.push({ type: 'CONTINUATION', ...base, endHeaders: (flags & END_HEADERS) !== 0, fragment: p });
        return;
    }
  }

  /**
   * Splits a payload that may be PADDED: [pad length] [fixed fields of `fixed` octets] [content] [padding].
   * Returns the content and the pad length, or null after reporting the error.
   */
  private unpad(p: Buffer, fixed: number, out: ParserEvent[]): { bytes: Buffer; padLength: number } | null {
    const padded = (this.flags & PADDED) !== 0;
    const head = (padded ? 1 : 0) + fixed;
    if (p.length < head) {
      this.fail(out, 'FRAME_SIZE_ERROR', 'connection', this.streamId, `payload of ${p.length} octets is too short for its fixed fields (${head})`);
      return null;
    }
    const padLength = padded ? p[0]! : 0;
    if (padLength > p.length - head) {
      this.fail(out, 'PROTOCOL_ERROR', 'connection', this.streamId, `pad length ${padLength} leaves no room in a payload of ${p.length} octets`);
      return null;
    }
    return { bytes: p.subarray(head, p.length - padLength), padLength };
  }
}

function readPriority(p: Buffer, at: number): Priority {
  const word = p.readUInt32BE(at);
  return { exclusive: (word & 0x80000000) !== 0, dependency: word & 0x7fffffff, weight: p[at + 4]! + 1 };
}

function checkSetting(id: number, value: number): { code: ErrorCodeName; message: string } | null {
  switch (id) {
    case 0x2: // SETTINGS_ENABLE_PUSH
      return value > 1 ? { code: 'PROTOCOL_ERROR', message: `SETTINGS_ENABLE_PUSH must be 0 or 1, got ${value}` } : null;
    case 0x4: // SETTINGS_INITIAL_WINDOW_SIZE
      return value > 0x7fffffff
        ? { code: 'FLOW_CONTROL_ERROR', message: `SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1: ${value}` }
        : null;
    case 0x5: // SETTINGS_MAX_FRAME_SIZE
      return value < DEFAULT_MAX_FRAME_SIZE || value > MAX_MAX_FRAME_SIZE
        ? { code: 'PROTOCOL_ERROR', message: `SETTINGS_MAX_FRAME_SIZE outside [16384, 16777215]: ${value}` }
        : null;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/** Error code numbers (RFC 9113 §7). */
export const ERROR_CODES: Readonly<Record<ErrorCodeName, number>> = {
  NO_ERROR: 0x0,
  PROTOCOL_ERROR: 0x1,
  INTERNAL_ERROR: 0x2,
  FLOW_CONTROL_ERROR: 0x3,
  SETTINGS_TIMEOUT: 0x4,
  STREAM_CLOSED: 0x5,
  FRAME_SIZE_ERROR: 0x6,
  REFUSED_STREAM: 0x7,
  CANCEL: 0x8,
  COMPRESSION_ERROR: 0x9,
  CONNECT_ERROR: 0xa,
  ENHANCE_YOUR_CALM: 0xb,
  INADEQUATE_SECURITY: 0xc,
  HTTP_1_1_REQUIRED: 0xd,
};

/** The name of an error code number; unknown codes (allowed on the wire, §7) become 'UNKNOWN_0x..'. */
export function errorCodeName(code: number): string {
  for (const [name, value] of Object.entries(ERROR_CODES)) if (value === code) return name;
  return `UNKNOWN_0x${code.toString(16)}`;
}

/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export const SETTINGS = {
  HEADER_TABLE_SIZE: 0x1,
  ENABLE_PUSH: 0x2,
  MAX_CONCURRENT_STREAMS: 0x3,
  INITIAL_WINDOW_SIZE: 0x4,
  MAX_FRAME_SIZE: 0x5,
  MAX_HEADER_LIST_SIZE: 0x6,
} as const;

/** The largest flow-control window (RFC 9113 §6.9.1): 2^31 - 1. */
export const MAX_WINDOW = 0x7fffffff;
/** Initial window of the connection and of every stream until SETTINGS say otherwise (RFC 9113 §6.9.2). */
export const DEFAULT_WINDOW = 65_535;

/** What encodeFrame accepts: a frame's type, stream and payload fields (length and flags are computed). */
export type FrameToEncode =
  | { type: 'DATA'; streamId: number; data: Uint8Array; endStream?: boolean }
  | { type: 'HEADERS'; streamId: number; fragment: Uint8Array; endStream?: boolean; endHeaders?: boolean }
  | { type: 'PRIORITY'; streamId: number; priority: Priority }
  | { type: 'RST_STREAM'; streamId: number; errorCode: number }
  | { type: 'SETTINGS'; ack?: boolean; settings?: Setting[] }
  | { type: 'PUSH_PROMISE'; streamId: number; promisedStreamId: number; fragment: Uint8Array; endHeaders?: boolean }
  | { type: 'PING'; ack?: boolean; opaqueData: Uint8Array }
  | { type: 'GOAWAY'; lastStreamId: number; errorCode: number; debugData?: Uint8Array }
  | { type: 'WINDOW_UPDATE'; streamId: number; windowSizeIncrement: number }
  | { type: 'CONTINUATION'; streamId: number; fragment: Uint8Array; endHeaders?: boolean };

function header(length: number, type: number, flags: number, streamId: number): Buffer {
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUIntBE(length, 0, 3);
  h[3] = type;
  h[4] = flags;
  h.writeUInt32BE(streamId & 0x7fffffff, 5);
  return h;
}

/** One frame as bytes (9-octet header + payload). No padding, no priority fields. */
export function encodeFrame(f: FrameToEncode): Buffer {
  const code = TYPE_NAMES.indexOf(f.type);
  let flags = 0;
  let streamId = 0;
  let payload: Buffer;
  switch (f.type) {
    case 'DATA':
      flags = f.endStream ? END_STREAM : 0;
      streamId = f.streamId;
      payload = Buffer.from(f.data.buffer, f.data.byteOffset, f.data.byteLength);
      break;
    case 'HEADERS':
      flags = (f.endStream ? END_STREAM : 0) | (f.endHeaders === false ? 0 : END_HEADERS);
      streamId = f.streamId;
      payload = Buffer.from(f.fragment.buffer, f.fragment.byteOffset, f.fragment.byteLength);
      break;
    case 'PRIORITY': {
      streamId = f.streamId;
      payload = Buffer.alloc(5);
      payload.writeUInt32BE(((f.priority.exclusive ? 0x80000000 : 0) | f.priority.dependency) >>> 0, 0);
      payload[4] = f.priority.weight - 1;
      break;
    }
    case 'RST_STREAM':
      streamId = f.streamId;
      payload = Buffer.alloc(4);
      payload.writeUInt32BE(f.errorCode >>> 0, 0);
      break;
    case 'SETTINGS': {
      flags = f.ack ? ACK : 0;
      const list = f.ack ? [] : f.settings ?? [];
      payload = Buffer.alloc(6 * list.length);
      list.forEach((s, i) => {
        payload.writeUInt16BE(s.id, i * 6);
        payload.writeUInt32BE(s.value >>> 0, i * 6 + 2);
      });
      break;
    }
    case 'PUSH_PROMISE':
      flags = f.endHeaders === false ? 0 : END_HEADERS;
      streamId = f.streamId;
      payload = Buffer.alloc(4 + f.fragment.byteLength);
      payload.writeUInt32BE(f.promisedStreamId & 0x7fffffff, 0);
      payload.set(f.fragment, 4);
      break;
    case 'PING':
      flags = f.ack ? ACK : 0;
      payload = Buffer.alloc(8);
      payload.set(f.opaqueData.subarray(0, 8));
      break;
    case 'GOAWAY': {
      const debug = f.debugData ?? EMPTY;
      payload = Buffer.alloc(8 + debug.byteLength);
      payload.writeUInt32BE(f.lastStreamId & 0x7fffffff, 0);
      payload.writeUInt32BE(f.errorCode >>> 0, 4);
      payload.set(debug, 8);
      break;
    }
    case 'WINDOW_UPDATE':
      streamId = f.streamId;
      payload = Buffer.alloc(4);
      payload.writeUInt32BE(f.windowSizeIncrement & 0x7fffffff, 0);
      break;
    case 'CONTINUATION':
      flags = f.endHeaders === false ? 0 : END_HEADERS;
      streamId = f.streamId;
      payload = Buffer.from(f.fragment.buffer, f.fragment.byteOffset, f.fragment.byteLength);
      break;
  }
  return Buffer.concat([header(payload.length, code, flags, streamId), payload]);
}

/**
 * A whole header block as HEADERS + as many CONTINUATION frames as it needs, none longer than maxFrameSize
 * (RFC 9113 §4.3, §6.10). Write them back to back: nothing may come between them on the connection.
 */
export function encodeHeaderBlock(
  streamId: number,
  block: Uint8Array,
  options: { endStream?: boolean; maxFrameSize?: number } = {},
): Buffer[] {
  const max = options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
  const frames: Buffer[] = [];
  let at = 0;
  do {
    const piece = block.subarray(at, at + max);
    at += piece.length;
    const last = at >= block.length;
    frames.push(
      frames.length === 0
        ? encodeFrame({ type: 'HEADERS', streamId, fragment: piece, endStream: options.endStream, endHeaders: last })
        : encodeFrame({ type: 'CONTINUATION', streamId, fragment: piece, endHeaders: last }),
    );
  } while (at < block.length);
  return frames;
}
