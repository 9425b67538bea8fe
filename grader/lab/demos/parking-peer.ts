// The parking lot's built-in QUIC-shaped peer: a server and a client the lab runs itself while the learner's
// exercise 9 code is not working, so the demo still shows what migration looks like (with a banner saying so).
// It is written for the lab, on the harness's trusted codec (harness/support/quic-wire.ts), and is deliberately
// NOT the reference solution (the learners' copy has no solutions/): the same wire format, the smallest logic that
// carries a download across a change of address. It routes by connection ID, validates a new address with
// PATH_CHALLENGE before sending much there (at most 3x what it received), resends data it has no ACK for, and its
// client acknowledges, answers challenges, probes when nothing arrives, and moves to a new port on request.

import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { CID_LENGTH, DOWNLOAD_STREAM, buildInitial, buildShort, decodeDatagram, frame, rangesOf } from '../../../harness/support/quic-wire';
import { bindLoopbackUdp } from '../../../harness/support/loopback-udp';

const CHUNK = 1100;
const WINDOW = 16;
const TICK_MS = 20;

interface PeerPath {
  port: number;
  validated: boolean;
  received: number;
  sent: number;
  challenges: string[];
  challengedAt: number;
}

interface Flight {
  pn: number;
  sentAt: number;
  offset: number;
  length: number;
}

/** One connection at the built-in server: one download of the payload on stream 3. */
interface PeerConnection {
  cid: Buffer;
  clientCid: Buffer;
  path: PeerPath;
  nextPn: number;
  largestReceived: number;
  nextOffset: number;
  inFlight: Map<number, Flight>;
  lost: Array<{ offset: number; length: number }>;
  acked: number;
}

