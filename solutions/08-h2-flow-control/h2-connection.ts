// Reference solution: the HTTP/2 connection layer above a frame codec (RFC 9113 §5.1 stream states, §5.1.1 stream
// identifiers, §5.1.2 concurrency, §5.2 and §6.9 flow control, §6.4 RST_STREAM, §6.8 GOAWAY).
//
// StreamTable is the pure part: it is told every frame received (receive) and every frame about to be sent (send)
// and keeps the state of each stream and the four kinds of window (connection and stream, each way). Endpoint
// puts it on a socket with the given codec and HPACK, and H2Client / H2Server are the two roles.

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

/** Thrown by StreamTable.send when sending the frame would break the protocol. */
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

interface StreamRecord {
  state: StreamState;
  /** How much DATA we may still send (may be negative after a SETTINGS change). */
  send: number;
  /** How much DATA the peer may still send us. */
  recv: number;
  /** Who reset the stream, if anyone. */
  reset: 'none' | 'local' | 'peer';
}

const ACTIVE: ReadonlySet<StreamState> = new Set(['open', 'half-closed-local', 'half-closed-remote']);

export class StreamTable {
  private readonly role: Role;
  /** Our settings in force: the defaults until the peer acknowledges the SETTINGS that announced ours. */
  private localInitial = DEFAULT_WINDOW;
  private localMaxConcurrent = Infinity;
  /** What we announced, applied when the peer's SETTINGS ACK arrives (§6.5.3). */
  private pendingLocal: { initialWindowSize: number; maxConcurrentStreams: number } | null;
  private readonly enablePush: boolean;
  private readonly streams = new Map<number, StreamRecord>();
  private connSend = DEFAULT_WINDOW;
  private connRecv = DEFAULT_WINDOW;
  private peer: PeerSettings = { initialWindowSize: DEFAULT_WINDOW, maxConcurrentStreams: Infinity, maxFrameSize: 16_384 };
  private lastLocalId = 0;
  private lastPeerId = 0;
  private goawayInfo: { lastStreamId: number; errorCode: number } | null = null;

  constructor(options: StreamTableOptions) {
    this.role = options.role;
    this.pendingLocal = {
      initialWindowSize: options.initialWindowSize ?? DEFAULT_WINDOW,
      maxConcurrentStreams: options.maxConcurrentStreams ?? Infinity,
    };
    this.enablePush = options.enablePush ?? false;
  }

  /** The state of a stream (RFC 9113 §5.1). Unused ids below one already opened are closed (§5.1.1). */
  state(streamId: number): StreamState {
    const rec = this.streams.get(streamId);
    if (rec) return rec.state;
    const last = this.isLocal(streamId) ? this.lastLocalId : this.lastPeerId;
    return streamId <= last ? 'closed' : 'idle';
  }

  /** How much DATA we may send: on the connection (0) or a stream. Negative windows are reported as they are. */
  sendWindow(streamId: number): number {
    if (streamId === 0) return this.connSend;
    const rec = this.streams.get(streamId);
    if (rec) return rec.send;
    return this.state(streamId) === 'idle' ? this.peer.initialWindowSize : 0;
  }

  /** How much DATA the peer may send us: on the connection (0) or a stream. */
  receiveWindow(streamId: number): number {
    if (streamId === 0) return this.connRecv;
    const rec = this.streams.get(streamId);
    if (rec) return rec.recv;
    return this.state(streamId) === 'idle' ? this.localInitial : 0;
  }

  /** The largest DATA payload we may send on a stream right now (never negative). */
  sendable(streamId: number): number {
    const rec = this.streams.get(streamId);
    if (!rec || (rec.state !== 'open' && rec.state !== 'half-closed-remote')) return 0;
    return Math.max(0, Math.min(rec.send, this.connSend, this.peer.maxFrameSize));
  }

  peerSettings(): PeerSettings {
    return { ...this.peer };
  }

  goaway(): { lastStreamId: number; errorCode: number } | null {
    return this.goawayInfo ? { ...this.goawayInfo } : null;
  }

  /** Streams in an active state (open or half-closed) opened by us ('local') or by the peer (§5.1.2). */
  activeStreams(initiator: 'local' | 'peer'): number {
    let n = 0;
    for (const [id, rec] of this.streams) {
      if (ACTIVE.has(rec.state) && this.isLocal(id) === (initiator === 'local')) n++;
    }
    return n;
  }

  /** Whether a new stream of ours may be opened now (the peer's MAX_CONCURRENT_STREAMS, no GOAWAY). */
  canOpenStream(): boolean {
    return !this.goawayInfo && this.activeStreams('local') < this.peer.maxConcurrentStreams;
  }

