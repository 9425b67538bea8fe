// A fault-injecting UDP relay for the quic-migration suite: a small NAT in the trusted jest process, between the
// learner's client (in the sandbox) and the learner's server (in the sandbox too).
//
//   client socket ──► relay front port ──► back socket #k ──► server
//
// Every client address gets its own back socket (its own "public" address, as a NAT would give it), so when the
// client moves to a new port the server sees datagrams from a new address; rebind() replaces the back socket of
// the newest path with a fresh one (NAT rebinding), which the server also sees as a new address. Loss and delay
// (reordering) hit the server's 1-RTT datagrams that carry stream data, and are decided by the seed and by what the
// datagram carries (its first STREAM frame's offset, and how many times that offset went by before), never by when
// it passes: the same code with the same seed loses the same data, however the machine schedules it, so a verdict
// on wrong code (an ACK misread, a retransmission forgotten) does not change from run to run. A blackout drops
// everything in both directions (the moment of a network switch).
//
// The relay decodes every datagram with the trusted codec (harness/support/quic-wire.ts) and keeps, per path, the
// bytes it delivered to the server and the bytes the server sent to that address, up to the moment the path was
// validated (a PATH_RESPONSE echoing one of the server's challenges on that path was delivered; for the handshake
// path, the first short-header packet). That is the anti-amplification measurement of RFC 9000 §8.1.

import dgram from 'node:dgram';
import { decodeDatagram, describePacket, type WirePacket } from '../support/quic-wire';
import { seededRandom } from '../support/random';
import { bindLoopbackUdp } from '../support/loopback-udp';

export type Direction = 'c2s' | 's2c';
export type Fate = 'delivered' | 'dropped' | 'delayed' | 'blackout';

export interface DatagramRecord {
  seq: number;
  /** ms since the relay started */
  at: number;
  dir: Direction;
  /** Path index (0 = the first client address). */
  path: number;
  size: number;
  fate: Fate;
  packet: WirePacket;
}

export interface AmplificationViolation {
  seq: number;
  sentToPath: number;
  receivedFromPath: number;
}

export interface RelayPath {
  index: number;
  clientAddress: string;
  clientPort: number;
  /** The port of the back socket: the address the server sees for this path. */
  backPort: number;
  /** Why this path exists. */
  origin: 'handshake' | 'client moved' | 'NAT rebinding';
  /** Bytes delivered to the server from this path before it was validated. */
  bytesToServer: number;
  /** Bytes the server sent to this path before it was validated. */
  bytesFromServer: number;
  /** The record seq at which the path became validated, if it did. */
  validatedAt?: number;
  /** PATH_CHALLENGE data (hex) the server sent on this path. */
  challenges: string[];
  /** The first datagram that broke the 3x limit. */
  violation?: AmplificationViolation;
  /** The largest ratio seen before validation. */
  worstRatio: number;
  socket: dgram.Socket;
  closed: boolean;
}

export interface RelayOptions {
  targetPort: number;
  targetHost?: string;
  /** Decides, with what a datagram carries, which data datagrams are lost or delayed. */
  seed: number;
  /** Probability that a server datagram carrying stream data is dropped. */
  loss?: number;
  /** Probability that a server datagram carrying stream data is held back (and so reordered). */
  reorder?: number;
  /** Longest hold for a reordered datagram, ms. */
  maxHoldMs?: number;
}

export class UdpRelay {
  readonly records: DatagramRecord[] = [];
  readonly paths: RelayPath[] = [];
  port = 0;
  private front!: dgram.Socket;
  private readonly started = performance.now();
  private readonly byClient = new Map<string, RelayPath>();
  private readonly pending = new Map<string, Array<Buffer>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly hooks: Array<(r: DatagramRecord) => void> = [];
  private readonly waiters = new Set<() => void>();
  /** How many times each stream offset has gone by (server to client), for the keyed fault draws. */
  private readonly offsetsSeen = new Map<number, number>();
  private dark = false;
  private closing = false;

  private constructor(private readonly options: RelayOptions) {}

