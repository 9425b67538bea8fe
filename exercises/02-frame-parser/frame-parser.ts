// Exercise 02: a streaming HTTP/2 frame parser (RFC 9113 §3.4, §4, §5.4, §6).
// Read README.md first. Keep the exported names and types: the grader calls them.
// Check your work: npx course check frame-parser

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

export class FrameParser {
  /** A parser for one direction of one connection. See FrameParserOptions. */
  constructor(options: FrameParserOptions = {}) {
    void options;
    throw new Error('not implemented');
  }

  /** The largest payload currently accepted. */
  get maxFrameSize(): number {
    throw new Error('not implemented');
  }

  /**
   * Sets the largest payload accepted (call it once the peer acknowledged our SETTINGS_MAX_FRAME_SIZE).
   * Throws a RangeError outside [16384, 16777215].
   */
  setMaxFrameSize(size: number): void {
    void size;
    throw new Error('not implemented');
  }

  /**
   * Feeds the next chunk of the byte stream (any size, cut anywhere). Returns the frames this chunk completed, in
   * order, and the errors detected, as FrameError items in the same list. After a connection error, returns [].
   */
  push(chunk: Uint8Array): ParserEvent[] {
    void chunk;
    throw new Error('not implemented');
  }

  /** Given: feeds several chunks in turn and returns everything they completed (the grader uses it to send
   * many small chunks in one call). You do not need to change it. */
  pushAll(chunks: Uint8Array[]): ParserEvent[] {
    const out: ParserEvent[] = [];
    for (const chunk of chunks) {
      for (const event of this.push(chunk)) out.push(event);
    }
    return out;
  }
}