  /** Applies a frame received from the peer; returns the error it causes, or null. */
  receive(frame: Frame): ProtocolError | null {
    const id = frame.streamId;
    switch (frame.type) {
      case 'SETTINGS':
        if (frame.ack) {
          this.applyLocalSettings();
          return null;
        }
        return this.applySettings(frame.settings);
      case 'PING':
      case 'PRIORITY':
        return null;
      case 'GOAWAY': {
        this.goawayInfo = { lastStreamId: frame.lastStreamId, errorCode: frame.errorCode };
        // Our streams above last-stream-id were never processed by the peer: they are closed (§6.8).
        for (const [sid, rec] of this.streams) {
          if (this.isLocal(sid) && sid > frame.lastStreamId) rec.state = 'closed';
        }
        return null;
      }
      case 'WINDOW_UPDATE': {
        const inc = frame.windowSizeIncrement;
        if (id === 0) {
          if (inc === 0) return connErr('PROTOCOL_ERROR', 0, 'WINDOW_UPDATE with an increment of 0 on the connection (§6.9)');
          if (this.connSend + inc > MAX_WINDOW) {
            return connErr('FLOW_CONTROL_ERROR', 0, `connection window ${this.connSend} + ${inc} exceeds 2^31-1 (§6.9.1)`);
          }
          this.connSend += inc;
          return null;
        }
        const state = this.state(id);
        if (state === 'idle') return connErr('PROTOCOL_ERROR', id, `WINDOW_UPDATE on idle stream ${id} (§5.1)`);
        const rec = this.streams.get(id);
        if (state === 'closed' || !rec) return null;
        if (inc === 0) return streamErr('PROTOCOL_ERROR', id, 'WINDOW_UPDATE with an increment of 0 (§6.9)');
        if (rec.send + inc > MAX_WINDOW) {
          return streamErr('FLOW_CONTROL_ERROR', id, `stream ${id} window ${rec.send} + ${inc} exceeds 2^31-1 (§6.9.1)`);
        }
        rec.send += inc;
        return null;
      }
      case 'RST_STREAM': {
        const state = this.state(id);
        if (state === 'idle') return connErr('PROTOCOL_ERROR', id, `RST_STREAM on idle stream ${id} (§6.4)`);
        const rec = this.streams.get(id);
        if (state === 'closed' || !rec) return null;
        rec.state = 'closed';
        rec.reset = 'peer';
        return null;
      }
      case 'PUSH_PROMISE': {
        if (this.role === 'server') return connErr('PROTOCOL_ERROR', id, 'a client must not send PUSH_PROMISE (§8.4)');
        if (!this.enablePush) return connErr('PROTOCOL_ERROR', id, 'PUSH_PROMISE although SETTINGS_ENABLE_PUSH is 0 (§6.6)');
        const promised = frame.promisedStreamId;
        const assoc = this.state(id);
        if (assoc !== 'open' && assoc !== 'half-closed-local') {
          return connErr('PROTOCOL_ERROR', id, `PUSH_PROMISE on stream ${id} in state ${assoc} (§6.6)`);
        }
        if (promised % 2 !== 0 || promised <= this.lastPeerId) {
          return connErr('PROTOCOL_ERROR', id, `promised stream ${promised} is not a new even stream id (§5.1.1)`);
        }
        this.lastPeerId = promised;
        this.streams.set(promised, { state: 'reserved-remote', send: this.peer.initialWindowSize, recv: this.localInitial, reset: 'none' });
        return null;
      }
      case 'CONTINUATION':
        return this.state(id) === 'idle' ? connErr('PROTOCOL_ERROR', id, `CONTINUATION on idle stream ${id} (§5.1)`) : null;
      case 'HEADERS':
        return this.receiveHeaders(id, frame.endStream);
      case 'DATA':
        return this.receiveData(id, frame.length, frame.endStream);
    }
    return null;
  }

  private receiveHeaders(id: number, endStream: boolean): ProtocolError | null {
    const state = this.state(id);
    const rec = this.streams.get(id);
    switch (state) {
      case 'idle': {
        if (this.role === 'client' || this.isLocal(id)) {
          return connErr('PROTOCOL_ERROR', id, `HEADERS opening stream ${id}: a ${this.role === 'client' ? 'server opens no streams with HEADERS' : 'client uses odd stream ids'} (§5.1.1)`);
        }
        this.lastPeerId = id; // lower idle ids of the peer are now closed (§5.1.1)
        if (this.activeStreams('peer') >= this.localMaxConcurrent) {
          this.streams.set(id, { state: 'closed', send: 0, recv: 0, reset: 'local' });
          return streamErr('REFUSED_STREAM', id, `stream ${id} would exceed SETTINGS_MAX_CONCURRENT_STREAMS = ${this.localMaxConcurrent} (§5.1.2)`);
        }
        this.streams.set(id, {
          state: endStream ? 'half-closed-remote' : 'open',
          send: this.peer.initialWindowSize,
          recv: this.localInitial,
          reset: 'none',
        });
        return null;
      }
      case 'reserved-remote':
        rec!.state = endStream ? 'closed' : 'half-closed-local';
        return null;
      case 'reserved-local':
        return connErr('PROTOCOL_ERROR', id, `HEADERS on stream ${id} reserved by us (§5.1)`);
      case 'open':
        if (endStream) rec!.state = 'half-closed-remote';
        return null;
      case 'half-closed-local':
        if (endStream) rec!.state = 'closed';
        return null;
      case 'half-closed-remote':
        return streamErr('STREAM_CLOSED', id, `HEADERS on stream ${id} after the peer ended it (half-closed remote, §5.1)`);
      case 'closed':
        if (!rec) return connErr('PROTOCOL_ERROR', id, `HEADERS on stream ${id}, lower than a stream already opened (§5.1.1)`);
        if (rec.reset === 'local') return null; // sent before our RST_STREAM reached the peer: discard (§5.1)
        return streamErr('STREAM_CLOSED', id, `HEADERS on closed stream ${id} (§5.1)`);
    }
  }