  static async start(options: RelayOptions): Promise<UdpRelay> {
    const relay = new UdpRelay(options);
    relay.front = await bindLoopbackUdp();
    relay.port = relay.front.address().port;
    relay.front.on('message', (msg, rinfo) => relay.fromClient(msg, rinfo.address, rinfo.port));
    return relay;
  }

  now(): number {
    return performance.now() - this.started;
  }

  /** Called synchronously for every datagram, after its fate is decided. */
  onRecord(hook: (r: DatagramRecord) => void): void {
    this.hooks.push(hook);
  }

  /** Drops every datagram in both directions while on. */
  blackout(on: boolean): void {
    this.dark = on;
  }

  /** NAT rebinding: the newest path gets a new back socket (a new source port as seen by the server). */
  async rebind(): Promise<RelayPath> {
    const current = this.paths[this.paths.length - 1];
    if (!current) throw new Error('rebind() before any client datagram');
    const next = await this.openPath(current.clientAddress, current.clientPort, 'NAT rebinding');
    this.retire(current);
    return next;
  }

  /** Resolves once check() holds; rejects with `what` after timeoutMs. */
  waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Stream bytes (stream 3, highest offset + length) delivered to the client so far. */
  streamHighWater(): number {
    let high = 0;
    for (const r of this.records) {
      if (r.dir !== 's2c' || r.fate !== 'delivered') continue;
      for (const f of r.packet.frames) if (f.type === 'STREAM') high = Math.max(high, f.offset + f.length);
    }
    return high;
  }

  /** A timeline of datagrams with decoded headers (the ones matching `filter`, at most `max`, the first or last ones). */
  timeline(filter: (r: DatagramRecord) => boolean = () => true, max = 24, from: 'start' | 'end' = 'end'): string {
    const rows = this.records.filter(filter);
    const shown = from === 'start' ? rows.slice(0, max) : rows.slice(-max);
    const lines = shown.map((r) => {
      const p = this.paths[r.path];
      const where = p ? `client:${p.clientPort} ${r.dir === 'c2s' ? '→' : '←'} server (as ${p.backPort})` : '';
      return `  #${String(r.seq).padStart(4)} ${r.at.toFixed(1).padStart(8)} ms  path ${r.path} ${where}  ${String(r.size).padStart(5)} B  ${r.fate.padEnd(9)} ${describePacket(r.packet)}`;
    });
    if (rows.length > shown.length) {
      const note = `  (${rows.length - shown.length} ${from === 'start' ? 'later' : 'earlier'} datagrams not shown)`;
      if (from === 'start') lines.push(note);
      else lines.unshift(note);
    }
    return lines.length ? lines.join('\n') : '  (no datagrams)';
  }

