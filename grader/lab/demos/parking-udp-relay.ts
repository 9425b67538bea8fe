// The parking lot's UDP relay: a small NAT on 127.0.0.1 between the QUIC-shaped client and server, in the lab
// process. Every client address gets a back socket of its own, so when the client moves to a new port the server
// sees a new address, exactly as after a switch to 4G. The server's datagrams cross the paced link (the same speed
// as the TCP lane's); the client's go straight through. Every datagram is decoded with the trusted codec
// (harness/support/quic-wire.ts) and shown to the lane, which builds the page's numbers from what crossed the
// wire: connection IDs, stream bytes, PATH_CHALLENGE and PATH_RESPONSE, which path is validated.

import dgram from 'node:dgram';
import { decodeDatagram, type WirePacket } from '../../../harness/support/quic-wire';
import type { PacedLink } from './parking-link';
import { bindLoopbackUdp } from '../../../harness/support/loopback-udp';

/** Past this backlog the link drops the server's datagrams (a router's full queue), as a real path would. */
const QUEUE_LIMIT = 256 * 1024;

export interface RelayPath {
  index: number;
  clientPort: number;
  /** The back socket's port: the address the server sees for this path. */
  backPort: number;
  /** PATH_CHALLENGE data (hex) the server sent to this path. */
  challenges: string[];
  validated: boolean;
  socket: dgram.Socket;
}

export interface Crossing {
  dir: 'c2s' | 's2c';
  path: RelayPath;
  packet: WirePacket;
  /** A PATH_RESPONSE in this datagram validated this path just now. */
  validates?: RelayPath;
}

export class PacedUdpRelay {
  readonly paths: RelayPath[] = [];
  port = 0;
  private front: dgram.Socket | undefined;
  private readonly byClient = new Map<number, Promise<RelayPath>>();
  private closing = false;

  constructor(
    private readonly targetPort: number,
    private readonly link: PacedLink,
    private readonly observe: (c: Crossing) => void,
  ) {}

  async start(): Promise<number> {
    this.front = await bindLoopbackUdp();
    this.port = this.front.address().port;
    this.front.on('message', (msg, rinfo) => void this.fromClient(msg, rinfo.port));
    return this.port;
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    for (const p of this.paths) p.socket.close();
    this.front?.close();
  }

  private async fromClient(msg: Buffer, clientPort: number): Promise<void> {
    let opening = this.byClient.get(clientPort);
    if (!opening) {
      opening = this.openPath(clientPort);
      this.byClient.set(clientPort, opening);
    }
    const path = await opening;
    if (this.closing) return;
    const packet = decodeDatagram(msg);
    let validates: RelayPath | undefined;
    if (packet.form === 'short' && path.index === 0 && !path.validated) {
      // The handshake address is proven by the client's first 1-RTT packet (RFC 9000 §8.1).
      path.validated = true;
      validates = path;
    }
    for (const f of packet.frames) {
      if (f.type !== 'PATH_RESPONSE') continue;
      // Whichever path the response comes back on, it validates the path its challenge went out on (§8.2.2).
      const target = this.paths.find((p) => !p.validated && p.challenges.includes(f.data));
      if (target) {
        target.validated = true;
        validates = target;
      }
    }
    path.socket.send(msg, this.targetPort, '127.0.0.1');
    this.observe({ dir: 'c2s', path, packet, validates });
  }

  private fromServer(path: RelayPath, msg: Buffer): void {
    if (this.closing || this.link.backlog > QUEUE_LIMIT) return;
    const packet = decodeDatagram(msg);
    for (const f of packet.frames) if (f.type === 'PATH_CHALLENGE') path.challenges.push(f.data);
    // Datagrams to an address the client has left are lost with the old network: they take no time on the link.
    this.link.push(
      msg.length,
      () => {
        this.front?.send(msg, path.clientPort, '127.0.0.1');
        this.observe({ dir: 's2c', path, packet });
      },
      () => !this.closing && this.paths[this.paths.length - 1] === path,
    );
  }

  private async openPath(clientPort: number): Promise<RelayPath> {
    const socket = await bindLoopbackUdp();
    const path: RelayPath = { index: this.paths.length, clientPort, backPort: socket.address().port, challenges: [], validated: false, socket };
    this.paths.push(path);
    socket.on('message', (msg) => this.fromServer(path, msg));
    return path;
  }
}