  private receiveData(id: number, length: number, endStream: boolean): ProtocolError | null {
    const state = this.state(id);
    if (state === 'idle') return connErr('PROTOCOL_ERROR', id, `DATA on idle stream ${id} (§5.1)`);
    if (state === 'reserved-local' || state === 'reserved-remote') {
      return connErr('PROTOCOL_ERROR', id, `DATA on stream ${id} in state ${state} (§5.1)`);
    }
    // The whole payload (padding included) counts against the connection window, whatever the stream (§6.9.1).
    if (length > this.connRecv) {
      return connErr('FLOW_CONTROL_ERROR', id, `DATA of ${length} octets exceeds the connection receive window ${this.connRecv} (§6.9.1)`);
    }
    this.connRecv -= length;
    const rec = this.streams.get(id);
    if (state === 'closed') {
      if (rec?.reset === 'local') return null;
      return streamErr('STREAM_CLOSED', id, `DATA on closed stream ${id} (§5.1, §6.1)`);
    }
    if (state === 'half-closed-remote') {
      return streamErr('STREAM_CLOSED', id, `DATA on stream ${id} after the peer ended it (half-closed remote, §6.1)`);
    }
    if (length > rec!.recv) {
      return streamErr('FLOW_CONTROL_ERROR', id, `DATA of ${length} octets exceeds stream ${id}'s receive window ${rec!.recv} (§6.9.1)`);
    }
    rec!.recv -= length;
    if (endStream) rec!.state = state === 'open' ? 'half-closed-remote' : 'closed';
    return null;
  }

  /** The peer has acknowledged our SETTINGS: our announced values are now in force (§6.5.3). A new initial window
   * moves every stream's receive window by the difference, as the peer moved its send windows (§6.9.2). */
  private applyLocalSettings(): void {
    const pending = this.pendingLocal;
    if (!pending) return;
    this.pendingLocal = null;
    const delta = pending.initialWindowSize - this.localInitial;
    for (const rec of this.streams.values()) if (rec.state !== 'closed') rec.recv += delta;
    this.localInitial = pending.initialWindowSize;
    this.localMaxConcurrent = pending.maxConcurrentStreams;
  }

  private applySettings(settings: Setting[]): ProtocolError | null {
    for (const { id, value } of settings) {
      if (id === SETTINGS.INITIAL_WINDOW_SIZE) {
        if (value > MAX_WINDOW) return connErr('FLOW_CONTROL_ERROR', 0, `SETTINGS_INITIAL_WINDOW_SIZE ${value} exceeds 2^31-1 (§6.5.2)`);
        const delta = value - this.peer.initialWindowSize;
        // The change moves every stream window we keep, by the difference; windows may go negative (§6.9.2).
        for (const [sid, rec] of this.streams) {
          if (rec.state !== 'closed' && rec.send + delta > MAX_WINDOW) {
            return connErr('FLOW_CONTROL_ERROR', 0, `SETTINGS_INITIAL_WINDOW_SIZE change makes stream ${sid}'s window exceed 2^31-1 (§6.9.2)`);
          }
        }
        for (const rec of this.streams.values()) if (rec.state !== 'closed') rec.send += delta;
        this.peer.initialWindowSize = value;
      } else if (id === SETTINGS.MAX_CONCURRENT_STREAMS) {
        this.peer.maxConcurrentStreams = value;
      } else if (id === SETTINGS.MAX_FRAME_SIZE) {
        if (value < 16_384 || value > 16_777_215) return connErr('PROTOCOL_ERROR', 0, `SETTINGS_MAX_FRAME_SIZE ${value} out of range (§6.5.2)`);
        this.peer.maxFrameSize = value;
      } else if (id === SETTINGS.ENABLE_PUSH && value > 1) {
        return connErr('PROTOCOL_ERROR', 0, `SETTINGS_ENABLE_PUSH ${value} (§6.5.2)`);
      }
    }
    return null;
  }

