// The parking lot's TCP lane: a file served by node:http (with Range, RFC 9110 §14), a relay on 127.0.0.1 that
// carries the server's bytes over the paced link, and a client on node:net that speaks HTTP/1.1 itself. Switch
// network takes the client's address away: its connection is reset (a TCP connection is its 4-tuple, RFC 9293
// §3.1; nothing in a segment could carry it to a new port), it opens a new connection from a new local port and
// asks again, from byte 0 (`restart`, what a plain client does) or for the rest of the file (`range`). The relay
// counts the connections the network saw.

import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { ParkingEvent, ParkingTcpConnection, ParkingTcpView, TcpRecovery } from '../view-parking';
import type { PacedLink } from './parking-link';

const PIECE = 4096;
/** Above this backlog on the link the relay stops reading from the server (TCP's own backpressure does the rest). */
const HIGH_WATER = 64 * 1024;

type Report = (kind: ParkingEvent['kind'], text: string) => void;

export class TcpLane {
  readonly connections: ParkingTcpConnection[] = [];
  private server: http.Server | undefined;
  private relay: net.Server | undefined;
  private readonly paused = new Set<net.Socket>();
  private readonly sockets = new Set<net.Socket>();
  private client: net.Socket | undefined;
  private file: Buffer[] = [];
  private fileBytes = 0;
  private receivedTotal = 0;
  private done = false;
  private doneAtMs: number | undefined;
  private failed: string | undefined;
  private closing = false;
  /** Connections the client opened (the first asks for the file, every later one asks again). */
  private attempts = 0;

  constructor(
    private readonly payload: Buffer,
    private readonly link: PacedLink,
    private readonly recovery: TcpRecovery,
    private readonly report: Report,
    private readonly clock: () => number,
  ) {
    link.onDrained(() => {
      if (link.backlog > HIGH_WATER / 2) return;
      for (const s of this.paused) s.resume();
      this.paused.clear();
    });
  }

  async start(): Promise<void> {
    this.server = http.createServer((request, response) => this.serve(request, response));
    this.server.on('connection', (s) => this.track(s));
    const serverPort = await listen(this.server);
    this.relay = net.createServer((down) => this.carry(down, serverPort));
    const relayPort = await listen(this.relay);
    // Stopped meanwhile: close() may have run before these servers existed.
    if (this.closing) return void (await this.close());
    this.connect(relayPort, 0);
  }

  /** The client's network goes away: reset its connection, connect again from a new port. */
  switchNetwork(): void {
    const old = this.client;
    if (this.done || !old) return;
    const port = old.localPort ?? 0;
    const record = this.connections.find((c) => c.clientPort === port);
    this.client = undefined;
    old.resetAndDestroy();
    if (record) record.state = 'broken';
    const kept = this.recovery === 'range' ? this.fileBytes : 0;
    this.report('broken', `connection from port ${port} reset after ${(record?.bytes ?? 0).toLocaleString('en-US')} B of body: its address is gone`);
    if (this.recovery === 'restart') {
      this.file = [];
      this.fileBytes = 0;
    }
    this.connect((this.relay!.address() as AddressInfo).port, kept);
  }

  view(): ParkingTcpView {
    return {
      recovery: this.recovery,
      connections: this.connections.map((c) => ({ ...c })),
      receivedTotal: this.receivedTotal,
      fileBytes: this.fileBytes,
      done: this.done,
      doneAtMs: this.doneAtMs,
      failed: this.failed,
    };
  }

  get finished(): boolean {
    return this.done || this.failed !== undefined;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const s of this.sockets) s.destroy();
    const servers = [this.server, this.relay].filter((s): s is net.Server => s !== undefined);
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  private track(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  /** The file, whole or from the byte a `Range: bytes=N-` asks for. */
  private serve(request: http.IncomingMessage, response: http.ServerResponse): void {
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const from = range ? Math.min(Number(range[1]), this.payload.length) : 0;
    const body = this.payload.subarray(from);
    response.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      'content-type': 'application/octet-stream',
      ...(range ? { 'content-range': `bytes ${from}-${this.payload.length - 1}/${this.payload.length}` } : {}),
    });
    response.end(body);
  }

  /** One client connection through the relay: requests straight on, the server's bytes over the paced link. */
  private carry(down: net.Socket, serverPort: number): void {
    this.track(down);
    const record: ParkingTcpConnection = { clientPort: down.remotePort ?? 0, bytes: 0, firstByte: 0, state: 'open' };
    this.connections.push(record);
    this.report('connection', `connection ${this.connections.length}: the server accepts a TCP connection from client port ${record.clientPort}`);
    const up = net.connect(serverPort, '127.0.0.1');
    this.track(up);
    down.pipe(up);
    const gone = () => down.destroyed;
    up.on('data', (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += PIECE) {
        const piece = chunk.subarray(at, at + PIECE);
        this.link.push(
          piece.length,
          () => down.write(piece),
          () => !gone(),
        );
      }
      if (this.link.backlog > HIGH_WATER) {
        up.pause();
        this.paused.add(up);
      }
    });
    up.on('end', () =>
      this.link.push(
        0,
        () => down.end(),
        () => !gone(),
      ),
    );
    down.on('close', () => {
      up.destroy();
      this.paused.delete(up);
    });
  }

  /** A new connection (a new local port) asking for the file from `from`. */
  private connect(relayPort: number, from: number): void {
    const socket = net.connect({ port: relayPort, host: '127.0.0.1' });
    const again = this.attempts++ > 0;
    this.client = socket;
    this.track(socket);
    let head = Buffer.alloc(0);
    let inBody = false;
    socket.on('connect', () => {
      socket.write(`GET /file HTTP/1.1\r\nHost: 127.0.0.1:${relayPort}\r\n${from ? `Range: bytes=${from}-\r\n` : ''}Connection: close\r\n\r\n`);
      if (from) this.report('note', `asks for the rest of the file: Range: bytes=${from}-`);
      else if (again) this.report('note', 'asks for the whole file again, from byte 0');
    });
    socket.on('data', (chunk: Buffer) => {
      if (socket !== this.client) return;
      if (!inBody) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        inBody = true;
        chunk = head.subarray(end + 4);
        const record = this.connections.find((c) => c.clientPort === socket.localPort);
        if (record) record.firstByte = from;
      }
      this.body(socket, chunk);
    });
    socket.on('close', () => {
      if (socket !== this.client || this.done || this.closing) return;
      this.failed = `the connection closed after ${this.fileBytes} of ${this.payload.length} B`;
      this.report('failed', this.failed);
    });
  }

  private body(socket: net.Socket, chunk: Buffer): void {
    const record = this.connections.find((c) => c.clientPort === socket.localPort);
    if (record) record.bytes += chunk.length;
    this.receivedTotal += chunk.length;
    this.file.push(chunk);
    this.fileBytes += chunk.length;
    if (this.fileBytes < this.payload.length) return;
    const same = Buffer.concat(this.file).equals(this.payload);
    if (!same) {
      this.failed = 'the bytes received differ from the file';
      this.report('failed', this.failed);
      return;
    }
    this.done = true;
    this.doneAtMs = this.clock();
    if (record) record.state = 'complete';
    this.report(
      'complete',
      `complete: ${this.payload.length.toLocaleString('en-US')} B of file over ${this.connections.length} connection${this.connections.length === 1 ? '' : 's'}, ${this.receivedTotal.toLocaleString('en-US')} B received in all`,
    );
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
}