export class BuiltinQuicServer {
  private socket: dgram.Socket | undefined;
  private readonly byCid = new Map<string, PeerConnection>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly payload: Buffer,
    private readonly retransmitMs = 300,
  ) {}

  async listen(): Promise<number> {
    this.socket = await bindLoopbackUdp();
    this.socket.on('message', (msg, rinfo) => this.receive(msg, rinfo.port));
    this.timer = setInterval(() => this.tick(), TICK_MS);
    return this.socket.address().port;
  }

  close(): void {
    clearInterval(this.timer);
    this.socket?.close();
    this.socket = undefined;
  }

  private send(conn: PeerConnection, path: PeerPath, datagram: Buffer): boolean {
    // Anti-amplification (RFC 9000 §8.1): an unproven address gets at most three times what came from it.
    if (!path.validated && path.sent + datagram.length > 3 * path.received) return false;
    path.sent += datagram.length;
    this.socket?.send(datagram, path.port, '127.0.0.1');
    return true;
  }

  private receive(msg: Buffer, port: number): void {
    const packet = decodeDatagram(msg);
    if (packet.form === 'long') {
      if (msg.length < 1200 || packet.longType !== 0 || !packet.scid) return;
      const known = this.byCid.get(packet.dcid);
      const conn: PeerConnection = known ?? {
        cid: randomBytes(CID_LENGTH),
        clientCid: Buffer.from(packet.scid, 'hex'),
        path: { port, validated: false, received: 0, sent: 0, challenges: [], challengedAt: 0 },
        nextPn: 0,
        largestReceived: -1,
        nextOffset: 0,
        inFlight: new Map(),
        lost: [],
        acked: 0,
      };
      if (!known) {
        this.byCid.set(conn.cid.toString('hex'), conn);
        this.byCid.set(packet.dcid, conn);
      }
      conn.path.received += msg.length;
      this.send(conn, conn.path, buildInitial({ dcid: conn.clientCid, scid: conn.cid, pn: 0, frames: frame.ack([[0, 0]]) }));
      return;
    }
    if (packet.form !== 'short') return;
    const conn = this.byCid.get(packet.dcid);
    if (!conn || conn.cid.toString('hex') !== packet.dcid) return;
    let path = conn.path;
    if (port !== path.port) {
      const nonProbing = packet.frames.some((f) => f.type !== 'PADDING' && f.type !== 'PATH_CHALLENGE' && f.type !== 'PATH_RESPONSE');
      if ((packet.packetNumber ?? -1) > conn.largestReceived && nonProbing) {
        // Migration (§9.3): the connection follows the newest non-probing packet; what was in flight is lost.
        path = { port, validated: false, received: msg.length, sent: 0, challenges: [], challengedAt: 0 };
        conn.path = path;
        for (const f of conn.inFlight.values()) conn.lost.push({ offset: f.offset, length: f.length });
        conn.inFlight.clear();
        this.challenge(conn);
      }
    } else if (port === conn.path.port) conn.path.received += msg.length;
    // The handshake address is proven by the first 1-RTT packet from it.
    if (!conn.path.challenges.length && port === conn.path.port) conn.path.validated = true;
    conn.largestReceived = Math.max(conn.largestReceived, packet.packetNumber ?? -1);
    for (const f of packet.frames) {
      if (f.type === 'PATH_RESPONSE' && conn.path.challenges.includes(f.data)) conn.path.validated = true;
      if (f.type === 'ACK') this.acked(conn, f.ranges);
    }
    this.pump(conn);
  }

  private challenge(conn: PeerConnection): void {
    const data = randomBytes(8);
    conn.path.challenges.push(data.toString('hex'));
    conn.path.challengedAt = Date.now();
    this.send(conn, conn.path, buildShort(conn.clientCid, conn.nextPn++, frame.pathChallenge(data)));
  }

  private acked(conn: PeerConnection, ranges: Array<[number, number]>): void {
    let largest = -1;
    for (const [low, high] of ranges) {
      largest = Math.max(largest, high);
      for (const [pn, f] of conn.inFlight) {
        if (pn < low || pn > high) continue;
        conn.inFlight.delete(pn);
        conn.acked += f.length;
      }
    }
    // A packet three below an acknowledged one is lost (RFC 9002 §6.1.1).
    for (const [pn, f] of conn.inFlight) {
      if (pn > largest - 3) continue;
      conn.inFlight.delete(pn);
      conn.lost.push({ offset: f.offset, length: f.length });
    }
  }

  private pump(conn: PeerConnection): void {
    while (conn.inFlight.size < WINDOW) {
      const next =
        conn.lost.shift() ??
        (conn.nextOffset < this.payload.length ? { offset: conn.nextOffset, length: Math.min(CHUNK, this.payload.length - conn.nextOffset) } : undefined);
      if (!next) return;
      const fin = next.offset + next.length === this.payload.length;
      const pn = conn.nextPn;
      const datagram = buildShort(
        conn.clientCid,
        pn,
        frame.stream(DOWNLOAD_STREAM, next.offset, this.payload.subarray(next.offset, next.offset + next.length), fin),
      );
      if (!this.send(conn, conn.path, datagram)) {
        conn.lost.unshift(next);
        return;
      }
      conn.nextPn++;
      if (next.offset === conn.nextOffset) conn.nextOffset += next.length;
      conn.inFlight.set(pn, { pn, sentAt: Date.now(), ...next });
    }
  }

  private tick(): void {
    const now = Date.now();
    for (const [key, conn] of this.byCid) {
      if (key !== conn.cid.toString('hex')) continue;
      for (const [pn, f] of conn.inFlight) {
        if (now - f.sentAt < this.retransmitMs) continue;
        conn.inFlight.delete(pn);
        conn.lost.push({ offset: f.offset, length: f.length });
      }
      if (!conn.path.validated && conn.path.challenges.length && now - conn.path.challengedAt > this.retransmitMs) this.challenge(conn);
      this.pump(conn);
    }
  }
}

export class BuiltinQuicClient {
  private socket: dgram.Socket | undefined;
  private readonly cid = randomBytes(CID_LENGTH);
  private serverCid: Buffer | undefined;
  private nextPn = 0;
  private readonly receivedPns = new Set<number>();
  private readonly chunks = new Map<number, Buffer>();
  private contiguous = 0;
  private finalSize: number | undefined;
  private lastReceived = Date.now();
  private probeTimer: NodeJS.Timeout | undefined;
  private connected: (() => void) | undefined;
  private done = false;

