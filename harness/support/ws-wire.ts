// Trusted WebSocket wire helpers for the websocket-protocol suite: a frame builder that can also build the broken
// frames the tests need, a plain frame reader (no judgement, just fields) for what the learner's code writes, a
// field-by-field description for failure messages, and raw TCP peers (a client of the learner's server, a server
// for the learner's client) that record everything with timestamps. Written independently of the reference.

import { createHash } from 'node:crypto';
import * as net from 'node:net';

export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
export const acceptFor = (key: string): string =>
  createHash('sha1')
    .update(key + GUID)
    .digest('base64');

export const OPCODE_NAMES: Record<number, string> = {
  0x0: 'continuation',
  0x1: 'text',
  0x2: 'binary',
  0x8: 'close',
  0x9: 'ping',
  0xa: 'pong',
};
export const opcodeName = (op: number): string => OPCODE_NAMES[op] ?? `reserved 0x${op.toString(16)}`;

export interface FrameSpec {
  fin?: boolean;
  rsv?: number;
  opcode: number;
  payload?: Uint8Array | string;
  /** A 4-octet key, `true` for a fixed non-trivial key, or false/undefined for no mask. */
  mask?: Uint8Array | boolean;
  /** Force a length encoding: 7, 16 or 64 bits (default: minimal). */
  lengthBits?: 7 | 16 | 64;
  /** Override the length field (a lie about the payload size). */
  declaredLength?: number | bigint;
}

const DEFAULT_KEY = Buffer.from([0x5a, 0xc3, 0x19, 0xe7]);

export function bytesOf(payload: Uint8Array | string | undefined): Buffer {
  if (payload === undefined) return Buffer.alloc(0);
  return typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
}

/** Builds one frame exactly as specified (valid or not). */
export function wsFrame(spec: FrameSpec): Buffer {
  const payload = bytesOf(spec.payload);
  const key = spec.mask === true ? DEFAULT_KEY : spec.mask instanceof Uint8Array ? Buffer.from(spec.mask) : null;
  const declared = spec.declaredLength ?? payload.length;
  const bits = spec.lengthBits ?? (Number(declared) <= 125 ? 7 : Number(declared) <= 0xffff ? 16 : 64);
  const parts: Buffer[] = [];
  const head = Buffer.from([((spec.fin ?? true) ? 0x80 : 0) | ((spec.rsv ?? 0) << 4) | spec.opcode, key ? 0x80 : 0]);
  parts.push(head);
  if (bits === 7) head[1]! |= Number(declared);
  else if (bits === 16) {
    head[1]! |= 126;
    const l = Buffer.alloc(2);
    l.writeUInt16BE(Number(declared));
    parts.push(l);
  } else {
    head[1]! |= 127;
    const l = Buffer.alloc(8);
    l.writeBigUInt64BE(BigInt(declared));
    parts.push(l);
  }
  if (key) {
    parts.push(key);
    const masked = Buffer.alloc(payload.length);
    for (let i = 0; i < payload.length; i++) masked[i] = payload[i]! ^ key[i % 4]!;
    parts.push(masked);
  } else {
    parts.push(payload);
  }
  return Buffer.concat(parts);
}

export function closePayload(code: number, reason: string | Uint8Array = ''): Buffer {
  const c = Buffer.alloc(2);
  c.writeUInt16BE(code);
  return Buffer.concat([c, bytesOf(reason)]);
}

export function hex(bytes: Uint8Array, max = 24): string {
  const b = Buffer.from(bytes.subarray(0, max));
  const text = b.toString('hex').replace(/(..)(?!$)/g, '$1 ');
  return bytes.length > max ? `${text} … (${bytes.length} octets)` : text || '(empty)';
}

function printable(bytes: Uint8Array, max = 40): string {
  const s = Buffer.from(bytes.subarray(0, max))
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return bytes.length > max ? `${s}…` : s;
}

export interface WireFrame {
  /** Offset of the frame in the byte stream it was read from. */
  offset: number;
  fin: boolean;
  rsv: number;
  opcode: number;
  masked: boolean;
  maskingKey: Buffer | null;
  /** 7, 16 or 64: how the length was encoded. */
  lengthBits: number;
  length: number;
  /** The payload, unmasked. */
  payload: Buffer;
  /** The frame's raw octets. */
  raw: Buffer;
}

/** Reads frames from a byte stream; no validation beyond what is needed to find the frame boundaries. */
export class FrameReader {
  private buffer = Buffer.alloc(0);
  private consumed = 0;
  readonly frames: WireFrame[] = [];

  push(chunk: Uint8Array): WireFrame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : Buffer.from(chunk);
    const out: WireFrame[] = [];
    for (;;) {
      const f = readFrame(this.buffer, 0);
      if (!f) break;
      f.offset = this.consumed;
      this.consumed += f.raw.length;
      this.buffer = this.buffer.subarray(f.raw.length);
      out.push(f);
      this.frames.push(f);
    }
    return out;
  }

  get leftover(): number {
    return this.buffer.length;
  }
}

