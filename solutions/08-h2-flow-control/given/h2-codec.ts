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

// (Author's note: the readable source of h2-codec.js and h2-codec.d.ts, which learners get in
// exercises/08-h2-flow-control/. `node scripts/build-given.js` builds them from the reference of exercise 2,
// solutions/02-frame-parser/frame-parser.ts, put in place of the `build-given:` line below, followed by the
// encoders of this file (which use that reference's private constants, such as TYPE_NAMES and HEADER_SIZE: this
// file type-checks only as that whole). There is no copy of the parser to keep in step: run the script after a
// change to either file, test/course/given-files.test.ts fails until then. Only the comment block above goes into
// the .d.ts; none of this source ships.)

// build-given: solutions/02-frame-parser/frame-parser.ts

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