  /** Records a frame we are about to send; throws H2Error when sending it would break the protocol. */
  send(frame: OutgoingFrame): void {
    switch (frame.type) {
      case 'HEADERS':
        return this.sendHeaders(frame.streamId, frame.endStream ?? false);
      case 'DATA': {
        const id = frame.streamId;
        const rec = this.streams.get(id);
        const state = this.state(id);
        if (!rec || (state !== 'open' && state !== 'half-closed-remote')) {
          throw new H2Error('STREAM_CLOSED', id, `cannot send DATA on stream ${id} in state ${state} (§5.1)`);
        }
        const length = frame.data.byteLength;
        if (length > this.peer.maxFrameSize) {
          throw new H2Error('FRAME_SIZE_ERROR', id, `DATA of ${length} octets exceeds the peer's SETTINGS_MAX_FRAME_SIZE ${this.peer.maxFrameSize} (§4.2)`);
        }
        // An empty DATA frame (typically with END_STREAM) may always be sent, whatever the windows (§6.9.1).
        if (length > 0 && (length > rec.send || length > this.connSend)) {
          throw new H2Error('FLOW_CONTROL_ERROR', id, `DATA of ${length} octets exceeds the send windows (stream ${rec.send}, connection ${this.connSend}) (§6.9.1)`);
        }
        rec.send -= length;
        this.connSend -= length;
        if (frame.endStream) rec.state = state === 'open' ? 'half-closed-local' : 'closed';
        return;
      }
      case 'RST_STREAM': {
        const id = frame.streamId;
        const state = this.state(id);
        if (state === 'idle') throw new H2Error('PROTOCOL_ERROR', id, `cannot reset idle stream ${id} (§5.1)`);
        const rec = this.streams.get(id);
        if (rec && state !== 'closed') {
          rec.state = 'closed';
          rec.reset = 'local';
        } else if (!rec) {
          this.streams.set(id, { state: 'closed', send: 0, recv: 0, reset: 'local' });
        }
        return;
      }
      case 'WINDOW_UPDATE': {
        const id = frame.streamId;
        const inc = frame.windowSizeIncrement;
        if (!Number.isInteger(inc) || inc < 1 || inc > MAX_WINDOW) throw new H2Error('PROTOCOL_ERROR', id, `bad WINDOW_UPDATE increment ${inc} (§6.9)`);
        if (id === 0) {
          if (this.connRecv + inc > MAX_WINDOW) throw new H2Error('FLOW_CONTROL_ERROR', 0, `connection receive window would exceed 2^31-1 (§6.9.1)`);
          this.connRecv += inc;
          return;
        }
        const state = this.state(id);
        if (state === 'idle') throw new H2Error('PROTOCOL_ERROR', id, `WINDOW_UPDATE on idle stream ${id} (§5.1)`);
        const rec = this.streams.get(id);
        if (!rec || state === 'closed') return;
        if (rec.recv + inc > MAX_WINDOW) throw new H2Error('FLOW_CONTROL_ERROR', id, `stream ${id} receive window would exceed 2^31-1 (§6.9.1)`);
        rec.recv += inc;
        return;
      }
      case 'PUSH_PROMISE': {
        const id = frame.streamId;
        const promised = frame.promisedStreamId;
        if (this.role === 'client') throw new H2Error('PROTOCOL_ERROR', id, 'a client cannot push (§8.4)');
        const assoc = this.state(id);
        if (assoc !== 'open' && assoc !== 'half-closed-remote') {
          throw new H2Error('PROTOCOL_ERROR', id, `cannot push on stream ${id} in state ${assoc} (§6.6)`);
        }
        if (!this.isLocal(promised) || promised <= this.lastLocalId) {
          throw new H2Error('PROTOCOL_ERROR', promised, `promised stream ${promised} must be a new even id (§5.1.1)`);
        }
        this.lastLocalId = promised;
        this.streams.set(promised, { state: 'reserved-local', send: this.peer.initialWindowSize, recv: this.localInitial, reset: 'none' });
        return;
      }
      default:
        return;
    }
  }

  private sendHeaders(id: number, endStream: boolean): void {
    const state = this.state(id);
    const rec = this.streams.get(id);
    switch (state) {
      case 'idle': {
        if (this.role === 'server' || !this.isLocal(id)) {
          throw new H2Error('PROTOCOL_ERROR', id, `a ${this.role} cannot open stream ${id} with HEADERS (§5.1.1)`);
        }
        if (this.goawayInfo) throw new H2Error('REFUSED_STREAM', id, 'no new streams after GOAWAY (§6.8)');
        if (this.activeStreams('local') >= this.peer.maxConcurrentStreams) {
          throw new H2Error('REFUSED_STREAM', id, `the peer allows ${this.peer.maxConcurrentStreams} concurrent streams (§5.1.2)`);
        }
        this.lastLocalId = id;
        this.streams.set(id, {
          state: endStream ? 'half-closed-local' : 'open',
          send: this.peer.initialWindowSize,
          recv: this.localInitial,
          reset: 'none',
        });
        return;
      }
      case 'reserved-local':
        rec!.state = endStream ? 'closed' : 'half-closed-remote';
        return;
      case 'open':
        if (endStream) rec!.state = 'half-closed-local';
        return;
      case 'half-closed-remote':
        if (endStream) rec!.state = 'closed';
        return;
      case 'closed':
        if (!rec) throw new H2Error('PROTOCOL_ERROR', id, `stream ${id} is lower than a stream already opened: ids must increase (§5.1.1)`);
        throw new H2Error('STREAM_CLOSED', id, `cannot send HEADERS on closed stream ${id} (§5.1)`);
      default:
        throw new H2Error('STREAM_CLOSED', id, `cannot send HEADERS on stream ${id} in state ${state} (§5.1)`);
    }
  }

