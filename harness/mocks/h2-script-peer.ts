// A scripted HTTP/2 peer on raw sockets (trusted side): the suite writes exact frames (built with
// support/h2-frames.ts) and waits for the frames the code under test sends back. Used where a real node:http2
// peer cannot be made to do something on cue: the seed's exact interleaving, a GOAWAY between streams, a window
// that goes negative, and h2spec-style malformed sequences.
//
//   const server = await startScriptServer();                 // the code under test connects to server.port
//   const conn = await server.connection();                   // the first connection (preface checked)
//   await conn.until(() => conn.headersOn().length >= 4, 'the four requests');
//   conn.write(frame('HEADERS', 0x4, 5, responseBlock(200, { 'content-type': 'text/css' })));
//
// Every wait has a bounded timeout and fails with the frames received so far.

import net from 'node:net';
import { CLIENT_PREFACE, decodeHeader, describeHeader, frame, type WireHeader } from '../support/h2-frames';

export interface WireFrame {
  header: WireHeader;
  payload: Buffer;
}

export class ScriptConnection {
  readonly frames: WireFrame[] = [];
  private buffer = Buffer.alloc(0);
  private prefaceLeft: number;
  private waiters: Array<() => void> = [];
  closed = false;
  badPreface = false;

  constructor(
    readonly socket: net.Socket,
    expectPreface: boolean,
  ) {
    this.prefaceLeft = expectPreface ? CLIENT_PREFACE.length : 0;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    if (this.prefaceLeft > 0) {
      if (this.buffer.length < CLIENT_PREFACE.length) return;
      if (!this.buffer.subarray(0, CLIENT_PREFACE.length).equals(CLIENT_PREFACE)) this.badPreface = true;
      this.buffer = this.buffer.subarray(CLIENT_PREFACE.length);
      this.prefaceLeft = 0;
    }
    while (this.buffer.length >= 9) {
      const header = decodeHeader(this.buffer, 0);
      if (this.buffer.length < 9 + header.length) break;
      this.frames.push({ header, payload: Buffer.from(this.buffer.subarray(9, 9 + header.length)) });
      this.buffer = this.buffer.subarray(9 + header.length);
    }
    this.notify();
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  write(...frames: Buffer[]): void {
    if (!this.socket.destroyed) this.socket.write(Buffer.concat(frames));
  }

  /** Waits until cond() holds; fails after timeoutMs, or when the connection closes first, listing the frames. */
  async until(cond: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
    const started = Date.now();
    while (!cond()) {
      if (this.closed) throw new Error(`${what}: the connection closed first.\n${this.describe()}`);
      const left = timeoutMs - (Date.now() - started);
      if (left <= 0) throw new Error(`${what}: not seen within ${timeoutMs} ms.\n${this.describe()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the connection to close (or times out quietly): returns whether it closed. */
  async waitClosed(timeoutMs = 3000): Promise<boolean> {
    try {
      await this.until(() => this.closed, 'close', timeoutMs);
    } catch {
      /* the message is not needed: the caller decides */
    }
    return this.closed;
  }

  ofType(type: number, streamId?: number): WireFrame[] {
    return this.frames.filter((f) => f.header.type === type && (streamId === undefined || f.header.streamId === streamId));
  }

  /** DATA octets received on a stream (payload lengths). */
  dataOn(streamId: number): number {
    return this.ofType(0x0, streamId).reduce((n, f) => n + f.header.length, 0);
  }

  /** Round trip: a PING with this payload, resolved when its ACK comes back (everything sent before it was read). */
  async ping(tag: string, timeoutMs = 8000): Promise<void> {
    const data = Buffer.alloc(8);
    data.write(tag.slice(0, 8), 'latin1');
    this.write(frame('PING', 0, 0, data));
    await this.until(
      () => this.frames.some((f) => f.header.type === 0x6 && f.header.flags & 0x1 && f.payload.equals(data)),
      `the ACK of PING "${tag}"`,
      timeoutMs,
    );
  }

  describe(max = 24): string {
    const shown = this.frames.slice(-max).map((f) => `    ${describeHeader(f.header)}${summary(f)}`);
    return [
      `  frames received (${this.frames.length}${this.frames.length > max ? `, last ${max} shown` : ''}):`,
      ...(shown.length ? shown : ['    (none)']),
    ].join('\n');
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function summary(f: WireFrame): string {
  switch (f.header.type) {
    case 0x3:
      return f.payload.length === 4 ? ` error=${errorName(f.payload.readUInt32BE(0))}` : '';
    case 0x7:
      return f.payload.length >= 8 ? ` last-stream-id=${f.payload.readUInt32BE(0) & 0x7fffffff} error=${errorName(f.payload.readUInt32BE(4))}` : '';
    case 0x8:
      return f.payload.length === 4 ? ` +${f.payload.readUInt32BE(0) & 0x7fffffff}` : '';
    default:
      return '';
  }
}

export const ERROR_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `0x${code.toString(16)}`;
}

export interface ScriptServer {
  port: number;
  /** The first connection, once accepted. */
  connection(timeoutMs?: number): Promise<ScriptConnection>;
  close(): Promise<void>;
}

export async function startScriptServer(): Promise<ScriptServer> {
  const conns: ScriptConnection[] = [];
  const waiters: Array<() => void> = [];
  const server = net.createServer((socket) => {
    conns.push(new ScriptConnection(socket, true));
    for (const w of waiters.splice(0)) w();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    async connection(timeoutMs = 8000) {
      if (!conns[0]) {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no connection arrived within ${timeoutMs} ms`)), timeoutMs);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return conns[0]!;
    },
    async close() {
      for (const c of conns) c.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A raw client connection (the preface is written by the caller). */
export async function connectScriptClient(port: number): Promise<ScriptConnection> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return new ScriptConnection(socket, false);
}

/** A response header block a trusted peer sends: ':status' then literal fields without indexing (RFC 7541 §6.2.2). */
export function responseBlock(status: number, headers: Record<string, string> = {}): Buffer {
  const out: number[] = [];
  const str = (s: string) => {
    const b = Buffer.from(s, 'latin1');
    if (b.length >= 127) throw new Error('harness: header strings are short here');
    out.push(b.length, ...b);
  };
  if (status === 200) out.push(0x88);
  else {
    out.push(0x08); // literal without indexing, name = static index 8 (:status)
    str(String(status));
  }
  for (const [name, value] of Object.entries(headers)) {
    out.push(0x00);
    str(name);
    str(value);
  }
  return Buffer.from(out);
}

/** SETTINGS payload from identifier/value pairs. */
export function settingsPayload(pairs: Array<[number, number]>): Buffer {
  const b = Buffer.alloc(6 * pairs.length);
  pairs.forEach(([id, value], i) => {
    b.writeUInt16BE(id, i * 6);
    b.writeUInt32BE(value >>> 0, i * 6 + 2);
  });
  return b;
}
