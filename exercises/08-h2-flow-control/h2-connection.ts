// Exercise 8: the HTTP/2 connection layer: stream states and flow control (RFC 9113 §5.1, §5.2, §6.9). Read
// README.md first. Replace every `throw new Error('not implemented')` with your code. Keep the exported names and
// signatures: the grader calls them. Check your work with `npx course check h2-flow-control`.
//
// Given (ready to use, not graded): ./h2-codec (FrameParser, encodeFrame, encodeHeaderBlock, constants) and
// ./hpack (HpackDecoder, HpackEncoder). Their code is minified; read their API, with its documentation and
// examples, in h2-codec.d.ts and hpack.d.ts beside this file. Put all your code in this file.

import net from 'node:net';
import {
  DEFAULT_WINDOW,
  ERROR_CODES,
  FrameParser,
  MAX_WINDOW,
  SETTINGS,
  encodeFrame,
  encodeHeaderBlock,
  errorCodeName,
  type ErrorCodeName,
  type Frame,
  type FrameToEncode,
  type Setting,
} from './h2-codec';
import { HpackDecoder, HpackEncoder, type HeaderField } from './hpack';

// (Imported for you; remove what you do not use.)
void [net, DEFAULT_WINDOW, ERROR_CODES, FrameParser, MAX_WINDOW, SETTINGS, encodeFrame, encodeHeaderBlock, errorCodeName, HpackDecoder, HpackEncoder];
export type { HeaderField, Setting };

export type Role = 'client' | 'server';

/** The stream states of RFC 9113 §5.1. */
export type StreamState =
  | 'idle'
  | 'reserved-local'
  | 'reserved-remote'
  | 'open'
  | 'half-closed-local'
  | 'half-closed-remote'
  | 'closed';

/** An error that a received frame causes (RFC 9113 §5.4): what the endpoint must answer with. */
export interface ProtocolError {
  type: 'error';
  code: ErrorCodeName;
  /** 'connection': send GOAWAY and close; 'stream': send RST_STREAM on streamId and go on. */
  scope: 'connection' | 'stream';
  /** The stream of the offending frame (0 for the connection). */
  streamId: number;
  message: string;
}

/** Throw this (given, complete) from StreamTable.send when sending a frame would break the protocol. */
export class H2Error extends Error {
  constructor(
    readonly code: ErrorCodeName,
    readonly streamId: number,
    message: string,
  ) {
    super(message);
    this.name = 'H2Error';
  }
}

export interface StreamTableOptions {
  role: Role;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE: the receive window every stream starts with. Default 65535. */
  initialWindowSize?: number;
  /** Our SETTINGS_MAX_CONCURRENT_STREAMS: how many streams the peer may have open at once. Default: no limit. */
  maxConcurrentStreams?: number;
  /** Our SETTINGS_ENABLE_PUSH (a client's): whether the server may push. Default false. */
  enablePush?: boolean;
}

/** The peer's settings that matter to the sender (RFC 9113 §6.5.2); defaults until its SETTINGS arrive. */
export interface PeerSettings {
  initialWindowSize: number;
  maxConcurrentStreams: number;
  maxFrameSize: number;
}

/** What StreamTable.send accepts: the frame as it will be encoded. */
export type OutgoingFrame = FrameToEncode;

/**
 * The pure part: the state of every stream and the four windows (connection and stream, each way). It sends
 * nothing and has no socket: it is told every frame received and every frame about to be sent.
 */
export class StreamTable {
  constructor(options: StreamTableOptions) {
    void options;
    throw new Error('not implemented');
  }

  /** The state of a stream (RFC 9113 §5.1). */
  state(streamId: number): StreamState {
    void streamId;
    throw new Error('not implemented');
  }

  /** How much DATA we may still send: on the connection (0) or a stream. May be negative (§6.9.2). */
  sendWindow(streamId: number): number {
    void streamId;
    throw new Error('not implemented');
  }