  constructor(
    private readonly port: number,
    private readonly onComplete: (bytes: number) => void,
    private readonly probeMs = 60,
  ) {}

  async connect(): Promise<void> {
    await this.open();
    const ready = new Promise<void>((resolve) => (this.connected = resolve));
    const initial = buildInitial({ dcid: randomBytes(CID_LENGTH), scid: this.cid, pn: 0, frames: frame.ping(), padTo: 1200 });
    this.socket!.send(initial, this.port, '127.0.0.1');
    this.probeTimer = setInterval(() => this.probe(), this.probeMs / 2);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>(
      (_, reject) => (timer = setTimeout(() => reject(new Error('the built-in server did not answer the Initial within 5 s')), 5000)),
    );
    await Promise.race([ready, timeout]).finally(() => clearTimeout(timer));
  }

  /** A new socket (a new local port); the connection and everything it holds stay. */
  async migrate(): Promise<number> {
    const old = this.socket;
    await this.open();
    old?.close();
    this.sendShort(frame.ping());
    return this.socket!.address().port;
  }

  close(): void {
    clearInterval(this.probeTimer);
    this.socket?.close();
    this.socket = undefined;
  }

  private async open(): Promise<void> {
    const socket = await bindLoopbackUdp();
    socket.on('message', (msg) => this.receive(msg));
    this.socket = socket;
  }

  private sendShort(frames: Buffer): void {
    if (this.serverCid) this.socket?.send(buildShort(this.serverCid, this.nextPn++, frames), this.port, '127.0.0.1');
  }

  private ack(): Buffer {
    return frame.ack(rangesOf(this.receivedPns).slice(0, 32));
  }

  private probe(): void {
    if (this.done || !this.serverCid || Date.now() - this.lastReceived < this.probeMs) return;
    this.lastReceived = Date.now();
    this.sendShort(Buffer.concat([frame.ping(), this.receivedPns.size ? this.ack() : Buffer.alloc(0)]));
  }

  private receive(msg: Buffer): void {
    const packet = decodeDatagram(msg);
    if (packet.dcid !== this.cid.toString('hex')) return;
    this.lastReceived = Date.now();
    if (packet.form === 'long') {
      if (this.serverCid || !packet.scid) return;
      this.serverCid = Buffer.from(packet.scid, 'hex');
      this.sendShort(frame.ping());
      this.connected?.();
      return;
    }
    if (packet.form !== 'short' || packet.packetNumber === undefined) return;
    let elicits = false;
    for (const f of packet.frames) {
      if (f.type === 'PATH_CHALLENGE') this.sendShort(frame.pathResponse(Buffer.from(f.data, 'hex')));
      if (f.type === 'STREAM' && f.streamId === DOWNLOAD_STREAM) {
        if ((this.chunks.get(f.offset)?.length ?? -1) < f.length) this.chunks.set(f.offset, Buffer.from(f.data));
        if (f.fin) this.finalSize = f.offset + f.length;
      }
      if (f.type !== 'ACK' && f.type !== 'PADDING') elicits = true;
    }
    if (elicits) {
      this.receivedPns.add(packet.packetNumber);
      // Only recent packet numbers go into ACKs (older ones were acknowledged many times over).
      if (this.receivedPns.size > 256) for (const pn of this.receivedPns) if (pn < packet.packetNumber - 256) this.receivedPns.delete(pn);
      this.sendShort(this.ack());
    }
    this.advance();
  }

  private advance(): void {
    for (let next = this.chunks.get(this.contiguous); next; next = this.chunks.get(this.contiguous)) this.contiguous += next.length;
    if (!this.done && this.finalSize !== undefined && this.contiguous >= this.finalSize) {
      this.done = true;
      this.onComplete(this.finalSize);
    }
  }
}