export function readFrame(b: Buffer, at: number): WireFrame | undefined {
  if (b.length - at < 2) return undefined;
  const b0 = b[at]!;
  const b1 = b[at + 1]!;
  let length = b1 & 0x7f;
  let p = at + 2;
  let lengthBits = 7;
  if (length === 126) {
    if (b.length - p < 2) return undefined;
    length = b.readUInt16BE(p);
    p += 2;
    lengthBits = 16;
  } else if (length === 127) {
    if (b.length - p < 8) return undefined;
    length = Number(b.readBigUInt64BE(p));
    p += 8;
    lengthBits = 64;
  }
  const masked = (b1 & 0x80) !== 0;
  let key: Buffer | null = null;
  if (masked) {
    if (b.length - p < 4) return undefined;
    key = Buffer.from(b.subarray(p, p + 4));
    p += 4;
  }
  if (b.length - p < length) return undefined;
  const payload = Buffer.from(b.subarray(p, p + length));
  if (key) for (let i = 0; i < payload.length; i++) payload[i]! ^= key[i % 4]!;
  return {
    offset: at,
    fin: (b0 & 0x80) !== 0,
    rsv: (b0 >> 4) & 7,
    opcode: b0 & 0x0f,
    masked,
    maskingKey: key,
    lengthBits,
    length,
    payload,
    raw: Buffer.from(b.subarray(at, p + length)),
  };
}

/** A frame's octets decoded field by field, for failure messages. */
export function describeFrame(raw: Uint8Array, label = 'frame'): string {
  const f = readFrame(Buffer.from(raw), 0);
  if (!f) return `${label}: <${hex(raw)}> (incomplete frame)`;
  const lines = [
    `${label}: <${hex(raw, 20)}>`,
    `    FIN ${f.fin ? 1 : 0} | RSV1-3 ${(f.rsv >> 2) & 1}${(f.rsv >> 1) & 1}${f.rsv & 1} | opcode 0x${f.opcode.toString(16)} (${opcodeName(f.opcode)}) | ` +
      `MASK ${f.masked ? 1 : 0} | payload length ${f.length} (${f.lengthBits}-bit field)${f.maskingKey ? ` | masking key ${hex(f.maskingKey)}` : ''}`,
  ];
  if (f.opcode === 0x8 && f.payload.length >= 2) {
    lines.push(`    close code ${f.payload.readUInt16BE(0)}, reason "${printable(f.payload.subarray(2))}"`);
  } else {
    lines.push(`    payload${f.masked ? ' (unmasked)' : ''}: <${hex(f.payload, 16)}>${f.payload.length ? ` "${printable(f.payload)}"` : ''}`);
  }
  return lines.join('\n');
}

export function describeWireFrame(f: WireFrame, label = 'frame'): string {
  return describeFrame(f.raw, label);
}

/** Resolves when check() is true (checked on every notify), or rejects with the message after timeoutMs. */
class Waiters {
  private readonly list = new Set<() => void>();
  notify(): void {
    for (const w of [...this.list]) w();
  }
  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    if (check()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.list.delete(waiter);
        resolve(false);
      }, timeoutMs);
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.list.delete(waiter);
        resolve(true);
      };
      this.list.add(waiter);
    });
  }
}

/** A recorded TCP conversation: what the other side wrote, decoded, and when it closed. */
export class WireLog {
  readonly reader = new FrameReader();
  /** Bytes received before the frames started (an HTTP head). */
  head = '';
  headDone = false;
  rawHead = Buffer.alloc(0);
  ended = false;
  readonly waiters = new Waiters();

  onData(chunk: Buffer): void {
    if (!this.headDone) {
      this.rawHead = Buffer.concat([this.rawHead, chunk]);
      const end = this.rawHead.indexOf('\r\n\r\n');
      if (end < 0) {
        this.waiters.notify();
        return;
      }
      this.head = this.rawHead.subarray(0, end + 4).toString('latin1');
      this.headDone = true;
      const rest = this.rawHead.subarray(end + 4);
      this.rawHead = this.rawHead.subarray(0, end + 4);
      if (rest.length) this.reader.push(rest);
    } else {
      this.reader.push(chunk);
    }
    this.waiters.notify();
  }

  get frames(): WireFrame[] {
    return this.reader.frames;
  }

  closeFrame(): WireFrame | undefined {
    return this.frames.find((f) => f.opcode === 0x8);
  }

  until(check: () => boolean, timeoutMs: number): Promise<boolean> {
    return this.waiters.until(check, timeoutMs);
  }

  /** All frames received, one line each plus field detail for the first few. */
  render(max = 6): string {
    if (!this.frames.length)
      return `  (no frames received${this.reader.leftover ? `; ${this.reader.leftover} octets of an incomplete frame` : ''}${this.ended ? '; the connection was closed' : ''})`;
    const lines = this.frames.slice(0, max).map((f, i) => describeWireFrame(f, `  #${i}`));
    if (this.frames.length > max) lines.push(`  … ${this.frames.length - max} more frames`);
    if (this.reader.leftover) lines.push(`  and ${this.reader.leftover} octets of an incomplete frame`);
    lines.push(this.ended ? '  then the TCP connection was closed' : '  (the TCP connection is still open)');
    return lines.join('\n');
  }
}