  /** How much DATA the peer may still send us: on the connection (0) or a stream. */
  receiveWindow(streamId: number): number {
    void streamId;
    throw new Error('not implemented');
  }

  /** The peer's settings in force. */
  peerSettings(): PeerSettings {
    throw new Error('not implemented');
  }

  /** The GOAWAY received, if any. */
  goaway(): { lastStreamId: number; errorCode: number } | null {
    throw new Error('not implemented');
  }

  /** Applies a frame received from the peer (as FrameParser returns it); returns the error it causes, or null. */
  receive(frame: Frame): ProtocolError | null {
    void frame;
    throw new Error('not implemented');
  }

  /** Records a frame we are about to send; throws H2Error when sending it would break the protocol. */
  send(frame: OutgoingFrame): void {
    void frame;
    throw new Error('not implemented');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The client

export type Headers = Record<string, string>;

export interface RequestSpec {
  path: string;
  /** Default GET, or POST when there is a body. */
  method?: string;
  headers?: Headers;
  body?: Uint8Array;
  /** Cancel the stream (RST_STREAM CANCEL) once this many response body octets have arrived. */
  cancelAfter?: number;
}

export interface StreamFailure {
  /** reset: the peer sent RST_STREAM; goaway: above GOAWAY's last-stream-id; cancelled: we reset it (cancelAfter);
   * protocol: we detected a stream error; connection: the connection failed or closed first. */
  reason: 'reset' | 'goaway' | 'cancelled' | 'protocol' | 'connection';
  /** The error code name (RST_STREAM's, GOAWAY's, ours). */
  code: string;
  /** true when the request was certainly not processed and may be sent again (REFUSED_STREAM, above GOAWAY). */
  retryable: boolean;
  message: string;
}

export interface ResponseResult {
  path: string;
  /** The stream the request went on (0 if it was never sent). */
  streamId: number;
  status: number | null;
  /** Response header fields (pseudo-headers left out), names in lower case. */
  headers: Headers;
  body: Uint8Array;
  trailers: Headers | null;
  error: StreamFailure | null;
}

export interface ClientOptions {
  /** Our SETTINGS_INITIAL_WINDOW_SIZE (each response stream's receive window). Default 65535. */
  initialWindowSize?: number;
}

export class H2Client {
  constructor(options: ClientOptions = {}) {
    void options;
    throw new Error('not implemented');
  }

  /** Opens an h2c connection (prior knowledge: preface + SETTINGS) and waits for the server's SETTINGS. */
  async connect(host: string, port: number): Promise<void> {
    void host;
    void port;
    throw new Error('not implemented');
  }

  /** Sends every request concurrently (within the server's limit) and resolves with the results, in order. */
  async fetchAll(requests: RequestSpec[]): Promise<ResponseResult[]> {
    void requests;
    throw new Error('not implemented');
  }

  /** Sends GOAWAY and closes the connection. */
  async close(): Promise<void> {
    throw new Error('not implemented');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The server

export interface Resource {
  status?: number;
  headers?: Headers;
  body: Uint8Array;
  trailers?: Headers;
}

export interface ServerOptions {
  /** What GET <path> answers; other paths get 404. A request with a body is answered 200 with the same body. */
  resources: Record<string, Resource>;
  /** Our SETTINGS_INITIAL_WINDOW_SIZE (each request stream's receive window). Default 65535. */
  initialWindowSize?: number;
  /** Our SETTINGS_MAX_CONCURRENT_STREAMS. Default: no limit. */
  maxConcurrentStreams?: number;
}

export class H2Server {
  constructor(options: ServerOptions) {
    void options;
    throw new Error('not implemented');
  }

  /** Listens (port 0: any free port) and resolves with the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    void port;
    void host;
    throw new Error('not implemented');
  }

  /** Sends GOAWAY on every connection and stops listening. */
  async close(): Promise<void> {
    throw new Error('not implemented');
  }
}