  describePaths(): string {
    return this.paths
      .map(
        (p) =>
          `  path ${p.index} (${p.origin}): client port ${p.clientPort}, server sees port ${p.backPort}; before validation the server got ${p.bytesToServer} B from it and sent ${p.bytesFromServer} B to it` +
          (p.validatedAt !== undefined ? `; validated at #${p.validatedAt}` : '; never validated'),
      )
      .join('\n');
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.paths) this.retire(p);
    await new Promise<void>((resolve) => this.front.close(() => resolve()));
  }

  // -------------------------------------------------------------------------------------------------------------

  private retire(path: RelayPath): void {
    if (path.closed) return;
    path.closed = true;
    path.socket.close();
  }

  private async openPath(clientAddress: string, clientPort: number, origin: RelayPath['origin']): Promise<RelayPath> {
    const socket = await bindLoopbackUdp();
    const path: RelayPath = {
      index: this.paths.length,
      clientAddress,
      clientPort,
      backPort: socket.address().port,
      origin,
      bytesToServer: 0,
      bytesFromServer: 0,
      challenges: [],
      worstRatio: 0,
      socket,
      closed: false,
    };
    this.paths.push(path);
    this.byClient.set(`${clientAddress}:${clientPort}`, path);
    socket.on('message', (msg) => this.fromServer(path, msg));
    return path;
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    if (this.closing) return;
    const key = `${address}:${port}`;
    const path = this.byClient.get(key);
    if (path) return this.forward('c2s', path, msg);
    // A new client address: open its back socket, hold what arrives meanwhile.
    const queue = this.pending.get(key);
    if (queue) {
      queue.push(msg);
      return;
    }
    this.pending.set(key, [msg]);
    void this.openPath(address, port, this.paths.length ? 'client moved' : 'handshake').then((p) => {
      const held = this.pending.get(key) ?? [];
      this.pending.delete(key);
      for (const m of held) this.forward('c2s', p, m);
    });
  }

  private fromServer(path: RelayPath, msg: Buffer): void {
    if (this.closing) return;
    this.forward('s2c', path, msg);
  }

  private forward(dir: Direction, path: RelayPath, msg: Buffer): void {
    const packet = decodeDatagram(msg);
    const seq = this.records.length;
    if (dir === 's2c' && path.validatedAt === undefined) {
      path.bytesFromServer += msg.length;
      for (const f of packet.frames) if (f.type === 'PATH_CHALLENGE') path.challenges.push(f.data);
      const ratio = path.bytesToServer ? path.bytesFromServer / path.bytesToServer : Infinity;
      path.worstRatio = Math.max(path.worstRatio, ratio);
      if (!path.violation && path.bytesFromServer > 3 * path.bytesToServer) {
        path.violation = { seq, sentToPath: path.bytesFromServer, receivedFromPath: path.bytesToServer };
      }
    }
    let fate: Fate = 'delivered';
    let draw: (() => number) | undefined;
    if (this.dark) fate = 'blackout';
    else if ((draw = this.faultDraw(dir, packet))) {
      const r = draw();
      if (r < (this.options.loss ?? 0)) fate = 'dropped';
      else if (r < (this.options.loss ?? 0) + (this.options.reorder ?? 0)) fate = 'delayed';
    }
    const record: DatagramRecord = { seq, at: this.now(), dir, path: path.index, size: msg.length, fate, packet };
    this.records.push(record);
    if (fate === 'delivered') this.deliver(dir, path, msg, record);
    else if (fate === 'delayed' && draw) {
      const hold = 2 + Math.floor(draw() * ((this.options.maxHoldMs ?? 12) - 1));
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (this.closing || this.dark) return;
        this.deliver(dir, path, msg, record);
      }, hold);
      this.timers.add(timer);
    }
    for (const h of this.hooks) h(record);
    for (const w of [...this.waiters]) w();
  }

  /**
   * The random source for a server datagram that carries stream data, keyed by the seed, its first STREAM frame's
   * offset and how many times that offset was sent before; undefined for every other datagram (never faulted).
   */
  private faultDraw(dir: Direction, packet: WirePacket): (() => number) | undefined {
    if (dir !== 's2c' || packet.form !== 'short') return undefined;
    const stream = packet.frames.find((f) => f.type === 'STREAM');
    if (!stream || stream.type !== 'STREAM') return undefined;
    const times = this.offsetsSeen.get(stream.offset) ?? 0;
    this.offsetsSeen.set(stream.offset, times + 1);
    return seededRandom((this.options.seed ^ Math.imul(stream.offset + 1, 0x9e3779b1) ^ Math.imul(times + 1, 0x85ebca6b)) >>> 0);
  }

  private deliver(dir: Direction, path: RelayPath, msg: Buffer, record: DatagramRecord): void {
    if (dir === 'c2s') {
      if (path.closed) return;
      if (path.validatedAt === undefined) path.bytesToServer += msg.length;
      path.socket.send(msg, this.options.targetPort, this.options.targetHost ?? '127.0.0.1');
      // Validation as the server sees it.
      if (record.packet.form === 'short' && path.index === 0 && path.validatedAt === undefined) path.validatedAt = record.seq;
      for (const f of record.packet.frames) {
        if (f.type !== 'PATH_RESPONSE') continue;
        for (const p of this.paths) if (p.validatedAt === undefined && p.challenges.includes(f.data)) p.validatedAt = record.seq;
      }
    } else {
      this.front.send(msg, path.clientPort, path.clientAddress);
    }
  }
}