export function parseHead(head: string): { startLine: string; headers: Map<string, string> } {
  const lines = head.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  return { startLine: lines[0] ?? '', headers };
}

const openSockets = new Set<net.Socket>();
const openServers = new Set<net.Server>();

/** Destroys every socket and server the helpers opened (call in afterEach). */
export async function closeAllRaw(): Promise<void> {
  for (const s of openSockets) s.destroy();
  openSockets.clear();
  await Promise.all([...openServers].map((s) => new Promise<void>((r) => s.close(() => r()))));
  openServers.clear();
}

export const SAMPLE_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

export function upgradeRequest(path = '/chat', extra: Record<string, string> = {}, key = SAMPLE_KEY): string {
  const headers: Record<string, string> = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': key,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  return `GET ${path} HTTP/1.1\r\n${Object.entries(headers)
    .filter(([, v]) => v !== '')
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
}

/** A raw TCP client of the learner's server. */
export class RawClient {
  readonly log = new WireLog();
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => this.log.onData(c));
    socket.on('close', () => {
      this.log.ended = true;
      this.log.waiters.notify();
    });
    socket.on('error', () => undefined);
  }

  static connect(port: number, timeoutMs = 3000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      openSockets.add(socket);
      socket.setNoDelay(true);
      const timer = setTimeout(() => reject(new Error(`could not connect to your server on port ${port} within ${timeoutMs} ms`)), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new RawClient(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(new Error(`could not connect to your server on port ${port}: ${err.message}`));
      });
    });
  }

  /** Connects, sends the request, waits for the whole response head. */
  static async handshake(port: number, request = upgradeRequest(), timeoutMs = 3000): Promise<RawClient> {
    const client = await RawClient.connect(port);
    client.socket.write(request);
    if (!(await client.log.until(() => client.log.headDone || client.log.ended, timeoutMs))) {
      throw new Error(`your server sent no complete HTTP response head within ${timeoutMs} ms of the upgrade request (RFC 6455 §4.2.2)`);
    }
    return client;
  }

  write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /**
   * Writes the bytes in several writes, each flushed and followed by a short pause so that it reaches the other
   * side as a read of its own: back to back, a loaded machine's kernel joins them and the cuts the seed chose are
   * lost (a receiver that breaks on cuts then passes or fails by luck).
   */
  async writeChunks(chunks: Uint8Array[], pauseMs = 2): Promise<void> {
    this.socket.setNoDelay(true);
    for (const c of chunks) {
      if (this.socket.destroyed) return;
      await new Promise<void>((resolve) => this.socket.write(c, () => resolve()));
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  end(): void {
    this.socket.end();
  }
}

/** A raw TCP server for the learner's client: calls onRequest(head, socket, log) after the request head arrives. */
export class RawServer {
  readonly connections: Array<{ socket: net.Socket; log: WireLog }> = [];
  readonly waiters = new Waiters();
  private constructor(
    readonly server: net.Server,
    readonly port: number,
  ) {}

  static start(onRequest: (head: string, socket: net.Socket, log: WireLog) => void): Promise<RawServer> {
    return new Promise((resolve, reject) => {
      let self: RawServer | undefined;
      const server = net.createServer((socket) => {
        openSockets.add(socket);
        socket.setNoDelay(true);
        const log = new WireLog();
        self?.connections.push({ socket, log });
        socket.on('error', () => undefined);
        let answered = false;
        socket.on('data', (c: Buffer) => {
          log.onData(c);
          if (log.headDone && !answered) {
            answered = true;
            onRequest(log.head, socket, log);
          }
          self?.waiters.notify();
        });
        socket.on('close', () => {
          log.ended = true;
          log.waiters.notify();
          self?.waiters.notify();
        });
        self?.waiters.notify();
      });
      openServers.add(server);
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        self = new RawServer(server, (server.address() as net.AddressInfo).port);
        resolve(self);
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/feed`;
  }

  async connection(timeoutMs = 3000): Promise<{ socket: net.Socket; log: WireLog }> {
    await this.waiters.until(() => this.connections.length > 0 && this.connections[0]!.log.headDone, timeoutMs);
    const c = this.connections[0];
    if (!c || !c.log.headDone) throw new Error(`your client did not send a complete handshake request within ${timeoutMs} ms (RFC 6455 §4.1)`);
    return c;
  }
}

/** The 101 response for a request head (a correct server's answer), optionally with a wrong accept or extras. */
export function switchingProtocols(requestHead: string, opts: { accept?: string; extra?: string; status?: string } = {}): string {
  const key = parseHead(requestHead).headers.get('sec-websocket-key') ?? '';
  return (
    `HTTP/1.1 ${opts.status ?? '101 Switching Protocols'}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Accept: ${opts.accept ?? acceptFor(key)}\r\n${opts.extra ?? ''}\r\n`
  );
}
