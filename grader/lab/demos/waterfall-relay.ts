// The waterfall demo's network: a TCP relay on 127.0.0.1 in front of a server that delays every chunk by a one-way
// latency, each way, and (with loss on) holds a chunk back one retransmission timeout as a lost segment would be
// until TCP sent it again. TCP delivers in order, so every later byte of that connection waits behind it: one
// HTTP/1.1 connection stalls, or the one HTTP/2 connection and every stream on it (head-of-line blocking). Bytes
// are never changed (TLS passes through); the relay numbers connections in the order it accepted them and knows
// each one by the client's local port, so a response can be traced to its connection.

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { seededRandom } from '../../../harness/support/random';
import type { WaterfallStall } from '../view-waterfall';

export interface RelayOptions {
  latencyMs: number;
  lossPercent: number;
  seed: number;
  /** How late a "lost" chunk arrives beyond its latency. */
  rtoMs: number;
  /** Time zero of the lane (performance.now()), for the stall times it records. */
  startedAt: number;
}

/** One direction of one connection: chunks released in arrival order, none before its release time. */
class DelayedPipe {
  private readonly queue: Array<{ chunk: Buffer; releaseAt: number }> = [];
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly destination: net.Socket,
    private readonly onChunk: (chunk: Buffer) => number,
    /** Nothing is released before this time (the TCP handshake's share, see accept()). */
    private lastRelease = 0,
  ) {}

  push(chunk: Buffer): void {
    const now = performance.now();
    this.lastRelease = Math.max(this.lastRelease, now + this.onChunk(chunk));
    this.queue.push({ chunk, releaseAt: this.lastRelease });
    this.schedule();
  }

  end(): void {
    this.ended = true;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer) return;
    const head = this.queue[0];
    if (!head) {
      if (this.ended && !this.destination.destroyed) this.destination.end();
      return;
    }
    this.timer = setTimeout(() => this.drain(), Math.max(0, head.releaseAt - performance.now()));
  }

  private drain(): void {
    this.timer = undefined;
    const now = performance.now();
    // (A timer may fire a fraction of a millisecond early: half a millisecond of slack.)
    while (this.queue.length && this.queue[0]!.releaseAt <= now + 0.5) {
      const { chunk } = this.queue.shift()!;
      if (!this.destination.destroyed) this.destination.write(chunk);
    }
    this.schedule();
  }
}

export class LatencyRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly pipes = new Set<DelayedPipe>();
  private readonly byClientPort = new Map<number, number>();
  private accepted = 0;
  private closed = false;
  readonly stalls: WaterfallStall[] = [];

  constructor(
    private readonly targetPort: number,
    private readonly options: RelayOptions,
  ) {}

  /** Listens on 127.0.0.1 (a free port) and resolves with it. */
  async listen(): Promise<number> {
    const server = net.createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return (server.address() as AddressInfo).port;
  }

  /** The relay's number (1, 2, …) of the connection a client opened from this local port. */
  connectionOf(clientPort: number | undefined): number {
    return (clientPort !== undefined && this.byClientPort.get(clientPort)) || 0;
  }

  get connections(): number {
    return this.accepted;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const pipe of this.pipes) pipe.stop();
    for (const socket of this.sockets) socket.destroy();
    this.server?.close();
  }

  /** The delay of one chunk: the latency, plus a retransmission timeout when the draw says it was lost. */
  private lossFor(random: () => number, connection: number, direction: WaterfallStall['direction']): number {
    if (this.options.lossPercent > 0 && random() * 100 < this.options.lossPercent) {
      const atMs = Math.round((performance.now() - this.options.startedAt) * 10) / 10;
      this.stalls.push({ connection, direction, atMs, delayMs: this.options.rtoMs });
      return this.options.latencyMs + this.options.rtoMs;
    }
    return this.options.latencyMs;
  }

  private accept(client: net.Socket): void {
    const connection = ++this.accepted;
    if (client.remotePort !== undefined) this.byClientPort.set(client.remotePort, connection);
    const upstream = net.connect(this.targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.setNoDelay(true);
    }
    const delay = (direction: WaterfallStall['direction']) => {
      // One draw per chunk, from a source of this connection and direction: the connections' chunks interleave
      // differently from run to run, but the same seed loses the same chunks of each connection's byte stream.
      const random = seededRandom((this.options.seed * 16 + connection * 2 + (direction === 'to-client' ? 1 : 0)) >>> 0);
      return () => this.lossFor(random, connection, direction);
    };
    // The client connected to the relay at once, on loopback; a real TCP handshake costs a round trip first: the
    // SYN and the SYN-ACK, then the first data's own one-way trip. No byte reaches the server before that.
    const toServer = new DelayedPipe(upstream, delay('to-server'), performance.now() + 3 * this.options.latencyMs);
    const toClient = new DelayedPipe(client, delay('to-client'));
    this.pipes.add(toServer).add(toClient);
    client.on('data', (chunk: Buffer) => toServer.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    client.on('end', () => toServer.end());
    upstream.on('end', () => toClient.end());
    const forget = () => {
      if (!client.destroyed || !upstream.destroyed) return;
      this.sockets.delete(client);
      this.sockets.delete(upstream);
      this.pipes.delete(toServer);
      this.pipes.delete(toClient);
    };
    // A side that closed gets nothing more; what it sent before still crosses, late as ever, and then the other
    // side is ended (a server that closes after its response, as HTTP/1.1 may, is relayed faithfully).
    client.on('close', () => {
      toClient.stop();
      toServer.end();
      forget();
    });
    upstream.on('close', () => {
      toServer.stop();
      toClient.end();
      forget();
    });
    // A reset ends both at once.
    const reset = () => {
      toServer.stop();
      toClient.stop();
      client.destroy();
      upstream.destroy();
    };
    client.on('error', reset);
    upstream.on('error', reset);
  }
}