  private isLocal(id: number): boolean {
    return (id % 2 === 1) === (this.role === 'client');
  }
}

function connErr(code: ErrorCodeName, streamId: number, message: string): ProtocolError {
  return { type: 'error', code, scope: 'connection', streamId, message };
}

function streamErr(code: ErrorCodeName, streamId: number, message: string): ProtocolError {
  return { type: 'error', code, scope: 'stream', streamId, message };
}

// ---------------------------------------------------------------------------------------------------------------
// The connection on a socket

export type Headers = Record<string, string>;

interface Outgoing {
  body: Buffer;
  offset: number;
  trailers: Headers | null;
}

interface EndpointHandlers {
  onHeaders(streamId: number, headers: HeaderField[], endStream: boolean): void;
  onData(streamId: number, data: Uint8Array, endStream: boolean): void;
  onReset(streamId: number, errorCode: number): void;
  onGoaway(lastStreamId: number, errorCode: number): void;
  /** A stream error we detected (we sent RST_STREAM). */
  onStreamError(streamId: number, code: ErrorCodeName): void;
  onSettings(): void;
  onClose(reason: string): void;
  onProgress(): void;
}

function headerList(headers: Headers): HeaderField[] {
  return Object.entries(headers).map(([k, v]) => [k.toLowerCase(), String(v)]);
}

/** One HTTP/2 connection on a socket: codec, HPACK, the stream table, and a DATA scheduler. */
class Endpoint {
  readonly table: StreamTable;
  private readonly parser: FrameParser;
  private readonly decoder = new HpackDecoder();
  private readonly encoder = new HpackEncoder();
  private readonly outgoing = new Map<number, Outgoing>();
  private block: { streamId: number; endStream: boolean; parts: Buffer[]; deliver: boolean } | null = null;
  private dead = false;

