// h2-codec.d.ts: the API of h2-codec.js, the HTTP/2 frame codec (FrameParser, encoders), with its documentation.
// Generated (TypeScript declaration emit, private members left out) by scripts/build-given.js from
// solutions/08-h2-flow-control/given/h2-codec.ts. Do not edit: course authors change that and run the script again.

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

export type FrameTypeName = 'DATA' | 'HEADERS' | 'PRIORITY' | 'RST_STREAM' | 'SETTINGS' | 'PUSH_PROMISE' | 'PING' | 'GOAWAY' | 'WINDOW_UPDATE' | 'CONTINUATION';
export type ErrorCodeName = 'NO_ERROR' | 'PROTOCOL_ERROR' | 'INTERNAL_ERROR' | 'FLOW_CONTROL_ERROR' | 'SETTINGS_TIMEOUT' | 'STREAM_CLOSED' | 'FRAME_SIZE_ERROR' | 'REFUSED_STREAM' | 'CANCEL' | 'COMPRESSION_ERROR' | 'CONNECT_ERROR' | 'ENHANCE_YOUR_CALM' | 'INADEQUATE_SECURITY' | 'HTTP_1_1_REQUIRED';
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
export type Frame = DataFrame | HeadersFrame | PriorityFrame | RstStreamFrame | SettingsFrame | PushPromiseFrame | PingFrame | GoawayFrame | WindowUpdateFrame | ContinuationFrame;
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
export declare const CONNECTION_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
export declare class FrameParser {
    constructor(options?: FrameParserOptions);
    /** The largest payload currently accepted. */
    get maxFrameSize(): number;
    /** Sets the largest payload accepted (after our SETTINGS_MAX_FRAME_SIZE was acknowledged). */
    setMaxFrameSize(size: number): void;
    /** Feeds one chunk; returns the frames (and errors) it completed, in order. */
    push(chunk: Uint8Array): ParserEvent[];
    /** Feeds several chunks in turn (one call for many small chunks); returns everything they completed. */
    pushAll(chunks: Uint8Array[]): ParserEvent[];
}
/** Error code numbers (RFC 9113 §7). */
export declare const ERROR_CODES: Readonly<Record<ErrorCodeName, number>>;
/** The name of an error code number; unknown codes (allowed on the wire, §7) become 'UNKNOWN_0x..'. */
export declare function errorCodeName(code: number): string;
/** SETTINGS identifiers (RFC 9113 §6.5.2). */
export declare const SETTINGS: {
    readonly HEADER_TABLE_SIZE: 1;
    readonly ENABLE_PUSH: 2;
    readonly MAX_CONCURRENT_STREAMS: 3;
    readonly INITIAL_WINDOW_SIZE: 4;
    readonly MAX_FRAME_SIZE: 5;
    readonly MAX_HEADER_LIST_SIZE: 6;
};
/** The largest flow-control window (RFC 9113 §6.9.1): 2^31 - 1. */
export declare const MAX_WINDOW = 2147483647;
/** Initial window of the connection and of every stream until SETTINGS say otherwise (RFC 9113 §6.9.2). */
export declare const DEFAULT_WINDOW = 65535;
/** What encodeFrame accepts: a frame's type, stream and payload fields (length and flags are computed). */
export type FrameToEncode = {
    type: 'DATA';
    streamId: number;
    data: Uint8Array;
    endStream?: boolean;
} | {
    type: 'HEADERS';
    streamId: number;
    fragment: Uint8Array;
    endStream?: boolean;
    endHeaders?: boolean;
} | {
    type: 'PRIORITY';
    streamId: number;
    priority: Priority;
} | {
    type: 'RST_STREAM';
    streamId: number;
    errorCode: number;
} | {
    type: 'SETTINGS';
    ack?: boolean;
    settings?: Setting[];
} | {
    type: 'PUSH_PROMISE';
    streamId: number;
    promisedStreamId: number;
    fragment: Uint8Array;
    endHeaders?: boolean;
} | {
    type: 'PING';
    ack?: boolean;
    opaqueData: Uint8Array;
} | {
    type: 'GOAWAY';
    lastStreamId: number;
    errorCode: number;
    debugData?: Uint8Array;
} | {
    type: 'WINDOW_UPDATE';
    streamId: number;
    windowSizeIncrement: number;
} | {
    type: 'CONTINUATION';
    streamId: number;
    fragment: Uint8Array;
    endHeaders?: boolean;
};
/** One frame as bytes (9-octet header + payload). No padding, no priority fields. */
export declare function encodeFrame(f: FrameToEncode): Buffer;
/**
 * A whole header block as HEADERS + as many CONTINUATION frames as it needs, none longer than maxFrameSize
 * (RFC 9113 §4.3, §6.10). Write them back to back: nothing may come between them on the connection.
 */
export declare function encodeHeaderBlock(streamId: number, block: Uint8Array, options?: {
    endStream?: boolean;
    maxFrameSize?: number;
}): Buffer[];