  constructor(
    private readonly socket: net.Socket,
    private readonly role: Role,
    private readonly settings: Setting[],
    tableOptions: StreamTableOptions,
    private readonly handlers: EndpointHandlers,
  ) {
    this.table = new StreamTable(tableOptions);
    this.parser = new FrameParser({ expectPreface: role === 'server' });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onChunk(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.dead = true;
      this.handlers.onClose('the connection closed');
    });
  }

  start(): void {
    if (this.role === 'client') this.socket.write(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'));
    this.write(encodeFrame({ type: 'SETTINGS', settings: this.settings }));
  }

  get closed(): boolean {
    return this.dead;
  }

  private write(bytes: Buffer): void {
    if (!this.dead && !this.socket.destroyed) this.socket.write(bytes);
  }

  sendHeaders(streamId: number, headers: HeaderField[], endStream: boolean): void {
    this.table.send({ type: 'HEADERS', streamId, fragment: new Uint8Array(0), endStream });
    const block = this.encoder.encode(headers);
    for (const f of encodeHeaderBlock(streamId, block, { endStream, maxFrameSize: this.table.peerSettings().maxFrameSize })) {
      this.write(f);
    }
  }

  /** Queues a body (and trailers); the scheduler sends it as the peer's windows allow. */
  sendBody(streamId: number, body: Uint8Array, trailers: Headers | null): void {
    this.outgoing.set(streamId, { body: Buffer.from(body), offset: 0, trailers });
    this.pump();
  }

  reset(streamId: number, code: ErrorCodeName): void {
    this.outgoing.delete(streamId);
    try {
      this.table.send({ type: 'RST_STREAM', streamId, errorCode: ERROR_CODES[code] });
    } catch {
      return;
    }
    this.write(encodeFrame({ type: 'RST_STREAM', streamId, errorCode: ERROR_CODES[code] }));
  }

  goawayAndClose(code: ErrorCodeName, message: string): void {
    if (this.dead) return;
    this.write(encodeFrame({ type: 'GOAWAY', lastStreamId: this.lastPeerStream(), errorCode: ERROR_CODES[code], debugData: Buffer.from(message.slice(0, 200)) }));
    this.dead = true;
    this.socket.end();
    this.handlers.onClose(`connection error ${code}: ${message}`);
  }

  private lastPeerStream(): number {
    let last = 0;
    for (let id = this.role === 'server' ? 1 : 2; ; id += 2) {
      if (this.table.state(id) === 'idle') break;
      last = id;
      if (id > 1 << 30) break;
    }
    return last;
  }

  /** Sends as much queued DATA as the windows allow, one frame per stream per round (fair interleaving). */
  pump(): void {
    let progress = true;
    while (progress && !this.dead) {
      progress = false;
      for (const [id, out] of this.outgoing) {
        const left = out.body.length - out.offset;
        const n = Math.min(left, this.table.sendable(id));
        if (n === 0 && left > 0) continue;
        const data = out.body.subarray(out.offset, out.offset + n);
        out.offset += n;
        const last = out.offset === out.body.length;
        const endStream = last && !out.trailers;
        this.table.send({ type: 'DATA', streamId: id, data, endStream });
        this.write(encodeFrame({ type: 'DATA', streamId: id, data, endStream }));
        if (last) {
          this.outgoing.delete(id);
          if (out.trailers) this.sendHeaders(id, headerList(out.trailers), true);
        }
        progress = true;
      }
    }
  }

  private onChunk(chunk: Buffer): void {
    if (this.dead) return;
    for (const event of this.parser.push(chunk)) {
      if (this.dead) return;
      if (event.type === 'error') {
        this.onError(event);
        continue;
      }
      this.onFrame(event);
    }
    this.handlers.onProgress();
  }

  private onError(error: { code: ErrorCodeName; scope: 'connection' | 'stream'; streamId: number; message: string }): void {
    if (error.scope === 'connection') {
      this.goawayAndClose(error.code, error.message);
      return;
    }
    this.reset(error.streamId, error.code);
    this.handlers.onStreamError(error.streamId, error.code);
  }

  private onFrame(frame: Frame): void {
    const id = frame.streamId;
    const locallyReset = id !== 0 && this.table.state(id) === 'closed';
    const error = this.table.receive(frame);
    if (error) this.onError(error);
    if (this.dead) return;
    switch (frame.type) {
      case 'SETTINGS':
        if (!frame.ack && !error) {
          this.write(encodeFrame({ type: 'SETTINGS', ack: true }));
          this.handlers.onSettings();
          this.pump();
        }
        return;
      case 'PING':
        if (!frame.ack) this.write(encodeFrame({ type: 'PING', ack: true, opaqueData: frame.opaqueData }));
        return;
      case 'WINDOW_UPDATE':
        this.pump();
        return;
      case 'HEADERS':
        this.block = { streamId: id, endStream: frame.endStream, parts: [Buffer.from(frame.fragment)], deliver: !error && !locallyReset };
        if (frame.endHeaders) this.finishBlock();
        return;
      case 'CONTINUATION':
        this.block?.parts.push(Buffer.from(frame.fragment));
        if (frame.endHeaders) this.finishBlock();
        return;
      case 'PUSH_PROMISE':
        // Decoded to keep HPACK in step; pushed responses are refused.
        this.block = { streamId: id, endStream: false, parts: [Buffer.from(frame.fragment)], deliver: false };
        if (frame.endHeaders) this.finishBlock();
        if (!error) this.reset(frame.promisedStreamId, 'REFUSED_STREAM');
        return;
      case 'DATA': {
        // Give back what the peer spent, at once: on the connection always (even for data we discard), on the
        // stream while the peer may still send on it (§6.9).
        if (frame.length > 0) {
          this.write(encodeFrame({ type: 'WINDOW_UPDATE', streamId: 0, windowSizeIncrement: frame.length }));
          this.table.send({ type: 'WINDOW_UPDATE', streamId: 0, windowSizeIncrement: frame.length });
        }
        const deliver = !error && !locallyReset;
        if (deliver && frame.length > 0 && !frame.endStream) {
          const state = this.table.state(id);
          if (state === 'open' || state === 'half-closed-local') {
            this.table.send({ type: 'WINDOW_UPDATE', streamId: id, windowSizeIncrement: frame.length });
            this.write(encodeFrame({ type: 'WINDOW_UPDATE', streamId: id, windowSizeIncrement: frame.length }));
          }
        }
        if (deliver) this.handlers.onData(id, frame.data, frame.endStream);
        return;
      }
      case 'RST_STREAM':
        if (!error && !locallyReset) {
          this.outgoing.delete(id);
          this.handlers.onReset(id, frame.errorCode);
        }
        return;
      case 'GOAWAY':
        for (const sid of [...this.outgoing.keys()]) if (sid > frame.lastStreamId && (sid % 2 === 1) === (this.role === 'client')) this.outgoing.delete(sid);
        this.handlers.onGoaway(frame.lastStreamId, frame.errorCode);
        return;
      default:
        return;
    }
  }

  private finishBlock(): void {
    const block = this.block!;
    this.block = null;
    let headers: HeaderField[];
    try {
      headers = this.decoder.decode(Buffer.concat(block.parts));
    } catch (err) {
      this.goawayAndClose('COMPRESSION_ERROR', err instanceof Error ? err.message : String(err));
      return;
    }
    if (block.deliver) this.handlers.onHeaders(block.streamId, headers, block.endStream);
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  endGracefully(): void {
    if (this.dead) return;
    this.write(encodeFrame({ type: 'GOAWAY', lastStreamId: this.lastPeerStream(), errorCode: 0 }));
    this.socket.end();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The client

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

interface Pending {
  index: number;
  spec: RequestSpec;
  result: ResponseResult;
  parts: Buffer[];
  received: number;
  gotHeaders: boolean;
  done: boolean;
}

export class H2Client {
  private endpoint: Endpoint | null = null;
  private authority = '';
  private nextStreamId = 1;
  private readonly byStream = new Map<number, Pending>();
  private queue: Pending[] = [];
  private closeReason: string | null = null;
  private waiters: Array<() => void> = [];

  constructor(private readonly options: ClientOptions = {}) {}

  /** Opens an h2c connection (prior knowledge: preface + SETTINGS) and waits for the server's SETTINGS. */
  async connect(host: string, port: number): Promise<void> {
    this.authority = `${host}:${port}`;
    const socket = net.connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    const settings: Setting[] = [{ id: SETTINGS.ENABLE_PUSH, value: 0 }];
    if (this.options.initialWindowSize !== undefined) settings.push({ id: SETTINGS.INITIAL_WINDOW_SIZE, value: this.options.initialWindowSize });
    let settled = false;
    await new Promise<void>((resolve, reject) => {
      this.endpoint = new Endpoint(socket, 'client', settings, { role: 'client', initialWindowSize: this.options.initialWindowSize, enablePush: false }, {
        onSettings: () => {
          if (!settled) {
            settled = true;
            resolve();
          }
          this.openMore();
        },
        onHeaders: (id, headers, endStream) => this.onHeaders(id, headers, endStream),
        onData: (id, data, endStream) => this.onData(id, data, endStream),
        onReset: (id, code) => this.fail(id, { reason: 'reset', code: errorCodeName(code), retryable: code === ERROR_CODES.REFUSED_STREAM, message: `the server reset stream ${id}` }),
        onGoaway: (last, code) => this.onGoaway(last, code),
        onStreamError: (id, code) => this.fail(id, { reason: 'protocol', code, retryable: false, message: `stream error ${code} on stream ${id}` }),
        onClose: (reason) => {
          if (!settled) {
            settled = true;
            reject(new Error(`connection closed before the server's SETTINGS: ${reason}`));
          }
          this.onClosed(reason);
        },
        onProgress: () => this.openMore(),
      });
      this.endpoint.start();
    });
  }

  /** Sends every request concurrently (within the server's limit) and resolves with the results, in order. */
  async fetchAll(requests: RequestSpec[]): Promise<ResponseResult[]> {
    if (!this.endpoint) throw new Error('connect() first');
    const pending = requests.map((spec, index): Pending => ({
      index,
      spec,
      result: { path: spec.path, streamId: 0, status: null, headers: {}, body: new Uint8Array(0), trailers: null, error: null },
      parts: [],
      received: 0,
      gotHeaders: false,
      done: false,
    }));
    this.queue.push(...pending);
    this.openMore();
    while (!pending.every((p) => p.done)) await new Promise<void>((r) => this.waiters.push(r));
    return pending.map((p) => p.result);
  }

  /** Sends GOAWAY and closes the connection. */
  async close(): Promise<void> {
    const endpoint = this.endpoint;
    if (!endpoint) return;
    if (!endpoint.closed) {
      endpoint.endGracefully();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          endpoint.destroy();
          resolve();
        }, 1000);
        const check = () => {
          if (endpoint.closed) {
            clearTimeout(timer);
            resolve();
          } else this.waiters.push(check);
        };
        check();
      });
    }
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  private openMore(): void {
    const endpoint = this.endpoint;
    if (!endpoint || endpoint.closed) return;
    while (this.queue.length && endpoint.table.canOpenStream()) {
      const p = this.queue.shift()!;
      const id = this.nextStreamId;
      this.nextStreamId += 2;
      p.result.streamId = id;
      this.byStream.set(id, p);
      const body = p.spec.body;
      const method = p.spec.method ?? (body ? 'POST' : 'GET');
      const headers: HeaderField[] = [
        [':method', method],
        [':scheme', 'http'],
        [':authority', this.authority],
        [':path', p.spec.path],
        ...headerList(p.spec.headers ?? {}),
      ];
      endpoint.sendHeaders(id, headers, !body);
      if (body) endpoint.sendBody(id, body, null);
    }
    if (this.queue.length && endpoint.table.goaway()) {
      const code = errorCodeName(endpoint.table.goaway()!.errorCode);
      for (const p of this.queue.splice(0)) this.finish(p, { reason: 'goaway', code, retryable: true, message: 'not sent: the server sent GOAWAY' });
    }
  }

  private finish(p: Pending, error: StreamFailure | null): void {
    if (p.done) return;
    p.done = true;
    p.result.body = Buffer.concat(p.parts);
    p.result.error = error;
    this.notify();
  }

  private fail(id: number, error: StreamFailure): void {
    const p = this.byStream.get(id);
    if (p) this.finish(p, error);
    this.openMore();
  }

  private onHeaders(id: number, headers: HeaderField[], endStream: boolean): void {
    const p = this.byStream.get(id);
    if (!p || p.done) return;
    const fields: Headers = {};
    let status: number | null = null;
    for (const [name, value] of headers) {
      if (name === ':status') status = Number(value);
      else if (!name.startsWith(':')) fields[name] = fields[name] === undefined ? value : `${fields[name]}, ${value}`;
    }
    if (!p.gotHeaders) {
      if (status !== null && status >= 100 && status < 200) return; // informational: the final response follows
      p.gotHeaders = true;
      p.result.status = status;
      p.result.headers = fields;
    } else {
      p.result.trailers = fields;
    }
    if (endStream) this.finish(p, null);
  }

  private onData(id: number, data: Uint8Array, endStream: boolean): void {
    const p = this.byStream.get(id);
    if (!p || p.done) return;
    p.parts.push(Buffer.from(data));
    p.received += data.length;
    if (endStream) {
      this.finish(p, null);
      return;
    }
    if (p.spec.cancelAfter !== undefined && p.received >= p.spec.cancelAfter) {
      this.endpoint?.reset(id, 'CANCEL');
      this.finish(p, { reason: 'cancelled', code: 'CANCEL', retryable: false, message: `cancelled after ${p.received} octets` });
    }
  }

  private onGoaway(lastStreamId: number, errorCode: number): void {
    const code = errorCodeName(errorCode);
    for (const [id, p] of this.byStream) {
      if (id > lastStreamId) this.finish(p, { reason: 'goaway', code, retryable: true, message: `stream ${id} is above GOAWAY's last-stream-id ${lastStreamId}` });
    }
    this.openMore();
  }

  private onClosed(reason: string): void {
    this.closeReason = reason;
    for (const p of [...this.byStream.values(), ...this.queue.splice(0)]) {
      this.finish(p, { reason: 'connection', code: 'CONNECTION_CLOSED', retryable: false, message: reason });
    }
    this.notify();
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
  private server: net.Server | null = null;
  private readonly endpoints = new Set<Endpoint>();

  constructor(private readonly options: ServerOptions) {}

  /** Listens (port 0: any free port) and resolves with the port. */
  async listen(port = 0, host = '127.0.0.1'): Promise<number> {
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as net.AddressInfo).port;
  }

  /** Sends GOAWAY on every connection and stops listening. */
  async close(): Promise<void> {
    for (const e of this.endpoints) {
      e.endGracefully();
      e.destroy();
    }
    this.endpoints.clear();
    const server = this.server;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const settings: Setting[] = [];
    if (this.options.initialWindowSize !== undefined) settings.push({ id: SETTINGS.INITIAL_WINDOW_SIZE, value: this.options.initialWindowSize });
    if (this.options.maxConcurrentStreams !== undefined) settings.push({ id: SETTINGS.MAX_CONCURRENT_STREAMS, value: this.options.maxConcurrentStreams });
    const requests = new Map<number, { headers: Map<string, string>; parts: Buffer[] }>();
    const respond = (id: number) => {
      const req = requests.get(id);
      requests.delete(id);
      if (!req) return;
      const body = Buffer.concat(req.parts);
      let resource: Resource;
      if (body.length > 0) resource = { status: 200, body };
      else resource = this.options.resources[req.headers.get(':path') ?? ''] ?? { status: 404, body: Buffer.from('not found') };
      const fields: HeaderField[] = [[':status', String(resource.status ?? 200)], ...headerList(resource.headers ?? {})];
      const hasTrailers = !!resource.trailers && Object.keys(resource.trailers).length > 0;
      const empty = resource.body.length === 0;
      endpoint.sendHeaders(id, fields, empty && !hasTrailers);
      if (!empty) endpoint.sendBody(id, resource.body, hasTrailers ? resource.trailers! : null);
      else if (hasTrailers) endpoint.sendHeaders(id, headerList(resource.trailers!), true);
    };
    const endpoint: Endpoint = new Endpoint(
      socket,
      'server',
      settings,
      { role: 'server', initialWindowSize: this.options.initialWindowSize, maxConcurrentStreams: this.options.maxConcurrentStreams },
      {
        onSettings: () => undefined,
        onHeaders: (id, headers, endStream) => {
          let req = requests.get(id);
          if (!req) {
            req = { headers: new Map(headers), parts: [] };
            requests.set(id, req);
          }
          if (endStream) respond(id);
        },
        onData: (id, data, endStream) => {
          requests.get(id)?.parts.push(Buffer.from(data));
          if (endStream) respond(id);
        },
        onReset: (id) => requests.delete(id),
        onGoaway: () => undefined,
        onStreamError: (id) => requests.delete(id),
        onClose: () => this.endpoints.delete(endpoint),
        onProgress: () => undefined,
      },
    );
    this.endpoints.add(endpoint);
    endpoint.start();
  }
}
